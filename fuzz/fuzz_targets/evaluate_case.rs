//! Arbitrary case JSON against the national pack, as of arbitrary dates: every input
//! gives an evaluation or a typed error, never a panic, and never an error that
//! repeats the case's NHS number. Input: a case input (see `common.rs`).
#![no_main]

mod common;

use std::sync::OnceLock;

use careplan_core::{evaluate_json, evaluate_json_with_parameters, Limits, RulePack};
use libfuzzer_sys::fuzz_target;

fn england() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(|| {
        let (pack, siblings) = common::repository_pack("england");
        RulePack::load(&pack, &siblings, &Limits::default()).expect("rules/england loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let input = common::case_input(text);
    let parameters = input
        .parameters
        .and_then(|p| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(p).ok());
    let result = match &parameters {
        Some(parameters) => evaluate_json_with_parameters(england(), input.case, input.as_of, parameters),
        None => evaluate_json(england(), input.case, input.as_of),
    };
    if let (Err(err), Some(nhs)) = (result, common::nhs_number(input.case)) {
        let message = err.to_string();
        assert!(!message.contains(&nhs), "an error repeats the NHS number: {message}");
    }
});
