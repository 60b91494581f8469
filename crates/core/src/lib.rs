//! careplan-core: a rules engine for care plans.
//!
//! English councils decide who is eligible for adult social care under the Care Act
//! 2014 and review care and support plans; GP practices keep personalised care plans
//! for patients at risk of unplanned admission. careplan lets each area write those
//! rules once, as small [Rhai](https://rhai.rs) scripts layered on a national base
//! pack, and run them identically in any host.
//!
//! This crate is the whole engine and does no I/O: it never reads a file, a clock or a
//! random number. "Today" is always the as-of date the caller passes. It compiles
//! unchanged for `wasm32-unknown-unknown`.
//!
//! # Example
//!
//! ```
//! use careplan_core::{Case, Limits, PackSource, RulePack, SourceFile};
//!
//! let pack = PackSource {
//!     location: "example".into(),
//!     manifest: r#"
//!         [pack]
//!         id = "example"
//!         name = "Example"
//!         authority = "Nowhere Council"
//!         version = "1.0.0"
//!         [schemes.bus-pass]
//!         title = "Older person's bus pass"
//!         [parameters]
//!         minimum_age = 66
//!     "#.into(),
//!     files: vec![SourceFile {
//!         path: "bus-pass.rhai".into(),
//!         text: r#"//! id = "example.bus-pass"
//! //! title = "Bus pass from state pension age"
//! //! kind = "eligibility"
//! //! cites = "Example policy 1"
//! let age = record.person.date_of_birth.age_on(today);
//! if age >= params.minimum_age {
//!     eligible("bus-pass", `aged ${age}, at least ${params.minimum_age}`)
//! } else {
//!     not_eligible("bus-pass", "age", `aged ${age}, under ${params.minimum_age}`)
//! }
//! "#.into(),
//!     }],
//! };
//! let pack = RulePack::load(&pack, &[], &Limits::default()).expect("the example pack loads");
//! let case = Case::from_json(r#"{"person": {"id": "p1", "date_of_birth": "1950-06-15"}}"#)
//!     .expect("the example case is valid");
//! let result = pack.evaluate(&case, "2025-01-01".parse().expect("a date")).expect("evaluates");
//! assert_eq!(result.eligibility[0].decision.as_str(), "eligible");
//! assert_eq!(result.eligibility[0].reasons, ["aged 74, at least 66"]);
//! ```
//!
//! # Pieces
//!
//! - [`Case`]: the typed case model, read with [`Case::from_json`].
//! - [`RulePack`]: a compiled pack, loaded from [`PackSource`]s with
//!   [`RulePack::load`] and evaluated with [`RulePack::evaluate`].
//! - [`Evaluation`]: decisions, reviews, escalations, recommendations and audit.
//! - [`evaluate_json`]: the JSON-in, JSON-out entry point every host uses.
//! - [`fixture`]: the data-driven test format for packs.
//! - Errors: [`LoadError`], [`CaseError`], [`EvaluateError`].
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

// The subsystems, each depending only on those above it (ARCHITECTURE.md has the map):
// calendar and diagnostics need nothing; model needs calendar; sandbox, vocabulary and
// check build the engine rules run in and the checks made before they run; pack loads
// and compiles; eval runs; explain retraces; api is what hosts call.
mod api;
#[cfg(all(test, feature = "audit"))]
mod audit;
mod calendar;
mod check;
mod diagnostics;
mod eval;
mod explain;
pub mod fixture;
mod model;
mod pack;
mod sandbox;
mod vocabulary;

pub use api::json::{
    evaluate_error_to_json, evaluate_json, evaluate_json_with_parameters, evaluate_text, load_error_to_json,
    parameters_from_json, problem_to_json, EvaluationText,
};
pub use api::report::ErrorReport;
pub use calendar::holidays::{bank_holiday_name, BANK_HOLIDAYS};
pub use calendar::{Date, DateError};
pub use diagnostics::escape::{clean_problem_text, escape_controls};
pub use diagnostics::snippet::SnippetSource;
pub use diagnostics::{LoadError, Location, PackProblem, ProblemSeverity};
pub use eval::error::EvaluateError;
pub use eval::ENGINE;
pub use explain::{Explanation, Fact, RuleExplanation, RuleOutcome};
pub use model::case::*;
pub use model::case_error::{CaseError, CaseProblem};
pub use model::evaluation::{
    Audit, Decision, EligibilityDecision, Escalation, EscalationLevel, Evaluation, Failure, FailureKind, LayerRef,
    NotInForce, Owner, PackRef, Recommendation, ReviewDue, Status,
};
pub use model::manifest::{LocalFieldDef, LocalType, ParamType, ParamValue, Parameter, RecipientDef, SchemeDef};
pub use model::schema;
pub use pack::header::{RuleInfo, RuleKind};
pub use pack::{LibraryFunction, PackInfo, PackSource, RulePack, SourceFile};
pub use sandbox::limits::{Limit, Limits};
pub use vocabulary::{vocabulary, VocabularyEntry};
