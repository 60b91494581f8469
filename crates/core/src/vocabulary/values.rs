//! List helpers (`is_none`, `latest`) and number conversions (`floor`, `round`,
//! `parse_int`, ...).

use rhai::{Array, Dynamic, Engine, EvalAltResult, Map};

use super::{fail, RhaiResult};
use crate::Date;

/// The date-typed field `field` of a map, or an error naming what is wrong.
fn date_field(item: &Dynamic, field: &str) -> RhaiResult<Option<Date>> {
    let found = if let Some(record) = item.read_lock::<crate::vocabulary::record::Record>() {
        record.get(field).cloned()
    } else if let Some(map) = item.read_lock::<Map>() {
        map.get(field).cloned()
    } else {
        return fail(format!("`latest` needs a list of records, found {}", item.type_name()));
    };
    match found.as_ref() {
        None => fail(format!("a record in the list has no field `{field}`")),
        Some(value) if value.is_unit() => Ok(None),
        Some(value) => match value.clone().try_cast::<Date>() {
            Some(date) => Ok(Some(date)),
            None => fail(format!("field `{field}` is not a date")),
        },
    }
}

fn latest_by(items: &Array, field: &str) -> RhaiResult<Dynamic> {
    let mut best: Option<(Date, &Dynamic)> = None;
    for item in items {
        if let Some(date) = date_field(item, field)? {
            if best.is_none_or(|(b, _)| date >= b) {
                best = Some((date, item));
            }
        }
    }
    Ok(best.map_or(Dynamic::UNIT, |(_, item)| item.clone()))
}

/// Registers list helpers that rules over case records need often.
pub(super) fn register_lists(engine: &mut Engine) {
    // Natively, because rules ask it of every optional field: a script function would
    // cost a call frame each time.
    engine.register_fn("is_none", |value: &mut Dynamic| value.is_unit());
    // Pure: reading a list (of the case's records, say) never writes it back.
    rhai::FuncRegistration::new("latest")
        .with_purity(true)
        .register_into_engine(engine, |items: &mut Array| latest_by(items, "date"));
    rhai::FuncRegistration::new("latest")
        .with_purity(true)
        .register_into_engine(engine, |items: &mut Array, field: &str| latest_by(items, field));
}

/// Registers the number functions rules need: rounding and conversions. (Rhai's maths
/// package would add trigonometry and logarithms, which no care rule needs, at a
/// tenth of the component's size budget.) Failures name the problem, never the value,
/// which may come from a case.
pub(super) fn register_numbers(engine: &mut Engine) {
    engine.register_fn("floor", |x: f64| x.floor());
    engine.register_fn("ceiling", |x: f64| x.ceil());
    engine.register_fn("round", |x: f64| x.round());
    engine.register_fn("to_float", |x: i64| x as f64);
    engine.register_fn("to_int", |x: f64| -> Result<i64, Box<EvalAltResult>> {
        // i64::MAX as f64 rounds up to 2^63, which is out of range: hence `<`.
        if x.is_finite() && x >= i64::MIN as f64 && x < i64::MAX as f64 {
            Ok(x.trunc() as i64)
        } else {
            Err("to_int: the number is too large (or not a number) for an integer".into())
        }
    });
    engine.register_fn("parse_int", |text: &str| -> Result<i64, Box<EvalAltResult>> {
        text.trim()
            .parse()
            .map_err(|_| "parse_int: the text is not a whole number".into())
    });
    engine.register_fn("parse_float", |text: &str| -> Result<f64, Box<EvalAltResult>> {
        match text.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err("parse_float: the text is not a number".into()),
        }
    });
}
