//! The real `careplan` binary, run as users and CI run it.

use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `careplan` from the repository root with colour off.
fn careplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_careplan"))
        // The precompiled component goes under target/, never in the user's ~/.cache.
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the careplan binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

#[test]
fn eval_prints_the_evaluation_as_json() {
    let output = careplan(&[
        "eval",
        "tests/data/packs/tiny",
        "tests/data/cases/older-person.json",
        "--as-of",
        "2025-01-01",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON on stdout");
    insta::assert_json_snapshot!("eval_tiny_json", value, { ".audit.engine" => "[engine]" });
}

#[test]
fn eval_text_is_a_readable_summary() {
    let output = careplan(&[
        "eval",
        "tests/data/packs/tiny",
        "tests/data/cases/older-person.json",
        "--as-of",
        "2025-01-01",
        "--format",
        "text",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    insta::assert_snapshot!("eval_tiny_text", stdout(&output));
}

/// A rule that fails leaves an incomplete evaluation, never a silent one: the JSON says
/// `complete: false` with the failure, the text puts the failure first in a box, and
/// both exit 1, natively and through the component alike.
#[test]
fn eval_an_incomplete_evaluation_says_so_and_exits_1() {
    let args = [
        "eval",
        "tests/data/packs/faulty",
        "tests/data/cases/faulty-throw.json",
        "--as-of",
        "2025-01-01",
    ];
    let mut texts = Vec::new();
    for engine in ["native", "wasm"] {
        let json = careplan(&[&args[..], &["--engine", engine]].concat());
        assert_eq!(code(&json), 1, "{}", stderr(&json));
        let value: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON on stdout");
        assert_eq!(value["complete"], false);
        assert_eq!(value["failures"][0]["rule"], "faulty.faults");
        assert_eq!(value["failures"][0]["kind"], "runtime");
        assert_eq!(value["failures"][0]["message"], "this case asked the rule to fail");
        assert_eq!(value["failures"][0]["line"], 7);
        assert_eq!(value["recommendations"], serde_json::json!([]));
        let text = careplan(&[&args[..], &["--engine", engine, "--format", "text"]].concat());
        assert_eq!(code(&text), 1, "{}", stderr(&text));
        texts.push(stdout(&text));
    }
    assert_eq!(texts[0], texts[1], "native and Wasm render the same text");
    insta::assert_snapshot!("eval_incomplete_text", texts[0]);
}

/// The national pack on its sample case: the evaluation hosts receive, in full.
#[test]
fn eval_national_sample() {
    let output = careplan(&[
        "eval",
        "rules/england",
        "rules/england/cases/sample.json",
        "--as-of",
        "2025-06-02",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON on stdout");
    insta::assert_json_snapshot!("eval_england_sample", value, {
        ".audit.engine" => "[engine]",
        ".audit.pack.digest" => "[digest]",
    });
}

/// The local pack layered over the national one, on the same case.
#[test]
fn eval_local_sample() {
    let output = careplan(&[
        "eval",
        "rules/elmshire",
        "rules/england/cases/sample.json",
        "--as-of",
        "2025-06-02",
        "--format",
        "text",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    let digest_line = text.lines().next().unwrap_or_default().to_owned();
    insta::assert_snapshot!(
        "eval_elmshire_sample_text",
        text.replacen(&digest_line, "[first line: pack and digest]", 1)
    );
}

#[test]
fn eval_is_deterministic_byte_for_byte() {
    let args = [
        "eval",
        "rules/england",
        "rules/england/cases/sample.json",
        "--as-of",
        "2025-06-02",
    ];
    let first = careplan(&args);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    for _ in 0..3 {
        assert_eq!(careplan(&args).stdout, first.stdout);
    }
}

#[test]
fn a_misspelt_case_field_points_at_its_line() {
    let output = careplan(&[
        "eval",
        "tests/data/packs/tiny",
        "tests/data/cases/misspelt-field.json",
        "--as-of",
        "2025-01-01",
    ]);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "");
    insta::assert_snapshot!("eval_misspelt_field", stderr(&output));
}

#[test]
fn a_misspelt_case_field_as_json() {
    let output = careplan(&[
        "eval",
        "tests/data/packs/tiny",
        "tests/data/cases/misspelt-field.json",
        "--as-of",
        "2025-01-01",
        "--error-format",
        "json",
    ]);
    assert_eq!(code(&output), 1);
    let value: serde_json::Value = serde_json::from_str(&stderr(&output)).expect("JSON on stderr");
    assert_eq!(value["code"], "careplan::invalid_case");
    assert_eq!(value["problems"][0]["path"], "person.date_of_brith");
    assert_eq!(value["problems"][0]["help"], "did you mean `date_of_birth`?");
    assert_eq!(
        (
            value["problems"][0]["line"].as_u64(),
            value["problems"][0]["column"].as_u64()
        ),
        (Some(4), Some(19))
    );
}

#[test]
fn check_reports_every_broken_file_with_snippets() {
    let output = careplan(&["check", "tests/data/packs/broken"]);
    assert_eq!(code(&output), 1);
    insta::assert_snapshot!("check_broken", stdout(&output));
}

#[test]
fn check_json_lists_problems_with_places() {
    let output = careplan(&["check", "tests/data/packs/broken", "--error-format", "json"]);
    assert_eq!(code(&output), 1);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON on stdout");
    let places: Vec<String> = value[0]["problems"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{} {}",
                p["file"].as_str().unwrap_or(""),
                p["line"],
                p["column"],
                p["code"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            "tests/data/packs/broken/syntax.rhai:8:1 careplan::syntax",
            "tests/data/packs/broken/variable.rhai:5:12 careplan::syntax",
        ]
    );
}

#[test]
fn the_shipped_packs_are_clean() {
    let output = careplan(&["check", "rules/england", "rules/elmshire"]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains("rules/england: pack `england` 1.1.0 has no errors:"),
        "{out}"
    );
    assert!(
        out.contains("rules/elmshire: pack `elmshire` 1.0.0 has no errors:"),
        "{out}"
    );
}

fn fixture_count(pack: &str) -> usize {
    std::fs::read_dir(root().join(pack).join("tests"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

/// The same corpus as `tests/packs.rs`, through the command line.
#[test]
fn test_runs_every_fixture_of_the_shipped_packs() {
    let output = careplan(&["test", "rules/england", "rules/elmshire"]);
    let out = stdout(&output);
    assert_eq!(code(&output), 0, "{out}{}", stderr(&output));
    let england = fixture_count("rules/england");
    let elmshire = fixture_count("rules/elmshire");
    assert!(england >= 40 && elmshire >= 12, "{england} and {elmshire} fixtures");
    assert_eq!(
        out.lines().last(),
        Some(format!("{} passed, 0 failed", england + elmshire).as_str()),
        "{out}"
    );
}

#[test]
fn test_shows_a_diff_for_a_failing_fixture_and_exits_1() {
    let output = careplan(&["test", "tests/data/packs/tiny"]);
    assert_eq!(code(&output), 1);
    insta::assert_snapshot!("test_tiny", stdout(&output));
}

#[test]
fn test_filter_selects_fixtures_by_name() {
    let output = careplan(&["test", "tests/data/packs/tiny", "--filter", "aged"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(stdout(&output).lines().last(), Some("1 passed, 0 failed"));
}

#[test]
fn schemas_are_json_schema_documents() {
    for (which, property) in [("case", "person"), ("evaluation", "eligibility"), ("manifest", "pack")] {
        let output = careplan(&["schema", which]);
        assert_eq!(code(&output), 0);
        let schema: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
        assert!(
            schema["$schema"]
                .as_str()
                .is_some_and(|s| s.contains("json-schema.org")),
            "{which}"
        );
        assert!(schema["properties"][property].is_object(), "{which} has `{property}`");
    }
}

#[test]
fn tool_failures_exit_2() {
    let missing = careplan(&["eval", "rules/england", "no-such-case.json", "--as-of", "2025-01-01"]);
    assert_eq!(code(&missing), 2);
    assert_eq!(
        stderr(&missing),
        "error: cannot read `no-such-case.json`: No such file or directory (os error 2)\n"
    );

    let bad_date = careplan(&[
        "eval",
        "rules/england",
        "tests/data/cases/older-person.json",
        "--as-of",
        "2025-02-30",
    ]);
    // The engine reads the as-of date, as it reads the case: a bad one is its
    // `invalid_as_of` error (exit 1), the same natively and through the component.
    assert_eq!(code(&bad_date), 1);
    assert!(
        stderr(&bad_date).contains("invalid as-of date: `2025-02-30` is not a real calendar date"),
        "{}",
        stderr(&bad_date)
    );

    let not_a_pack = careplan(&["check", "tests/data"]);
    assert_eq!(code(&not_a_pack), 2);
    assert_eq!(
        stderr(&not_a_pack),
        "error: `tests/data` is not a rule pack: it has no `pack.toml`\n"
    );

    let bad_args = careplan(&["eval"]);
    assert_eq!(code(&bad_args), 2);
}

#[test]
fn a_case_can_come_from_standard_input() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_careplan"))
        // The precompiled component goes under target/, never in the user's ~/.cache.
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .args(["eval", "tests/data/packs/tiny", "-", "--as-of", "2025-01-01"])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let case = std::fs::read(root().join("tests/data/cases/older-person.json")).expect("case file");
    child.stdin.take().expect("stdin").write_all(&case).expect("written");
    let output = child.wait_with_output().expect("finishes");
    assert_eq!(code(&output), 0);
    let file = careplan(&[
        "eval",
        "tests/data/packs/tiny",
        "tests/data/cases/older-person.json",
        "--as-of",
        "2025-01-01",
    ]);
    assert_eq!(output.stdout, file.stdout);
}

#[test]
fn test_reports_rule_coverage_and_enforces_a_minimum() {
    let output = careplan(&["test", "tests/data/packs/tiny", "--filter", "aged", "--coverage"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(
        stdout(&output).contains("  coverage: 1 of 1 rules of `tiny` fired (100.0%)\n       1  tiny.bus-pass \n"),
        "{}",
        stdout(&output)
    );
    // Parameters no fixture varies are listed too.
    assert!(
        stdout(&output).contains(
            "  parameters: 0 of 1 set by `tiny` varied by some fixture's `params`; never varied: `minimum_age`\n"
        ),
        "{}",
        stdout(&output)
    );
    // Only the skipped fixture: nothing fires, so 0% is below a 50% minimum.
    let output = careplan(&[
        "test",
        "tests/data/packs/tiny",
        "--filter",
        "skipped",
        "--min-coverage",
        "50",
    ]);
    assert_eq!(code(&output), 1, "{}", stdout(&output));
    assert!(
        stdout(&output).contains("coverage: tests/data/packs/tiny: 0.0% of its rules fired, below the minimum of 50%"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn test_reports_as_json_with_coverage() {
    let output = careplan(&["test", "tests/data/packs/tiny", "--format", "json"]);
    assert_eq!(code(&output), 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let statuses: Vec<&str> = report[0]["fixtures"]
        .as_array()
        .expect("fixtures")
        .iter()
        .filter_map(|f| f["status"].as_str())
        .collect();
    assert_eq!(statuses, ["passed", "failed", "skipped"]);
    assert_eq!(
        report[0]["coverage"]["rules"][0],
        serde_json::json!({"id": "tiny.bus-pass", "pack": "tiny", "fixtures": 2})
    );
}

#[test]
fn test_reports_as_junit_xml() {
    let output = careplan(&["test", "tests/data/packs/tiny", "--format", "junit"]);
    assert_eq!(code(&output), 1);
    insta::assert_snapshot!("test_tiny_junit", stdout(&output));
}

#[test]
fn check_catches_a_misspelt_field_an_unknown_function_and_a_duplicate_id_in_one_run() {
    let output = careplan(&["check", "tests/data/packs/mistakes"]);
    assert_eq!(code(&output), 1);
    insta::assert_snapshot!("check_mistakes", stdout(&output));
}

/// Copies `tests/data/packs/tiny` to a scratch folder and returns the copy's path.
fn scratch_copy_of_tiny(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(name)
        .join("tiny");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).expect("scratch");
    for file in [
        "pack.toml",
        "bus.rhai",
        "tests/aged-74-eligible.json",
        "tests/deliberately-wrong.json",
    ] {
        std::fs::copy(root().join("tests/data/packs/tiny").join(file), dir.join(file)).expect("copied");
    }
    dir
}

#[test]
fn test_update_records_the_current_outcome_and_nothing_else() {
    let dir = scratch_copy_of_tiny("update");
    let fixture = dir.join("tests/deliberately-wrong.json");
    let before = std::fs::read_to_string(&fixture).expect("fixture");
    // A new fixture with an empty expectation is filled in with the whole evaluation.
    std::fs::write(
        dir.join("tests/new-case.json"),
        "{\n  \"as_of\": \"2025-01-01\",\n  \"case\": {\"person\": {\"id\": \"n1\", \"date_of_birth\": \"1950-01-01\"}},\n  \"expect\": {}\n}\n",
    )
    .expect("written");

    // Without a terminal, --update refuses to change anything unless told --yes.
    let refused = careplan(&["test", dir.to_str().expect("utf-8 path"), "--update"]);
    assert_eq!(code(&refused), 2, "{}", stdout(&refused));
    assert_eq!(std::fs::read_to_string(&fixture).expect("fixture"), before);

    let updated = careplan(&["test", dir.to_str().expect("utf-8 path"), "--update", "--yes"]);
    assert_eq!(code(&updated), 0, "{}", stdout(&updated));
    assert!(
        stdout(&updated).contains("  updated deliberately-wrong"),
        "{}",
        stdout(&updated)
    );
    assert!(stdout(&updated).contains("  updated new-case"), "{}", stdout(&updated));
    let after = std::fs::read_to_string(&fixture).expect("fixture");
    let head = &before[..before.find("\"expect\": ").expect("has expect")];
    assert!(
        after.starts_with(head) && after.ends_with("\n}\n"),
        "only the expected value changes:\n{after}"
    );
    let value: serde_json::Value = serde_json::from_str(&after).expect("still JSON");
    assert_eq!(
        value["expect"],
        serde_json::json!({"eligibility": [{"scheme": "bus-pass", "decision": "not_eligible"}]})
    );
    let new_case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("tests/new-case.json")).expect("new")).expect("json");
    assert_eq!(new_case["expect"]["eligibility"][0]["decision"], "eligible");
    assert_eq!(
        new_case["expect"]["audit"]["pack"],
        serde_json::json!({"id": "tiny", "version": "1.0.0"})
    );

    let again = careplan(&["test", dir.to_str().expect("utf-8 path")]);
    assert_eq!(code(&again), 0, "{}", stdout(&again));
    assert_eq!(stdout(&again).lines().last(), Some("3 passed, 0 failed"));
}

/// One small broken pack per kind of diagnostic under `tests/data/diagnostics/`, each
/// checked with `--deny-warnings` (so a pack with only warnings fails too) and its
/// rendered report snapshotted (`base` is the parent some of them extend, and must be
/// clean).
#[test]
fn every_kind_of_diagnostic_renders_with_its_place() {
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/data/diagnostics"))
        .expect("the corpus")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "{dirs:?}");
    for name in dirs {
        let output = careplan(&[
            "check",
            "--deny-warnings",
            "--as-of",
            "2026-12-02",
            &format!("tests/data/diagnostics/{name}"),
        ]);
        if name == "base" {
            assert_eq!(code(&output), 0, "{}", stdout(&output));
            continue;
        }
        assert_eq!(code(&output), 1, "{name}: {}", stdout(&output));
        insta::with_settings!({ snapshot_suffix => name.clone() }, {
            insta::assert_snapshot!("diagnostic", stdout(&output));
        });
    }
}

#[test]
fn check_warns_about_rules_that_can_never_run_again() {
    let output = careplan(&["check", "tests/data/packs/expired", "--as-of", "2025-01-01"]);
    assert_eq!(code(&output), 0, "warnings do not fail the check");
    let out = stdout(&output);
    assert!(
        out.contains("⚠ rule `expired.old-scheme` stopped running on `2016-03-31`"),
        "{out}"
    );
    assert!(out.contains("tests/data/packs/expired/old.rhai"), "{out}");
    assert!(
        out.contains("tests/data/packs/expired: pack `expired` 1.0.0 has no errors and 1 warning:"),
        "{out}"
    );
    let json = careplan(&[
        "check",
        "--error-format",
        "json",
        "tests/data/packs/expired",
        "--as-of",
        "2025-01-01",
    ]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(
        report[0]["warnings"][0]["message"],
        "rule `expired.old-scheme` stopped running on `2016-03-31` (its `effective_to`), so it can never run for an as-of date from `2025-01-01` on"
    );
    assert_eq!(report[0]["warnings"][0]["severity"], "warning");
    let before = careplan(&["check", "tests/data/packs/expired", "--as-of", "2016-03-31"]);
    assert!(!stdout(&before).contains("warning"), "{}", stdout(&before));
    let denied = careplan(&[
        "check",
        "--deny-warnings",
        "tests/data/packs/expired",
        "--as-of",
        "2025-01-01",
    ]);
    assert_eq!(code(&denied), 1, "{}", stdout(&denied));
    assert!(
        stdout(&denied).contains("(denied by --deny-warnings)"),
        "{}",
        stdout(&denied)
    );
}

/// The packs that ship are clean enough for CI: no errors and no warnings.
#[test]
fn the_shipped_packs_check_clean_with_deny_warnings() {
    let output = careplan(&[
        "check",
        "--deny-warnings",
        "--as-of",
        "2026-12-02",
        "rules/england",
        "rules/elmshire",
    ]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(!stdout(&output).contains("warning"), "{}", stdout(&output));
}

#[test]
fn explain_tells_the_story_of_the_sample_case() {
    let output = careplan(&[
        "explain",
        "rules/england",
        "rules/england/cases/sample.json",
        "--as-of",
        "2025-06-02",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    // Identifying fields are never echoed: the sample's NHS number and id stay out.
    let case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("rules/england/cases/sample.json")).expect("case"))
            .expect("JSON");
    for field in ["nhs_number", "id"] {
        if let Some(value) = case["person"][field].as_str() {
            assert!(!text.contains(value), "the explanation echoes person.{field}");
        }
    }
    insta::assert_snapshot!("explain_sample_markdown", text);
}

#[test]
fn explain_json_accounts_for_every_rule() {
    let output = careplan(&[
        "explain",
        "rules/elmshire",
        "rules/england/cases/sample.json",
        "--as-of",
        "2025-06-02",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON on stdout");
    let rules = value["rules"].as_array().expect("rules");
    let fired: Vec<&str> = value["evaluation"]["audit"]["rules_fired"]
        .as_array()
        .expect("rules_fired")
        .iter()
        .filter_map(|r| r.as_str())
        .collect();
    assert_eq!(
        rules.len() as u64,
        value["evaluation"]["audit"]["rules_evaluated"].as_u64().expect("count")
    );
    for rule in rules {
        let id = rule["rule"].as_str().expect("id");
        let outcome = rule["outcome"].as_str().expect("outcome");
        assert_eq!(outcome == "fired", fired.contains(&id), "{id}");
        assert_eq!(
            rule["findings"].as_array().is_some_and(|f| !f.is_empty()),
            outcome == "fired",
            "{id}"
        );
        assert_eq!(rule["why_not"].is_string(), outcome != "fired", "{id}");
        assert!(
            rule["cites"].as_str().is_some_and(|c| !c.is_empty()),
            "{id} cites nothing"
        );
    }
    // Elmshire's override names the national rule it replaces.
    let annual = rules
        .iter()
        .find(|r| r["rule"] == "england.reviews.annual")
        .expect("the annual review");
    assert_eq!(annual["pack"], "elmshire");
    assert_eq!(annual["overrides"], "england");
    assert!(annual["facts"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn explain_reports_a_bad_case_like_eval() {
    let output = careplan(&[
        "explain",
        "rules/england",
        "tests/data/cases/misspelt-field.json",
        "--as-of",
        "2025-06-02",
    ]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("date_of_brith"), "{}", stderr(&output));
}

/// Same input, same error, from both engines: core renders every error once, and the
/// component returns that rendering (WIT 0.3.0). Covers a broken pack, an invalid case,
/// an invalid as-of date and a date on which no rule is in force.
#[test]
fn errors_are_the_same_natively_and_through_the_component() {
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "careplan::load",
            &[
                "eval",
                "tests/data/packs/broken",
                "tests/data/cases/older-person.json",
                "--as-of",
                "2025-01-01",
            ],
            "rule pack `broken` has",
        ),
        (
            "careplan::invalid_case",
            &[
                "eval",
                "rules/england",
                "tests/data/cases/misspelt-field.json",
                "--as-of",
                "2025-06-02",
            ],
            "invalid case",
        ),
        (
            "careplan::invalid_as_of",
            &[
                "eval",
                "rules/england",
                "rules/england/cases/sample.json",
                "--as-of",
                "2025-02-30",
            ],
            "invalid as-of date",
        ),
        (
            "careplan::not_in_force",
            &[
                "eval",
                "rules/england",
                "rules/england/cases/sample.json",
                "--as-of",
                "2001-01-01",
            ],
            "is in force",
        ),
    ];
    for (expected_code, args, words) in cases {
        let mut jsons = Vec::new();
        let mut texts = Vec::new();
        for engine in ["native", "wasm"] {
            let json = careplan(&[args, &["--engine", engine, "--error-format", "json"]].concat());
            assert_eq!(code(&json), 1, "{engine} {args:?}: {}", stderr(&json));
            let value: serde_json::Value = serde_json::from_str(&stderr(&json)).expect("one line of JSON on stderr");
            assert_eq!(value["code"], expected_code, "{engine} {args:?}");
            assert!(
                value["message"].as_str().is_some_and(|m| m.contains(words)),
                "{engine} {args:?}: {value}"
            );
            jsons.push(stderr(&json));
            let human = careplan(&[args, &["--engine", engine]].concat());
            assert_eq!(code(&human), 1, "{engine} {args:?}: {}", stderr(&human));
            texts.push(stderr(&human));
        }
        assert_eq!(
            jsons[0], jsons[1],
            "{args:?}: the error JSON differs between the engines"
        );
        assert!(texts[1].contains(words), "{args:?}: {}", texts[1]);
    }
}

/// Copies the folder `from` to `to`, files and subfolders alike.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("scratch folder");
    for entry in std::fs::read_dir(from).expect("readable folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copied");
        }
    }
}

/// `careplan new` starts a pack beside its parent that checks clean and passes its own
/// fixtures, and refuses a folder that exists or a name that is not a pack id.
#[test]
fn new_starts_a_pack_that_checks_and_passes_its_fixtures() {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("new-pack");
    let _ = std::fs::remove_dir_all(&scratch);
    copy_dir(&root().join("rules/england"), &scratch.join("england"));
    let dir = scratch.join("northdale");
    let pack = dir.to_str().expect("utf-8 path");

    let created = careplan(&["new", pack, "--extends", "england"]);
    assert_eq!(code(&created), 0, "{}{}", stdout(&created), stderr(&created));
    assert!(
        stderr(&created).is_empty(),
        "the parent is beside it: {}",
        stderr(&created)
    );
    assert!(
        stdout(&created).contains(&format!("careplan test {pack}")),
        "{}",
        stdout(&created)
    );
    let manifest = std::fs::read_to_string(dir.join("pack.toml")).expect("pack.toml");
    assert!(manifest.contains("id = \"northdale\"\n"), "{manifest}");
    assert!(manifest.contains("extends = \"england\"\n"), "{manifest}");
    assert!(dir.join("example.rhai").is_file() && dir.join("README.md").is_file());

    let checked = careplan(&["check", pack]);
    assert_eq!(code(&checked), 0, "{}{}", stdout(&checked), stderr(&checked));
    assert!(
        stdout(&checked).contains("pack `northdale` 0.1.0 has no errors:"),
        "no errors and no warnings: {}",
        stdout(&checked)
    );

    let tested = careplan(&["test", pack]);
    assert_eq!(code(&tested), 0, "{}{}", stdout(&tested), stderr(&tested));
    assert_eq!(
        stdout(&tested).lines().last(),
        Some("2 passed, 0 failed"),
        "{}",
        stdout(&tested)
    );

    let again = careplan(&["new", pack, "--extends", "england"]);
    assert_eq!(code(&again), 2, "{}", stdout(&again));
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
    assert!(stderr(&again).contains("northdale"), "{}", stderr(&again));

    let bad = scratch.join("North_Dale");
    let refused = careplan(&["new", bad.to_str().expect("utf-8 path")]);
    assert_eq!(code(&refused), 2, "{}", stdout(&refused));
    assert!(stderr(&refused).contains("North_Dale"), "{}", stderr(&refused));
    assert!(!bad.exists());

    // A parent that is not beside the new pack: the pack is made, with a warning.
    let alone = Path::new(env!("CARGO_TARGET_TMPDIR")).join("new-pack-alone");
    let _ = std::fs::remove_dir_all(&alone);
    let lonely = alone.join("southdale");
    let warned = careplan(&["new", lonely.to_str().expect("utf-8 path"), "--extends", "england"]);
    assert_eq!(code(&warned), 0, "{}", stderr(&warned));
    assert!(stderr(&warned).starts_with("warning: "), "{}", stderr(&warned));
    assert!(lonely.join("pack.toml").is_file());
}

/// `careplan test` runs one fixture file alone, reported like a pack's run; a `.json`
/// file outside a pack's `tests/` folder is a tool error.
#[test]
fn test_runs_a_single_fixture_file() {
    let output = careplan(&[
        "test",
        "rules/elmshire/tests/leisure-pass-eligible-on-65th-birthday.json",
    ]);
    let out = stdout(&output);
    assert_eq!(code(&output), 0, "{out}{}", stderr(&output));
    assert!(out.starts_with("rules/elmshire (pack `elmshire` "), "{out}");
    assert!(out.contains(" 1 fixtures)\n"), "{out}");
    assert!(
        out.contains("  ok      leisure-pass-eligible-on-65th-birthday\n"),
        "{out}"
    );
    assert_eq!(out.lines().last(), Some("1 passed, 0 failed"), "{out}");

    let stray = careplan(&["test", "tests/data/cases/older-person.json"]);
    assert_eq!(code(&stray), 2, "{}", stdout(&stray));
    assert!(
        stderr(&stray).contains("is not a fixture in a pack's `tests/` folder"),
        "{}",
        stderr(&stray)
    );
}

/// `schema fixture --pack` and `schema case --pack` describe the pack's own parameters and
/// local fields, with their types; every shipped fixture keeps to them.
#[test]
fn schemas_for_a_pack_list_its_parameters_and_local_fields() {
    let output = careplan(&["schema", "fixture", "--pack", "rules/elmshire"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let schema: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let params = &schema["properties"]["params"];
    assert_eq!(params["additionalProperties"], false);
    assert_eq!(params["properties"]["leisure_pass_minimum_age"]["type"], "integer");
    assert_eq!(params["properties"]["register_first_quarter_end"]["format"], "date");
    let local = &schema["$defs"]["Case"]["properties"]["local"];
    assert_eq!(local["properties"]["home_care_requested_on"]["format"], "date");
    let top: Vec<&str> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    for pack in ["rules/england", "rules/elmshire"] {
        for entry in std::fs::read_dir(root().join(pack).join("tests")).expect("fixtures") {
            let path = entry.expect("entry").path();
            let fixture: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("reads")).expect("JSON");
            for (key, value) in fixture.as_object().expect("an object") {
                assert!(
                    top.contains(&key.as_str()),
                    "{}: `{key}` is not in the schema",
                    path.display()
                );
                // A fixture that expects an error may set a wrong parameter on purpose.
                if key == "params" && fixture.get("expect_error").is_none() {
                    for name in value.as_object().expect("params").keys() {
                        assert!(
                            params["properties"].get(name).is_some(),
                            "{}: parameter `{name}` is not in the schema",
                            path.display()
                        );
                    }
                }
            }
        }
    }
    let case = careplan(&["schema", "case", "--pack", "rules/elmshire"]);
    let case: serde_json::Value = serde_json::from_str(&stdout(&case)).expect("JSON");
    assert_eq!(case["properties"]["local"]["additionalProperties"], false);
    assert_eq!(
        case["properties"]["local"]["properties"]["home_care_requested"]["type"][0],
        "boolean"
    );
    let generic = careplan(&["schema", "fixture"]);
    let generic: serde_json::Value = serde_json::from_str(&stdout(&generic)).expect("JSON");
    assert!(generic["properties"]["params"].get("properties").is_none());
}

/// `vocabulary --pack` adds the pack's library functions, with parameters, place and doc.
#[test]
fn vocabulary_for_a_pack_lists_its_library_functions() {
    let output = careplan(&["vocabulary", "--pack", "rules/elmshire"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("## Library functions of `elmshire` and the packs it extends"),
        "{text}"
    );
    assert!(
        text.contains("| `elmshire_within_months(day, on, months)` | `elmshire` | `rules/elmshire/lib/elmshire.rhai:8` | True when `day` is a date"),
        "{text}"
    );
    assert!(text.contains("| `adult_outcomes()` | `england` |"), "{text}");
}

/// `test --watch` runs the fixtures, then again when a file of the pack changes.
#[test]
fn test_watch_runs_again_when_a_file_changes() {
    use std::io::{BufRead, BufReader};
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("watch");
    let _ = std::fs::remove_dir_all(&scratch);
    copy_dir(&root().join("tests/data/packs/tiny"), &scratch.join("tiny"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_careplan"))
        .args(["test", "--watch"])
        .arg(scratch.join("tiny"))
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    // The watch never ends by itself: it is stopped when the test ends, passed or
    // failed, and by a watchdog, so that a watch that never reports cannot hang the suite.
    struct Stop(std::sync::Arc<std::sync::Mutex<std::process::Child>>);
    impl Drop for Stop {
        fn drop(&mut self) {
            if let Ok(mut child) = self.0.lock() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
    let child = std::sync::Arc::new(std::sync::Mutex::new(child));
    let _stop = Stop(std::sync::Arc::clone(&child));
    let watchdog = std::sync::Arc::clone(&child);
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(120));
        let _ = watchdog.lock().map(|mut c| c.kill());
    });
    let mut wait_for = |text: &str| -> Vec<String> {
        let mut seen = Vec::new();
        for line in lines.by_ref() {
            let line = line.expect("a line");
            let done = line.contains(text);
            seen.push(line);
            if done {
                return seen;
            }
        }
        panic!("`{text}` never came: {seen:?}");
    };
    let first = wait_for("watching for changes");
    assert!(first.iter().any(|l| l == "1 passed, 1 failed, 1 skipped"), "{first:?}");
    // Change the rule (past the file system's time granularity): the fixtures run again.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let rule = scratch.join("tiny").join("bus.rhai");
    let text = std::fs::read_to_string(&rule).expect("the rule");
    std::fs::write(&rule, format!("{text}\n// changed\n")).expect("writes");
    let second = wait_for("watching for changes");
    if let Ok(mut child) = child.lock() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(
        second.iter().any(|l| l.contains("a file changed; running again")),
        "{second:?}"
    );
    assert!(
        second.iter().any(|l| l == "1 passed, 1 failed, 1 skipped"),
        "{second:?}"
    );
}

/// `test --parent-fixtures` runs the national fixtures through a local pack and lists what
/// the local pack changes: Elmshire's 7-day change-review service level changes some.
#[test]
fn parent_fixtures_show_what_a_local_pack_changes() {
    let output = careplan(&["test", "rules/elmshire", "--parent-fixtures"]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let out = stdout(&output);
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("rules/elmshire: ")
            && first.contains(" fixtures of `england` give another outcome under `elmshire`:"),
        "{out}"
    );
    assert!(out.contains("  changed "), "{out}");
    assert!(out.contains("at `"), "each change names its place: {out}");
}

/// The case part of a FHIR expected file (`crates/fhir/tests/expected/`), and its notes
/// as `careplan fhir-to-case` writes them to standard error.
fn fhir_expected(name: &str) -> (String, String) {
    let path = root()
        .join("crates/fhir/tests/expected")
        .join(format!("cases__{name}.txt"));
    let text = std::fs::read_to_string(&path).expect("the expected file");
    let body = text.strip_prefix("== case\n").expect("a case");
    let (case, notes) = body.split_once("== notes\n").unwrap_or((body, ""));
    let notes = notes.lines().map(|line| format!("note: {line}\n")).collect();
    (case.to_owned(), notes)
}

#[test]
fn fhir_to_case_prints_the_case_and_its_notes_in_both_engines() {
    let (case, notes) = fhir_expected("prefetch-gp-record");
    for engine in ["native", "wasm"] {
        let output = careplan(&[
            "fhir-to-case",
            "crates/fhir/tests/cases/prefetch-gp-record.json",
            "--engine",
            engine,
        ]);
        assert_eq!(code(&output), 0, "{engine}: {}", stderr(&output));
        assert_eq!(stdout(&output), case, "{engine}");
        assert_eq!(stderr(&output), notes, "{engine}");
    }
}

#[test]
fn fhir_to_case_merges_case_json_and_the_case_evaluates() {
    let (case, _) = fhir_expected("council-merge");
    let output = careplan(&[
        "fhir-to-case",
        "crates/fhir/tests/cases/council-merge.json",
        "--merge",
        "crates/fhir/tests/cases/council-merge.merge.json",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), case);
    // The case it prints is one `careplan eval` takes from standard input.
    let mut eval = Command::new(env!("CARGO_BIN_EXE_careplan"))
        .args(["eval", "rules/england", "-", "--as-of", "2026-12-01"])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("careplan eval runs");
    {
        use std::io::Write as _;
        let mut stdin = eval.stdin.take().expect("stdin");
        stdin.write_all(case.as_bytes()).expect("the case is written");
    }
    let evaluated = eval.wait_with_output().expect("careplan eval ends");
    assert_eq!(evaluated.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&evaluated.stdout).expect("JSON");
    assert_eq!(value["person_id"], "cp-fhir-1");
    assert_eq!(value["eligibility"][0]["scheme"], "adult-care-and-support");
}

#[test]
fn fhir_to_case_refuses_bad_fhir_with_exit_1_and_unreadable_files_with_exit_2() {
    for engine in ["native", "wasm"] {
        let output = careplan(&[
            "fhir-to-case",
            "crates/fhir/tests/cases/partial-dates.json",
            "--engine",
            engine,
        ]);
        assert_eq!(code(&output), 1, "{engine}");
        assert!(stdout(&output).is_empty(), "{engine}");
        assert!(
            stderr(&output).contains(
                "error[careplan::invalid_fhir]: invalid FHIR input: at `Bundle.entry[0].resource.birthDate`: the date gives only a year or a month"
            ),
            "{engine}: {}",
            stderr(&output)
        );
        let output = careplan(&[
            "--error-format",
            "json",
            "fhir-to-case",
            "crates/fhir/tests/cases/another-patients-condition.json",
            "--engine",
            engine,
        ]);
        assert_eq!(code(&output), 1, "{engine}");
        let json: serde_json::Value = serde_json::from_str(stderr(&output).trim()).expect("one line of JSON");
        assert_eq!(json["code"], "careplan::invalid_fhir");
        assert_eq!(
            json["problems"][0]["path"],
            "Bundle.entry[1].resource.subject.reference"
        );
    }
    let output = careplan(&["fhir-to-case", "no/such/bundle.json"]);
    assert_eq!(code(&output), 2);
    let output = careplan(&[
        "fhir-to-case",
        "crates/fhir/tests/cases/council-merge.json",
        "--mapping",
        "no/such.toml",
    ]);
    assert_eq!(code(&output), 2);
    let output = careplan(&["fhir-to-case"]);
    assert_eq!(code(&output), 2, "the FHIR file is required");
}

#[test]
fn fhir_to_case_prints_the_built_in_mapping_and_reads_an_areas_own() {
    for engine in ["native", "wasm"] {
        let output = careplan(&["fhir-to-case", "--print-mapping", "--engine", engine]);
        assert_eq!(code(&output), 0, "{engine}");
        assert_eq!(stdout(&output), careplan_fhir::UK_CORE, "{engine}");
    }
    let (case, _) = fhir_expected("local-mapping");
    let output = careplan(&[
        "fhir-to-case",
        "crates/fhir/tests/cases/local-mapping.json",
        "--mapping",
        "crates/fhir/tests/cases/local-mapping.mapping.toml",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), case);
    std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-mapping.toml"),
        "[patient]\nnhs_number_system = 5\n",
    )
    .expect("written");
    let broken = Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-mapping.toml");
    let output = careplan(&[
        "fhir-to-case",
        "crates/fhir/tests/cases/local-mapping.json",
        "--mapping",
        broken.to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("error[careplan::invalid_mapping]"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("(line 2, column 21)"), "{}", stderr(&output));
}
