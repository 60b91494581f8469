//! `careplan check`: load and compile packs, report every problem.

use std::path::PathBuf;

use careplan_core::{problem_to_json, Limits};
use serde_json::json;

use super::{tool_error, Exit};
use crate::packs::{display_path, open_pack, OpenError};
use crate::render::{self, ErrorFormat};

/// Checks each pack; warnings fail the check only with `deny_warnings`.
pub(super) fn run(packs: &[PathBuf], as_of: careplan_core::Date, deny_warnings: bool, format: ErrorFormat) -> Exit {
    let mut exit = Exit::Ok;
    let mut reports = Vec::new();
    for dir in packs {
        let name = display_path(dir);
        match open_pack(dir, &Limits::default()) {
            Ok(pack) => {
                let info = pack.info();
                let warnings = pack.warnings(as_of);
                let denied = deny_warnings && !warnings.is_empty();
                if denied {
                    exit = Exit::Failed;
                }
                match format {
                    ErrorFormat::Human => {
                        // Capped as problems are (50 a file, 200 in all); the JSON lists them all.
                        print!("{}", render::warnings(&warnings));
                        println!(
                            "{name}: pack `{}` {} has no errors{}{}: {} rules, {} layer(s), digest {}",
                            info.id,
                            info.version,
                            match warnings.len() {
                                0 => String::new(),
                                1 => " and 1 warning".to_owned(),
                                n => format!(" and {n} warnings"),
                            },
                            if denied { " (denied by --deny-warnings)" } else { "" },
                            info.rules.len(),
                            info.layers.len(),
                            info.digest
                        )
                    }
                    ErrorFormat::Json => reports.push(json!({
                        "pack": name, "id": info.id, "ok": !denied, "rules": info.rules.len(), "problems": [],
                        "warnings": warnings.iter().map(problem_to_json).collect::<Vec<_>>(),
                    })),
                }
            }
            Err(OpenError::Read(err)) => return tool_error(&err, format),
            Err(OpenError::Wasm(err)) => return tool_error(&err, format),
            Err(OpenError::Invalid(err)) => {
                exit = Exit::Failed;
                match format {
                    ErrorFormat::Human => print!("{}", render::load_error(&err)),
                    ErrorFormat::Json => reports.push(json!({
                        "pack": name, "id": err.pack(), "ok": false,
                        "problems": err.problems().iter().map(problem_to_json).collect::<Vec<_>>(),
                    })),
                }
            }
        }
    }
    if format == ErrorFormat::Json {
        println!("{}", serde_json::to_string_pretty(&reports).unwrap_or_default());
    }
    exit
}
