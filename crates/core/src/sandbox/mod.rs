//! The sandbox every rule runs in: the Rhai engine with nothing that reaches outside it
//! ([`engine`]), and the bounds on what a rule may do ([`limits`]).

pub(crate) mod engine;
pub(crate) mod limits;
