//! What can go wrong reading FHIR into a case, rendered as core renders its errors.

use std::fmt::{self, Write as _};

use careplan_core::{clean_problem_text, ErrorReport};
use serde_json::{json, Value};

/// The most problems the text for people lists, as core's reports do; the JSON lists all.
const MAX_PROBLEMS_SHOWN: usize = 200;

/// One thing wrong, at a place: a FHIR path such as `Bundle.entry[2].resource.birthDate`,
/// a case path for the case JSON merged in, or the mapping table's name. Core's
/// [`CaseProblem`](careplan_core::CaseProblem): the same parts, shown the same way.
pub use careplan_core::CaseProblem as Problem;

/// What kind of input was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The FHIR input: not JSON, not resources, or resources careplan cannot read
    /// without guessing.
    InvalidFhir,
    /// The mapping table.
    InvalidMapping,
    /// The case made from the resources, with the case JSON merged in, is not a valid
    /// case, or the two disagree.
    InvalidCase,
}

impl ErrorKind {
    /// The stable code, as core's errors have: `careplan::invalid_fhir`,
    /// `careplan::invalid_mapping` or `careplan::invalid_case`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidFhir => "careplan::invalid_fhir",
            ErrorKind::InvalidMapping => "careplan::invalid_mapping",
            ErrorKind::InvalidCase => "careplan::invalid_case",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            ErrorKind::InvalidFhir => "invalid FHIR input",
            ErrorKind::InvalidMapping => "invalid FHIR mapping table",
            ErrorKind::InvalidCase => "invalid case from FHIR",
        }
    }
}

/// Reading FHIR into a case failed. Lists every problem found, each at its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FhirError {
    kind: ErrorKind,
    problems: Vec<Problem>,
}

impl FhirError {
    pub(crate) fn new(kind: ErrorKind, problems: Vec<Problem>) -> Self {
        FhirError { kind, problems }
    }

    /// What kind of input was wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Every problem found; at least one.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The error as every host shows it: the CLI prints `text` (or `json` with
    /// `--format json`), and the component returns all three.
    pub fn report(&self) -> ErrorReport {
        let message = clean_problem_text(&self.to_string()).into_owned();
        let code = self.kind.code();
        let mut text = String::new();
        for problem in self.problems.iter().take(MAX_PROBLEMS_SHOWN) {
            let _ = writeln!(
                text,
                "error[{code}]: {}: {}",
                self.kind.noun(),
                clean_problem_text(&problem.to_string())
            );
            if let Some(help) = problem.help() {
                let _ = writeln!(text, "  help: {}", clean_problem_text(help));
            }
        }
        let left_out = self.problems.len().saturating_sub(MAX_PROBLEMS_SHOWN);
        if left_out > 0 {
            let _ = writeln!(text, "… and {left_out} more problems; the JSON report lists them all");
        }
        let problems: Vec<Value> = self
            .problems
            .iter()
            .map(|p| {
                let mut item = serde_json::Map::new();
                item.insert("path".to_owned(), json!(clean_problem_text(p.path())));
                item.insert("message".to_owned(), json!(clean_problem_text(p.message())));
                if let Some(help) = p.help() {
                    item.insert("help".to_owned(), json!(clean_problem_text(help)));
                }
                if let Some((line, column)) = p.position() {
                    item.insert("line".to_owned(), json!(line));
                    item.insert("column".to_owned(), json!(column));
                }
                Value::Object(item)
            })
            .collect();
        let json = json!({ "code": code, "message": message, "problems": problems }).to_string();
        ErrorReport {
            code,
            message,
            text,
            json,
        }
    }
}

impl fmt::Display for FhirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "{}: {one}", self.kind.noun()),
            many => {
                write!(f, "{}: {} problems", self.kind.noun(), many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for FhirError {}

/// Something worth knowing about how the resources were read: a resource left out and
/// why, or a value read one way of two. Notes never stop the reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The FHIR path of what the note is about.
    pub path: String,
    /// What was done, and why.
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}
