//! careplan on the shared logic: the pack in `crates/bench/pack`, natively and through
//! the component, and the mapping from careplan's evaluation to the shared output.

use std::path::Path;

use careplan_core::{Limits, PackSource, RulePack};
use careplan_host::{HostConfig, Runtime};
use serde_json::{json, Value};

/// The benchmark pack's folder.
pub fn pack_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/pack"))
}

/// The benchmark pack's sources.
pub fn pack_source() -> Result<PackSource, String> {
    careplan::packs::read_pack(pack_dir(), &Limits::default()).map_err(|err| err.to_string())
}

/// The benchmark pack, loaded natively.
pub fn native() -> Result<RulePack, String> {
    RulePack::load(&pack_source()?, &[], &Limits::default()).map_err(|err| err.to_string())
}

/// A host runtime and the benchmark pack loaded into the component.
pub fn wasm() -> Result<(Runtime, careplan_host::RulePack), String> {
    let runtime = Runtime::new(HostConfig::default()).map_err(|err| err.to_string())?;
    let pack = runtime
        .load(careplan::engine::to_host(pack_source()?), Vec::new())
        .map_err(|err| err.to_string())?;
    Ok((runtime, pack))
}

/// The national pack, `rules/england`, loaded natively.
pub fn national() -> Result<RulePack, String> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/england"));
    let source = careplan::packs::read_pack(dir, &Limits::default()).map_err(|err| err.to_string())?;
    RulePack::load(&source, &[], &Limits::default()).map_err(|err| err.to_string())
}

/// The national pack loaded into the component.
pub fn national_wasm() -> Result<(Runtime, careplan_host::RulePack), String> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/england"));
    let source = careplan::packs::read_pack(dir, &Limits::default()).map_err(|err| err.to_string())?;
    let runtime = Runtime::new(HostConfig::default()).map_err(|err| err.to_string())?;
    let pack = runtime
        .load(careplan::engine::to_host(source), Vec::new())
        .map_err(|err| err.to_string())?;
    Ok((runtime, pack))
}

/// careplan's evaluation JSON as the shared output, for comparison with the other
/// implementations (not part of what is timed).
pub fn to_outcome(evaluation_json: &str) -> Result<Value, String> {
    let evaluation: Value = serde_json::from_str(evaluation_json).map_err(|err| err.to_string())?;
    let eligibility = match evaluation["eligibility"][0]["decision"].as_str() {
        Some("eligible") => "eligible",
        Some("not_eligible") => "not_eligible",
        Some("insufficient_information") => "no_assessment",
        other => return Err(format!("no adult eligibility decision (found {other:?})")),
    };
    let review = match evaluation["reviews"].as_array().map(Vec::as_slice) {
        Some([]) | None => Value::Null,
        Some([review]) => json!({ "kind": review["kind"], "due": review["due"] }),
        Some(more) => return Err(format!("{} reviews, expected at most one", more.len())),
    };
    let fired: Vec<&str> = evaluation["escalations"]
        .as_array()
        .map(|all| all.iter().filter_map(|e| e["rule"].as_str()).collect())
        .unwrap_or_default();
    let escalations: Vec<&str> = [
        ("bench.escalations.eligible-without-plan", "eligible_without_plan"),
        ("bench.escalations.review-overdue", "review_overdue"),
        ("bench.escalations.safeguarding", "safeguarding_concern"),
    ]
    .iter()
    .filter(|(rule, _)| fired.contains(rule))
    .map(|(_, code)| *code)
    .collect();
    Ok(json!({ "eligibility": eligibility, "review": review, "escalations": escalations }))
}

/// The pack's sources as the host takes them.
pub fn to_host_source(source: &PackSource) -> careplan_host::PackSource {
    careplan::engine::to_host(source.clone())
}
