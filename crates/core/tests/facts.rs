//! Facts (`facts.rhai`): named values computed at most once per evaluation, read by
//! rules as `facts.<name>`; checked at load like parameters, layered like libraries.

use careplan_core::{Case, Evaluation, Limits, LoadError, PackSource, ProblemSeverity, RulePack, SourceFile};
use miette::Diagnostic as _;

fn manifest(id: &str, extends: Option<&str>) -> String {
    let extends = extends.map(|p| format!("extends = \"{p}\"\n")).unwrap_or_default();
    format!(
        "[pack]\nid = \"{id}\"\nname = \"{id}\"\nauthority = \"Test\"\nversion = \"1.0.0\"\n{extends}\
         [parameters]\nage = 65\n"
    )
}

fn rule(id: &str, body: &str) -> String {
    format!("//! id = \"{id}\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n{body}")
}

fn source(id: &str, extends: Option<&str>, files: &[(&str, String)]) -> PackSource {
    PackSource {
        location: format!("rules/{id}"),
        manifest: manifest(id, extends),
        files: files
            .iter()
            .map(|(path, text)| SourceFile {
                path: (*path).into(),
                text: text.clone(),
            })
            .collect(),
    }
}

fn evaluate(pack: &RulePack) -> Evaluation {
    let case = Case::from_json(r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#).expect("valid");
    pack.evaluate(&case, "2025-01-01".parse().expect("date"))
        .expect("evaluates")
}

fn reasons(evaluation: &Evaluation) -> Vec<String> {
    evaluation
        .recommendations
        .iter()
        .map(|r| format!("{}: {}", r.rule, r.reason))
        .collect()
}

/// The load's errors (not its warnings), each with its place and help.
fn problems(err: &LoadError) -> Vec<String> {
    err.problems()
        .iter()
        .filter(|p| p.severity() == ProblemSeverity::Error)
        .map(|p| {
            let place = p.location().map(|l| format!("{l}: ")).unwrap_or_default();
            let help = p.help().map(|h| format!(" (help: {h})")).unwrap_or_default();
            format!("{place}{}{help}", p.message())
        })
        .collect()
}

const FACTS: &str = "\
/// The person's age in whole years.
fn age(record, today) { age_on(record.person.date_of_birth, today) }

/// Whether the person is at least the pack's age.
fn older(facts, params) { facts.age >= params.age }
";

#[test]
fn rules_read_facts_which_read_inputs_and_other_facts() {
    let pack = RulePack::load(
        &source(
            "facts",
            None,
            &[
                ("facts.rhai", FACTS.to_owned()),
                ("a.rhai", rule("t.a", "recommend(\"a\", `age ${facts.age}`)")),
                ("b.rhai", rule("t.b", "if facts.older { recommend(\"b\", \"older\") }")),
                ("c.rhai", rule("t.c", "recommend(\"c\", `index ${facts[\"age\"]}`)")),
            ],
        ),
        &[],
        &Limits::default(),
    )
    .expect("loads");
    let evaluation = evaluate(&pack);
    assert!(evaluation.complete, "{:?}", evaluation.failures);
    assert_eq!(reasons(&evaluation), ["t.a: age 75", "t.b: older", "t.c: index 75"]);
}

/// A fact's function runs once per evaluation: five rules read a fact that costs about
/// 100,000 units of work, within an evaluation budget that has room for it only once.
#[test]
fn a_fact_is_computed_once_however_many_rules_read_it() {
    let slow = "fn total() { let n = 0; for i in 0..20000 { n += 1; } n }\n".to_owned();
    let rules: Vec<(String, String)> = (0..5)
        .map(|i| {
            (
                format!("r{i}.rhai"),
                rule(&format!("t.r{i}"), "recommend(\"r\", `total ${facts.total}`)"),
            )
        })
        .collect();
    let mut files: Vec<(&str, String)> = vec![("facts.rhai", slow.clone())];
    files.extend(rules.iter().map(|(path, text)| (path.as_str(), text.clone())));
    let limits = Limits {
        max_evaluation_operations: 300_000,
        ..Limits::default()
    };
    let pack = RulePack::load(&source("facts", None, &files), &[], &limits).expect("loads");
    let evaluation = evaluate(&pack);
    assert!(evaluation.complete, "{:?}", evaluation.failures);
    assert_eq!(evaluation.recommendations.len(), 5);

    // The same work as a library function that every rule calls runs out of budget.
    let mut files: Vec<(&str, String)> = vec![("lib/slow.rhai", slow)];
    let calls: Vec<(String, String)> = (0..5)
        .map(|i| {
            (
                format!("r{i}.rhai"),
                rule(&format!("t.r{i}"), "recommend(\"r\", `total ${total()}`)"),
            )
        })
        .collect();
    files.extend(calls.iter().map(|(path, text)| (path.as_str(), text.clone())));
    let pack = RulePack::load(&source("calls", None, &files), &[], &limits).expect("loads");
    let evaluation = evaluate(&pack);
    assert!(
        !evaluation.complete,
        "recomputed every time, the work cannot fit the budget"
    );
}

/// Rhai copies a fact's value on every read, so every read is charged its size: a rule
/// that reads a 5,000-item fact 100 times runs out of budget, as with a variable.
#[test]
fn every_read_of_a_fact_is_charged_its_size() {
    let pack = RulePack::load(
        &source(
            "facts",
            None,
            &[
                (
                    "facts.rhai",
                    "fn big() { let xs = []; xs.pad(5000, 0); xs }\n".to_owned(),
                ),
                (
                    "a.rhai",
                    rule(
                        "t.a",
                        "let n = 0; for i in 0..100 { n += facts.big.len(); } recommend(\"a\", `${n}`)",
                    ),
                ),
                ("b.rhai", rule("t.b", "recommend(\"b\", `${facts.big.len()}`)")),
            ],
        ),
        &[],
        &Limits::default(),
    )
    .expect("loads");
    let evaluation = evaluate(&pack);
    assert_eq!(reasons(&evaluation), ["t.b: 5000"], "{:?}", evaluation.failures);
    let failure = &evaluation.failures[0];
    assert_eq!(failure.rule, "t.a");
    assert_eq!(failure.limit.map(|l| l.to_string()).as_deref(), Some("operations"));
}

#[test]
fn a_failing_fact_fails_only_the_rules_that_read_it() {
    let pack = RulePack::load(
        &source(
            "facts",
            None,
            &[
                (
                    "facts.rhai",
                    "fn broken(record) { record.person.date_of_birth + 1 }\n".to_owned(),
                ),
                ("a.rhai", rule("t.a", "recommend(\"a\", `${facts.broken}`)")),
                ("b.rhai", rule("t.b", "recommend(\"b\", \"untouched\")")),
                ("c.rhai", rule("t.c", "recommend(\"c\", `${facts.broken}`)")),
            ],
        ),
        &[],
        &Limits::default(),
    )
    .expect("loads");
    let evaluation = evaluate(&pack);
    assert!(!evaluation.complete);
    assert_eq!(reasons(&evaluation), ["t.b: untouched"]);
    let failed: Vec<&str> = evaluation.failures.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(failed, ["t.a", "t.c"]);
    assert_eq!(
        evaluation.failures[0].message, evaluation.failures[1].message,
        "each reader fails the same way"
    );
}

#[test]
fn a_fact_that_reads_itself_fails_at_the_read() {
    let pack = RulePack::load(
        &source(
            "facts",
            None,
            &[
                (
                    "facts.rhai",
                    "fn a(facts) { facts.b }\nfn b(facts) { facts.a }\n".to_owned(),
                ),
                ("a.rhai", rule("t.a", "recommend(\"a\", `${facts.a}`)")),
            ],
        ),
        &[],
        &Limits::default(),
    )
    .expect("loads");
    let evaluation = evaluate(&pack);
    let failure = &evaluation.failures[0];
    assert!(failure.message.contains("fact `a` reads itself"), "{}", failure.message);
}

#[test]
fn a_misspelt_fact_is_a_load_error_with_a_suggestion() {
    let err = RulePack::load(
        &source(
            "facts",
            None,
            &[
                ("facts.rhai", FACTS.to_owned()),
                ("a.rhai", rule("t.a", "recommend(\"a\", `age ${facts.agee}`)")),
            ],
        ),
        &[],
        &Limits::default(),
    )
    .expect_err("a misspelt fact");
    assert_eq!(
        problems(&err),
        ["rules/facts/a.rhai:5:29: `agee` is not a fact of the pack (help: did you mean `age`?)"]
    );
}

#[test]
fn a_fact_takes_only_rule_inputs_and_keeps_its_name_to_itself() {
    let err = RulePack::load(
        &source(
            "facts",
            None,
            &[
                (
                    "facts.rhai",
                    "fn age(record, n) { n }\nfn x() { 1 }\nlet stray = 1;\n".to_owned(),
                ),
                ("a.rhai", rule("t.a", "recommend(\"a\", \"a\")")),
            ],
        ),
        &[],
        &Limits::default(),
    )
    .expect_err("statements in facts.rhai");
    assert_eq!(
        problems(&err),
        ["rules/facts/facts.rhai:1:1: a facts file may only define functions (help: each fact is a `fn` whose parameters are rule inputs, e.g. `fn eligibility(record, today) { ... }`)"]
    );

    let err = RulePack::load(
        &source(
            "facts",
            None,
            &[
                ("facts.rhai", "fn age(record, n) { n }\n".to_owned()),
                ("lib/util.rhai", "fn x() { 1 }\n".to_owned()),
                ("a.rhai", rule("t.a", "fn x() { 2 }\nrecommend(\"a\", \"a\")")),
            ],
        ),
        &[],
        &Limits::default(),
    )
    .expect_err("a parameter that is not an input");
    assert_eq!(
        problems(&err),
        ["rules/facts/facts.rhai:1:1: fact `age` takes `n`, which is not a rule input (help: a fact's parameters are named after what rules read: any of `record`, `today`, `params` and `facts`, each once; compute other values inside the fact)"]
    );

    let err = RulePack::load(
        &source(
            "facts",
            None,
            &[
                ("facts.rhai", "fn x(record) { 1 }\nfn y(record) { 2 }\n".to_owned()),
                ("lib/util.rhai", "fn x() { 1 }\n".to_owned()),
                ("a.rhai", rule("t.a", "fn y() { 2 }\nrecommend(\"a\", \"a\")")),
            ],
        ),
        &[],
        &Limits::default(),
    )
    .expect_err("names taken twice");
    assert_eq!(
        problems(&err),
        [
            "rules/facts/facts.rhai:1:1: fact `x` has the name of a library function of `rules/facts/lib/util.rhai` (help: rename the fact or the function: rules read facts as `facts.<name>`)",
            "rules/facts/a.rhai:5:1: function `y` has the name of a fact of `rules/facts/facts.rhai` (help: rename the function; read the fact as `facts.y`)",
        ]
    );
}

#[test]
fn a_local_pack_replaces_a_fact_and_its_rules_and_the_parents_read_the_new_one() {
    let national = source(
        "national",
        None,
        &[
            ("facts.rhai", FACTS.to_owned()),
            (
                "a.rhai",
                rule(
                    "national.a",
                    "if facts.older { recommend(\"a\", `older ${facts.age}`) }",
                ),
            ),
        ],
    );
    let local = source(
        "local",
        Some("national"),
        &[
            (
                "facts.rhai",
                "fn older(record) { false }\nfn young(facts) { !facts.older }\n".to_owned(),
            ),
            (
                "b.rhai",
                rule("local.b", "if facts.young { recommend(\"b\", \"young\") }"),
            ),
        ],
    );
    let pack = RulePack::load(&local, &[national], &Limits::default()).expect("loads");
    assert_eq!(reasons(&evaluate(&pack)), ["local.b: young"]);
}
