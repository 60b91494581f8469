//! careplan beside the engines a council or supplier might otherwise choose, on one
//! shared piece of care logic, and beside the hand-written Rust floor.
//!
//! # The shared logic
//!
//! Input: a case in careplan's case format and an as-of date. Output (JSON):
//! `{"eligibility": E, "review": R, "escalations": [X...]}`.
//!
//! - **Eligibility** `E`: take the latest (by `date`; on a tie the later in the list)
//!   assessment of kind `needs` that was not `refused`. None: `"no_assessment"`.
//!   Otherwise `"eligible"` when all three conditions hold, else `"not_eligible"`:
//!   some condition is `active` and an `impairment_or_illness`; the assessment lists two
//!   or more `outcomes` the adult is unable to achieve; its `wellbeing.significant_impact`
//!   is true.
//! - **Review** `R`: the plan is the latest-signed `care_and_support` plan with
//!   `signed_off` on or before the as-of date and no `ended` on or before it. None:
//!   `null`. The last review is the latest review `date` from `signed_off` to the as-of
//!   date. With no such review and the as-of date no later than `signed_off` + 56 days:
//!   `{"kind": "light_touch", "due": signed_off + 56 days}`. Otherwise from the base
//!   (the last review, or `signed_off`) the planned review is due 12 months later (a
//!   29 February becomes 28 February); the first `hospital_discharge`, `fall` or
//!   `carer_unavailable` event after the base and on or before the as-of date brings an
//!   unplanned review due 14 days after it, which wins when earlier.
//! - **Escalations** `X`, in this order: `eligible_without_plan` (eligible, no plan);
//!   `review_overdue` (a review due before the as-of date); `safeguarding_concern` (a
//!   `safeguarding_concern` event in the 7 days up to and including the as-of date).
//!
//! Implementations: [`floor`] (hand-written Rust), careplan with the rules in `pack/`
//! natively and through the component ([`careplan`]), and the peers in [`peers`].

pub mod careplan;
pub mod cases;
pub mod floor;
pub mod peers;

use serde::Serialize;

/// The shared logic's result, the same from every implementation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// `eligible`, `not_eligible` or `no_assessment`.
    pub eligibility: &'static str,
    /// The next review of the plan, if there is a plan.
    pub review: Option<Review>,
    /// Escalation codes, in the fixed order above.
    pub escalations: Vec<&'static str>,
}

/// A review due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// `light_touch`, `planned` or `unplanned`.
    pub kind: &'static str,
    /// `YYYY-MM-DD`.
    pub due: String,
}
