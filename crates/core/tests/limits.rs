//! Every limit in `Limits`, each asserting its exact error.

use careplan_core::{evaluate_error_to_json, Case, Limits, LoadError, PackSource, RulePack, SourceFile};

const MANIFEST: &str = r#"
[pack]
id = "limits"
name = "Limits"
authority = "Test"
version = "1.0.0"
"#;

fn pack(body: &str, limits: &Limits) -> Result<RulePack, LoadError> {
    let text = format!(
        "//! id = \"limits.rule\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n{body}"
    );
    RulePack::load(
        &PackSource {
            location: "limits".into(),
            manifest: MANIFEST.into(),
            files: vec![SourceFile {
                path: "rule.rhai".into(),
                text,
            }],
        },
        &[],
        limits,
    )
}

/// Loads a one-rule pack, evaluates a minimal case and returns the rule's failure (as
/// "rule `id` message at place") and the `limit` named in the evaluation's JSON.
fn check(body: &str, limits: &Limits) -> (String, String) {
    let pack = pack(body, limits).expect("the rule compiles");
    let case = Case::from_json(r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#).expect("valid case");
    let evaluation = pack
        .evaluate(&case, "2025-01-01".parse().expect("date"))
        .expect("a rule that hits a limit fails alone, not the evaluation");
    assert!(!evaluation.complete);
    let json = serde_json::to_value(&evaluation).expect("serializes");
    let failure = &json["failures"][0];
    assert_eq!(failure["rule"], "limits.rule");
    assert_eq!(failure["kind"], "limit");
    let failure = &evaluation.failures[0];
    let place = if failure.line.is_some() {
        format!(" at {}", failure.place())
    } else {
        String::new()
    };
    (
        format!("rule `{}` {}{place}", failure.rule, failure.message),
        json["failures"][0]["limit"].as_str().unwrap_or_default().to_owned(),
    )
}

fn load_problems(body: &str, limits: &Limits) -> Vec<String> {
    let err = pack(body, limits).expect_err("the pack must not load");
    err.problems()
        .iter()
        .map(|p| format!("{} {}", p.code(), p.message()))
        .collect()
}

#[test]
fn operations() {
    let (message, limit) = check("loop {}", &Limits::default());
    assert_eq!(limit, "operations");
    assert_eq!(
        message,
        "rule `limits.rule` exceeded the `operations` limit of 200000 at limits/rule.rhai:5:6"
    );
}

#[test]
fn call_depth() {
    let (message, limit) = check("fn down(n) { down(n + 1) }\ndown(0)", &Limits::default());
    assert_eq!(limit, "call_depth");
    assert_eq!(
        message,
        "rule `limits.rule` exceeded the `call_depth` limit of 24 at limits/rule.rhai:6:1"
    );
}

#[test]
fn string_size() {
    let (message, limit) = check("let s = \"x\";\nloop { s += s; }", &Limits::default());
    assert_eq!(limit, "string_size");
    assert_eq!(
        message,
        "rule `limits.rule` exceeded the `string_size` limit of 65536 at limits/rule.rhai:6:10"
    );
}

#[test]
fn array_size() {
    // Doubling reaches the size limit; pushing one item at a time runs out of work
    // first, since each push costs the list's size (Rhai checks the whole list).
    let (message, limit) = check("let a = [1];\nloop { a += a; }", &Limits::default());
    assert_eq!(limit, "array_size");
    assert_eq!(
        message,
        "rule `limits.rule` exceeded the `array_size` limit of 10000 at limits/rule.rhai:6:10"
    );
}

#[test]
fn map_size() {
    let limits = Limits {
        max_map_size: 10,
        ..Limits::default()
    };
    let (message, limit) = check(
        "let m = #{};\nlet i = 0;\nloop { let one = #{}; one[`k${i}`] = i; m += one; i += 1; }",
        &limits,
    );
    assert_eq!(limit, "map_size");
    assert_eq!(
        message,
        "rule `limits.rule` exceeded the `map_size` limit of 10 at limits/rule.rhai:7:43"
    );
}

/// Rhai checks map size when a map is combined or returned, not when `m[key] = value`
/// adds a key; growth that way is still bounded, by the operations limit.
#[test]
fn map_growth_by_index_is_bounded_by_operations() {
    let limits = Limits {
        max_map_size: 10,
        ..Limits::default()
    };
    let (message, limit) = check("let m = #{};\nlet i = 0;\nloop { m[`k${i}`] = i; i += 1; }", &limits);
    assert_eq!(limit, "operations");
    assert!(
        message.starts_with("rule `limits.rule` exceeded the `operations` limit of 200000"),
        "{message}"
    );
}

#[test]
fn variables() {
    let body: String = (0..300).map(|i| format!("let v{i} = {i};\n")).collect();
    let (message, limit) = check(&body, &Limits::default());
    assert_eq!(limit, "variables");
    assert!(
        message.starts_with("rule `limits.rule` exceeded the `variables` limit of 256 at limits/rule.rhai:"),
        "{message}"
    );
}

#[test]
fn findings() {
    let limits = Limits {
        max_findings: 10,
        ..Limits::default()
    };
    let (message, limit) = check(
        "let out = [];\nfor i in 0..11 { out.push(recommend(\"x\", \"why\")); }\nout",
        &limits,
    );
    assert_eq!(limit, "findings");
    assert_eq!(
        message,
        "rule `limits.rule` the evaluation would have more than 10 findings"
    );
}

#[test]
fn expression_depth() {
    let body = format!("let x = {}1{};", "(".repeat(100), ")".repeat(100));
    let problems = load_problems(&body, &Limits::default());
    assert_eq!(
        problems,
        ["careplan::limit expressions are nested too deeply (the `expression_depth` limit is 64 at top level, 48 in functions)"]
    );
}

#[test]
fn functions() {
    let limits = Limits {
        max_functions: 3,
        ..Limits::default()
    };
    let body: String = (0..4).map(|i| format!("fn f{i}() {{ {i} }}\n")).collect();
    assert_eq!(
        load_problems(&body, &limits),
        ["careplan::limit the file defines more than the 3 functions allowed"]
    );
}

#[test]
fn source_size() {
    let limits = Limits {
        max_source_size: 1024,
        ..Limits::default()
    };
    let body = format!("// {}\n", "x".repeat(2000));
    assert_eq!(
        load_problems(&body, &limits),
        ["careplan::limit `rule.rhai` is 2090 bytes, over the `source_size` limit of 1024"]
    );
}

#[test]
fn rules() {
    let limits = Limits {
        max_rules: 0,
        ..Limits::default()
    };
    assert_eq!(
        load_problems("()", &limits),
        ["careplan::limit the pack has 1 rule file, over the `rules` limit of 0"]
    );
}

/// Rules are counted before any is compiled: a pack over `max_rules` stops there, so
/// the syntax error in its rule is never reached.
#[test]
fn rules_are_counted_before_compiling() {
    let limits = Limits {
        max_rules: 0,
        ..Limits::default()
    };
    assert_eq!(
        load_problems("let x = ;", &limits),
        ["careplan::limit the pack has 1 rule file, over the `rules` limit of 0"]
    );
}

#[test]
fn the_pack_evaluates_the_next_case_after_a_limit() {
    let pack = pack(
        "if record.person.id == \"runaway\" { loop {} }\nrecommend(\"ok\", \"fine\")",
        &Limits::default(),
    )
    .expect("compiles");
    let today = "2025-01-01".parse().expect("date");
    let runaway = Case::from_json(r#"{"person": {"id": "runaway", "date_of_birth": "1950-01-01"}}"#).expect("valid");
    let normal = Case::from_json(r#"{"person": {"id": "normal", "date_of_birth": "1950-01-01"}}"#).expect("valid");
    let stopped = pack.evaluate(&runaway, today).expect("evaluates, incomplete");
    assert_eq!(stopped.failures[0].limit, Some(careplan_core::Limit::Operations));
    assert!(stopped.recommendations.is_empty());
    let evaluation = pack.evaluate(&normal, today).expect("the next case evaluates");
    assert_eq!(evaluation.recommendations[0].code, "ok");
}

#[test]
fn case_size() {
    let limits = Limits {
        max_case_size: 64,
        ..Limits::default()
    };
    let pack = pack("()", &limits).expect("loads");
    let case = r#"{"person": {"id": "p-1", "date_of_birth": "1950-01-01"}, "conditions": []}"#;
    let err = careplan_core::evaluate_json(&pack, case, "2025-01-01").expect_err("too big");
    assert_eq!(
        evaluate_error_to_json(&err)["problems"][0]["message"],
        format!(
            "the case is {} bytes, more than the 64 allowed (`max_case_size`)",
            case.len()
        )
    );
    let small = r#"{"person": {"id": "p-1", "date_of_birth": "1950-01-01"}}"#;
    careplan_core::evaluate_json(&pack, small, "2025-01-01").expect("a case within the limit evaluates");
}

/// Operation and size limits bound each rule's run, so a rule that exhausts one fails
/// alone and the rules after it run with budgets of their own; the findings limit
/// bounds the whole evaluation, so a rule whose findings would pass it fails and the
/// rules after it still add findings while room is left.
#[test]
fn a_rule_that_hits_a_limit_fails_alone() {
    let rule = |id: &str, body: &str| SourceFile {
        path: format!("{id}.rhai"),
        text: format!(
            "//! id = \"limits.{id}\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n{body}"
        ),
    };
    let limits = Limits {
        max_findings: 3,
        ..Limits::default()
    };
    let pack = RulePack::load(
        &PackSource {
            location: "limits".into(),
            manifest: MANIFEST.into(),
            files: vec![
                rule("a-runaway", "loop {}"),
                rule("b-ok", "recommend(\"b\", \"fine\")"),
                rule(
                    "c-many",
                    "[recommend(\"c\", \"1\"), recommend(\"c\", \"2\"), recommend(\"c\", \"3\")]",
                ),
                rule("d-two", "[recommend(\"d\", \"1\"), recommend(\"d\", \"2\")]"),
            ],
        },
        &[],
        &limits,
    )
    .expect("loads");
    let case = Case::from_json(r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#).expect("valid case");
    let evaluation = pack
        .evaluate(&case, "2025-01-01".parse().expect("date"))
        .expect("evaluates");
    let failed: Vec<(&str, Option<careplan_core::Limit>)> =
        evaluation.failures.iter().map(|f| (f.rule.as_str(), f.limit)).collect();
    assert_eq!(
        failed,
        [
            ("limits.a-runaway", Some(careplan_core::Limit::Operations)),
            ("limits.c-many", Some(careplan_core::Limit::Findings)),
        ]
    );
    let codes: Vec<&str> = evaluation.recommendations.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["b", "d", "d"]);
    assert_eq!(evaluation.audit.rules_fired, ["limits.b-ok", "limits.d-two"]);
    assert_eq!(evaluation.audit.rules_evaluated, 4);
    assert!(!evaluation.complete);
}
