//! Rendering for people: diagnostics with source snippets (miette), evaluations as a
//! readable summary, and fixture diffs.

use std::fmt::Write as _;
use std::io::IsTerminal;

use careplan_core::{CaseError, EvaluateError, LoadError};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

/// How errors are written: for people or for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    /// Text with source snippets.
    Human,
    /// One JSON object.
    Json,
}

fn handler() -> GraphicalReportHandler {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme).with_width(100)
}

/// Renders one diagnostic as miette does, with its snippet.
pub fn diagnostic(diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    if handler().render_report(&mut out, diagnostic).is_err() {
        out = format!("error: {diagnostic}\n");
    }
    out
}

/// Renders every problem of a pack, each with its snippet, then a summary line.
pub fn load_error(err: &LoadError) -> String {
    let mut out = String::new();
    for problem in err.problems() {
        out.push_str(&diagnostic(problem as &dyn Diagnostic));
        out.push('\n');
    }
    let _ = writeln!(out, "error: {err}");
    out
}

/// A problem in a case file, pointed at its line and column in that file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct CaseDiagnostic {
    message: String,
    help: Option<String>,
    code: NamedSource<String>,
    span: SourceSpan,
}

impl Diagnostic for CaseDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("careplan::invalid_case"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.code)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".into()),
            self.span,
        ))))
    }
}

/// The byte range of the JSON token that ends at a 1-based line and column, as
/// serde_json reports them (the column of the token's last byte).
fn token_span(text: &str, line: usize, column: usize) -> SourceSpan {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let end = (line_start + column).min(text.len());
    let before = text.get(line_start..end).unwrap_or("");
    let start = if before.ends_with('"') {
        before.get(..before.len() - 1).and_then(|b| b.rfind('"')).unwrap_or(0)
    } else {
        before
            .rfind(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '[' | '{'))
            .map_or(0, |i| i + 1)
    };
    let start = line_start + start;
    SourceSpan::new(start.into(), end.saturating_sub(start).max(1))
}

/// Renders an invalid case, pointing into the case file where the problem has a place.
pub fn case_error(err: &CaseError, file: &str, text: &str) -> String {
    let mut out = String::new();
    for problem in err.problems() {
        let message = if problem.path().is_empty() {
            format!("invalid case: {}", problem.message())
        } else {
            format!("invalid case at `{}`: {}", problem.path(), problem.message())
        };
        match problem.position() {
            Some((line, column)) => {
                out.push_str(&diagnostic(&CaseDiagnostic {
                    message,
                    help: problem.help().map(str::to_owned),
                    code: NamedSource::new(file, text.to_owned()),
                    span: token_span(text, line, column),
                }));
            }
            None => {
                let _ = writeln!(out, "error: {message}");
                if let Some(help) = problem.help() {
                    let _ = writeln!(out, "  help: {help}");
                }
            }
        }
    }
    out
}

/// Renders an evaluation error for people.
pub fn evaluate_error(err: &EvaluateError, case_file: &str, case_text: &str) -> String {
    match err {
        EvaluateError::InvalidCase(case) => case_error(case, case_file, case_text),
        other => diagnostic(other as &dyn Diagnostic),
    }
}

/// A line diff of expected against actual JSON, `-` for expected and `+` for actual.
pub fn json_diff(expected: &serde_json::Value, actual: &serde_json::Value) -> String {
    let expected = serde_json::to_string_pretty(expected).unwrap_or_default() + "\n";
    let actual = serde_json::to_string_pretty(actual).unwrap_or_default() + "\n";
    let diff = similar::TextDiff::from_lines(&expected, &actual);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        let _ = write!(out, "{sign} {change}");
    }
    out
}

/// An error from the Wasm component or its host, for people: the engine's errors as
/// core renders them (the component returns places, not sources, so no snippets).
pub fn host_error(err: &careplan_host::HostError) -> String {
    match err {
        careplan_host::HostError::Engine(engine) => engine.text.clone(),
        other => format!("error: {other}\n"),
    }
}
