//! The same pack and cases give the same bytes: in two separate processes, natively
//! and through the component, on one thread or several. Compared by SHA-256 digest of
//! the whole `careplan batch` output over every case in the shipped packs' fixtures.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture case of rules/england and rules/elmshire, one per line.
fn caseload() -> PathBuf {
    let mut lines = String::new();
    for pack in ["rules/england", "rules/elmshire"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(pack).join("tests"))
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            let fixture: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&file).expect("readable")).expect("JSON");
            lines.push_str(&fixture["case"].to_string());
            lines.push('\n');
        }
    }
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("determinism.jsonl");
    std::fs::write(&path, lines).expect("written");
    path
}

/// The SHA-256 of `careplan batch rules/elmshire` over the caseload, in a new process.
fn digest(input: &Path, extra: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_careplan"))
        // The precompiled component goes under target/, never in the user's ~/.cache.
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .current_dir(root())
        .args(["batch", "rules/elmshire"])
        .arg(input)
        .args(["--as-of", "2025-06-02"])
        .args(extra)
        .output()
        .expect("careplan runs");
    assert!(!output.stdout.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    Sha256::digest(&output.stdout)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn outputs_are_identical_across_processes_engines_and_threads() {
    let input = caseload();
    let first = digest(&input, &["--engine", "native", "--jobs", "1"]);
    let runs = [
        (
            "a second native process",
            digest(&input, &["--engine", "native", "--jobs", "1"]),
        ),
        (
            "native on three threads",
            digest(&input, &["--engine", "native", "--jobs", "3"]),
        ),
        ("the component", digest(&input, &["--engine", "wasm", "--jobs", "1"])),
        (
            "the component on three threads",
            digest(&input, &["--engine", "wasm", "--jobs", "3"]),
        ),
    ];
    for (what, digest) in runs {
        assert_eq!(digest, first, "{what} gives different bytes");
    }
}
