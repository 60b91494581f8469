//! `careplan batch` on a caseload: one output line per input line, in order, and every
//! corrupted line accounted for.

use std::collections::BTreeMap;
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

/// The lines of a caseload written by [`caseload`] that are not plain good cases.
#[derive(Default)]
struct Caseload {
    /// Lines that are not valid cases: each has an error record.
    invalid: Vec<u64>,
    /// Blank or whitespace-only lines: skipped, with no record.
    blank: Vec<u64>,
    /// Lines whose `person.id` cannot be read (not JSON): their records carry `null`;
    /// every other record carries `c{line}`.
    no_id: Vec<u64>,
}

/// Writes `count` cases as JSON Lines, corrupting every `every`-th line in one of six
/// ways (one of them a blank line, empty or only whitespace).
fn caseload(path: &Path, count: u64, every: u64) -> Caseload {
    let mut text = Vec::new();
    let mut caseload = Caseload::default();
    for n in 1..=count {
        let year = 1925 + n % 80;
        let line: Vec<u8> = if n % every == 0 {
            let kind = (n / every) % 6;
            match kind {
                4 => caseload.blank.push(n),
                0 | 5 => {
                    caseload.invalid.push(n);
                    caseload.no_id.push(n);
                }
                _ => caseload.invalid.push(n),
            }
            match kind {
                0 => format!("{{\"person\": {{\"id\": \"c{n}\", \"date_of_birth\": \"{year}-01-0").into_bytes(),
                1 => format!("{{\"person\": {{\"id\": \"c{n}\", \"date_of_brith\": \"{year}-01-01\"}}}}").into_bytes(),
                2 => format!("{{\"person\": {{\"id\": \"c{n}\", \"date_of_birth\": \"{year}-02-30\"}}}}").into_bytes(),
                3 => format!("{{\"person\": {{\"id\": \"c{n}\", \"date_of_birth\": {year}}}}}").into_bytes(),
                // Empty, or spaces and a tab before a CRLF line ending.
                4 if (n / every) % 12 == 4 => Vec::new(),
                4 => b" \t \r".to_vec(),
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
    caseload
}

/// Whether the slow tier runs: tests that rebuild, sweep very large inputs or need tools
/// from outside Rust run only when `CAREPLAN_SLOW_TESTS` is set (`.ci/run` sets it), as
/// rust-analyzer's slow tests do; otherwise they say that they were skipped.
fn slow_tier(test: &str) -> bool {
    let run = std::env::var_os("CAREPLAN_SLOW_TESTS").is_some_and(|v| !v.is_empty() && v != "0");
    if !run {
        eprintln!("{test}: skipped, in the slow tier (set CAREPLAN_SLOW_TESTS=1 to run it)");
    }
    run
}

struct Sweep {
    records: Vec<Value>,
    summary: String,
    code: i32,
}

fn sweep(pack: &str, input: &Path, extra: &[&str]) -> Sweep {
    let output = input.with_extension("out.jsonl");
    let result = Command::new(env!("CARGO_BIN_EXE_careplan"))
        // The precompiled component goes under target/, never in the user's ~/.cache.
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
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

/// Every non-blank line has exactly one record, in order, numbered as in the input and
/// carrying the line's `person.id`; errors are exactly the invalid lines; the summary
/// agrees, counting the blank lines it skipped.
fn reconcile(sweep: &Sweep, count: u64, caseload: &Caseload) {
    let kept: Vec<u64> = (1..=count)
        .filter(|n| caseload.blank.binary_search(n).is_err())
        .collect();
    let lines: Vec<u64> = sweep
        .records
        .iter()
        .map(|record| record["line"].as_u64().expect("a line number"))
        .collect();
    assert!(
        lines == kept,
        "one output line per non-blank input line, in input order, numbered as in the input"
    );
    let mut errors = Vec::new();
    for record in &sweep.records {
        let line = record["line"].as_u64().expect("a line number");
        let id = if caseload.no_id.binary_search(&line).is_ok() {
            Value::Null
        } else {
            Value::String(format!("c{line}"))
        };
        assert_eq!(record["person_id"], id, "{record}");
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
    assert_eq!(errors, caseload.invalid, "the errors are exactly the invalid lines");
    let (invalid, blank) = (caseload.invalid.len() as u64, caseload.blank.len() as u64);
    let evaluated = count - invalid - blank;
    let mut expected = format!(
        "{count} lines: {evaluated} complete, 0 incomplete (a rule failed), {invalid} invalid, 0 stopped by the host, \
         {blank} blank (skipped)\n"
    );
    if invalid > 0 {
        expected.push_str(&format!(
            "errors by kind:\n  invalid case (careplan::invalid_case): {invalid} line{}\n",
            if invalid == 1 { "" } else { "s" }
        ));
    }
    assert!(sweep.summary.starts_with(&expected), "{}", sweep.summary);
    assert!(!sweep.summary.contains("rule failures"), "{}", sweep.summary);
    assert_eq!(
        sweep.code,
        if invalid == 0 { 0 } else { 1 },
        "invalid lines fail a sweep, blank ones do not"
    );
}

#[test]
fn a_100000_line_sweep_with_corrupted_lines_reconciles_exactly() {
    if !slow_tier("a_100000_line_sweep_with_corrupted_lines_reconciles_exactly") {
        return;
    }
    let input = scratch("caseload-100k.jsonl");
    let corrupted = caseload(&input, 100_000, 33);
    assert_eq!(
        corrupted.invalid.len() + corrupted.blank.len(),
        3030,
        "about 3% corrupted"
    );
    assert_eq!(corrupted.blank.len(), 505, "a sixth of them blank");
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
    reconcile(&sweep, 0, &Caseload::default());
}

/// Writes `count` good cases, asking every 50th line for a rule failure, every 97th for
/// a runaway loop and every 211th for slow work that a tight host deadline stops (the
/// same line can ask for only one). Returns the line numbers of each fault.
fn faulty_caseload(path: &Path, count: u64) -> BTreeMap<&'static str, Vec<u64>> {
    let mut faults: BTreeMap<&'static str, Vec<u64>> = BTreeMap::new();
    let mut text = String::new();
    for n in 1..=count {
        let fault = if n % 211 == 0 {
            Some("slow")
        } else if n % 97 == 0 {
            Some("loop")
        } else if n % 50 == 0 {
            Some("throw")
        } else {
            None
        };
        let local = match fault {
            Some(fault) => {
                faults.entry(fault).or_default().push(n);
                format!(", \"local\": {{\"fault\": \"{fault}\"}}")
            }
            None => String::new(),
        };
        text.push_str(&format!(
            "{{\"person\": {{\"id\": \"f{n}\", \"date_of_birth\": \"1950-01-{:02}\"}}{local}}}\n",
            1 + n % 28
        ));
    }
    std::fs::write(path, text).expect("caseload written");
    faults
}

/// The line numbers of the records whose evaluation is incomplete, with one failure of
/// `kind` (`runtime`, `limit`, `invalid_result`).
fn lines_failed(sweep: &Sweep, kind: &str) -> Vec<u64> {
    sweep
        .records
        .iter()
        .filter(|r| {
            let evaluation = &r["evaluation"];
            evaluation["complete"] == false
                && evaluation["failures"]
                    .as_array()
                    .is_some_and(|f| f.len() == 1 && f[0]["kind"] == kind)
        })
        .map(|r| r["line"].as_u64().expect("a line number"))
        .collect()
}

/// The line numbers of the records whose error has `code`.
fn lines_with(sweep: &Sweep, code: &str) -> Vec<u64> {
    sweep
        .records
        .iter()
        .filter(|r| r["error"]["code"] == code)
        .map(|r| r["line"].as_u64().expect("a line number"))
        .collect()
}

/// Faults injected into a sweep: a rule that fails on some cases, one that runs away on
/// others, and one whose every step is long (each `to_upper` of 64 KB is one operation)
/// on others, through the component with a 250 ms deadline. Every input line still has
/// exactly one record, in order, and every failure is accounted for by kind. The work
/// budget charges the long steps, so the slow lines stop at the same point natively and
/// through the component, whatever the machine's load: the records are byte for byte
/// the same from both engines and no line needs the host's deadline.
#[test]
fn fault_injected_sweeps_reconcile_exactly() {
    let input = scratch("faulty.jsonl");
    let faults = faulty_caseload(&input, 1_500);
    let (throw, runaway, slow) = (&faults["throw"], &faults["loop"], &faults["slow"]);
    assert_eq!((throw.len(), runaway.len(), slow.len()), (30, 15, 7));
    let mut limited: Vec<u64> = runaway.iter().chain(slow).copied().collect();
    limited.sort_unstable();

    let wasm = sweep(
        "tests/data/packs/faulty",
        &input,
        &["--engine", "wasm", "--jobs", "2", "--timeout-ms", "250"],
    );
    assert_eq!(wasm.records.len(), 1_500, "one output line per input line");
    for (i, record) in wasm.records.iter().enumerate() {
        assert_eq!(record["line"].as_u64(), Some(i as u64 + 1), "in input order");
        // Evaluated or failed, each record says whose case it is.
        assert_eq!(record["person_id"], format!("f{}", i + 1), "{record}");
    }
    assert_eq!(&lines_failed(&wasm, "runtime"), throw);
    assert_eq!(lines_failed(&wasm, "limit"), limited);
    assert!(lines_with(&wasm, "careplan::trap").is_empty());
    let incomplete = throw.len() + limited.len();
    assert!(
        wasm.summary.starts_with(&format!(
            "1500 lines: {} complete, {incomplete} incomplete (a rule failed), 0 invalid, 0 stopped by the host, \
             0 blank (skipped)\n\
             errors by kind:\n  incomplete (a rule failed): {incomplete} lines\n\
             rule failures by rule (the findings of these rules are missing from those lines):\n  \
             faulty.faults: on {incomplete} lines ({} runtime, {} limit)\n",
            1_500 - incomplete,
            throw.len(),
            limited.len()
        )),
        "{}",
        wasm.summary
    );
    assert_eq!(wasm.code, 1, "incomplete lines make the sweep exit 1");

    let native = sweep("tests/data/packs/faulty", &input, &["--engine", "native"]);
    assert_eq!(native.records.len(), 1_500);
    assert_eq!(&lines_failed(&native, "runtime"), throw);
    assert_eq!(lines_failed(&native, "limit"), limited);
    for (n, (a, b)) in native.records.iter().zip(&wasm.records).enumerate() {
        assert_eq!(a, b, "line {}: native and Wasm records differ", n + 1);
    }
}

/// The measured failure this guards against: a local rule that throws for cases without
/// an optional date must not take the national escalations of those cases with it. A
/// third of a 300-case caseload lacks the date; a tenth of it has a safeguarding concern
/// with the person in immediate danger. Every one of the 30 emergencies is reported, and
/// each case without the date is an incomplete evaluation naming the local rule.
#[test]
fn a_failing_local_rule_keeps_every_national_escalation() {
    let packs = scratch("layered-packs");
    let _ = std::fs::remove_dir_all(&packs);
    copy_dir(&root().join("rules/england"), &packs.join("england"));
    let local = packs.join("northdale");
    std::fs::create_dir_all(&local).expect("pack folder");
    std::fs::write(
        local.join("pack.toml"),
        "[pack]\nid = \"northdale\"\nname = \"Northdale\"\nauthority = \"Northdale Council (invented)\"\n\
         version = \"1.0.0\"\nextends = \"england\"\n\n[local_fields.home_care_requested_on]\ntype = \"date\"\n\
         description = \"When home care was asked for\"\n",
    )
    .expect("manifest");
    std::fs::write(
        local.join("home-care.rhai"),
        "//! id = \"northdale.home-care\"\n//! title = \"Home care follow-up\"\n//! kind = \"recommendation\"\n\
         //! cites = \"Northdale policy (invented)\"\n\
         let due = record.local.home_care_requested_on.add_days(10);\n\
         recommend(\"follow-up-home-care\", \"council\", due, \"follow up the home care request\")\n",
    )
    .expect("rule");
    let input = scratch("layered.jsonl");
    let mut text = String::new();
    for n in 1..=300u32 {
        let date = if n % 3 == 0 {
            String::new()
        } else {
            ", \"local\": {\"home_care_requested_on\": \"2025-05-01\"}".to_owned()
        };
        let concern = if n % 10 == 0 {
            ", \"events\": [{\"date\": \"2025-06-01\", \"kind\": \"safeguarding_concern\", \"safeguarding\": \
             {\"categories\": [\"physical\"], \"immediate_danger\": true, \"has_care_needs\": true, \
             \"unable_to_protect_self\": true}}]"
        } else {
            ""
        };
        text.push_str(&format!(
            "{{\"person\": {{\"id\": \"n{n}\", \"date_of_birth\": \"1940-03-{:02}\"}}{concern}{date}}}\n",
            1 + n % 28
        ));
    }
    std::fs::write(&input, text).expect("caseload");
    let pack = local.to_str().expect("a UTF-8 path");
    let native = sweep(pack, &input, &["--engine", "native"]);
    let wasm = sweep(pack, &input, &["--engine", "wasm", "--jobs", "2"]);
    assert_eq!(native.records, wasm.records);
    assert_eq!(native.summary, wasm.summary);
    for sweep in [&native, &wasm] {
        let emergencies: Vec<u64> = sweep
            .records
            .iter()
            .filter(|r| {
                r["evaluation"]["escalations"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|e| e["level"] == "emergency"))
            })
            .map(|r| r["line"].as_u64().expect("a line number"))
            .collect();
        assert_eq!(emergencies, (1..=30).map(|n| n * 10).collect::<Vec<u64>>());
        for record in &sweep.records {
            let line = record["line"].as_u64().expect("a line number");
            assert_eq!(record["person_id"], format!("n{line}"), "{record}");
            let evaluation = &record["evaluation"];
            if line % 3 == 0 {
                assert_eq!(evaluation["complete"], false, "line {line}");
                let failures = evaluation["failures"].as_array().expect("failures");
                assert_eq!(failures.len(), 1, "line {line}");
                assert_eq!(failures[0]["rule"], "northdale.home-care");
                assert_eq!(failures[0]["kind"], "runtime");
                assert_eq!(failures[0]["line"], 5);
            } else {
                assert_eq!(evaluation["complete"], true, "line {line}");
                assert_eq!(evaluation["failures"], serde_json::json!([]));
            }
        }
        assert!(
            sweep.summary.starts_with(
                "300 lines: 200 complete, 100 incomplete (a rule failed), 0 invalid, 0 stopped by the host, \
                 0 blank (skipped)\n\
                 errors by kind:\n  incomplete (a rule failed): 100 lines\n\
                 rule failures by rule (the findings of these rules are missing from those lines):\n  \
                 northdale.home-care: on 100 lines (100 runtime)\n"
            ),
            "{}",
            sweep.summary
        );
        assert!(
            sweep.summary.contains("escalations: 30 emergency, 30 urgent"),
            "{}",
            sweep.summary
        );
        assert_eq!(sweep.code, 1);
    }
}

/// Blank lines are skipped and counted, not errors; every record carries its line's
/// `person.id` (`null` when the line is not JSON or the id is not a string); the summary
/// breaks the lines that are not complete down by kind, and the rule failures by rule,
/// the most frequent first and ties by rule id.
#[test]
fn a_sweep_skips_blank_lines_names_each_person_and_ranks_the_failures() {
    let packs = scratch("ranked-packs");
    let _ = std::fs::remove_dir_all(&packs);
    let pack = packs.join("ranked");
    std::fs::create_dir_all(&pack).expect("pack folder");
    std::fs::write(
        pack.join("pack.toml"),
        "[pack]\nid = \"ranked\"\nname = \"Ranked failures\"\nauthority = \"careplan tests\"\nversion = \"1.0.0\"\n\n\
         [local_fields.fail]\ntype = \"string\"\n\
         description = \"Which rules fail: `alpha`, `beta`, `gamma` or `alpha-beta`.\"\n",
    )
    .expect("manifest");
    for (rule, fails_on) in [
        ("alpha", "fail == \"alpha\" || fail == \"alpha-beta\""),
        ("beta", "fail == \"beta\" || fail == \"alpha-beta\""),
        ("gamma", "fail == \"gamma\""),
    ] {
        std::fs::write(
            pack.join(format!("{rule}.rhai")),
            format!(
                "//! id = \"ranked.{rule}\"\n//! title = \"Fails on {rule}\"\n//! kind = \"recommendation\"\n\
                 //! cites = \"careplan tests\"\nlet fail = record.local.fail;\nif {fails_on} {{\n    \
                 throw \"this case asked the rule to fail\";\n}}\n\
                 recommend(\"{rule}-fine\", \"a well-behaved evaluation\")\n"
            ),
        )
        .expect("rule");
    }
    let case = |n: u32, fail: &str| {
        format!("{{\"person\": {{\"id\": \"r{n}\", \"date_of_birth\": \"1950-01-01\"}}, \"local\": {{\"fail\": \"{fail}\"}}}}\n")
    };
    let mut text = String::new();
    text.push_str("{\"person\": {\"id\": \"r1\", \"date_of_birth\": \"1950-01-01\"}}\n");
    text.push('\n');
    text.push_str(&case(3, "beta"));
    text.push_str("   \t\n");
    text.push_str(&case(5, "beta"));
    text.push_str(&case(6, "beta"));
    text.push_str(&case(7, "alpha"));
    text.push_str(&case(8, "alpha-beta"));
    text.push_str(&case(9, "gamma"));
    text.push_str(&case(10, "gamma"));
    // Invalid cases: a misspelt field, an id that is not a string, JSON cut short.
    text.push_str("{\"person\": {\"id\": \"r11\", \"date_of_brith\": \"1950-01-01\"}}\n");
    text.push_str("{\"person\": {\"id\": 12, \"date_of_birth\": \"1950-01-01\"}}\n");
    text.push_str("{\"person\": {\"id\": \"r13\", \"date_of_birth\": \"1950-01-0\n");
    text.push_str("\r\n");
    let input = scratch("ranked.jsonl");
    std::fs::write(&input, text).expect("caseload");
    let ranked = sweep(pack.to_str().expect("a UTF-8 path"), &input, &["--engine", "native"]);

    let lines: Vec<u64> = ranked
        .records
        .iter()
        .map(|r| r["line"].as_u64().expect("a line number"))
        .collect();
    assert_eq!(
        lines,
        [1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13],
        "no record for a blank line"
    );
    let ids: Vec<&Value> = ranked.records.iter().map(|r| &r["person_id"]).collect();
    let expected: Vec<Value> = ["r1", "r3", "r5", "r6", "r7", "r8", "r9", "r10", "r11"]
        .into_iter()
        .map(Value::from)
        .chain([Value::Null, Value::Null])
        .collect();
    assert_eq!(ids, expected.iter().collect::<Vec<_>>());
    assert_eq!(lines_with(&ranked, "careplan::invalid_case"), [11, 12, 13]);
    // The line number and the person id come first on each output line.
    let output = std::fs::read_to_string(input.with_extension("out.jsonl")).expect("the output");
    let first: Vec<&str> = output.lines().collect();
    assert!(
        first[0].starts_with("{\"line\":1,\"person_id\":\"r1\",\"evaluation\":"),
        "{}",
        first[0]
    );
    assert!(
        first[9].starts_with("{\"line\":12,\"person_id\":null,\"error\":"),
        "{}",
        first[9]
    );

    assert!(
        ranked.summary.starts_with(
            "14 lines: 1 complete, 7 incomplete (a rule failed), 3 invalid, 0 stopped by the host, 3 blank (skipped)\n\
             errors by kind:\n  incomplete (a rule failed): 7 lines\n  invalid case (careplan::invalid_case): 3 lines\n\
             rule failures by rule (the findings of these rules are missing from those lines):\n  \
             ranked.beta: on 4 lines (4 runtime)\n  ranked.alpha: on 2 lines (2 runtime)\n  \
             ranked.gamma: on 2 lines (2 runtime)\nreviews: "
        ),
        "{}",
        ranked.summary
    );
    assert_eq!(ranked.code, 1);

    // Good cases and blank lines only: nothing wrong, so exit 0 and no breakdown.
    let input = scratch("blank-lines.jsonl");
    std::fs::write(
        &input,
        "\n{\"person\": {\"id\": \"t2\", \"date_of_birth\": \"1950-01-01\"}}\n \n\n",
    )
    .expect("caseload");
    let blank = sweep("tests/data/packs/tiny", &input, &["--engine", "native"]);
    assert_eq!(blank.records.len(), 1);
    assert_eq!(blank.records[0]["line"], 2);
    assert_eq!(blank.records[0]["person_id"], "t2");
    assert!(
        blank.summary.starts_with(
            "4 lines: 1 complete, 0 incomplete (a rule failed), 0 invalid, 0 stopped by the host, 3 blank (skipped)\n\
             reviews: "
        ),
        "{}",
        blank.summary
    );
    assert_eq!(blank.code, 0, "blank lines are not errors");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("readable").filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copied");
        }
    }
}
