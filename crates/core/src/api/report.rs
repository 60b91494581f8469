//! Every error core returns, rendered once: the words, the text for people and the
//! JSON. The CLI, careplan-host and the component's other hosts show these and never
//! re-word them, so the same input gives the same error in every host.

use std::fmt::Write as _;

use crate::api::json::{evaluate_error_to_json, load_error_to_json};
use crate::diagnostics::LoadError;
use crate::EvaluateError;

/// An error as every host shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorReport {
    /// A short stable name for the kind of error: `careplan::load`,
    /// `careplan::invalid_case`, `careplan::invalid_as_of`, `careplan::not_in_force` or
    /// `careplan::invalid_parameter`.
    pub code: &'static str,
    /// What failed, in a sentence (an invalid case with several problems lists them,
    /// one per line).
    pub message: String,
    /// For people: every problem with its place and help, then the message, one item per
    /// line, with a final newline. No source snippets: a host may not have the sources.
    pub text: String,
    /// The error as JSON on one line: `code` and `message`, and `pack` and `problems`
    /// as they apply ([`load_error_to_json`], [`evaluate_error_to_json`]).
    pub json: String,
}

impl LoadError {
    /// The error as every host shows it.
    pub fn report(&self) -> ErrorReport {
        let mut text = String::new();
        for problem in self.problems() {
            if let Some(location) = problem.location() {
                let _ = write!(text, "{location}: ");
            }
            let severity = problem.severity().as_str();
            let _ = writeln!(text, "{severity}[{}]: {}", problem.code(), problem.message());
            if let Some(help) = problem.help_text() {
                let _ = writeln!(text, "  help: {help}");
            }
        }
        let message = self.to_string();
        let _ = writeln!(text, "error: {message}");
        ErrorReport {
            code: "careplan::load",
            message,
            text,
            json: load_error_to_json(self).to_string(),
        }
    }
}

impl EvaluateError {
    /// The error as every host shows it.
    pub fn report(&self) -> ErrorReport {
        let mut text = String::new();
        match self {
            EvaluateError::InvalidCase(case) => {
                for problem in case.problems() {
                    let sep = if problem.path().is_empty() { ":" } else { "" };
                    let _ = writeln!(text, "error[{}]: invalid case{sep} {problem}", self.code());
                    if let Some(help) = problem.help() {
                        let _ = writeln!(text, "  help: {help}");
                    }
                }
            }
            _ => {
                let _ = writeln!(text, "error[{}]: {self}", self.code());
            }
        }
        ErrorReport {
            code: self.code(),
            message: self.to_string(),
            text,
            json: evaluate_error_to_json(self).to_string(),
        }
    }
}
