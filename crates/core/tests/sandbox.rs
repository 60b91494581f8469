//! Nothing a rule writes can reach outside the engine: each way out fails when the pack
//! loads (or, for functions that do not exist, when the rule runs), with a clear error.

use careplan_core::{Case, Limits, LoadError, PackSource, RulePack, SourceFile};

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

/// The rule's failure as "rule `id` failed at place: message".
fn run_error(body: &str) -> String {
    let pack = load(body).expect("compiles");
    let case = Case::from_json(r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#).expect("valid");
    let evaluation = pack
        .evaluate(&case, "2025-01-01".parse().expect("date"))
        .expect("a failing rule fails alone");
    assert!(!evaluation.complete);
    let failure = &evaluation.failures[0];
    let place = if failure.line.is_some() {
        format!(" at {}", failure.place())
    } else {
        String::new()
    };
    format!("rule `{}` failed{place}: {}", failure.rule, failure.message)
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
        load_problem("let now = timestamp();"),
        "sandbox/rule.rhai:5:11 careplan::unknown_function no function `timestamp`"
    );
    assert_eq!(
        load_problem("sleep(1);"),
        "sandbox/rule.rhai:5:1 careplan::unknown_function no function `sleep`"
    );
}

#[test]
fn a_misspelt_function_is_caught_when_the_pack_loads() {
    let err = load("let later = today.add_day(3);").expect_err("unknown function");
    assert_eq!(err.problems()[0].message(), "no function `add_day`");
    assert_eq!(err.problems()[0].help_text(), Some("did you mean `add_days`?"));
}

#[test]
fn inputs_are_read_only() {
    assert_eq!(
        run_error("record.person.id = \"other\";"),
        "rule `sandbox.rule` failed at sandbox/rule.rhai:5:15: `record` cannot be changed"
    );
}

/// Reads the load-time check cannot follow (through a variable) still fail, at run time.
#[test]
fn a_misspelt_case_field_fails_instead_of_reading_nothing() {
    assert_eq!(
        run_error("let p = record.person;\nlet born = p.date_of_brith;"),
        "rule `sandbox.rule` failed at sandbox/rule.rhai:6:13: there is no field `date_of_brith` here"
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
    // `check` refuses a direct call at load (`careplan::kind`); a finding made where the
    // check cannot see the call (here through a function pointer) fails at run time.
    assert_eq!(
        check_problems("review(\"planned\", \"council\", today, \"why\")"),
        ["sandbox/rule.rhai:5:1 `review` schedules a review, but this is a `recommendation` rule a `recommendation` rule returns `recommend(...)`; change `kind` in the header to `review`, or move this finding to a rule of that kind"]
    );
    assert_eq!(
        run_error("let f = Fn(\"review\"); f.call(\"planned\", \"council\", today, \"why\")"),
        "rule `sandbox.rule` failed: a recommendation rule returned a review finding"
    );
}

fn check_problems(body: &str) -> Vec<String> {
    match load(body) {
        Ok(_) => Vec::new(),
        Err(err) => err
            .problems()
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p.location().map(|l| l.to_string()).unwrap_or_default(),
                    p.message(),
                    p.help_text().unwrap_or("")
                )
            })
            .collect(),
    }
}

#[test]
fn a_misspelt_case_field_is_caught_when_the_pack_loads() {
    assert_eq!(
        check_problems("if today > date(\"2020-01-01\") { let born = record.person.date_of_brith; }"),
        ["sandbox/rule.rhai:5:58 `record.person` has no case field `date_of_brith` did you mean `date_of_birth`?"]
    );
    assert_eq!(
        check_problems("let x = record.persn.id;"),
        ["sandbox/rule.rhai:5:16 `record` has no case field `persn` did you mean `person`?"]
    );
    assert_eq!(
        check_problems("let x = record.gp_register.named_gpp;"),
        ["sandbox/rule.rhai:5:28 `record.gp_register` has no case field `named_gpp` did you mean `named_gp`?"]
    );
    assert_eq!(
        check_problems("let x = record.local.anything;"),
        ["sandbox/rule.rhai:5:22 `record.local` has no local field `anything` declare local fields under `[local_fields]` in the pack's manifest"]
    );
    // Correct reads, and reads the check cannot follow, load.
    assert_eq!(
        check_problems("let a = record.person.date_of_birth; let b = record.frailty; let c = record.plans.len();"),
        Vec::<String>::new()
    );
    assert_eq!(
        check_problems("let a = record.assessments; for x in a { let y = x.outcomes; }"),
        Vec::<String>::new()
    );
}

#[test]
fn undeclared_parameters_and_unknown_names_are_caught_when_the_pack_loads() {
    assert_eq!(
        check_problems("let weeks = params.light_touch_weeks;"),
        ["sandbox/rule.rhai:5:20 `light_touch_weeks` is not a parameter of the pack there are none"]
    );
    assert_eq!(
        check_problems("review(\"plannd\", \"councl\", today, \"why\")"),
        [
            "sandbox/rule.rhai:5:1 `review` schedules a review, but this is a `recommendation` rule a `recommendation` rule returns `recommend(...)`; change `kind` in the header to `review`, or move this finding to a rule of that kind",
            "sandbox/rule.rhai:5:8 `plannd` is not a known review kind for `review` did you mean `planned`?",
            "sandbox/rule.rhai:5:18 `councl` is not a known review owner for `review` did you mean `council`?",
        ]
    );
    assert_eq!(
        check_problems("escalate(\"urgnet\", \"front-door\", today, \"why\")"),
        [
            "sandbox/rule.rhai:5:1 `escalate` makes an escalation, but this is a `recommendation` rule a `recommendation` rule returns `recommend(...)`; change `kind` in the header to `escalation`, or move this finding to a rule of that kind",
            "sandbox/rule.rhai:5:10 `urgnet` is not a known escalation level for `escalate` did you mean `urgent`?",
            "sandbox/rule.rhai:5:20 `front-door` is not a known recipient for `escalate` there are none",
        ]
    );
    assert_eq!(
        check_problems("eligible(\"bus-pass\", \"why\")"),
        [
            "sandbox/rule.rhai:5:1 `eligible` makes an eligibility decision, but this is a `recommendation` rule a `recommendation` rule returns `recommend(...)`; change `kind` in the header to `eligibility`, or move this finding to a rule of that kind",
            "sandbox/rule.rhai:5:10 `bus-pass` is not a known scheme for `eligible` there are none"
        ]
    );
    // Names the check cannot see (held in variables) are checked when the rule runs.
    assert_eq!(
        check_problems("let owner = \"council\"; recommend(\"x\", owner, \"why\")"),
        Vec::<String>::new()
    );
}
