//! Resources to case JSON: the mapping itself, one function per resource type.
//!
//! The rule throughout: what is malformed is a problem at its FHIR path; what careplan
//! cannot represent without guessing (a condition with no SNOMED CT code, a plan of no
//! mapped kind, a stay with no start) is left out with a note saying so; nothing is
//! dropped without one. Every case value made records the FHIR path it came from, so
//! that the case checks' problems can point into the FHIR.

use std::collections::BTreeMap;

use careplan_core::Date;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::error::{Note, Problem};
use crate::mapping::{listed, Mapping, Token};
use crate::read::Entry;
use crate::resources::{
    CarePlan, CodeableConcept, Condition, Encounter, EpisodeOfCare, Flag, Observation, Organization, Patient, Period,
    Reference, RelatedPerson,
};
use crate::time::day_of;

/// The SNOMED CT system: the case's conditions are SNOMED CT concepts.
const SNOMED: &str = "http://snomed.info/sct";

/// Resource types that only support others (read through references, or not at all),
/// so they are not listed as unread.
const SUPPORTING: [&str; 4] = ["Organization", "Practitioner", "PractitionerRole", "Location"];

/// The case made from the resources, before the case JSON is merged in.
pub(crate) struct Made {
    /// The case JSON.
    pub case: Map<String, Value>,
    /// Case paths and the FHIR paths they came from, e.g. `person.date_of_birth` and
    /// `Bundle.entry[0].resource.birthDate`.
    pub provenance: Vec<(String, String)>,
}

/// Reads `entries` into a case.
pub(crate) fn make(
    entries: &[Entry<'_>],
    mapping: &Mapping,
    problems: &mut Vec<Problem>,
    notes: &mut Vec<Note>,
) -> Made {
    let mut reader = Reader {
        mapping,
        problems,
        notes,
        provenance: Vec::new(),
        patient_refs: Vec::new(),
        nhs_number: None,
        unread: BTreeMap::new(),
    };
    let entries = reader.distinct(entries);
    let mut case = Map::new();
    let Some(person) = reader.person(&entries) else {
        // Without the patient no other resource can be checked as theirs.
        return Made {
            case,
            provenance: reader.provenance,
        };
    };
    case.insert("person".to_owned(), Value::Object(person));
    let mut conditions = Vec::new();
    let mut confirmed_frailty = None;
    let mut events = Vec::new();
    let mut plans = Vec::new();
    let mut efi = Vec::new();
    let mut register = Vec::new();
    let mut carers = Vec::new();
    for entry in &entries {
        match entry.kind {
            "Patient" => {}
            "Condition" => reader.condition(entry, &mut conditions, &mut confirmed_frailty),
            "Encounter" => reader.encounter(entry, &mut events),
            "CarePlan" => reader.care_plan(entry, &mut plans),
            "Observation" => reader.observation(entry, &mut efi),
            "Flag" => reader.flag(entry, &mut register),
            "EpisodeOfCare" => reader.episode_of_care(entry, &mut register),
            "RelatedPerson" => reader.related_person(entry, &mut carers),
            kind if SUPPORTING.contains(&kind) => {}
            kind => reader.not_read(entry, format!("careplan does not read {kind} resources")),
        }
    }
    for (name, list) in [
        ("conditions", conditions),
        ("events", events),
        ("plans", plans),
        ("carers", carers),
    ] {
        if !list.is_empty() {
            case.insert(name.to_owned(), Value::Array(list));
        }
    }
    if let Some(frailty) = reader.frailty(efi, confirmed_frailty) {
        case.insert("frailty".to_owned(), frailty);
    }
    if let Some(register) = reader.register(register) {
        case.insert("gp_register".to_owned(), register);
    }
    for (message, (count, path)) in std::mem::take(&mut reader.unread) {
        let message = if count == 1 {
            message
        } else {
            format!("{message} ({count} here; this is the first)")
        };
        reader.notes.push(Note { path, message });
    }
    Made {
        case,
        provenance: reader.provenance,
    }
}

/// An eFI result, a register entry: candidates of which the latest is kept.
struct Dated {
    date: Date,
    path: String,
    value: Value,
    provenance: Vec<(String, String)>,
}

struct Reader<'a, 'm> {
    mapping: &'m Mapping,
    problems: &'a mut Vec<Problem>,
    notes: &'a mut Vec<Note>,
    provenance: Vec<(String, String)>,
    /// The references that mean the patient: `Patient/<id>` and the entry's `fullUrl`.
    patient_refs: Vec<String>,
    nhs_number: Option<String>,
    /// Notes of resources not read, by message: how many, and the first one's path.
    unread: BTreeMap<String, (usize, String)>,
}

impl Reader<'_, '_> {
    fn problem(&mut self, path: String, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    fn note(&mut self, path: &str, message: impl Into<String>) {
        self.notes.push(Note {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn not_read(&mut self, entry: &Entry<'_>, message: String) {
        let slot = self.unread.entry(message).or_insert_with(|| (0, entry.path.clone()));
        slot.0 += 1;
    }

    fn from(&mut self, case_path: String, fhir_path: String) {
        self.provenance.push((case_path, fhir_path));
    }

    /// The entries without repeats: the same resource twice (as a prefetch may send it)
    /// is read once; two different resources with the same type and id are a problem.
    fn distinct<'e>(&mut self, entries: &'e [Entry<'e>]) -> Vec<&'e Entry<'e>> {
        let mut seen: BTreeMap<(&str, &str), &Entry<'_>> = BTreeMap::new();
        let mut out = Vec::new();
        for entry in entries {
            if let Some(id) = entry.id {
                if let Some(first) = seen.get(&(entry.kind, id)) {
                    if first.value != entry.value {
                        let message = format!(
                            "this {} has the same id as the one at `{}` but different content; careplan does not choose between them",
                            entry.kind, first.path
                        );
                        self.problem(entry.path.clone(), message);
                    }
                    continue;
                }
                seen.insert((entry.kind, id), entry);
            }
            out.push(entry);
        }
        out
    }

    /// Reads `entry` as a `T`, or records the problem at its path.
    fn typed<T: DeserializeOwned>(&mut self, entry: &Entry<'_>) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(entry.value) {
            Ok(value) => Some(value),
            Err(err) => {
                let inner = reword(&err.inner().to_string());
                let at = err.path().to_string();
                let path = if at == "." || at.is_empty() {
                    entry.path.clone()
                } else {
                    format!("{}.{at}", entry.path)
                };
                self.problem(path, inner);
                None
            }
        }
    }

    /// The day of a FHIR date at `path`, or a problem there.
    fn day(&mut self, text: &str, path: String) -> Option<Date> {
        match day_of(text) {
            Ok(day) => Some(day),
            Err(err) => {
                self.problem(path, err.message());
                None
            }
        }
    }

    /// The start and end days of a period at `path`; each may be absent.
    fn period(&mut self, period: Option<&Period>, path: &str) -> (Option<Date>, Option<Date>) {
        let Some(period) = period else {
            return (None, None);
        };
        let start = period
            .start
            .as_deref()
            .and_then(|s| self.day(s, format!("{path}.start")));
        let end = period.end.as_deref().and_then(|s| self.day(s, format!("{path}.end")));
        (start, end)
    }

    /// Whether `reference` (at `path`) is the case's patient. A reference to someone
    /// else, or none at all, is a problem: resources of two people are never mixed.
    fn about_patient(&mut self, reference: Option<&Reference>, path: String, kind: &str) -> bool {
        let Some(reference) = reference else {
            self.problem(
                path,
                format!("this {kind} does not say whose it is, so careplan cannot tell that it is the patient's"),
            );
            return false;
        };
        if let Some(target) = &reference.reference {
            let patient = self
                .patient_refs
                .iter()
                .any(|r| target == r || (r.starts_with("Patient/") && target.ends_with(&format!("/{r}"))));
            if patient {
                return true;
            }
            self.problem(
                format!("{path}.reference"),
                format!("this {kind} is about someone other than the patient of this case"),
            );
            return false;
        }
        if let (Some(identifier), Some(nhs)) = (&reference.identifier, &self.nhs_number) {
            if identifier.system.as_deref() == Some(self.mapping.patient.nhs_number_system.as_str()) {
                if identifier.value.as_deref() == Some(nhs.as_str()) {
                    return true;
                }
                self.problem(
                    format!("{path}.identifier"),
                    format!("this {kind} is about someone other than the patient of this case"),
                );
                return false;
            }
        }
        self.problem(
            path,
            format!("this {kind}'s reference names no resource careplan can match to the patient"),
        );
        false
    }

    fn person(&mut self, entries: &[&Entry<'_>]) -> Option<Map<String, Value>> {
        let patients: Vec<&&Entry<'_>> = entries.iter().filter(|e| e.kind == "Patient").collect();
        let (entry, others) = match patients.split_first() {
            Some(split) => split,
            None => {
                self.problems.push(
                    Problem::new(
                        "",
                        "there is no Patient resource; a case is about one person, and careplan needs their Patient",
                    )
                    .with_help("include the Patient in the Bundle, or send it as the `patient` prefetch"),
                );
                return None;
            }
        };
        for other in others {
            self.problem(
                other.path.clone(),
                format!(
                    "a second Patient (the first is at `{}`); a case is about one person",
                    entry.path
                ),
            );
        }
        let patient: Patient = self.typed(entry)?;
        let path = &entry.path;
        let mut person = Map::new();
        match (patient.id.as_deref().or(entry.id), entry.full_url) {
            (Some(id), full_url) => {
                self.patient_refs.push(format!("Patient/{id}"));
                self.patient_refs.extend(full_url.map(str::to_owned));
                person.insert("id".to_owned(), json!(id));
                self.from("person.id".to_owned(), format!("{path}.id"));
            }
            (None, Some(full_url)) => {
                self.patient_refs.push(full_url.to_owned());
                person.insert("id".to_owned(), json!(full_url));
                self.from(
                    "person.id".to_owned(),
                    path.trim_end_matches(".resource").to_owned() + ".fullUrl",
                );
            }
            (None, None) => self.problem(
                path.clone(),
                "the Patient has neither an id nor a fullUrl to identify the case by",
            ),
        }
        self.nhs_number(&patient, path, &mut person);
        match &patient.birth_date {
            Some(text) => {
                if let Some(day) = self.day(text, format!("{path}.birthDate")) {
                    person.insert("date_of_birth".to_owned(), json!(day.to_string()));
                    self.from("person.date_of_birth".to_owned(), format!("{path}.birthDate"));
                }
            }
            None => {
                let help = if entry.value.get("_birthDate").is_some() {
                    "this birthDate carries only an extension (such as the birth time), not a date"
                } else {
                    "age decides several duties (the named GP at 75, transition to adult services at 18)"
                };
                self.problems.push(
                    Problem::new(
                        format!("{path}.birthDate"),
                        "the Patient has no birthDate; careplan needs the date of birth",
                    )
                    .with_help(help),
                );
            }
        }
        match (&patient.deceased_date_time, patient.deceased_boolean) {
            (Some(text), _) => {
                if let Some(day) = self.day(text, format!("{path}.deceasedDateTime")) {
                    person.insert("date_of_death".to_owned(), json!(day.to_string()));
                    self.from("person.date_of_death".to_owned(), format!("{path}.deceasedDateTime"));
                }
            }
            (None, Some(true)) => self.problems.push(
                Problem::new(
                    format!("{path}.deceasedBoolean"),
                    "the Patient is recorded as deceased without a date; careplan needs the date of death, and does not guess it",
                )
                .with_help("send `deceasedDateTime`, or put `person.date_of_death` in the case JSON merged in"),
            ),
            (None, _) => {}
        }
        self.postcode(&patient, path, &mut person);
        self.practice(&patient, path, entries, &mut person);
        Some(person)
    }

    fn nhs_number(&mut self, patient: &Patient, path: &str, person: &mut Map<String, Value>) {
        let system = self.mapping.patient.nhs_number_system.clone();
        let mut found: Option<(usize, &str)> = None;
        for (i, identifier) in patient.identifier.iter().enumerate() {
            if identifier.system.as_deref() != Some(system.as_str()) {
                continue;
            }
            let Some(value) = identifier.value.as_deref() else {
                self.problem(
                    format!("{path}.identifier[{i}].value"),
                    "the NHS number identifier has no value",
                );
                continue;
            };
            match found {
                Some((_, first)) if first != value => {
                    self.problem(
                        format!("{path}.identifier[{i}]"),
                        "the Patient has two different NHS numbers",
                    );
                }
                Some(_) => {}
                None => found = Some((i, value)),
            }
        }
        if let Some((i, value)) = found {
            person.insert("nhs_number".to_owned(), json!(value));
            self.nhs_number = Some(value.to_owned());
            self.from("person.nhs_number".to_owned(), format!("{path}.identifier[{i}].value"));
        }
    }

    /// The postcode of the home address: `use` `home`, else the one address with no
    /// `use`; not one whose period has ended, not a postal-only address.
    fn postcode(&mut self, patient: &Patient, path: &str, person: &mut Map<String, Value>) {
        let current: Vec<(usize, &crate::resources::Address)> = patient
            .address
            .iter()
            .enumerate()
            .filter(|(_, a)| a.period.as_ref().is_none_or(|p| p.end.is_none()) && a.type_.as_deref() != Some("postal"))
            .collect();
        let home: Vec<_> = current
            .iter()
            .filter(|(_, a)| a.use_.as_deref() == Some("home"))
            .collect();
        let unmarked: Vec<_> = current.iter().filter(|(_, a)| a.use_.is_none()).collect();
        let chosen = match (home.as_slice(), unmarked.as_slice()) {
            ([one], _) | ([], [one]) => Some(**one),
            ([], []) => None,
            _ => {
                self.note(
                    &format!("{path}.address"),
                    "the Patient has more than one current home address; no postcode was read",
                );
                None
            }
        };
        if let Some((i, address)) = chosen {
            match &address.postal_code {
                Some(code) => {
                    person.insert("postcode".to_owned(), json!(code));
                    self.from("person.postcode".to_owned(), format!("{path}.address[{i}].postalCode"));
                }
                None => self.note(&format!("{path}.address[{i}]"), "the home address has no postalCode"),
            }
        }
    }

    /// The ODS code of the registered GP practice: from the reference's identifier, or
    /// from the Organization it refers to.
    fn practice(&mut self, patient: &Patient, path: &str, entries: &[&Entry<'_>], person: &mut Map<String, Value>) {
        let ods = self.mapping.patient.ods_code_system.clone();
        let mut codes: Vec<(String, String)> = Vec::new();
        for (i, reference) in patient.general_practitioner.iter().enumerate() {
            let at = format!("{path}.generalPractitioner[{i}]");
            if let Some(identifier) = &reference.identifier {
                if identifier.system.as_deref() == Some(ods.as_str()) {
                    if let Some(value) = &identifier.value {
                        codes.push((value.clone(), format!("{at}.identifier.value")));
                        continue;
                    }
                }
            }
            let Some(target) = reference.reference.as_deref() else {
                self.note(
                    &at,
                    "this reference has no ODS code and names no resource; it was not read",
                );
                continue;
            };
            if !target.contains("Organization/") {
                self.note(
                    &at,
                    "a practitioner, not a practice: careplan reads the practice's ODS code here (the named GP comes from the case JSON)",
                );
                continue;
            }
            let organization = entries.iter().find(|e| {
                e.kind == "Organization"
                    && (e.full_url == Some(target)
                        || e.id.is_some_and(|id| {
                            target == format!("Organization/{id}") || target.ends_with(&format!("/Organization/{id}"))
                        }))
            });
            let Some(organization) = organization else {
                self.note(
                    &at,
                    "the Organization this refers to is not in the input, so its ODS code is not known",
                );
                continue;
            };
            let Some(org) = self.typed::<Organization>(organization) else {
                continue;
            };
            match org
                .identifier
                .iter()
                .enumerate()
                .find(|(_, id)| id.system.as_deref() == Some(ods.as_str()))
            {
                Some((j, identifier)) => match &identifier.value {
                    Some(value) => codes.push((value.clone(), format!("{}.identifier[{j}].value", organization.path))),
                    None => self.problem(
                        format!("{}.identifier[{j}].value", organization.path),
                        "the ODS code has no value",
                    ),
                },
                None => self.note(&organization.path, "the GP practice's Organization has no ODS code"),
            }
        }
        codes.dedup_by(|a, b| a.0 == b.0);
        match codes.as_slice() {
            [] => {}
            [(code, from)] => {
                person.insert("gp_practice".to_owned(), json!(code));
                self.from("person.gp_practice".to_owned(), from.clone());
            }
            [_, (_, second), ..] => self.problem(
                second.clone(),
                "the Patient names more than one GP practice; careplan does not choose between them",
            ),
        }
    }

    fn condition(&mut self, entry: &Entry<'_>, out: &mut Vec<Value>, confirmed_frailty: &mut Option<String>) {
        let Some(condition) = self.typed::<Condition>(entry) else {
            return;
        };
        let path = &entry.path;
        if !self.about_patient(condition.subject.as_ref(), format!("{path}.subject"), "Condition") {
            return;
        }
        let verification = code_of(condition.verification_status.as_ref());
        if let Some(status @ ("refuted" | "entered-in-error")) = verification {
            let message = format!(
                "the condition's verificationStatus is `{status}`, so it is not one the person has; it was left out"
            );
            self.note(path, message);
            return;
        }
        let active = match code_of(condition.clinical_status.as_ref()) {
            Some("active" | "recurrence" | "relapse") => true,
            Some("inactive" | "remission" | "resolved") => false,
            Some(_) => {
                self.problem(
                    format!("{path}.clinicalStatus"),
                    "not a code of http://terminology.hl7.org/CodeSystem/condition-clinical (active, recurrence, relapse, inactive, remission, resolved)",
                );
                return;
            }
            None => {
                self.note(
                    path,
                    "the condition has no clinicalStatus, so whether it is current is not known; it was left out",
                );
                return;
            }
        };
        let Some(code) = condition.code.as_ref() else {
            self.note(path, "the condition has no code; it was left out");
            return;
        };
        let Some((i, coding)) = code.coding_of(SNOMED) else {
            self.note(
                &format!("{path}.code"),
                "the condition has no SNOMED CT coding (the case's conditions are SNOMED CT concepts); it was left out",
            );
            return;
        };
        let concept = coding.code.clone().unwrap_or_default();
        let index = out.len();
        let case_path = format!("conditions[{index}]");
        if !concept.bytes().all(|b| b.is_ascii_digit()) || concept.is_empty() {
            self.problem(
                format!("{path}.code.coding[{i}].code"),
                "a SNOMED CT concept id is digits only",
            );
            return;
        }
        let mut item = Map::new();
        item.insert("code".to_owned(), json!(concept));
        self.from(format!("{case_path}.code"), format!("{path}.code.coding[{i}].code"));
        if let Some(term) = coding.display.as_ref().or(code.text.as_ref()) {
            item.insert("term".to_owned(), json!(term));
        }
        let onset = match (&condition.onset_date_time, &condition.onset_period) {
            (Some(text), _) => self
                .day(text, format!("{path}.onsetDateTime"))
                .map(|d| (d, "onsetDateTime")),
            (None, Some(period)) => period
                .start
                .as_deref()
                .and_then(|s| self.day(s, format!("{path}.onsetPeriod.start")))
                .map(|d| (d, "onsetPeriod.start")),
            (None, None) => None,
        };
        if let Some((day, element)) = onset {
            item.insert("onset".to_owned(), json!(day.to_string()));
            self.from(format!("{case_path}.onset"), format!("{path}.{element}"));
        }
        item.insert("active".to_owned(), json!(active));
        self.from(format!("{case_path}.active"), format!("{path}.clinicalStatus"));
        let impairment = listed(
            &self.mapping.conditions.impairment_or_illness,
            Some(SNOMED),
            Some(&concept),
        );
        item.insert("impairment_or_illness".to_owned(), json!(impairment));
        if !impairment {
            self.not_read_flag(entry);
        }
        let confirmed = verification == Some("confirmed");
        if active && confirmed && listed(&self.mapping.frailty.confirmed_by, Some(SNOMED), Some(&concept)) {
            confirmed_frailty.get_or_insert_with(|| path.clone());
        }
        self.from(case_path, path.clone());
        out.push(Value::Object(item));
    }

    /// A condition whose code the mapping does not list as an impairment or illness.
    fn not_read_flag(&mut self, entry: &Entry<'_>) {
        let message = "the mapping table does not list this condition's code as an impairment or illness \
                       (`[conditions] impairment_or_illness`), so `impairment_or_illness` is false"
            .to_owned();
        self.note(&format!("{}.code", entry.path), message);
    }

    fn encounter(&mut self, entry: &Entry<'_>, events: &mut Vec<Value>) {
        let Some(encounter) = self.typed::<Encounter>(entry) else {
            return;
        };
        let path = &entry.path;
        let class = encounter.class.as_ref();
        if !listed(
            &self.mapping.encounters.inpatient_classes,
            class.and_then(|c| c.system.as_deref()),
            class.and_then(|c| c.code.as_deref()),
        ) {
            self.not_read(
                entry,
                "Encounters that are not hospital stays (`[encounters] inpatient_classes`) are not read".to_owned(),
            );
            return;
        }
        if !self.about_patient(encounter.subject.as_ref(), format!("{path}.subject"), "Encounter") {
            return;
        }
        let status = encounter.status.as_deref().unwrap_or("");
        let finished = match status {
            "finished" => true,
            "arrived" | "triaged" | "in-progress" | "onleave" => false,
            "planned" | "cancelled" | "entered-in-error" | "unknown" => {
                self.note(
                    path,
                    format!("the stay's status is `{status}`, so it is not a stay that has happened; it was left out"),
                );
                return;
            }
            _ => {
                self.problem(format!("{path}.status"), "not an Encounter status of FHIR R4");
                return;
            }
        };
        let (start, end) = self.period(encounter.period.as_ref(), &format!("{path}.period"));
        let Some(start) = start else {
            self.note(
                path,
                "the stay has no period.start, so when the person was admitted is not known; it was left out",
            );
            return;
        };
        let emergency = self.emergency(&encounter, path);
        let index = events.len();
        events.push(json!({"date": start.to_string(), "kind": "hospital_admission", "emergency": emergency}));
        self.from(format!("events[{index}].date"), format!("{path}.period.start"));
        self.from(format!("events[{index}]"), path.clone());
        match (finished, end) {
            (true, Some(end)) => {
                let index = events.len();
                events.push(json!({"date": end.to_string(), "kind": "hospital_discharge"}));
                self.from(format!("events[{index}].date"), format!("{path}.period.end"));
                self.from(format!("events[{index}]"), path.clone());
            }
            (true, None) => self.note(
                path,
                "the stay is finished but has no period.end, so the discharge date is not known; only the admission was read",
            ),
            (false, _) => {}
        }
    }

    /// Whether the stay's admission method is an emergency one. No method, or one the
    /// mapping lists neither way (such as `99`, not known), is read as not an
    /// emergency, with a note saying so.
    fn emergency(&mut self, encounter: &Encounter, path: &str) -> bool {
        let url = self.mapping.encounters.admission_method_extension.clone();
        let method = encounter.hospitalization.as_ref().and_then(|h| {
            h.extension
                .iter()
                .enumerate()
                .find(|(_, e)| e.url == url)
                .map(|(i, e)| (i, e.value_codeable_concept.clone().unwrap_or_default()))
        });
        let Some((i, concept)) = method else {
            self.note(
                path,
                "the stay has no admission method (Extension-UKCore-AdmissionMethod), so it was read as not an emergency admission",
            );
            return false;
        };
        let at = format!("{path}.hospitalization.extension[{i}]");
        let tokens = (
            &self.mapping.encounters.emergency_admission_methods,
            &self.mapping.encounters.other_admission_methods,
        );
        for coding in &concept.coding {
            let (system, code) = (coding.system.as_deref(), coding.code.as_deref());
            if listed(tokens.0, system, code) {
                return true;
            }
            if listed(tokens.1, system, code) {
                return false;
            }
        }
        self.note(
            &at,
            "the mapping table lists this admission method neither as an emergency nor as another method \
             (`[encounters] emergency_admission_methods`, `other_admission_methods`), so it was read as not an emergency admission",
        );
        false
    }

    fn care_plan(&mut self, entry: &Entry<'_>, plans: &mut Vec<Value>) {
        let Some(plan) = self.typed::<CarePlan>(entry) else {
            return;
        };
        let path = &entry.path;
        if !self.about_patient(plan.subject.as_ref(), format!("{path}.subject"), "CarePlan") {
            return;
        }
        let kind = self.mapping.plans.iter().find(|m| {
            plan.category.iter().any(|c| {
                c.coding
                    .iter()
                    .any(|k| listed(&m.categories, k.system.as_deref(), k.code.as_deref()))
            })
        });
        let Some(kind) = kind.map(|m| m.kind) else {
            self.note(
                path,
                "the plan's category is not one the mapping table gives a plan kind (`[[plans]]`); it was left out",
            );
            return;
        };
        let status = plan.status.as_deref().unwrap_or("");
        let (start, end) = self.period(plan.period.as_ref(), &format!("{path}.period"));
        let index = plans.len();
        let mut item = Map::new();
        item.insert("kind".to_owned(), serde_json::to_value(kind).unwrap_or(Value::Null));
        if let Some(id) = &plan.id {
            item.insert("id".to_owned(), json!(id));
        }
        match status {
            "active" | "on-hold" => match start {
                Some(start) => {
                    item.insert("signed_off".to_owned(), json!(start.to_string()));
                    self.from(format!("plans[{index}].signed_off"), format!("{path}.period.start"));
                }
                None => self.note(path, "the plan is in force but has no period.start, so when it was agreed is not known; `signed_off` is left empty"),
            },
            "draft" => {}
            "completed" | "revoked" => {
                let Some(end) = end else {
                    self.note(path, format!("the plan is `{status}` but has no period.end, so when it ended is not known; it was left out"));
                    return;
                };
                if let Some(start) = start {
                    item.insert("signed_off".to_owned(), json!(start.to_string()));
                    self.from(format!("plans[{index}].signed_off"), format!("{path}.period.start"));
                }
                item.insert("ended".to_owned(), json!(end.to_string()));
                self.from(format!("plans[{index}].ended"), format!("{path}.period.end"));
            }
            "entered-in-error" | "unknown" => {
                self.note(path, format!("the plan's status is `{status}`; it was left out"));
                return;
            }
            _ => {
                self.problem(format!("{path}.status"), "not a CarePlan status of FHIR R4");
                return;
            }
        }
        self.from(format!("plans[{index}]"), path.clone());
        plans.push(Value::Object(item));
    }

    fn observation(&mut self, entry: &Entry<'_>, efi: &mut Vec<Dated>) {
        let Some(observation) = self.typed::<Observation>(entry) else {
            return;
        };
        let path = &entry.path;
        let is_efi = observation.code.as_ref().is_some_and(|c| {
            c.coding
                .iter()
                .any(|k| listed(&self.mapping.frailty.efi, k.system.as_deref(), k.code.as_deref()))
        });
        if !is_efi {
            self.not_read(
                entry,
                "Observations that are not electronic frailty index results (`[frailty] efi`) are not read".to_owned(),
            );
            return;
        }
        if !self.about_patient(observation.subject.as_ref(), format!("{path}.subject"), "Observation") {
            return;
        }
        match observation.status.as_deref() {
            Some("final" | "amended" | "corrected") => {}
            other => {
                let status = other.unwrap_or("(none)");
                self.note(
                    path,
                    format!("the eFI result's status is `{status}`, not a final result; it was left out"),
                );
                return;
            }
        }
        let (date, element) = match (&observation.effective_date_time, &observation.effective_period) {
            (Some(text), _) => (self.day(text, format!("{path}.effectiveDateTime")), "effectiveDateTime"),
            (None, Some(period)) => (
                period
                    .start
                    .as_deref()
                    .and_then(|s| self.day(s, format!("{path}.effectivePeriod.start"))),
                "effectivePeriod.start",
            ),
            (None, None) => {
                self.note(path, "the eFI result has no effective date; it was left out");
                return;
            }
        };
        let Some(date) = date else {
            return;
        };
        let Some(value) = observation.value_quantity.as_ref().and_then(|q| q.value) else {
            self.problem(
                format!("{path}.valueQuantity.value"),
                "an eFI result needs a value, the index from 0 to 1",
            );
            return;
        };
        let deficits = (value * 36.0).round();
        // An eFI is deficits / 36, usually written to two places: 0.19 is 7 deficits.
        if !(0.0..=1.0).contains(&value) || (value * 36.0 - deficits).abs() > 0.18 {
            self.problem(
                format!("{path}.valueQuantity.value"),
                "not an electronic frailty index: the index is deficits out of 36, from 0 to 1 (0.19 is 7 deficits)",
            );
            return;
        }
        efi.push(Dated {
            date,
            path: path.clone(),
            value: json!({"assessed": date.to_string(), "efi_deficits": deficits as u8}),
            provenance: vec![
                ("frailty.assessed".to_owned(), format!("{path}.{element}")),
                ("frailty.efi_deficits".to_owned(), format!("{path}.valueQuantity.value")),
                ("frailty".to_owned(), path.clone()),
            ],
        });
    }

    /// The latest eFI result, with `clinically_confirmed` from the conditions.
    fn frailty(&mut self, efi: Vec<Dated>, confirmed: Option<String>) -> Option<Value> {
        let Some(mut latest) = self.latest(efi, "eFI result") else {
            if let Some(path) = confirmed {
                self.note(
                    &path,
                    "frailty is confirmed but there is no eFI result, which a case's frailty needs; it was not read",
                );
            }
            return None;
        };
        if let (Some(path), Some(object)) = (confirmed, latest.value.as_object_mut()) {
            object.insert("clinically_confirmed".to_owned(), json!(true));
            latest
                .provenance
                .push(("frailty.clinically_confirmed".to_owned(), path));
        }
        self.provenance.append(&mut latest.provenance);
        Some(latest.value)
    }

    /// The latest of `candidates` by date (the first given on a tie); each other is noted.
    fn latest(&mut self, candidates: Vec<Dated>, what: &str) -> Option<Dated> {
        let mut latest: Option<Dated> = None;
        let mut earlier = Vec::new();
        for candidate in candidates {
            match &latest {
                Some(l) if candidate.date <= l.date => earlier.push(candidate.path),
                _ => {
                    if let Some(l) = latest.replace(candidate) {
                        earlier.push(l.path);
                    }
                }
            }
        }
        for path in earlier {
            self.note(&path, format!("a later {what} was read instead of this one"));
        }
        latest
    }

    fn flag(&mut self, entry: &Entry<'_>, register: &mut Vec<Dated>) {
        let Some(flag) = self.typed::<Flag>(entry) else {
            return;
        };
        if !codes_listed(flag.code.as_ref(), &self.mapping.register.flags) {
            self.not_read(
                entry,
                "Flags other than the register's (`[register] flags`) are not read".to_owned(),
            );
            return;
        }
        let path = &entry.path;
        if !self.about_patient(flag.subject.as_ref(), format!("{path}.subject"), "Flag") {
            return;
        }
        let removed_statuses: &[&str] = &["inactive"];
        self.register_entry(
            entry,
            flag.status.as_deref(),
            flag.period.as_ref(),
            removed_statuses,
            None,
            register,
        );
    }

    fn episode_of_care(&mut self, entry: &Entry<'_>, register: &mut Vec<Dated>) {
        let Some(episode) = self.typed::<EpisodeOfCare>(entry) else {
            return;
        };
        if !episode
            .type_
            .iter()
            .any(|t| codes_listed(Some(t), &self.mapping.register.episodes_of_care))
        {
            self.not_read(
                entry,
                "EpisodesOfCare other than the register's (`[register] episodes_of_care`) are not read".to_owned(),
            );
            return;
        }
        let path = &entry.path;
        if !self.about_patient(episode.patient.as_ref(), format!("{path}.patient"), "EpisodeOfCare") {
            return;
        }
        let status = match episode.status.as_deref() {
            Some("planned" | "waitlist") => {
                self.note(
                    path,
                    "the register episode has not started (`planned` or `waitlist`); it was left out",
                );
                return;
            }
            Some("onhold") => Some("active"),
            other => other,
        };
        let coordinator = episode.care_manager.as_ref().and_then(|r| r.display.clone());
        let removed_statuses: &[&str] = &["finished", "cancelled"];
        self.register_entry(
            entry,
            status,
            episode.period.as_ref(),
            removed_statuses,
            coordinator,
            register,
        );
    }

    /// A register entry of a Flag or an EpisodeOfCare.
    fn register_entry(
        &mut self,
        entry: &Entry<'_>,
        status: Option<&str>,
        period: Option<&Period>,
        removed_statuses: &[&str],
        coordinator: Option<String>,
        register: &mut Vec<Dated>,
    ) {
        let path = &entry.path;
        let ended = match status {
            Some("active") => false,
            Some(s) if removed_statuses.contains(&s) => true,
            Some("entered-in-error") => {
                self.note(path, "the register entry was entered in error; it was left out");
                return;
            }
            _ => {
                self.problem(
                    format!("{path}.status"),
                    format!(
                        "not a status careplan reads for a register entry (`active`, `{}`)",
                        removed_statuses.join("`, `")
                    ),
                );
                return;
            }
        };
        let (start, end) = self.period(period, &format!("{path}.period"));
        let Some(added) = start else {
            self.note(
                path,
                "the register entry has no period.start, so when the patient was added is not known; it was left out",
            );
            return;
        };
        let mut value = Map::new();
        value.insert("added".to_owned(), json!(added.to_string()));
        let mut provenance = vec![
            ("gp_register.added".to_owned(), format!("{path}.period.start")),
            ("gp_register".to_owned(), path.clone()),
        ];
        match (ended, end) {
            (true, Some(end)) => {
                value.insert("removed".to_owned(), json!(end.to_string()));
                provenance.push(("gp_register.removed".to_owned(), format!("{path}.period.end")));
            }
            (true, None) => {
                self.note(
                    path,
                    "the register entry has ended but has no period.end, so when is not known; it was left out",
                );
                return;
            }
            (false, _) => {}
        }
        if let Some(coordinator) = coordinator {
            value.insert("care_coordinator".to_owned(), json!(coordinator));
            provenance.push((
                "gp_register.care_coordinator".to_owned(),
                format!("{path}.careManager.display"),
            ));
        }
        register.push(Dated {
            date: added,
            path: path.clone(),
            value: Value::Object(value),
            provenance,
        });
    }

    fn register(&mut self, register: Vec<Dated>) -> Option<Value> {
        let mut latest = self.latest(register, "register entry")?;
        self.provenance.append(&mut latest.provenance);
        Some(latest.value)
    }

    fn related_person(&mut self, entry: &Entry<'_>, carers: &mut Vec<Value>) {
        let Some(person) = self.typed::<RelatedPerson>(entry) else {
            return;
        };
        let is_carer = person
            .relationship
            .iter()
            .any(|r| codes_listed(Some(r), &self.mapping.carers.relationships));
        if !is_carer {
            self.not_read(
                entry,
                "RelatedPersons not coded as carers (`[carers] relationships`) are not read".to_owned(),
            );
            return;
        }
        let path = &entry.path;
        if !self.about_patient(person.patient.as_ref(), format!("{path}.patient"), "RelatedPerson") {
            return;
        }
        if person.active == Some(false) {
            self.note(path, "the carer's record is not active; it was left out");
            return;
        }
        let (from, to) = self.period(person.period.as_ref(), &format!("{path}.period"));
        let index = carers.len();
        let mut item = Map::new();
        if let Some(id) = &person.id {
            item.insert("id".to_owned(), json!(id));
        }
        if let Some(from) = from {
            item.insert("from".to_owned(), json!(from.to_string()));
            self.from(format!("carers[{index}].from"), format!("{path}.period.start"));
        }
        if let Some(to) = to {
            item.insert("to".to_owned(), json!(to.to_string()));
            self.from(format!("carers[{index}].to"), format!("{path}.period.end"));
        }
        self.from(format!("carers[{index}]"), path.clone());
        carers.push(Value::Object(item));
    }
}

/// The code of a status CodeableConcept's first coding.
fn code_of(concept: Option<&CodeableConcept>) -> Option<&str> {
    concept?.coding.iter().find_map(|c| c.code.as_deref())
}

/// Whether any coding of `concept` is among `tokens`.
fn codes_listed(concept: Option<&CodeableConcept>, tokens: &[Token]) -> bool {
    concept.is_some_and(|c| {
        c.coding
            .iter()
            .any(|k| listed(tokens, k.system.as_deref(), k.code.as_deref()))
    })
}

/// serde's message without the value it quotes (FHIR values are personal data):
/// `invalid type: string "1970", expected a boolean` becomes `this is a string; FHIR has
/// a boolean here`.
fn reword(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let kind = found.split([' ', '`', '"']).next().unwrap_or(found);
            let kind = match kind {
                "map" => "an object",
                "sequence" => "an array",
                "string" => "a string",
                "boolean" => "a boolean",
                "integer" => "an integer",
                "floating" => "a number",
                "null" => "null",
                other => other,
            };
            let expected = match expected {
                "f64" | "f32" => "a number",
                "a sequence" => "an array",
                other if other.starts_with("struct ") || other == "a map" => "an object",
                other => other,
            };
            return format!("this is {kind}; FHIR has {expected} here");
        }
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::reword;

    #[test]
    fn reworded_messages_quote_no_value() {
        assert_eq!(
            reword("invalid type: string \"1970-01-01\", expected a boolean"),
            "this is a string; FHIR has a boolean here"
        );
        assert_eq!(
            reword("invalid type: integer `19700101`, expected a string"),
            "this is an integer; FHIR has a string here"
        );
        assert_eq!(
            reword("invalid type: map, expected a sequence"),
            "this is an object; FHIR has an array here"
        );
        assert_eq!(
            reword("invalid type: string \"0.2\", expected f64"),
            "this is a string; FHIR has a number here"
        );
        assert_eq!(
            reword("invalid type: sequence, expected struct Period"),
            "this is an array; FHIR has an object here"
        );
        assert_eq!(reword("missing field `url`"), "missing field `url`");
    }
}
