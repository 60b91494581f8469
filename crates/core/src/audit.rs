//! The vocabulary audit: the static tables that every build uses (the functions and
//! arities `check` knows, the vocabulary's signatures and descriptions) compared with
//! what the engine really registers, read through Rhai's `metadata` feature. Built only
//! with the `audit` feature, which no product build enables (`.ci/run` runs
//! `cargo test -p careplan-core --features audit --lib audit`).

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::Engine;

use crate::pack::rule_engine;
use crate::vocabulary::{self, PackVocabulary};
use crate::Limits;

/// Rhai's Rust-flavoured signature as rules see it.
fn tidy_signature(raw: &str) -> String {
    let mut text = raw
        .replace("_: ", "")
        .replace("&mut ", "")
        .replace("careplan_core::calendar::date::Date", "Date")
        .replace("careplan_core::vocabulary::findings::Finding", "Finding")
        .replace("rhai::types::dynamic::Dynamic", "any")
        .replace("types::dynamic::Dynamic", "any")
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

/// The vocabulary's (name, signature) pairs as the engine registers them, without
/// Rhai's standard library, the case's fields, or how values print.
fn registered_vocabulary() -> Vec<(String, String)> {
    let mut engine = Engine::new_raw();
    vocabulary::register(&mut engine, Arc::new(PackVocabulary::default()));
    let mut entries: Vec<(String, String)> = engine
        .gen_fn_signatures(false)
        .into_iter()
        .filter(|raw| !raw.contains("careplan_core::vocabulary::record::Record") && !raw.contains("&mut record"))
        .map(|raw| {
            let signature = tidy_signature(&raw);
            let name = if signature.starts_with('.') {
                signature.split(" ->").next()
            } else {
                signature.split('(').next()
            }
            .unwrap_or_default()
            .to_owned();
            (name, signature)
        })
        .filter(|(name, _)| !name.starts_with("to_string") && !name.starts_with("to_debug"))
        // `facts.<name>` reads a pack's own facts, which its `facts.rhai` documents
        // (docs/rule-authoring.md, "Facts"), as the case's fields are the schema's.
        .filter(|(_, signature)| !signature.starts_with("index$get$(facts,"))
        // Comparisons of two different types are refusals (`vocabulary/compare.rs`),
        // described by the `==` entry rather than one by one.
        .filter(|(name, signature)| {
            let operator = name.starts_with(['=', '!', '<', '>']);
            let params = signature
                .split_once('(')
                .and_then(|(_, rest)| rest.rsplit_once(')'))
                .map(|(p, _)| p);
            let mixed = params.and_then(|p| p.split_once(", ")).is_some_and(|(a, b)| a != b);
            !(operator && mixed)
        })
        .collect();
    entries.sort_by(|a, b| a.1.cmp(&b.1));
    entries.dedup();
    entries
}

/// Every function a rule can call (the vocabulary and the Rhai packages the engine
/// registers), by name, with the sorted, distinct numbers of arguments its overloads
/// take (a method call counts the value before the dot).
fn registered_arities() -> Vec<(String, Vec<usize>)> {
    let engine = rule_engine(&Limits::default(), Arc::new(PackVocabulary::default()));
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
        .filter(|(name, _)| name.starts_with(|c: char| c.is_alphabetic() || c == '_'))
        .map(|(name, mut counts)| {
            counts.sort_unstable();
            counts.dedup();
            (name, counts)
        })
        .collect()
}

#[test]
fn the_known_functions_are_the_ones_the_engine_registers() {
    let registered = registered_arities();
    let listed: Vec<(String, Vec<usize>)> = crate::check::FUNCTIONS
        .iter()
        .map(|(n, mask)| ((*n).to_owned(), (0..8).filter(|i| mask & (1 << i) != 0).collect()))
        .collect();
    if listed != registered {
        let mask = |counts: &[usize]| counts.iter().fold(0u8, |m, c| m | (1 << c));
        let table: String = registered
            .iter()
            .map(|(n, c)| format!("    (\"{n}\", 0b{:08b}),\n", mask(c)))
            .collect();
        panic!("update check::FUNCTIONS to:\n{table}");
    }
}

#[test]
fn the_vocabulary_table_is_what_the_engine_registers() {
    let registered = registered_vocabulary();
    let listed: Vec<(String, String)> = vocabulary::ENTRIES
        .iter()
        .map(|(n, s, _)| ((*n).to_owned(), (*s).to_owned()))
        .collect();
    if listed != registered {
        let missing: Vec<_> = registered.iter().filter(|e| !listed.contains(e)).collect();
        let extra: Vec<_> = listed.iter().filter(|e| !registered.contains(e)).collect();
        panic!("vocabulary::ENTRIES differs from the engine: registered but not listed {missing:?}; listed but not registered {extra:?}");
    }
    for (name, signature, description) in vocabulary::ENTRIES {
        assert!(!description.trim().is_empty(), "`{signature}` has no description");
        assert!(!name.is_empty(), "`{signature}` has no name");
    }
}
