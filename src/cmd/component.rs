//! `careplan component`: write the Wasm component for other hosts.

use std::path::Path;

use super::{tool_error, Exit};
use crate::render::ErrorFormat;

pub(super) fn run(out: &Path, format: ErrorFormat) -> Exit {
    match std::fs::write(out, careplan_host::COMPONENT) {
        Ok(()) => {
            println!(
                "wrote {} ({} bytes, sha256 {})",
                crate::packs::display_path(out),
                careplan_host::COMPONENT.len(),
                careplan_host::COMPONENT_SHA256
            );
            Exit::Ok
        }
        Err(err) => tool_error(&format_args!("cannot write `{}`: {err}", out.display()), format),
    }
}
