//! A hook call: the request read and checked, and the prefetch made whole (from what
//! the client sent, else from its FHIR server) before anything is evaluated.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::Refusal;
use super::fetch::{trim_base, FetchError, Fetcher};
use super::services::{Hook, Service};
use axum::http::StatusCode;
use careplan_fhir::percent_encode;

/// Pages of one search the service follows before it gives up (with 412).
const MAX_PAGES: usize = 20;

/// Reads a JSON body into `T`; a problem is a 400 naming the JSON path, in careplan's
/// words (serde's own messages quote the values sent, which may be personal data).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => Refusal::invalid(
                "",
                format!(
                    "the body is not JSON (line {}, column {})",
                    inner.line(),
                    inner.column()
                ),
            ),
            Category::Data => {
                let text = inner.to_string();
                let message = match text.strip_prefix("missing field `") {
                    Some(rest) => {
                        let field = rest.split('`').next().unwrap_or("");
                        let at = if path == "." {
                            String::new()
                        } else {
                            format!(" in `{path}`")
                        };
                        format!("the field `{field}` is required{at}")
                    }
                    None => format!("`{path}` is not of the type CDS Hooks 2.0 gives it"),
                };
                Refusal::invalid(if path == "." { String::new() } else { path }, message)
            }
        }
    })?;
    deserializer
        .end()
        .map_err(|_| Refusal::invalid("", "the body has more after its JSON value"))?;
    Ok(value)
}

/// A hook request (CDS Hooks 2.0 §HTTP Request). Unknown fields (`extension`) are kept
/// out of the way, not refused.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookRequest {
    /// The hook.
    pub hook: String,
    /// The client's id for this call.
    pub hook_instance: String,
    /// The client's FHIR server.
    #[serde(default)]
    pub fhir_server: Option<String>,
    /// A token for it.
    #[serde(default)]
    pub fhir_authorization: Option<FhirAuthorization>,
    /// The hook's context.
    pub context: Map<String, Value>,
    /// What the client prefetched.
    #[serde(default)]
    pub prefetch: Option<Map<String, Value>>,
}

/// `fhirAuthorization` (CDS Hooks 2.0 §FHIR Resource Access).
#[derive(Deserialize)]
pub struct FhirAuthorization {
    /// The bearer token: never stored or logged.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// The patient the token is for, when it is for one.
    #[serde(default)]
    pub patient: Option<String>,
}

/// The context values the service reads: FHIR ids, checked.
pub struct Context {
    /// `patientId`.
    pub patient_id: String,
    /// `encounterId` (encounter-discharge).
    pub encounter_id: Option<String>,
    /// `userId`, e.g. `PractitionerRole/123`.
    pub user_id: Option<String>,
}

/// Whether `id` is a FHIR id (`[A-Za-z0-9\-\.]{1,64}`).
fn is_fhir_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

impl HookRequest {
    /// Checks the request against `service`: its hook, its context, and that a token
    /// comes with a server.
    pub fn check(&self, service: &Service) -> Result<Context, Refusal> {
        if self.hook != service.hook.name() {
            return Err(Refusal::invalid(
                "hook",
                format!("this service answers the `{}` hook", service.hook.name()),
            ));
        }
        if self.hook_instance.is_empty() {
            return Err(Refusal::invalid("hookInstance", "`hookInstance` must not be empty"));
        }
        let id = |field: &str, required: bool| -> Result<Option<String>, Refusal> {
            match self.context.get(field) {
                Some(Value::String(id)) if is_fhir_id(id) => Ok(Some(id.clone())),
                Some(_) => Err(Refusal::invalid(
                    format!("context.{field}"),
                    format!("`context.{field}` must be a FHIR resource id"),
                )),
                None if required => Err(Refusal::invalid(
                    format!("context.{field}"),
                    format!("the `{}` hook's context must give `{field}`", service.hook.name()),
                )),
                None => Ok(None),
            }
        };
        let patient_id = id("patientId", true)?.unwrap_or_default();
        let encounter_id = id("encounterId", service.hook == Hook::EncounterDischarge)?;
        let user_id = match self.context.get("userId") {
            Some(Value::String(user)) => Some(user.clone()),
            Some(_) => return Err(Refusal::invalid("context.userId", "`context.userId` must be a string")),
            None => None,
        };
        if let Some(auth) = &self.fhir_authorization {
            if self.fhir_server.is_none() {
                return Err(Refusal::invalid(
                    "fhirAuthorization",
                    "`fhirAuthorization` is given without `fhirServer`",
                ));
            }
            if !auth.token_type.eq_ignore_ascii_case("bearer") {
                return Err(Refusal::invalid(
                    "fhirAuthorization.token_type",
                    "`fhirAuthorization.token_type` must be `Bearer`",
                ));
            }
            if auth.patient.as_deref().is_some_and(|p| p != patient_id) {
                return Err(Refusal::invalid(
                    "fhirAuthorization.patient",
                    "`fhirAuthorization.patient` is not the context's patient",
                ));
            }
        }
        Ok(Context {
            patient_id,
            encounter_id,
            user_id,
        })
    }
}

/// The prefetch made whole: exactly the service's keys, each data or `null`.
pub struct Prefetch {
    /// Key → resource, Bundle or `null`.
    pub data: Map<String, Value>,
    /// GETs made to the client's FHIR server.
    pub fetched: usize,
}

/// How the service may reach the client's FHIR server, when it may.
pub struct Server<'a> {
    /// The server's base URL, allow-listed.
    pub base: &'a str,
    /// The bearer token.
    pub token: &'a str,
}

/// Where a key's data stands.
enum Given {
    /// Data to use as it is.
    Data(Value),
    /// A searchset with more pages at this URL.
    Paged(Value, String),
    /// Not given (absent, or an OperationOutcome reporting the client's failure).
    Absent,
}

fn next_link(bundle: &Value) -> Option<String> {
    bundle.get("link")?.as_array()?.iter().find_map(|link| {
        (link.get("relation")?.as_str()? == "next")
            .then(|| link.get("url")?.as_str().map(str::to_owned))
            .flatten()
    })
}

fn given(value: Option<&Value>) -> Given {
    match value {
        None => Given::Absent,
        Some(Value::Null) => Given::Data(Value::Null),
        Some(value) => match value.get("resourceType").and_then(Value::as_str) {
            Some("OperationOutcome") => Given::Absent,
            Some("Bundle") => match next_link(value) {
                Some(next) => Given::Paged(value.clone(), next),
                None => Given::Data(value.clone()),
            },
            _ => Given::Data(value.clone()),
        },
    }
}

/// The query of a template for this call.
fn query(template: &str, context: &Context) -> String {
    template
        .replace("{{context.patientId}}", &percent_encode(&context.patient_id))
        .replace(
            "{{context.encounterId}}",
            &percent_encode(context.encounter_id.as_deref().unwrap_or("")),
        )
}

/// The service's prefetch for this call: each key the client sent, and the rest fetched
/// from `server` when one may be used, or 412 naming what is missing. The client's other
/// keys are not read. A `null` is "no data"; but there is no case without the Patient.
pub fn complete(
    service: &Service,
    request: &HookRequest,
    context: &Context,
    server: Option<&Server<'_>>,
    fetcher: &Fetcher,
) -> Result<Prefetch, Refusal> {
    let sent = request.prefetch.as_ref();
    let mut data = Map::new();
    let mut missing = Vec::new();
    let mut fetched = 0;
    for template in &service.templates {
        let value = match given(sent.and_then(|p| p.get(template.key))) {
            Given::Data(value) => value,
            Given::Paged(first, next) => match server {
                Some(server) => {
                    let (bundle, gets) =
                        follow(first, next, server, fetcher).map_err(|e| unavailable(&[template.key], &e))?;
                    fetched += gets;
                    bundle
                }
                None => {
                    missing.push(template.key);
                    continue;
                }
            },
            Given::Absent => match server {
                Some(server) => {
                    let url = format!("{}/{}", trim_base(server.base), query(&template.query, context));
                    fetched += 1;
                    match fetcher.get_json(&url, Some(server.token)) {
                        Ok(value) => match next_link(&value) {
                            Some(next) if !template.read => {
                                let (bundle, gets) = follow(value, next, server, fetcher)
                                    .map_err(|e| unavailable(&[template.key], &e))?;
                                fetched += gets;
                                bundle
                            }
                            _ => value,
                        },
                        // A read of a resource that is not there: no data.
                        Err(FetchError::Status(404 | 410)) if template.read => Value::Null,
                        Err(err) => return Err(unavailable(&[template.key], &err.to_string())),
                    }
                }
                None => {
                    missing.push(template.key);
                    continue;
                }
            },
        };
        data.insert(template.key.to_owned(), value);
    }
    // The GP practice: no context token names its Organization, so no template can ask
    // for it; a client that sends it (as `practice`) has it read.
    if let Some(practice) = sent
        .and_then(|p| p.get("practice"))
        .filter(|p| p.get("resourceType").and_then(Value::as_str) == Some("Organization"))
    {
        data.insert("practice".to_owned(), practice.clone());
    }
    if !missing.is_empty() {
        let why = if request.fhir_server.is_none() || request.fhir_authorization.is_none() {
            "the request gives no fhirServer with fhirAuthorization to fetch it from"
        } else {
            "its fhirServer is not one this service may fetch from (--fhir-server)"
        };
        return Err(Refusal::new(
            StatusCode::PRECONDITION_FAILED,
            "prefetch_unavailable",
            format!("data the service needs is not in the prefetch, and {why}"),
        )
        .with("keys", json!(missing)));
    }
    if data.get("patient").is_none_or(Value::is_null) {
        return Err(Refusal::new(
            StatusCode::PRECONDITION_FAILED,
            "prefetch_unavailable",
            "the prefetch's `patient` is null: there is no case without the Patient",
        )
        .with("keys", json!(["patient"])));
    }
    Ok(Prefetch { data, fetched })
}

fn unavailable(keys: &[&str], why: &str) -> Refusal {
    Refusal::new(
        StatusCode::PRECONDITION_FAILED,
        "prefetch_unavailable",
        format!("data the service needs could not be fetched from the client's FHIR server: {why}"),
    )
    .with("keys", json!(keys))
}

/// A searchset with the entries of its further pages appended, and the GETs it took.
fn follow(
    mut bundle: Value,
    mut next: String,
    server: &Server<'_>,
    fetcher: &Fetcher,
) -> Result<(Value, usize), String> {
    let base = trim_base(server.base);
    let mut gets = 0;
    loop {
        if gets + 1 >= MAX_PAGES {
            return Err(format!("a search has more than {MAX_PAGES} pages"));
        }
        if !(next.starts_with(base)
            && next
                .get(base.len()..base.len() + 1)
                .is_some_and(|c| c == "/" || c == "?"))
        {
            return Err("a search's next page is not on the client's FHIR server".to_owned());
        }
        gets += 1;
        let page = fetcher.get_json(&next, Some(server.token)).map_err(|e| e.to_string())?;
        let entries = page.get("entry").and_then(Value::as_array).cloned().unwrap_or_default();
        let after = next_link(&page);
        match bundle.get_mut("entry").and_then(Value::as_array_mut) {
            Some(list) => list.extend(entries),
            None => {
                if let Some(object) = bundle.as_object_mut() {
                    object.insert("entry".into(), Value::Array(entries));
                }
            }
        }
        match after {
            Some(url) => next = url,
            None => break,
        }
    }
    if let Some(links) = bundle.get_mut("link").and_then(Value::as_array_mut) {
        links.retain(|link| link.get("relation").and_then(Value::as_str) != Some("next"));
    }
    Ok((bundle, gets))
}

/// For encounter-discharge: the discharge the hook announces, as case JSON to merge in,
/// when the context Encounter is a hospital stay not yet ended (a stay that has ended is
/// read from its period like any other).
pub fn discharge_event(prefetch: &Map<String, Value>, mapping: &careplan_fhir::Mapping, as_of: &str) -> Option<String> {
    let encounter = prefetch.get("encounter")?;
    if encounter.get("resourceType").and_then(Value::as_str) != Some("Encounter") {
        return None;
    }
    let class = encounter.get("class")?;
    let inpatient = mapping.is_inpatient_class(
        class.get("system").and_then(Value::as_str).unwrap_or(""),
        class.get("code").and_then(Value::as_str).unwrap_or(""),
    );
    let ended = encounter.pointer("/period/end").is_some();
    let status = encounter.get("status").and_then(Value::as_str).unwrap_or("");
    let stay = matches!(status, "in-progress" | "onleave" | "arrived" | "triaged");
    (inpatient && !ended && stay)
        .then(|| json!({"events": [{"date": as_of, "kind": "hospital_discharge", "notified": as_of}]}).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> careplan_fhir::Mapping {
        careplan_fhir::Mapping::uk_core().expect("the built-in table")
    }

    fn encounter(status: &str, end: Option<&str>, class: &str) -> Map<String, Value> {
        let mut period = json!({"start": "2026-11-28"});
        if let Some(end) = end {
            period["end"] = json!(end);
        }
        let mut prefetch = Map::new();
        prefetch.insert(
            "encounter".into(),
            json!({
                "resourceType": "Encounter", "id": "e1", "status": status, "period": period,
                "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": class},
            }),
        );
        prefetch
    }

    #[test]
    fn a_stay_being_discharged_is_a_discharge_as_of_today() {
        let event = discharge_event(&encounter("in-progress", None, "IMP"), &mapping(), "2026-12-01");
        let event: Value = serde_json::from_str(&event.expect("a discharge")).expect("JSON");
        assert_eq!(
            event,
            json!({"events": [{"date": "2026-12-01", "kind": "hospital_discharge", "notified": "2026-12-01"}]})
        );
    }

    #[test]
    fn an_ended_stay_or_an_outpatient_visit_is_no_new_discharge() {
        // An ended stay's discharge is read from its period, like any other stay's.
        assert_eq!(
            discharge_event(
                &encounter("finished", Some("2026-11-30"), "IMP"),
                &mapping(),
                "2026-12-01"
            ),
            None
        );
        assert_eq!(
            discharge_event(&encounter("in-progress", None, "AMB"), &mapping(), "2026-12-01"),
            None
        );
        assert_eq!(
            discharge_event(&encounter("planned", None, "IMP"), &mapping(), "2026-12-01"),
            None
        );
        assert_eq!(discharge_event(&Map::new(), &mapping(), "2026-12-01"), None);
    }

    #[test]
    fn a_bad_body_is_refused_without_quoting_it() {
        #[derive(Deserialize, Debug)]
        #[expect(dead_code, reason = "only the refusal is looked at")]
        struct Shape {
            hook: String,
        }
        for body in [
            r#"{"hook": 12345678}"#,
            r#"{"hook": "x", "#,
            r#"{"hookx": "SECRET-VALUE"}"#,
        ] {
            let refusal = parse::<Shape>(body.as_bytes()).expect_err("refused");
            assert_eq!(refusal.status, StatusCode::BAD_REQUEST);
            let text = format!("{} {:?}", refusal.message, refusal.extra);
            assert!(!text.contains("12345678") && !text.contains("SECRET"), "{text}");
        }
    }

    #[test]
    fn an_operation_outcome_is_data_not_given() {
        assert!(matches!(given(None), Given::Absent));
        assert!(matches!(
            given(Some(&json!({"resourceType": "OperationOutcome"}))),
            Given::Absent
        ));
        assert!(matches!(given(Some(&Value::Null)), Given::Data(Value::Null)));
        let paged = json!({"resourceType": "Bundle", "link": [{"relation": "next", "url": "https://x/2"}]});
        assert!(matches!(given(Some(&paged)), Given::Paged(_, next) if next == "https://x/2"));
    }

    #[test]
    fn context_ids_are_fhir_ids() {
        assert!(is_fhir_id("cp-fhir-1"));
        assert!(!is_fhir_id("a/../b"));
        assert!(!is_fhir_id("a?b=c"));
        assert!(!is_fhir_id(""));
    }
}
