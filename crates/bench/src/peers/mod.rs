//! The peer engines, each running the shared logic (see the crate documentation) from a
//! source file under `crates/bench/peers/`:
//!
//! - [`rego::Rego`]: `peers/bench.rego` on regorus's interpreter; [`rego::RegoRvm`]: the
//!   same policy compiled to a program for regorus's Rego VM.
//! - [`zen::Zen`]: `peers/bench.jdm.json`, a GoRules JDM decision graph of expression
//!   nodes, on zen-engine.
//!
//! Every wrapper has the same shape: `evaluate_json` takes the case JSON and the as-of date
//! and returns the outcome as compact JSON; `prepare` turns them into the engine's own
//! input value once, and `evaluate_prepared` evaluates that, so that a benchmark can time
//! evaluation apart from parsing. Nothing is cached between calls.

pub mod rego;
pub mod zen;
