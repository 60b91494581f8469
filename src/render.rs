//! Rendering for people: diagnostics with source snippets (miette), evaluations as a
//! readable summary, and fixture diffs.
//!
//! Nothing is printed raw: every message, help, label, name and diff line has its
//! control characters escaped ([`careplan_core::escape_controls`]), snippets come from
//! core's bounded, blanked [`SnippetSource`], and a pack's problems are listed at most
//! 50 a file and 200 in all, with a line saying how many more there are.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::Arc;

use careplan_core::{escape_controls, CaseError, EvaluateError, LoadError, PackProblem, SnippetSource};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

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

/// A diagnostic as miette is given it: its message, code, help, URL and labels with
/// control characters escaped. Its source is its own (careplan's diagnostics give
/// miette a [`SnippetSource`], already blanked and bounded), and so are its related
/// diagnostics. Its cause chain is left out: careplan's errors say their causes in
/// their messages, and a cause's text would reach the terminal unescaped.
struct Escaped<'a>(&'a dyn Diagnostic);

impl std::fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&escape_controls(&self.0.to_string()))
    }
}

impl std::error::Error for Escaped<'_> {}

/// `text` escaped, as something miette can display.
fn escaped_display<'a>(text: &dyn std::fmt::Display) -> Box<dyn std::fmt::Display + 'a> {
    Box::new(escape_controls(&text.to_string()).into_owned())
}

impl Diagnostic for Escaped<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.code().map(|code| escaped_display(&code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.help().map(|help| escaped_display(&help))
    }

    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.0.url().map(|url| escaped_display(&url))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.0.labels()?.map(|label| {
            let text = label.label().map(|text| escape_controls(text).into_owned());
            if label.primary() {
                LabeledSpan::new_primary_with_span(text, *label.inner())
            } else {
                LabeledSpan::new_with_span(text, *label.inner())
            }
        });
        Some(Box::new(labels))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.0.related()
    }
}

/// Renders one diagnostic as miette does, with its snippet.
pub fn diagnostic(diagnostic: &dyn Diagnostic) -> String {
    render(&handler(), diagnostic)
}

fn render(handler: &GraphicalReportHandler, diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    if handler.render_report(&mut out, &Escaped(diagnostic)).is_err() {
        out = format!("error: {}\n", escape_controls(&diagnostic.to_string()));
    }
    out
}

/// Renders a pack's problems, each with its snippet and a blank line after it: at most
/// 50 of a file and 200 in all ([`PackProblem::select_shown`]), then a line saying how
/// many more there are.
pub fn problems(problems: &[PackProblem]) -> String {
    problems_with(&handler(), problems)
}

/// Renders a pack's warnings, capped as [`problems`] are.
pub fn warnings(warnings: &[PackProblem]) -> String {
    listed(&handler(), warnings, ("warning", "warnings"))
}

fn problems_with(handler: &GraphicalReportHandler, problems: &[PackProblem]) -> String {
    listed(handler, problems, ("problem", "problems"))
}

fn listed(handler: &GraphicalReportHandler, problems: &[PackProblem], nouns: (&str, &str)) -> String {
    let (shown, left_out) = PackProblem::select_shown(problems);
    let mut out = String::new();
    for problem in shown {
        out.push_str(&render(handler, problem as &dyn Diagnostic));
        out.push('\n');
    }
    if left_out > 0 {
        let noun = if left_out == 1 { nouns.0 } else { nouns.1 };
        let _ = writeln!(
            out,
            "… and {left_out} more {noun} not shown (run with --error-format json to see them all)"
        );
    }
    out
}

/// Renders the problems of a pack ([`problems`]), then a summary line.
pub fn load_error(err: &LoadError) -> String {
    load_error_with(&handler(), err)
}

fn load_error_with(handler: &GraphicalReportHandler, err: &LoadError) -> String {
    let mut out = problems_with(handler, err.problems());
    let _ = writeln!(out, "error: {}", escape_controls(&err.to_string()));
    out
}

/// A problem in a case file, pointed at its line and column in that file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct CaseDiagnostic {
    message: String,
    help: Option<String>,
    code: SnippetSource,
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
            self.code.span(),
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
    case_error_with(&handler(), err, file, text)
}

fn case_error_with(handler: &GraphicalReportHandler, err: &CaseError, file: &str, text: &str) -> String {
    let source: Arc<str> = Arc::from(text);
    let mut out = String::new();
    for problem in err.problems() {
        let message = if problem.path().is_empty() {
            format!("invalid case: {}", escape_controls(problem.message()))
        } else {
            format!(
                "invalid case at `{}`: {}",
                escape_controls(problem.path()),
                escape_controls(problem.message())
            )
        };
        let help = problem.help().map(|help| escape_controls(help).into_owned());
        match problem.position() {
            Some((line, column)) => {
                out.push_str(&render(
                    handler,
                    &CaseDiagnostic {
                        message,
                        help,
                        code: SnippetSource::new(file, source.clone(), token_span(text, line, column)),
                    },
                ));
            }
            None => {
                let _ = writeln!(out, "error: {message}");
                if let Some(help) = help {
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
/// JSON escapes C0 controls itself; DEL, C1 and bidi controls in strings are escaped.
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
        let _ = write!(out, "{sign} {}", escape_controls(&change.to_string()));
    }
    out
}

/// An error from the Wasm component or its host, for people: the engine's errors as
/// core renders them (the component returns places, not sources, so no snippets).
pub fn host_error(err: &careplan_host::HostError) -> String {
    match err {
        // Core escapes and bounds what it renders; escaping again changes nothing then,
        // and keeps a component built from other sources from reaching the terminal.
        careplan_host::HostError::Engine(engine) => escape_controls(&engine.text).into_owned(),
        other => format!("error: {}\n", escape_controls(&other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use careplan_core::{Case, Limits, PackSource, RulePack};

    use super::*;

    /// The handler without colour, so that the only ESC in a rendering would be one
    /// that got through.
    fn plain() -> GraphicalReportHandler {
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100)
    }

    fn load(location: &str, manifest: String, limits: &Limits) -> LoadError {
        let pack = PackSource {
            location: location.into(),
            manifest,
            files: Vec::new(),
        };
        match RulePack::load(&pack, &[], limits) {
            Ok(_) => panic!("the pack should not load"),
            Err(err) => err,
        }
    }

    fn assert_no_raw_controls(text: &str) {
        let raw = text
            .chars()
            .find(|&c| (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'));
        assert_eq!(raw, None, "a raw control character in:\n{text}");
    }

    #[test]
    fn escapes_control_characters_in_file_names_messages_and_snippet_lines() {
        // TOML refuses raw C0 controls, so the key has its ESC and BEL as TOML escapes;
        // its value holds a raw C1 control (CSI) and a bidi override, which TOML allows.
        let manifest = "[pack]\nid = \"evil\"\nname = \"x\"\nauthority = \"y\"\nversion = \"1.0.0\"\n\
                        \"\\u001b[2J\\u001b]0;owned\\u0007\" = \"\u{9b}\u{202e}\"\n"
            .to_owned();
        let err = load("packs/\u{1b}]2;title\u{7}", manifest, &Limits::default());
        let out = load_error_with(&plain(), &err);
        assert_no_raw_controls(&out);
        // The file name, in the place and the snippet's header.
        assert!(out.contains("packs/\\u{1b}]2;title\\u{7}/pack.toml:6:1"), "{out}");
        // The unknown key, in the message.
        assert!(out.contains("`\\u{1b}[2J\\u{1b}]0;owned\\u{7}`"), "{out}");
        // The snippet line, its C1 and bidi controls blanked, one `?` a byte.
        assert!(
            out.contains("\"\\u001b[2J\\u001b]0;owned\\u0007\" = \"?????\""),
            "{out}"
        );
        assert!(out.ends_with(&format!("error: {err}\n")), "{out}");
    }

    #[test]
    fn escapes_help_labels_and_messages_of_any_diagnostic() {
        #[derive(Debug, thiserror::Error)]
        #[error("bad \u{1b}[2J value\rover")]
        struct Hostile;
        impl Diagnostic for Hostile {
            fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
                Some(Box::new("try \u{202e}this\u{7}"))
            }
        }
        let out = render(&plain(), &Hostile);
        assert_no_raw_controls(&out);
        assert!(out.contains("bad \\u{1b}[2J value\\u{d}over"), "{out}");
        assert!(out.contains("try \\u{202e}this\\u{7}"), "{out}");
    }

    #[test]
    fn a_ten_megabyte_line_with_an_error_at_its_end_renders_in_under_2_kb() {
        let manifest = format!(
            "[pack]\nid = \"big\"\nname = \"{}\" oops\n",
            "a".repeat(10 * 1024 * 1024)
        );
        let limits = Limits {
            max_manifest_size: 32 << 20,
            ..Limits::default()
        };
        let err = load("big", manifest, &limits);
        let out = load_error_with(&plain(), &err);
        assert!(out.len() < 2048, "{} bytes:\n{out}", out.len());
        assert!(out.contains("big/pack.toml:3:"), "{out}");
        assert!(out.contains('…'), "{out}");
        assert_no_raw_controls(&out);
    }

    #[test]
    fn ten_thousand_problems_render_at_most_fifty_of_a_file_and_a_note() {
        let mut manifest = "[pack]\nid = \"many\"\nname = \"x\"\nauthority = \"y\"\nversion = \"1.0.0\"\n".to_owned();
        for n in 0..10_000 {
            let _ = writeln!(manifest, "unknown_{n} = 1");
        }
        let limits = Limits {
            max_manifest_size: 1 << 20,
            ..Limits::default()
        };
        let err = load("many", manifest, &limits);
        assert!(err.problems().len() > 10_000 - 50, "{} problems", err.problems().len());
        let (shown, left_out) = PackProblem::select_shown(err.problems());
        let in_manifest = shown
            .iter()
            .filter(|p| p.location().is_some_and(|l| l.file == "many/pack.toml"))
            .count();
        assert_eq!(in_manifest, 50);
        assert!(shown.len() <= 200);
        let out = load_error_with(&plain(), &err);
        // Each rendered problem starts with its code.
        assert_eq!(out.matches("careplan::").count(), shown.len(), "{out}");
        let note = format!("… and {left_out} more problems not shown (run with --error-format json to see them all)\n");
        assert!(out.contains(&note), "{out}");
        assert!(out.ends_with(&format!("error: {err}\n")), "{out}");
        assert!(out.len() < 200 * 1024, "{} bytes", out.len());
    }

    #[test]
    fn a_case_snippet_blanks_control_characters() {
        let text = "{\"person\": \u{1b}[2J}";
        let err = match Case::from_json(text) {
            Ok(_) => panic!("the case should be invalid"),
            Err(err) => err,
        };
        let out = case_error_with(&plain(), &err, "case\u{1b}]0;x\u{7}.json", text);
        assert_no_raw_controls(&out);
        assert!(out.contains("case\\u{1b}]0;x\\u{7}.json"), "{out}");
        assert!(out.contains("{\"person\": ?[2J}"), "{out}");
    }

    #[test]
    fn a_diff_escapes_controls_json_leaves_raw() {
        let expected = serde_json::json!({"reason": "a\u{9b}b\u{202e}c"});
        let actual = serde_json::json!({"reason": "a\u{7f}"});
        let out = json_diff(&expected, &actual);
        assert_no_raw_controls(&out);
        assert!(out.contains("\\u{9b}b\\u{202e}c") && out.contains("\\u{7f}"), "{out}");
    }
}
