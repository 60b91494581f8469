//! `careplan check`: load and compile packs, report every problem.

use std::path::PathBuf;

use careplan_core::{problem_to_json, Limits};
use serde_json::json;

use super::{tool_error, Exit};
use crate::packs::{display_path, open_pack, OpenError};
use crate::render::{self, ErrorFormat};

pub(super) fn run(packs: &[PathBuf], format: ErrorFormat) -> Exit {
    let mut exit = Exit::Ok;
    let mut reports = Vec::new();
    for dir in packs {
        let name = display_path(dir);
        match open_pack(dir, &Limits::default()) {
            Ok(pack) => {
                let info = pack.info();
                match format {
                    ErrorFormat::Human => println!(
                        "{name}: pack `{}` {} is clean: {} rules, {} layer(s), digest {}",
                        info.id,
                        info.version,
                        info.rules.len(),
                        info.layers.len(),
                        info.digest
                    ),
                    ErrorFormat::Json => reports.push(json!({
                        "pack": name, "id": info.id, "ok": true, "rules": info.rules.len(), "problems": [],
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
