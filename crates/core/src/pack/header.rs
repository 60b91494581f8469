//! A rule file's header: the `//!` lines at the top that say what the rule is.
//!
//! ```text
//! //! id    = "england.reviews.annual"
//! //! title = "Review the plan at least every 12 months"
//! //! kind  = "review"
//! //! cites = "Care Act 2014 s.27; Care and support statutory guidance ch. 13"
//! //! effective_from = "2015-04-01"
//! ```
//!
//! The header is TOML with each line prefixed by `//!`, so to Rhai it is a comment and
//! to an author it reads like the rest of the pack's configuration.

#[cfg(test)]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostics::{PackProblem, SharedSource};
use crate::model::manifest::{effective_dates, valid_id};
use crate::Date;

/// What a rule decides. A rule may only return findings of its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Decides eligibility for schemes.
    Eligibility,
    /// Schedules reviews and follow-up contacts.
    Review,
    /// Escalates matters to someone.
    Escalation,
    /// Recommends actions.
    Recommendation,
}

impl RuleKind {
    /// The kind as written in headers and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Eligibility => "eligibility",
            RuleKind::Review => "review",
            RuleKind::Escalation => "escalation",
            RuleKind::Recommendation => "recommendation",
        }
    }
}

/// What a pack says about one of its rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Stable id, e.g. `england.eligibility.adult`.
    pub id: String,
    /// A one-line title.
    pub title: String,
    /// What the rule decides.
    pub kind: RuleKind,
    /// The law or policy it implements.
    pub cites: String,
    /// First day the rule runs, if limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<Date>,
    /// Last day the rule runs, if limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<Date>,
    /// The pack that defines the rule.
    pub pack: String,
    /// The file it is in, as the pack location joined with the path in the pack.
    pub file: String,
    /// When the rule replaces a parent pack's rule of the same id: that pack's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<String>,
}

impl RuleInfo {
    /// Whether the rule runs on `date`.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.effective_from.is_none_or(|from| from <= date) && self.effective_to.is_none_or(|to| date <= to)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderToml {
    id: Spanned<String>,
    title: String,
    kind: RuleKind,
    cites: String,
    #[serde(default)]
    effective_from: Option<Spanned<toml::Value>>,
    #[serde(default)]
    effective_to: Option<Spanned<toml::Value>>,
    #[serde(default, rename = "override")]
    overrides: bool,
}

/// The longest rule id, in bytes.
const MAX_ID: usize = 200;
/// The longest title or citation, in bytes.
const MAX_HEADER_TEXT: usize = 2_000;

/// A parsed header, with where the id is for later problems.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub info: RuleInfo,
    pub overrides: bool,
    /// Byte span of the id's value in the file.
    pub id_span: (usize, usize),
}

/// One `//!` line: where its TOML text starts in the header and in the file.
struct HeaderLine {
    header_offset: usize,
    file_offset: usize,
}

/// Extracts and reads the header of a rule file.
pub(crate) fn parse_header(source: &SharedSource, pack: &str) -> Result<Header, Vec<PackProblem>> {
    let text = &*source.text;
    let mut header = String::new();
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let Some(rest) = line.strip_prefix("//!") else { break };
        let prefix = if rest.starts_with(' ') { 4 } else { 3 };
        lines.push(HeaderLine {
            header_offset: header.len(),
            file_offset: offset + prefix,
        });
        header.push_str(line.get(prefix..).unwrap_or(""));
        if !header.ends_with('\n') {
            header.push('\n');
        }
        offset += line.len();
    }
    let to_file = |header_offset: usize| -> usize {
        lines
            .iter()
            .rev()
            .find(|l| l.header_offset <= header_offset)
            .map_or(0, |l| l.file_offset + (header_offset - l.header_offset))
    };
    if lines.is_empty() {
        return Err(vec![PackProblem::new("careplan::header", "rule file has no header")
            .in_file(source)
            .with_help(
                "start the file with `//!` lines giving the rule's `id`, `title`, `kind` and `cites`, e.g.\n\
                 //! id    = \"england.reviews.annual\"\n\
                 //! title = \"Review the plan at least every 12 months\"\n\
                 //! kind  = \"review\"\n\
                 //! cites = \"Care Act 2014 s.27\"",
            )]);
    }
    let parsed: HeaderToml = toml::from_str(&header).map_err(|err| {
        let (start, len) = err.span().map_or((0, 0), |r| (r.start, r.end - r.start));
        let mut problem = PackProblem::new("careplan::header", format!("invalid rule header: {}", err.message()))
            .at_span(source, to_file(start), len);
        if err.message().starts_with("missing field") {
            problem = problem.with_help("every rule header needs `id`, `title`, `kind` and `cites`");
        }
        vec![problem]
    })?;
    let mut problems = Vec::new();
    let id_range = parsed.id.span();
    let id_span = (to_file(id_range.start), id_range.end - id_range.start);
    let id = parsed.id.into_inner();
    if !valid_id(&id, true) {
        problems.push(
            PackProblem::new("careplan::header", format!("`{id}` is not a valid rule id"))
                .at_span(source, id_span.0, id_span.1)
                .with_help("use lowercase letters, digits, dots and hyphens, e.g. `england.reviews.annual`"),
        );
    }
    for (field, value, max) in [
        ("id", id.as_str(), MAX_ID),
        ("title", parsed.title.as_str(), MAX_HEADER_TEXT),
        ("cites", parsed.cites.as_str(), MAX_HEADER_TEXT),
    ] {
        if value.len() > max {
            problems.push(
                PackProblem::new(
                    "careplan::limit",
                    format!(
                        "the rule's `{field}` is {} bytes, more than the {max} a header value may have",
                        value.len()
                    ),
                )
                .in_file(source)
                .with_help("every finding carries the rule's id and citation; keep them short"),
            );
        }
    }
    if parsed.cites.trim().is_empty() {
        problems.push(
            PackProblem::new("careplan::header", format!("rule `{id}` cites nothing"))
                .in_file(source)
                .with_help("name the law, regulation, guidance or local policy the rule implements"),
        );
    }
    let (effective_from, effective_to) = effective_dates(
        (parsed.effective_from, parsed.effective_to),
        "careplan::header",
        &format!("rule `{id}`"),
        source,
        to_file,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Header {
        info: RuleInfo {
            id,
            title: parsed.title,
            kind: parsed.kind,
            cites: parsed.cites,
            effective_from,
            effective_to,
            pack: pack.to_owned(),
            file: source.name.clone(),
            overrides: None,
        },
        overrides: parsed.overrides,
        id_span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text: &str) -> Result<Header, Vec<String>> {
        parse_header(&SharedSource::new("r.rhai", text), "england").map_err(|problems| {
            problems
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}",
                        p.location().map(|l| l.to_string()).unwrap_or_default(),
                        p.message()
                    )
                })
                .collect()
        })
    }

    #[test]
    fn reads_a_full_header() {
        let h = header(
            "//! id = \"england.reviews.annual\"\n//! title = \"Annual\"\n//! kind = \"review\"\n//! cites = \"s.27\"\n//! effective_from = 2015-04-01\n//!override = true\nreturn;\n",
        )
        .expect("valid header");
        assert_eq!(h.info.id, "england.reviews.annual");
        assert_eq!(h.info.kind, RuleKind::Review);
        assert_eq!(h.info.effective_from, Date::new(2015, 4, 1));
        assert!(h.overrides);
        assert_eq!(h.id_span, (9, 24)); // the quoted value
    }

    #[test]
    fn points_header_errors_at_the_file_position() {
        assert_eq!(
            header("//! id = \"a.b\"\n//! title = \"t\"\n//! kind = \"reveiw\"\n//! cites = \"x\"\n").map(|_| ()),
            Err(vec![
                "r.rhai:3:12: invalid rule header: unknown variant `reveiw`, expected one of `eligibility`, `review`, `escalation`, `recommendation`".to_owned()
            ])
        );
        assert_eq!(
            header("//! id = \"A b\"\n//! title = \"t\"\n//! kind = \"review\"\n//! cites = \" \"\n").map(|_| ()),
            Err(vec![
                "r.rhai:1:10: `A b` is not a valid rule id".to_owned(),
                "r.rhai:1:1: rule `A b` cites nothing".to_owned(),
            ])
        );
        assert_eq!(
            header("let x = 1;\n").map(|_| ()),
            Err(vec!["r.rhai:1:1: rule file has no header".to_owned()])
        );
    }
}
