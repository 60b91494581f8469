//! The authors' guide cannot drift from the engine: its vocabulary table is what the
//! engine registers, and its limits table is what `Limits::default()` sets.

use std::collections::BTreeMap;

fn guide() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rule-authoring.md")).expect("the guide exists")
}

/// The text between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
fn section(text: &str, name: &str) -> String {
    let start = format!("<!-- {name}:start -->\n");
    let end = format!("<!-- {name}:end -->");
    let from = text
        .find(&start)
        .unwrap_or_else(|| panic!("the guide has no `{start}`"))
        + start.len();
    let to = text[from..]
        .find(&end)
        .unwrap_or_else(|| panic!("the guide has no `{end}`"))
        + from;
    text[from..to].to_owned()
}

#[test]
fn the_guide_lists_the_vocabulary_the_engine_registers() {
    let generated = careplan::cmd::vocabulary::markdown();
    assert!(
        section(&guide(), "vocabulary") == generated,
        "docs/rule-authoring.md is out of date: replace its vocabulary section with the output of \
         `cargo run -q -- vocabulary`"
    );
}

#[test]
fn the_guide_lists_the_default_limits() {
    let defaults = serde_json::to_value(careplan_core::Limits::default()).expect("limits serialize");
    let expected: BTreeMap<String, String> = defaults
        .as_object()
        .expect("an object")
        .iter()
        .map(|(name, value)| (name.clone(), value.to_string()))
        .collect();
    let documented: BTreeMap<String, String> = section(&guide(), "limits")
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((name.to_owned(), (*cells.get(2)?).to_owned()))
        })
        .collect();
    assert_eq!(
        documented, expected,
        "docs/rule-authoring.md's limits table differs from Limits::default()"
    );
}
