//! The data careplan reads and writes: the case ([`case`], with what can be wrong with
//! it in [`case_error`]), what a pack declares in `pack.toml` ([`manifest`]: schemes,
//! recipients, parameters, local fields, read by the vocabulary, the checks and the
//! loader alike), the evaluation ([`evaluation`]) and their JSON Schemas ([`schema`]).

pub(crate) mod case;
pub(crate) mod case_error;
pub(crate) mod evaluation;
pub(crate) mod manifest;
pub mod schema;
