//! `careplan schema`: print a JSON Schema.

use careplan_core::{manifest_json_schema, Case, Evaluation};

use super::Exit;

/// Which schema to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// The case JSON a host sends.
    Case,
    /// The evaluation JSON careplan returns.
    Evaluation,
    /// A pack's `pack.toml`.
    Manifest,
}

pub(super) fn run(which: Which) -> Exit {
    let schema = match which {
        Which::Case => Case::json_schema(),
        Which::Evaluation => Evaluation::json_schema(),
        Which::Manifest => manifest_json_schema(),
    };
    println!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
    Exit::Ok
}
