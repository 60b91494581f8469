//! The case: one person's needs, conditions, plans and recent events.
//!
//! Every struct rejects unknown fields, so a misspelt field in case JSON is an error
//! naming its JSON path, never a silently ignored value. Field names avoid Rhai keywords
//! because rules read them as `record.person.date_of_birth` and so on.

use std::collections::BTreeMap;

#[cfg(test)]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::case_error::{CaseError, CaseProblem};
use crate::Date;

/// One case: everything the rules may read about a person on the as-of date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Who the case is about.
    pub person: Person,
    /// Health conditions, coded in SNOMED CT.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Needs assessments and carer's assessments, in any order.
    #[serde(default)]
    pub assessments: Vec<Assessment>,
    /// Care and support plans, carer's support plans and GP personalised care plans.
    #[serde(default)]
    pub plans: Vec<Plan>,
    /// Reviews and contacts already carried out.
    #[serde(default)]
    pub reviews: Vec<CompletedReview>,
    /// Requests for a review made by the person or on their behalf.
    #[serde(default)]
    pub review_requests: Vec<ReviewRequest>,
    /// Changes in circumstances: admissions, discharges, falls, safeguarding concerns.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Unpaid carers known to care for the person: family, friends or neighbours
    /// (Care Act 2014 s.10(3)), not paid care workers.
    #[serde(default)]
    pub carers: Vec<Carer>,
    /// Membership of the GP practice's register of patients at risk of unplanned
    /// admission (avoiding unplanned admissions enhanced service).
    #[serde(default)]
    pub gp_register: Option<GpRegister>,
    /// The named accountable GP (core GMS contract, patients aged 75 and over).
    #[serde(default)]
    pub named_gp: Option<NamedGp>,
    /// The most recent electronic frailty index result.
    #[serde(default)]
    pub frailty: Option<Frailty>,
    /// The most recent NHS Continuing Healthcare checklist.
    #[serde(default)]
    pub chc_checklist: Option<ChcChecklist>,
    /// A move into a care home or nursing home, or NHS-funded nursing care, that is
    /// being considered for the person.
    #[serde(default)]
    pub placement_considered: Option<PlacementConsidered>,
    /// Fields a local rule pack declares for itself, checked against that pack's
    /// manifest when the case is evaluated.
    #[serde(default)]
    pub local: BTreeMap<String, serde_json::Value>,
}

/// The person the case is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// The host system's identifier for the case; never shown in reasons.
    pub id: String,
    /// NHS number: ten digits, the last a modulus 11 check digit.
    #[serde(default)]
    pub nhs_number: Option<String>,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Date of death, if the person has died.
    #[serde(default)]
    pub date_of_death: Option<Date>,
    /// Home postcode.
    #[serde(default)]
    pub postcode: Option<String>,
    /// The local authority where the person is ordinarily resident (Care Act duties).
    #[serde(default)]
    pub ordinary_residence: Option<String>,
    /// The local authority the person is currently in (safeguarding duties, s.42).
    #[serde(default)]
    pub present_in: Option<String>,
    /// ODS code of the GP practice the person is registered with.
    #[serde(default)]
    pub gp_practice: Option<String>,
    /// Date the person registered with that practice.
    #[serde(default)]
    pub gp_registered: Option<Date>,
    /// Registered with a practice outside their home area (no home-visit duty).
    #[serde(default)]
    pub out_of_area_registered: bool,
}

/// An unpaid carer of the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Carer {
    /// The host system's identifier for the carer; never shown in reasons.
    #[serde(default)]
    pub id: Option<String>,
    /// The first day they were known to care for the person.
    #[serde(default)]
    pub from: Option<Date>,
    /// The last day they cared for the person, if they no longer do.
    #[serde(default)]
    pub to: Option<Date>,
}

/// A health condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// SNOMED CT concept id.
    pub code: String,
    /// Human-readable term for the code.
    #[serde(default)]
    pub term: Option<String>,
    /// When the condition began.
    #[serde(default)]
    pub onset: Option<Date>,
    /// Whether the condition is current.
    #[serde(default = "yes")]
    pub active: bool,
    /// Whether this is a physical or mental impairment or illness in the sense of
    /// SI 2015/313 reg. 2(1)(a) (includes sensory, learning and cognitive conditions,
    /// substance misuse and brain injury).
    #[serde(default)]
    pub impairment_or_illness: bool,
}

fn yes() -> bool {
    true
}

/// The kind of assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    /// A needs assessment of an adult (Care Act s.9).
    Needs,
    /// A carer's assessment (Care Act s.10).
    Carer,
    /// A reassessment after a review found needs had changed.
    Reassessment,
    /// A transition assessment (child to adult services).
    Transition,
}

/// A needs assessment or carer's assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// The host system's identifier for the assessment.
    #[serde(default)]
    pub id: Option<String>,
    /// Which kind of assessment this is.
    pub kind: AssessmentKind,
    /// The date the assessment was completed.
    pub date: Date,
    /// The person refused the assessment.
    #[serde(default)]
    pub refused: bool,
    /// For a refused assessment: what the council knows that may mean the refusal does
    /// not stand (Care Act 2014 s.11(2)). Only with `refused: true`.
    #[serde(default)]
    pub refusal: Option<Refusal>,
    /// Date the council gave the person the written record of its eligibility
    /// determination on this assessment and the reasons for it (Care Act 2014 s.13(2)).
    #[serde(default)]
    pub written_record_given: Option<Date>,
    /// Date the council gave written advice and information on what can be done to meet
    /// or reduce the needs and to prevent or delay future needs, where none of the
    /// needs is eligible (Care Act 2014 s.13(5)).
    #[serde(default)]
    pub advice_given: Option<Date>,
    /// Where needs fluctuate, the period over which they were judged (reg. 2(4), 3(4)).
    #[serde(default)]
    pub fluctuating_period: Option<Period>,
    /// One finding for each outcome considered. Listing an outcome with no qualifiers
    /// records that the person can achieve it.
    #[serde(default)]
    pub outcomes: Vec<OutcomeFinding>,
    /// The impact of the needs on well-being.
    #[serde(default)]
    pub wellbeing: Option<Wellbeing>,
    /// Required for, and only for, a carer's assessment.
    #[serde(default)]
    pub carer: Option<CarerDetails>,
}

/// What is known about a refused needs assessment (Care Act 2014 s.11(2)). The
/// refusal does not stand, and the council must assess, when the adult lacks capacity
/// to refuse and assessing is in their best interests, or when the adult is
/// experiencing or at risk of abuse or neglect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// The adult lacks capacity to refuse the assessment (s.11(2)(a)).
    #[serde(default)]
    pub lacks_capacity: bool,
    /// The council is satisfied that assessing would be in the adult's best interests
    /// (s.11(2)(a)).
    #[serde(default)]
    pub best_interests: bool,
    /// The adult is experiencing, or is at risk of, abuse or neglect (s.11(2)(b)).
    #[serde(default)]
    pub abuse_or_neglect: bool,
}

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day of the period.
    pub from: Date,
    /// Last day of the period.
    pub to: Date,
}

/// The outcomes of SI 2015/313: reg. 2(2)(a)-(j) for adults and reg. 3(2)(b) for carers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Adults (a), carers (iv): managing and maintaining nutrition.
    Nutrition,
    /// Adults (b): maintaining personal hygiene.
    PersonalHygiene,
    /// Adults (c): managing toilet needs.
    ToiletNeeds,
    /// Adults (d): being appropriately clothed.
    BeingClothed,
    /// Adults (e): being able to make use of the home safely.
    HomeSafely,
    /// Adults (f), carers (iii): maintaining a habitable home environment.
    HabitableHome,
    /// Adults (g), carers (v): developing and maintaining family or other personal
    /// relationships.
    Relationships,
    /// Adults (h), carers (vi): accessing and engaging in work, training, education or
    /// volunteering.
    WorkTrainingEducationVolunteering,
    /// Adults (i), carers (vii): making use of necessary facilities or services in the
    /// local community.
    CommunityFacilities,
    /// Adults (j), carers (i): carrying out any caring responsibilities for a child.
    CaringForChild,
    /// Carers (ii): providing care to other persons for whom the carer provides care.
    CaringForOthers,
    /// Carers (viii): engaging in recreational activities.
    Recreation,
}

impl Outcome {
    /// The ten adult outcomes of reg. 2(2), in the regulation's order.
    pub const ADULT: [Outcome; 10] = [
        Outcome::Nutrition,
        Outcome::PersonalHygiene,
        Outcome::ToiletNeeds,
        Outcome::BeingClothed,
        Outcome::HomeSafely,
        Outcome::HabitableHome,
        Outcome::Relationships,
        Outcome::WorkTrainingEducationVolunteering,
        Outcome::CommunityFacilities,
        Outcome::CaringForChild,
    ];

    /// The eight carer outcomes of reg. 3(2)(b), in the regulation's order.
    pub const CARER: [Outcome; 8] = [
        Outcome::CaringForChild,
        Outcome::CaringForOthers,
        Outcome::HabitableHome,
        Outcome::Nutrition,
        Outcome::Relationships,
        Outcome::WorkTrainingEducationVolunteering,
        Outcome::CommunityFacilities,
        Outcome::Recreation,
    ];

    /// The outcome's name as written in case JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Nutrition => "nutrition",
            Outcome::PersonalHygiene => "personal_hygiene",
            Outcome::ToiletNeeds => "toilet_needs",
            Outcome::BeingClothed => "being_clothed",
            Outcome::HomeSafely => "home_safely",
            Outcome::HabitableHome => "habitable_home",
            Outcome::Relationships => "relationships",
            Outcome::WorkTrainingEducationVolunteering => "work_training_education_volunteering",
            Outcome::CommunityFacilities => "community_facilities",
            Outcome::CaringForChild => "caring_for_child",
            Outcome::CaringForOthers => "caring_for_others",
            Outcome::Recreation => "recreation",
        }
    }
}

/// Why a person is unable to achieve an outcome (reg. 2(3), 3(3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// Unable to achieve it without assistance (includes needing prompting).
    WithoutAssistance,
    /// Able to achieve it unaided, but doing so causes significant pain, distress or
    /// anxiety.
    PainDistressAnxiety,
    /// Able to achieve it unaided, but doing so endangers, or is likely to endanger,
    /// the health or safety of the person or others.
    EndangersHealthOrSafety,
    /// Able to achieve it unaided, but it takes significantly longer than would
    /// normally be expected. Adults only: carers have no such limb (reg. 3(3)), so on a
    /// carer's assessment it is kept as recorded but does not make the carer unable.
    SignificantlyLonger,
}

/// The assessor's finding for one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutcomeFinding {
    /// Which outcome.
    pub outcome: Outcome,
    /// The ways in which the person is unable to achieve it; empty when they can.
    #[serde(default)]
    pub qualifiers: Vec<Qualifier>,
    /// The need fluctuates.
    #[serde(default)]
    pub fluctuating: bool,
    /// A carer currently meets this need. Eligibility disregards it; the plan records it.
    #[serde(default)]
    pub met_by_carer: bool,
}

/// Whether the significant impact on well-being is present or predicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImpactBasis {
    /// There is a significant impact now.
    Is,
    /// There is likely to be a significant impact.
    LikelyToBe,
}

/// The nine areas of well-being in Care Act 2014 s.1(2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WellbeingArea {
    /// Personal dignity, including treatment with respect.
    Dignity,
    /// Physical and mental health and emotional well-being.
    Health,
    /// Protection from abuse and neglect.
    ProtectionFromAbuse,
    /// Control over day-to-day life.
    Control,
    /// Participation in work, education, training or recreation.
    Participation,
    /// Social and economic well-being.
    SocialAndEconomic,
    /// Domestic, family and personal relationships.
    Relationships,
    /// Suitability of living accommodation.
    Accommodation,
    /// Contribution to society.
    Contribution,
}

/// The impact of the needs on the person's well-being.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Wellbeing {
    /// There is, or is likely to be, a significant impact on well-being.
    pub significant_impact: bool,
    /// Whether the impact is present or predicted.
    #[serde(default)]
    pub basis: Option<ImpactBasis>,
    /// The areas of well-being affected.
    #[serde(default)]
    pub areas: Vec<WellbeingArea>,
}

/// The state of a carer's own health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CarerHealth {
    /// Not deteriorating and not at risk.
    Stable,
    /// At risk of deteriorating.
    AtRisk,
    /// Deteriorating.
    Deteriorating,
}

/// What a carer's assessment found about the caring role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CarerDetails {
    /// The host system's identifier of the adult cared for.
    #[serde(default)]
    pub cares_for: Option<String>,
    /// The carer provides necessary care: care the adult could not do for themselves.
    pub necessary_care: bool,
    /// The carer's physical or mental health.
    pub health: CarerHealth,
}

/// The kind of plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// A care and support plan (Care Act s.25).
    CareAndSupport,
    /// A carer's support plan (Care Act s.25).
    CarerSupport,
    /// A GP personalised care plan (avoiding unplanned admissions enhanced service).
    GpPersonalisedCare,
}

/// A plan and its life so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The host system's identifier for the plan.
    #[serde(default)]
    pub id: Option<String>,
    /// Which kind of plan.
    pub kind: PlanKind,
    /// Date the plan was signed off (agreed).
    #[serde(default)]
    pub signed_off: Option<Date>,
    /// Date the plan was last revised, if it has been.
    #[serde(default)]
    pub revised: Option<Date>,
    /// Date the plan ended, if it has.
    #[serde(default)]
    pub ended: Option<Date>,
    /// Direct payment arrangements, if the person takes their budget as a direct payment.
    #[serde(default)]
    pub direct_payment: Option<DirectPayment>,
    /// The plan relies on care from an unpaid carer (family, a friend, a neighbour).
    /// Care and support plans only.
    #[serde(default)]
    pub relies_on_unpaid_carer: bool,
    /// Date that carer was offered a carer's assessment (Care Act 2014 s.10).
    #[serde(default)]
    pub carer_assessment_offered: Option<Date>,
}

/// A direct payment under the Care and Support (Direct Payments) Regulations 2014.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DirectPayment {
    /// Date of the first payment.
    pub first_payment: Date,
}

/// A kind of review or follow-up contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// The light-touch review 6 to 8 weeks after a plan is signed off.
    LightTouch,
    /// A planned (scheduled) review.
    Planned,
    /// An unplanned review after a change in needs or circumstances.
    Unplanned,
    /// A review requested by the person, a carer or a professional.
    Requested,
    /// A review of direct payment arrangements.
    DirectPayment,
    /// A review of a GP personalised care plan.
    GpCarePlan,
    /// A GP practice's contact with a register patient after hospital discharge.
    PostDischargeContact,
}

impl ReviewKind {
    /// The kind as written in JSON and in rules, e.g. `light_touch`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::LightTouch => "light_touch",
            ReviewKind::Planned => "planned",
            ReviewKind::Unplanned => "unplanned",
            ReviewKind::Requested => "requested",
            ReviewKind::DirectPayment => "direct_payment",
            ReviewKind::GpCarePlan => "gp_care_plan",
            ReviewKind::PostDischargeContact => "post_discharge_contact",
        }
    }

    /// The kind in words, for people: "light-touch", "post-discharge contact".
    pub fn in_words(self) -> String {
        match self {
            ReviewKind::LightTouch => "light-touch".to_owned(),
            ReviewKind::GpCarePlan => "GP care plan".to_owned(),
            ReviewKind::PostDischargeContact => "post-discharge contact".to_owned(),
            other => other.as_str().replace('_', " "),
        }
    }
}

/// What a review concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The plan stays as it is.
    NoChange,
    /// The plan is revised.
    Revise,
    /// Needs have changed enough to need a reassessment.
    Reassess,
}

/// A significant change a review found (Care Act 2014 s.27(4)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignificantChange {
    /// A material loss of the care an unpaid carer gives.
    CarerInputLost,
    /// The person's needs have changed significantly.
    NeedsChanged,
    /// Any other change in circumstances that affects the plan.
    Other,
}

/// A review or contact already carried out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CompletedReview {
    /// Date carried out.
    pub date: Date,
    /// Which kind of review.
    pub kind: ReviewKind,
    /// What it concluded.
    #[serde(default)]
    pub outcome: Option<ReviewOutcome>,
    /// The identifier of the plan reviewed.
    #[serde(default)]
    pub plan: Option<String>,
    /// A significant change in the person's circumstances or needs that the review
    /// found, if any.
    #[serde(default)]
    pub significant_change: Option<SignificantChange>,
}

/// Who asked for a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Requester {
    /// The person themselves.
    Person,
    /// Their carer.
    Carer,
    /// An advocate.
    Advocate,
    /// Their GP.
    Gp,
    /// A care provider.
    Provider,
    /// Anyone else.
    Other,
}

/// A request for a review (Care Act s.27(1)(b)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// Date the request was made.
    pub date: Date,
    /// Who made it.
    pub requester: Requester,
    /// Whether the council agreed to review; absent while undecided.
    #[serde(default)]
    pub accepted: Option<bool>,
    /// The reasons given when the council declined.
    #[serde(default)]
    pub declined_reasons: Option<String>,
}

/// A kind of change in circumstances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Admitted to hospital.
    HospitalAdmission,
    /// Discharged from hospital.
    HospitalDischarge,
    /// A fall.
    Fall,
    /// The carer became unable or unwilling to continue caring.
    CarerUnavailable,
    /// A bereavement.
    Bereavement,
    /// Moved home.
    MoveHome,
    /// Health or needs deteriorated.
    Deterioration,
    /// A care provider failed or withdrew.
    ProviderFailure,
    /// A safeguarding concern was raised.
    SafeguardingConcern,
    /// Any other change.
    Other,
}

/// A change in circumstances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Date the event happened.
    pub date: Date,
    /// What happened.
    pub kind: EventKind,
    /// Whether the change is material to the plan; material changes lead to review.
    #[serde(default = "yes")]
    pub material: bool,
    /// Date the GP practice or council was told of it (e.g. of a hospital discharge).
    #[serde(default)]
    pub notified: Option<Date>,
    /// An emergency (unplanned) admission.
    #[serde(default)]
    pub emergency: bool,
    /// Required for, and only for, a safeguarding concern.
    #[serde(default)]
    pub safeguarding: Option<SafeguardingDetails>,
}

/// The ten categories of abuse and neglect in the Care and support statutory guidance
/// ch. 14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AbuseCategory {
    /// Physical abuse.
    Physical,
    /// Domestic abuse.
    Domestic,
    /// Sexual abuse.
    Sexual,
    /// Psychological abuse.
    Psychological,
    /// Financial or material abuse.
    Financial,
    /// Modern slavery.
    ModernSlavery,
    /// Discriminatory abuse.
    Discriminatory,
    /// Organisational abuse.
    Organisational,
    /// Neglect and acts of omission.
    Neglect,
    /// Self-neglect.
    SelfNeglect,
}

/// What is known about a safeguarding concern (Care Act s.42).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SafeguardingDetails {
    /// The kinds of abuse or neglect suspected; at least one.
    pub categories: Vec<AbuseCategory>,
    /// The person is in immediate danger.
    #[serde(default)]
    pub immediate_danger: bool,
    /// A crime is suspected.
    #[serde(default)]
    pub crime_suspected: bool,
    /// The person has needs for care and support (met or not); absent when unknown.
    #[serde(default)]
    pub has_care_needs: Option<bool>,
    /// Because of those needs the person cannot protect themselves; absent when unknown.
    #[serde(default)]
    pub unable_to_protect_self: Option<bool>,
    /// The concern is about a service regulated by the Care Quality Commission.
    #[serde(default)]
    pub regulated_provider: bool,
    /// The council's decision on whether the section 42 enquiry duty applies, once made.
    #[serde(default)]
    pub section_42_decision: Option<Section42Decision>,
}

/// The council's decision on a safeguarding concern under Care Act 2014 s.42.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Section42Decision {
    /// Date decided.
    pub date: Date,
    /// Whether the s.42(1) criteria are met (so an enquiry follows).
    pub criteria_met: bool,
    /// Where the criteria are not met: date the person (or whoever raised the concern)
    /// was signposted to other support.
    #[serde(default)]
    pub signposted: Option<Date>,
}

/// Whether a register patient has agreed a personalised care plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CarePlanStatus {
    /// A plan was agreed with the patient or carer.
    Agreed,
    /// The patient declined a plan; they may stay on the register.
    Declined,
}

/// Membership of the practice's avoiding-unplanned-admissions register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GpRegister {
    /// Date added to the register.
    pub added: Date,
    /// Date removed, if no longer on the register.
    #[serde(default)]
    pub removed: Option<Date>,
    /// The named accountable GP.
    #[serde(default)]
    pub named_gp: Option<String>,
    /// The care coordinator.
    #[serde(default)]
    pub care_coordinator: Option<String>,
    /// Date the patient was told of their named GP and care coordinator.
    #[serde(default)]
    pub informed: Option<Date>,
    /// Whether a personalised care plan was agreed or declined; absent while neither.
    #[serde(default)]
    pub care_plan: Option<CarePlanStatus>,
}

/// The named accountable GP for a patient aged 75 or over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NamedGp {
    /// The named GP.
    #[serde(default)]
    pub gp: Option<String>,
    /// Date the named GP was allocated.
    #[serde(default)]
    pub allocated: Option<Date>,
    /// Date the patient was told.
    #[serde(default)]
    pub informed: Option<Date>,
}

/// An electronic frailty index result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Frailty {
    /// Date calculated.
    pub assessed: Date,
    /// Number of deficits present, 0 to 36.
    pub efi_deficits: u8,
    /// Frailty has been confirmed by clinical judgement (the eFI alone is not a
    /// diagnosis).
    #[serde(default)]
    pub clinically_confirmed: bool,
}

/// A domain rating on the NHS Continuing Healthcare checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
pub enum ChcRating {
    /// High level of need.
    A,
    /// Moderate need.
    B,
    /// Low or no need.
    C,
}

/// The eleven domains of the NHS Continuing Healthcare checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChcRatings {
    /// Breathing (a priority domain in the Decision Support Tool).
    pub breathing: ChcRating,
    /// Nutrition.
    pub nutrition: ChcRating,
    /// Continence.
    pub continence: ChcRating,
    /// Skin integrity.
    pub skin_integrity: ChcRating,
    /// Mobility.
    pub mobility: ChcRating,
    /// Communication.
    pub communication: ChcRating,
    /// Psychological and emotional needs.
    pub psychological_emotional: ChcRating,
    /// Cognition.
    pub cognition: ChcRating,
    /// Behaviour (a priority domain).
    pub behaviour: ChcRating,
    /// Drug therapies and medication (a priority domain).
    pub drug_therapies: ChcRating,
    /// Altered states of consciousness (a priority domain).
    pub altered_states_of_consciousness: ChcRating,
}

/// What kind of placement is being considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlacementKind {
    /// A care home without nursing.
    CareHome,
    /// A care home with nursing.
    NursingHome,
    /// NHS-funded nursing care.
    FundedNursingCare,
}

/// A placement being considered for the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlacementConsidered {
    /// Which kind of placement.
    pub kind: PlacementKind,
    /// Date it was first considered.
    pub date: Date,
}

/// A completed NHS Continuing Healthcare checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChcChecklist {
    /// Date completed.
    pub date: Date,
    /// The rating given in each domain.
    pub ratings: ChcRatings,
}

impl Case {
    /// Reads a case from JSON, then checks what the types alone cannot (a carer's
    /// assessment has carer details, outcomes belong to the assessment's kind, and so
    /// on). Every error names the JSON path of the offending value.
    pub fn from_json(text: &str) -> Result<Case, CaseError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let case = Case::deserialize(&mut deserializer).map_err(|err| CaseError::from_serde(text, &err))?;
        deserializer.end().map_err(CaseError::from_json)?;
        case.validate()?;
        Ok(case)
    }

    /// Checks the rules of the case model that serde's types cannot express.
    pub fn validate(&self) -> Result<(), CaseError> {
        let mut problems = Vec::new();
        let mut problem = |path: String, message: String| problems.push(CaseProblem::new(path, message));

        if self.person.id.trim().is_empty() {
            problem("person.id".into(), "the person's id is empty".into());
        }
        if let Some(nhs) = &self.person.nhs_number {
            if let Err(message) = check_nhs_number(nhs) {
                problem("person.nhs_number".into(), message);
            }
        }
        if let Some(death) = self.person.date_of_death {
            if death < self.person.date_of_birth {
                problem(
                    "person.date_of_death".into(),
                    // Neither date is repeated: both are personal data.
                    "the date of death is before the date of birth".to_owned(),
                );
            }
        }
        for (i, carer) in self.carers.iter().enumerate() {
            if let (Some(from), Some(to)) = (carer.from, carer.to) {
                if to < from {
                    problem(
                        format!("carers[{i}].to"),
                        "the carer's last day is before their first".to_owned(),
                    );
                }
            }
        }
        for (i, condition) in self.conditions.iter().enumerate() {
            if condition.code.is_empty() || !condition.code.bytes().all(|b| b.is_ascii_digit()) {
                problem(
                    format!("conditions[{i}].code"),
                    "the code is not a SNOMED CT concept id (digits only)".to_owned(),
                );
            }
        }
        for (i, a) in self.assessments.iter().enumerate() {
            let is_carer = a.kind == AssessmentKind::Carer;
            match (&a.carer, is_carer) {
                (None, true) => problem(
                    format!("assessments[{i}].carer"),
                    "a carer's assessment needs `carer` details".into(),
                ),
                (Some(_), false) => problem(
                    format!("assessments[{i}].carer"),
                    "`carer` details belong only on an assessment of kind `carer`".into(),
                ),
                _ => {}
            }
            match (&a.refusal, a.refused) {
                (Some(_), false) => problem(
                    format!("assessments[{i}].refusal"),
                    "`refusal` details belong only on an assessment with `refused: true`".into(),
                ),
                (Some(_), true) if is_carer => problem(
                    format!("assessments[{i}].refusal"),
                    "a carer's refusal of an assessment stands (Care Act 2014 s.11(3)); `refusal` details belong on an adult's needs assessment".into(),
                ),
                _ => {}
            }
            if let Some(period) = a.fluctuating_period {
                if period.to < period.from {
                    problem(
                        format!("assessments[{i}].fluctuating_period"),
                        "the period ends before it starts".to_owned(),
                    );
                }
            }
            let allowed: &[Outcome] = if is_carer { &Outcome::CARER } else { &Outcome::ADULT };
            let mut seen = Vec::new();
            for (j, finding) in a.outcomes.iter().enumerate() {
                let path = format!("assessments[{i}].outcomes[{j}]");
                if !allowed.contains(&finding.outcome) {
                    problem(
                        format!("{path}.outcome"),
                        format!(
                            "`{}` is not an outcome for {} (SI 2015/313 {})",
                            finding.outcome.as_str(),
                            if is_carer { "carers" } else { "adults" },
                            if is_carer { "reg. 3(2)(b)" } else { "reg. 2(2)" }
                        ),
                    );
                }
                if seen.contains(&finding.outcome) {
                    problem(
                        format!("{path}.outcome"),
                        format!("outcome `{}` is listed twice", finding.outcome.as_str()),
                    );
                }
                seen.push(finding.outcome);
            }
        }
        for (i, plan) in self.plans.iter().enumerate() {
            if plan.relies_on_unpaid_carer && plan.kind != PlanKind::CareAndSupport {
                problem(
                    format!("plans[{i}].relies_on_unpaid_carer"),
                    "`relies_on_unpaid_carer` belongs on a care and support plan (the council's duty to offer the carer an assessment, Care Act 2014 s.10)".into(),
                );
            }
            if plan.carer_assessment_offered.is_some() && !plan.relies_on_unpaid_carer {
                problem(
                    format!("plans[{i}].carer_assessment_offered"),
                    "a carer's assessment offer belongs on a plan with `relies_on_unpaid_carer: true`".into(),
                );
            }
        }
        for (i, event) in self.events.iter().enumerate() {
            let is_concern = event.kind == EventKind::SafeguardingConcern;
            match (&event.safeguarding, is_concern) {
                (None, true) => problem(
                    format!("events[{i}].safeguarding"),
                    "a safeguarding concern needs `safeguarding` details".into(),
                ),
                (Some(_), false) => problem(
                    format!("events[{i}].safeguarding"),
                    "`safeguarding` details belong only on an event of kind `safeguarding_concern`".into(),
                ),
                (Some(details), true) if details.categories.is_empty() => problem(
                    format!("events[{i}].safeguarding.categories"),
                    "name at least one category of abuse or neglect".into(),
                ),
                _ => {}
            }
            if let Some(decision) = event.safeguarding.as_ref().and_then(|s| s.section_42_decision.as_ref()) {
                if decision.criteria_met && decision.signposted.is_some() {
                    problem(
                        format!("events[{i}].safeguarding.section_42_decision.signposted"),
                        "signposting is recorded where the section 42 criteria are not met; here they are met".into(),
                    );
                }
                if decision.date < event.date {
                    problem(
                        format!("events[{i}].safeguarding.section_42_decision.date"),
                        "the section 42 decision is dated before the concern".into(),
                    );
                }
            }
        }
        if let Some(frailty) = &self.frailty {
            if frailty.efi_deficits > 36 {
                problem(
                    "frailty.efi_deficits".into(),
                    format!("the eFI counts at most 36 deficits, not {}", frailty.efi_deficits),
                );
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CaseError::new(problems))
        }
    }
}

/// Checks an NHS number's form and modulus 11 check digit.
fn check_nhs_number(text: &str) -> Result<(), String> {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 10 || text.chars().any(|c| !c.is_ascii_digit()) {
        return Err("an NHS number is ten digits with no spaces".into());
    }
    let sum: u32 = digits.iter().take(9).zip((2..=10).rev()).map(|(d, w)| d * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return Err("the NHS number's check digit is not valid".into()),
        c => c,
    };
    if digits.last() == Some(&check) {
        Ok(())
    } else {
        Err("the NHS number's check digit is not valid".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nhs_numbers_are_checked_without_echoing_them() {
        assert_eq!(check_nhs_number("9434765919"), Ok(()));
        for bad in ["943 476 5919", "94347659", "9434765918", "9434765910"] {
            let message = check_nhs_number(bad).expect_err(bad);
            assert!(!message.contains(bad), "{message}");
        }
    }

    #[test]
    fn a_carer_is_read_and_their_dates_are_checked() {
        let person = r#""person": {"id": "p", "date_of_birth": "1940-01-01"}"#;
        let case = Case::from_json(&format!(
            r#"{{{person}, "carers": [{{"id": "c1", "from": "2024-01-01"}}]}}"#
        ))
        .expect("a case with a carer");
        assert_eq!(case.carers.len(), 1);
        assert_eq!(
            case.carers[0].from.map(|d| d.to_string()).as_deref(),
            Some("2024-01-01")
        );
        let err = Case::from_json(&format!(
            r#"{{{person}, "carers": [{{"from": "2024-01-02", "to": "2024-01-01"}}]}}"#
        ))
        .expect_err("a carer who stopped before starting");
        assert_eq!(err.problems()[0].path(), "carers[0].to");
        let err = Case::from_json(&format!(r#"{{{person}, "carers": [{{"name": "x"}}]}}"#)).expect_err("unknown");
        assert!(err.problems()[0].path().starts_with("carers[0]"), "{err}");
    }
}
