//! Arbitrary text as FHIR input, read by the built-in mapping table: every input gives a
//! case or a typed error, never a panic; a case it gives is one careplan reads back; and
//! no error repeats the NHS number the input carries. Seeds: careplan-fhir's own inputs
//! (`crates/fhir/tests/cases`).
#![no_main]

use std::sync::OnceLock;

use careplan_fhir::{case_from_fhir, Mapping};
use libfuzzer_sys::fuzz_target;

fn mapping() -> &'static Mapping {
    static MAPPING: OnceLock<Mapping> = OnceLock::new();
    MAPPING.get_or_init(|| Mapping::uk_core().expect("the built-in table reads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match case_from_fhir(text, mapping(), None) {
        Ok(read) => {
            let again = careplan_core::Case::from_json(&read.json).expect("the case it prints reads back");
            assert_eq!(again, read.case);
        }
        Err(err) => {
            let report = err.report();
            let nhs = serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| {
                v.pointer("/identifier/0/value")
                    .and_then(|n| n.as_str())
                    .map(str::to_owned)
            });
            if let Some(nhs) = nhs.filter(|n| n.len() >= 6) {
                assert!(
                    !report.text.contains(&nhs),
                    "an error repeats the NHS number: {}",
                    report.text
                );
            }
        }
    }
});
