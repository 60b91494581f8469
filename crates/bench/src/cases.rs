//! Generated benchmark cases: invented people, realistic in shape and size (2 to 4 KB of
//! JSON each), from a fixed seed so every run and every engine sees the same ones.

use std::collections::BTreeSet;

use serde_json::{json, Value};

/// The as-of date every benchmark case is evaluated on.
pub const AS_OF: &str = "2025-06-02";

/// A small deterministic generator (SplitMix64); no dependency, same cases everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
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
    /// A date between 2023-06-01 and 2025-06-20 (days in month kept below 29).
    fn date(&mut self) -> String {
        let year = 2023 + self.below(3);
        let month = if year == 2025 {
            1 + self.below(6)
        } else {
            1 + self.below(12)
        };
        let month = if year == 2023 { month.max(6) } else { month };
        format!("{year}-{month:02}-{:02}", 1 + self.below(28))
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
const EVENTS: &[&str] = &[
    "hospital_admission",
    "hospital_discharge",
    "fall",
    "carer_unavailable",
    "bereavement",
    "deterioration",
    "safeguarding_concern",
    "other",
];
const CONDITIONS: &[(&str, &str)] = &[
    ("26929004", "Alzheimer's disease"),
    ("38341003", "Hypertensive disorder"),
    ("73211009", "Diabetes mellitus"),
    ("195967001", "Asthma"),
    ("13645005", "Chronic obstructive lung disease"),
    ("69896004", "Rheumatoid arthritis"),
    ("230690007", "Cerebrovascular accident"),
    ("35489007", "Depressive disorder"),
];

/// `n` benchmark cases as JSON text.
pub fn generate(n: usize) -> Vec<String> {
    let mut rng = Rng(0x00C0_FFEE);
    (0..n).map(|i| case(&mut rng, i).to_string()).collect()
}

fn case(rng: &mut Rng, i: usize) -> Value {
    let mut conditions = Vec::new();
    for _ in 0..3 + rng.below(6) {
        let (code, term) = CONDITIONS[rng.below(CONDITIONS.len() as u64) as usize];
        conditions.push(json!({
            "code": code,
            "term": term,
            "onset": rng.date(),
            "active": rng.chance(85),
            "impairment_or_illness": rng.chance(60),
        }));
    }
    let mut assessments = Vec::new();
    for _ in 0..rng.below(5) {
        let mut outcomes = Vec::new();
        for outcome in OUTCOMES {
            if rng.chance(30) {
                outcomes.push(json!({
                    "outcome": outcome,
                    "qualifiers": [],
                    "fluctuating": rng.chance(10),
                    "met_by_carer": rng.chance(15),
                }));
            }
        }
        assessments.push(json!({
            "id": format!("asmt-{}", rng.below(10_000)),
            "kind": rng.pick(&["needs", "needs", "needs", "reassessment"]),
            "date": rng.date(),
            "refused": rng.chance(8),
            "outcomes": outcomes,
            "wellbeing": {
                "significant_impact": rng.chance(70),
                "basis": rng.pick(&["is", "likely_to_be"]),
                "areas": ["health", "dignity"],
            },
        }));
    }
    let mut plans = Vec::new();
    for p in 0..rng.below(3) {
        let mut plan = json!({
            "id": format!("plan-{p}"),
            "kind": rng.pick(&["care_and_support", "care_and_support", "carer_support"]),
            "signed_off": rng.date(),
        });
        if rng.chance(20) {
            plan["ended"] = json!(rng.date());
        }
        plans.push(plan);
    }
    let mut reviews = Vec::new();
    for _ in 0..rng.below(4) {
        reviews.push(json!({
            "date": rng.date(),
            "kind": rng.pick(&["planned", "unplanned", "light_touch"]),
            "outcome": rng.pick(&["no_change", "revise"]),
            "plan": "plan-0",
        }));
    }
    let mut events = Vec::new();
    for _ in 0..3 + rng.below(9) {
        let kind = rng.pick(EVENTS);
        let mut event = json!({ "date": rng.date(), "kind": kind, "material": rng.chance(50) });
        if kind == "safeguarding_concern" {
            event["safeguarding"] = json!({ "categories": ["neglect"], "immediate_danger": false });
        }
        events.push(event);
    }
    json!({
        "person": {
            "id": format!("bench-{i:05}"),
            "date_of_birth": format!("19{}-{:02}-{:02}", 30 + rng.below(60), 1 + rng.below(12), 1 + rng.below(28)),
            "postcode": "ZZ99 3AA",
            "ordinary_residence": "Elmshire",
            "gp_practice": "Y00001",
        },
        "conditions": conditions,
        "assessments": assessments,
        "plans": plans,
        "reviews": reviews,
        "events": events,
    })
}

/// Which outcomes of the shared logic a set of expected outputs exercised, so that an
/// agreement test can show every branch occurred and cannot pass vacuously.
#[derive(Debug, Default)]
pub struct Branches(BTreeSet<String>);

impl Branches {
    /// Notes the eligibility, review kind and escalations of one expected output.
    pub fn record(&mut self, expected: &Value) {
        self.0.insert(expected["eligibility"].to_string());
        self.0.insert(expected["review"]["kind"].to_string());
        for code in expected["escalations"].as_array().into_iter().flatten() {
            self.0.insert(code.to_string());
        }
    }

    /// Panics naming the first outcome no recorded output gave.
    pub fn assert_all_seen(&self) {
        for value in [
            "\"eligible\"",
            "\"not_eligible\"",
            "\"no_assessment\"",
            "\"light_touch\"",
            "\"planned\"",
            "\"unplanned\"",
            "null",
            "\"eligible_without_plan\"",
            "\"review_overdue\"",
            "\"safeguarding_concern\"",
        ] {
            assert!(
                self.0.contains(value),
                "no benchmark case gives {value}; seen {:?}",
                self.0
            );
        }
    }
}
