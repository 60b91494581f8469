//! What the targets share: how an input becomes a pack or a case, the repository's
//! packs, and (for the component targets) one host runtime per process.
//!
//! Input formats:
//! - a **case input** is case JSON, optionally preceded by a 10-character as-of line
//!   and followed by a NUL byte and a JSON object of parameter overrides;
//! - a **pack input** is a manifest (when it starts with `[pack]`; otherwise a known-good
//!   one is used) and up to three rule files, split at NUL bytes. A rule file without
//!   its own `//!` header gets a valid one, so the rules themselves are exercised.
//!
//! The component targets take both: an input starting with `P` is a pack input (the
//! rest of it), anything else a case input.
#![allow(dead_code)] // Each target uses its own part.

use std::path::Path;

use careplan_core::{PackSource, SourceFile};

/// The as-of date when the input gives none.
pub const AS_OF: &str = "2025-06-02";

/// The small case a fuzzed pack evaluates.
pub const SMALL_CASE: &str = r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#;

const MANIFEST: &str =
    "[pack]\nid = \"f\"\nname = \"n\"\nauthority = \"a\"\nversion = \"1.0.0\"\n[schemes.x]\ntitle = \"x\"\n";
const HEADER: &str = "//! id = \"f.r{n}\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"c\"\n";

/// A case input: the as-of date, the case JSON and the parameter overrides, if any.
pub struct CaseInput<'a> {
    /// `YYYY-MM-DD`, or whatever ten characters the fuzzer put on the first line.
    pub as_of: &'a str,
    /// The case JSON text.
    pub case: &'a str,
    /// The text after the first NUL byte: meant as a JSON object of parameters.
    pub parameters: Option<&'a str>,
}

/// Reads a case input.
pub fn case_input(text: &str) -> CaseInput<'_> {
    let (body, parameters) = match text.split_once('\0') {
        Some((body, parameters)) => (body, Some(parameters)),
        None => (text, None),
    };
    let (as_of, case) = match body.split_once('\n') {
        Some((first, rest)) if first.len() == 10 => (first, rest),
        _ => (AS_OF, body),
    };
    CaseInput {
        as_of,
        case,
        parameters,
    }
}

/// Reads a pack input.
pub fn pack_input(text: &str) -> PackSource {
    let mut parts = text.split('\0');
    let first = parts.next().unwrap_or_default();
    let (manifest, rest): (String, Vec<&str>) = if first.starts_with("[pack]") {
        (first.to_owned(), parts.collect())
    } else {
        (MANIFEST.to_owned(), std::iter::once(first).chain(parts).collect())
    };
    let files = rest
        .into_iter()
        .take(3)
        .enumerate()
        .map(|(n, body)| SourceFile {
            path: format!("r{n}.rhai"),
            text: if body.starts_with("//!") {
                body.to_owned()
            } else {
                format!("{}{body}", HEADER.replace("{n}", &n.to_string()))
            },
        })
        .collect();
    PackSource {
        location: "fuzz".into(),
        manifest,
        files,
    }
}

/// One of the repository's packs, by folder name under `rules/`, and the packs it
/// extends, read as the CLI reads them.
pub fn repository_pack(name: &str) -> (PackSource, Vec<PackSource>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules").join(name);
    careplan::packs::read_with_parents(&dir, &careplan_core::Limits::default())
        .unwrap_or_else(|err| panic!("rules/{name}: {err}"))
}

/// `rules/england`, read once: the pack a fuzzed pack may extend.
pub fn england() -> &'static PackSource {
    static ENGLAND: std::sync::OnceLock<PackSource> = std::sync::OnceLock::new();
    ENGLAND.get_or_init(|| repository_pack("england").0)
}

/// The sample case, `rules/england/cases/sample.json`, read once.
pub fn sample_case() -> &'static str {
    static SAMPLE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(|| {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/england/cases/sample.json"
        ))
        .expect("the sample case")
    })
}

/// Runs a component target's input: `pack` for a pack input (after `P`), `case` for a
/// case input (anything else that is UTF-8).
pub fn dispatch(data: &[u8], pack: impl FnOnce(PackSource), case: impl FnOnce(CaseInput<'_>)) {
    match data.split_first() {
        Some((b'P', rest)) => pack(pack_input(&String::from_utf8_lossy(rest))),
        _ => {
            if let Ok(text) = std::str::from_utf8(data) {
                case(case_input(text));
            }
        }
    }
}

/// The NHS number a case gives, when it is ten digits appearing once in the text (a
/// field name the fuzzer copied it into may rightly be named by an error).
pub fn nhs_number(case: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(case)
        .ok()
        .and_then(|v| v["person"]["nhs_number"].as_str().map(str::to_owned))
        .filter(|n| n.len() == 10 && n.bytes().all(|b| b.is_ascii_digit()) && case.matches(n.as_str()).count() == 1)
}

/// The host runtime the component targets share: the default bounds, except a deadline
/// long enough that only a rule the operation limits fail to stop can reach it, and
/// the compiled component cached beside the fuzz build.
pub fn runtime() -> careplan_host::Runtime {
    use std::sync::OnceLock;
    static RUNTIME: OnceLock<careplan_host::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            careplan_host::Runtime::new(careplan_host::HostConfig {
                timeout: std::time::Duration::from_secs(20),
                cache_dir: Some(std::env::temp_dir().join("careplan-fuzz-component")),
                ..careplan_host::HostConfig::default()
            })
            .expect("the host starts")
        })
        .clone()
}
