//! The `careplan` command line: evaluate cases, check rule packs, run their test
//! suites and print the JSON Schemas.
//!
//! This crate is glue: every decision is made by [`careplan_core`]. It reads packs,
//! cases and fixtures from disk ([`packs`]), renders results and diagnostics for
//! people ([`render`]), runs rules natively or through the Wasm component
//! ([`engine`]) and maps outcomes to exit codes ([`cmd::Exit`]).
#![deny(missing_docs)]

pub mod cmd;
pub mod engine;
pub mod fixture_file;
pub mod packs;
pub mod render;
pub mod serve;
