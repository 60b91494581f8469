//! Native and Wasm side by side: every fixture of every pack, and 10,000 generated
//! cases, through careplan-core and through the component in careplan-host. The JSON
//! must be identical byte for byte, and so must the error JSON.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use careplan::engine::{host_error_json, to_host};
use careplan::packs::{fixture_paths, open_pack, read_text, read_with_parents};
use careplan_core::fixture::Fixture;
use careplan_core::{
    evaluate_error_to_json, evaluate_json, evaluate_json_with_parameters, load_error_to_json, problem_to_json, Limits,
    RulePack,
};
use careplan_host::{HostConfig, Runtime};
use serde_json::{json, Map, Value};

fn runtime() -> Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| Runtime::new(HostConfig::default()).expect("the host starts"))
        .clone()
}

fn pack_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("rules")
        .expect("rules/")
        .filter_map(Result::ok)
        .map(|e| Path::new("rules").join(e.file_name()))
        .filter(|d| d.join("pack.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Both engines with the same pack loaded.
struct Both {
    native: RulePack,
    wasm: careplan_host::RulePack,
}

impl Both {
    fn open(dir: &Path) -> Both {
        let native = open_pack(dir, &Limits::default()).expect("the pack loads natively");
        let (source, siblings) = read_with_parents(dir, &Limits::default()).expect("reads");
        let wasm = runtime()
            .load(to_host(source), siblings.into_iter().map(to_host).collect())
            .expect("the pack loads in the component");
        Both { native, wasm }
    }

    /// Evaluates with both engines: whether the evaluation succeeded, and what differs
    /// between the engines (`None` when they agree).
    fn compare(&mut self, case: &str, as_of: &str, params: &Map<String, Value>) -> (bool, Option<String>) {
        let native = if params.is_empty() {
            evaluate_json(&self.native, case, as_of)
        } else {
            evaluate_json_with_parameters(&self.native, case, as_of, params)
        };
        let wasm = if params.is_empty() {
            self.wasm.evaluate_json(case, as_of)
        } else {
            self.wasm
                .evaluate_json_with_parameters(case, as_of, &Value::Object(params.clone()).to_string())
        };
        let succeeded = native.is_ok();
        // The text for people too, where there is an evaluation: core renders it in both.
        if succeeded && params.is_empty() {
            let native_text = careplan_core::evaluate_text(&self.native, case, as_of).map(|t| (t.complete, t.text));
            let wasm_text = self.wasm.evaluate_text(case, as_of).map(|t| (t.complete, t.text));
            match (native_text, wasm_text) {
                (Ok(n), Ok(w)) if n == w => {}
                (n, w) => {
                    return (
                        succeeded,
                        Some(format!("the texts differ:\nnative: {n:?}\nwasm:   {w:?}")),
                    )
                }
            }
        }
        let difference = match (native, wasm) {
            (Ok(n), Ok(w)) if n == w => None,
            (Err(n), Err(w)) if evaluate_error_to_json(&n) == host_error_json(&w) => None,
            (n, w) => Some(format!(
                "native: {}\nwasm:   {}",
                n.unwrap_or_else(|e| evaluate_error_to_json(&e).to_string()),
                w.unwrap_or_else(|e| host_error_json(&e).to_string())
            )),
        };
        (succeeded, difference)
    }
}

/// Doc comments (`///`, `/**`) mean the same in every build: plain comments, wherever
/// they are. (No product build has Rhai's `metadata` feature, in which they must come
/// just before a function; when the CLI had it, the `differential` fuzz target found it
/// refusing files the component loads.)
#[test]
fn doc_comments_are_plain_comments_natively_and_in_wasm() {
    let rule = "//! id = \"doc.r\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"c\"\n\
        /// a note before a statement, with an accent: é\n\
        let x = 1; /** a block note\n   over two lines */ let y = 2;\n\
        /**/ fn f(n) {\n    /// inside a function\n    n + 1\n}\r\n\
        //// four slashes\n\
        recommend(\"check\", `x is ${f(x)}, y is ${y}`)\n";
    let source = careplan_core::PackSource {
        location: "doc".into(),
        manifest: "[pack]\nid = \"doc\"\nname = \"n\"\nauthority = \"a\"\nversion = \"1.0.0\"\n".into(),
        files: vec![careplan_core::SourceFile {
            path: "r.rhai".into(),
            text: rule.into(),
        }],
    };
    let case = r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#;
    let native = RulePack::load(&source, &[], &Limits::default()).expect("loads natively");
    let native = evaluate_json(&native, case, "2025-06-02").expect("evaluates natively");
    assert!(native.contains("x is 2, y is 2"), "{native}");
    let mut wasm = runtime()
        .load(to_host(source), Vec::new())
        .expect("loads in the component");
    assert_eq!(
        wasm.evaluate_json(case, "2025-06-02")
            .expect("evaluates in the component"),
        native
    );
}

/// Every broken pack in `tests/data/diagnostics` fails to load with the same problems,
/// in the same order, natively and in the component (the order once differed: the
/// `differential` fuzz target found problems inside functions reported in hash order);
/// every pack there that loads has the same warnings in both, and at least one.
#[test]
fn every_broken_pack_gives_identical_problems_natively_and_in_wasm() {
    let root = Path::new("tests/data/diagnostics");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("the diagnostics corpus")
        .filter_map(Result::ok)
        .map(|e| root.join(e.file_name()))
        .filter(|d| d.file_name().is_some_and(|n| n != "base"))
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "{dirs:?}");
    let as_of: careplan_core::Date = "2026-12-02".parse().expect("a date");
    for dir in dirs {
        let (source, siblings) = read_with_parents(&dir, &Limits::default()).expect("reads");
        let wasm = runtime().load(to_host(source.clone()), siblings.iter().cloned().map(to_host).collect());
        let native = match (RulePack::load(&source, &siblings, &Limits::default()), wasm) {
            (Ok(native), Ok(mut wasm)) => {
                let native: Vec<Value> = native.warnings(as_of).iter().map(problem_to_json).collect();
                let wasm: Vec<Value> = wasm
                    .warnings("2026-12-02")
                    .expect("warnings in the component")
                    .iter()
                    .map(|d| {
                        json!({
                            "severity": match d.severity {
                                careplan_host::Severity::Warning => "warning",
                                careplan_host::Severity::Error => "error",
                            },
                            "code": d.code, "message": d.message, "help": d.help,
                            "file": d.file, "line": d.line, "column": d.column,
                        })
                    })
                    .collect();
                assert!(!native.is_empty(), "{}: loads with no warnings", dir.display());
                let fields = |v: &Value| {
                    json!({
                        "severity": v["severity"], "code": v["code"], "message": v["message"], "help": v["help"],
                        "file": v["file"], "line": v["line"], "column": v["column"],
                    })
                };
                let native: Vec<Value> = native.iter().map(fields).collect();
                let wasm: Vec<Value> = wasm.iter().map(fields).collect();
                assert_eq!(native, wasm, "{}: the engines give different warnings", dir.display());
                continue;
            }
            (Err(native), Err(wasm)) => {
                let native = load_error_to_json(&native)["problems"].clone();
                assert_eq!(
                    native,
                    host_error_json(&wasm)["problems"].clone(),
                    "{}: the engines report different problems",
                    dir.display()
                );
                native
            }
            (native, wasm) => panic!(
                "{}: loads natively: {}, in the component: {}",
                dir.display(),
                native.is_ok(),
                wasm.is_ok()
            ),
        };
        let native = native.as_array().cloned().unwrap_or_default();
        assert!(!native.is_empty(), "{}: no problems", dir.display());
        let places: Vec<(u64, u64)> = native
            .iter()
            .filter(|p| p["file"] == native[0]["file"])
            .filter_map(|p| Some((p["line"].as_u64()?, p["column"].as_u64()?)))
            .collect();
        assert!(
            places.windows(2).all(|w| w[0] <= w[1]),
            "{}: the problems of one file are not in source order: {places:?}",
            dir.display()
        );
    }
}

#[test]
fn every_fixture_gives_identical_results_natively_and_in_wasm() {
    let mut compared = 0;
    let mut differences = Vec::new();
    for dir in pack_dirs() {
        let mut both = Both::open(&dir);
        for path in fixture_paths(&dir).expect("fixtures") {
            let fixture = Fixture::from_json(&read_text(&path).expect("reads")).expect("a valid fixture");
            compared += 1;
            if let (_, Some(diff)) = both.compare(&fixture.case, &fixture.as_of, &fixture.params) {
                differences.push(format!("{}:\n{diff}", path.display()));
            }
        }
    }
    assert!(compared >= 100, "only {compared} fixtures");
    assert!(
        differences.is_empty(),
        "{} of {compared} differ:\n{}",
        differences.len(),
        differences.join("\n\n")
    );
}

/// A small deterministic generator (splitmix64), so the corpus is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    /// A date between 2014 and 2029.
    fn date(&mut self) -> String {
        format!(
            "{}-{:02}-{:02}",
            2014 + self.below(16),
            1 + self.below(12),
            1 + self.below(28)
        )
    }
    fn date_near(&mut self, year: u64) -> String {
        format!(
            "{}-{:02}-{:02}",
            year - self.below(3),
            1 + self.below(12),
            1 + self.below(28)
        )
    }
}

const OUTCOMES: &[&str] = &[
    "nutrition",
    "personal_hygiene",
    "toilet_needs",
    "being_clothed",
    "home_safely",
    "habitable_home",
    "relationships",
    "work_training_education_volunteering",
    "community_facilities",
    "caring_for_child",
];
const CARER_OUTCOMES: &[&str] = &[
    "caring_for_child",
    "caring_for_others",
    "habitable_home",
    "nutrition",
    "relationships",
    "work_training_education_volunteering",
    "community_facilities",
    "recreation",
];
const QUALIFIERS: &[&str] = &[
    "without_assistance",
    "pain_distress_anxiety",
    "endangers_health_or_safety",
];
const EVENTS: &[&str] = &[
    "hospital_admission",
    "hospital_discharge",
    "fall",
    "carer_unavailable",
    "bereavement",
    "move_home",
    "deterioration",
    "provider_failure",
    "safeguarding_concern",
    "other",
];
const ABUSE: &[&str] = &[
    "physical",
    "domestic",
    "financial",
    "neglect",
    "self_neglect",
    "psychological",
];
const RATINGS: &[&str] = &["A", "B", "C", "C"];

/// One generated case and as-of date. About one in thirty is broken on purpose (an
/// unknown field, an unreal date, a wrong type), so errors are compared too.
fn generate(rng: &mut Rng, n: u64) -> (String, String) {
    // The national pack's rules run from 2014-04-01, rules/elmshire's from 2025-04-01;
    // the bank-holiday table ends in 2030. Mostly recent years, some from the start.
    let year = if rng.chance(80) {
        2025 + rng.below(5)
    } else {
        2014 + rng.below(11)
    };
    let as_of = format!("{year}-{:02}-{:02}", 4 + rng.below(9), 1 + rng.below(28));
    let mut person = json!({
        "id": format!("gen-{n:05}"),
        "date_of_birth": format!("{}-{:02}-{:02}", 1925 + rng.below(80), 1 + rng.below(12), 1 + rng.below(28)),
    });
    if rng.chance(60) {
        person["ordinary_residence"] = json!(rng.pick(&["Elmshire", "Elmshire", "Othershire", " "]));
    }
    if rng.chance(40) {
        person["present_in"] = json!(rng.pick(&["Elmshire", "Northdale"]));
    }
    if rng.chance(30) {
        person["postcode"] = json!("ZZ99 3AA");
    }
    if rng.chance(3) {
        person["date_of_death"] = json!(rng.date_near(year));
    }
    if rng.chance(40) {
        person["gp_registered"] = json!(rng.date());
    }
    let mut case = json!({ "person": person });
    if rng.chance(70) {
        case["conditions"] =
            json!([{ "code": "26929004", "impairment_or_illness": rng.chance(80), "active": rng.chance(90) }]);
    }
    let mut assessments = Vec::new();
    for _ in 0..rng.below(3) {
        let carer = rng.chance(25);
        let pool = if carer { CARER_OUTCOMES } else { OUTCOMES };
        let mut outcomes = Vec::new();
        for outcome in pool {
            if rng.chance(35) {
                let qualifiers: Vec<&str> = (0..rng.below(3)).map(|_| rng.pick(QUALIFIERS)).collect();
                let mut qualifiers = qualifiers;
                qualifiers.sort();
                qualifiers.dedup();
                outcomes.push(json!({
                    "outcome": outcome,
                    "qualifiers": qualifiers,
                    "fluctuating": rng.chance(10),
                    "met_by_carer": rng.chance(15),
                }));
            }
        }
        let refused = rng.chance(8);
        let mut assessment = json!({
            "kind": if carer { "carer" } else { rng.pick(&["needs", "needs", "reassessment"]) },
            "date": rng.date_near(year),
            "refused": refused,
            "outcomes": outcomes,
            "wellbeing": { "significant_impact": rng.chance(70), "basis": rng.pick(&["is", "likely_to_be"]) },
        });
        if refused && !carer && rng.chance(70) {
            assessment["refusal"] = json!({
                "lacks_capacity": rng.chance(50),
                "best_interests": rng.chance(50),
                "abuse_or_neglect": rng.chance(30),
            });
        }
        if rng.chance(30) {
            assessment["written_record_given"] = json!(rng.date_near(year));
        }
        if rng.chance(20) {
            assessment["advice_given"] = json!(rng.date_near(year));
        }
        if rng.chance(10) {
            assessment["fluctuating_period"] =
                json!({ "from": format!("{}-01-01", year - 1), "to": format!("{}-03-01", year - 1) });
        }
        if carer {
            assessment["carer"] = json!({
                "necessary_care": rng.chance(85),
                "health": rng.pick(&["stable", "at_risk", "deteriorating"]),
            });
        }
        assessments.push(assessment);
    }
    case["assessments"] = json!(assessments);
    let mut plans = Vec::new();
    for i in 0..rng.below(3) {
        let mut plan = json!({
            "id": format!("plan-{i}"),
            "kind": rng.pick(&["care_and_support", "care_and_support", "carer_support", "gp_personalised_care"]),
            "signed_off": rng.date_near(year),
        });
        if rng.chance(20) {
            plan["revised"] = json!(rng.date_near(year));
        }
        if rng.chance(15) {
            plan["direct_payment"] = json!({ "first_payment": rng.date_near(year) });
        }
        if plan["kind"] == "care_and_support" && rng.chance(30) {
            plan["relies_on_unpaid_carer"] = json!(true);
            if rng.chance(50) {
                plan["carer_assessment_offered"] = json!(rng.date_near(year));
            }
        }
        plans.push(plan);
    }
    case["plans"] = json!(plans);
    let reviews: Vec<Value> = (0..rng.below(3))
        .map(|_| {
            let mut review = json!({ "date": rng.date_near(year), "kind": rng.pick(&["light_touch", "planned", "unplanned", "post_discharge_contact", "gp_care_plan"]) });
            if rng.chance(20) {
                review["significant_change"] = json!(rng.pick(&["carer_input_lost", "needs_changed", "other"]));
            }
            review
        })
        .collect();
    case["reviews"] = json!(reviews);
    if rng.chance(15) {
        case["review_requests"] =
            json!([{ "date": rng.date_near(year), "requester": rng.pick(&["person", "carer", "gp"]) }]);
    }
    let mut events = Vec::new();
    for _ in 0..rng.below(4) {
        let kind = rng.pick(EVENTS);
        let mut event = json!({ "date": rng.date_near(year), "kind": kind, "emergency": rng.chance(50) });
        if rng.chance(50) {
            event["notified"] = json!(rng.date_near(year));
        }
        if kind == "safeguarding_concern" {
            event["safeguarding"] = json!({
                "categories": [rng.pick(ABUSE)],
                "immediate_danger": rng.chance(20),
                "crime_suspected": rng.chance(10),
                "has_care_needs": if rng.chance(80) { json!(rng.chance(70)) } else { Value::Null },
                "unable_to_protect_self": if rng.chance(80) { json!(rng.chance(60)) } else { Value::Null },
            });
            if rng.chance(30) {
                let met = rng.chance(50);
                let mut decision = json!({ "date": event["date"], "criteria_met": met });
                if !met && rng.chance(50) {
                    decision["signposted"] = json!(rng.date_near(year));
                }
                event["safeguarding"]["section_42_decision"] = decision;
            }
        }
        events.push(event);
    }
    case["events"] = json!(events);
    if rng.chance(30) {
        let mut register = json!({ "added": rng.date_near(year), "named_gp": "gp-1", "care_coordinator": "cc-1" });
        if rng.chance(50) {
            register["informed"] = json!(rng.date_near(year));
        }
        if rng.chance(60) {
            register["care_plan"] = json!(rng.pick(&["agreed", "declined"]));
        }
        case["gp_register"] = register;
    }
    if rng.chance(30) {
        case["named_gp"] = json!({ "gp": "gp-1", "allocated": rng.date_near(year), "informed": rng.date_near(year) });
    }
    if rng.chance(40) {
        case["frailty"] = json!({ "assessed": rng.date_near(year), "efi_deficits": rng.below(37), "clinically_confirmed": rng.chance(50) });
    }
    if rng.chance(15) {
        let domains = [
            "breathing",
            "nutrition",
            "continence",
            "skin_integrity",
            "mobility",
            "communication",
            "psychological_emotional",
            "cognition",
            "behaviour",
            "drug_therapies",
            "altered_states_of_consciousness",
        ];
        let ratings: Map<String, Value> = domains
            .iter()
            .map(|d| ((*d).to_owned(), json!(rng.pick(RATINGS))))
            .collect();
        case["chc_checklist"] = json!({ "date": rng.date_near(year), "ratings": ratings });
    }
    if rng.chance(10) {
        case["placement_considered"] = json!({ "kind": rng.pick(&["care_home", "nursing_home", "funded_nursing_care"]), "date": rng.date_near(year) });
    }
    if rng.chance(20) {
        case["local"] = json!({ "home_care_requested": rng.chance(70), "home_care_requested_on": rng.date_near(year) });
    }
    match rng.below(30) {
        0 => case["person"]["date_of_brith"] = json!("1950-01-01"),
        1 => case["person"]["date_of_birth"] = json!(format!("{}-02-30", 1930 + rng.below(50))),
        2 => case["plans"] = json!("not a list"),
        _ => {}
    }
    (case.to_string(), as_of)
}

/// 2,000 generated cases in the fast tier, 10,000 when `CAREPLAN_SLOW_TESTS` is set (as
/// `.ci/run` sets it).
#[test]
fn generated_cases_give_identical_results_natively_and_in_wasm() {
    let slow = std::env::var_os("CAREPLAN_SLOW_TESTS").is_some_and(|v| !v.is_empty() && v != "0");
    let cases: u64 = if slow { 10_000 } else { 2_000 };
    const THREADS: u64 = 2;
    let results: Vec<(u64, u64, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                scope.spawn(move || {
                    let mut both = Both::open(Path::new("rules/elmshire"));
                    let mut rng = Rng(0x5eed_0000 + t);
                    let (mut evaluated, mut errors, mut differences) = (0, 0, Vec::new());
                    for n in (t..cases).step_by(THREADS as usize) {
                        let (case, as_of) = generate(&mut rng, n);
                        let (succeeded, difference) = both.compare(&case, &as_of, &Map::new());
                        if succeeded {
                            evaluated += 1;
                        } else {
                            errors += 1;
                        }
                        if let Some(diff) = difference {
                            differences.push(format!("case {n} as of {as_of}: {case}\n{diff}"));
                        }
                    }
                    (evaluated, errors, differences)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let evaluated: u64 = results.iter().map(|r| r.0).sum();
    let errors: u64 = results.iter().map(|r| r.1).sum();
    let differences: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    assert_eq!(evaluated + errors, cases);
    // The corpus must exercise both paths: mostly evaluations, some errors.
    assert!(
        evaluated > cases * 8 / 10 && errors > cases / 50,
        "{evaluated} evaluated, {errors} errors"
    );
    assert!(
        differences.is_empty(),
        "{} cases differ; the first:\n{}",
        differences.len(),
        differences[0]
    );
}

#[path = "../crates/fhir/tests/corpus/mod.rs"]
mod fhir_corpus;

/// Every FHIR input of careplan-fhir's corpus read natively and by the component's
/// `case-from-fhir`: the same case JSON and notes, or the same error, byte for byte.
#[test]
fn every_fhir_input_gives_identical_cases_natively_and_in_wasm() {
    let inputs = fhir_corpus::inputs();
    assert!(inputs.len() > 80, "the corpus has {} inputs", inputs.len());
    let runtime = runtime();
    let (mut cases, mut errors) = (0, 0);
    for input in &inputs {
        let mapping = match &input.mapping {
            Some(text) => careplan_fhir::Mapping::from_toml(text, "mapping.toml"),
            None => careplan_fhir::Mapping::uk_core(),
        };
        let native = mapping.and_then(|m| careplan_fhir::case_from_fhir(&input.fhir, &m, input.merge.as_deref()));
        let wasm = runtime.case_from_fhir(&input.fhir, input.mapping.as_deref(), input.merge.as_deref());
        match (native, wasm) {
            (Ok(native), Ok(wasm)) => {
                cases += 1;
                assert_eq!(native.json, wasm.case_json, "{}", input.name);
                let native_notes: Vec<(String, String)> =
                    native.notes.into_iter().map(|n| (n.path, n.message)).collect();
                let wasm_notes: Vec<(String, String)> = wasm.notes.into_iter().map(|n| (n.path, n.message)).collect();
                assert_eq!(native_notes, wasm_notes, "{}", input.name);
            }
            (Err(native), Err(careplan_host::HostError::Engine(wasm))) => {
                errors += 1;
                let report = native.report();
                assert_eq!(report.text, wasm.text, "{}", input.name);
                assert_eq!(report.json, wasm.json, "{}", input.name);
                assert_eq!(native.problems().len(), wasm.case_problems.len(), "{}", input.name);
                let code = match native.kind() {
                    careplan_fhir::ErrorKind::InvalidFhir => careplan_host::ErrorCode::InvalidFhir,
                    careplan_fhir::ErrorKind::InvalidMapping => careplan_host::ErrorCode::InvalidMapping,
                    careplan_fhir::ErrorKind::InvalidCase => careplan_host::ErrorCode::InvalidCase,
                };
                assert_eq!(wasm.code, code, "{}", input.name);
            }
            (native, wasm) => panic!("{}: native {native:?}, wasm {wasm:?}", input.name),
        }
    }
    // The corpus exercises both outcomes.
    assert!(cases > 20 && errors > 20, "{cases} cases and {errors} errors");
    // A broken mapping table is refused alike.
    let native = careplan_fhir::Mapping::from_toml("[patient\n", "mapping.toml").expect_err("broken");
    match runtime.case_from_fhir("{}", Some("[patient\n"), None) {
        Err(careplan_host::HostError::Engine(wasm)) => {
            assert_eq!(wasm.code, careplan_host::ErrorCode::InvalidMapping);
            assert_eq!(wasm.text, native.report().text);
            assert_eq!(wasm.case_problems[0].line, Some(1));
        }
        other => panic!("a broken mapping table: {other:?}"),
    }
    assert_eq!(runtime.fhir_mapping().expect("the table"), careplan_fhir::UK_CORE);
}
