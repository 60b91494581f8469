//! Errors, one type per operation: loading a pack ([`LoadError`]), reading a case
//! ([`CaseError`]) and evaluating ([`EvaluateError`]).
//!
//! Messages are lowercase with no final period, put user values in backticks and use
//! care words rather than Rust type names. Every error about rule source carries the
//! file, line, column and source text, so miette can underline the place.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode, SourceSpan};

use crate::date::DateError;

/// A place in a pack's source: file, 1-based line and 1-based column (in characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file, as the pack's location joined with the file's path inside the pack.
    pub file: String,
    /// Line number, from 1.
    pub line: usize,
    /// Column number in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A source file's text shared between a pack and the errors that point into it.
#[derive(Debug, Clone)]
pub(crate) struct SharedSource {
    pub(crate) name: String,
    pub(crate) text: Arc<str>,
    named: NamedSource<Arc<str>>,
}

impl SharedSource {
    pub(crate) fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let name = name.into();
        let text = text.into();
        SharedSource {
            named: NamedSource::new(name.clone(), text.clone()),
            name,
            text,
        }
    }

    /// The byte span of the character at `line`:`column` (both from 1), clamped to the
    /// text, and one character long where there is a character to underline.
    pub(crate) fn span_at(&self, line: usize, column: usize) -> SourceSpan {
        let text = &*self.text;
        let line_start = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum::<usize>()
            .min(text.len());
        let rest = text.get(line_start..).unwrap_or("");
        let line_text = rest.split('\n').next().unwrap_or("");
        let offset = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        let width = line_text
            .get(offset..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        SourceSpan::new((line_start + offset).into(), width)
    }

    /// The 1-based line and column of a byte offset.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = self.text.get(..offset.min(self.text.len())).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }
}

/// Rhai's messages start with a capital; careplan's do not. Words that are all capitals
/// (`AST`, `I`) keep theirs.
pub(crate) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if chars.clone().next().is_some_and(|c| c.is_lowercase()) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_owned(),
    }
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemSeverity {
    /// The pack cannot be used.
    Error,
    /// The pack works, but something is probably not what the author meant.
    Warning,
}

/// One problem found while loading a pack: a syntax error, a bad header, a layering
/// mistake. Carries its place and source text when it has one.
#[derive(Debug, Clone)]
pub struct PackProblem {
    code: &'static str,
    message: String,
    help: Option<String>,
    label: Option<String>,
    severity: ProblemSeverity,
    place: Option<Box<(Location, SharedSource, SourceSpan)>>,
}

impl PackProblem {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        PackProblem {
            code,
            message: message.into(),
            help: None,
            label: None,
            severity: ProblemSeverity::Error,
            place: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Points the problem at `line`:`column` of `source`.
    pub(crate) fn at(mut self, source: &SharedSource, line: usize, column: usize) -> Self {
        let span = source.span_at(line, column);
        let location = Location {
            file: source.name.clone(),
            line: line.max(1),
            column: column.max(1),
        };
        self.place = Some(Box::new((location, source.clone(), span)));
        self
    }

    /// Points the problem at a byte range of `source`.
    pub(crate) fn at_span(mut self, source: &SharedSource, offset: usize, len: usize) -> Self {
        let (line, column) = source.line_column(offset);
        let location = Location {
            file: source.name.clone(),
            line,
            column,
        };
        self.place = Some(Box::new((
            location,
            source.clone(),
            SourceSpan::new(offset.into(), len),
        )));
        self
    }

    /// Points the problem at a file as a whole (its first character).
    pub(crate) fn in_file(self, source: &SharedSource) -> Self {
        self.at(source, 1, 1)
    }

    /// A short stable name for the kind of problem, e.g. `careplan::syntax`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message, without place or help.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Advice on how to fix it, if any.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Where it is, if it is in a file.
    pub fn location(&self) -> Option<&Location> {
        self.place.as_deref().map(|(location, ..)| location)
    }

    /// Error or warning.
    pub fn severity(&self) -> ProblemSeverity {
        self.severity
    }
}

impl fmt::Display for PackProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PackProblem {}

impl Diagnostic for PackProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<Severity> {
        Some(match self.severity {
            ProblemSeverity::Error => Severity::Error,
            ProblemSeverity::Warning => Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.place
            .as_deref()
            .map(|(_, source, _)| &source.named as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, _, span) = self.place.as_deref()?;
        let label = LabeledSpan::new_with_span(Some(self.label.clone().unwrap_or_else(|| "here".into())), *span);
        Some(Box::new(std::iter::once(label)))
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        None
    }
}

/// A rule pack could not be loaded: every problem found in it, in file order.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", summary(&self.pack, &self.problems))]
pub struct LoadError {
    pack: String,
    problems: Vec<PackProblem>,
}

fn summary(pack: &str, problems: &[PackProblem]) -> String {
    let errors = problems.iter().filter(|p| p.severity == ProblemSeverity::Error).count();
    match errors {
        1 => format!("rule pack `{pack}` has 1 error"),
        n => format!("rule pack `{pack}` has {n} errors"),
    }
}

impl LoadError {
    pub(crate) fn new(pack: impl Into<String>, problems: Vec<PackProblem>) -> Self {
        LoadError {
            pack: pack.into(),
            problems,
        }
    }

    /// The pack that failed to load (its id, or its location when the id is unknown).
    pub fn pack(&self) -> &str {
        &self.pack
    }

    /// Every problem found, errors and warnings.
    pub fn problems(&self) -> &[PackProblem] {
        &self.problems
    }
}

impl Diagnostic for LoadError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("careplan::load"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.problems.iter().map(|p| p as &dyn Diagnostic)))
    }
}

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
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        CaseProblem {
            path: path.into(),
            message: message.into(),
            help: None,
            line: None,
            column: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
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
        let help = crate::suggest::did_you_mean_help(field, candidates.iter().copied()).or_else(|| {
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

/// A limit that a rule ran into. Every limit is set in [`crate::Limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Operations one rule may run for one case.
    Operations,
    /// Depth of nested function calls.
    CallDepth,
    /// Depth of nested expressions (checked when the pack loads).
    ExpressionDepth,
    /// Length of a string in bytes.
    StringSize,
    /// Number of items in a list.
    ArraySize,
    /// Number of properties in a map.
    MapSize,
    /// Number of variables alive at once.
    Variables,
    /// Number of findings one evaluation may produce.
    Findings,
    /// Size of a rule source file in bytes (checked when the pack loads).
    SourceSize,
    /// Number of rules in a pack, parents included (checked when the pack loads).
    Rules,
}

impl Limit {
    /// The limit's name as used in errors: the `max_<name>` field of [`crate::Limits`].
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Operations => "operations",
            Limit::CallDepth => "call_depth",
            Limit::ExpressionDepth => "expression_depth",
            Limit::StringSize => "string_size",
            Limit::ArraySize => "array_size",
            Limit::MapSize => "map_size",
            Limit::Variables => "variables",
            Limit::Findings => "findings",
            Limit::SourceSize => "source_size",
            Limit::Rules => "rules",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
