//! Refusals: every answer but 200, as a status and a JSON body in careplan's own words.
//!
//! A body never quotes what the client sent (no values from the request or its token):
//! only a code, a message, and where known the JSON path or the prefetch keys.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// Why a request was not answered with cards.
#[derive(Debug)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// The body's `error` code, e.g. `invalid_request`.
    pub code: &'static str,
    /// What went wrong, in careplan's words.
    pub message: String,
    /// More fields of the body (`at`, `keys`, `reason`, `problems`).
    pub extra: Map<String, Value>,
}

impl Refusal {
    /// A refusal with no extra fields.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// 400: the request is not a well-formed hook call; `at` is the JSON path.
    pub fn invalid(at: impl Into<String>, message: impl Into<String>) -> Refusal {
        let at = at.into();
        let refusal = Refusal::new(StatusCode::BAD_REQUEST, "invalid_request", message);
        if at.is_empty() {
            refusal
        } else {
            refusal.with("at", json!(at))
        }
    }

    /// 401 for `reason` (one of the documented reasons).
    pub fn token(reason: &'static str, message: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::UNAUTHORIZED, "invalid_token", message).with("reason", json!(reason))
    }

    /// 503: the service cannot answer now.
    pub fn unavailable(message: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// 500: a fault of the service itself.
    pub fn internal(message: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// Adds a field to the body.
    pub fn with(mut self, key: &str, value: Value) -> Refusal {
        self.extra.insert(key.to_owned(), value);
        self
    }

    /// The `reason` of a 401, for the log.
    pub fn reason(&self) -> Option<&str> {
        self.extra.get("reason").and_then(Value::as_str)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("error".into(), json!(self.code));
        body.insert("message".into(), json!(self.message));
        body.extend(self.extra);
        let status = self.status;
        let reason = body.get("reason").and_then(Value::as_str).map(str::to_owned);
        let mut response = (status, axum::Json(Value::Object(body))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            let challenge = match reason.as_deref() {
                Some(reason) if reason != "missing" => {
                    format!("Bearer error=\"invalid_token\", error_description=\"{reason}\"")
                }
                _ => "Bearer".to_owned(),
            };
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response.extensions_mut().insert(Outcome {
            code: Some(self.code),
            reason,
            ..Outcome::default()
        });
        response
    }
}

/// What a handler tells the access log about its answer (a response extension): never
/// personal data.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The refusal's code.
    pub code: Option<&'static str>,
    /// A 401's reason.
    pub reason: Option<String>,
    /// Cards sent.
    pub cards: Option<usize>,
    /// Whether the evaluation was complete.
    pub complete: Option<bool>,
    /// Rules that failed.
    pub failed_rules: Option<usize>,
    /// FHIR reads made to the client's server.
    pub fetched: Option<usize>,
    /// The call's `hookInstance`, when it looks like the UUID it should be.
    pub hook_instance: Option<String>,
}
