//! Text that reaches a terminal: control characters escaped, lengths bounded.
//!
//! A rule id, a file name or a value echoed in a message can hold ESC sequences that
//! clear the screen or retitle the window, a lone carriage return that overwrites the
//! start of a line, or the Unicode bidi controls that make text read differently from
//! how it runs (Trojan Source). Every message, help, label and name careplan shows is
//! written with those characters as Rust escapes (`\u{1b}`), and messages are cut to
//! a fixed size with a note saying how much was cut.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is one of the Unicode bidi embedding, override and isolate controls
/// (U+202A..U+202E, U+2066..U+2069) that Trojan Source attacks use.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` is written as an escape: every control character (`char::is_control`:
/// C0, DEL and C1) and every bidi control, except line feed and tab when `keep_layout`.
fn escapes(c: char, keep_layout: bool) -> bool {
    if keep_layout && matches!(c, '\n' | '\t') {
        return false;
    }
    c.is_control() || is_bidi_control(c)
}

fn escape(text: &str, keep_layout: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| escapes(c, keep_layout)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escapes(c, keep_layout) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with every control character but line feed and tab, and every Unicode bidi
/// control (U+202A..U+202E, U+2066..U+2069), written as its Rust escape (`\u{1b}`,
/// `\u{d}`, `\u{202e}`), so that it cannot move the cursor, clear the screen, retitle
/// the window or reorder what is shown. Borrowed when nothing needs escaping.
///
/// Line feeds and tabs are kept: messages may have several lines. A carriage return
/// is always escaped, alone or before a line feed.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// As [`escape_controls`], but line feeds and tabs are escaped too: for a name (a file,
/// a pack) that is shown on one line.
pub(crate) fn escape_line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// The largest char boundary of `text` at or under `at`.
pub(crate) fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `text` at or over `at` (the end of `text` at most).
pub(crate) fn ceil_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The note put after text that was cut.
fn cut_note(out: &mut String, not_shown: usize) {
    let _ = write!(out, " … ({not_shown} more bytes not shown)");
}

/// `text` cut at the char boundary at or under `max_bytes`, followed by
/// ` … (N more bytes not shown)`; borrowed when it is not longer than `max_bytes`.
pub(crate) fn truncate_message(text: &str, max_bytes: usize) -> Cow<'_, str> {
    if text.len() <= max_bytes {
        return Cow::Borrowed(text);
    }
    let end = floor_char_boundary(text, max_bytes);
    let mut out = String::with_capacity(end + 40);
    out.push_str(text.get(..end).unwrap_or_default());
    cut_note(&mut out, text.len() - end);
    Cow::Owned(out)
}

/// `text` escaped as [`escape_controls`] does (as [`escape_line`] does unless
/// `keep_layout`) and cut so that the escaped text is at most `max_bytes` before the
/// note, in one pass that reads no more of `text` than it shows: a 50 MiB message
/// costs what a short one does. The note counts the bytes of `text` not shown.
/// Borrowed when nothing changes.
pub(crate) fn bound_text(text: &str, max_bytes: usize, keep_layout: bool) -> Cow<'_, str> {
    // An escape is at most six bytes a byte (`\u{1b}` for ESC): short text fits whole.
    if text.len().saturating_mul(6) <= max_bytes {
        return if keep_layout {
            escape_controls(text)
        } else {
            escape_line(text)
        };
    }
    let head = text.get(..floor_char_boundary(text, max_bytes)).unwrap_or_default();
    if !head.chars().any(|c| escapes(c, keep_layout)) {
        // Nothing to escape in what is shown: a plain cut, if any.
        return truncate_message(text, max_bytes);
    }
    let mut out = String::with_capacity(max_bytes.min(text.len() * 2) + 40);
    for (at, c) in text.char_indices() {
        let escaped = escapes(c, keep_layout);
        let width = if escaped {
            c.escape_unicode().len()
        } else {
            c.len_utf8()
        };
        if out.len() + width > max_bytes {
            cut_note(&mut out, text.len() - at);
            return Cow::Owned(out);
        }
        if escaped {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` as every report shows the words of a problem: control characters escaped
/// (line feeds and tabs kept) and cut to 4 KiB with a note. Public for the crates that
/// render their own problems as core does (careplan-fhir).
pub fn clean_problem_text(text: &str) -> Cow<'_, str> {
    bound_text(text, super::MAX_PROBLEM_TEXT, true)
}

/// Appends `text` to `out` with every character [`escape_controls`] would escape
/// replaced by as many `?` as it has bytes in UTF-8 (one for C0 controls and DEL, two
/// for C1 controls, three for bidi controls), so that every byte offset into `text`
/// stays an offset of the same place in what is appended. A carriage return that ends
/// a line (before a line feed) is kept, as a CRLF line ending.
pub(crate) fn push_blanked(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let kept_cr = c == '\r' && chars.peek() == Some(&'\n');
        if escapes(c, true) && !kept_cr {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[test]
    fn escapes_terminal_controls_and_keeps_line_feeds_and_tabs() {
        assert_eq!(
            escape_controls("a\u{1b}]0;owned\u{7}b\u{1b}[2J"),
            "a\\u{1b}]0;owned\\u{7}b\\u{1b}[2J"
        );
        assert_eq!(escape_controls("one\r\ntwo\rthree"), "one\\u{d}\ntwo\\u{d}three");
        assert_eq!(escape_controls("a\tb\nc"), "a\tb\nc");
        assert_eq!(
            escape_controls("nul\u{0} del\u{7f} csi\u{9b}"),
            "nul\\u{0} del\\u{7f} csi\\u{9b}"
        );
        assert_eq!(escape_line("a\tb\nc"), "a\\u{9}b\\u{a}c");
    }

    #[test]
    fn escapes_bidi_controls() {
        assert_eq!(
            escape_controls("x\u{202e}yz\u{202c} \u{2066}w\u{2069}"),
            "x\\u{202e}yz\\u{202c} \\u{2066}w\\u{2069}"
        );
        // Other non-ASCII text is untouched.
        assert_eq!(escape_controls("café ✓ \u{200d}"), "café ✓ \u{200d}");
    }

    #[test]
    fn borrows_when_nothing_changes() {
        assert!(matches!(escape_controls("plain text\n"), Cow::Borrowed(_)));
        assert!(matches!(escape_line("plain"), Cow::Borrowed(_)));
        assert!(matches!(truncate_message("short", 5), Cow::Borrowed(_)));
        assert!(matches!(bound_text("short", 5, true), Cow::Borrowed(_)));
        assert!(matches!(escape_controls("\u{1b}"), Cow::Owned(_)));
    }

    #[test]
    fn truncates_at_a_char_boundary_with_a_note() {
        assert_eq!(truncate_message("abcdef", 4), "abcd … (2 more bytes not shown)");
        // `é` is two bytes: a cut inside it goes back to before it.
        assert_eq!(truncate_message("aéb", 2), "a … (3 more bytes not shown)");
        assert_eq!(truncate_message("aéb", 3), "aé … (1 more bytes not shown)");
        assert_eq!(truncate_message("€", 0), " … (3 more bytes not shown)");
        assert_eq!(truncate_message("abc", 3), "abc");
    }

    #[test]
    fn bounds_escaped_text() {
        // Escapes count towards the bound and are never split.
        assert_eq!(bound_text("ab\u{1b}cd", 5, true), "ab … (3 more bytes not shown)");
        assert_eq!(
            bound_text("ab\u{1b}cd", 8, true),
            "ab\\u{1b} … (2 more bytes not shown)"
        );
        assert_eq!(bound_text("ab\u{1b}cd", 64, true), "ab\\u{1b}cd");
        assert_eq!(bound_text("a\nb", 64, false), "a\\u{a}b");
        // A long message: only its head is read and shown.
        let long = "\u{7}".repeat(1 << 20);
        let bounded = bound_text(&long, 4096, true);
        assert!(bounded.len() < 4096 + 64, "{} bytes", bounded.len());
        assert!(!bounded.contains('\u{7}'));
        assert!(bounded.ends_with(&format!(" … ({} more bytes not shown)", (1 << 20) - 4096 / 5)));
    }

    #[test]
    fn blanking_keeps_every_offset() {
        let text = "a\u{1b}[2Jb\u{9b}c\u{202e}d\re\r\nf\tg";
        let mut out = String::new();
        push_blanked(&mut out, text);
        assert_eq!(out, "a?[2Jb??c???d?e\r\nf\tg");
        assert_eq!(out.len(), text.len());
        for (at, c) in text.char_indices() {
            if c.is_alphabetic() {
                assert_eq!(out.get(at..).and_then(|s| s.chars().next()), Some(c));
            }
        }
    }

    #[test]
    fn char_boundaries() {
        let text = "aé€";
        assert_eq!(floor_char_boundary(text, 2), 1);
        assert_eq!(ceil_char_boundary(text, 2), 3);
        assert_eq!(floor_char_boundary(text, 5), 3);
        assert_eq!(ceil_char_boundary(text, 4), 6);
        assert_eq!(floor_char_boundary(text, 99), 6);
        assert_eq!(ceil_char_boundary(text, 99), 6);
    }
}
