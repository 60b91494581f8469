//! The sandboxed Rhai engine every pack runs in.
//!
//! It starts from `Engine::new_raw()` (no packages, no module resolver, print and debug
//! going nowhere) and adds back only what rules need: arithmetic, logic, strings,
//! lists, maps, ranges, maths and function pointers. Nothing that touches the outside
//! world is registered: no `print` or `debug` (disabled outright), no `eval`, no
//! `sleep`, no `timestamp`, no `import` (Rhai is built with `no_module`). Every limit
//! is set from [`Limits`].

use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicMapPackage, BasicStringPackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::Engine;

use crate::Limits;

/// Keywords and functions switched off so that a rule using them fails to load.
pub(crate) const DISABLED_SYMBOLS: &[&str] = &["eval", "print", "debug"];

/// Names every rule can read: the case, the as-of date, the pack's parameters and its
/// facts (`vocabulary/facts.rs`).
pub(crate) const RULE_INPUTS: [&str; 4] = ["record", "today", "params", "facts"];

/// Builds the sandboxed engine, without the vocabulary (`vocabulary::register` adds it).
pub(crate) fn new_engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new_raw();
    ArithmeticPackage::new().register_into_engine(&mut engine);
    LogicPackage::new().register_into_engine(&mut engine);
    BasicStringPackage::new().register_into_engine(&mut engine);
    MoreStringPackage::new().register_into_engine(&mut engine);
    BasicArrayPackage::new().register_into_engine(&mut engine);
    BasicMapPackage::new().register_into_engine(&mut engine);
    // `for i in 0..n` and `for i in 0..=n`; arrays bring their own iterator. (Rhai's
    // iterator package adds `range()` and bit and character iterators, which rules do
    // not need, at more than 1% of the component.)
    engine.register_iterator::<std::ops::Range<rhai::INT>>();
    engine.register_iterator::<std::ops::RangeInclusive<rhai::INT>>();

    for symbol in DISABLED_SYMBOLS {
        engine.disable_symbol(*symbol);
    }
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});

    engine.set_strict_variables(true);
    // Every operator goes through function resolution, so that the vocabulary's
    // refusals of comparisons between two different types (`vocabulary/compare.rs`) run:
    // with Rhai's fast operators, `1 == "1"` and `age >= "80"` would be a silent `false`.
    engine.set_fast_operators(false);
    engine.set_fail_on_invalid_map_property(true);

    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_depth);
    engine.set_max_expr_depths(limits.max_expression_depth, limits.max_function_expression_depth);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_max_variables(limits.max_variables);
    engine.set_max_functions(limits.max_functions);

    // The work budget (`meter`): operations and what functions charge share one count,
    // and reading a variable charges the size of the value Rhai copies, and refuses one
    // nested too deep (every value a rule builds in steps is read back from a variable).
    engine.on_progress(crate::sandbox::meter::on_progress);
    let max_depth = limits.max_value_depth;
    #[allow(
        deprecated,
        reason = "on_var is Rhai's one hook on variable reads; marked volatile, not deprecated"
    )]
    engine.on_var(move |name, _, context| {
        if let Some(value) = context.scope().get(name) {
            crate::sandbox::meter::charge_value(value, max_depth)?;
        }
        Ok(None)
    });

    engine
}
