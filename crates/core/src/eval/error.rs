//! Why an evaluation could not be made at all.

use std::fmt;

use miette::Diagnostic;

use crate::calendar::DateError;
use crate::model::case_error::{CaseError, CaseProblem};

/// An evaluation could not be made at all: the input is wrong, or no rule of the pack
/// is in force. A rule that fails does not fail the evaluation; it is listed in
/// [`crate::Evaluation::failures`] and the evaluation says it is incomplete.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EvaluateError {
    /// The case is not valid.
    #[error(transparent)]
    InvalidCase(#[from] CaseError),
    /// The as-of date is not a date.
    #[error("invalid as-of date: {0}")]
    InvalidAsOf(DateError),
    /// No rule of the pack is in force on the as-of date.
    #[error("no rule of pack `{pack}` is in force on `{as_of}` ({window})")]
    NotInForce {
        /// The pack.
        pack: String,
        /// The as-of date asked for.
        as_of: String,
        /// When the pack's rules are in force, in words.
        window: String,
    },
    /// A parameter override names no parameter of the pack, or has the wrong type.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter {
        /// The parameter.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The parameter overrides are not a JSON object of parameter names and values.
    #[error("the parameters are not a JSON object: {0}")]
    ParametersNotAnObject(String),
}

impl EvaluateError {
    /// A short stable name for the kind of error, e.g. `careplan::invalid_case`.
    pub fn code(&self) -> &'static str {
        match self {
            EvaluateError::InvalidCase(_) => "careplan::invalid_case",
            EvaluateError::InvalidAsOf(_) => "careplan::invalid_as_of",
            EvaluateError::NotInForce { .. } => "careplan::not_in_force",
            EvaluateError::InvalidParameter { .. } | EvaluateError::ParametersNotAnObject(_) => {
                "careplan::invalid_parameter"
            }
        }
    }
}

impl Diagnostic for EvaluateError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(EvaluateError::code(self)))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            EvaluateError::InvalidCase(err) => {
                let helps: Vec<&str> = err.problems().iter().filter_map(CaseProblem::help).collect();
                (!helps.is_empty()).then(|| Box::new(helps.join("; ")) as Box<dyn fmt::Display>)
            }
            _ => None,
        }
    }
}
