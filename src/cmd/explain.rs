//! `careplan explain`: one case's evaluation, rule by rule, in plain English.

use std::fmt::Write as _;
use std::path::Path;

use careplan_core::{EvaluateError, Explanation, Limits, RuleOutcome};

use super::{open_error, tool_error, Exit};
use crate::render::{self, ErrorFormat};

/// How `explain` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A document for the people who act on it.
    Markdown,
    /// The same, as JSON for other tools.
    Json,
}

pub(super) fn run(pack: &Path, case: &Path, as_of: Option<&str>, output: Format, format: ErrorFormat) -> Exit {
    let as_of = match super::eval::as_of_text(as_of) {
        Ok(text) => text,
        Err(message) => return tool_error(&message, format),
    };
    let (case_name, case_text) = match super::eval::read_case(case) {
        Ok(read) => read,
        Err(message) => return tool_error(&message, format),
    };
    let pack = match crate::packs::open_pack(pack, &Limits::default()) {
        Ok(pack) => pack,
        Err(err) => return open_error(&err, format),
    };
    let explained = as_of.parse().map_err(EvaluateError::InvalidAsOf).and_then(|as_of| {
        let case = pack.parse_case(&case_text)?;
        pack.explain(&case, as_of)
    });
    match explained {
        Ok(explanation) => {
            match output {
                Format::Markdown => print!("{}", markdown(&explanation)),
                Format::Json => match serde_json::to_string_pretty(&explanation) {
                    Ok(json) => println!("{json}"),
                    Err(err) => return tool_error(&format_args!("cannot write the explanation: {err}"), format),
                },
            }
            if explanation.evaluation.complete {
                Exit::Ok
            } else {
                Exit::Failed
            }
        }
        Err(err) => {
            match format {
                ErrorFormat::Json => eprintln!("{}", careplan_core::evaluate_error_to_json(&err)),
                ErrorFormat::Human => eprint!("{}", render::evaluate_error(&err, &case_name, &case_text)),
            }
            Exit::Failed
        }
    }
}

/// The explanation as Markdown: what was decided first, then every rule in run order.
pub fn markdown(explanation: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# What `{}` {} decided, as of {}\n",
        explanation.pack, explanation.version, explanation.as_of
    );
    let failures = &explanation.evaluation.failures;
    if !failures.is_empty() {
        let _ = writeln!(
            out,
            "> **Incomplete.** {} failed, so {} findings are missing: do not read a missing decision, review or escalation as \"none\".\n>",
            if failures.len() == 1 { "1 rule".to_owned() } else { format!("{} rules", failures.len()) },
            if failures.len() == 1 { "its" } else { "their" }
        );
        for failure in failures {
            let _ = writeln!(
                out,
                "> - `{}` at `{}`: {}",
                failure.rule,
                failure.place(),
                failure.message
            );
        }
        out.push('\n');
    }
    let fired: Vec<_> = explanation
        .rules
        .iter()
        .filter(|r| r.outcome == RuleOutcome::Fired)
        .collect();
    if fired.is_empty() {
        out.push_str("No rule made a finding for this case.\n\n");
    } else {
        for rule in &fired {
            for finding in &rule.findings {
                let _ = writeln!(out, "- {finding} *({}; {})*", rule.rule, rule.cites);
            }
        }
        out.push('\n');
    }
    out.push_str("## Rule by rule\n");
    for rule in &explanation.rules {
        let _ = writeln!(out, "\n### {} — {}\n", rule.title, rule.rule);
        let _ = write!(out, "Cites: {}. Defined in pack `{}`", rule.cites, rule.pack);
        if let Some(replaced) = &rule.overrides {
            let _ = write!(out, ", replacing the rule of the same id in pack `{replaced}`");
        }
        out.push_str(".\n\n");
        if let Some(why) = &rule.why_not {
            let _ = writeln!(out, "{why}");
        } else if rule.findings.is_empty() {
            out.push_str("It made no finding.\n");
        }
        if !rule.findings.is_empty() {
            if rule.why_not.is_some() {
                out.push('\n');
            }
            out.push_str("Found:\n");
            for finding in &rule.findings {
                let _ = writeln!(out, "- {finding}");
            }
        }
        if rule.facts.is_empty() {
            out.push_str("\nIt reads no case facts directly.\n");
        } else {
            out.push_str("\nCase facts it reads:\n\n| Fact | In this case |\n|---|---|\n");
            for fact in &rule.facts {
                let _ = writeln!(out, "| `{}` | {} |", fact.field, fact.value.replace('|', "\\|"));
            }
        }
    }
    out
}
