//! The JSON-in, JSON-out API that the CLI, the host and the Wasm component all call, so
//! that one test corpus exercises every entry point.

use serde_json::{json, Map, Value};

use crate::diagnostics::{LoadError, Location, PackProblem};
use crate::{Date, EvaluateError, RulePack};

/// Evaluates case JSON as of a `YYYY-MM-DD` date and returns the evaluation as the
/// exact JSON text the CLI prints (pretty-printed, final newline).
pub fn evaluate_json(pack: &RulePack, case_json: &str, as_of: &str) -> Result<String, EvaluateError> {
    let as_of: Date = as_of.parse().map_err(EvaluateError::InvalidAsOf)?;
    let case = pack.parse_case(case_json)?;
    Ok(pack.evaluate(&case, as_of)?.to_json())
}

/// An evaluation rendered as text for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationText {
    /// Whether every rule ran without failing (the evaluation's `complete`).
    pub complete: bool,
    /// The text ([`RulePack::evaluation_text`]).
    pub text: String,
}

/// Evaluates case JSON as of a `YYYY-MM-DD` date and returns the evaluation as text for
/// people ([`RulePack::evaluation_text`]): the exact text `careplan eval --format text`
/// prints.
pub fn evaluate_text(pack: &RulePack, case_json: &str, as_of: &str) -> Result<EvaluationText, EvaluateError> {
    let as_of: Date = as_of.parse().map_err(EvaluateError::InvalidAsOf)?;
    let case = pack.parse_case(case_json)?;
    let evaluation = pack.evaluate(&case, as_of)?;
    Ok(EvaluationText {
        complete: evaluation.complete,
        text: pack.evaluation_text(&evaluation),
    })
}

/// [`evaluate_json`] with some of the pack's parameters set to other values (see
/// [`RulePack::evaluate_with_parameters`]).
pub fn evaluate_json_with_parameters(
    pack: &RulePack,
    case_json: &str,
    as_of: &str,
    overrides: &Map<String, Value>,
) -> Result<String, EvaluateError> {
    let as_of: Date = as_of.parse().map_err(EvaluateError::InvalidAsOf)?;
    let case = pack.parse_case(case_json)?;
    Ok(pack.evaluate_with_parameters(&case, as_of, overrides)?.to_json())
}

/// Parameter overrides from JSON text: an object of parameter names and values, as
/// [`evaluate_json_with_parameters`] takes them.
pub fn parameters_from_json(text: &str) -> Result<Map<String, Value>, EvaluateError> {
    serde_json::from_str(text).map_err(|err| EvaluateError::ParametersNotAnObject(err.to_string()))
}

/// One pack problem as JSON: `severity`, `code`, `message`, `help`, and `file`,
/// `line`, `column` when it has a place.
pub fn problem_to_json(problem: &PackProblem) -> Value {
    let mut value = Map::new();
    let severity = problem.severity().as_str();
    value.insert("severity".into(), json!(severity));
    value.insert("code".into(), json!(problem.code()));
    value.insert("message".into(), json!(problem.message()));
    if let Some(help) = problem.help_text() {
        value.insert("help".into(), json!(help));
    }
    if let Some(location) = problem.location() {
        insert_location(&mut value, location);
    }
    Value::Object(value)
}

fn insert_location(value: &mut Map<String, Value>, location: &Location) {
    value.insert("file".into(), json!(location.file));
    value.insert("line".into(), json!(location.line));
    value.insert("column".into(), json!(location.column));
}

/// A load error as JSON: the pack and the list of its problems.
pub fn load_error_to_json(err: &LoadError) -> Value {
    json!({
        "code": "careplan::load",
        "message": err.to_string(),
        "pack": err.pack(),
        "problems": err.problems().iter().map(problem_to_json).collect::<Vec<_>>(),
    })
}

/// An evaluation error as JSON: `code` and `message` always; `problems` (each with a
/// JSON `path`) for an invalid case. (A rule that fails is not an error: it is listed
/// in the evaluation's `failures`.)
pub fn evaluate_error_to_json(err: &EvaluateError) -> Value {
    let mut value = Map::new();
    value.insert("code".into(), json!(err.code()));
    value.insert("message".into(), json!(err.to_string()));
    match err {
        EvaluateError::InvalidCase(case) => {
            let problems = case
                .problems()
                .iter()
                .map(|p| {
                    let mut item = Map::new();
                    item.insert("path".into(), json!(p.path()));
                    item.insert("message".into(), json!(p.message()));
                    if let Some(help) = p.help() {
                        item.insert("help".into(), json!(help));
                    }
                    if let Some((line, column)) = p.position() {
                        item.insert("line".into(), json!(line));
                        item.insert("column".into(), json!(column));
                    }
                    Value::Object(item)
                })
                .collect();
            value.insert("problems".into(), Value::Array(problems));
        }
        EvaluateError::InvalidAsOf(_)
        | EvaluateError::NotInForce { .. }
        | EvaluateError::InvalidParameter { .. }
        | EvaluateError::ParametersNotAnObject(_) => {}
    }
    // Control characters escaped and every text cut to a bound, as in every host.
    let mut value = Value::Object(value);
    crate::api::report::clean_json(&mut value);
    value
}
