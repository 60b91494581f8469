//! The work budget: what one run of a rule may cost, counted deterministically.
//!
//! Rhai counts *operations*: one `==`, `contains` or `split` is one operation however
//! large its input, so a rule can do seconds of work within the operations limit. The
//! meter adds what the input costs: every function whose work grows with its input
//! charges it (one unit per list item or map entry it touches, one per 32 bytes of
//! text), and reading a variable charges the size of the value read (which Rhai copies).
//! Operations and charges share one budget, `max_operations` per run of a rule, and
//! the same budget across a whole evaluation (`max_evaluation_operations`); both are
//! counted from the rule's code and data only, so the same rule stops at the same
//! point on every machine and in every host.
//!
//! The meter lives in a thread-local: a rule runs on one thread from start to end, and
//! Rhai's progress callback, which sees only the operation count, has no other way to
//! reach the run it belongs to. Outside a run nothing is charged.

use std::cell::Cell;

use rhai::{Dynamic, EvalAltResult, Position};

/// Bytes of text one unit of work stands for.
pub(crate) const BYTES_PER_UNIT: usize = 32;

#[derive(Clone, Copy)]
struct State {
    /// Rhai's operation count in this run, as last reported.
    ops: u64,
    /// What functions and variable reads have charged in this run.
    charged: u64,
    /// The run's budget; `u64::MAX` outside a run.
    max: u64,
}

const IDLE: State = State {
    ops: 0,
    charged: 0,
    max: u64::MAX,
};

thread_local! {
    static METER: Cell<State> = const { Cell::new(IDLE) };
}

/// Meters one run of a rule with a budget of `max` units, until dropped; the meter of
/// any run it interrupts comes back then.
pub(crate) struct Run {
    outer: State,
}

impl Run {
    /// Starts metering a run.
    pub(crate) fn start(max: u64) -> Run {
        let outer = METER.with(|m| {
            m.replace(State {
                ops: 0,
                charged: 0,
                max,
            })
        });
        Run { outer }
    }

    /// The units the run has used so far: operations and charges.
    pub(crate) fn used(&self) -> u64 {
        METER.with(|m| {
            let state = m.get();
            state.ops.saturating_add(state.charged)
        })
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        METER.with(|m| m.set(self.outer));
    }
}

/// The error for a run over its budget: the one Rhai gives for too many operations,
/// so that both ways of running out are the same `operations` limit.
fn over() -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorTooManyOperations(Position::NONE))
}

/// Charges `units` to the current run, failing when that takes it over its budget.
/// Called before the work is done, so that work over the budget is never done.
pub(crate) fn charge(units: u64) -> Result<(), Box<EvalAltResult>> {
    METER.with(|m| {
        let mut state = m.get();
        state.charged = state.charged.saturating_add(units);
        m.set(state);
        if state.ops.saturating_add(state.charged) > state.max {
            Err(over())
        } else {
            Ok(())
        }
    })
}

/// The units for `bytes` bytes of text: at least one.
pub(crate) fn text_units(bytes: usize) -> u64 {
    (bytes / BYTES_PER_UNIT + 1) as u64
}

/// The units left in the current run's budget (all of them outside a run).
pub(crate) fn left() -> u64 {
    METER.with(|m| {
        let state = m.get();
        state.max.saturating_sub(state.ops.saturating_add(state.charged))
    })
}

/// Rhai's progress callback: records the operation count and stops the run when
/// operations and charges together are over its budget.
pub(crate) fn on_progress(ops: u64) -> Option<Dynamic> {
    METER.with(|m| {
        let mut state = m.get();
        state.ops = ops;
        m.set(state);
        (ops.saturating_add(state.charged) > state.max).then(|| Dynamic::from(TERMINATED))
    })
}

/// The error for a value nested deeper than `max_value_depth` (Rhai's "data too large"
/// error, with this text naming the limit).
pub(crate) const TOO_DEEP: &str = "Depth of nested lists and maps";

/// Refuses a value nested `max_depth` deep or deeper, and charges its size: what
/// reading it from a variable (which Rhai copies) or passing it to a metered function
/// costs.
pub(crate) fn charge_value(value: &Dynamic, max_depth: usize) -> Result<(), Box<EvalAltResult>> {
    let (units, depth) = measure(value, max_depth);
    if depth >= max_depth {
        return Err(Box::new(EvalAltResult::ErrorDataTooLarge(
            TOO_DEEP.to_owned(),
            Position::NONE,
        )));
    }
    charge(units)
}

/// The token of a run the progress callback stopped.
pub(crate) const TERMINATED: &str = "careplan: work budget";

/// The size of a value: units (items, entries and 32-byte lengths of text, map keys
/// included) and the depth of lists and maps nested in one another. The walk goes no
/// deeper than one level past `max_depth` (so its own stack stays small) and stops once
/// that depth is seen, so that the walk of a hostile value costs at most its size.
pub(crate) fn measure(value: &Dynamic, max_depth: usize) -> (u64, usize) {
    let mut size = Size { units: 1, deepest: 0 };
    size.walk(value, 0, max_depth);
    (size.units, size.deepest)
}

struct Size {
    units: u64,
    deepest: usize,
}

impl Size {
    fn walk(&mut self, value: &Dynamic, depth: usize, max_depth: usize) {
        self.deepest = self.deepest.max(depth);
        if self.deepest > max_depth {
            return;
        }
        if let Some(array) = value.read_lock::<rhai::Array>() {
            self.units = self.units.saturating_add(array.len() as u64);
            for item in array.iter() {
                self.walk(item, depth + 1, max_depth);
                if self.deepest > max_depth {
                    return;
                }
            }
        } else if let Some(map) = value.read_lock::<rhai::Map>() {
            self.units = self.units.saturating_add(map.len() as u64);
            for (key, item) in map.iter() {
                self.units = self.units.saturating_add(text_units(key.len()));
                self.walk(item, depth + 1, max_depth);
                if self.deepest > max_depth {
                    return;
                }
            }
        } else if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
            self.units = self.units.saturating_add(text_units(text.len()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_add_to_operations_and_stop_at_the_budget() {
        let run = Run::start(100);
        assert!(on_progress(40).is_none());
        assert!(charge(50).is_ok());
        assert_eq!(run.used(), 90);
        assert!(on_progress(51).is_some(), "51 operations and 50 units are over 100");
        assert!(charge(1).is_err());
        drop(run);
        // Outside a run nothing is over budget.
        assert!(charge(u64::MAX / 2).is_ok());
    }

    #[test]
    fn a_nested_run_gives_the_outer_one_back() {
        let outer = Run::start(1_000);
        charge(10).ok();
        {
            let inner = Run::start(5);
            assert!(charge(6).is_err());
            assert_eq!(inner.used(), 6);
        }
        assert_eq!(outer.used(), 10);
    }

    #[test]
    fn measure_counts_items_keys_and_depth() {
        let mut nested = Dynamic::from_array(vec![Dynamic::from_int(1)]);
        for _ in 0..10 {
            nested = Dynamic::from_array(vec![nested]);
        }
        let (units, depth) = measure(&nested, 100);
        assert_eq!(depth, 11);
        assert_eq!(units, 12);
        let (_, stopped) = measure(&nested, 3);
        assert_eq!(stopped, 4, "the walk stops just past the limit");
        let mut map = rhai::Map::new();
        map.insert(
            "k".repeat(64).into(),
            Dynamic::from(rhai::ImmutableString::from("x".repeat(64))),
        );
        let (units, depth) = measure(&Dynamic::from_map(map), 10);
        assert_eq!((units, depth), (1 + 1 + 3 + 3, 1));
    }
}
