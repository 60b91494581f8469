//! An evaluation as CDS Hooks cards: one per finding worth a clinician's attention.

use std::collections::HashMap;

use careplan_core::{Escalation, EscalationLevel, Evaluation, Owner, Recommendation, ReviewDue, Status};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// What cards need of the pack beyond the evaluation.
pub struct PackFacts {
    /// The pack's id.
    pub id: String,
    /// Its readable name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its digest (`sha256:…`).
    pub digest: String,
    /// Each rule's title, by id.
    pub titles: HashMap<String, String>,
    /// An upcoming review due within this many days of the as-of date gets an `info`
    /// card (`--upcoming-days`); later ones get none.
    pub upcoming_days: i64,
}

/// A card, and what the feedback log needs to know of it.
pub struct Card {
    /// The card JSON.
    pub json: Value,
    /// Its uuid.
    pub uuid: String,
    /// The rule behind it (none for the card of an incomplete evaluation).
    pub rule: Option<String>,
    /// `review`, `escalation`, `recommendation` or `incomplete`.
    pub finding: &'static str,
}

/// `summary` is "one-sentence, <140-character" (CDS Hooks 2.0 §Card Attributes).
const SUMMARY_MAX: usize = 139;

/// The cards for `evaluation`, most pressing first (critical, warning, info; then by
/// summary). Eligibility decisions give none, and nor do reviews due later than
/// [`PackFacts::upcoming_days`] from now.
pub fn cards(evaluation: &Evaluation, pack: &PackFacts) -> Vec<Card> {
    let mut cards: Vec<Card> = Vec::new();
    let person = evaluation.person_id.as_str();
    for review in &evaluation.reviews {
        if let Some(card) = review_card(review, person, evaluation, pack) {
            cards.push(card);
        }
    }
    for escalation in &evaluation.escalations {
        cards.push(escalation_card(escalation, person, evaluation, pack));
    }
    for recommendation in &evaluation.recommendations {
        cards.push(recommendation_card(recommendation, person, evaluation, pack));
    }
    if !evaluation.complete {
        cards.push(incomplete_card(evaluation, pack));
    }
    let rank = |card: &Card| match card.json["indicator"].as_str() {
        Some("critical") => 0,
        Some("warning") => 1,
        _ => 2,
    };
    cards.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| a.json["summary"].as_str().cmp(&b.json["summary"].as_str()))
    });
    cards
}

fn review_card(review: &ReviewDue, person: &str, evaluation: &Evaluation, pack: &PackFacts) -> Option<Card> {
    let (indicator, word) = match review.status {
        Status::Overdue => ("warning", "Overdue"),
        Status::Due => ("info", "Due"),
        Status::Upcoming if evaluation.audit.as_of.days_until(review.due) <= pack.upcoming_days => {
            ("info", "Coming up")
        }
        Status::Upcoming => return None,
    };
    let kind = review.kind.in_words();
    // "post-discharge contact" is a contact, every other kind a review.
    let what = if kind.ends_with("contact") {
        kind
    } else {
        format!("{kind} review")
    };
    let summary = format!("{word}: {what} by {}, due {}", owner_words(review.owner), review.due);
    let mut facts = vec![format!("**Due:** {}", review.due)];
    if let Some(opens) = review.window_opens {
        facts.push(format!("**Window opens:** {opens}"));
    }
    facts.push(format!("**Owner:** {}", owner_words(review.owner)));
    let uuid = card_uuid(
        pack,
        person,
        "review",
        &[
            &review.rule,
            review.kind.as_str(),
            review.owner.as_str(),
            &review.due.to_string(),
        ],
    );
    Some(card(
        uuid,
        "review",
        &review.rule,
        indicator,
        &summary,
        &review.reason,
        &facts,
        &review.cites,
        evaluation,
        pack,
    ))
}

fn escalation_card(escalation: &Escalation, person: &str, evaluation: &Evaluation, pack: &PackFacts) -> Card {
    let pressing = matches!(escalation.status, Status::Due | Status::Overdue);
    let indicator = match escalation.level {
        EscalationLevel::Emergency | EscalationLevel::Urgent => "critical",
        EscalationLevel::High if pressing => "critical",
        EscalationLevel::High => "warning",
        EscalationLevel::Routine if pressing => "warning",
        EscalationLevel::Routine => "info",
    };
    let level = match escalation.level {
        EscalationLevel::Emergency => "Emergency",
        EscalationLevel::Urgent => "Urgent",
        EscalationLevel::High => "High priority",
        EscalationLevel::Routine => "Routine",
    };
    let late = if escalation.status == Status::Overdue {
        " (overdue)"
    } else {
        ""
    };
    let summary = format!(
        "{level}: raise with {} by {}{late}",
        escalation.to_name, escalation.respond_by
    );
    let facts = vec![
        format!("**Raise with:** {}", escape(&escalation.to_name)),
        format!(
            "**Respond by:** {} ({})",
            escalation.respond_by,
            escalation.status.as_str()
        ),
        format!("**Level:** {}", escalation.level.as_str()),
    ];
    let uuid = card_uuid(
        pack,
        person,
        "escalation",
        &[
            &escalation.rule,
            &escalation.to,
            escalation.level.as_str(),
            &escalation.respond_by.to_string(),
        ],
    );
    card(
        uuid,
        "escalation",
        &escalation.rule,
        indicator,
        &summary,
        &escalation.reason,
        &facts,
        &escalation.cites,
        evaluation,
        pack,
    )
}

fn recommendation_card(
    recommendation: &Recommendation,
    person: &str,
    evaluation: &Evaluation,
    pack: &PackFacts,
) -> Card {
    let overdue = recommendation.status == Some(Status::Overdue);
    let indicator = if overdue { "warning" } else { "info" };
    let title = pack
        .titles
        .get(&recommendation.rule)
        .cloned()
        .unwrap_or_else(|| recommendation.code.replace('_', " "));
    let summary = match (recommendation.due, overdue) {
        (Some(due), true) => format!("Overdue: {title}, by {due}"),
        (Some(due), false) => format!("Recommended: {title}, by {due}"),
        (None, _) => format!("Recommended: {title}"),
    };
    let mut facts = Vec::new();
    if let Some(due) = recommendation.due {
        let status = recommendation.status.map_or("", Status::as_str);
        facts.push(format!("**By:** {due} ({status})"));
    }
    if let Some(owner) = recommendation.owner {
        facts.push(format!("**Owner:** {}", owner_words(owner)));
    }
    facts.push(format!("**Recommendation:** `{}`", code_span(&recommendation.code)));
    let due = recommendation.due.map(|d| d.to_string()).unwrap_or_default();
    let uuid = card_uuid(
        pack,
        person,
        "recommendation",
        &[&recommendation.rule, &recommendation.code, &due],
    );
    card(
        uuid,
        "recommendation",
        &recommendation.rule,
        indicator,
        &summary,
        &recommendation.reason,
        &facts,
        &recommendation.cites,
        evaluation,
        pack,
    )
}

fn incomplete_card(evaluation: &Evaluation, pack: &PackFacts) -> Card {
    let mut failed: Vec<&str> = evaluation.failures.iter().map(|f| f.rule.as_str()).collect();
    failed.sort_unstable();
    failed.dedup();
    let n = failed.len();
    let summary = format!(
        "careplan could not run {n} rule{}: reviews or escalations may be missing from these cards",
        if n == 1 { "" } else { "s" }
    );
    let mut detail = String::from(
        "**Why:** a rule failed on this record, so the findings below are not the whole picture: a missing review or escalation here does not mean there is none.\n\n",
    );
    for failure in &evaluation.failures {
        detail.push_str(&format!(
            "- `{}` ({}): {}\n",
            code_span(&failure.rule),
            failure.kind.as_str().replace('_', " "),
            escape(&failure.message)
        ));
    }
    detail.push('\n');
    detail.push_str(&footer(evaluation, pack));
    let uuid = card_uuid(pack, &evaluation.person_id, "incomplete", &failed);
    Card {
        json: json!({
            "uuid": uuid,
            "summary": cut(&summary),
            "indicator": "warning",
            "detail": detail,
            "source": {"label": cut_label(&format!("careplan {} {}", pack.id, pack.version))},
        }),
        uuid,
        rule: None,
        finding: "incomplete",
    }
}

#[expect(clippy::too_many_arguments, reason = "one card's parts, named at each call")]
fn card(
    uuid: String,
    finding: &'static str,
    rule: &str,
    indicator: &str,
    summary: &str,
    reason: &str,
    facts: &[String],
    cites: &str,
    evaluation: &Evaluation,
    pack: &PackFacts,
) -> Card {
    let title = pack.titles.get(rule).map(String::as_str).unwrap_or(rule);
    let mut detail = format!("**Why:** {}\n\n", escape(reason));
    for fact in facts {
        detail.push_str(fact);
        detail.push_str("  \n");
    }
    detail.push_str(&format!(
        "**Rule:** `{}` — {}  \n**Regulation:** {}\n\n",
        code_span(rule),
        escape(title),
        escape(cites)
    ));
    detail.push_str(&footer(evaluation, pack));
    Card {
        json: json!({
            "uuid": uuid,
            "summary": cut(summary),
            "indicator": indicator,
            "detail": detail,
            "source": {
                "label": cut_label(&format!("careplan {} {}: {}", pack.id, pack.version, cites)),
                "topic": {"system": "urn:careplan:rule", "code": rule, "display": title},
            },
            "overrideReasons": [
                {"system": "urn:careplan:override-reason", "code": "already-arranged", "display": "Already arranged"},
                {"system": "urn:careplan:override-reason", "code": "not-applicable", "display": "Does not apply to this person"},
                {"system": "urn:careplan:override-reason", "code": "record-out-of-date", "display": "The record is out of date"},
            ],
        }),
        uuid,
        rule: Some(rule.to_owned()),
        finding,
    }
}

/// The last line of every card's detail: the evaluation it came from.
fn footer(evaluation: &Evaluation, pack: &PackFacts) -> String {
    format!(
        "_As of {}; careplan pack {} {} ({}), digest `{}`_",
        evaluation.audit.as_of,
        escape(&pack.id),
        escape(&pack.version),
        escape(&pack.name),
        code_span(&pack.digest)
    )
}

fn owner_words(owner: Owner) -> &'static str {
    match owner {
        Owner::Council => "the council",
        Owner::GpPractice => "the GP practice",
        Owner::Joint => "the council and the GP practice",
    }
}

/// At most [`SUMMARY_MAX`] characters, cut at a word with `…` when longer.
fn cut(text: &str) -> String {
    cut_at(text, SUMMARY_MAX)
}

/// A source label: short enough to show beside a card.
fn cut_label(text: &str) -> String {
    cut_at(text, 120)
}

fn cut_at(text: &str, max: usize) -> String {
    let text = text.replace(['\n', '\r'], " ");
    if text.chars().count() <= max {
        return text;
    }
    let head: String = text.chars().take(max - 1).collect();
    let head = match head.rfind(' ') {
        Some(space) if space > max / 2 => head.get(..space).unwrap_or(&head).to_owned(),
        _ => head,
    };
    format!("{}…", head.trim_end_matches([' ', ',', ':', ';']))
}

/// Pack or case text made inert in GitHub-flavoured Markdown: one line, and every
/// character that could start markup (or raw HTML) backslash-escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for inside a code span: no backtick can end it early.
fn code_span(text: &str) -> String {
    text.replace(['`', '\n', '\r'], "'")
}

/// A UUID (version 8, RFC 9562 §5.8) from the SHA-256 of the pack's digest, the person,
/// the kind of finding and its key: the same finding keeps its uuid from one request to
/// the next (and from due to overdue), and no two findings share one.
fn card_uuid(pack: &PackFacts, person: &str, finding: &str, key: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in ["careplan-card/1", pack.digest.as_str(), person, finding]
        .iter()
        .chain(key.iter())
    {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> PackFacts {
        PackFacts {
            id: "england".into(),
            name: "England".into(),
            version: "1.0.0".into(),
            digest: "sha256:00".into(),
            titles: HashMap::new(),
            upcoming_days: 14,
        }
    }

    #[test]
    fn a_uuid_is_version_8_and_stable() {
        let a = card_uuid(&pack(), "p1", "review", &["r", "planned"]);
        assert_eq!(a, card_uuid(&pack(), "p1", "review", &["r", "planned"]));
        assert_ne!(a, card_uuid(&pack(), "p2", "review", &["r", "planned"]));
        // Length prefixes: moving text between parts changes the uuid.
        assert_ne!(
            card_uuid(&pack(), "p1", "review", &["ab", "c"]),
            card_uuid(&pack(), "p1", "review", &["a", "bc"])
        );
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'8');
        assert!(matches!(a.as_bytes()[19], b'8' | b'9' | b'a' | b'b'), "{a}");
    }

    #[test]
    fn a_long_summary_is_cut_at_a_word() {
        let long = "word ".repeat(60);
        let cut = cut(&long);
        assert!(cut.chars().count() <= SUMMARY_MAX, "{cut}");
        assert!(cut.ends_with("word…"), "{cut}");
        assert_eq!(super::cut("short"), "short");
    }

    #[test]
    fn markup_in_pack_text_is_escaped() {
        assert_eq!(escape("<b>*x*</b>\n[a](b)"), "\\<b\\>\\*x\\*\\</b\\> \\[a\\](b)");
        assert_eq!(code_span("a`b"), "a'b");
    }
}
