//! Loading a pack from arbitrary sources (a pack input, see `common.rs`). Loading may
//! fail, with problems; it must not panic, and a pack that loads must evaluate a small
//! case without panicking.
#![no_main]

mod common;

use careplan_core::{evaluate_json, Limits, RulePack};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pack = common::pack_input(&String::from_utf8_lossy(data));
    let limits = Limits {
        max_operations: 20_000,
        ..Limits::default()
    };
    if let Ok(pack) = RulePack::load(&pack, &[], &limits) {
        let _ = evaluate_json(&pack, common::SMALL_CASE, common::AS_OF);
    }
});
