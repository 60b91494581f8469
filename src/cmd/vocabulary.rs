//! `careplan vocabulary`: the rule vocabulary as Markdown, from the engine itself. The
//! authors' guide (`docs/rule-authoring.md`) holds this text; a test keeps it current.

use super::{tool_error, Exit};
use crate::render::ErrorFormat;

/// The vocabulary as a Markdown table.
pub fn markdown() -> Result<String, String> {
    let mut out = String::from("| Function | Signature | What it does |\n|---|---|---|\n");
    for entry in careplan_core::vocabulary()? {
        out.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            entry.name.replace('|', "\\|"),
            entry.signature.replace('|', "\\|"),
            entry.description.replace('|', "\\|")
        ));
    }
    Ok(out)
}

pub(super) fn run(format: ErrorFormat) -> Exit {
    match markdown() {
        Ok(text) => {
            print!("{text}");
            Exit::Ok
        }
        Err(message) => tool_error(&message, format),
    }
}
