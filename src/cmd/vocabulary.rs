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

/// The library functions of a pack and its parents as a Markdown table.
fn library_markdown(info: &careplan_core::PackInfo) -> String {
    let mut out = format!("\n## Library functions of `{}` and the packs it extends\n\n", info.id);
    if info.functions.is_empty() {
        out.push_str("The pack and its parents define no library functions.\n");
        return out;
    }
    out.push_str("| Function | Pack | Defined at | What it does |\n|---|---|---|---|\n");
    for f in &info.functions {
        out.push_str(&format!(
            "| `{}({})` | `{}` | `{}:{}` | {} |\n",
            f.name,
            f.params.join(", "),
            f.pack,
            f.file,
            f.line,
            f.doc.replace('|', "\\|")
        ));
    }
    out
}

pub(super) fn run(pack: Option<&std::path::Path>, format: crate::render::ErrorFormat) -> Exit {
    let library = match pack {
        None => String::new(),
        Some(dir) => match crate::packs::open_pack(dir, &careplan_core::Limits::default()) {
            Ok(pack) => library_markdown(pack.info()),
            Err(err) => return super::open_error(&err, format),
        },
    };
    print!("{}{library}", markdown());
    Exit::Ok
}
