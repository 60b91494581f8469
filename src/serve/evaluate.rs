//! Rules run in the Wasm component through careplan-host, so that every request is
//! bounded in time and memory: a pool of loaded packs, one evaluation per permit, each in
//! tokio's blocking pool.

use std::sync::{Arc, Mutex};

use careplan_host::{HostError, PackSource, Runtime, TrapKind};
use tokio::sync::Semaphore;

use super::error::Refusal;
use axum::http::StatusCode;

/// The evaluators.
pub struct Evaluator {
    runtime: Runtime,
    pack: PackSource,
    available: Vec<PackSource>,
    mapping: Option<String>,
    pool: Arc<Mutex<Vec<careplan_host::RulePack>>>,
    permits: Arc<Semaphore>,
}

impl Evaluator {
    /// Loads `size` handles of the pack; `mapping` is the area's FHIR mapping table, or
    /// `None` for the built-in one.
    pub fn new(
        runtime: Runtime,
        pack: PackSource,
        available: Vec<PackSource>,
        mapping: Option<String>,
        size: usize,
    ) -> Result<Evaluator, HostError> {
        let mut pool = Vec::with_capacity(size);
        for _ in 0..size {
            pool.push(runtime.load(pack.clone(), available.clone())?);
        }
        Ok(Evaluator {
            runtime,
            pack,
            available,
            mapping,
            pool: Arc::new(Mutex::new(pool)),
            permits: Arc::new(Semaphore::new(size)),
        })
    }

    /// The pack's id, name, version, digest and rules, from one handle.
    pub fn info(&self) -> Result<careplan_host::PackInfo, HostError> {
        let mut handle = self.take()?;
        let info = handle.info();
        self.give_back(handle);
        info
    }

    fn take(&self) -> Result<careplan_host::RulePack, HostError> {
        let popped = self.pool.lock().ok().and_then(|mut pool| pool.pop());
        match popped {
            Some(handle) => Ok(handle),
            None => self.runtime.load(self.pack.clone(), self.available.clone()),
        }
    }

    fn give_back(&self, handle: careplan_host::RulePack) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.push(handle);
        }
    }

    /// Reads the prefetch (a CDS Hooks prefetch object) into a case, merges `merge`, and
    /// evaluates it as of `as_of`: the evaluation JSON.
    pub async fn run(
        self: &Arc<Self>,
        prefetch: String,
        merge: Option<String>,
        as_of: String,
    ) -> Result<String, Refusal> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Refusal::unavailable("the service is shutting down"))?;
        let this = self.clone();
        let joined = tokio::task::spawn_blocking(move || {
            // The permit and the handle live in this closure, so that a request given up
            // on (its deadline passed) still returns both when the evaluation ends.
            let _permit = permit;
            let case = this
                .runtime
                .case_from_fhir(&prefetch, this.mapping.as_deref(), merge.as_deref())?;
            let mut handle = this.take()?;
            let result = handle.evaluate_json(&case.case_json, &as_of);
            this.give_back(handle);
            result
        })
        .await;
        match joined {
            Ok(Ok(json)) => Ok(json),
            Ok(Err(err)) => Err(refusal(&err)),
            Err(_) => Err(Refusal::internal("the evaluation stopped unexpectedly")),
        }
    }
}

/// A host error as an answer: the client's data that careplan cannot read is 422 with
/// the problems (careplan's messages quote no values); a stopped evaluation is 503.
fn refusal(err: &HostError) -> Refusal {
    match err {
        HostError::Engine(engine) => {
            let json: serde_json::Value = serde_json::from_str(&engine.json).unwrap_or_default();
            let code = match json.get("code").and_then(serde_json::Value::as_str) {
                Some("careplan::invalid_fhir") => "invalid_fhir",
                Some("careplan::invalid_case") => "invalid_case",
                _ => return Refusal::internal("the rule pack could not evaluate this case"),
            };
            let problems = json.get("problems").cloned().unwrap_or_default();
            Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                "careplan cannot read the FHIR data without guessing; each problem is at its FHIR path",
            )
            .with("problems", problems)
        }
        HostError::Trap(TrapKind::Timeout(_) | TrapKind::Fuel(_) | TrapKind::Memory(_) | TrapKind::Stack) => {
            Refusal::unavailable("the evaluation ran past its bounds and was stopped")
        }
        HostError::Trap(TrapKind::Fault(_)) | HostError::Setup(_) => {
            Refusal::internal("the rules engine failed on this request")
        }
    }
}
