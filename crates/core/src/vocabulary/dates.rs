//! The `Date` type as rules use it: reading, arithmetic, working days, ages and
//! comparisons.

use rhai::{Engine, INT};

use super::RhaiResult;
use crate::Date;

fn date_result(result: Result<Date, crate::DateError>) -> RhaiResult<Date> {
    result.map_err(|e| e.to_string().into())
}

/// Registers the date type and its functions.
pub(super) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Date>("Date");
    engine.register_fn("date", |text: &str| -> RhaiResult<Date> {
        text.parse::<Date>().map_err(|e| e.to_string().into())
    });
    engine.register_fn("to_string", |d: Date| d.to_string());
    engine.register_fn("to_debug", |d: Date| d.to_string());
    engine.register_get("year", |d: &mut Date| INT::from(d.year()));
    engine.register_get("month", |d: &mut Date| INT::from(d.month()));
    engine.register_get("day", |d: &mut Date| INT::from(d.day()));
    engine.register_get("weekday", |d: &mut Date| d.weekday_name().to_owned());
    engine.register_fn("add_days", |d: Date, n: INT| date_result(d.add_days(n)));
    engine.register_fn("add_weeks", |d: Date, n: INT| date_result(d.add_weeks(n)));
    engine.register_fn("add_months", |d: Date, n: INT| date_result(d.add_months(n)));
    engine.register_fn("add_years", |d: Date, n: INT| date_result(d.add_years(n)));
    engine.register_fn("add_working_days", |d: Date, n: INT| date_result(d.add_working_days(n)));
    engine.register_fn("is_working_day", |d: Date| -> RhaiResult<bool> {
        d.is_working_day().map_err(|e| e.to_string().into())
    });
    engine.register_fn("days_until", |a: Date, b: Date| a.days_until(b));
    engine.register_fn("days_between", |a: Date, b: Date| a.days_until(b));
    engine.register_fn("working_days_until", |a: Date, b: Date| -> RhaiResult<INT> {
        a.working_days_until(b).map_err(|e| e.to_string().into())
    });
    engine.register_fn("working_days_between", |a: Date, b: Date| -> RhaiResult<INT> {
        a.working_days_until(b).map_err(|e| e.to_string().into())
    });
    engine.register_fn("age_on", |born: Date, on: Date| born.age_on(on));
    engine.register_fn("==", |a: Date, b: Date| a == b);
    engine.register_fn("!=", |a: Date, b: Date| a != b);
    engine.register_fn("<", |a: Date, b: Date| a < b);
    engine.register_fn("<=", |a: Date, b: Date| a <= b);
    engine.register_fn(">", |a: Date, b: Date| a > b);
    engine.register_fn(">=", |a: Date, b: Date| a >= b);
    engine.register_fn("min", |a: Date, b: Date| a.min(b));
    engine.register_fn("max", |a: Date, b: Date| a.max(b));
}
