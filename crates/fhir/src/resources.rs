//! The FHIR R4 elements careplan reads, as small serde types.
//!
//! Why not a generated FHIR model: the maintained Rust models (`fhir-model`, `fhirbolt`)
//! generate every resource of a release, which is hundreds of thousands of lines, minutes
//! of build on these machines and megabytes of component against a 4 MB budget; and
//! careplan reads a few dozen elements of nine resource types. These types are checked
//! against every UK Core example (`tests/examples.rs`).
//!
//! Only the elements read are declared, and unknown elements are ignored, as a FHIR
//! consumer must: a resource carries far more than a case needs. What is declared is
//! typed, so a `birthDate` that is a number is a problem at its path, never a guess.
//! Dates and date-times stay text here; [`crate::time`] reads them.

use serde::Deserialize;

/// `Coding`: a code in a code system.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Coding {
    pub system: Option<String>,
    pub code: Option<String>,
    pub display: Option<String>,
}

/// `CodeableConcept`: codings and text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CodeableConcept {
    #[serde(default)]
    pub coding: Vec<Coding>,
    pub text: Option<String>,
}

impl CodeableConcept {
    /// The first coding of `system`, with its index.
    pub fn coding_of(&self, system: &str) -> Option<(usize, &Coding)> {
        self.coding
            .iter()
            .enumerate()
            .find(|(_, c)| c.system.as_deref() == Some(system) && c.code.is_some())
    }
}

/// `Identifier`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Identifier {
    pub system: Option<String>,
    pub value: Option<String>,
}

/// `Reference`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Reference {
    pub reference: Option<String>,
    pub identifier: Option<Identifier>,
    pub display: Option<String>,
}

/// `Period`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Period {
    pub start: Option<String>,
    pub end: Option<String>,
}

/// `Extension`, with the value types UK Core's extensions here use.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Extension {
    pub url: String,
    pub value_codeable_concept: Option<CodeableConcept>,
}

/// `Address`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Address {
    #[serde(rename = "use")]
    pub use_: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub postal_code: Option<String>,
    pub period: Option<Period>,
}

/// `Quantity`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Quantity {
    pub value: Option<f64>,
}

/// `Patient`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Patient {
    pub id: Option<String>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub birth_date: Option<String>,
    pub deceased_boolean: Option<bool>,
    pub deceased_date_time: Option<String>,
    #[serde(default)]
    pub address: Vec<Address>,
    #[serde(default)]
    pub general_practitioner: Vec<Reference>,
}

/// `Organization`, for the ODS code of a GP practice.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Organization {
    #[serde(default)]
    pub identifier: Vec<Identifier>,
}

/// `Condition`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Condition {
    pub clinical_status: Option<CodeableConcept>,
    pub verification_status: Option<CodeableConcept>,
    pub code: Option<CodeableConcept>,
    pub subject: Option<Reference>,
    pub onset_date_time: Option<String>,
    pub onset_period: Option<Period>,
}

/// `Encounter.hospitalization`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Hospitalization {
    #[serde(default)]
    pub extension: Vec<Extension>,
}

/// `Encounter`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Encounter {
    pub status: Option<String>,
    pub class: Option<Coding>,
    pub subject: Option<Reference>,
    pub period: Option<Period>,
    pub hospitalization: Option<Hospitalization>,
}

/// `CarePlan`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CarePlan {
    pub id: Option<String>,
    pub status: Option<String>,
    #[serde(default)]
    pub category: Vec<CodeableConcept>,
    pub subject: Option<Reference>,
    pub period: Option<Period>,
}

/// `Observation`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Observation {
    pub status: Option<String>,
    pub code: Option<CodeableConcept>,
    pub subject: Option<Reference>,
    pub effective_date_time: Option<String>,
    pub effective_period: Option<Period>,
    pub value_quantity: Option<Quantity>,
}

/// `RelatedPerson`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RelatedPerson {
    pub id: Option<String>,
    pub active: Option<bool>,
    pub patient: Option<Reference>,
    #[serde(default)]
    pub relationship: Vec<CodeableConcept>,
    pub period: Option<Period>,
}

/// `Flag`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Flag {
    pub status: Option<String>,
    pub code: Option<CodeableConcept>,
    pub subject: Option<Reference>,
    pub period: Option<Period>,
}

/// `EpisodeOfCare`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EpisodeOfCare {
    pub status: Option<String>,
    #[serde(default, rename = "type")]
    pub type_: Vec<CodeableConcept>,
    pub patient: Option<Reference>,
    pub period: Option<Period>,
    pub care_manager: Option<Reference>,
}
