//! FHIR R4 UK Core resources read into a careplan case.
//!
//! GP clinical systems and integration engines hold a person's record as FHIR. This
//! crate reads a `Bundle`, a single resource or a CDS Hooks `prefetch` object into the
//! case JSON careplan evaluates: the Patient into `person`, Conditions into
//! `conditions`, hospital stays (Encounters) into admission and discharge `events`,
//! CarePlans into `plans`, the latest eFI Observation into `frailty`, the register's
//! Flag or EpisodeOfCare into `gp_register`, and carers (RelatedPersons) into
//! `carers`. What FHIR does not carry (the council's needs assessments, reviews,
//! ordinary residence) comes from case JSON merged in.
//!
//! Which codes mean what is the [`Mapping`] table's, not the code's. The mapping table
//! of every element read is in `docs/fhir.md`.
//!
//! Like careplan-core, the crate is pure: no I/O, no clock. It runs natively in the CLI
//! and inside the Wasm component (`case-from-fhir`), so every host reads FHIR alike.
//!
//! ```
//! let bundle = r#"{"resourceType": "Bundle", "type": "collection", "entry": [
//!   {"resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1941-03-02"}}]}"#;
//! let mapping = careplan_fhir::Mapping::uk_core().expect("the built-in table");
//! let read = careplan_fhir::case_from_fhir(bundle, &mapping, None).expect("a case");
//! assert_eq!(read.case.person.id, "p1");
//! ```

#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

mod error;
mod map;
mod mapping;
mod prefetch;
mod read;
mod resources;
mod time;

use careplan_core::Case;
use serde_json::Value;

pub use error::{ErrorKind, FhirError, Note, Problem};
pub use mapping::{Mapping, UK_CORE};
pub use prefetch::{percent_encode, PrefetchTemplate};

/// A case read from FHIR.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirCase {
    /// The case, checked as every case is.
    pub case: Case,
    /// The case as JSON, pretty-printed with a final newline: only the values read or
    /// merged in, keys in sorted order. What `careplan fhir-to-case` prints.
    pub json: String,
    /// What was left out and why, or read one way of two, each at its FHIR path.
    pub notes: Vec<Note>,
}

/// Reads the FHIR resources `fhir` (a Bundle, one resource, or a CDS Hooks prefetch
/// object) into a case, by `mapping`, with `case_json` (a case, or part of one, for what
/// FHIR does not carry) merged in: objects are merged field by field, lists are the
/// resources' items then the case JSON's, and a field both give must be the same.
///
/// Every problem is reported at once, each at its FHIR path (or case path, for the case
/// JSON); nothing is guessed, and nothing is left out without a [`Note`].
pub fn case_from_fhir(fhir: &str, mapping: &Mapping, case_json: Option<&str>) -> Result<FhirCase, FhirError> {
    let input = read::parse(fhir, "the FHIR input").map_err(|p| FhirError::new(ErrorKind::InvalidFhir, vec![p]))?;
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let entries = read::entries(&input, &mut problems, &mut notes);
    let made = map::make(&entries, mapping, &mut problems, &mut notes);
    if !problems.is_empty() {
        return Err(FhirError::new(ErrorKind::InvalidFhir, problems));
    }
    let mut provenance: Vec<(String, Origin)> = made
        .provenance
        .into_iter()
        .map(|(case_path, fhir_path)| (case_path, Origin::Fhir(fhir_path)))
        .collect();
    let mut case = Value::Object(made.case);
    if let Some(text) = case_json {
        let extra = parse_case_json(text)?;
        merge(&mut case, extra, "", &mut provenance, &mut problems);
        if !problems.is_empty() {
            return Err(FhirError::new(ErrorKind::InvalidCase, problems));
        }
    }
    let mut json = serde_json::to_string_pretty(&case).unwrap_or_default();
    json.push('\n');
    let case = Case::from_json(&json).map_err(|err| {
        let problems = err
            .problems()
            .iter()
            .map(|p| from_case_problem(p, &provenance))
            .collect();
        FhirError::new(ErrorKind::InvalidCase, problems)
    })?;
    Ok(FhirCase { case, json, notes })
}

/// Where a value of the case came from.
enum Origin {
    /// A FHIR element, by its path.
    Fhir(String),
    /// An item of a list of the case JSON merged in, by its path there.
    Merged(String),
}

fn parse_case_json(text: &str) -> Result<Value, FhirError> {
    let invalid = |problem: Problem| FhirError::new(ErrorKind::InvalidCase, vec![problem]);
    let value = read::parse(text, "the case JSON to merge in").map_err(invalid)?;
    if !value.is_object() {
        return Err(invalid(Problem::new(
            "",
            "the case JSON to merge in must be an object, a case or part of one",
        )));
    }
    Ok(value)
}

/// Merges `extra` (the case JSON) into `base` (what the resources gave) at `path`.
fn merge(
    base: &mut Value,
    extra: Value,
    path: &str,
    provenance: &mut Vec<(String, Origin)>,
    problems: &mut Vec<Problem>,
) {
    match (base, extra) {
        (Value::Object(base), Value::Object(extra)) => {
            for (key, value) in extra {
                let at = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value, &at, provenance, problems),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(base), Value::Array(extra)) => {
            let offset = base.len();
            for (i, item) in extra.into_iter().enumerate() {
                if offset > 0 {
                    provenance.push((
                        format!("{path}[{}]", offset + i),
                        Origin::Merged(format!("{path}[{i}]")),
                    ));
                }
                base.push(item);
            }
        }
        (base, extra) if *base == extra => {}
        _ => problems.push(
            Problem::new(
                path,
                "the FHIR resources and the case JSON give this field different values",
            )
            .with_help("give it in one place: leave it out of the case JSON, or correct the record the FHIR came from"),
        ),
    }
}

/// A case check's problem, pointed at the FHIR element the value came from.
fn from_case_problem(problem: &careplan_core::CaseProblem, provenance: &[(String, Origin)]) -> Problem {
    let path = problem.path();
    let origin = provenance
        .iter()
        .filter(|(case_path, _)| {
            path == case_path
                || path
                    .strip_prefix(case_path.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
        .max_by_key(|(case_path, _)| case_path.len());
    let out = match origin {
        Some((_, Origin::Fhir(fhir_path))) => Problem::new(
            fhir_path.clone(),
            format!("{} (the case's `{path}`, read from here)", problem.message()),
        ),
        Some((case_path, Origin::Merged(merged_path))) => {
            let rest = path.get(case_path.len()..).unwrap_or_default();
            Problem::new(
                format!("{merged_path}{rest}"),
                format!("{} (in the case JSON merged in)", problem.message()),
            )
        }
        None => Problem::new(path, problem.message()),
    };
    match problem.help() {
        Some(help) => out.with_help(help),
        None => out,
    }
}
