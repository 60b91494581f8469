//! Before anything is timed: careplan (native and through the component) gives the
//! floor's answer on every benchmark case.

use careplan_bench::{careplan, cases, floor};
use careplan_core::Date;
use serde_json::Value;

#[test]
fn careplan_native_and_wasm_agree_with_the_floor_on_every_case() {
    let as_of: Date = cases::AS_OF.parse().expect("a date");
    let native = careplan::native().expect("the bench pack loads");
    let (_runtime, mut wasm) = careplan::wasm().expect("the component loads the bench pack");
    let cases = cases::generate(2_000);
    let mut branches = cases::Branches::default();
    for (i, case) in cases.iter().enumerate() {
        let expected: Value =
            serde_json::from_str(&floor::evaluate_json(case, as_of).expect("the floor decides")).expect("floor JSON");
        let native_json = careplan_core::evaluate_json(&native, case, cases::AS_OF).expect("careplan evaluates");
        let wasm_json = wasm.evaluate_json(case, cases::AS_OF).expect("the component evaluates");
        assert_eq!(native_json, wasm_json, "case {i}: native and Wasm differ");
        let got = careplan::to_outcome(&native_json).expect("maps to the shared output");
        assert_eq!(got, expected, "case {i} differs from the floor:\n{case}");
        branches.record(&expected);
    }
    // Every branch of the logic is exercised, so agreement means something.
    branches.assert_all_seen();
}

#[test]
fn benchmark_cases_are_realistic_in_size() {
    let cases = cases::generate(1_000);
    let mean = cases.iter().map(String::len).sum::<usize>() / cases.len();
    assert!((2_000..=4_000).contains(&mean), "mean case size {mean} bytes");
    for case in &cases {
        careplan_core::Case::from_json(case).expect("every benchmark case is a valid case");
    }
}
