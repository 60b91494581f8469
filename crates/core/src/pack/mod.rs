//! A rule pack: loading it ([`load`]: the layers from each manifest's `extends`
//! ([`layers`]), each file checked and compiled with the load-time checks ([`compile`]),
//! the digest ([`digest`])), and the compiled pack that evaluates any number of cases.

mod compile;
mod digest;
pub(crate) mod header;
mod layers;
mod load;

pub(crate) use layers::{param_dynamic, DatedParams};

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::{Dynamic, Engine, AST};
use serde::{Deserialize, Serialize};

use crate::diagnostics::SharedSource;
use crate::model::evaluation::LayerRef;
use crate::model::manifest::{LocalFieldDef, Parameter, RecipientDef, SchemeDef};
use crate::pack::header::RuleInfo;
use crate::sandbox::engine::new_engine;
use crate::vocabulary::PackVocabulary;
use crate::{Date, Limits};

/// One file of a pack: its path inside the pack (with `/` separators) and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// Path inside the pack, e.g. `eligibility/adult.rhai` or `lib/dates.rhai`.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// A pack as text: its manifest and its Rhai files. Files under `lib/` are libraries
/// of functions shared by every rule of the pack and of packs that extend it; every
/// other `.rhai` file is one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PackSource {
    /// Where the pack came from, used only to name files in messages (e.g.
    /// `rules/england`); it does not affect the digest.
    pub location: String,
    /// The text of `pack.toml`.
    pub manifest: String,
    /// The pack's `.rhai` files.
    pub files: Vec<SourceFile>,
}

/// What a loaded pack is: its identity, layers, rules, schemes and parameters.
#[derive(Debug, Clone, Serialize)]
pub struct PackInfo {
    /// The pack id.
    pub id: String,
    /// Its readable name.
    pub name: String,
    /// The body responsible for it.
    pub authority: String,
    /// Its version.
    pub version: String,
    /// What it covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `sha256:` and the hex digest of the manifests and sources of every layer.
    pub digest: String,
    /// The first day on which some rule of the pack is in force; absent when a rule
    /// has no first day. Evaluations before it are refused (`not_in_force`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<Date>,
    /// The last day on which some rule of the pack is in force; absent when a rule has
    /// no last day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<Date>,
    /// The pack and its parents, base first.
    pub layers: Vec<LayerRef>,
    /// Every rule, in evaluation order.
    pub rules: Vec<RuleInfo>,
    /// Schemes the rules may decide.
    pub schemes: BTreeMap<String, SchemeDef>,
    /// Recipients escalations may go to.
    pub recipients: BTreeMap<String, RecipientDef>,
    /// Parameters after layering.
    pub parameters: BTreeMap<String, Parameter>,
    /// Local case fields after layering.
    pub local_fields: BTreeMap<String, LocalFieldDef>,
    /// The functions the layers' `lib/` files define, base first, in file order.
    pub functions: Vec<LibraryFunction>,
}

/// A function a pack's `lib/` file defines for its rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryFunction {
    /// Its name.
    pub name: String,
    /// Its parameters' names.
    pub params: Vec<String>,
    /// Its `///` doc comment, without the slashes, lines joined with spaces.
    pub doc: String,
    /// The pack whose library defines it.
    pub pack: String,
    /// The file, as the pack's location joined with its path.
    pub file: String,
    /// The line of its `fn`, from 1.
    pub line: usize,
}

/// A compiled rule and what is needed to report its errors.
pub(crate) struct CompiledRule {
    pub info: RuleInfo,
    pub ast: AST,
    pub source: SharedSource,
    /// Which file defines each function the rule can call, for error places.
    pub functions: BTreeMap<String, SharedSource>,
    /// Function-resolution caches kept between evaluations (see [`RuleCaches`]).
    pub caches: RuleCaches,
    /// The parent pack's rule of the same id that this one overrides. It runs in this
    /// one's place on dates when this one is not in force and it is.
    pub replaced: Option<Box<CompiledRule>>,
}

impl CompiledRule {
    /// The version of this rule that runs on `as_of`: this one when it is in force,
    /// else the rule it overrides (and so on down). Each version passed over because it
    /// is not in force is added to `not_in_force`.
    pub(crate) fn version_on<'a>(
        &'a self,
        as_of: Date,
        not_in_force: &mut Vec<crate::model::evaluation::NotInForce>,
    ) -> Option<&'a CompiledRule> {
        let mut version = Some(self);
        while let Some(rule) = version {
            if rule.info.in_force_on(as_of) {
                return Some(rule);
            }
            not_in_force.push(crate::model::evaluation::NotInForce {
                rule: rule.info.id.clone(),
                pack: rule.info.pack.clone(),
                effective_from: rule.info.effective_from,
                effective_to: rule.info.effective_to,
            });
            version = rule.replaced.as_deref();
        }
        None
    }

    /// Every version of the rule: this one, then the ones it overrides.
    pub(crate) fn versions(&self) -> impl Iterator<Item = &CompiledRule> {
        std::iter::successors(Some(self), |rule| rule.replaced.as_deref())
    }
}

/// Rhai's function-resolution caches for one rule, kept between evaluations: taken for
/// an evaluation and put back after it (an evaluation running beside it on another
/// thread makes its own). Rhai makes a new cache for each evaluation of an AST and only
/// caches a call on its second resolution, so without this every evaluation would look
/// up nearly every function call afresh. A cache is only valid for the rule's own AST
/// (two rules may define functions with the same name), hence one per rule.
#[derive(Default)]
pub(crate) struct RuleCaches(std::sync::Mutex<Option<rhai::Caches>>);

impl RuleCaches {
    /// A cache for one evaluation of the rule.
    pub fn take(&self) -> rhai::Caches {
        self.0.lock().ok().and_then(|mut kept| kept.take()).unwrap_or_default()
    }

    /// Keeps a cache for the next evaluation.
    pub fn put(&self, caches: rhai::Caches) {
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some(caches);
        }
    }
}

/// A compiled rule pack, ready to evaluate any number of cases. Cheap to share
/// between threads (`Send + Sync`); evaluation changes nothing in it but the rules'
/// function-resolution caches.
pub struct RulePack {
    pub(crate) info: PackInfo,
    pub(crate) engine: Engine,
    pub(crate) rules: Vec<CompiledRule>,
    /// The parameters, by date: a layer with effective dates sets its parameters only
    /// within them, as it runs its rules only within them.
    pub(crate) params: DatedParams,
    /// The facts of `facts.rhai` (every layer's), sorted by name.
    pub(crate) facts: std::sync::Arc<[crate::vocabulary::facts::FactDef]>,
    /// Where facts run: the libraries and facts of every layer.
    pub(crate) facts_ast: std::sync::Arc<rhai::AST>,
    pub(crate) limits: Limits,
    /// The warnings found while loading it.
    pub(crate) warnings: Vec<crate::PackProblem>,
}

impl std::fmt::Debug for RulePack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RulePack")
            .field("id", &self.info.id)
            .field("version", &self.info.version)
            .field("digest", &self.info.digest)
            .field("rules", &self.rules.len())
            .finish()
    }
}

/// The engine a pack's rules run in: the sandbox, with the vocabulary for the pack.
pub(crate) fn rule_engine(limits: &Limits, vocabulary: Arc<PackVocabulary>) -> Engine {
    let mut inner = new_engine(limits);
    crate::vocabulary::register(&mut inner, Arc::clone(&vocabulary));
    let mut engine = new_engine(limits);
    crate::vocabulary::register(&mut engine, vocabulary);
    crate::vocabulary::register_metered(&mut engine, inner, limits);
    engine
}

impl RulePack {
    /// The parameters as rules read them on `as_of`.
    pub(crate) fn params_on(&self, as_of: Date) -> &Dynamic {
        let DatedParams { before, from } = &self.params;
        from.iter()
            .rev()
            .find(|(day, _)| *day <= as_of)
            .map_or(before, |(_, params)| params)
    }

    /// What the pack is: id, version, digest, layers, rules, schemes and parameters.
    pub fn info(&self) -> &PackInfo {
        &self.info
    }

    /// The limits the pack's rules run under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// What `careplan check` warns about for an evaluation as of `as_of`: the warnings
    /// found while loading (a recipient replaced without `override = true`, a parameter
    /// no rule reads), then the rules that will not run on that date because they have
    /// not started (a future `effective_from`) or have ended, and an as-of date beyond
    /// the bank-holiday table. Warnings never stop a pack from loading.
    pub fn warnings(&self, as_of: Date) -> Vec<crate::PackProblem> {
        use crate::PackProblem;
        let mut warnings = self.warnings.clone();
        for rule in &self.rules {
            let info = &rule.info;
            if let Some(from) = info.effective_from.filter(|from| as_of < *from) {
                warnings.push(
                    PackProblem::new(
                        "careplan::not_in_force",
                        format!(
                            "rule `{}` starts on `{from}` (its `effective_from`), so it does not run for an as-of date of `{as_of}`",
                            info.id
                        ),
                    )
                    .in_file(&rule.source)
                    .warning()
                    .with_help("fixtures and evaluations dated before then will not see its findings; check the date if it should already be in force"),
                );
            }
            if let Some(to) = info.effective_to.filter(|to| *to < as_of) {
                warnings.push(
                    PackProblem::new(
                        "careplan::not_in_force",
                        format!(
                            "rule `{}` stopped running on `{to}` (its `effective_to`), so it can never run for an as-of date from `{as_of}` on",
                            info.id
                        ),
                    )
                    .in_file(&rule.source)
                    .warning(),
                );
            }
        }
        if as_of.year() > crate::calendar::holidays::LAST_YEAR {
            warnings.push(
                PackProblem::new(
                    "careplan::calendar",
                    format!(
                        "the as-of date `{as_of}` is after the end of the bank-holiday table ({}-12-31)",
                        crate::calendar::holidays::LAST_YEAR
                    ),
                )
                .warning()
                .with_help("rules that count working days fail on such dates; a newer careplan has a longer table"),
            );
        }
        warnings
    }
}
