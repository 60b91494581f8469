//! Problems in a pack's sources and the error of a load that found any: the places
//! they point at ([`Location`], the shared source text), [`PackProblem`] and
//! [`LoadError`], and "did you mean" ([`suggest`]). The other subsystems' errors live
//! beside them: [`crate::CaseError`] in `model`, [`crate::DateError`] in `calendar`,
//! [`crate::EvaluateError`] in `eval`.
//!
//! Messages are lowercase with no final period, put user values in backticks and use
//! care words rather than Rust type names. Every error about rule source carries the
//! file, line, column and source text, so miette can underline the place.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode, SourceSpan};

pub(crate) mod suggest;

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

impl ProblemSeverity {
    /// The severity as errors write it: `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemSeverity::Error => "error",
            ProblemSeverity::Warning => "warning",
        }
    }
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

    /// The same problem as a warning: the pack still loads.
    pub(crate) fn warning(mut self) -> Self {
        self.severity = ProblemSeverity::Warning;
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
