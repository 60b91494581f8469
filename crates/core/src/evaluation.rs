//! The result of evaluating one case: decisions, reviews, escalations,
//! recommendations and an audit block.
//!
//! Findings appear in rule order (parent packs first, then file path order), and within
//! a rule in the order the rule returned them, so the same pack, case and as-of date
//! always serialize to the same bytes.

#[cfg(test)]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::case::ReviewKind;
use crate::Date;

/// Everything one evaluation found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
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

/// Where a review stands on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Not yet due: before the window opens (or before the due date when there is no
    /// window).
    Upcoming,
    /// Due now: within the window, or on the due date itself.
    Due,
    /// The due date has passed.
    Overdue,
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
    pub status: ReviewStatus,
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
    /// How many rules were in force on the as-of date and ran.
    pub rules_evaluated: u32,
    /// The ids of the rules that returned at least one finding, in rule order.
    pub rules_fired: Vec<String>,
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
