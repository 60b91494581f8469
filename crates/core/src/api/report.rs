//! Every error core returns, rendered once: the words, the text for people and the
//! JSON. The CLI, careplan-host and the component's other hosts show these and never
//! re-word them, so the same input gives the same error in every host.
//!
//! What a report holds is safe to print: every message, line and JSON string has its
//! control characters escaped (`\u{1b}`; line feeds and tabs kept) and is cut to 4 KiB
//! with a note, so a value a rule threw or a case held cannot rewrite the terminal or
//! fill it; and the text lists at most 50 problems of a file and 200 in all, saying how
//! many it leaves out (the JSON lists every one).

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::Value;

use crate::api::json::{evaluate_error_to_json, load_error_to_json};
use crate::diagnostics::escape::{bound_text, escape_controls};
use crate::diagnostics::{left_out_note, LoadError, MAX_PROBLEMS_SHOWN, MAX_PROBLEM_TEXT};
use crate::EvaluateError;

/// What the text says where it leaves problems out.
const SEE_ALL: &str = "the JSON report lists them all";

/// An error as every host shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReport {
    /// A short stable name for the kind of error: `careplan::load`,
    /// `careplan::invalid_case`, `careplan::invalid_as_of`, `careplan::not_in_force` or
    /// `careplan::invalid_parameter`.
    pub code: &'static str,
    /// What failed, in a sentence (an invalid case with several problems lists them,
    /// one per line). Control characters escaped, at most 4 KiB and a note.
    pub message: String,
    /// For people: every problem with its place and help, then the message, one item per
    /// line, with a final newline. No source snippets: a host may not have the sources.
    /// At most 50 problems of a file and 200 in all, then a line saying how many more
    /// there are; each item escaped and bounded as the message is.
    pub text: String,
    /// The error as JSON on one line: `code` and `message`, and `pack` and `problems`
    /// as they apply ([`load_error_to_json`], [`evaluate_error_to_json`]), every
    /// problem listed, every string escaped and bounded as the message is.
    pub json: String,
}

/// `text` as a report shows it: control characters escaped (line feeds and tabs kept),
/// cut to [`MAX_PROBLEM_TEXT`] with a note. For the texts of an [`EvaluateError`],
/// which are made without either. A [`LoadError`]'s texts are escaped and cut when its
/// problems are made; cutting them again would cut their notes, so they are only
/// escaped again (which changes nothing on escaped text).
fn clean(text: &str) -> Cow<'_, str> {
    bound_text(text, MAX_PROBLEM_TEXT, true)
}

/// Every string of `value`, keys included, escaped and bounded as [`clean`] does. JSON
/// escapes C0 controls itself, but not DEL, C1 or bidi controls, and a program that
/// prints a message it reads from the JSON prints it raw.
pub(crate) fn clean_json(value: &mut Value) {
    match value {
        Value::String(text) => {
            let cleaned = match clean(text) {
                Cow::Owned(cleaned) => Some(cleaned),
                Cow::Borrowed(_) => None,
            };
            if let Some(cleaned) = cleaned {
                *text = cleaned;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(clean_json),
        Value::Object(map) => {
            if map.keys().any(|key| matches!(clean(key), Cow::Owned(_))) {
                let old = std::mem::take(map);
                *map = old
                    .into_iter()
                    .map(|(key, mut item)| {
                        clean_json(&mut item);
                        (clean(&key).into_owned(), item)
                    })
                    .collect();
            } else {
                map.values_mut().for_each(clean_json);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

impl LoadError {
    /// The error as every host shows it.
    pub fn report(&self) -> ErrorReport {
        let mut text = String::new();
        let (shown, left_out) = self.problems_to_show();
        for problem in shown {
            // A problem's message, help and file name are escaped and bounded when it is
            // made (`PackProblem::new`); escaping again costs a scan and keeps it so.
            if let Some(location) = problem.location() {
                let _ = write!(text, "{}: ", escape_controls(&location.to_string()));
            }
            let severity = problem.severity().as_str();
            let message = escape_controls(problem.message());
            let _ = writeln!(text, "{severity}[{}]: {message}", problem.code());
            if let Some(help) = problem.help_text() {
                let _ = writeln!(text, "  help: {}", escape_controls(help));
            }
        }
        if left_out > 0 {
            let _ = writeln!(text, "{}", left_out_note(left_out, SEE_ALL));
        }
        let message = escape_controls(&self.to_string()).into_owned();
        let _ = writeln!(text, "error: {message}");
        ErrorReport {
            code: "careplan::load",
            message,
            text,
            // Every string in it (the pack, and each problem's message, help and file)
            // is escaped and bounded already: cleaning it again would cut the notes.
            json: load_error_to_json(self).to_string(),
        }
    }
}

impl EvaluateError {
    /// The error as every host shows it.
    pub fn report(&self) -> ErrorReport {
        // Made once: a thrown or echoed value can make it megabytes long.
        let message = clean(&self.to_string()).into_owned();
        let mut text = String::new();
        match self {
            EvaluateError::InvalidCase(case) => {
                let problems = case.problems();
                for problem in problems.iter().take(MAX_PROBLEMS_SHOWN) {
                    let sep = if problem.path().is_empty() { ":" } else { "" };
                    let problem_text = problem.to_string();
                    let _ = writeln!(
                        text,
                        "error[{}]: invalid case{sep} {}",
                        self.code(),
                        clean(&problem_text)
                    );
                    if let Some(help) = problem.help() {
                        let _ = writeln!(text, "  help: {}", clean(help));
                    }
                }
                let left_out = problems.len().saturating_sub(MAX_PROBLEMS_SHOWN);
                if left_out > 0 {
                    let _ = writeln!(text, "{}", left_out_note(left_out, SEE_ALL));
                }
            }
            _ => {
                let _ = writeln!(text, "error[{}]: {message}", self.code());
            }
        }
        ErrorReport {
            code: self.code(),
            message,
            text,
            json: evaluate_error_to_json(self).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::diagnostics::{PackProblem, SharedSource, MAX_PROBLEMS_SHOWN_PER_FILE};

    fn is_raw_control(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t') || crate::diagnostics::escape::is_bidi_control(c)
    }

    #[test]
    fn a_load_report_escapes_names_messages_and_help() {
        let source = SharedSource::new("pack/\u{1b}]0;owned\u{7}.rhai", "let x = ;\n");
        let problem = PackProblem::new("careplan::syntax", "unexpected \u{1b}[2J`;`")
            .with_help("remove \u{202e}it")
            .at(&source, 1, 9);
        let report = LoadError::new("pack\u{9b}", vec![problem]).report();
        assert_eq!(
            report.text,
            "pack/\\u{1b}]0;owned\\u{7}.rhai:1:9: error[careplan::syntax]: unexpected \\u{1b}[2J`;`\n  \
             help: remove \\u{202e}it\nerror: rule pack `pack\\u{9b}` has 1 error\n"
        );
        assert_eq!(report.message, "rule pack `pack\\u{9b}` has 1 error");
        assert!(!report.json.chars().any(is_raw_control));
        let json: Value = serde_json::from_str(&report.json).expect("JSON");
        assert_eq!(json["pack"], "pack\\u{9b}");
        assert_eq!(json["problems"][0]["file"], "pack/\\u{1b}]0;owned\\u{7}.rhai");
        assert_eq!(json["problems"][0]["message"], "unexpected \\u{1b}[2J`;`");
    }

    #[test]
    fn a_load_report_of_ten_thousand_problems_lists_two_hundred_and_says_so() {
        let mut problems = Vec::new();
        for file in 0..100 {
            let source = SharedSource::new(format!("p/r{file}.rhai"), "let x = ;\n");
            for _ in 0..100 {
                problems.push(PackProblem::new("careplan::syntax", "unexpected `;`").at(&source, 1, 9));
            }
        }
        let report = LoadError::new("p", problems).report();
        let listed = report
            .text
            .lines()
            .filter(|l| l.contains("error[careplan::syntax]"))
            .count();
        assert_eq!(listed, MAX_PROBLEMS_SHOWN);
        assert!(report.text.lines().filter(|l| l.starts_with("p/r0.rhai:")).count() <= MAX_PROBLEMS_SHOWN_PER_FILE);
        let end = "… and 9800 more problems not shown (the JSON report lists them all)\n\
                   error: rule pack `p` has 10000 errors\n";
        assert!(report.text.ends_with(end), "{}", report.text);
        let json: Value = serde_json::from_str(&report.json).expect("JSON");
        assert_eq!(json["problems"].as_array().map(Vec::len), Some(10_000));
    }

    #[test]
    fn an_evaluate_report_bounds_a_huge_message() {
        let err = EvaluateError::InvalidParameter {
            name: "limit\u{1b}]2;owned\u{7}".into(),
            message: format!("{}\u{1b}[2J", "x".repeat(51 << 20)),
        };
        let report = err.report();
        assert!(
            report.message.len() <= MAX_PROBLEM_TEXT + 64,
            "{} bytes",
            report.message.len()
        );
        assert!(report
            .message
            .starts_with("invalid parameter `limit\\u{1b}]2;owned\\u{7}`: xxx"));
        assert!(report.message.ends_with("more bytes not shown)"));
        assert!(
            report.text.len() <= MAX_PROBLEM_TEXT + 128,
            "{} bytes",
            report.text.len()
        );
        assert!(!report.text.chars().any(is_raw_control));
        assert!(report.json.len() <= 2 * MAX_PROBLEM_TEXT, "{} bytes", report.json.len());
        let json: Value = serde_json::from_str(&report.json).expect("JSON");
        assert_eq!(json["code"], "careplan::invalid_parameter");
        assert!(json["message"].as_str().is_some_and(|m| !m.chars().any(is_raw_control)));
    }

    #[test]
    fn an_evaluate_report_escapes_every_message() {
        let err = EvaluateError::ParametersNotAnObject("bad \u{7f}\u{9b}31m\r".into());
        let report = err.report();
        assert_eq!(
            report.message,
            "the parameters are not a JSON object: bad \\u{7f}\\u{9b}31m\\u{d}"
        );
        assert_eq!(
            report.text,
            "error[careplan::invalid_parameter]: the parameters are not a JSON object: bad \\u{7f}\\u{9b}31m\\u{d}\n"
        );
        assert!(!report.json.chars().any(is_raw_control));
    }

    #[test]
    fn clean_json_escapes_strings_and_keys_and_keeps_the_rest() {
        let mut value = json!({"a\u{1b}": ["x\u{202e}", 1, true, null], "b": {"c": "ok\nline"}});
        clean_json(&mut value);
        assert_eq!(
            value,
            json!({"a\\u{1b}": ["x\\u{202e}", 1, true, null], "b": {"c": "ok\nline"}})
        );
        let mut long = json!({"m": "y".repeat(10_000)});
        clean_json(&mut long);
        assert!(long["m"].as_str().is_some_and(|m| m.len() < MAX_PROBLEM_TEXT + 64));
    }
}
