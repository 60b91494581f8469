//! The component through the host: what it imports and exports, and that runaway rules
//! come back as typed errors within the bounds, leaving the handle usable.

use std::time::{Duration, Instant};

use careplan_host::{
    ErrorCode, FailureKind, HostConfig, HostError, PackSource, Runtime, SourceFile, TrapKind, COMPONENT,
};

const CASE: &str = r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#;

/// A pack with one rule that recommends normally, or runs `runaway` for a case whose
/// person id is `runaway`.
fn pack(runaway: &str) -> PackSource {
    pack_with("", runaway)
}

/// Like [`pack`], with `prelude` (e.g. function definitions) at the top of the rule.
fn pack_with(prelude: &str, runaway: &str) -> PackSource {
    PackSource {
        location: "hostile".into(),
        manifest: "[pack]\nid = \"hostile\"\nname = \"n\"\nauthority = \"a\"\nversion = \"1\"\n".into(),
        files: vec![SourceFile {
            path: "rule.rhai".into(),
            text: format!(
                "//! id = \"hostile.rule\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n\
                 {prelude}\nif record.person.id == \"runaway\" {{\n{runaway}\n}}\nrecommend(\"ok\", \"fine\")\n"
            ),
        }],
    }
}

/// One runtime for the tests that use the default configuration: compiling the
/// component is the expensive part of starting a host.
fn shared() -> Runtime {
    static RUNTIME: std::sync::OnceLock<Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| Runtime::new(HostConfig::default()).expect("runtime"))
        .clone()
}

fn runaway_case() -> String {
    CASE.replace("\"p\"", "\"runaway\"")
}

fn assert_still_works(handle: &mut careplan_host::RulePack) {
    let json = handle
        .evaluate_json(CASE, "2025-01-01")
        .expect("the next case evaluates");
    assert!(json.contains("\"code\": \"ok\""), "{json}");
}

#[test]
fn the_component_imports_nothing_and_exports_the_engine() {
    let mut depth = 0usize;
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(COMPONENT) {
        match payload.expect("the component parses") {
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            wasmparser::Payload::ComponentImportSection(section) if depth == 1 => {
                for import in section {
                    imports.push(import.expect("an import").name.name.to_owned());
                }
            }
            wasmparser::Payload::ComponentExportSection(section) if depth == 1 => {
                for export in section {
                    exports.push(export.expect("an export").name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    assert_eq!(imports, Vec::<String>::new(), "the component must import nothing");
    assert_eq!(exports, ["careplan:engine/engine@0.4.0"]);
}

/// The size budget, as decided from what hosts pay (issue 17): what a browser downloads
/// is the component gzipped, at most 1 MB (gzip -9), and what a server holds is the raw
/// component, at most 4 MB. (It was 1,500,000 raw bytes until 0.2.0 of the interface;
/// the component measured 1,567,430 raw bytes when the budget changed.)
#[test]
fn the_component_is_within_its_size_budget() {
    use std::io::Write as _;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(COMPONENT).expect("gzip in memory");
    let gzipped = gzip.finish().expect("gzip in memory").len();
    eprintln!("the component: {} bytes, {gzipped} bytes gzipped (-9)", COMPONENT.len());
    assert!(
        COMPONENT.len() <= 4_000_000,
        "the component is {} bytes, over its 4,000,000-byte budget",
        COMPONENT.len()
    );
    assert!(
        gzipped <= 1_000_000,
        "the component is {gzipped} bytes gzipped, over its 1,000,000-byte budget"
    );
}

#[test]
fn an_endless_loop_stops_at_the_operations_limit() {
    let runtime = shared();
    let mut handle = runtime.load(pack("loop {}"), Vec::new()).expect("loads");
    let evaluation = handle
        .evaluate(&runaway_case(), "2025-01-01")
        .expect("a runaway rule fails alone");
    assert!(!evaluation.complete);
    let failure = &evaluation.failures[0];
    assert_eq!(failure.kind, FailureKind::Limit);
    assert_eq!(failure.limit.as_deref(), Some("operations"));
    assert_eq!(failure.rule, "hostile.rule");
    assert_eq!((failure.line, failure.column), (Some(7), Some(6)));
    assert_still_works(&mut handle);
}

#[test]
fn deep_recursion_stops_at_the_call_depth_limit() {
    let runtime = shared();
    let mut handle = runtime
        .load(pack_with("fn down(n) { down(n + 1) }", "down(0);"), Vec::new())
        .expect("loads");
    let evaluation = handle
        .evaluate(&runaway_case(), "2025-01-01")
        .expect("a runaway rule fails alone");
    let limits: Vec<Option<&str>> = evaluation.failures.iter().map(|f| f.limit.as_deref()).collect();
    assert_eq!(limits, [Some("call_depth")]);
    assert_still_works(&mut handle);
}

/// A pack of `n` rules, each running until the work budget stops it.
fn many_runaways(n: usize) -> PackSource {
    let mut source = pack("");
    source.files = (0..n)
        .map(|i| SourceFile {
            path: format!("r{i}.rhai"),
            text: format!(
                "//! id = \"hostile.r{i}\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n\
                 if record.person.id == \"runaway\" {{ loop {{}} }}\nrecommend(\"ok{i}\", \"fine\")\n"
            ),
        })
        .collect();
    source
}

#[test]
fn the_deadline_is_a_wall_clock_backstop_and_the_handle_recovers() {
    // Ten rules that each use their whole work budget: the evaluation's whole budget.
    // How long that takes on this machine now, with no deadline in the way, sets the
    // deadline: a quarter of it, so that the deadline and not the budget stops the
    // call, while the call after it (a reload and a small case) fits in it many times
    // over however loaded the machine is.
    let mut unbounded = shared().load(many_runaways(10), Vec::new()).expect("loads");
    let started = Instant::now();
    let json = unbounded
        .evaluate_json(&runaway_case(), "2025-01-01")
        .expect("the work budget stops every rule");
    assert!(json.contains("\"limit\": \"operations\""), "{json}");
    let timeout = (started.elapsed() / 4).max(Duration::from_millis(20));
    let config = HostConfig {
        timeout,
        tick: Duration::from_millis(1),
        ..HostConfig::default()
    };
    let runtime = Runtime::new(config).expect("runtime");
    let mut handle = runtime.load(many_runaways(10), Vec::new()).expect("loads");
    let started = Instant::now();
    let result = handle.evaluate_json(&runaway_case(), "2025-01-01");
    let took = started.elapsed();
    assert!(
        matches!(result, Err(HostError::Trap(TrapKind::Timeout(d))) if d == timeout),
        "{result:?} (deadline {timeout:?})"
    );
    assert!(took < Duration::from_secs(3), "stopped after {took:?}");
    let json = handle
        .evaluate_json(CASE, "2025-01-01")
        .expect("the next case evaluates");
    assert!(json.contains("\"complete\": true"), "{json}");
}

#[test]
fn fuel_bounds_every_call_deterministically() {
    // With almost no fuel even loading stops, with a typed error and no backtrace.
    let starved = Runtime::new(HostConfig {
        fuel: 10_000,
        ..HostConfig::default()
    })
    .expect("runtime");
    let result = starved.load(pack("()"), Vec::new());
    let Err(HostError::Trap(kind)) = result else {
        panic!("expected a trap: {:?}", result.map(|_| ()));
    };
    assert_eq!(kind, TrapKind::Fuel(10_000));
    assert!(!kind.to_string().contains("backtrace"), "{kind}");
    // With the default fuel, the work budget stops a runaway rule first: the evaluation
    // is returned, with the rule's `operations` failure, the same on every machine.
    let mut handle = shared().load(pack("loop {}"), Vec::new()).expect("loads");
    let json = handle.evaluate_json(&runaway_case(), "2025-01-01").expect("evaluates");
    assert!(json.contains("\"limit\": \"operations\""), "{json}");
}

#[test]
fn a_memory_bomb_is_stopped_at_the_memory_cap_and_the_handle_recovers() {
    // The work budget keeps what one rule can build to a few MiB (one unit per 32 bytes
    // of text it makes), so the cap is shown just above what loading needs: 80 copies of
    // 32 KB of text, within the budget, do not fit.
    let runtime = Runtime::new(HostConfig {
        memory_limit: 3 << 20,
        ..HostConfig::default()
    })
    .expect("runtime");
    let mut bomb = String::from("let s = \"x\"; for i in 0..15 { s += s; }\n");
    for i in 0..80 {
        bomb.push_str(&format!("let c{i} = s + {i};\n"));
    }
    let mut handle = runtime.load(pack(&bomb), Vec::new()).expect("loads");
    let result = handle.evaluate_json(&runaway_case(), "2025-01-01");
    assert!(
        matches!(result, Err(HostError::Trap(TrapKind::Memory(_)))),
        "{result:?}"
    );
    assert_still_works(&mut handle);
}

#[test]
fn rule_errors_are_values_with_places() {
    let runtime = shared();
    let broken = PackSource {
        files: vec![SourceFile {
            path: "rule.rhai".into(),
            text: "//! id = \"hostile.rule\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"x\"\nlet x = recrd;\n".into(),
        }],
        ..pack("")
    };
    match runtime.load(broken, Vec::new()) {
        Err(HostError::Engine(err)) if err.code == ErrorCode::InvalidRules => {
            let problems = &err.diagnostics;
            assert_eq!(problems.len(), 1);
            assert!(err.case_problems.is_empty());
            assert_eq!(err.message, "rule pack `hostile` has 1 error");
            assert_eq!(
                err.text,
                "hostile/rule.rhai:5:9: error[careplan::syntax]: unknown variable `recrd`\n  \
                 help: did you mean `record`?\nerror: rule pack `hostile` has 1 error\n"
            );
            let json: serde_json::Value = serde_json::from_str(&err.json).expect("the error JSON is JSON");
            assert_eq!(json["code"], "careplan::load");
            assert_eq!(json["pack"], "hostile");
            assert_eq!(json["problems"][0]["line"], 5);
            assert_eq!(problems[0].message, "unknown variable `recrd`");
            assert_eq!(
                (problems[0].file.as_deref(), problems[0].line, problems[0].column),
                (Some("hostile/rule.rhai"), Some(5), Some(9))
            );
        }
        Err(other) => panic!("expected invalid rules, got {other}"),
        Ok(_) => panic!("expected invalid rules, the pack loaded"),
    }
}

#[test]
fn a_runtime_is_shared_between_threads() {
    let runtime = shared();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let runtime = runtime.clone();
            std::thread::spawn(move || {
                let mut handle = runtime.load(pack("loop {}"), Vec::new()).expect("loads");
                (0..5)
                    .map(|_| handle.evaluate_json(CASE, "2025-01-01").expect("evaluates"))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<Vec<String>> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
    assert!(results.iter().flatten().all(|json| json == &results[0][0]));
}

#[test]
fn the_precompiled_artifact_is_cached_and_reused() {
    let dir = std::env::temp_dir().join(format!("careplan-host-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = HostConfig {
        cache_dir: Some(dir.clone()),
        ..HostConfig::default()
    };
    Runtime::new(config.clone()).expect("compiles and caches");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("cache dir")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(files.len(), 1, "one artifact");
    let mut handle = Runtime::new(config.clone())
        .expect("loads from the cache")
        .load(pack(""), Vec::new())
        .expect("loads");
    assert_still_works(&mut handle);

    // A file cut short (or overwritten by anything else) fails its digest: the component
    // is compiled afresh and the file rewritten, never deserialized.
    let artifact = files[0].path();
    let whole = std::fs::read(&artifact).expect("the artifact");
    std::fs::write(&artifact, &whole[..whole.len() / 2]).expect("cut short");
    let mut handle = Runtime::new(config.clone())
        .expect("recompiles")
        .load(pack(""), Vec::new())
        .expect("loads");
    assert_still_works(&mut handle);
    assert_eq!(std::fs::read(&artifact).expect("rewritten"), whole);

    // Cold runtimes started at once each write through a temporary file of their own:
    // one whole artifact results, and no temporary file is left.
    let _ = std::fs::remove_dir_all(&dir);
    std::thread::scope(|scope| {
        for _ in 0..3 {
            let config = config.clone();
            scope.spawn(move || Runtime::new(config).expect("compiles"));
        }
    });
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("cache dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(std::fs::read(&artifact).expect("the artifact"), whole);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn max_instances_handles_can_exist_at_once() {
    // A server keeps a pool of handles and reads FHIR in a fresh instance beside them:
    // `max_instances` counts component instances, whatever core instances each holds.
    let runtime = Runtime::new(HostConfig {
        max_instances: 3,
        ..HostConfig::default()
    })
    .expect("runtime");
    let mut handles: Vec<_> = (0..2)
        .map(|_| {
            runtime
                .load(pack("1"), Vec::new())
                .expect("a handle within max_instances")
        })
        .collect();
    runtime.fhir_mapping().expect("a third instance beside two handles");
    for handle in &mut handles {
        assert_still_works(handle);
    }
    let third = runtime.load(pack("1"), Vec::new()).expect("a third handle");
    let fourth = runtime.load(pack("1"), Vec::new());
    assert!(
        matches!(fourth, Err(HostError::Trap(_) | HostError::Setup(_))),
        "a fourth instance is refused, not allocated"
    );
    drop(third);
    runtime.load(pack("1"), Vec::new()).expect("a slot freed is reused");
}
