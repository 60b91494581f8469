//! `careplan schema`: print a JSON Schema.

use careplan_core::schema;

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
    print!(
        "{}",
        match which {
            Which::Case => schema::CASE_PRETTY,
            Which::Evaluation => schema::EVALUATION_PRETTY,
            Which::Manifest => schema::MANIFEST_PRETTY,
        }
    );
    Exit::Ok
}
