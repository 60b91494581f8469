//! careplan-artifacts: the careplan WebAssembly component, built from this workspace by
//! the build script (`build/component.rs`) and embedded here as bytes, for careplan-host
//! to run and the CLI to write out.
//!
//! A crate of its own so that the nested build is one step with one job: it builds
//! `careplan-component` for `wasm32-unknown-unknown` when, and only when, a file that
//! build read has changed. Which files those are comes from the nested build's own
//! dep-info, not from a list kept by hand.
#![deny(missing_docs)]

/// The component's bytes, as built from this workspace.
pub const COMPONENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/careplan.wasm"));

/// The SHA-256 of [`COMPONENT`], in hex.
pub const COMPONENT_SHA256: &str = include_str!(concat!(env!("OUT_DIR"), "/careplan.wasm.sha256"));
