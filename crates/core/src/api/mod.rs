//! The entry points every host calls: JSON in, JSON (or text) out ([`json`]), and every
//! error rendered once ([`report`]).

pub(crate) mod json;
pub(crate) mod report;
