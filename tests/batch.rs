//! `careplan batch` on a caseload: one output line per input line, in order, and every
//! corrupted line accounted for.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("batch");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// Writes `count` cases as JSON Lines, corrupting every `every`-th line in one of six
/// ways; returns the numbers (from 1) of the corrupted lines.
fn caseload(path: &Path, count: u64, every: u64) -> Vec<u64> {
    let mut text = Vec::new();
    let mut corrupted = Vec::new();
    for n in 1..=count {
        let year = 1925 + n % 80;
        let line: Vec<u8> = if n % every == 0 {
            corrupted.push(n);
            match (n / every) % 6 {
                0 => format!("{{\"person\": {{\"id\": \"c{n}\", \"date_of_birth\": \"{year}-01-0").into_bytes(),
                1 => format!("{{\"person\": {{\"id\": \"c{n}\", \"date_of_brith\": \"{year}-01-01\"}}}}").into_bytes(),
                2 => format!("{{\"person\": {{\"id\": \"c{n}\", \"date_of_birth\": \"{year}-02-30\"}}}}").into_bytes(),
                3 => format!("{{\"person\": {{\"id\": \"c{n}\", \"date_of_birth\": {year}}}}}").into_bytes(),
                4 => Vec::new(),
                _ => b"\xff\xfe{\"person\": {}}".to_vec(),
            }
        } else {
            format!(
                "{{\"person\": {{\"id\": \"c{n}\", \"date_of_birth\": \"{year}-{:02}-{:02}\"}}}}",
                1 + n % 12,
                1 + n % 28
            )
            .into_bytes()
        };
        text.extend_from_slice(&line);
        text.push(b'\n');
    }
    std::fs::write(path, text).expect("caseload written");
    corrupted
}

struct Sweep {
    records: Vec<Value>,
    summary: String,
    code: i32,
}

fn sweep(pack: &str, input: &Path, extra: &[&str]) -> Sweep {
    let output = input.with_extension("out.jsonl");
    let result = Command::new(env!("CARGO_BIN_EXE_careplan"))
        .current_dir(root())
        .args(["batch", pack])
        .arg(input)
        .arg("-o")
        .arg(&output)
        .args(["--as-of", "2025-06-02"])
        .args(extra)
        .output()
        .expect("careplan runs");
    let text = std::fs::read_to_string(&output).expect("the output was written");
    let records = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("every output line is JSON"))
        .collect();
    Sweep {
        records,
        summary: String::from_utf8_lossy(&result.stderr).into_owned(),
        code: result.status.code().expect("exited"),
    }
}

/// Every line has exactly one record, numbered in order; errors are exactly the
/// corrupted lines; the summary agrees.
fn reconcile(sweep: &Sweep, count: u64, corrupted: &[u64]) {
    assert_eq!(sweep.records.len() as u64, count, "one output line per input line");
    let mut errors = Vec::new();
    for (i, record) in sweep.records.iter().enumerate() {
        let line = record["line"].as_u64().expect("a line number");
        assert_eq!(line, i as u64 + 1, "records are in input order");
        match (record.get("evaluation"), record.get("error")) {
            (Some(_), None) => {}
            (None, Some(error)) => {
                assert!(
                    error["code"].as_str().is_some() && error["message"].as_str().is_some(),
                    "{record}"
                );
                errors.push(line);
            }
            _ => panic!("a record is an evaluation or an error: {record}"),
        }
    }
    assert_eq!(errors, corrupted, "the errors are exactly the corrupted lines");
    let evaluated = count - corrupted.len() as u64;
    assert!(
        sweep.summary.starts_with(&format!(
            "{count} lines: {evaluated} evaluated, {} errors\n",
            corrupted.len()
        )),
        "{}",
        sweep.summary
    );
    assert_eq!(sweep.code, if corrupted.is_empty() { 0 } else { 1 });
}

#[test]
fn a_100000_line_sweep_with_corrupted_lines_reconciles_exactly() {
    let input = scratch("caseload-100k.jsonl");
    let corrupted = caseload(&input, 100_000, 33);
    assert_eq!(corrupted.len(), 3030, "about 3% corrupted");
    let sweep = sweep("tests/data/packs/tiny", &input, &[]);
    reconcile(&sweep, 100_000, &corrupted);
}

/// The national pack, natively and through the component: the same records.
#[test]
fn a_national_sweep_is_the_same_natively_and_in_wasm() {
    let input = scratch("caseload-england.jsonl");
    let corrupted = caseload(&input, 2_000, 25);
    let native = sweep("rules/england", &input, &["--engine", "native"]);
    reconcile(&native, 2_000, &corrupted);
    let wasm = sweep("rules/england", &input, &["--engine", "wasm", "--jobs", "3"]);
    reconcile(&wasm, 2_000, &corrupted);
    assert_eq!(native.records, wasm.records);
    assert_eq!(native.summary, wasm.summary);
    assert!(native.summary.contains("reviews: ") && native.summary.contains("escalations: "));
}

#[test]
fn an_empty_input_gives_an_empty_output() {
    let input = scratch("empty.jsonl");
    std::fs::write(&input, "").expect("written");
    let sweep = sweep("tests/data/packs/tiny", &input, &[]);
    reconcile(&sweep, 0, &[]);
}
