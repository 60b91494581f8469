//! The source text miette is given for a snippet: a small window around the place a
//! problem points at, its control characters blanked, its lines bounded.
//!
//! miette prints the lines of the source around a span as they are. Two things make
//! that unsafe for rule sources and manifests: a control character (an ESC sequence,
//! a lone carriage return, a bidi override) reaches the terminal raw, and a line can be
//! megabytes long, all of it printed for every problem on it.
//!
//! So miette never reads a source itself. [`SnippetSource`] hands it a window: the
//! span's lines, cut to `SIDE` bytes either side of the span with `…` where cut, and
//! up to `CONTEXT_LINES` whole lines before and after when they are short enough.
//! The window reports the true line and column of what it holds, so miette's line
//! numbers and `file:line:column` stay right.
//!
//! Control characters are replaced by `?`, one per byte of the character (one for C0
//! controls and DEL, two for C1 controls, three for bidi controls) rather than escaped
//! as messages are: a same-length replacement keeps every byte offset valid, so the
//! spans miette underlines (byte offsets into the original text) need no remapping.

use std::sync::{Arc, OnceLock};

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::escape::{bound_text, ceil_char_boundary, floor_char_boundary, push_blanked};
use super::MAX_PROBLEM_TEXT;

/// Bytes of the span's line shown either side of the span before it is cut.
const SIDE: usize = 160;
/// Longest span underlined, in bytes; a longer one is underlined from its start.
const MAX_SPAN: usize = 80;
/// Longest context line (before or after the span's lines) shown, in bytes. A longer
/// one is left out, and so are the lines beyond it.
const MAX_CONTEXT_LINE: usize = 400;
/// Whole lines kept before and after the span's lines, for miette's context (it asks
/// for one by default).
const CONTEXT_LINES: usize = 2;
/// Where a line is cut.
const ELLIPSIS: &str = "…";

/// A source file as a problem's snippet shows it: its name (control characters
/// escaped), its text and the span to underline. Implements [`miette::SourceCode`]
/// by handing miette only a bounded window around the span: the span's lines cut to
/// 160 bytes either side of it with `…`, and up to two short lines before and after.
/// Control characters in it are blanked, a `?` for each of their bytes so that every
/// offset stays valid. A snippet is a few lines of a few hundred bytes whatever the
/// file holds, with the true line numbers and column.
#[derive(Debug, Clone)]
pub struct SnippetSource {
    name: String,
    text: Arc<str>,
    span: SourceSpan,
    window: OnceLock<Window>,
}

/// The part of the text miette is shown, built when it is first asked for.
#[derive(Debug, Clone)]
struct Window {
    /// The offset in the original text that byte 0 of `text` stands for. Where the
    /// window starts with `…`, that mark stands for the bytes just before `from`.
    origin: usize,
    /// The shown text: a slice of the original, blanked, with `…` where cut.
    text: String,
    /// The 0-based line of the original text the window's first line is.
    first_line: usize,
}

impl SnippetSource {
    /// A snippet of `text`, named `name`, for `span` (byte offsets into `text`). The
    /// span is clamped to the text and to char boundaries, and to at most 80 bytes;
    /// [`SnippetSource::span`] is the span to label.
    pub fn new(name: &str, text: Arc<str>, span: SourceSpan) -> Self {
        let start = floor_char_boundary(&text, span.offset());
        let end = ceil_char_boundary(&text, start.saturating_add(span.len().min(MAX_SPAN)));
        SnippetSource {
            name: bound_text(name, MAX_PROBLEM_TEXT, false).into_owned(),
            span: SourceSpan::new(start.into(), end - start),
            text,
            window: OnceLock::new(),
        }
    }

    /// The span to underline: the one given, clamped.
    pub fn span(&self) -> SourceSpan {
        self.span
    }

    fn window(&self) -> &Window {
        self.window.get_or_init(|| Window::new(&self.text, self.span))
    }

    /// The 0-based column, in characters, of byte `offset` on its line.
    fn column(&self, offset: usize) -> usize {
        let before = self
            .text
            .get(..floor_char_boundary(&self.text, offset))
            .unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        before.get(line_start..).map_or(0, |line| line.chars().count())
    }
}

/// The offset of the line break (`\n`, or the `\r` of `\r\n`) that ends the line
/// holding byte `from`, or the end of the text; never before `from`.
fn line_end(text: &str, from: usize) -> usize {
    let end = text
        .get(from..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| from + i);
    if end > from && text.as_bytes().get(end - 1) == Some(&b'\r') && end < text.len() {
        end - 1
    } else {
        end
    }
}

/// The offset where the line holding byte `at` starts.
fn line_start(text: &str, at: usize) -> usize {
    text.get(..at)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

impl Window {
    fn new(text: &str, span: SourceSpan) -> Window {
        let start = span.offset().min(text.len());
        let end = (start + span.len()).min(text.len());

        // Where the window starts: the span's line, or a cut of it, then whole short
        // lines before it.
        let first = line_start(text, start);
        let cut_before = start - first > SIDE + ELLIPSIS.len();
        let mut from = if cut_before {
            ceil_char_boundary(text, start - SIDE)
        } else {
            first
        };
        if !cut_before {
            for _ in 0..CONTEXT_LINES {
                let Some(previous_end) = from.checked_sub(1) else { break };
                let previous_start = line_start(text, previous_end);
                if previous_end - previous_start > MAX_CONTEXT_LINE {
                    break;
                }
                from = previous_start;
            }
        }

        // Where it ends: the span's last line, or a cut of it, then whole short lines
        // after it.
        let last = line_end(text, end);
        let cut_after = last - end > SIDE + ELLIPSIS.len();
        let mut to = if cut_after {
            floor_char_boundary(text, end + SIDE)
        } else {
            last
        };
        if !cut_after {
            for _ in 0..CONTEXT_LINES {
                let rest = text.get(to..).unwrap_or_default();
                let next_start = if rest.starts_with("\r\n") {
                    to + 2
                } else if rest.starts_with('\n') {
                    to + 1
                } else {
                    break;
                };
                let next_end = line_end(text, next_start);
                if next_end - next_start > MAX_CONTEXT_LINE {
                    break;
                }
                to = next_end;
            }
        }

        let mut shown = String::with_capacity(to - from + 2 * ELLIPSIS.len());
        // `from - ELLIPSIS.len()` is past the line's start: the cut is only made when
        // more than `SIDE + ELLIPSIS.len()` bytes precede the span on its line.
        let origin = if cut_before {
            shown.push_str(ELLIPSIS);
            from - ELLIPSIS.len()
        } else {
            from
        };
        push_blanked(&mut shown, text.get(from..to).unwrap_or_default());
        if cut_after {
            shown.push_str(ELLIPSIS);
        }
        let first_line = text
            .get(..from)
            .map_or(0, |before| before.bytes().filter(|&b| b == b'\n').count());
        Window {
            origin,
            text: shown,
            first_line,
        }
    }
}

impl SourceCode for SnippetSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let window = self.window();
        let local = span
            .offset()
            .checked_sub(window.origin)
            .ok_or(MietteError::OutOfBounds)?;
        if local.saturating_add(span.len()) > window.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let contents = window.text.read_span(
            &SourceSpan::new(local.into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        let covered = SourceSpan::new((contents.span().offset() + window.origin).into(), contents.span().len());
        // With no lines before, miette shows the column where the data starts as the
        // span's column: say the true one, in characters as `Location` does.
        let column = if context_lines_before == 0 {
            self.column(span.offset())
        } else {
            contents.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            covered,
            window.first_line + contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(name: &str, text: &str, offset: usize, len: usize) -> SnippetSource {
        SnippetSource::new(name, Arc::from(text), SourceSpan::new(offset.into(), len))
    }

    /// What miette reads for the snippet's span with one line of context, as text.
    fn shown(source: &SnippetSource) -> (String, usize, SourceSpan) {
        let contents = source.read_span(&source.span(), 1, 1).expect("the span is readable");
        let data = std::str::from_utf8(contents.data()).expect("UTF-8").to_owned();
        (data, contents.line(), *contents.span())
    }

    /// The byte at `offset` (of the original text) in what miette was shown.
    fn shown_at(source: &SnippetSource, offset: usize) -> Option<char> {
        let (data, _, covered) = shown(source);
        data.get(offset - covered.offset()..).and_then(|s| s.chars().next())
    }

    #[test]
    fn shows_short_sources_whole_lines_with_true_line_numbers() {
        let text = "one\ntwo\nthree x\nfour\nfive\nsix\n";
        let at = text.find('x').expect("x");
        let source = snippet("r.rhai", text, at, 1);
        let (data, line, _) = shown(&source);
        assert_eq!(data, "two\nthree x\nfour\n");
        assert_eq!(line, 1);
        assert_eq!(shown_at(&source, at), Some('x'));
        let primary = source.read_span(&source.span(), 0, 0).expect("readable");
        assert_eq!((primary.line(), primary.column()), (2, 6));
        assert_eq!(primary.name(), Some("r.rhai"));
    }

    #[test]
    fn blanks_control_characters_in_snippet_lines() {
        let text = "let a = 1;\nlet \u{1b}[2J\u{1b}]0;owned\u{7} b = \u{9b}2 \u{202e};\r\nlet c\r = 3;\n";
        let at = text.find('b').expect("b");
        let source = snippet("r.rhai", text, at, 1);
        let (data, line, _) = shown(&source);
        assert!(
            !data
                .chars()
                .any(|c| (c.is_control() && c != '\n' && c != '\r') || c == '\u{202e}'),
            "{data:?}"
        );
        assert!(data.contains("let ?[2J?]0;owned? b = ??2 ???;\r\n"), "{data:?}");
        // A lone carriage return is blanked; one ending a line is a CRLF line end.
        assert!(data.contains("let c? = 3;"), "{data:?}");
        assert_eq!(line, 0);
        assert_eq!(shown_at(&source, at), Some('b'));
    }

    #[test]
    fn escapes_control_characters_in_the_name() {
        let source = snippet("rules/\u{1b}]0;owned\u{7}.rhai", "x", 0, 1);
        let contents = source.read_span(&source.span(), 1, 1).expect("readable");
        assert_eq!(contents.name(), Some("rules/\\u{1b}]0;owned\\u{7}.rhai"));
    }

    #[test]
    fn a_ten_megabyte_line_shows_a_few_hundred_bytes_around_the_span() {
        let mut text = "//! id = \"x\"\n".to_owned();
        text.push_str(&"a".repeat(10_000_000));
        text.push_str("é!é");
        text.push_str(&"b".repeat(10_000_000));
        text.push_str("\nlast line\n");
        // The `!` between the two `é`s (the header has one too).
        let at = text.find("é!é").expect("é!é") + 'é'.len_utf8();
        let source = snippet("big.rhai", &text, at, 1);
        let (data, line, covered) = shown(&source);
        assert!(data.len() < 2 * SIDE + 2 * MAX_CONTEXT_LINE, "{} bytes", data.len());
        assert!(
            data.starts_with('…') && data.contains("é!é") && data.ends_with('…'),
            "{data:?}"
        );
        // No context lines past a cut: the window is one line, line 2 of the file.
        assert!(!data.contains('\n'), "{data:?}");
        assert_eq!(line, 1);
        assert_eq!(shown_at(&source, at), Some('!'));
        assert!(covered.offset() <= at && at < covered.offset() + covered.len());
        let primary = source.read_span(&source.span(), 0, 0).expect("readable");
        assert_eq!((primary.line(), primary.column()), (1, 10_000_001));
    }

    #[test]
    fn cuts_at_char_boundaries() {
        // Multibyte characters either side of the span, at every alignment.
        for pad in 0..4 {
            let mut text = "x".repeat(pad);
            text.push_str(&"é€".repeat(200));
            text.push('!');
            text.push_str(&"€é".repeat(200));
            let at = text.find('!').expect("!");
            let source = snippet("r.rhai", &text, at, 1);
            let (data, _, _) = shown(&source);
            assert!(data.starts_with('…') && data.ends_with('…'));
            assert_eq!(shown_at(&source, at), Some('!'));
        }
    }

    #[test]
    fn an_error_at_the_end_of_a_long_line_keeps_the_lines_after() {
        let text = format!("{}!\nnext\n", "a".repeat(100_000));
        let at = text.find('!').expect("!");
        let source = snippet("r.rhai", &text, at, 1);
        let (data, line, _) = shown(&source);
        assert!(data.starts_with('…') && data.ends_with("!\nnext\n"), "{data:?}");
        assert_eq!(line, 0);
        assert_eq!(shown_at(&source, at), Some('!'));
    }

    #[test]
    fn long_context_lines_are_left_out() {
        let text = format!("{}\nshort x\n{}\n", "a".repeat(5_000), "b".repeat(5_000));
        let at = text.find('x').expect("x");
        let source = snippet("r.rhai", &text, at, 1);
        let (data, line, _) = shown(&source);
        assert_eq!(data, "short x");
        assert_eq!(line, 1);
    }

    #[test]
    fn clamps_long_and_out_of_range_spans() {
        let text = "0123456789".repeat(100);
        let source = snippet("r.rhai", &text, 10, 900);
        assert_eq!(source.span(), SourceSpan::new(10.into(), MAX_SPAN));
        let source = snippet("r.rhai", "abc", 99, 5);
        assert_eq!(source.span(), SourceSpan::new(3.into(), 0));
        assert!(source.read_span(&source.span(), 1, 1).is_ok());
        let source = snippet("r.rhai", "aé", 2, 1);
        assert_eq!(source.span(), SourceSpan::new(1.into(), 2));
        // A span outside the window is refused, not shown wrong.
        let source = snippet("r.rhai", &"x".repeat(10_000), 5_000, 1);
        assert!(source.read_span(&SourceSpan::new(10.into(), 1), 1, 1).is_err());
    }
}
