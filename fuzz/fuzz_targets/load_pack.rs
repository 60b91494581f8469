//! Loading a pack from arbitrary sources: a manifest and up to three rule files, split
//! from the input at NUL bytes. Loading may fail, with problems; it must not panic,
//! and a pack that loads must evaluate a small case without panicking.
#![no_main]

use careplan_core::{evaluate_json, Limits, PackSource, RulePack, SourceFile};
use libfuzzer_sys::fuzz_target;

const MANIFEST: &str =
    "[pack]\nid = \"f\"\nname = \"n\"\nauthority = \"a\"\nversion = \"1.0.0\"\n[schemes.x]\ntitle = \"x\"\n";
const HEADER: &str = "//! id = \"f.r{n}\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"c\"\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let first = parts.next().unwrap_or_default();
    // Half the time the input is the manifest; otherwise a known-good manifest, so the
    // rules themselves get exercised.
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
    let pack = PackSource {
        location: "fuzz".into(),
        manifest,
        files,
    };
    let limits = Limits {
        max_operations: 20_000,
        ..Limits::default()
    };
    if let Ok(pack) = RulePack::load(&pack, &[], &limits) {
        let _ = evaluate_json(
            &pack,
            r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#,
            "2025-06-02",
        );
    }
});
