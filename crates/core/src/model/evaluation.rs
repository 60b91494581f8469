//! The result of evaluating one case: decisions, reviews, escalations,
//! recommendations, the rules that failed, and an audit block.
//!
//! Findings appear in rule order (parent packs first, then file path order), and within
//! a rule in the order the rule returned them, so the same pack, case and as-of date
//! always serialize to the same bytes.
//!
//! A rule that fails contributes nothing, and every other rule still contributes its
//! findings: the evaluation then says `complete: false` and lists the failure, so a
//! reader can never take a missing escalation for "no escalation".

#[cfg(test)]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::model::case::ReviewKind;
use crate::{Date, Limit};

/// Everything one evaluation found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// The host system's identifier of the person (`person.id` in the case).
    pub person_id: String,
    /// `true` when every rule in force ran without failing. `false` when at least one
    /// failed: its findings are missing, so what is absent here (a decision, a review,
    /// an escalation) must not be read as "none". `failures` says which rules and why.
    pub complete: bool,
    /// Each rule that failed, in rule order; empty when `complete` is `true`.
    pub failures: Vec<Failure>,
    /// One decision per scheme that a rule decided.
    pub eligibility: Vec<EligibilityDecision>,
    /// Reviews and follow-up contacts due, with their dates and owners.
    pub reviews: Vec<ReviewDue>,
    /// Matters to raise with someone by a date.
    pub escalations: Vec<Escalation>,
    /// Things the rules suggest doing.
    pub recommendations: Vec<Recommendation>,
    /// What produced this result.
    pub audit: Audit,
}

/// The outcome of an eligibility decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The person meets the scheme's criteria.
    Eligible,
    /// The person does not; `failed_condition` says which condition failed.
    NotEligible,
    /// The case does not hold enough to decide; the reasons say what is missing.
    InsufficientInformation,
}

impl Decision {
    /// The decision as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Eligible => "eligible",
            Decision::NotEligible => "not_eligible",
            Decision::InsufficientInformation => "insufficient_information",
        }
    }
}

/// A decision on one scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EligibilityDecision {
    /// The scheme's id, as declared in the pack manifest.
    pub scheme: String,
    /// The decision.
    pub decision: Decision,
    /// For `not_eligible`: the condition that was not met (e.g. `outcomes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_condition: Option<String>,
    /// Plain-English reasons a social worker or GP can read.
    pub reasons: Vec<String>,
    /// The id of the rule that decided.
    pub rule: String,
    /// The law or policy the rule implements.
    pub cites: String,
}

/// Who is responsible for a review or recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// The local authority.
    Council,
    /// The GP practice.
    GpPractice,
    /// Council and GP practice together.
    Joint,
}

impl Owner {
    /// The owner as written in JSON and in rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Council => "council",
            Owner::GpPractice => "gp_practice",
            Owner::Joint => "joint",
        }
    }
}

/// Where a dated finding (a review, an escalation, a recommendation with a date) stands
/// on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The date has passed.
    Overdue,
    /// Due now: within the window, or on the date itself.
    Due,
    /// Not yet due: before the window opens (or before the date when there is no
    /// window).
    Upcoming,
}

impl Status {
    /// The status of something that falls due on `due` (with a window opening on
    /// `opens`, when it has one) as of `as_of`.
    pub fn on(as_of: Date, opens: Option<Date>, due: Date) -> Status {
        if as_of > due {
            Status::Overdue
        } else if as_of >= opens.unwrap_or(due) {
            Status::Due
        } else {
            Status::Upcoming
        }
    }

    /// The status as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Overdue => "overdue",
            Status::Due => "due",
            Status::Upcoming => "upcoming",
        }
    }
}

/// A review or contact that is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewDue {
    /// Which kind of review.
    pub kind: ReviewKind,
    /// Who carries it out.
    pub owner: Owner,
    /// The earliest date it should happen, when it has a window (e.g. 6 weeks after
    /// sign-off for a light-touch review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_opens: Option<Date>,
    /// The latest date it should happen.
    pub due: Date,
    /// Upcoming, due or overdue on the as-of date.
    pub status: Status,
    /// Why it is due, in plain English.
    pub reason: String,
    /// The id of the rule that scheduled it.
    pub rule: String,
    /// The law or policy the rule implements.
    pub cites: String,
}

/// How urgently an escalation must be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    /// Immediate danger: emergency services now.
    Emergency,
    /// The same working day.
    Urgent,
    /// Within a day or two.
    High,
    /// In the normal course of work.
    Routine,
}

impl EscalationLevel {
    /// The level as written in JSON and in rules.
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationLevel::Emergency => "emergency",
            EscalationLevel::Urgent => "urgent",
            EscalationLevel::High => "high",
            EscalationLevel::Routine => "routine",
        }
    }
}

/// A matter to raise with someone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// How urgent.
    pub level: EscalationLevel,
    /// The recipient's id, as declared in the pack manifest.
    pub to: String,
    /// The recipient's name, from the manifest.
    pub to_name: String,
    /// The date by which the recipient should respond.
    pub respond_by: Date,
    /// Upcoming (the date is still ahead), due (today) or overdue (the date has
    /// passed) on the as-of date.
    pub status: Status,
    /// Why, in plain English.
    pub reason: String,
    /// The id of the rule that escalated.
    pub rule: String,
    /// The law or policy the rule implements.
    pub cites: String,
}

/// Something the rules suggest doing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// A short stable code, e.g. `chc-full-assessment`.
    pub code: String,
    /// What and why, in plain English.
    pub reason: String,
    /// Who should act, when the rule says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// The date to act by, when the rule says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// For a recommendation with a date: upcoming, due or overdue on the as-of date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The id of the rule that recommended.
    pub rule: String,
    /// The law or policy the rule implements.
    pub cites: String,
}

/// What produced an evaluation, so that any result can be traced and reproduced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// The engine name and version, e.g. `careplan 0.1.0`.
    pub engine: String,
    /// The pack evaluated.
    pub pack: PackRef,
    /// The pack and the packs it extends, base first.
    pub layers: Vec<LayerRef>,
    /// The date the case was evaluated as of.
    pub as_of: Date,
    /// How many rules were in force on the as-of date and ran (failed ones included).
    pub rules_evaluated: u32,
    /// The ids of the rules that returned at least one finding, in rule order.
    pub rules_fired: Vec<String>,
    /// The rules that did not run because they were not in force on the as-of date,
    /// in rule order. Where a local override is not in force but the rule it replaces
    /// is, the parent's rule ran and the override is listed here.
    pub rules_not_in_force: Vec<NotInForce>,
}

/// A rule that was not in force on the as-of date, and the window in which it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NotInForce {
    /// The rule's id.
    pub rule: String,
    /// The pack that defines this version of it.
    pub pack: String,
    /// Its first day in force, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<Date>,
    /// Its last day in force, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<Date>,
}

impl NotInForce {
    /// Why the rule did not run, in words: "in force from 2015-04-01", "ended on ...".
    pub fn reason(&self, as_of: Date) -> String {
        match (self.effective_from, self.effective_to) {
            (Some(from), Some(to)) if as_of < from => format!("not yet in force: in force from {from} to {to}"),
            (Some(from), None) if as_of < from => format!("not yet in force: in force from {from}"),
            (Some(from), Some(to)) => format!("no longer in force: in force from {from} to {to}"),
            (_, Some(to)) => format!("no longer in force: its last day was {to}"),
            _ => "not in force".to_owned(),
        }
    }
}

/// How a rule failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The rule stopped with an error: a `throw`, a field the case does not have, a
    /// function or operator that does not apply to the values, an invalid argument to
    /// a finding constructor.
    Runtime,
    /// The rule ran into one of the engine's limits (`limit` says which).
    Limit,
    /// What the rule returned is not a finding of its kind, or decides a scheme that
    /// another rule has already decided.
    InvalidResult,
}

impl FailureKind {
    /// The kind as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Runtime => "runtime",
            FailureKind::Limit => "limit",
            FailureKind::InvalidResult => "invalid_result",
        }
    }
}

/// A rule that failed on this case. Its findings are missing from the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Failure {
    /// The id of the rule that failed.
    pub rule: String,
    /// The pack that defines it.
    pub pack: String,
    /// The file where it failed: the rule's own file, or the library file of the
    /// function that failed.
    pub file: String,
    /// Line, from 1, when the failure has a place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Column in characters, from 1, when the failure has a place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What kind of failure.
    pub kind: FailureKind,
    /// For a `limit` failure: which limit, as named in errors (`Limits::max_<name>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
    /// For a `limit` failure: the limit's configured value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    /// What went wrong.
    pub message: String,
    /// How to fix it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Failure {
    /// `file:line:column`, or the file alone when the failure has no place.
    pub fn place(&self) -> String {
        match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.file),
            (Some(line), None) => format!("{}:{line}", self.file),
            _ => self.file.clone(),
        }
    }
}

/// Identifies a pack and its exact content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PackRef {
    /// The pack id.
    pub id: String,
    /// The pack version from its manifest.
    pub version: String,
    /// `sha256:` and the hex digest of the manifests and sources of the pack and its
    /// parents.
    pub digest: String,
}

/// One layer of a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LayerRef {
    /// The layer's pack id.
    pub id: String,
    /// Its version.
    pub version: String,
}

impl Evaluation {
    /// The evaluation as pretty-printed JSON with a final newline: the exact bytes the
    /// CLI prints and the component returns.
    pub fn to_json(&self) -> String {
        // Serializing these plain structs (string keys, no floats, no custom impls that
        // can fail) cannot fail; `Value::Null` would only ever hide a broken invariant.
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|err| format!("{{\"error\": \"evaluation could not be serialized: {err}\"}}"));
        text.push('\n');
        text
    }
}
