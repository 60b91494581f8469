//! Nothing a rule writes can reach outside the engine: each way out fails when the pack
//! loads (or, for functions that do not exist, when the rule runs), with a clear error.

use careplan_core::{Case, EvaluateError, Limits, LoadError, PackSource, RulePack, SourceFile};

fn load(body: &str) -> Result<RulePack, LoadError> {
    let text = format!(
        "//! id = \"sandbox.rule\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n{body}"
    );
    RulePack::load(
        &PackSource {
            location: "sandbox".into(),
            manifest: "[pack]\nid = \"sandbox\"\nname = \"n\"\nauthority = \"a\"\nversion = \"1\"\n".into(),
            files: vec![SourceFile {
                path: "rule.rhai".into(),
                text,
            }],
        },
        &[],
        &Limits::default(),
    )
}

fn load_problem(body: &str) -> String {
    let err = load(body).expect_err("the pack must not load");
    let problem = &err.problems()[0];
    let place = problem.location().map(|l| l.to_string()).unwrap_or_default();
    format!("{place} {} {}", problem.code(), problem.message())
}

fn run_error(body: &str) -> String {
    let pack = load(body).expect("compiles");
    let case = Case::from_json(r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#).expect("valid");
    let err = pack
        .evaluate(&case, "2025-01-01".parse().expect("date"))
        .expect_err("must fail");
    assert!(matches!(err, EvaluateError::RuleFailed { .. }), "{err}");
    err.to_string()
}

#[test]
fn print_debug_and_eval_are_disabled_at_load() {
    assert_eq!(
        load_problem("print(\"hello\");"),
        "sandbox/rule.rhai:5:1 careplan::sandbox `print` is not available to rules"
    );
    assert_eq!(
        load_problem("debug(\"hello\");"),
        "sandbox/rule.rhai:5:1 careplan::sandbox `debug` is not available to rules"
    );
    assert_eq!(
        load_problem("eval(\"1 + 1\");"),
        "sandbox/rule.rhai:5:1 careplan::sandbox `eval` is not available to rules"
    );
}

#[test]
fn modules_cannot_be_imported() {
    assert_eq!(
        load_problem("import \"secrets\" as s;"),
        "sandbox/rule.rhai:5:1 careplan::syntax `import` is a reserved word in Rhai"
    );
}

#[test]
fn case_is_reserved_and_the_help_says_what_to_use() {
    let err = load("let x = case.person;").expect_err("reserved");
    assert_eq!(err.problems()[0].message(), "`case` is a reserved word in Rhai");
    assert_eq!(
        err.problems()[0].help_text(),
        Some("the case is called `record` inside rules")
    );
}

#[test]
fn clock_and_sleep_functions_do_not_exist() {
    assert_eq!(
        run_error("timestamp()"),
        "rule `sandbox.rule` failed at sandbox/rule.rhai:5:1: no function `timestamp ()`"
    );
    assert_eq!(
        run_error("sleep(1)"),
        "rule `sandbox.rule` failed at sandbox/rule.rhai:5:1: no function `sleep (i64)`"
    );
}

#[test]
fn inputs_are_read_only() {
    assert_eq!(
        run_error("record.person.id = \"other\";"),
        "rule `sandbox.rule` failed at sandbox/rule.rhai:5:1: `record` cannot be changed"
    );
}

#[test]
fn a_misspelt_case_field_fails_instead_of_reading_nothing() {
    assert_eq!(
        run_error("let born = record.person.date_of_brith;"),
        "rule `sandbox.rule` failed at sandbox/rule.rhai:5:26: there is no field `date_of_brith` here"
    );
}

#[test]
fn a_rule_returning_the_wrong_type_is_an_error() {
    assert_eq!(
        run_error("42"),
        "rule `sandbox.rule` failed: a rule must return a finding, a list of findings or nothing (`()`), not a number"
    );
}

#[test]
fn a_rule_returning_another_kind_of_finding_is_an_error() {
    assert_eq!(
        run_error("review(\"planned\", \"council\", today, \"why\")"),
        "rule `sandbox.rule` failed: a recommendation rule returned a review finding"
    );
}
