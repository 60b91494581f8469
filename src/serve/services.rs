//! The two CDS services and their discovery document.

use careplan_fhir::{Mapping, PrefetchTemplate};
use serde_json::{json, Map, Value};

/// The hooks careplan answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// A clinician opens a patient's record.
    PatientView,
    /// A clinician discharges a patient from a hospital stay.
    EncounterDischarge,
}

impl Hook {
    /// The hook's name in CDS Hooks.
    pub fn name(self) -> &'static str {
        match self {
            Hook::PatientView => "patient-view",
            Hook::EncounterDischarge => "encounter-discharge",
        }
    }
}

/// One service.
pub struct Service {
    /// Its id, the last part of its URL.
    pub id: &'static str,
    /// The hook it answers.
    pub hook: Hook,
    /// What it asks the client to prefetch.
    pub templates: Vec<PrefetchTemplate>,
}

/// Both services, built from the mapping table so that each asks for what the mapping
/// reads and nothing more.
pub fn services(mapping: &Mapping) -> Vec<Service> {
    vec![
        Service {
            id: "careplan-patient-view",
            hook: Hook::PatientView,
            templates: mapping.prefetch_templates(false),
        },
        Service {
            id: "careplan-encounter-discharge",
            hook: Hook::EncounterDischarge,
            templates: mapping.prefetch_templates(true),
        },
    ]
}

/// The discovery document (`GET /cds-services`).
pub fn discovery(services: &[Service], pack: &str) -> Value {
    let list: Vec<Value> = services
        .iter()
        .map(|service| {
            let prefetch: Map<String, Value> = service
                .templates
                .iter()
                .map(|t| (t.key.to_owned(), json!(t.query)))
                .collect();
            let (title, description) = match service.hook {
                Hook::PatientView => (
                    "careplan: care plan reviews and escalations",
                    format!(
                        "Reviews due or overdue, escalations and recommendations for the patient's personalised care and support, by the careplan rule pack `{pack}`, each with its reason, rule and regulation."
                    ),
                ),
                Hook::EncounterDischarge => (
                    "careplan: what a hospital discharge sets off",
                    format!(
                        "The reviews, escalations and recommendations a discharge from a hospital stay sets off (the discharge is taken as of today), by the careplan rule pack `{pack}`."
                    ),
                ),
            };
            json!({
                "hook": service.hook.name(),
                "id": service.id,
                "title": title,
                "description": description,
                "prefetch": prefetch,
                "usageRequirements": "Cards are for professionals: a Patient or RelatedPerson user gets none. Evaluations are as of today in England unless the service was started with --as-of.",
            })
        })
        .collect();
    json!({ "services": list })
}
