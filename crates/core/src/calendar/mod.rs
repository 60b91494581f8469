//! Dates as rules see them: [`Date`] (1900 to 2200, day arithmetic, ages, working
//! days) and the England and Wales bank holidays that working days skip.

pub(crate) mod date;
pub(crate) mod holidays;

pub use date::{Date, DateError};
