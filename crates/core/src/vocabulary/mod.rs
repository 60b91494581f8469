//! The functions careplan registers for rules, by area: the findings they return
//! ([`findings`]), the date type they compute with ([`dates`]), list helpers and number
//! conversions ([`values`]), and the read-only `record` they read the case through
//! ([`record`]). [`ENTRIES`] describes them for authors.
//!
//! Findings are values: a rule *returns* `eligible(...)`, `review(...)`, an array of
//! them, or `()` for nothing. Every constructor checks its arguments against the pack
//! (declared schemes and recipients, known review kinds and owners) and fails with a
//! message that names the bad value and lists the good ones.

mod compare;
mod dates;
pub(crate) mod facts;
mod findings;
mod metered;
pub(crate) mod record;
mod values;

pub(crate) use findings::{collect_findings, Finding, LEVELS, OWNERS, REVIEW_KINDS};

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Engine, EvalAltResult};

use crate::model::manifest::{RecipientDef, SchemeDef};

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// What the vocabulary needs to know about the pack it serves.
#[derive(Debug, Default)]
pub(crate) struct PackVocabulary {
    pub schemes: BTreeMap<String, SchemeDef>,
    pub recipients: BTreeMap<String, RecipientDef>,
    /// The names of the pack's local case fields.
    pub local_fields: Vec<String>,
}

/// A rule failure with `message`.
fn fail<T>(message: impl Into<String>) -> RhaiResult<T> {
    Err(message.into().into())
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
    ("==", "==(Date, Date) -> bool", "Dates compare with `==`, `!=`, `<`, `<=`, `>`, `>=`. Comparing values of different types (a date with text, a number with text, a date with `()` by `<` and the like) fails the rule at its place instead of being false; `== ()` and `!= ()` ask whether a value is recorded."),
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
    let mut fields = crate::model::schema::case_field_names().clone();
    fields.extend(pack.local_fields.iter().cloned());
    fields.sort();
    fields.dedup();
    crate::vocabulary::record::register(engine, &fields);
    facts::register(engine);
    dates::register(engine);
    values::register_lists(engine);
    values::register_numbers(engine);
    compare::register(engine);
    findings::register(engine, pack);
}

/// Registers the metered versions of Rhai's functions whose work grows with their
/// input ([`metered`]); `inner` is an engine with the same limits and vocabulary,
/// whose functions they call once charged.
pub(crate) fn register_metered(engine: &mut Engine, inner: Engine, limits: &crate::Limits) {
    metered::register(engine, inner, limits);
}

/// One function of the rule vocabulary, for the authors' guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyEntry {
    /// The function's name, or `.name` for a property.
    pub name: &'static str,
    /// Its signature as rules see it, e.g. `add_days(Date, int) -> Date`.
    pub signature: &'static str,
    /// What it does.
    pub description: &'static str,
}

/// Every function the engine registers for rules (the vocabulary, without Rhai's
/// standard library), sorted by signature: the same static table in every build, which
/// `.ci/run`'s vocabulary audit checks against the engine's registrations.
pub fn vocabulary() -> impl Iterator<Item = VocabularyEntry> {
    ENTRIES.iter().map(|&(name, signature, description)| VocabularyEntry {
        name,
        signature,
        description,
    })
}
