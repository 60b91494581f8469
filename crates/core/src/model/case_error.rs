//! What is wrong with a case: [`CaseProblem`]s at JSON paths, gathered in a
//! [`CaseError`], with serde's messages reworded in careplan's voice.

use std::fmt;

/// One thing wrong with a case, at a JSON path such as `assessments[0].outcomes[1]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseProblem {
    path: String,
    message: String,
    help: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

impl CaseProblem {
    /// A problem at `path` (empty for the document as a whole). Public for the crates
    /// that read other formats into a case (careplan-fhir, whose paths are FHIR paths).
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        CaseProblem {
            path: path.into(),
            message: message.into(),
            help: None,
            line: None,
            column: None,
        }
    }

    /// The problem with advice on how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The problem at a line and column of the text it was found in.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// The JSON path of the offending value; empty for the document as a whole.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Advice, such as the field that was probably meant.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Line and column in the JSON text, when the problem was found while reading it.
    pub fn position(&self) -> Option<(usize, usize)> {
        self.line.zip(self.column)
    }
}

impl fmt::Display for CaseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)?;
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)?;
        }
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

/// The case JSON is not a valid case. Lists every problem found after the JSON was
/// read; a JSON syntax or type error stops reading, so it comes alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct CaseError {
    problems: Vec<CaseProblem>,
}

impl CaseError {
    pub(crate) fn new(problems: Vec<CaseProblem>) -> Self {
        CaseError { problems }
    }

    pub(crate) fn single(problem: CaseProblem) -> Self {
        CaseError {
            problems: vec![problem],
        }
    }

    /// Every problem found.
    pub fn problems(&self) -> &[CaseProblem] {
        &self.problems
    }

    fn describe(&self) -> String {
        match self.problems.as_slice() {
            [one] => format!("invalid case: {one}"),
            many => {
                let mut text = format!("invalid case: {} problems", many.len());
                for p in many {
                    text.push_str("\n  - ");
                    text.push_str(&p.to_string());
                }
                text
            }
        }
    }

    /// Turns serde's error into one that names the path and what was expected, without
    /// repeating the offending value (case values are personal data).
    pub(crate) fn from_serde(text: &str, err: &serde_json::Error) -> Self {
        Self::from_json_at(json_path_at(text, err.line(), err.column()), err)
    }

    /// A JSON error found outside any value, such as text after the case's closing brace.
    pub(crate) fn from_json(err: serde_json::Error) -> Self {
        Self::from_json_at(String::new(), &err)
    }

    fn from_json_at(mut path: String, inner: &serde_json::Error) -> Self {
        let (line, column) = (inner.line(), inner.column());
        let raw = inner.to_string();
        let raw = match raw.rfind(" at line ") {
            Some(i) if line > 0 => raw.get(..i).unwrap_or(&raw).to_owned(),
            _ => raw,
        };
        let (message, help) = reword_serde_message(&raw, &mut path);
        let mut problem = CaseProblem::new(path, message);
        problem.help = help;
        if line > 0 {
            problem.line = Some(line);
            problem.column = Some(column);
        }
        CaseError::single(problem)
    }
}

/// The JSON path (`assessments[0].outcomes[1].outcome`) of the value being read at a
/// 1-based line and a column (the number of bytes of that line before the position), as
/// serde_json reports them: just after the token it stopped on. A small scanner over the
/// text rather than a path-tracking deserializer, which would be generated for every
/// type of the case and would double the JSON code in the Wasm component.
pub(crate) fn json_path_at(text: &str, line: usize, column: usize) -> String {
    enum Frame {
        Object { key: Option<String>, expect_key: bool },
        Array { index: usize },
    }
    let bytes = text.as_bytes();
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map_or(bytes.len(), |(i, _)| i + 1)
    };
    let end = (line_start + column).min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i).filter(|_| i < end) {
        match byte {
            b'"' => {
                let start = i;
                i += 1;
                while let Some(&b) = bytes.get(i).filter(|b| **b != b'"') {
                    i += if b == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object {
                    key,
                    expect_key: expect @ true,
                }) = stack.last_mut()
                {
                    let raw = text.get(start..(i + 1).min(text.len())).unwrap_or_default();
                    *key = Some(serde_json::from_str(raw).unwrap_or_else(|_| raw.trim_matches('"').to_owned()));
                    *expect = false;
                }
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                expect_key: true,
            }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// Rewrites serde's messages in careplan's voice and drops echoed values.
fn reword_serde_message(raw: &str, path: &mut String) -> (String, Option<String>) {
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        // Name the field itself, whether or not serde_path_to_error already did.
        if path.is_empty() {
            field.clone_into(path);
        } else if !path.ends_with(&format!(".{field}")) && *path != field {
            *path = format!("{path}.{field}");
        }
        let help = crate::diagnostics::suggest::did_you_mean_help(field, candidates.iter().copied()).or_else(|| {
            (!candidates.is_empty()).then(|| {
                format!(
                    "the fields allowed here are {}",
                    candidates
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        });
        return (format!("unknown field `{field}`"), help);
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return (format!("missing required field `{field}`"), None);
    }
    if let Some(rest) = raw.strip_prefix("unknown variant `") {
        let (_, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.trim_start_matches(", ");
        return (format!("not an allowed value: {expected}"), None);
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = raw.strip_prefix(prefix) {
            let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "another value"));
            let found = found
                .split(['`', '"'])
                .next()
                .unwrap_or(found)
                .trim()
                .replace("map", "an object")
                .replace("sequence", "a list")
                .replace("unit value", "null");
            let found = match found.as_str() {
                "integer" | "floating point" => "a number".to_owned(),
                "string" => "text".to_owned(),
                "boolean" => "true or false".to_owned(),
                _ => found,
            };
            let found = if found.is_empty() {
                "another value".to_owned()
            } else {
                found
            };
            return (format!("expected {expected}, found {found}"), None);
        }
    }
    if raw.starts_with("EOF while parsing") {
        return ("the JSON ends too soon".to_owned(), None);
    }
    (raw.to_owned(), None)
}
