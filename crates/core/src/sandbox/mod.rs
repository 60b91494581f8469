//! The sandbox every rule runs in: the Rhai engine with nothing that reaches outside it
//! ([`engine`]), the bounds on what a rule may do ([`limits`]) and the work budget that counts
//! what it costs ([`meter`]).

pub(crate) mod engine;
pub(crate) mod limits;
pub(crate) mod meter;
