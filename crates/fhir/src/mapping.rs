//! The mapping table: which FHIR codes mean what to careplan.
//!
//! Policy lives here as data, never in code: which SNOMED CT codes count as an
//! impairment or illness, which encounter classes are hospital stays, which admission
//! methods are emergencies, which flags mean the practice's register, and so on. The
//! built-in table (`mapping/uk-core.toml`) is careplan's reading of UK Core for England;
//! an area passes its own (`careplan fhir-to-case --mapping`) to add its local codes.
//! Codes are written as FHIR search tokens, `system|code`.

use careplan_core::PlanKind;
use serde::de::{Deserializer, Error as _};
use serde::Deserialize;

use crate::error::{ErrorKind, FhirError, Problem};

/// The built-in mapping table, as text.
pub const UK_CORE: &str = include_str!("../mapping/uk-core.toml");

/// A code in a code system, written `system|code` in the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub system: String,
    pub code: String,
}

impl<'de> Deserialize<'de> for Token {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.split_once('|') {
            Some((system, code)) if !system.is_empty() && !code.is_empty() && !code.contains('|') => Ok(Token {
                system: system.to_owned(),
                code: code.to_owned(),
            }),
            _ => Err(D::Error::custom(format!(
                "`{text}` is not a code written `system|code`, e.g. `http://snomed.info/sct|52448006`"
            ))),
        }
    }
}

/// Whether `system` and `code` are among `tokens`.
pub(crate) fn listed(tokens: &[Token], system: Option<&str>, code: Option<&str>) -> bool {
    match (system, code) {
        (Some(system), Some(code)) => tokens.iter().any(|t| t.system == system && t.code == code),
        _ => false,
    }
}

/// How the mapping reads FHIR resources into a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub(crate) patient: PatientMapping,
    pub(crate) conditions: ConditionMapping,
    pub(crate) encounters: EncounterMapping,
    #[serde(default)]
    pub(crate) plans: Vec<PlanMapping>,
    pub(crate) frailty: FrailtyMapping,
    pub(crate) register: RegisterMapping,
    pub(crate) carers: CarerMapping,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatientMapping {
    /// The identifier system of the NHS number.
    pub nhs_number_system: String,
    /// The identifier system of an organisation's ODS code.
    pub ods_code_system: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConditionMapping {
    /// Codes whose conditions are a physical or mental impairment or illness.
    pub impairment_or_illness: Vec<Token>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EncounterMapping {
    /// `Encounter.class` codes of a hospital stay.
    pub inpatient_classes: Vec<Token>,
    /// The URL of the admission method extension on `Encounter.hospitalization`.
    pub admission_method_extension: String,
    /// Admission methods that are emergency admissions.
    pub emergency_admission_methods: Vec<Token>,
    /// Admission methods that are not.
    pub other_admission_methods: Vec<Token>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanMapping {
    /// The careplan plan kind.
    pub kind: PlanKind,
    /// `CarePlan.category` codes of this kind.
    pub categories: Vec<Token>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrailtyMapping {
    /// `Observation.code` of an electronic frailty index result.
    pub efi: Vec<Token>,
    /// Condition codes that record frailty confirmed by clinical judgement.
    pub confirmed_by: Vec<Token>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegisterMapping {
    /// `Flag.code` of the practice's register of patients at risk of unplanned admission.
    pub flags: Vec<Token>,
    /// `EpisodeOfCare.type` of the same register.
    pub episodes_of_care: Vec<Token>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CarerMapping {
    /// `RelatedPerson.relationship` codes of an unpaid carer.
    pub relationships: Vec<Token>,
}

impl Mapping {
    /// The built-in table, [`UK_CORE`]. A unit test reads it, so this fails only in a
    /// build whose tests were not run; it returns the problem rather than panicking.
    pub fn uk_core() -> Result<Mapping, FhirError> {
        Mapping::from_toml(UK_CORE, "uk-core.toml")
    }

    /// Reads a table; `name` names it in problems (e.g. its file name).
    pub fn from_toml(text: &str, name: &str) -> Result<Mapping, FhirError> {
        toml::from_str(text).map_err(|err: toml::de::Error| {
            let mut problem = Problem::new(name.to_owned(), err.message().to_owned());
            if let Some(span) = err.span() {
                let (line, column) = line_column(text, span.start);
                problem = problem.at(line, column);
            }
            FhirError::new(ErrorKind::InvalidMapping, vec![problem])
        })
    }
}

/// Line and column (from 1, columns in characters) of byte `at` of `text`.
pub(crate) fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_reads() {
        let mapping = Mapping::from_toml(UK_CORE, "uk-core.toml").expect("the built-in table");
        assert!(!mapping.conditions.impairment_or_illness.is_empty());
        assert!(!mapping.encounters.emergency_admission_methods.is_empty());
        assert!(!mapping.carers.relationships.is_empty());
        assert_eq!(mapping.patient.nhs_number_system, "https://fhir.nhs.uk/Id/nhs-number");
    }

    #[test]
    fn a_bad_token_is_a_problem_at_its_line() {
        let text = UK_CORE.replacen("\"http://snomed.info/sct|", "\"http://snomed.info/sct ", 1);
        let err = Mapping::from_toml(&text, "area.toml").expect_err("a bad token");
        let problem = &err.problems()[0];
        assert_eq!(problem.path(), "area.toml");
        assert!(
            problem.message().contains("is not a code written `system|code`"),
            "{problem:?}"
        );
        assert!(problem.position().is_some_and(|(line, _)| line > 1));
    }

    #[test]
    fn an_unknown_key_and_an_unknown_plan_kind_are_problems() {
        let err = Mapping::from_toml(&format!("{UK_CORE}\n[extra]\n"), "t.toml").expect_err("unknown key");
        assert!(err.problems()[0].message().contains("unknown field `extra`"), "{err:?}");
        let text = format!("{UK_CORE}\n[[plans]]\nkind = \"gp_plan\"\ncategories = []\n");
        let err = Mapping::from_toml(&text, "t.toml").expect_err("unknown kind");
        assert!(err.problems()[0].message().contains("gp_plan"), "{err:?}");
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncdé\nf", 0), (1, 1));
        assert_eq!(line_column("ab\ncdé\nf", 3), (2, 1));
        assert_eq!(line_column("ab\ncdé\nf", 8), (3, 1));
        assert_eq!(line_column("ab\ncdé\nf", 7), (2, 4));
    }
}
