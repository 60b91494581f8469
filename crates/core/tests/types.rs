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

/// Runs a one-rule pack whose rule is `body` and returns the failure's message and its
/// place, or `None` when the rule ran.
fn failure(body: &str) -> Option<(String, Option<u32>, Option<u32>)> {
    let text = format!(
        "//! id = \"types.rule\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n{body}"
    );
    let pack = RulePack::load(
        &PackSource {
            location: "types".into(),
            manifest: MANIFEST.into(),
            files: vec![SourceFile {
                path: "rule.rhai".into(),
                text,
            }],
        },
        &[],
        &Limits::default(),
    )
    .expect("the rule compiles");
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
        ("if \"2024\" == 2024 { recommend(\"x\", \"y\") }", "`==` compares text with a whole number", 5),
        ("if 1.5 != \"1.5\" { recommend(\"x\", \"y\") }", "`!=` compares a number with text", 5),
        ("if true == 1 { recommend(\"x\", \"y\") }", "`==` compares true or false with a whole number", 5),
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
