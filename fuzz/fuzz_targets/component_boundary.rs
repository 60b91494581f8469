//! The component boundary, through careplan-host: arbitrary packs (which may extend
//! the repository's packs) and arbitrary cases, as-of dates and parameter texts, through
//! every call of the WIT interface. Input: a pack input after `P`, otherwise a case
//! input (see `common.rs`); cases go to `rules/elmshire` (layered on `rules/england`).
//!
//! What must hold:
//! - every call gives a value or a typed engine error; never a trap (the component
//!   faulting, or a rule running past the operation limits into the deadline) and never
//!   a set-up error;
//! - the JSON and the typed evaluation agree on success, and on the error otherwise;
//! - no error repeats the case's NHS number;
//! - after any error, the same handle evaluates the sample case to the same bytes.
#![no_main]

mod common;

use std::sync::{Mutex, OnceLock};

use careplan::engine::to_host;
use careplan_host::{HostError, RulePack};
use libfuzzer_sys::fuzz_target;

/// The layered pack loaded once, with the sample case and its evaluation.
struct Loaded {
    handle: RulePack,
    sample: String,
    expected: String,
}

fn elmshire() -> &'static Mutex<Loaded> {
    static LOADED: OnceLock<Mutex<Loaded>> = OnceLock::new();
    LOADED.get_or_init(|| {
        let (pack, siblings) = common::repository_pack("elmshire");
        let runtime = common::runtime();
        runtime.case_schema().expect("the component gives its case schema");
        let mut handle = runtime
            .load(to_host(pack), siblings.into_iter().map(to_host).collect())
            .expect("rules/elmshire loads in the component");
        let sample = common::sample_case().to_owned();
        let expected = handle
            .evaluate_json(&sample, common::AS_OF)
            .expect("the sample case evaluates");
        Mutex::new(Loaded {
            handle,
            sample,
            expected,
        })
    })
}

/// A call's error must be one the engine typed.
fn check_error(err: &HostError, case: &str) {
    match err {
        HostError::Engine(_) => {}
        HostError::Trap(_) | HostError::Setup(_) => panic!("the host gave an untyped error: {err}"),
    }
    if let Some(nhs) = common::nhs_number(case) {
        let message = err.to_string();
        assert!(!message.contains(&nhs), "an error repeats the NHS number: {message}");
        if let HostError::Engine(engine) = err {
            for rendered in [&engine.text, &engine.json] {
                assert!(!rendered.contains(&nhs), "an error repeats the NHS number: {rendered}");
            }
        }
    }
}

fn case(input: common::CaseInput<'_>) {
    let mut loaded = elmshire().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let Loaded {
        handle,
        sample,
        expected,
    } = &mut *loaded;
    let json = match input.parameters {
        Some(parameters) => handle.evaluate_json_with_parameters(input.case, input.as_of, parameters),
        None => handle.evaluate_json(input.case, input.as_of),
    };
    let mut failed = false;
    if let Err(err) = &json {
        check_error(err, input.case);
        failed = true;
    }
    if input.parameters.is_none() {
        let typed = handle.evaluate(input.case, input.as_of);
        match (&json, &typed) {
            (Ok(json), Ok(typed)) => {
                let value: serde_json::Value = serde_json::from_str(json).expect("the evaluation is JSON");
                let count = |key: &str| value[key].as_array().map_or(0, Vec::len);
                assert_eq!(
                    [
                        count("eligibility"),
                        count("reviews"),
                        count("escalations"),
                        count("recommendations")
                    ],
                    [
                        typed.eligibility.len(),
                        typed.reviews.len(),
                        typed.escalations.len(),
                        typed.recommendations.len()
                    ],
                    "the JSON and the typed evaluation find different things"
                );
                assert_eq!(value["complete"].as_bool(), Some(typed.complete));
                assert_eq!(
                    value["failures"].as_array().map_or(0, Vec::len),
                    typed.failures.len(),
                    "the JSON and the typed evaluation list different failures"
                );
                assert_eq!(typed.complete, typed.failures.is_empty());
                let fired: Vec<&str> = value["audit"]["rules_fired"]
                    .as_array()
                    .map(|ids| ids.iter().filter_map(|id| id.as_str()).collect())
                    .unwrap_or_default();
                assert_eq!(
                    fired, typed.audit.rules_fired,
                    "the JSON and the typed evaluation fire different rules"
                );
                assert_eq!(
                    value["audit"]["pack"]["digest"].as_str(),
                    Some(typed.audit.pack_digest.as_str())
                );
            }
            (Err(json), Err(typed)) => assert_eq!(json.to_string(), typed.to_string()),
            (json, typed) => panic!("the JSON and the typed evaluation disagree: {json:?} against {typed:?}"),
        }
    }
    if failed {
        let again = handle
            .evaluate_json(sample, common::AS_OF)
            .expect("the sample still evaluates");
        assert_eq!(&again, expected, "the sample evaluates differently after an error");
    }
}

fn pack(source: careplan_core::PackSource) {
    match common::runtime().load(to_host(source), vec![to_host(common::england().clone())]) {
        Err(err) => {
            assert!(
                matches!(&err, HostError::Engine(e) if e.code == careplan_host::ErrorCode::InvalidRules),
                "a load failed other than with problems: {err}"
            );
        }
        Ok(mut handle) => {
            let info = handle.info().expect("a loaded pack gives its info");
            assert!(!info.layers.is_empty(), "a loaded pack has a layer");
            for case in [common::SMALL_CASE, common::sample_case()] {
                match handle.evaluate_json(case, common::AS_OF) {
                    Ok(json) => {
                        serde_json::from_str::<serde_json::Value>(&json).expect("the evaluation is JSON");
                    }
                    Err(err) => check_error(&err, case),
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| common::dispatch(data, pack, case));
