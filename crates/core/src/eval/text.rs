//! An evaluation as text for the social worker or GP who acts on it: what failed first,
//! in a box; then decisions, escalations, reviews and recommendations, the most
//! pressing first (overdue, then due, then upcoming, each by date); scheme titles,
//! failed conditions and recipients' contacts in words from the manifest.
//!
//! In core, so that `careplan eval --format text` and every host of the component
//! (`evaluate-text`) show the same bytes.

use std::fmt::Write as _;

use crate::model::evaluation::{Decision, Evaluation, Failure, Status};
use crate::pack::RulePack;
use crate::Date;

/// The width of the rules drawn around the failures.
const WIDTH: usize = 78;

impl RulePack {
    /// `evaluation` (made with this pack) as text for people.
    pub fn evaluation_text(&self, evaluation: &Evaluation) -> String {
        let mut out = String::new();
        let audit = &evaluation.audit;
        let as_of = audit.as_of;
        let _ = writeln!(out, "Person {}, as of {as_of}", evaluation.person_id);
        let _ = writeln!(
            out,
            "Rule pack `{}` {} ({})",
            audit.pack.id, audit.pack.version, audit.pack.digest
        );
        if !evaluation.complete {
            self.failures_box(&mut out, &evaluation.failures);
        }

        let _ = writeln!(out);
        let _ = writeln!(out, "Eligibility");
        if evaluation.eligibility.is_empty() {
            let _ = writeln!(out, "  no scheme decided");
        }
        for decision in &evaluation.eligibility {
            let scheme = self.info.schemes.get(&decision.scheme);
            let title = scheme.map_or(decision.scheme.as_str(), |s| s.title.as_str());
            let verdict = match decision.decision {
                Decision::Eligible => "ELIGIBLE",
                Decision::NotEligible => "NOT ELIGIBLE",
                Decision::InsufficientInformation => "NOT ENOUGH INFORMATION TO DECIDE",
            };
            let _ = writeln!(out, "  {title}: {verdict}");
            if let Some(condition) = &decision.failed_condition {
                let words = scheme
                    .and_then(|s| s.conditions.get(condition))
                    .map_or_else(|| condition.replace('_', " "), Clone::clone);
                let _ = writeln!(out, "    condition not met: {words}");
            }
            for reason in &decision.reasons {
                let _ = writeln!(out, "    - {reason}");
            }
            let _ = writeln!(out, "    rule {} ({})", decision.rule, decision.cites);
        }

        let _ = writeln!(out);
        let _ = writeln!(out, "Escalations");
        if evaluation.escalations.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for escalation in most_pressing(&evaluation.escalations, |e| (Some(e.status), Some(e.respond_by))) {
            let _ = writeln!(
                out,
                "  {}{} to {}: respond by {} {}",
                status_word(Some(escalation.status)),
                escalation.level.as_str().to_uppercase(),
                escalation.to_name,
                escalation.respond_by,
                relative(as_of, escalation.respond_by)
            );
            if let Some(contact) = self
                .info
                .recipients
                .get(&escalation.to)
                .and_then(|r| r.contact.as_ref())
            {
                let _ = writeln!(out, "    contact: {contact}");
            }
            let _ = writeln!(out, "    - {}", escalation.reason);
            let _ = writeln!(out, "    rule {} ({})", escalation.rule, escalation.cites);
        }

        let _ = writeln!(out);
        let _ = writeln!(out, "Reviews");
        if evaluation.reviews.is_empty() {
            let _ = writeln!(out, "  none due");
        }
        for review in most_pressing(&evaluation.reviews, |r| (Some(r.status), Some(r.due))) {
            let window = review
                .window_opens
                .map(|opens| format!(", window opens {opens}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}{} review, {}: due {} {}{window}",
                status_word(Some(review.status)),
                crate::ReviewKind::in_words(review.kind),
                review.owner.as_str().replace('_', " "),
                review.due,
                relative(as_of, review.due)
            );
            let _ = writeln!(out, "    - {}", review.reason);
            let _ = writeln!(out, "    rule {} ({})", review.rule, review.cites);
        }

        let _ = writeln!(out);
        let _ = writeln!(out, "Recommendations");
        if evaluation.recommendations.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for recommendation in most_pressing(&evaluation.recommendations, |r| (r.status, r.due)) {
            let mut line = format!("  {}{}", status_word(recommendation.status), recommendation.code);
            if let Some(owner) = recommendation.owner {
                let _ = write!(line, ", {}", owner.as_str().replace('_', " "));
            }
            if let Some(due) = recommendation.due {
                let _ = write!(line, ": by {due} {}", relative(as_of, due));
            }
            let _ = writeln!(out, "{}", line.trim_end());
            let _ = writeln!(out, "    - {}", recommendation.reason);
            let _ = writeln!(out, "    rule {} ({})", recommendation.rule, recommendation.cites);
        }

        if !audit.rules_not_in_force.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "Not in force on {as_of}");
            for rule in &audit.rules_not_in_force {
                let _ = writeln!(out, "  {} ({}): {}", rule.rule, rule.pack, rule.reason(as_of));
            }
        }

        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} of {} rules fired: {}",
            audit.rules_fired.len(),
            audit.rules_evaluated,
            if audit.rules_fired.is_empty() {
                "none".to_owned()
            } else {
                audit.rules_fired.join(", ")
            }
        );
        if !evaluation.failures.is_empty() {
            let _ = writeln!(
                out,
                "INCOMPLETE: {} failed",
                count(evaluation.failures.len(), "rule", "rules")
            );
        }
        out
    }

    /// The failures, each with its place and source line, in a box that says what the
    /// reader must not conclude.
    fn failures_box(&self, out: &mut String, failures: &[Failure]) {
        let head = format!("┌─ INCOMPLETE: {} failed ", count(failures.len(), "rule", "rules"));
        let _ = writeln!(out);
        let _ = writeln!(out, "{head}{}", "─".repeat(WIDTH.saturating_sub(head.chars().count())));
        let _ = writeln!(
            out,
            "│ The findings of the {} below are missing from this evaluation. Do not",
            if failures.len() == 1 { "rule" } else { "rules" }
        );
        let _ = writeln!(
            out,
            "│ read a missing decision, review or escalation as \"none\": check the case"
        );
        let _ = writeln!(out, "│ by hand for what these rules decide, and have the rules fixed.");
        for failure in failures {
            let _ = writeln!(out, "│");
            let _ = writeln!(
                out,
                "│ {} (pack `{}`) at {}",
                failure.rule,
                failure.pack,
                failure.place()
            );
            let _ = writeln!(
                out,
                "│   {} failure: {}",
                failure.kind.as_str().replace('_', " "),
                failure.message
            );
            if let Some(line) = failure
                .line
                .and_then(|line| self.source_line(&failure.file, line).map(|t| (line, t)))
            {
                let _ = writeln!(out, "│     {} | {}", line.0, line.1.trim_end());
            }
            if let Some(help) = &failure.help {
                let _ = writeln!(out, "│   help: {help}");
            }
        }
        let _ = writeln!(out, "└{}", "─".repeat(WIDTH - 1));
    }

    /// Line `line` (from 1) of the pack file named `file`, as the evaluation names it.
    fn source_line(&self, file: &str, line: usize) -> Option<&str> {
        let source = self.rules.iter().flat_map(|rule| rule.versions()).find_map(|rule| {
            if rule.source.name == file {
                Some(&rule.source)
            } else {
                rule.functions.values().find(|s| s.name == file)
            }
        })?;
        source.text.lines().nth(line.checked_sub(1)?)
    }
}

/// `items` ordered overdue, then due, then upcoming, then undated, each by date; items
/// alike keep their rule order.
fn most_pressing<T>(items: &[T], key: impl Fn(&T) -> (Option<Status>, Option<Date>)) -> Vec<&T> {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort_by_key(|item| {
        let (status, date) = key(item);
        (status.is_none(), status, date)
    });
    sorted
}

/// The status in brackets, upper case when it needs action now, then a space; nothing
/// for an undated finding.
fn status_word(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Overdue) => "[OVERDUE] ",
        Some(Status::Due) => "[DUE] ",
        Some(Status::Upcoming) => "[upcoming] ",
        None => "",
    }
}

/// "(today)", "(in 3 days)", "(12 days ago)".
fn relative(as_of: Date, date: Date) -> String {
    match as_of.days_until(date) {
        0 => "(today)".to_owned(),
        1 => "(tomorrow)".to_owned(),
        -1 => "(yesterday)".to_owned(),
        n if n > 0 => format!("(in {n} days)"),
        n => format!("({} days ago)", -n),
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
