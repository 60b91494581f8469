//! Problems in a pack's sources and the error of a load that found any: the places
//! they point at ([`Location`], the shared source text), [`PackProblem`] and
//! [`LoadError`], and "did you mean" ([`suggest`]). The other subsystems' errors live
//! beside them: [`crate::CaseError`] in `model`, [`crate::DateError`] in `calendar`,
//! [`crate::EvaluateError`] in `eval`.
//!
//! Messages are lowercase with no final period, put user values in backticks and use
//! care words rather than Rust type names. Every error about rule source carries the
//! file, line, column and source text, so miette can underline the place.
//!
//! What a problem shows is safe to print: its message, help, label and file name have
//! their control characters escaped and are cut to [`MAX_PROBLEM_TEXT`] ([`escape`]),
//! and miette reads its snippet from a bounded, blanked window of the source
//! ([`snippet`]). Renderings list at most [`MAX_PROBLEMS_SHOWN_PER_FILE`] problems of a
//! file and [`MAX_PROBLEMS_SHOWN`] in all ([`PackProblem::select_shown`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use miette::{Diagnostic, LabeledSpan, Severity, SourceCode, SourceSpan};

pub(crate) mod escape;
pub(crate) mod snippet;
pub(crate) mod suggest;

use escape::bound_text;
use snippet::SnippetSource;

/// The longest message, help or label a problem carries, in bytes; longer ones are cut
/// with a note saying how much. Fixed, not one of the [`crate::Limits`]: problems are
/// made while a pack loads, before and apart from the limits a host sets (it equals
/// `Limits::default().max_message_size`). [`crate::ErrorReport`] cuts every message it
/// renders to the same size.
pub(crate) const MAX_PROBLEM_TEXT: usize = 4 * 1024;

/// The most problems of one file a rendering for people lists.
pub(crate) const MAX_PROBLEMS_SHOWN_PER_FILE: usize = 50;

/// The most problems a rendering for people lists in all. JSON lists every one.
pub(crate) const MAX_PROBLEMS_SHOWN: usize = 200;

/// `text` as a problem carries it: control characters escaped (line feeds and tabs
/// kept unless `one_line`), cut to [`MAX_PROBLEM_TEXT`]. The same `String` when
/// nothing changes.
pub(crate) fn clean_text(text: String, one_line: bool) -> String {
    let cleaned = match bound_text(&text, MAX_PROBLEM_TEXT, !one_line) {
        std::borrow::Cow::Owned(cleaned) => Some(cleaned),
        std::borrow::Cow::Borrowed(_) => None,
    };
    cleaned.unwrap_or(text)
}

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
/// `name` and `text` are as given; a problem pointing into the file escapes the name
/// and shows the text through a [`SnippetSource`].
#[derive(Debug, Clone)]
pub(crate) struct SharedSource {
    pub(crate) name: String,
    pub(crate) text: Arc<str>,
    /// Each line's byte range and whether it is ASCII, made when a problem first
    /// points into the file: a file with thousands of problems is scanned once, not
    /// once for each.
    lines: Arc<OnceLock<Vec<Line>>>,
}

/// A line of a [`SharedSource`]: its bytes `start..end` (no line feed), and whether
/// every character of it is one byte.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    ascii: bool,
}

impl SharedSource {
    pub(crate) fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        SharedSource {
            name: name.into(),
            text: text.into(),
            lines: Arc::default(),
        }
    }

    fn lines(&self) -> &[Line] {
        self.lines.get_or_init(|| {
            let mut start = 0;
            self.text
                .split('\n')
                .map(|text| {
                    let line = Line {
                        start,
                        end: start + text.len(),
                        ascii: text.is_ascii(),
                    };
                    start = line.end + 1;
                    line
                })
                .collect()
        })
    }

    /// The byte span of the character at `line`:`column` (both from 1), clamped to the
    /// text, and one character long where there is a character to underline.
    pub(crate) fn span_at(&self, line: usize, column: usize) -> SourceSpan {
        let text = &*self.text;
        let Some(&Line { start, end, ascii }) = self.lines().get(line.saturating_sub(1)) else {
            return SourceSpan::new(text.len().into(), 0);
        };
        let line_text = text.get(start..end).unwrap_or("");
        let before = column.saturating_sub(1);
        // In an ASCII line characters are bytes.
        let offset = if ascii {
            before.min(line_text.len())
        } else {
            line_text.char_indices().nth(before).map_or(line_text.len(), |(i, _)| i)
        };
        let width = line_text
            .get(offset..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        SourceSpan::new((start + offset).into(), width)
    }

    /// The 1-based line and column of a byte offset.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let lines = self.lines();
        let line = lines.partition_point(|l| l.start <= offset).max(1);
        let Some(&Line { start, ascii, .. }) = lines.get(line - 1) else {
            return (1, 1);
        };
        let column = if ascii {
            offset - start
        } else {
            self.text.get(start..offset).map_or(0, |s| s.chars().count())
        };
        (line, column + 1)
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
///
/// Its message, help, label and file name are safe to print: control characters are
/// escaped (`\u{1b}`; line feeds and tabs kept in the message and help) and each is
/// cut to 4 KiB with a note saying how much was cut. Its snippet shows a few lines of
/// at most a few hundred bytes around the place, control characters blanked.
#[derive(Debug, Clone)]
pub struct PackProblem {
    code: &'static str,
    message: String,
    help: Option<String>,
    label: Option<String>,
    severity: ProblemSeverity,
    place: Option<Box<Place>>,
}

/// Where a problem is: the place in words and the source miette shows.
#[derive(Debug, Clone)]
struct Place {
    location: Location,
    snippet: SnippetSource,
}

impl Place {
    fn new(source: &SharedSource, line: usize, column: usize, span: SourceSpan) -> Box<Place> {
        Box::new(Place {
            location: Location {
                file: clean_text(source.name.clone(), true),
                line,
                column,
            },
            snippet: SnippetSource::new(&source.name, source.text.clone(), span),
        })
    }
}

impl PackProblem {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        PackProblem {
            code,
            message: clean_text(message.into(), false),
            help: None,
            label: None,
            severity: ProblemSeverity::Error,
            place: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(clean_text(help.into(), false));
        self
    }

    /// The same problem as a warning: the pack still loads.
    pub(crate) fn warning(mut self) -> Self {
        self.severity = ProblemSeverity::Warning;
        self
    }

    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(clean_text(label.into(), false));
        self
    }

    /// Points the problem at `line`:`column` of `source`.
    pub(crate) fn at(mut self, source: &SharedSource, line: usize, column: usize) -> Self {
        let span = source.span_at(line, column);
        self.place = Some(Place::new(source, line.max(1), column.max(1), span));
        self
    }

    /// Points the problem at a byte range of `source`.
    pub(crate) fn at_span(mut self, source: &SharedSource, offset: usize, len: usize) -> Self {
        let (line, column) = source.line_column(offset);
        self.place = Some(Place::new(source, line, column, SourceSpan::new(offset.into(), len)));
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

    /// The message, without place or help: control characters escaped, at most 4 KiB
    /// and a note.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Advice on how to fix it, if any, escaped and bounded as the message is.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Where it is, if it is in a file. The file name has its control characters
    /// escaped.
    pub fn location(&self) -> Option<&Location> {
        self.place.as_deref().map(|place| &place.location)
    }

    /// Error or warning.
    pub fn severity(&self) -> ProblemSeverity {
        self.severity
    }

    /// The problems a rendering for people lists, in their order, and how many it
    /// leaves out: at most 50 of any one file (problems with no file count as one
    /// file) and 200 in all. A broken file can make thousands of problems; a rendering
    /// that leaves some out says how many, and the JSON lists them all.
    pub fn select_shown(problems: &[PackProblem]) -> (Vec<&PackProblem>, usize) {
        let mut per_file: BTreeMap<Option<&str>, usize> = BTreeMap::new();
        let mut shown = Vec::new();
        let mut left_out = 0;
        for problem in problems {
            let in_file = per_file.entry(problem.location().map(|l| l.file.as_str())).or_insert(0);
            if shown.len() < MAX_PROBLEMS_SHOWN && *in_file < MAX_PROBLEMS_SHOWN_PER_FILE {
                *in_file += 1;
                shown.push(problem);
            } else {
                left_out += 1;
            }
        }
        (shown, left_out)
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
        self.place.as_deref().map(|place| &place.snippet as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let place = self.place.as_deref()?;
        let label = LabeledSpan::new_with_span(
            Some(self.label.clone().unwrap_or_else(|| "here".into())),
            place.snippet.span(),
        );
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
            pack: clean_text(pack.into(), true),
            problems,
        }
    }

    /// The pack that failed to load (its id, or its location when the id is unknown),
    /// control characters escaped.
    pub fn pack(&self) -> &str {
        &self.pack
    }

    /// Every problem found, errors and warnings.
    pub fn problems(&self) -> &[PackProblem] {
        &self.problems
    }

    /// The problems a rendering for people lists, and how many it leaves out
    /// ([`PackProblem::select_shown`]).
    pub fn problems_to_show(&self) -> (Vec<&PackProblem>, usize) {
        PackProblem::select_shown(&self.problems)
    }
}

impl Diagnostic for LoadError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("careplan::load"))
    }

    /// The problems, as many as a rendering for people lists ([`LoadError::problems_to_show`]).
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        let (shown, _) = self.problems_to_show();
        Some(Box::new(shown.into_iter().map(|p| p as &dyn Diagnostic)))
    }

    /// How many problems the related ones leave out, if any.
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let (_, left_out) = self.problems_to_show();
        let note = left_out_note(left_out, "the JSON report lists them all");
        (left_out > 0).then(|| Box::new(note) as Box<dyn fmt::Display>)
    }
}

/// `… and N more problems not shown (why)`, for a rendering that leaves problems out.
pub(crate) fn left_out_note(left_out: usize, see_all: &str) -> String {
    let problems = if left_out == 1 { "problem" } else { "problems" };
    format!("… and {left_out} more {problems} not shown ({see_all})")
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVIL_NAME: &str = "rules/\u{1b}]0;owned\u{7}.rhai";

    #[test]
    fn places_from_the_line_index_match_a_scan_of_the_text() {
        // The index must place every character as a scan from the start does.
        for text in ["", "a", "ab\ncd\n", "é\nxé€y\r\n\n€", "let x = 1;\n  é = 2;\nend"] {
            let source = SharedSource::new("f.rhai", text);
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let before = &text[..offset];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
                assert_eq!(source.line_column(offset), (line, column), "{text:?} at {offset}");
                let span = source.span_at(line, column);
                assert_eq!(span.offset(), offset, "{text:?} at {line}:{column}");
            }
            // Past the last line: the end of the text, nothing underlined.
            let past = source.span_at(text.split('\n').count() + 1, 1);
            assert_eq!((past.offset(), past.len()), (text.len(), 0));
        }
    }

    const EVIL_NAME_ESCAPED: &str = "rules/\\u{1b}]0;owned\\u{7}.rhai";

    fn is_raw_control(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t') || escape::is_bidi_control(c)
    }

    #[test]
    fn escapes_control_characters_in_message_help_label_and_file_name() {
        let source = SharedSource::new(EVIL_NAME, "let a = 1;\nlet \u{1b}[2J b = 2;\nlet c = 3;\n");
        let problem = PackProblem::new("careplan::syntax", "bad \u{1b}[2J `x`\r\nsecond line\tend\ru")
            .with_help("try \u{202e}this\u{202c}")
            .with_label("not \u{9b}here")
            .at(&source, 2, 10);
        // Line feeds and tabs stay: messages may have several lines. Carriage returns go.
        assert_eq!(problem.message(), "bad \\u{1b}[2J `x`\\u{d}\nsecond line\tend\\u{d}u");
        assert_eq!(problem.to_string(), problem.message());
        assert_eq!(problem.help_text(), Some("try \\u{202e}this\\u{202c}"));
        let location = problem.location().expect("placed");
        assert_eq!(location.file, EVIL_NAME_ESCAPED);
        assert_eq!(location.to_string(), format!("{EVIL_NAME_ESCAPED}:2:10"));

        let labels: Vec<LabeledSpan> = problem.labels().expect("labelled").collect();
        assert_eq!(labels.len(), 1);
        assert_eq!(labels[0].label(), Some("not \\u{9b}here"));
        // The snippet: the file name escaped, the ESC sequence in the line blanked, and
        // the label still on `b`.
        let code = problem.source_code().expect("a snippet");
        let contents = code.read_span(labels[0].inner(), 1, 1).expect("readable");
        assert_eq!(contents.name(), Some(EVIL_NAME_ESCAPED));
        let data = std::str::from_utf8(contents.data()).expect("UTF-8");
        assert_eq!(data, "let a = 1;\nlet ?[2J b = 2;\nlet c = 3;\n");
        assert!(!data.chars().any(is_raw_control));
        let at = labels[0].offset() - contents.span().offset();
        assert_eq!(data.get(at..at + 1), Some("b"));
        let primary = code.read_span(labels[0].inner(), 0, 0).expect("readable");
        assert_eq!((primary.line() + 1, primary.column() + 1), (2, 10));
    }

    #[test]
    fn the_location_of_a_span_names_the_file_escaped() {
        let source = SharedSource::new("pack\u{1b}[31m/pack.toml", "[pack]\nid = \"x\"\nbad = 1\n");
        let problem = PackProblem::new("careplan::manifest", "unknown key").at_span(&source, 16, 3);
        let location = problem.location().expect("placed");
        assert_eq!(location.file, "pack\\u{1b}[31m/pack.toml");
        assert_eq!((location.line, location.column), (3, 1));
        let file_only = PackProblem::new("careplan::manifest", "x").in_file(&source);
        assert_eq!(
            file_only.location().map(|l| l.file.as_str()),
            Some("pack\\u{1b}[31m/pack.toml")
        );
    }

    #[test]
    fn cuts_huge_messages_and_help_with_a_note() {
        assert_eq!(MAX_PROBLEM_TEXT, crate::Limits::default().max_message_size);
        let huge = "x".repeat(51 << 20);
        let problem = PackProblem::new("careplan::runtime", huge.clone()).with_help(huge);
        let note = format!(" … ({} more bytes not shown)", (51 << 20) - MAX_PROBLEM_TEXT);
        assert!(problem.message().len() <= MAX_PROBLEM_TEXT + note.len());
        assert!(problem.message().ends_with(&note), "{}", &problem.message()[4000..]);
        assert!(problem.help_text().is_some_and(|h| h.ends_with(&note)));
        // Escaping counts towards the bound.
        let escapes = "\u{1b}".repeat(1 << 20);
        let problem = PackProblem::new("careplan::runtime", escapes);
        assert!(problem.message().len() <= MAX_PROBLEM_TEXT + 64);
        assert!(!problem.message().chars().any(is_raw_control));
        assert!(problem.message().starts_with("\\u{1b}\\u{1b}"));
    }

    #[test]
    fn a_problem_at_the_end_of_a_ten_megabyte_line_has_a_small_snippet() {
        let mut text = "x".repeat(10_000_000);
        text.push_str("!\u{1b}[2J");
        let offset = text.find('!').expect("!");
        let source = SharedSource::new("big.rhai", text);
        let problem = PackProblem::new("careplan::syntax", "unexpected `!`").at_span(&source, offset, 1);
        let location = problem.location().expect("placed");
        assert_eq!((location.line, location.column), (1, 10_000_001));
        let label = problem.labels().expect("labelled").next().expect("a label");
        let code = problem.source_code().expect("a snippet");
        let contents = code.read_span(label.inner(), 1, 1).expect("readable");
        let data = std::str::from_utf8(contents.data()).expect("UTF-8");
        assert!(data.len() < 400, "{} bytes", data.len());
        assert!(data.starts_with('…') && data.ends_with("!?[2J"), "{data:?}");
        assert!(!data.chars().any(is_raw_control));
        let at = label.offset() - contents.span().offset();
        assert_eq!(data.get(at..at + 1), Some("!"));
        assert_eq!(contents.line(), 0);
        let primary = code.read_span(label.inner(), 0, 0).expect("readable");
        assert_eq!(primary.column() + 1, 10_000_001);
    }

    fn problems(files: usize, per_file: usize) -> Vec<PackProblem> {
        let mut problems = Vec::new();
        for file in 0..files {
            let source = SharedSource::new(format!("rules/r{file}.rhai"), "let x = ;\n");
            for n in 0..per_file {
                problems.push(PackProblem::new("careplan::syntax", format!("problem {n}")).at(&source, 1, 9));
            }
        }
        problems
    }

    #[test]
    fn renderings_list_at_most_50_problems_of_a_file_and_200_in_all() {
        let many = problems(100, 100);
        assert_eq!(many.len(), 10_000);
        let (shown, left_out) = PackProblem::select_shown(&many);
        assert_eq!(
            (shown.len(), left_out),
            (MAX_PROBLEMS_SHOWN, 10_000 - MAX_PROBLEMS_SHOWN)
        );
        // The first 50 of each file, in order, until 200 are listed.
        assert!(shown.iter().all(|p| {
            let n: usize = p.message().trim_start_matches("problem ").parse().expect("a number");
            n < MAX_PROBLEMS_SHOWN_PER_FILE
        }));
        assert_eq!(
            shown.last().and_then(|p| p.location()).map(|l| l.file.as_str()),
            Some("rules/r3.rhai")
        );

        let one_file = problems(1, 10_000);
        let (shown, left_out) = PackProblem::select_shown(&one_file);
        assert_eq!(
            (shown.len(), left_out),
            (MAX_PROBLEMS_SHOWN_PER_FILE, 10_000 - MAX_PROBLEMS_SHOWN_PER_FILE)
        );

        // Problems with no file count as one file.
        let placeless: Vec<PackProblem> = (0..60)
            .map(|n| PackProblem::new("careplan::limit", format!("{n}")))
            .collect();
        let (shown, left_out) = PackProblem::select_shown(&placeless);
        assert_eq!((shown.len(), left_out), (MAX_PROBLEMS_SHOWN_PER_FILE, 10));

        let few = problems(3, 2);
        let (shown, left_out) = PackProblem::select_shown(&few);
        assert_eq!((shown.len(), left_out), (6, 0));
    }

    #[test]
    fn a_load_error_escapes_its_pack_and_bounds_its_related_problems() {
        let err = LoadError::new("packs/\u{1b}]2;title\u{7}", problems(100, 100));
        assert_eq!(err.pack(), "packs/\\u{1b}]2;title\\u{7}");
        assert_eq!(
            err.to_string(),
            "rule pack `packs/\\u{1b}]2;title\\u{7}` has 10000 errors"
        );
        assert_eq!(err.problems().len(), 10_000);
        assert_eq!(err.related().expect("related").count(), MAX_PROBLEMS_SHOWN);
        let help = err.help().expect("a note").to_string();
        assert_eq!(
            help,
            "… and 9800 more problems not shown (the JSON report lists them all)"
        );
        let few = LoadError::new("p", problems(1, 3));
        assert!(few.help().is_none());
        assert_eq!(few.related().expect("related").count(), 3);
        assert_eq!(left_out_note(1, "see all"), "… and 1 more problem not shown (see all)");
    }
}
