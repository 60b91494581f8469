//! Native against the component: the same input through careplan-core in this process
//! and through the Wasm component in careplan-host must give identical results. Input:
//! a pack input after `P`, otherwise a case input (see `common.rs`).
//!
//! - A case goes to `rules/elmshire` (layered on `rules/england`) with its parameters
//!   when they are a JSON object: the evaluation JSON must be identical byte for byte,
//!   and so must the error JSON.
//! - A pack (which may extend `rules/england`) must load in both or fail in both with
//!   the same problems; when it loads, both must report the same rules and evaluate a
//!   small case and the sample case identically.
#![no_main]

mod common;

use std::sync::{Mutex, OnceLock};

use careplan::engine::{host_error_json, to_host};
use careplan_core::{
    evaluate_error_to_json, evaluate_json, evaluate_json_with_parameters, load_error_to_json, EvaluateError, Limits,
    PackSource, RulePack,
};
use careplan_host::HostError;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// `rules/elmshire` loaded natively and in the component.
struct Both {
    native: RulePack,
    wasm: careplan_host::RulePack,
}

fn elmshire() -> &'static Mutex<Both> {
    static BOTH: OnceLock<Mutex<Both>> = OnceLock::new();
    BOTH.get_or_init(|| {
        let (pack, siblings) = common::repository_pack("elmshire");
        let native = RulePack::load(&pack, &siblings, &Limits::default()).expect("rules/elmshire loads natively");
        let wasm = common::runtime()
            .load(to_host(pack), siblings.into_iter().map(to_host).collect())
            .expect("rules/elmshire loads in the component");
        Mutex::new(Both { native, wasm })
    })
}

/// Compares one evaluation from each engine.
fn assert_same(what: &str, native: Result<String, EvaluateError>, wasm: Result<String, HostError>) {
    match (native, wasm) {
        (Ok(n), Ok(w)) => assert_eq!(n, w, "{what}: the evaluations differ"),
        (Err(n), Err(w)) => {
            assert_eq!(
                evaluate_error_to_json(&n),
                host_error_json(&w),
                "{what}: the errors differ"
            );
            // Core renders the error once: the component hands over the same words.
            if let HostError::Engine(engine) = &w {
                let report = n.report();
                assert_eq!(
                    (&report.message, &report.text),
                    (&engine.message, &engine.text),
                    "{what}: the error texts differ"
                );
            }
        }
        (n, w) => panic!(
            "{what}: one engine evaluated and the other did not\nnative: {:?}\nwasm:   {:?}",
            n.map_err(|e| evaluate_error_to_json(&e)),
            w.map_err(|e| host_error_json(&e))
        ),
    }
}

fn case(input: common::CaseInput<'_>) {
    let parameters = input
        .parameters
        .and_then(|p| serde_json::from_str::<Map<String, Value>>(p).ok());
    let mut both = elmshire().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let Both { native, wasm } = &mut *both;
    let (n, w) = match &parameters {
        Some(parameters) => (
            evaluate_json_with_parameters(native, input.case, input.as_of, parameters),
            wasm.evaluate_json_with_parameters(input.case, input.as_of, &Value::Object(parameters.clone()).to_string()),
        ),
        None => (
            evaluate_json(native, input.case, input.as_of),
            wasm.evaluate_json(input.case, input.as_of),
        ),
    };
    assert_same("the case", n, w);
    if parameters.is_none() {
        // The text for people is rendered by core in both: the same bytes too.
        let text = |rendered: careplan_core::EvaluationText| format!("{}{}", rendered.complete, rendered.text);
        let n = careplan_core::evaluate_text(native, input.case, input.as_of).map(text);
        let w = wasm
            .evaluate_text(input.case, input.as_of)
            .map(|rendered| format!("{}{}", rendered.complete, rendered.text));
        assert_same("the text", n, w);
    }
}

fn pack(source: PackSource) {
    let available = std::slice::from_ref(common::england());
    let native = RulePack::load(&source, available, &Limits::default());
    let wasm = common::runtime().load(to_host(source), vec![to_host(common::england().clone())]);
    match (native, wasm) {
        (Err(n), Err(w)) => {
            assert_eq!(
                load_error_to_json(&n)["problems"],
                host_error_json(&w)["problems"],
                "the load problems differ"
            );
        }
        (Ok(native), Ok(mut wasm)) => {
            let info = wasm.info().expect("a loaded pack gives its info");
            let native_info = native.info();
            assert_eq!(native_info.digest, info.digest, "the digests differ");
            let native_rules: Vec<(&str, &str)> = native_info
                .rules
                .iter()
                .map(|r| (r.id.as_str(), r.pack.as_str()))
                .collect();
            let wasm_rules: Vec<(&str, &str)> = info.rules.iter().map(|r| (r.id.as_str(), r.pack.as_str())).collect();
            assert_eq!(native_rules, wasm_rules, "the rules differ");
            for (what, case) in [
                ("the small case", common::SMALL_CASE),
                ("the sample case", common::sample_case()),
            ] {
                assert_same(
                    what,
                    evaluate_json(&native, case, common::AS_OF),
                    wasm.evaluate_json(case, common::AS_OF),
                );
            }
        }
        (n, w) => panic!(
            "one engine loaded the pack and the other did not\nnative: {:?}\nwasm:   {:?}",
            n.err().map(|e| load_error_to_json(&e)),
            w.err().map(|e| host_error_json(&e))
        ),
    }
}

fuzz_target!(|data: &[u8]| common::dispatch(data, pack, case));
