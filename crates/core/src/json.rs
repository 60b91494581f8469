//! The JSON-in, JSON-out API that the CLI, the host and the Wasm component all call, so
//! that one test corpus exercises every entry point.

use serde_json::{json, Value};

use crate::error::{LoadError, PackProblem, ProblemSeverity};
use crate::{Case, Date, EvaluateError, RulePack};

/// Evaluates case JSON as of a `YYYY-MM-DD` date and returns the evaluation as the
/// exact JSON text the CLI prints (pretty-printed, final newline).
pub fn evaluate_json(pack: &RulePack, case_json: &str, as_of: &str) -> Result<String, EvaluateError> {
    let as_of: Date = as_of.parse().map_err(EvaluateError::InvalidAsOf)?;
    let case = Case::from_json(case_json)?;
    Ok(pack.evaluate(&case, as_of)?.to_json())
}

/// One pack problem as JSON: `severity`, `code`, `message`, `help`, and `file`,
/// `line`, `column` when it has a place.
pub fn problem_to_json(problem: &PackProblem) -> Value {
    let mut value = json!({
        "severity": match problem.severity() {
            ProblemSeverity::Error => "error",
            ProblemSeverity::Warning => "warning",
        },
        "code": problem.code(),
        "message": problem.message(),
    });
    if let Some(help) = problem.help_text() {
        value["help"] = json!(help);
    }
    if let Some(location) = problem.location() {
        value["file"] = json!(location.file);
        value["line"] = json!(location.line);
        value["column"] = json!(location.column);
    }
    value
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
/// JSON `path`) for an invalid case; `rule`, `limit`, `file`, `line` and `column` for
/// rule failures.
pub fn evaluate_error_to_json(err: &EvaluateError) -> Value {
    let mut value = json!({ "code": err.code(), "message": err.to_string() });
    match err {
        EvaluateError::InvalidCase(case) => {
            value["problems"] = case
                .problems()
                .iter()
                .map(|p| {
                    let mut item = json!({ "path": p.path(), "message": p.message() });
                    if let Some(help) = p.help() {
                        item["help"] = json!(help);
                    }
                    if let Some((line, column)) = p.position() {
                        item["line"] = json!(line);
                        item["column"] = json!(column);
                    }
                    item
                })
                .collect();
        }
        EvaluateError::LimitExceeded { limit, max, .. } => {
            value["limit"] = json!(limit.as_str());
            value["max"] = json!(max);
        }
        _ => {}
    }
    if let Some(failure) = err.rule_failure() {
        value["rule"] = json!(failure.rule());
        if let Some(location) = failure.location() {
            value["file"] = json!(location.file);
            value["line"] = json!(location.line);
            value["column"] = json!(location.column);
        }
        if let Some(help) = failure.help() {
            value["help"] = json!(help);
        }
    }
    value
}
