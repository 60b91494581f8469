//! `careplan vocabulary`: the rule vocabulary as Markdown, from core's table (which
//! the vocabulary audit checks against the engine's registrations). The authors' guide
//! (`docs/rule-authoring.md`) holds this text; a test keeps it current.

use super::Exit;

/// The vocabulary as a Markdown table.
pub fn markdown() -> String {
    let mut out = String::from("| Function | Signature | What it does |\n|---|---|---|\n");
    for entry in careplan_core::vocabulary() {
        out.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            entry.name.replace('|', "\\|"),
            entry.signature.replace('|', "\\|"),
            entry.description.replace('|', "\\|")
        ));
    }
    out
}

pub(super) fn run() -> Exit {
    print!("{}", markdown());
    Exit::Ok
}
