//! Arbitrary case JSON against the national pack, as of arbitrary dates: every input
//! gives an evaluation or a typed error, never a panic, and never an error that
//! repeats the case's NHS number.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use careplan_core::{evaluate_json, Limits, PackSource, RulePack, SourceFile};
use libfuzzer_sys::fuzz_target;

fn read_dir(root: &Path, dir: &Path, files: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "tests" && n != "cases") {
                read_dir(root, &path, files);
            }
        } else if path.extension().is_some_and(|e| e == "rhai") {
            files.push(SourceFile {
                path: path.strip_prefix(root).expect("inside").to_string_lossy().into_owned(),
                text: std::fs::read_to_string(&path).expect("text"),
            });
        }
    }
}

fn england() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/england");
        let mut files = Vec::new();
        read_dir(&root, &root, &mut files);
        let source = PackSource {
            location: "rules/england".into(),
            manifest: std::fs::read_to_string(root.join("pack.toml")).expect("manifest"),
            files,
        };
        RulePack::load(&source, &[], &Limits::default()).expect("rules/england loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first line may be an as-of date; the rest is the case.
    let (as_of, case) = match text.split_once('\n') {
        Some((first, rest)) if first.len() == 10 => (first, rest),
        _ => ("2025-06-02", text),
    };
    if let Err(err) = evaluate_json(england(), case, as_of) {
        // The NHS number, when the case gives one (ten digits, appearing once in the
        // text: a field name the fuzzer copied it into may rightly be named), must not
        // be repeated by the error.
        let nhs = serde_json::from_str::<serde_json::Value>(case)
            .ok()
            .and_then(|v| v["person"]["nhs_number"].as_str().map(str::to_owned))
            .filter(|n| {
                n.len() == 10 && n.bytes().all(|b| b.is_ascii_digit()) && case.matches(n.as_str()).count() == 1
            });
        if let Some(nhs) = nhs {
            let message = err.to_string();
            assert!(!message.contains(&nhs), "an error repeats the NHS number: {message}");
        }
    }
});
