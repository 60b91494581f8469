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
    /// A fixture file (`tests/*.json`).
    Fixture,
}

/// Prints a schema; with a pack, the case's `local` fields and a fixture's `params` are
/// the pack's own, with their types.
pub(super) fn run(which: Which, pack: Option<&std::path::Path>, format: crate::render::ErrorFormat) -> Exit {
    let opened = match pack {
        None => None,
        Some(dir) => match crate::packs::open_pack(dir, &careplan_core::Limits::default()) {
            Ok(pack) => Some(pack),
            Err(err) => return super::open_error(&err, format),
        },
    };
    let info = opened.as_ref().map(careplan_core::RulePack::info);
    let text = match (which, info) {
        (Which::Case, None) => schema::CASE_PRETTY.to_owned(),
        (Which::Case, Some(info)) => schema::case_for_pack(&info.local_fields),
        (Which::Fixture, info) => schema::fixture(info.map(|i| &i.local_fields), info.map(|i| &i.parameters)),
        (Which::Evaluation, _) => schema::EVALUATION_PRETTY.to_owned(),
        (Which::Manifest, _) => schema::MANIFEST_PRETTY.to_owned(),
    };
    print!("{text}");
    Exit::Ok
}
