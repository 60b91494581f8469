//! The module tree keeps its layers: each subsystem of `src/` uses only the subsystems
//! below it, so there are no import circles. ARCHITECTURE.md draws the same order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The subsystems, lowest first. A subsystem may use those before it, never those after.
const LAYERS: &[&[&str]] = &[
    &["calendar", "diagnostics"],
    &["sandbox"],
    &["model"],
    &["vocabulary"],
    &["check"],
    &["pack"],
    &["eval"],
    &["explain"],
    &["api"],
    &["fixture", "audit"],
];

fn rank(subsystem: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&subsystem))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its unit tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which subsystem each item re-exported at the crate root comes from (`crate::Date`
/// is `calendar`'s), read from `lib.rs`'s `pub use` lines.
fn root_items() -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let mut items = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let subsystem = rest.split("::").next().unwrap_or_default().to_owned();
        let names = rest.rsplit("::").next().unwrap_or_default();
        for name in names.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                items.insert(name.to_owned(), subsystem.clone());
            }
        }
        if names.trim() == "*" {
            // `pub use model::case::*`: the case types.
            let module = rest.trim_end_matches("::*").replace("::", "/");
            let text = std::fs::read_to_string(src().join(format!("{module}.rs"))).expect("a glob-exported module");
            for word in text.split_whitespace().collect::<Vec<_>>().windows(3) {
                if word[0] == "pub" && (word[1] == "struct" || word[1] == "enum") {
                    let name: String = word[2].chars().take_while(|c| c.is_alphanumeric()).collect();
                    items.insert(name, subsystem.clone());
                }
            }
        }
    }
    items
}

/// The subsystems a file's code names: `crate::<subsystem>::...`, and items taken from
/// the crate root (`crate::Date`, `use crate::{Date, Limits}`).
fn used_subsystems(code: &str, root: &BTreeMap<String, String>) -> Vec<String> {
    let mut used = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or_default();
            for name in group.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if let Some(subsystem) = root.get(name) {
                    used.push(subsystem.clone());
                }
            }
            continue;
        }
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            if let Some(subsystem) = root.get(&name) {
                used.push(subsystem.clone());
            }
        } else if !name.is_empty() {
            used.push(name);
        }
    }
    used
}

#[test]
fn each_subsystem_uses_only_the_ones_below_it() {
    let root = root_items();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(src())
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if relative == "lib.rs" {
            continue;
        }
        let subsystem = relative
            .split('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_owned();
        let own = rank(&subsystem).unwrap_or_else(|| panic!("`{subsystem}` is not in LAYERS: add it"));
        let text = std::fs::read_to_string(&file).expect("a source file");
        for used in used_subsystems(&code(&text), &root) {
            if used == subsystem {
                continue;
            }
            match rank(&used) {
                Some(theirs) if theirs < own => {}
                _ => wrong.push(format!("{relative} ({subsystem}) uses {used}")),
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "uses against the layering:\n{}", wrong.join("\n"));
}

/// The check can fail: a use against the order is found.
#[test]
fn a_use_against_the_order_is_found() {
    let root = root_items();
    let used = used_subsystems("use crate::pack::RulePack;\nlet d: crate::Date;", &root);
    assert_eq!(used, ["pack", "calendar"]);
    assert!(rank("pack") > rank("vocabulary"));
}
