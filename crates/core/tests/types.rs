//! A comparison of two different types fails the rule at its place: it is never a
//! silent `false` that changes a decision. `== ()` and `!= ()` still ask whether a
//! value is recorded.

use careplan_core::{Case, Limits, PackSource, RulePack, SourceFile};

const MANIFEST: &str = r#"
[pack]
id = "types"
name = "Types"
authority = "Test"
version = "1.0.0"

[parameters]
minimum_age = "80"
"#;

fn load(kind: &str, body: &str, library: Option<&str>) -> Result<RulePack, careplan_core::LoadError> {
    let text =
        format!("//! id = \"types.rule\"\n//! title = \"t\"\n//! kind = \"{kind}\"\n//! cites = \"test\"\n{body}");
    let mut files = vec![SourceFile {
        path: "rule.rhai".into(),
        text,
    }];
    if let Some(library) = library {
        files.push(SourceFile {
            path: "lib/dates.rhai".into(),
            text: library.into(),
        });
    }
    RulePack::load(
        &PackSource {
            location: "types".into(),
            manifest: MANIFEST.into(),
            files,
        },
        &[],
        &Limits::default(),
    )
}

/// Runs a one-rule pack whose rule is `body` and returns the failure's message and its
/// place, or `None` when the rule ran.
fn failure(body: &str) -> Option<(String, Option<u32>, Option<u32>)> {
    failure_with(body, None)
}

fn failure_with(body: &str, library: Option<&str>) -> Option<(String, Option<u32>, Option<u32>)> {
    let pack = load("recommendation", body, library).expect("the rule compiles");
    let case = Case::from_json(r#"{"person": {"id": "p", "date_of_birth": "1946-01-01"}}"#).expect("valid case");
    let evaluation = pack
        .evaluate(&case, "2025-01-01".parse().expect("date"))
        .expect("evaluates");
    evaluation
        .failures
        .first()
        .map(|f| (f.message.clone(), f.line.map(|l| l as u32), f.column.map(|c| c as u32)))
}

#[test]
fn comparisons_of_two_types_fail_at_their_place() {
    let cases = [
        // A date compared with text: the slip that called a recent assessment old.
        (
            "let day = date(\"2024-11-02\");\nif day >= \"2024-12-02\" { recommend(\"x\", \"y\") }",
            "`>=` compares a date with text, which is never true",
            6,
        ),
        // A parameter written as text, compared with a whole number (an age).
        (
            "let age = record.person.date_of_birth.age_on(today);\nif age >= params.minimum_age { recommend(\"x\", \"y\") }",
            "`>=` compares a whole number with text",
            6,
        ),
        (
            "if record.person.date_of_death < today { recommend(\"x\", \"y\") }",
            "`<` compares nothing (a value that is not recorded) with a date",
            5,
        ),
        // Held in variables, so only the run can see the types (`check` refuses literals).
        ("let a = \"2024\"; let b = 2024;\nif a == b { recommend(\"x\", \"y\") }", "`==` compares text with a whole number", 6),
        ("let a = 1.5; let b = \"1.5\";\nif a != b { recommend(\"x\", \"y\") }", "`!=` compares a number with text", 6),
        ("let a = true; let b = 1;\nif a == b { recommend(\"x\", \"y\") }", "`==` compares true or false with a whole number", 6),
    ];
    let ran: Vec<&str> = cases
        .iter()
        .filter(|(body, _, _)| failure(body).is_none())
        .map(|(b, _, _)| *b)
        .collect();
    assert!(ran.is_empty(), "these ran; they must fail the rule: {ran:#?}");
    for (body, words, line) in cases {
        let (message, at_line, at_column) =
            failure(body).unwrap_or_else(|| panic!("`{body}` ran; it must fail the rule"));
        assert!(message.contains(words), "`{body}`: {message}");
        assert_eq!(at_line, Some(line), "`{body}`: {message}");
        assert!(at_column.is_some(), "`{body}`: {message}");
    }
}

#[test]
fn like_compares_with_like_and_unrecorded_values_can_be_asked_about() {
    for body in [
        "if record.person.date_of_death == () { recommend(\"alive\", \"no date of death is recorded\") }",
        "if record.person.date_of_death != () { recommend(\"x\", \"y\") }",
        "if () == record.person.date_of_death { recommend(\"alive\", \"not recorded\") }",
        "if 2 > 1.5 && 1.5 < 2 { recommend(\"numbers\", \"whole and decimal numbers compare\") }",
        "if date(\"2024-11-02\") < today { recommend(\"dates\", \"dates compare\") }",
        "if \"a\" < \"b\" { recommend(\"text\", \"text compares\") }",
    ] {
        assert_eq!(failure(body), None, "`{body}` must run");
    }
}

/// The problems of a pack that must not load, as `code: message` lines.
fn load_problems(kind: &str, body: &str) -> Vec<String> {
    match load(kind, body, None) {
        Ok(_) => panic!("`{body}` loaded; it must not"),
        Err(err) => err
            .problems()
            .iter()
            .map(|p| format!("{}: {}", p.code(), p.message()))
            .collect(),
    }
}

#[test]
fn comparisons_the_check_can_see_are_load_errors() {
    for (body, expected) in [
        (
            "if today >= \"2024-12-02\" { recommend(\"x\", \"y\") }",
            "careplan::type: `>=` compares `today` with the text `\"2024-12-02\"`; a date and text cannot be compared",
        ),
        (
            "if params.minimum_age <= 79 { recommend(\"x\", \"y\") }",
            "careplan::type: `<=` compares `params.minimum_age` (text) with the number `79`; text and a number cannot be compared",
        ),
        (
            "if record.person.date_of_birth < \"1950-01-01\" { recommend(\"x\", \"y\") }",
            "careplan::type: `<` compares `record.person.date_of_birth` (a date) with the text `\"1950-01-01\"`; a date and text cannot be compared",
        ),
        ("if true == 1 { recommend(\"x\", \"y\") }", "careplan::type: `==` compares `true` with the number `1`"),
    ] {
        let problems = load_problems("recommendation", body);
        assert!(problems.iter().any(|p| p.starts_with(expected)), "`{body}`: {problems:?}");
    }
}

#[test]
fn a_rule_makes_only_findings_of_its_kind() {
    let problems = load_problems("review", "eligible(\"bus-pass\", \"old enough\")");
    assert!(
        problems.contains(
            &"careplan::kind: `eligible` makes an eligibility decision, but this is a `review` rule".to_owned()
        ),
        "{problems:?}"
    );
    assert!(load("recommendation", "recommend(\"x\", \"y\")", None).is_ok());
}

#[test]
fn a_value_that_is_not_recorded_is_named_in_the_failure() {
    let (message, line, _) =
        failure("let due = record.person.date_of_death.add_days(10);\nrecommend(\"x\", \"y\")").expect("fails");
    assert_eq!(message, "`date_of_death` is not recorded, and `add_days` needs a date");
    assert_eq!(line, Some(5));
}

#[test]
fn a_failure_inside_a_library_names_the_rules_call() {
    let library = "/// A date a fortnight on.\nfn fortnight(day) {\n    day.add_days(14)\n}\n";
    let (message, line, _) = failure_with(
        "let due = fortnight(record.person.date_of_death);\nrecommend(\"x\", \"y\")",
        Some(library),
    )
    .expect("fails");
    assert!(
        message.starts_with("`day` is not recorded, and `add_days` needs a date (in `fortnight`, which the rule calls at line 5, column "),
        "{message}"
    );
    assert_eq!(line, Some(3), "the place is the library's line");
    let pack = load("recommendation", "()", Some(library)).expect("loads");
    let function = pack.info().functions.first().expect("the library function");
    assert_eq!(
        (
            function.name.as_str(),
            function.params.clone(),
            function.doc.as_str(),
            function.line
        ),
        ("fortnight", vec!["day".to_owned()], "A date a fortnight on.", 2)
    );
}
