//! The functions careplan registers for rules: the findings they return and the date
//! type they compute with.
//!
//! Findings are values: a rule *returns* `eligible(...)`, `review(...)`, an array of
//! them, or `()` for nothing. Every constructor checks its arguments against the pack
//! (declared schemes and recipients, known review kinds and owners) and fails with a
//! message that names the bad value and lists the good ones.

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, Map, INT};
use serde::de::IntoDeserializer;
use serde::Deserialize;

use crate::evaluation::{Decision, EscalationLevel, Owner, ReviewKind};
use crate::manifest::{RecipientDef, SchemeDef};
use crate::Date;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

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

impl Finding {
    /// The rule kind allowed to return this finding.
    pub(crate) fn kind(&self) -> crate::RuleKind {
        match self {
            Finding::Eligibility { .. } => crate::RuleKind::Eligibility,
            Finding::Review { .. } => crate::RuleKind::Review,
            Finding::Escalation { .. } => crate::RuleKind::Escalation,
            Finding::Recommendation { .. } => crate::RuleKind::Recommendation,
        }
    }
}

/// What the vocabulary needs to know about the pack it serves.
#[derive(Debug, Default)]
pub(crate) struct PackVocabulary {
    pub schemes: BTreeMap<String, SchemeDef>,
    pub recipients: BTreeMap<String, RecipientDef>,
    /// The names of the pack's local case fields.
    pub local_fields: Vec<String>,
}

fn fail<T>(message: impl Into<String>) -> RhaiResult<T> {
    Err(message.into().into())
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
    if crate::manifest::valid_id(text, false) {
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
    let hint = crate::suggest::did_you_mean(name, declared.keys().map(String::as_str))
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

fn date_result(result: Result<Date, crate::DateError>) -> RhaiResult<Date> {
    result.map_err(|e| e.to_string().into())
}

/// Registers the date type and its functions.
fn register_dates(engine: &mut Engine) {
    engine.register_type_with_name::<Date>("Date");
    engine.register_fn("date", |text: &str| -> RhaiResult<Date> {
        text.parse::<Date>().map_err(|e| e.to_string().into())
    });
    engine.register_fn("to_string", |d: Date| d.to_string());
    engine.register_fn("to_debug", |d: Date| d.to_string());
    engine.register_get("year", |d: &mut Date| INT::from(d.year()));
    engine.register_get("month", |d: &mut Date| INT::from(d.month()));
    engine.register_get("day", |d: &mut Date| INT::from(d.day()));
    engine.register_get("weekday", |d: &mut Date| d.weekday_name().to_owned());
    engine.register_fn("add_days", |d: Date, n: INT| date_result(d.add_days(n)));
    engine.register_fn("add_weeks", |d: Date, n: INT| date_result(d.add_weeks(n)));
    engine.register_fn("add_months", |d: Date, n: INT| date_result(d.add_months(n)));
    engine.register_fn("add_years", |d: Date, n: INT| date_result(d.add_years(n)));
    engine.register_fn("add_working_days", |d: Date, n: INT| date_result(d.add_working_days(n)));
    engine.register_fn("is_working_day", |d: Date| -> RhaiResult<bool> {
        d.is_working_day().map_err(|e| e.to_string().into())
    });
    engine.register_fn("days_until", |a: Date, b: Date| a.days_until(b));
    engine.register_fn("days_between", |a: Date, b: Date| a.days_until(b));
    engine.register_fn("working_days_until", |a: Date, b: Date| -> RhaiResult<INT> {
        a.working_days_until(b).map_err(|e| e.to_string().into())
    });
    engine.register_fn("working_days_between", |a: Date, b: Date| -> RhaiResult<INT> {
        a.working_days_until(b).map_err(|e| e.to_string().into())
    });
    engine.register_fn("age_on", |born: Date, on: Date| born.age_on(on));
    engine.register_fn("==", |a: Date, b: Date| a == b);
    engine.register_fn("!=", |a: Date, b: Date| a != b);
    engine.register_fn("<", |a: Date, b: Date| a < b);
    engine.register_fn("<=", |a: Date, b: Date| a <= b);
    engine.register_fn(">", |a: Date, b: Date| a > b);
    engine.register_fn(">=", |a: Date, b: Date| a >= b);
    engine.register_fn("min", |a: Date, b: Date| a.min(b));
    engine.register_fn("max", |a: Date, b: Date| a.max(b));
}

/// The date-typed field `field` of a map, or an error naming what is wrong.
fn date_field(item: &Dynamic, field: &str) -> RhaiResult<Option<Date>> {
    let found = if let Some(record) = item.read_lock::<crate::record::Record>() {
        record.get(field).cloned()
    } else if let Some(map) = item.read_lock::<Map>() {
        map.get(field).cloned()
    } else {
        return fail(format!("`latest` needs a list of records, found {}", item.type_name()));
    };
    match found.as_ref() {
        None => fail(format!("a record in the list has no field `{field}`")),
        Some(value) if value.is_unit() => Ok(None),
        Some(value) => match value.clone().try_cast::<Date>() {
            Some(date) => Ok(Some(date)),
            None => fail(format!("field `{field}` is not a date")),
        },
    }
}

fn latest_by(items: &Array, field: &str) -> RhaiResult<Dynamic> {
    let mut best: Option<(Date, &Dynamic)> = None;
    for item in items {
        if let Some(date) = date_field(item, field)? {
            if best.is_none_or(|(b, _)| date >= b) {
                best = Some((date, item));
            }
        }
    }
    Ok(best.map_or(Dynamic::UNIT, |(_, item)| item.clone()))
}

/// Registers list helpers that rules over case records need often.
fn register_lists(engine: &mut Engine) {
    // Natively, because rules ask it of every optional field: a script function would
    // cost a call frame each time.
    engine.register_fn("is_none", |value: &mut Dynamic| value.is_unit());
    // Pure: reading a list (of the case's records, say) never writes it back.
    rhai::FuncRegistration::new("latest")
        .with_purity(true)
        .register_into_engine(engine, |items: &mut Array| latest_by(items, "date"));
    rhai::FuncRegistration::new("latest")
        .with_purity(true)
        .register_into_engine(engine, |items: &mut Array, field: &str| latest_by(items, field));
}

/// Registers the number functions rules need: rounding and conversions. (Rhai's maths
/// package would add trigonometry and logarithms, which no care rule needs, at a
/// tenth of the component's size budget.) Failures name the problem, never the value,
/// which may come from a case.
fn register_numbers(engine: &mut Engine) {
    engine.register_fn("floor", |x: f64| x.floor());
    engine.register_fn("ceiling", |x: f64| x.ceil());
    engine.register_fn("round", |x: f64| x.round());
    engine.register_fn("to_float", |x: i64| x as f64);
    engine.register_fn("to_int", |x: f64| -> Result<i64, Box<EvalAltResult>> {
        // i64::MAX as f64 rounds up to 2^63, which is out of range: hence `<`.
        if x.is_finite() && x >= i64::MIN as f64 && x < i64::MAX as f64 {
            Ok(x.trunc() as i64)
        } else {
            Err("to_int: the number is too large (or not a number) for an integer".into())
        }
    });
    engine.register_fn("parse_int", |text: &str| -> Result<i64, Box<EvalAltResult>> {
        text.trim()
            .parse()
            .map_err(|_| "parse_int: the text is not a whole number".into())
    });
    engine.register_fn("parse_float", |text: &str| -> Result<f64, Box<EvalAltResult>> {
        match text.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err("parse_float: the text is not a number".into()),
        }
    });
}

/// Registers the finding constructors for one pack.
fn register_findings(engine: &mut Engine, pack: Arc<PackVocabulary>) {
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

/// careplan's rule vocabulary (without Rhai's standard library): each function's name
/// (`.name` for a property), its signature as rules see it, and what it does, sorted by
/// signature. `careplan vocabulary` prints it, the authors' guide holds it, and the help
/// of a call with the wrong number of arguments quotes its signatures. A static table,
/// the same in every build; `.ci/run`'s vocabulary audit (the `audit` feature) checks it
/// against the engine's own registrations.
pub(crate) const ENTRIES: &[(&str, &str, &str)] = &[
    ("!=", "!=(Date, Date) -> bool", "See `==`."),
    (".day", ".day -> int", "The day of the month."),
    (".month", ".month -> int", "The month of a date, 1 to 12."),
    (".weekday", ".weekday -> string", "The day of the week in English, e.g. `\"Monday\"`."),
    (".year", ".year -> int", "The year of a date."),
    ("<", "<(Date, Date) -> bool", "See `==`."),
    ("<=", "<=(Date, Date) -> bool", "See `==`."),
    ("==", "==(Date, Date) -> bool", "Dates compare with `==`, `!=`, `<`, `<=`, `>`, `>=`."),
    (">", ">(Date, Date) -> bool", "See `==`."),
    (">=", ">=(Date, Date) -> bool", "See `==`."),
    ("add_days", "add_days(Date, int) -> Date", "The date `n` calendar days later (earlier when negative): `d.add_days(14)`."),
    ("add_months", "add_months(Date, int) -> Date", "The date `n` calendar months later; a day missing from the target month becomes its last day (31 January + 1 month = 28 or 29 February)."),
    ("add_weeks", "add_weeks(Date, int) -> Date", "The date `n` weeks later: `d.add_weeks(6)`."),
    ("add_working_days", "add_working_days(Date, int) -> Date", "The date `n` working days later, skipping weekends and England and Wales bank holidays (2014 to 2030); the start day is not counted."),
    ("add_years", "add_years(Date, int) -> Date", "The date `n` years later; 29 February becomes 28 February in a common year."),
    ("age_on", "age_on(Date, Date) -> int", "Age in completed years on a date, for a date of birth: `record.person.date_of_birth.age_on(today)`; a 29 February birthday counts from 1 March in a common year."),
    ("ceiling", "ceiling(float) -> float", "The smallest whole number not below a float, as a float."),
    ("date", "date(string) -> Date", "Read a date written `YYYY-MM-DD`: `date(\"2025-04-01\")`."),
    ("days_between", "days_between(Date, Date) -> int", "Calendar days from the first date to the second: `days_between(a, b)`."),
    ("days_until", "days_until(Date, Date) -> int", "Calendar days from the date to another: `a.days_until(b)`, negative when `b` is earlier."),
    ("eligible", "eligible(string, array) -> Finding", "Decide that the person is eligible for a declared scheme: `eligible(scheme, reason)` or with a list of reasons."),
    ("eligible", "eligible(string, string) -> Finding", "Decide that the person is eligible for a declared scheme: `eligible(scheme, reason)` or with a list of reasons."),
    ("escalate", "escalate(string, string, Date, string) -> Finding", "Escalate: `escalate(level, to, respond_by, reason)`; level is `emergency`, `urgent`, `high` or `routine`; `to` is a recipient declared in the manifest. The engine works out whether the response is upcoming, due or overdue."),
    ("floor", "floor(float) -> float", "The largest whole number not above a float, as a float: `floor(2.7)` is `2.0`."),
    ("insufficient_information", "insufficient_information(string, array) -> Finding", "Decide that the case does not hold enough to decide: `insufficient_information(scheme, reason)`; the reasons say what is missing."),
    ("insufficient_information", "insufficient_information(string, string) -> Finding", "Decide that the case does not hold enough to decide: `insufficient_information(scheme, reason)`; the reasons say what is missing."),
    ("is_none", "is_none(any) -> bool", "Whether a value is absent (`()`), such as an optional case field that was not given: `is_none(record.person.date_of_death)`."),
    ("is_working_day", "is_working_day(Date) -> bool", "Whether the date is a weekday that is not an England and Wales bank holiday."),
    ("latest", "latest(array) -> any", "The record of a list with the latest date: `record.events.latest()` uses each record's `date`; `latest(\"signed_off\")` another date field; `()` for an empty list."),
    ("latest", "latest(array, string) -> any", "The record of a list with the latest date: `record.events.latest()` uses each record's `date`; `latest(\"signed_off\")` another date field; `()` for an empty list."),
    ("max", "max(Date, Date) -> Date", "The later of two dates."),
    ("min", "min(Date, Date) -> Date", "The earlier of two dates."),
    ("not_eligible", "not_eligible(string, string, array) -> Finding", "Decide that the person is not eligible: `not_eligible(scheme, failed_condition, reason)`; the failed condition is a short name such as `outcomes`."),
    ("not_eligible", "not_eligible(string, string, string) -> Finding", "Decide that the person is not eligible: `not_eligible(scheme, failed_condition, reason)`; the failed condition is a short name such as `outcomes`."),
    ("parse_float", "parse_float(string) -> float", "Read a number from text: `parse_float(\"0.25\")`; an error when the text is not one."),
    ("parse_int", "parse_int(string) -> int", "Read a whole number from text: `parse_int(\"42\")`; an error when the text is not one."),
    ("recommend", "recommend(string, string) -> Finding", "Recommend an action: `recommend(code, reason)`; `recommend(code, owner, reason)` with who; `recommend(code, owner, due, reason)` with who and by when. A recommendation with a date gets a status (upcoming, due or overdue)."),
    ("recommend", "recommend(string, string, Date, string) -> Finding", "Recommend an action: `recommend(code, reason)`; `recommend(code, owner, reason)` with who; `recommend(code, owner, due, reason)` with who and by when. A recommendation with a date gets a status (upcoming, due or overdue)."),
    ("recommend", "recommend(string, string, string) -> Finding", "Recommend an action: `recommend(code, reason)`; `recommend(code, owner, reason)` with who; `recommend(code, owner, due, reason)` with who and by when. A recommendation with a date gets a status (upcoming, due or overdue)."),
    ("review", "review(string, string, Date, string) -> Finding", "Schedule a review: `review(kind, owner, due, reason)`; kind is one of `light_touch`, `planned`, `unplanned`, `requested`, `direct_payment`, `gp_care_plan`, `post_discharge_contact`; owner is `council`, `gp_practice` or `joint`. The engine works out whether it is upcoming, due or overdue."),
    ("review_window", "review_window(string, string, Date, Date, string) -> Finding", "Schedule a review with a window: `review_window(kind, owner, opens, due, reason)`, e.g. the light-touch review 6 to 8 weeks after sign-off."),
    ("round", "round(float) -> float", "A float rounded to the nearest whole number, halves away from zero, as a float."),
    ("to_float", "to_float(int) -> float", "An integer as a float."),
    ("to_int", "to_int(float) -> int", "A float as an integer, dropping the fraction; an error when it does not fit."),
    ("working_days_between", "working_days_between(Date, Date) -> int", "Working days from the first date to the second."),
    ("working_days_until", "working_days_until(Date, Date) -> int", "Working days from the date to another, counted the way `add_working_days` steps."),
];

/// Registers the whole vocabulary: dates, list helpers and findings.
pub(crate) fn register(engine: &mut Engine, pack: Arc<PackVocabulary>) {
    let mut fields = crate::evaluate::case_field_names().clone();
    fields.extend(pack.local_fields.iter().cloned());
    fields.sort();
    fields.dedup();
    crate::record::register(engine, &fields);
    register_dates(engine);
    register_lists(engine);
    register_numbers(engine);
    register_findings(engine, pack);
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
