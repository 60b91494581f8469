//! The findings rules return, and their constructors: `eligible`, `not_eligible`,
//! `insufficient_information`, `review`, `review_window`, `escalate`, `recommend`.
//! Every constructor checks its arguments against the pack (declared schemes and
//! recipients, known review kinds and owners) and fails with a message that names the
//! bad value and lists the good ones.

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, EvalAltResult};
use serde::de::IntoDeserializer;
use serde::Deserialize;

use super::{fail, PackVocabulary, RhaiResult};
use crate::model::evaluation::{Decision, EscalationLevel, Owner, ReviewKind};
use crate::Date;

/// One finding returned by a rule, before the engine adds the rule's id and citation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Finding {
    Eligibility {
        scheme: String,
        decision: Decision,
        failed_condition: Option<String>,
        reasons: Vec<String>,
    },
    Review {
        kind: ReviewKind,
        owner: Owner,
        window_opens: Option<Date>,
        due: Date,
        reason: String,
    },
    Escalation {
        level: EscalationLevel,
        to: String,
        respond_by: Date,
        reason: String,
    },
    Recommendation {
        code: String,
        reason: String,
        owner: Option<Owner>,
        due: Option<Date>,
    },
}

/// Parses one of careplan's snake_case choices with the same names serde uses.
fn choice<'de, T: Deserialize<'de>>(value: &'de str, what: &str, allowed: &[&str]) -> RhaiResult<T> {
    T::deserialize(value.into_deserializer()).map_err(|_: serde::de::value::Error| {
        format!(
            "`{value}` is not a {what}; use one of {}",
            allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
        )
        .into()
    })
}

pub(crate) const REVIEW_KINDS: &[&str] = &[
    "light_touch",
    "planned",
    "unplanned",
    "requested",
    "direct_payment",
    "gp_care_plan",
    "post_discharge_contact",
];
pub(crate) const OWNERS: &[&str] = &["council", "gp_practice", "joint"];
pub(crate) const LEVELS: &[&str] = &["emergency", "urgent", "high", "routine"];

fn reason(text: &str) -> RhaiResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return fail("a reason must say something: it is what a social worker or GP reads");
    }
    Ok(text.to_owned())
}

fn reasons(items: Array) -> RhaiResult<Vec<String>> {
    if items.is_empty() {
        return fail("give at least one reason");
    }
    items
        .into_iter()
        .map(|item| match item.into_immutable_string() {
            Ok(text) => reason(&text),
            Err(kind) => fail(format!("each reason must be text, not {kind}")),
        })
        .collect()
}

fn slug(text: &str, what: &str) -> RhaiResult<String> {
    if crate::model::manifest::valid_id(text, false) {
        Ok(text.to_owned())
    } else {
        fail(format!(
            "`{text}` is not a valid {what}: use lowercase letters, digits and hyphens"
        ))
    }
}

impl PackVocabulary {
    fn scheme(&self, scheme: &str) -> RhaiResult<String> {
        declared("scheme", scheme, &self.schemes)
    }

    fn recipient(&self, to: &str) -> RhaiResult<String> {
        declared("recipient", to, &self.recipients)
    }
}

/// `name` if the pack's manifest declares it, else an error naming the likely one.
fn declared<T>(what: &str, name: &str, declared: &BTreeMap<String, T>) -> RhaiResult<String> {
    if declared.contains_key(name) {
        return Ok(name.to_owned());
    }
    let hint = crate::diagnostics::suggest::did_you_mean(name, declared.keys().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_else(|| {
            format!(
                "; the pack declares {}",
                list_or_none(declared.keys().map(String::as_str))
            )
        });
    fail(format!("unknown {what} `{name}`{hint}"))
}

fn list_or_none<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(|i| format!("`{i}`")).collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// Registers the finding constructors for one pack.
pub(super) fn register(engine: &mut Engine, pack: Arc<PackVocabulary>) {
    engine.register_type_with_name::<Finding>("Finding");
    engine.register_fn("to_string", |f: &mut Finding| format!("{f:?}"));
    engine.register_fn("to_debug", |f: &mut Finding| format!("{f:?}"));

    let eligibility =
        |pack: &Arc<PackVocabulary>, scheme: &str, decision, failed: Option<&str>, reasons: Vec<String>| {
            let failed_condition = match failed {
                Some(condition) => Some(slug(condition, "failed condition")?),
                None => None,
            };
            Ok::<_, Box<EvalAltResult>>(Finding::Eligibility {
                scheme: pack.scheme(scheme)?,
                decision,
                failed_condition,
                reasons,
            })
        };

    let p = pack.clone();
    engine.register_fn("eligible", move |scheme: &str, why: &str| {
        eligibility(&p, scheme, Decision::Eligible, None, vec![reason(why)?])
    });
    let p = pack.clone();
    engine.register_fn("eligible", move |scheme: &str, why: Array| {
        eligibility(&p, scheme, Decision::Eligible, None, reasons(why)?)
    });
    let p = pack.clone();
    engine.register_fn("not_eligible", move |scheme: &str, failed: &str, why: &str| {
        eligibility(&p, scheme, Decision::NotEligible, Some(failed), vec![reason(why)?])
    });
    let p = pack.clone();
    engine.register_fn("not_eligible", move |scheme: &str, failed: &str, why: Array| {
        eligibility(&p, scheme, Decision::NotEligible, Some(failed), reasons(why)?)
    });
    let p = pack.clone();
    engine.register_fn("insufficient_information", move |scheme: &str, why: &str| {
        eligibility(&p, scheme, Decision::InsufficientInformation, None, vec![reason(why)?])
    });
    let p = pack.clone();
    engine.register_fn("insufficient_information", move |scheme: &str, why: Array| {
        eligibility(&p, scheme, Decision::InsufficientInformation, None, reasons(why)?)
    });

    engine.register_fn(
        "review",
        |kind: &str, owner: &str, due: Date, why: &str| -> RhaiResult<Finding> {
            Ok(Finding::Review {
                kind: choice(kind, "review kind", REVIEW_KINDS)?,
                owner: choice(owner, "review owner", OWNERS)?,
                window_opens: None,
                due,
                reason: reason(why)?,
            })
        },
    );
    engine.register_fn(
        "review_window",
        |kind: &str, owner: &str, opens: Date, due: Date, why: &str| -> RhaiResult<Finding> {
            if due < opens {
                return fail(format!(
                    "the review window closes (`{due}`) before it opens (`{opens}`)"
                ));
            }
            Ok(Finding::Review {
                kind: choice(kind, "review kind", REVIEW_KINDS)?,
                owner: choice(owner, "review owner", OWNERS)?,
                window_opens: Some(opens),
                due,
                reason: reason(why)?,
            })
        },
    );

    let p = pack.clone();
    engine.register_fn(
        "escalate",
        move |level: &str, to: &str, respond_by: Date, why: &str| -> RhaiResult<Finding> {
            Ok(Finding::Escalation {
                level: choice(level, "escalation level", LEVELS)?,
                to: p.recipient(to)?,
                respond_by,
                reason: reason(why)?,
            })
        },
    );

    engine.register_fn("recommend", |code: &str, why: &str| -> RhaiResult<Finding> {
        Ok(Finding::Recommendation {
            code: slug(code, "recommendation code")?,
            reason: reason(why)?,
            owner: None,
            due: None,
        })
    });
    engine.register_fn(
        "recommend",
        |code: &str, owner: &str, why: &str| -> RhaiResult<Finding> {
            Ok(Finding::Recommendation {
                code: slug(code, "recommendation code")?,
                reason: reason(why)?,
                owner: Some(choice(owner, "owner", OWNERS)?),
                due: None,
            })
        },
    );
    engine.register_fn(
        "recommend",
        |code: &str, owner: &str, due: Date, why: &str| -> RhaiResult<Finding> {
            Ok(Finding::Recommendation {
                code: slug(code, "recommendation code")?,
                reason: reason(why)?,
                owner: Some(choice(owner, "owner", OWNERS)?),
                due: Some(due),
            })
        },
    );
}

/// Turns what a rule returned into findings: a finding, an array of findings, or `()`.
pub(crate) fn collect_findings(value: Dynamic) -> Result<Vec<Finding>, String> {
    if value.is_unit() {
        return Ok(Vec::new());
    }
    if value.is::<Finding>() {
        return match value.try_cast::<Finding>() {
            Some(finding) => Ok(vec![finding]),
            None => Err("the rule returned a finding that could not be read".into()),
        };
    }
    let type_name = value.type_name();
    let Some(items) = value.try_cast::<Array>() else {
        return Err(format!(
            "a rule must return a finding, a list of findings or nothing (`()`), not {}",
            friendly_type(type_name)
        ));
    };
    let mut findings = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        if item.is_unit() {
            continue;
        }
        let type_name = item.type_name();
        match item.try_cast::<Finding>() {
            Some(finding) => findings.push(finding),
            None => {
                return Err(format!(
                    "item {i} of the returned list is {}, not a finding",
                    friendly_type(type_name)
                ))
            }
        }
    }
    Ok(findings)
}

fn friendly_type(type_name: &str) -> String {
    match type_name {
        "i64" | "INT" => "a number".into(),
        "f64" | "FLOAT" => "a number".into(),
        "bool" => "true or false".into(),
        "string" | "ImmutableString" => "text".into(),
        "map" => "a map".into(),
        "array" => "a list".into(),
        other => format!("`{other}`"),
    }
}
