//! The hostile corpus (`tests/hostile/`): rules and cases written to break the engine.
//! Every entry runs natively and through the component (one long-lived host runtime)
//! and must give the typed error `tests/hostile/corpus.txt` names, the same from both;
//! after each, a well-behaved pack must still evaluate a good case to the same bytes
//! on the same engine, and no error may echo the good case's personal data.
//!
//! `cargo test --test hostile -- --nocapture` prints each entry's time and the growth
//! of the process's peak memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use careplan::engine::{host_error_json, to_host};
use careplan_core::{
    evaluate_error_to_json, evaluate_json, load_error_to_json, Limits, PackSource, RulePack, SourceFile,
};
use careplan_host::{HostConfig, Runtime};
use serde_json::Value;

const AS_OF: &str = "2025-06-02";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(dir().join(path)).unwrap_or_else(|err| panic!("cannot read {path}: {err}"))
}

/// A one-rule pack around `body`, with the header every rule needs unless the body
/// brings its own.
fn pack_with(name: &str, files: Vec<(String, String)>) -> PackSource {
    PackSource {
        location: format!("hostile/{name}"),
        manifest: read("pack.toml"),
        files: files
            .into_iter()
            .map(|(path, text)| SourceFile { path, text })
            .collect(),
    }
}

fn rule_text(id: &str, body: &str) -> String {
    format!("//! id = \"hostile.{id}\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n{body}")
}

/// What one entry feeds the engines.
enum Input {
    /// A pack (rules) evaluated on the good case.
    Pack(PackSource),
    /// Pack files on disk, read the way the CLI reads them (for bytes a `String` cannot hold).
    Disk(Vec<(String, Vec<u8>)>),
    /// A case (text) for the good pack.
    Case(String),
    /// An as-of date for the good pack and the good case.
    AsOf(String),
}

/// The generated entries: too big, too deep or not text, so not files in the repository.
fn generated(name: &str) -> Input {
    let good = read("good-case.json");
    let good_person = r#""id": "hostile-person-7Q", "date_of_birth": "1941-07-19""#;
    match name {
        "gen:source-10mb" => {
            let body = format!("let s = \"{}\";\n()", "x".repeat(10 << 20));
            Input::Pack(pack_with(name, vec![("big.rhai".into(), rule_text("big", &body))]))
        }
        "gen:rules-10000" => Input::Pack(pack_with(
            name,
            (0..10_000)
                .map(|i| (format!("r{i:05}.rhai"), rule_text(&format!("r{i:05}"), "()")))
                .collect(),
        )),
        "gen:nested-expression-10000" => {
            let body = format!("let x = {}1{};", "(".repeat(10_000), ")".repeat(10_000));
            Input::Pack(pack_with(name, vec![("deep.rhai".into(), rule_text("deep", &body))]))
        }
        "gen:byte-order-mark" => {
            let text = format!(
                "\u{feff}{}",
                rule_text("bom", "recommend(\"x\", \"a BOM is not an error\")")
            );
            let mut pack = pack_with(name, vec![("bom.rhai".into(), text)]);
            pack.manifest = format!("\u{feff}{}", pack.manifest);
            Input::Pack(pack)
        }
        "gen:non-utf8-rule" => {
            let mut bytes = rule_text("latin1", "recommend(\"x\", \"caf").into_bytes();
            bytes.extend([0xE9, b'"', b')', b'\n']);
            Input::Disk(vec![("latin1.rhai".into(), bytes)])
        }
        "gen:case-deep-nesting" => Input::Case(format!(
            "{{\"person\": {{{good_person}}}, \"local\": {{\"x\": {}{}}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        )),
        "gen:case-string-100mb" => Input::Case(format!(
            "{{\"person\": {{\"id\": \"{}\", \"date_of_birth\": \"1941-07-19\"}}}}",
            "x".repeat(100 << 20)
        )),
        "gen:case-array-10m" => {
            let mut items = "0,".repeat(10_000_000);
            items.pop();
            Input::Case(format!("{{\"person\": {{{good_person}}}, \"events\": [{items}]}}"))
        }
        "gen:case-events-100000" => {
            let event = r#"{"date": "2025-05-01", "kind": "fall"}"#;
            let events = vec![event; 100_000].join(",");
            Input::Case(format!("{{\"person\": {{{good_person}}}, \"events\": [{events}]}}"))
        }
        "gen:as-of-31-february" => Input::AsOf("2025-02-31".into()),
        "gen:as-of-not-a-date" => Input::AsOf("tomorrow".into()),
        "gen:as-of-far-future" => Input::AsOf("9999-01-01".into()),
        "gen:good" => Input::Case(good),
        other => panic!("no generator `{other}`"),
    }
}

fn input(name: &str) -> Input {
    if name.starts_with("gen:") {
        generated(name)
    } else if let Some(rule) = name.strip_prefix("rules/") {
        let id = rule.trim_end_matches(".rhai");
        Input::Pack(pack_with(name, vec![(rule.to_owned(), rule_text(id, &read(name)))]))
    } else if name.starts_with("cases/") {
        Input::Case(read(name))
    } else {
        panic!("unknown entry `{name}`")
    }
}

/// An error JSON as `code`, `code:limit` or `code:first problem code`.
/// An evaluation's outcome: `ok` when complete; `incomplete:` and the first failure's
/// kind (and limit) when a rule failed. The text is the failures' messages, which no
/// more than an error's may repeat personal data.
fn classify_evaluation(json: &str) -> (String, String) {
    let evaluation: Value = serde_json::from_str(json).expect("an evaluation is JSON");
    let Some(first) = evaluation["failures"].as_array().and_then(|f| f.first()) else {
        assert_eq!(evaluation["complete"], true, "no failures, so complete");
        return ("ok".into(), String::new());
    };
    assert_eq!(evaluation["complete"], false, "failures, so not complete");
    let kind = first["kind"].as_str().unwrap_or("?");
    let outcome = match first["limit"].as_str() {
        Some(limit) => format!("incomplete:{kind}:{limit}"),
        None => format!("incomplete:{kind}"),
    };
    (outcome, evaluation["failures"].to_string())
}

fn classify(error: &Value) -> String {
    let code = error["code"].as_str().unwrap_or("?").to_owned();
    if let Some(limit) = error["limit"].as_str() {
        return format!("{code}:{limit}");
    }
    if let Some(first) = error["problems"][0]["code"].as_str() {
        return format!("{code}:{first}");
    }
    code
}

/// Reads pack files written to a temporary folder the way the CLI does.
fn from_disk(name: &str, files: &[(String, Vec<u8>)]) -> Result<PackSource, String> {
    let root = std::env::temp_dir().join(format!("careplan-hostile-{}", std::process::id()));
    let dir = root.join(name.replace([':', '/'], "-"));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("pack.toml"), read("pack.toml")).map_err(|e| e.to_string())?;
    for (path, bytes) in files {
        std::fs::write(dir.join(path), bytes).map_err(|e| e.to_string())?;
    }
    let result = careplan::packs::read_pack(&dir, &Limits::default()).map_err(|err| err.to_string());
    let _ = std::fs::remove_dir_all(&root);
    result
}

/// The peak resident memory of this process so far, in KiB (Linux).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

struct Engines {
    runtime: Runtime,
    good_native: RulePack,
    good_wasm: careplan_host::RulePack,
    good_case: String,
    expected_good: String,
}

impl Engines {
    fn new() -> Engines {
        let good_pack = pack_with("good", vec![("good.rhai".into(), read("good-rule.rhai"))]);
        let good_native = RulePack::load(&good_pack, &[], &Limits::default()).expect("the good pack loads");
        let runtime = Runtime::new(HostConfig {
            timeout: Duration::from_secs(5),
            memory_limit: 256 << 20,
            ..HostConfig::default()
        })
        .expect("the host starts");
        let good_wasm = runtime
            .load(to_host(good_pack), Vec::new())
            .expect("the good pack loads");
        let good_case = read("good-case.json");
        let expected_good = evaluate_json(&good_native, &good_case, AS_OF).expect("the good case evaluates");
        Engines {
            runtime,
            good_native,
            good_wasm,
            good_case,
            expected_good,
        }
    }

    /// Runs one entry natively: `ok` or the classified error, and the error's text.
    fn native(&self, input: &Input) -> (String, String) {
        let outcome = match input {
            Input::Pack(pack) => match RulePack::load(pack, &[], &Limits::default()) {
                Err(err) => Err(load_error_to_json(&err)),
                Ok(pack) => evaluate_json(&pack, &self.good_case, AS_OF).map_err(|e| evaluate_error_to_json(&e)),
            },
            Input::Disk(_) => unreachable!("read before"),
            Input::Case(case) => evaluate_json(&self.good_native, case, AS_OF).map_err(|e| evaluate_error_to_json(&e)),
            Input::AsOf(date) => {
                evaluate_json(&self.good_native, &self.good_case, date).map_err(|e| evaluate_error_to_json(&e))
            }
        };
        match outcome {
            Ok(json) => classify_evaluation(&json),
            Err(error) => (classify(&error), error.to_string()),
        }
    }

    /// Runs one entry through the component.
    fn wasm(&mut self, input: &Input) -> (String, String) {
        let outcome = match input {
            Input::Pack(pack) => match self.runtime.load(to_host(pack.clone()), Vec::new()) {
                Err(err) => Err(host_error_json(&err)),
                Ok(mut handle) => handle
                    .evaluate_json(&self.good_case, AS_OF)
                    .map_err(|e| host_error_json(&e)),
            },
            Input::Disk(_) => unreachable!("read before"),
            Input::Case(case) => self
                .good_wasm
                .evaluate_json(case, AS_OF)
                .map_err(|e| host_error_json(&e)),
            Input::AsOf(date) => self
                .good_wasm
                .evaluate_json(&self.good_case, date)
                .map_err(|e| host_error_json(&e)),
        };
        match outcome {
            Ok(json) => classify_evaluation(&json),
            Err(error) => (classify(&error), error.to_string()),
        }
    }

    /// The engines still give the good case's exact evaluation.
    fn assert_recovered(&mut self, name: &str) {
        let native = evaluate_json(&self.good_native, &self.good_case, AS_OF).expect("native still evaluates");
        assert_eq!(native, self.expected_good, "{name}: native differs afterwards");
        let wasm = self
            .good_wasm
            .evaluate_json(&self.good_case, AS_OF)
            .unwrap_or_else(|err| panic!("{name}: the host no longer evaluates: {err}"));
        assert_eq!(wasm, self.expected_good, "{name}: Wasm differs afterwards");
    }
}

/// Personal data of the good case (and the invented name and address some hostile
/// cases carry), which no error may repeat.
const PERSONAL: &[&str] = &[
    "9990000018",
    "9990000017",
    "ZZ99 3AA",
    "1941-07-19",
    "Alys Probert-Hughes",
    "12 Imaginary Row",
];

#[test]
fn every_hostile_entry_is_contained_natively_and_through_the_component() {
    let corpus = read("corpus.txt");
    let mut entries: Vec<(String, String)> = Vec::new();
    for (n, line) in corpus.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(name), Some(expected), None) = (parts.next(), parts.next(), parts.next()) else {
            panic!("corpus.txt line {}: expected `entry expected-outcome`", n + 1);
        };
        entries.push((name.to_owned(), expected.to_owned()));
    }
    // Every file under rules/ and cases/ is in the corpus.
    for folder in ["rules", "cases"] {
        for file in std::fs::read_dir(dir().join(folder)).expect("folder") {
            let name = format!("{folder}/{}", file.expect("entry").file_name().to_string_lossy());
            assert!(
                entries.iter().any(|(n, _)| *n == name),
                "{name} is not listed in corpus.txt"
            );
        }
    }
    assert!(entries.len() >= 40, "the corpus has {} entries", entries.len());

    let mut engines = Engines::new();
    let mut report = BTreeMap::new();
    let mut failures = Vec::new();
    for (name, expected) in &entries {
        let input = match input(name) {
            Input::Disk(files) => match from_disk(name, &files) {
                // Bytes that are not text are refused when the pack is read, before
                // either engine sees them.
                Err(message) => {
                    let got = "read";
                    if got != expected {
                        failures.push(format!("{name}: expected {expected}, read gives `{message}`"));
                    }
                    assert!(message.contains("UTF-8"), "{name}: {message}");
                    continue;
                }
                Ok(pack) => Input::Pack(pack),
            },
            other => other,
        };
        let before = peak_kib();
        let start = Instant::now();
        let (native, native_text) = engines.native(&input);
        let native_time = start.elapsed();
        let start = Instant::now();
        let (wasm, wasm_text) = engines.wasm(&input);
        let wasm_time = start.elapsed();
        let grew = peak_kib().saturating_sub(before);
        engines.assert_recovered(name);
        if native != *expected || wasm != *expected {
            failures.push(format!("{name}: expected {expected}, native {native}, Wasm {wasm}"));
        }
        for text in [&native_text, &wasm_text] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{name}: a raw control character reaches the output: {text:?}"
            );
            for personal in PERSONAL {
                assert!(
                    !text.contains(personal),
                    "{name}: the error repeats `{personal}`: {text}"
                );
            }
        }
        report.insert(name.clone(), (native_time, wasm_time, grew));
    }
    eprintln!(
        "{:<42} {:>12} {:>12} {:>14}",
        "entry", "native", "wasm", "peak grew KiB"
    );
    for (name, (native, wasm, grew)) in &report {
        eprintln!("{name:<42} {native:>12.1?} {wasm:>12.1?} {grew:>14}");
    }
    eprintln!("peak resident memory of the whole run: {} KiB", peak_kib());
    assert!(
        failures.is_empty(),
        "{} entries differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
