//! Before anything is timed: the peers (regorus's interpreter and its RVM, zen-engine)
//! give the floor's answer on every benchmark case, whether they parse the case themselves
//! (`evaluate_json`) or are handed a prepared input (`prepare` + `evaluate_prepared`).

use careplan_bench::peers::rego::{Rego, RegoRvm};
use careplan_bench::peers::zen::Zen;
use careplan_bench::{cases, floor};
use careplan_core::Date;
use serde_json::{json, Value};

/// The floor's outcome, and every peer's by both paths, for one case.
struct Peers {
    rego: Rego,
    rvm: RegoRvm,
    zen: Zen,
}

impl Peers {
    fn new() -> Peers {
        Peers {
            rego: Rego::new().expect("regorus loads bench.rego"),
            rvm: RegoRvm::new().expect("regorus compiles bench.rego for the RVM"),
            zen: Zen::new().expect("zen-engine loads bench.jdm.json"),
        }
    }

    /// Asserts that every peer agrees with the floor on `case`; returns the floor's outcome.
    fn check(&mut self, label: &str, case: &str, as_of: &str) -> Value {
        let date: Date = as_of.parse().expect("a date");
        let expected = parse(&floor::evaluate_json(case, date).expect("the floor decides"));
        let rego_input = Rego::prepare(case, as_of).expect("regorus reads the case");
        let rvm_input = RegoRvm::prepare(case, as_of).expect("regorus reads the case");
        let zen_input = Zen::prepare(case, as_of).expect("zen reads the case");
        let outputs = [
            ("rego evaluate_json", self.rego.evaluate_json(case, as_of)),
            ("rego evaluate_prepared", self.rego.evaluate_prepared(&rego_input)),
            ("rvm evaluate_json", self.rvm.evaluate_json(case, as_of)),
            ("rvm evaluate_prepared", self.rvm.evaluate_prepared(&rvm_input)),
            ("zen evaluate_json", self.zen.evaluate_json(case, as_of)),
            ("zen evaluate_prepared", self.zen.evaluate_prepared(&zen_input)),
        ];
        for (peer, output) in outputs {
            let output = output.unwrap_or_else(|err| panic!("{label}: {peer} failed: {err}\ncase: {case}"));
            let got = parse(&output);
            assert_eq!(
                got, expected,
                "{label}: {peer} differs from the floor\ncase: {case}\nfloor: {expected}\n{peer}: {got}"
            );
        }
        expected
    }
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or_else(|err| panic!("not JSON ({err}): {json}"))
}

#[test]
fn peers_agree_with_the_floor_on_every_case() {
    let mut peers = Peers::new();
    let mut branches = cases::Branches::default();
    for (i, case) in cases::generate(2_000).iter().enumerate() {
        let expected = peers.check(&format!("case {i}"), case, cases::AS_OF);
        branches.record(&expected);
    }
    // Every branch of the logic is exercised, so agreement means something.
    branches.assert_all_seen();
}

/// A small case with the given parts, the rest empty.
fn case_with(parts: Value) -> String {
    let mut case = json!({
        "person": {
            "id": "edge",
            "date_of_birth": "1950-01-01",
            "postcode": "ZZ99 3AA",
            "ordinary_residence": "Elmshire",
            "gp_practice": "Y00001",
        },
    });
    for (key, value) in parts.as_object().expect("an object") {
        case[key] = value.clone();
    }
    case.to_string()
}

#[test]
fn peers_agree_with_the_floor_on_edge_cases() {
    let mut peers = Peers::new();
    let needs = |date: &str, outcomes: usize, impact: bool| {
        let outcomes: Vec<Value> = ["nutrition", "personal_hygiene", "toilet_needs"][..outcomes]
            .iter()
            .map(|outcome| json!({"outcome": outcome}))
            .collect();
        json!({
            "kind": "needs",
            "date": date,
            "outcomes": outcomes,
            "wellbeing": {"significant_impact": impact},
        })
    };
    let impairment = json!([{"code": "26929004", "impairment_or_illness": true}]);
    let edge_cases = [
        // A plan signed off on 29 February: its planned review falls on 28 February.
        (
            "leap day",
            json!({"plans": [{"kind": "care_and_support", "signed_off": "2024-02-29"}]}),
            "2024-06-01",
            json!({"kind": "planned", "due": "2025-02-28"}),
        ),
        // A review on 29 February is the base instead.
        (
            "leap day review",
            json!({
                "plans": [{"kind": "care_and_support", "signed_off": "2024-01-10"}],
                "reviews": [{"date": "2024-02-29", "kind": "planned"}],
            }),
            "2024-03-01",
            json!({"kind": "planned", "due": "2025-02-28"}),
        ),
        // Light touch up to and including signed_off + 56 days, across a month end.
        (
            "light touch last day",
            json!({"plans": [{"kind": "care_and_support", "signed_off": "2025-01-31"}]}),
            "2025-03-28",
            json!({"kind": "light_touch", "due": "2025-03-28"}),
        ),
        (
            "light touch over",
            json!({"plans": [{"kind": "care_and_support", "signed_off": "2025-01-31"}]}),
            "2025-03-29",
            json!({"kind": "planned", "due": "2026-01-31"}),
        ),
        // An unplanned review 14 days after the first change, across a year end.
        (
            "unplanned across year end",
            json!({
                "plans": [{"kind": "care_and_support", "signed_off": "2024-06-01"}],
                "events": [{"kind": "fall", "date": "2024-12-25"}, {"kind": "fall", "date": "2024-12-20"}],
            }),
            "2025-01-05",
            json!({"kind": "unplanned", "due": "2025-01-03"}),
        ),
        // A plan ended on the as-of date no longer counts.
        (
            "ended today",
            json!({"plans": [{"kind": "care_and_support", "signed_off": "2024-06-01", "ended": "2025-01-05"}]}),
            "2025-01-05",
            Value::Null,
        ),
    ];
    for (label, parts, as_of, review) in edge_cases {
        let expected = peers.check(label, &case_with(parts), as_of);
        assert_eq!(expected["review"], review, "{label}: the floor's review");
    }

    // Optional fields absent: `active` defaults to true, `refused` to false, no wellbeing.
    let absent = case_with(json!({
        "conditions": impairment,
        "assessments": [{"kind": "needs", "date": "2025-01-01", "outcomes": [{"outcome": "nutrition"}, {"outcome": "toilet_needs"}]}],
    }));
    assert_eq!(
        peers.check("absent fields", &absent, "2025-06-02")["eligibility"],
        "not_eligible"
    );
    // Two needs assessments on the latest date: the later in the list decides, either way.
    for (first, second, eligibility) in [(true, false, "not_eligible"), (false, true, "eligible")] {
        let tie = case_with(json!({
            "conditions": impairment,
            "assessments": [needs("2024-01-01", 3, true), needs("2025-01-01", 3, first), needs("2025-01-01", 3, second)],
        }));
        assert_eq!(peers.check("tie", &tie, "2025-06-02")["eligibility"], eligibility);
    }
    // A safeguarding concern exactly 7 days before counts; 8 days before does not.
    for (date, flagged) in [("2025-05-26", true), ("2025-05-25", false)] {
        let concern = case_with(json!({"events": [{
            "kind": "safeguarding_concern",
            "date": date,
            "safeguarding": {"categories": ["neglect"], "immediate_danger": false},
        }]}));
        let expected = peers.check("safeguarding", &concern, "2025-06-02");
        assert_eq!(
            expected["escalations"] == json!(["safeguarding_concern"]),
            flagged,
            "{date}"
        );
    }
}

#[test]
fn prepared_inputs_are_reusable() {
    // A benchmark evaluates one prepared input many times: the engines must not change it
    // or carry anything from one evaluation to the next.
    let mut peers = Peers::new();
    let cases = cases::generate(20);
    let rego_inputs: Vec<_> = cases
        .iter()
        .map(|c| Rego::prepare(c, cases::AS_OF).expect("reads"))
        .collect();
    let zen_inputs: Vec<_> = cases
        .iter()
        .map(|c| Zen::prepare(c, cases::AS_OF).expect("reads"))
        .collect();
    let zen_before: Vec<String> = zen_inputs
        .iter()
        .map(|v| serde_json::to_string(v).expect("writes"))
        .collect();
    let first: Vec<_> = (0..cases.len())
        .map(|i| {
            (
                peers.rego.evaluate_prepared(&rego_inputs[i]).expect("evaluates"),
                peers.rvm.evaluate_prepared(&rego_inputs[i]).expect("evaluates"),
                peers.zen.evaluate_prepared(&zen_inputs[i]).expect("evaluates"),
            )
        })
        .collect();
    for i in (0..cases.len()).rev() {
        let again = (
            peers.rego.evaluate_prepared(&rego_inputs[i]).expect("evaluates"),
            peers.rvm.evaluate_prepared(&rego_inputs[i]).expect("evaluates"),
            peers.zen.evaluate_prepared(&zen_inputs[i]).expect("evaluates"),
        );
        assert_eq!(again, first[i], "case {i} evaluated a second time");
        assert_eq!(
            serde_json::to_string(&zen_inputs[i]).expect("writes"),
            zen_before[i],
            "case {i}: input changed"
        );
    }
}
