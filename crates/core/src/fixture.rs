//! Fixtures: the data-driven test format for rule packs.
//!
//! A fixture is one JSON file in a pack's `tests/` folder: a case, an as-of date and
//! what the evaluation should hold (`expect`) or the error it should give
//! (`expect_error`). It runs through [`crate::evaluate_json`], the same entry point
//! every host uses, so a pack's suite tests exactly what hosts see.
//!
//! ```json
//! {
//!   "description": "two outcomes unable: eligible",
//!   "as_of": "2025-06-02",
//!   "case": { "person": { "id": "case-0001", "date_of_birth": "1950-01-01" } },
//!   "expect": { "eligibility": [], "audit": { "rules_fired": [] } }
//! }
//! ```
//!
//! An optional `"params": {"name": value}` sets some of the pack's parameters to other
//! values for the fixture, as a local pack would, so a suite can test a parameter's
//! variants. An optional `"skip": "reason"` skips the fixture.
//!
//! Expectations match *partially*: an object matches when every key the expectation
//! names matches (other keys are ignored); an array matches when it has the same length
//! and every item matches in order; anything else must be equal.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::api::json::{evaluate_error_to_json, evaluate_json, evaluate_json_with_parameters};
use crate::RulePack;

/// One fixture, read from JSON.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// What the fixture checks, in words.
    pub description: Option<String>,
    /// The as-of date, as written (`YYYY-MM-DD`); an invalid date is tested as such.
    pub as_of: String,
    /// The case JSON exactly as written in the fixture.
    pub case: String,
    /// What the evaluation should give.
    pub expect: Expectation,
    /// Parameters set to other values for this fixture, as a local pack would set
    /// them; empty for the pack's own values.
    pub params: Map<String, Value>,
    /// Why the fixture is skipped, when it is.
    pub skip: Option<String>,
}

/// What a fixture expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// An evaluation matching this (partial) JSON.
    Evaluation(Value),
    /// An error whose JSON matches this (partial) JSON.
    Error(Value),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    #[serde(default)]
    description: Option<String>,
    as_of: String,
    case: Box<RawValue>,
    #[serde(default)]
    expect: Option<Value>,
    #[serde(default)]
    expect_error: Option<Value>,
    #[serde(default)]
    params: Map<String, Value>,
    #[serde(default)]
    skip: Option<String>,
}

/// A fixture file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fixture{}: {message}{}", path_suffix(path), position_suffix(*position))]
pub struct FixtureError {
    path: String,
    message: String,
    position: Option<(usize, usize)>,
}

fn path_suffix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at `{path}`")
    }
}

/// serde_json's own way of naming the place, so the whole message reads as before.
fn position_suffix(position: Option<(usize, usize)>) -> String {
    position.map_or_else(String::new, |(line, column)| format!(" at line {line} column {column}"))
}

impl FixtureError {
    /// An error without a place in the text, such as a missing expectation.
    fn new(message: impl Into<String>) -> Self {
        FixtureError {
            path: String::new(),
            message: message.into(),
            position: None,
        }
    }

    /// serde_json's error at `path`, its line and column kept apart from its message.
    fn from_json(path: String, err: &serde_json::Error) -> Self {
        let (line, column) = (err.line(), err.column());
        let text = err.to_string();
        let position = (line > 0).then_some((line, column));
        let message = match position {
            Some(position) => text
                .strip_suffix(position_suffix(Some(position)).as_str())
                .map_or_else(|| text.clone(), str::to_owned),
            None => text,
        };
        FixtureError {
            path,
            message,
            position,
        }
    }

    /// The JSON path of the problem inside the fixture file; empty for the whole file.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, without its place in the text (see [`FixtureError::position`]).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the fixture's text could not be read, when it is not valid JSON or not a
    /// fixture's shape: the line (from 1) and the column as serde_json counts them, the
    /// number of bytes of that line up to and including the one it stopped at. `None`
    /// for a problem of the fixture as a whole, such as a missing `expect`.
    pub fn position(&self) -> Option<(usize, usize)> {
        self.position
    }
}

impl Fixture {
    /// Reads a fixture from its JSON text.
    pub fn from_json(text: &str) -> Result<Fixture, FixtureError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let file: FixtureFile = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            // `.` is the whole file; `?` a place before any key (a missing comma).
            let path = err.path().to_string();
            let path = if path == "." || path == "?" {
                String::new()
            } else {
                path
            };
            FixtureError::from_json(path, err.inner())
        })?;
        deserializer
            .end()
            .map_err(|err| FixtureError::from_json(String::new(), &err))?;
        let expect = match (file.expect, file.expect_error) {
            (Some(expect), None) => Expectation::Evaluation(expect),
            (None, Some(error)) => Expectation::Error(error),
            (Some(_), Some(_)) => return Err(FixtureError::new("give `expect` or `expect_error`, not both")),
            (None, None) => {
                return Err(FixtureError::new(
                    "missing `expect` (what the evaluation should hold) or `expect_error`",
                ))
            }
        };
        Ok(Fixture {
            description: file.description,
            as_of: file.as_of,
            case: file.case.get().to_owned(),
            expect,
            params: file.params,
            skip: file.skip,
        })
    }

    /// Runs the fixture against `pack`.
    pub fn run(&self, pack: &RulePack) -> FixtureOutcome {
        self.run_with(|case, as_of, params| {
            let result = if params.is_empty() {
                evaluate_json(pack, case, as_of)
            } else {
                evaluate_json_with_parameters(pack, case, as_of, params)
            };
            result.map_err(|err| evaluate_error_to_json(&err))
        })
    }

    /// Runs the fixture through any engine: `evaluate` gets the case JSON, the as-of
    /// date and the parameter overrides, and returns the evaluation JSON text or the
    /// error as JSON (as [`crate::evaluate_error_to_json`] writes it). This is how the
    /// same fixtures run natively and through the Wasm component.
    pub fn run_with(
        &self,
        evaluate: impl FnOnce(&str, &str, &Map<String, Value>) -> Result<String, Value>,
    ) -> FixtureOutcome {
        if let Some(reason) = &self.skip {
            return FixtureOutcome::Skipped(reason.clone());
        }
        let (actual, fired) = match evaluate(&self.case, &self.as_of, &self.params) {
            Ok(json) => {
                // The engine's own output always parses; anything else is a bug worth
                // seeing in the diff rather than hiding.
                let value: Value = serde_json::from_str(&json).unwrap_or(Value::String(json));
                let fired = fired_rules(&value);
                (Outcome::Evaluation(value), fired)
            }
            Err(error) => (Outcome::Error(error), Vec::new()),
        };
        let (expected, actual, wanted_kind) = match (&self.expect, actual) {
            (Expectation::Evaluation(expected), Outcome::Evaluation(actual)) => (expected, actual, None),
            (Expectation::Error(expected), Outcome::Error(actual)) => (expected, actual, None),
            (Expectation::Evaluation(expected), Outcome::Error(actual)) => (expected, actual, Some("an evaluation")),
            (Expectation::Error(expected), Outcome::Evaluation(actual)) => (expected, actual, Some("an error")),
        };
        if let Some(wanted) = wanted_kind {
            return FixtureOutcome::Failed(FixtureFailure {
                mismatches: vec![Mismatch {
                    path: String::new(),
                    message: format!(
                        "expected {wanted}, but got {}",
                        if wanted == "an error" {
                            "an evaluation"
                        } else {
                            "an error"
                        }
                    ),
                }],
                expected: expected.clone(),
                actual,
                fired,
            });
        }
        let mut mismatches = Vec::new();
        compare(expected, &actual, &mut String::new(), &mut mismatches);
        if mismatches.is_empty() {
            FixtureOutcome::Passed { fired }
        } else {
            FixtureOutcome::Failed(FixtureFailure {
                mismatches,
                expected: expected.clone(),
                actual: project(expected, &actual),
                fired,
            })
        }
    }
}

enum Outcome {
    Evaluation(Value),
    Error(Value),
}

fn fired_rules(evaluation: &Value) -> Vec<String> {
    evaluation
        .pointer("/audit/rules_fired")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(|id| id.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The result of running one fixture.
#[derive(Debug, Clone, PartialEq)]
pub enum FixtureOutcome {
    /// Everything the fixture expects holds. `fired` lists the rules that fired.
    Passed {
        /// Ids of the rules that returned findings.
        fired: Vec<String>,
    },
    /// The fixture is skipped, for this reason.
    Skipped(String),
    /// Something differs.
    Failed(FixtureFailure),
}

/// How a fixture failed.
#[derive(Debug, Clone, PartialEq)]
pub struct FixtureFailure {
    /// Each place where the actual result differs.
    pub mismatches: Vec<Mismatch>,
    /// What the fixture expected.
    pub expected: Value,
    /// The actual result, cut down to the keys the expectation names (the whole result
    /// when the fixture expected an evaluation and got an error, or the reverse), so
    /// the two can be diffed line by line.
    pub actual: Value,
    /// Ids of the rules that fired.
    pub fired: Vec<String>,
}

/// One difference between expected and actual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// JSON path, e.g. `reviews[0].due`; empty for the whole result.
    pub path: String,
    /// What differs.
    pub message: String,
}

fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn compare(expected: &Value, actual: &Value, path: &mut String, out: &mut Vec<Mismatch>) {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, want_value) in want {
                let child = join_key(path, key);
                match have.get(key) {
                    Some(have_value) => {
                        let mut child = child;
                        compare(want_value, have_value, &mut child, out);
                    }
                    None => {
                        // A misspelt expectation key reads as an absent field: say so.
                        let hint = crate::diagnostics::suggest::did_you_mean(key, have.keys().map(String::as_str))
                            .map(|best| format!("; did you mean `{best}`?"))
                            .unwrap_or_default();
                        out.push(Mismatch {
                            path: child,
                            message: format!("expected {}, but the field is absent{hint}", short(want_value)),
                        });
                    }
                }
            }
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                out.push(Mismatch {
                    path: path.clone(),
                    message: format!("expected {} item(s), found {}", want.len(), have.len()),
                });
                // Align the items: each expected item with the first unmatched actual
                // item it matches, then name what is missing and what is extra.
                let mut used = vec![false; have.len()];
                for (i, w) in want.iter().enumerate() {
                    let found = have.iter().enumerate().position(|(j, h)| {
                        let mut scratch = Vec::new();
                        !used.get(j).copied().unwrap_or(true) && {
                            compare(w, h, &mut String::new(), &mut scratch);
                            scratch.is_empty()
                        }
                    });
                    match found.and_then(|j| used.get_mut(j)) {
                        Some(slot) => *slot = true,
                        None => out.push(Mismatch {
                            path: format!("{path}[{i}]"),
                            message: format!("expected item not found: {}", summary(w)),
                        }),
                    }
                }
                for (j, h) in have.iter().enumerate() {
                    if !used.get(j).copied().unwrap_or(true) {
                        out.push(Mismatch {
                            path: format!("{path}[{j}]"),
                            message: format!("an item the fixture does not expect: {}", summary(h)),
                        });
                    }
                }
                return;
            }
            for (i, (w, h)) in want.iter().zip(have).enumerate() {
                let mut child = format!("{path}[{i}]");
                compare(w, h, &mut child, out);
            }
        }
        (w, h) if w == h => {}
        (w, h) => out.push(Mismatch {
            path: path.clone(),
            message: format!("expected {}, found {}", short(w), short(h)),
        }),
    }
}

/// An item in a line: its identifying fields when it has some, else its JSON, cut short.
fn summary(value: &Value) -> String {
    const KEYS: &[&str] = &[
        "scheme",
        "decision",
        "kind",
        "code",
        "level",
        "recipient",
        "rule",
        "due",
        "message",
    ];
    let text = match value {
        Value::Object(map) => {
            let named: Map<String, Value> = KEYS
                .iter()
                .filter_map(|k| map.get(*k).map(|v| ((*k).to_owned(), v.clone())))
                .collect();
            if named.is_empty() {
                value.to_string()
            } else {
                Value::Object(named).to_string()
            }
        }
        other => other.to_string(),
    };
    if text.chars().count() > 160 {
        format!("{}...", text.chars().take(157).collect::<String>())
    } else {
        text
    }
}

fn short(value: &Value) -> String {
    match value {
        Value::Object(_) => "an object".into(),
        Value::Array(items) => format!("a list of {}", items.len()),
        other => format!("`{other}`"),
    }
}

/// `actual` cut down to the shape of `expected`, for a readable diff.
fn project(expected: &Value, actual: &Value) -> Value {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => {
            let mut out = Map::new();
            for (key, want_value) in want {
                if let Some(have_value) = have.get(key) {
                    out.insert(key.clone(), project(want_value, have_value));
                }
            }
            Value::Object(out)
        }
        (Value::Array(want), Value::Array(have)) => Value::Array(
            have.iter()
                .enumerate()
                .map(|(i, h)| match want.get(i) {
                    Some(w) => project(w, h),
                    None => h.clone(),
                })
                .collect(),
        ),
        (_, h) => h.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mismatches(expected: Value, actual: Value) -> Vec<String> {
        let mut out = Vec::new();
        compare(&expected, &actual, &mut String::new(), &mut out);
        out.into_iter().map(|m| format!("{}: {}", m.path, m.message)).collect()
    }

    #[test]
    fn objects_match_on_named_keys_only() {
        assert!(mismatches(json!({"a": 1}), json!({"a": 1, "b": 2})).is_empty());
        assert_eq!(
            mismatches(json!({"a": {"c": 1}}), json!({"a": {"c": 2}})),
            ["a.c: expected `1`, found `2`"]
        );
        assert_eq!(
            mismatches(json!({"z": 1}), json!({})),
            ["z: expected `1`, but the field is absent"]
        );
    }

    #[test]
    fn arrays_match_length_and_order() {
        assert_eq!(
            mismatches(json!({"r": []}), json!({"r": [{"x": 1}]})),
            [
                "r: expected 0 item(s), found 1",
                "r[0]: an item the fixture does not expect: {\"x\":1}"
            ]
        );
        // Items are aligned, so the one missing and the one extra are named.
        assert_eq!(
            mismatches(
                json!({"r": [{"kind": "planned"}, {"kind": "change"}]}),
                json!({"r": [{"kind": "planned", "due": "2025-01-01"}, {"kind": "requested", "due": "2025-02-01"}, {"kind": "light_touch"}]})
            ),
            [
                "r: expected 2 item(s), found 3",
                "r[1]: expected item not found: {\"kind\":\"change\"}",
                "r[1]: an item the fixture does not expect: {\"due\":\"2025-02-01\",\"kind\":\"requested\"}",
                "r[2]: an item the fixture does not expect: {\"kind\":\"light_touch\"}",
            ]
        );
        assert_eq!(
            mismatches(
                json!({"reviews": [{"kind": "planned", "reasn": "why"}]}),
                json!({"reviews": [{"kind": "planned", "reason": "why"}]})
            ),
            ["reviews[0].reasn: expected `\"why\"`, but the field is absent; did you mean `reason`?"]
        );
        assert_eq!(
            mismatches(
                json!({"r": [{"x": 1}, {"x": 2}]}),
                json!({"r": [{"x": 2, "y": 0}, {"x": 2}]})
            ),
            ["r[0].x: expected `1`, found `2`"]
        );
    }

    #[test]
    fn projection_keeps_only_named_keys() {
        let actual = json!({"r": [{"x": 1, "y": 2}], "other": true});
        assert_eq!(project(&json!({"r": [{"x": 0}]}), &actual), json!({"r": [{"x": 1}]}));
    }

    #[test]
    fn reads_fixture_files_and_rejects_bad_ones() {
        let fixture = Fixture::from_json(r#"{"as_of": "2025-01-01", "case": {"person": 1}, "expect": {}}"#)
            .expect("a valid fixture");
        assert_eq!(fixture.case, r#"{"person": 1}"#);
        let err = Fixture::from_json(r#"{"as_of": "2025-01-01", "case": {}, "expct": {}}"#).expect_err("typo");
        assert!(err.message().starts_with("unknown field `expct`"), "{err}");
        let err = Fixture::from_json(r#"{"as_of": "2025-01-01", "case": {}}"#).expect_err("no expectation");
        assert_eq!(
            err.to_string(),
            "invalid fixture: missing `expect` (what the evaluation should hold) or `expect_error`"
        );
        assert_eq!(err.position(), None);
    }

    #[test]
    fn a_broken_fixture_keeps_its_line_and_column_apart_from_the_message() {
        // An unknown key: serde_json stops just past its closing quote (line 3, byte 9).
        let err = Fixture::from_json("{\n  \"as_of\": \"2025-01-01\",\n  \"expct\": {}\n}\n").expect_err("typo");
        assert_eq!(err.position(), Some((3, 9)));
        assert!(
            err.message().starts_with("unknown field `expct`, expected one of"),
            "{err}"
        );
        assert!(!err.message().contains("at line"), "{err}");
        assert!(err.to_string().ends_with(" at line 3 column 9"), "{err}");
        // Not JSON at all: a missing comma, found at the next key's quote.
        let err = Fixture::from_json("{\n  \"as_of\": \"2025-01-01\"\n  \"case\": {}\n}").expect_err("syntax");
        assert_eq!(err.position(), Some((3, 3)));
        assert_eq!(err.message(), "expected `,` or `}`");
        assert_eq!(
            err.to_string(),
            "invalid fixture: expected `,` or `}` at line 3 column 3"
        );
        // Text after the fixture's closing brace.
        let err =
            Fixture::from_json("{\"as_of\": \"2025-01-01\", \"case\": {}, \"expect\": {}} x").expect_err("trailing");
        assert_eq!(err.position(), Some((1, 51)));
        assert_eq!(err.message(), "trailing characters");
    }
}
