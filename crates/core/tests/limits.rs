//! Every limit in `Limits`, each asserting its exact error.

use careplan_core::{evaluate_error_to_json, Case, EvaluateError, Limits, LoadError, PackSource, RulePack, SourceFile};

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

/// Loads a one-rule pack, evaluates a minimal case and returns the error message and
/// the `limit` named in the error's JSON.
fn check(body: &str, limits: &Limits) -> (String, String) {
    let pack = pack(body, limits).expect("the rule compiles");
    let case = Case::from_json(r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#).expect("valid case");
    let err: EvaluateError = pack
        .evaluate(&case, "2025-01-01".parse().expect("date"))
        .expect_err("the rule must hit a limit");
    let json = evaluate_error_to_json(&err);
    assert_eq!(json["code"], "careplan::limit_exceeded", "{err}");
    assert_eq!(json["rule"], "limits.rule");
    (err.to_string(), json["limit"].as_str().unwrap_or_default().to_owned())
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
    let (message, limit) = check("let a = [];\nloop { a.push(1); }", &Limits::default());
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
    assert_eq!(message, "rule `limits.rule` exceeded the `findings` limit of 10");
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
        ["careplan::limit the pack has 1 rules, over the `rules` limit of 0"]
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
    assert!(matches!(
        pack.evaluate(&runaway, today),
        Err(EvaluateError::LimitExceeded { .. })
    ));
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
