//! The sandboxed Rhai engine every pack runs in.
//!
//! It starts from `Engine::new_raw()` (no packages, no module resolver, print and debug
//! going nowhere) and adds back only what rules need: arithmetic, logic, strings,
//! lists, maps, ranges, maths and function pointers. Nothing that touches the outside
//! world is registered: no `print` or `debug` (disabled outright), no `eval`, no
//! `sleep`, no `timestamp`, no `import` (Rhai is built with `no_module`). Every limit
//! is set from [`Limits`].

#[cfg(feature = "metadata")]
use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicMapPackage, BasicStringPackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::Engine;

use crate::vocabulary::{self, PackVocabulary};
use crate::Limits;

/// Keywords and functions switched off so that a rule using them fails to load.
pub(crate) const DISABLED_SYMBOLS: &[&str] = &["eval", "print", "debug"];

/// Names every rule can read: the case, the as-of date and the pack's parameters.
pub(crate) const RULE_INPUTS: [&str; 3] = ["record", "today", "params"];

/// Builds the engine for one pack.
pub(crate) fn new_engine(limits: &Limits, pack: Arc<PackVocabulary>) -> Engine {
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
    engine.set_fail_on_invalid_map_property(true);

    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_depth);
    engine.set_max_expr_depths(limits.max_expression_depth, limits.max_function_expression_depth);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_max_variables(limits.max_variables);
    engine.set_max_functions(limits.max_functions);

    vocabulary::register(&mut engine, pack);
    engine
}

/// One function of the rule vocabulary, for the authors' guide.
#[cfg(feature = "metadata")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyEntry {
    /// The function's name, or `.name` for a property.
    pub name: String,
    /// Its signature as rules see it, e.g. `add_days(Date, int) -> Date`.
    pub signature: String,
    /// What it does.
    pub description: &'static str,
}

/// Every function the engine registers for rules (the vocabulary, without Rhai's
/// standard library), read from the engine's own registrations and described from the
/// vocabulary's list of descriptions. Errors name any registered function without a
/// description, or any description of a function that is not registered.
#[cfg(feature = "metadata")]
pub fn vocabulary() -> Result<Vec<VocabularyEntry>, String> {
    let mut engine = Engine::new_raw();
    vocabulary::register(&mut engine, Arc::new(PackVocabulary::default()));
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for raw in engine.gen_fn_signatures(false) {
        if raw.contains("careplan_core::record::Record") || raw.contains("&mut record") {
            continue; // the case's fields: documented by the case schema, not here
        }
        let signature = tidy_signature(&raw);
        let name = if signature.starts_with('.') {
            signature.split(" ->").next()
        } else {
            signature.split('(').next()
        }
        .unwrap_or_default()
        .to_owned();
        if name.starts_with("to_string") || name.starts_with("to_debug") {
            continue; // how dates and findings print; not something rules call
        }
        match vocabulary::DESCRIPTIONS.iter().find(|(n, _)| *n == name) {
            Some((_, description)) => entries.push(VocabularyEntry {
                name,
                signature,
                description,
            }),
            None => problems.push(format!("`{name}` is registered but has no description")),
        }
    }
    for (name, _) in vocabulary::DESCRIPTIONS {
        if !entries.iter().any(|e| e.name == *name) {
            problems.push(format!("`{name}` is described but not registered"));
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    entries.sort_by(|a, b| a.signature.cmp(&b.signature));
    entries.dedup();
    Ok(entries)
}

/// Rhai's Rust-flavoured signature as rules see it.
#[cfg(feature = "metadata")]
fn tidy_signature(raw: &str) -> String {
    let mut text = raw
        .replace("_: ", "")
        .replace("&mut ", "")
        .replace("careplan_core::date::Date", "Date")
        .replace("careplan_core::vocabulary::Finding", "Finding")
        .replace("rhai::types::dynamic::Dynamic", "any")
        .replace("i64", "int")
        .replace("f64", "float");
    if let Some(start) = text.find("core::result::Result<") {
        let inner = &text[start + "core::result::Result<".len()..];
        let ok = inner.split(',').next().unwrap_or_default().to_owned();
        text = format!("{}{ok}", &text[..start]);
    }
    match text.strip_prefix("get$") {
        Some(property) => {
            let (name, rest) = property.split_once('(').unwrap_or((property, ""));
            let ty = rest.rsplit("-> ").next().unwrap_or_default();
            format!(".{name} -> {ty}")
        }
        None => text,
    }
}

/// Every function a rule can call (the vocabulary and the Rhai packages the engine
/// registers), sorted by name, each with the sorted, distinct numbers of arguments its
/// overloads take (a method call counts the value before the dot). Compared in a test
/// with the table the load-time check uses (`check::FUNCTIONS`), so the two cannot drift.
#[cfg(feature = "metadata")]
pub fn registered_functions() -> Vec<(String, Vec<usize>)> {
    let engine = new_engine(&Limits::default(), Arc::new(PackVocabulary::default()));
    let mut functions: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for signature in engine.gen_fn_signatures(true) {
        let Some((name, rest)) = signature.split_once('(') else {
            continue;
        };
        if name.starts_with("get$") || name.starts_with("set$") || name.starts_with("index$") {
            continue;
        }
        // Count the parameters: commas outside brackets, up to the closing parenthesis.
        let (mut depth, mut commas, mut empty) = (0i32, 0usize, true);
        for c in rest.chars() {
            match c {
                ')' if depth == 0 => break,
                '(' | '<' | '[' => depth += 1,
                ')' | '>' | ']' => depth -= 1,
                ',' if depth == 0 => commas += 1,
                _ => {}
            }
            empty &= c.is_whitespace();
        }
        let count = if empty { 0 } else { commas + 1 };
        functions.entry(name.to_owned()).or_default().push(count);
    }
    functions
        .into_iter()
        .map(|(name, mut counts)| {
            counts.sort_unstable();
            counts.dedup();
            (name, counts)
        })
        .collect()
}
