//! `careplan check`: load and compile packs, report every problem.

use std::path::PathBuf;

use careplan_core::{problem_to_json, Limits};
use serde_json::json;

use super::{tool_error, Exit};
use crate::packs::{display_path, open_pack, OpenError};
use crate::render::{self, ErrorFormat};

/// Warnings about rules that cannot run again: their `effective_to` is before `as_of`.
fn expired_rules(info: &careplan_core::PackInfo, as_of: careplan_core::Date) -> Vec<String> {
    info.rules
        .iter()
        .filter_map(|rule| {
            let to = rule.effective_to?;
            (to < as_of).then(|| {
                format!(
                    "rule `{}` ({}) stopped running on `{to}` (its `effective_to`), so it can never run for an as-of date from `{as_of}` on",
                    rule.id, rule.file
                )
            })
        })
        .collect()
}

pub(super) fn run(packs: &[PathBuf], as_of: careplan_core::Date, format: ErrorFormat) -> Exit {
    let mut exit = Exit::Ok;
    let mut reports = Vec::new();
    for dir in packs {
        let name = display_path(dir);
        match open_pack(dir, &Limits::default()) {
            Ok(pack) => {
                let info = pack.info();
                let warnings = expired_rules(info, as_of);
                match format {
                    ErrorFormat::Human => {
                        for warning in &warnings {
                            println!("warning: {warning}");
                        }
                        println!(
                            "{name}: pack `{}` {} has no errors{}: {} rules, {} layer(s), digest {}",
                            info.id,
                            info.version,
                            match warnings.len() {
                                0 => String::new(),
                                1 => " and 1 warning".to_owned(),
                                n => format!(" and {n} warnings"),
                            },
                            info.rules.len(),
                            info.layers.len(),
                            info.digest
                        )
                    }
                    ErrorFormat::Json => reports.push(json!({
                        "pack": name, "id": info.id, "ok": true, "rules": info.rules.len(), "problems": [],
                        "warnings": warnings,
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
