//! Layering a local pack over a national one, and the pack digest.

use careplan_core::{Case, Limits, LoadError, PackSource, RulePack, SourceFile};

fn manifest(id: &str, extends: Option<&str>, extra: &str) -> String {
    let extends = extends.map(|p| format!("extends = \"{p}\"\n")).unwrap_or_default();
    format!("[pack]\nid = \"{id}\"\nname = \"{id}\"\nauthority = \"Test\"\nversion = \"1.0.0\"\n{extends}{extra}")
}

fn rule(id: &str, overrides: bool, body: &str) -> String {
    let over = if overrides { "//! override = true\n" } else { "" };
    format!("//! id = \"{id}\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n{over}{body}")
}

fn source(location: &str, manifest: String, files: &[(&str, String)]) -> PackSource {
    PackSource {
        location: location.into(),
        manifest,
        files: files
            .iter()
            .map(|(path, text)| SourceFile {
                path: (*path).into(),
                text: text.clone(),
            })
            .collect(),
    }
}

fn national() -> PackSource {
    source(
        "rules/national",
        manifest("national", None, "[parameters]\nweeks = 6\nlabel = \"n\"\n"),
        &[
            (
                "a.rhai",
                rule("national.a", false, "recommend(\"a\", `national a ${params.weeks}`)"),
            ),
            (
                "b.rhai",
                rule("national.b", false, "recommend(\"b\", `national b ${params.label}`)"),
            ),
        ],
    )
}

fn problems(err: &LoadError) -> Vec<String> {
    err.problems()
        .iter()
        .map(|p| {
            let place = p.location().map(|l| format!("{l}: ")).unwrap_or_default();
            format!("{place}{}", p.message())
        })
        .collect()
}

fn codes_and_reasons(pack: &RulePack) -> Vec<(String, String, String)> {
    let case = Case::from_json(r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#).expect("valid");
    pack.evaluate(&case, "2025-01-01".parse().expect("date"))
        .expect("evaluates")
        .recommendations
        .into_iter()
        .map(|r| (r.rule, r.code, r.reason))
        .collect()
}

#[test]
fn a_local_pack_overrides_rules_in_place_and_parameters() {
    let local = source(
        "rules/local",
        manifest("local", Some("national"), "[parameters]\nweeks = 4\n"),
        &[
            (
                "a.rhai",
                rule("national.a", true, "recommend(\"a\", `local a ${params.weeks}`)"),
            ),
            ("c.rhai", rule("local.c", false, "recommend(\"c\", \"local c\")")),
        ],
    );
    let pack = RulePack::load(&local, &[national()], &Limits::default()).expect("loads");
    assert_eq!(
        codes_and_reasons(&pack),
        [
            ("national.a".into(), "a".into(), "local a 4".into()),
            ("national.b".into(), "b".into(), "national b n".into()),
            ("local.c".into(), "c".into(), "local c".into()),
        ]
    );
    let info = pack.info();
    assert_eq!(info.rules[0].overrides.as_deref(), Some("national"));
    assert_eq!(info.rules[0].pack, "local");
    assert_eq!(info.parameters["weeks"].set_by, "local");
    assert_eq!(info.parameters["label"].set_by, "national");
    let layers: Vec<&str> = info.layers.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(layers, ["national", "local"]);
}

#[test]
fn a_missing_parent_is_a_load_error_with_a_suggestion() {
    let local = source("rules/local", manifest("local", Some("nationl"), ""), &[]);
    let err = RulePack::load(&local, &[national()], &Limits::default()).expect_err("no such parent");
    assert_eq!(
        problems(&err),
        ["rules/local/pack.toml:6:11: pack `local` extends `nationl`, which cannot be found"]
    );
    assert_eq!(err.problems()[0].help_text(), Some("did you mean `national`?"));
}

#[test]
fn a_cycle_is_a_load_error() {
    let a = source("rules/a", manifest("a", Some("b"), ""), &[]);
    let b = source("rules/b", manifest("b", Some("a"), ""), &[]);
    let err = RulePack::load(&a, &[a.clone(), b], &Limits::default()).expect_err("cycle");
    assert_eq!(
        problems(&err),
        ["rules/b/pack.toml:6:11: packs extend each other in a cycle: a extends b extends a"]
    );
}

#[test]
fn overriding_a_rule_no_parent_has_is_a_load_error() {
    let local = source(
        "rules/local",
        manifest("local", Some("national"), ""),
        &[("x.rhai", rule("national.aa", true, "()"))],
    );
    let err = RulePack::load(&local, &[national()], &Limits::default()).expect_err("bad override");
    assert_eq!(
        problems(&err),
        ["rules/local/x.rhai:1:10: rule `national.aa` overrides a rule that no parent pack defines"]
    );
    assert_eq!(err.problems()[0].help_text(), Some("did you mean `national.a`?"));
}

#[test]
fn reusing_a_parent_rule_id_without_override_is_a_load_error() {
    let local = source(
        "rules/local",
        manifest("local", Some("national"), ""),
        &[("x.rhai", rule("national.b", false, "()"))],
    );
    let err = RulePack::load(&local, &[national()], &Limits::default()).expect_err("duplicate");
    assert_eq!(
        problems(&err),
        ["rules/local/x.rhai:1:10: rule `national.b` is already defined by pack `national`"]
    );
}

#[test]
fn a_parameter_cannot_change_type() {
    let local = source(
        "rules/local",
        manifest("local", Some("national"), "[parameters]\nweeks = \"six\"\n"),
        &[],
    );
    let err = RulePack::load(&local, &[national()], &Limits::default()).expect_err("type change");
    assert_eq!(
        problems(&err),
        ["rules/local/pack.toml:8:9: parameter `weeks` is a whole number in pack `national` but text here"]
    );
}

#[test]
fn every_broken_file_is_reported() {
    let pack = source(
        "rules/broken",
        manifest("broken", None, ""),
        &[
            ("a.rhai", rule("broken.a", false, "let x = (1;")),
            ("b.rhai", rule("broken.b", false, "recrd.person")),
            ("c.rhai", "no header here".to_owned()),
        ],
    );
    let err = RulePack::load(&pack, &[], &Limits::default()).expect_err("broken");
    assert_eq!(err.to_string(), "rule pack `broken` has 3 errors");
    assert_eq!(
        problems(&err),
        [
            "rules/broken/a.rhai:5:11: expecting ')' for a matching ( in this expression",
            "rules/broken/b.rhai:5:1: unknown variable `recrd`",
            "rules/broken/c.rhai:1:1: rule file has no header",
        ]
    );
}

#[test]
fn the_digest_covers_content_not_location_or_file_order() {
    let load = |pack: &PackSource| {
        RulePack::load(pack, &[], &Limits::default())
            .expect("loads")
            .info()
            .digest
            .clone()
    };
    let base = national();
    let digest = load(&base);
    assert!(digest.starts_with("sha256:") && digest.len() == 7 + 64, "{digest}");

    let mut moved = base.clone();
    moved.location = "elsewhere/national".into();
    moved.files.reverse();
    assert_eq!(load(&moved), digest, "location and file order do not count");

    let mut edited = base.clone();
    edited.files[1].text.push(' ');
    assert_ne!(load(&edited), digest, "a changed source changes the digest");

    let mut renamed = base.clone();
    renamed.files[1].path = "bb.rhai".into();
    assert_ne!(load(&renamed), digest, "a renamed file changes the digest");

    // Pinned, so that an accidental change to the digest scheme is noticed: hosts store
    // digests in their audit trails.
    assert_eq!(digest, PINNED_DIGEST);
}

const PINNED_DIGEST: &str = "sha256:2016fa2d449c78fbede44e253ed74f8ff5e97b3a94a2a82274f4f80221483382";
