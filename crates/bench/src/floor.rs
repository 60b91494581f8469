//! The floor: the shared logic written by hand in Rust over careplan's typed case. What
//! an engine could at best approach; every other implementation must agree with it.

use careplan_core::{AssessmentKind, Case, Date, EventKind, PlanKind};

use crate::{Outcome, Review};

/// Parses the case JSON (with careplan's full validation) and decides.
pub fn evaluate_json(case_json: &str, as_of: Date) -> Result<String, String> {
    let case = Case::from_json(case_json).map_err(|err| err.to_string())?;
    serde_json::to_string(&evaluate(&case, as_of)).map_err(|err| err.to_string())
}

/// The shared logic over a parsed case; see the crate documentation for the rules.
pub fn evaluate(case: &Case, as_of: Date) -> Outcome {
    let assessment = case
        .assessments
        .iter()
        .filter(|a| a.kind == AssessmentKind::Needs && !a.refused)
        .fold(None, |best: Option<&careplan_core::Assessment>, a| match best {
            Some(b) if b.date > a.date => Some(b),
            _ => Some(a),
        });
    let eligibility = match assessment {
        None => "no_assessment",
        Some(a) => {
            let impairment = case.conditions.iter().any(|c| c.active && c.impairment_or_illness);
            let unable = a.outcomes.len() >= 2;
            let impact = a.wellbeing.as_ref().is_some_and(|w| w.significant_impact);
            if impairment && unable && impact {
                "eligible"
            } else {
                "not_eligible"
            }
        }
    };
    let plan = case
        .plans
        .iter()
        .filter(|p| p.kind == PlanKind::CareAndSupport)
        .filter_map(|p| p.signed_off.map(|s| (p, s)))
        .filter(|(p, s)| *s <= as_of && p.ended.is_none_or(|e| e > as_of))
        .fold(None, |best: Option<Date>, (_, s)| match best {
            Some(b) if b > s => Some(b),
            _ => Some(s),
        });
    let review = plan.map(|signed_off| {
        let last = case
            .reviews
            .iter()
            .map(|r| r.date)
            .filter(|d| *d >= signed_off && *d <= as_of)
            .max();
        let light_touch_due = add_days(signed_off, 56);
        if last.is_none() && as_of <= light_touch_due {
            return Review {
                kind: "light_touch",
                due: light_touch_due.to_string(),
            };
        }
        let base = last.unwrap_or(signed_off);
        let planned = base.add_months(12).unwrap_or(base);
        let change = case
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::HospitalDischarge | EventKind::Fall | EventKind::CarerUnavailable
                )
            })
            .map(|e| e.date)
            .filter(|d| *d > base && *d <= as_of)
            .min();
        match change.map(|d| add_days(d, 14)) {
            Some(unplanned) if unplanned < planned => Review {
                kind: "unplanned",
                due: unplanned.to_string(),
            },
            _ => Review {
                kind: "planned",
                due: planned.to_string(),
            },
        }
    });
    let mut escalations = Vec::new();
    if eligibility == "eligible" && plan.is_none() {
        escalations.push("eligible_without_plan");
    }
    if review
        .as_ref()
        .is_some_and(|r| r.due.as_str() < as_of.to_string().as_str())
    {
        escalations.push("review_overdue");
    }
    let week_before = add_days(as_of, -7);
    if case
        .events
        .iter()
        .any(|e| e.kind == EventKind::SafeguardingConcern && e.date >= week_before && e.date <= as_of)
    {
        escalations.push("safeguarding_concern");
    }
    Outcome {
        eligibility,
        review,
        escalations,
    }
}

fn add_days(date: Date, days: i64) -> Date {
    date.add_days(days).unwrap_or(date)
}
