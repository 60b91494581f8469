//! Loading a rule pack: reading manifests, layering a pack over its parents, and
//! compiling every rule once so that many cases can be evaluated with it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rhai::{Dynamic, Engine, Map, ParseError, ParseErrorType, Scope, AST};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::{new_engine, DISABLED_SYMBOLS, RULE_INPUTS};
use crate::error::{lower_first, Limit, LoadError, PackProblem, SharedSource};
use crate::evaluation::LayerRef;
use crate::manifest::{LocalFieldDef, Manifest, ParamValue, Parameter, RecipientDef, SchemeDef};
use crate::rule::{parse_header, RuleInfo};
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
        not_in_force: &mut Vec<crate::evaluation::NotInForce>,
    ) -> Option<&'a CompiledRule> {
        let mut version = Some(self);
        while let Some(rule) = version {
            if rule.info.in_force_on(as_of) {
                return Some(rule);
            }
            not_in_force.push(crate::evaluation::NotInForce {
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
    pub(crate) limits: Limits,
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

/// A parsed layer: manifest plus its files, with sources ready for messages.
struct Layer {
    manifest: Manifest,
    files: Vec<(String, SharedSource)>,
    source: PackSource,
}

fn file_name(location: &str, path: &str) -> String {
    if location.is_empty() {
        path.to_owned()
    } else {
        format!("{}/{path}", location.trim_end_matches('/'))
    }
}

impl RulePack {
    /// Loads `pack`, layering it over the parents it `extends`, which are looked up by
    /// id among `available` (extra packs are ignored). Every problem in every file is
    /// reported at once.
    pub fn load(pack: &PackSource, available: &[PackSource], limits: &Limits) -> Result<RulePack, LoadError> {
        let pack_name = pack.location.clone();
        let mut problems = Vec::new();

        // The chain of layers, target first, then parent, grandparent...
        let mut chain: Vec<Layer> = Vec::new();
        let mut next = Some(pack.clone());
        while let Some(source) = next.take() {
            let manifest_text = source.manifest.strip_prefix('\u{feff}').unwrap_or(&source.manifest);
            let manifest_source = SharedSource::new(file_name(&source.location, "pack.toml"), manifest_text);
            let manifest = match Manifest::parse(manifest_source) {
                Ok(manifest) => manifest,
                Err(mut found) => {
                    problems.append(&mut found);
                    break;
                }
            };
            if let Some((parent, span)) = &manifest.extends {
                if chain.iter().any(|l| &l.manifest.id == parent) || parent == &manifest.id {
                    let mut cycle: Vec<&str> = chain.iter().map(|l| l.manifest.id.as_str()).collect();
                    cycle.push(&manifest.id);
                    cycle.push(parent);
                    problems.push(
                        PackProblem::new(
                            "careplan::layering",
                            format!("packs extend each other in a cycle: {}", cycle.join(" extends ")),
                        )
                        .at_span(&manifest.source, span.0, span.1)
                        .with_label("this makes the cycle"),
                    );
                } else {
                    let found: Vec<&PackSource> = available
                        .iter()
                        .filter(|candidate| manifest_id(&candidate.manifest).as_deref() == Some(parent.as_str()))
                        .collect();
                    match found.as_slice() {
                        [one] => next = Some((*one).clone()),
                        [] => {
                            let ids: Vec<String> = available.iter().filter_map(|c| manifest_id(&c.manifest)).collect();
                            let help = crate::suggest::did_you_mean_help(parent, ids.iter().map(String::as_str))
                                .unwrap_or_else(|| {
                                    if ids.is_empty() {
                                        "no other packs were found beside this one".to_owned()
                                    } else {
                                        format!(
                                            "packs available: {}",
                                            ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                                        )
                                    }
                                });
                            problems.push(
                                PackProblem::new(
                                    "careplan::layering",
                                    format!("pack `{}` extends `{parent}`, which cannot be found", manifest.id),
                                )
                                .at_span(&manifest.source, span.0, span.1)
                                .with_label("no pack has this id")
                                .with_help(help),
                            );
                        }
                        many => problems.push(
                            PackProblem::new(
                                "careplan::layering",
                                format!(
                                    "{} packs have the id `{parent}`: {}",
                                    many.len(),
                                    many.iter()
                                        .map(|m| format!("`{}`", m.location))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            )
                            .at_span(&manifest.source, span.0, span.1),
                        ),
                    }
                }
            }
            let files = source
                .files
                .iter()
                .map(|file| {
                    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
                    (
                        file.path.clone(),
                        SharedSource::new(file_name(&source.location, &file.path), text),
                    )
                })
                .collect();
            chain.push(Layer {
                manifest,
                files,
                source,
            });
        }
        chain.reverse(); // base first
        let target_id = chain.last().map_or(pack_name, |l| l.manifest.id.clone());
        if !problems.is_empty() {
            return Err(LoadError::new(target_id, problems));
        }

        // Layer schemes, recipients, parameters and local fields, base first.
        let mut schemes = BTreeMap::new();
        let mut recipients = BTreeMap::new();
        let mut parameters: BTreeMap<String, Parameter> = BTreeMap::new();
        let mut local_fields = BTreeMap::new();
        for layer in &chain {
            schemes.extend(layer.manifest.schemes.clone());
            recipients.extend(layer.manifest.recipients.clone());
            local_fields.extend(layer.manifest.local_fields.clone());
            for (name, parameter) in &layer.manifest.parameters {
                if let (Some(old), Some(new)) = (
                    parameters.get(name).and_then(|p| p.value.as_ref()),
                    parameter.value.as_ref(),
                ) {
                    if !old.same_type(new) {
                        let set_by = parameters.get(name).map_or("", |p| p.set_by.as_str());
                        problems.push(
                            PackProblem::new(
                                "careplan::layering",
                                format!(
                                    "parameter `{name}` is {} in pack `{set_by}` but {} here",
                                    old.describe_type(),
                                    new.describe_type()
                                ),
                            )
                            .at_span(
                                &layer.manifest.source,
                                parameter.span.0,
                                parameter.span.1,
                            ),
                        );
                        continue;
                    }
                }
                let mut merged = parameter.clone();
                if let Some(old) = parameters.get(name) {
                    // A child that only sets a value keeps the parent's documentation.
                    merged.description = merged.description.or_else(|| old.description.clone());
                    merged.source = merged.source.or_else(|| old.source.clone());
                    merged.gk = merged.gk || (parameter.description.is_none() && old.gk);
                }
                parameters.insert(name.clone(), merged);
            }
        }

        let vocabulary = Arc::new(PackVocabulary {
            schemes: schemes.clone(),
            recipients: recipients.clone(),
            local_fields: local_fields.keys().cloned().collect(),
        });
        let engine = new_engine(limits, vocabulary);
        // What the load-time checks compare names against: fixed once layering is done.
        let declared = crate::check::Declared {
            schemes: schemes.keys().map(String::as_str).collect(),
            recipients: recipients.keys().map(String::as_str).collect(),
            parameters: parameters.keys().map(String::as_str).collect(),
        };
        let mut compile_scope = Scope::new();
        for name in RULE_INPUTS {
            // Pushed as plain variables, never constants: the optimizer would otherwise
            // fold the placeholder values into the compiled rules.
            compile_scope.push_dynamic(name, Dynamic::UNIT);
        }

        // Compile libraries and rules, layer by layer.
        let mut rules: Vec<CompiledRule> = Vec::new();
        let mut lib_ast = AST::empty();
        let mut lib_functions: BTreeMap<String, SharedSource> = BTreeMap::new();
        for layer in &chain {
            let mut layer_rules: Vec<(CompiledRule, bool, (usize, usize))> = Vec::new();
            let mut paths = BTreeSet::new();
            let mut sorted: Vec<&(String, SharedSource)> = layer.files.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            // Libraries first: every rule of this layer and its children sees them.
            for (path, source) in sorted.iter().map(|f| (&f.0, &f.1)) {
                if !paths.insert(path.clone()) {
                    problems.push(
                        PackProblem::new("careplan::files", format!("file `{path}` is given twice")).in_file(source),
                    );
                    continue;
                }
                if !path.ends_with(".rhai") {
                    problems.push(
                        PackProblem::new("careplan::files", format!("`{path}` is not a Rhai file")).with_help(
                            "a pack holds `pack.toml`, `.rhai` rule files, `lib/*.rhai` libraries and `tests/`",
                        ),
                    );
                    continue;
                }
                if source.text.len() > limits.max_source_size {
                    problems.push(
                        PackProblem::new(
                            "careplan::limit",
                            format!(
                                "`{path}` is {} bytes, over the `{}` limit of {}",
                                source.text.len(),
                                Limit::SourceSize,
                                limits.max_source_size
                            ),
                        )
                        .with_help("split the file into smaller rules or libraries"),
                    );
                    continue;
                }
                if let Some((line, column)) = lone_carriage_return(&source.text) {
                    problems.push(
                        PackProblem::new("careplan::syntax", "a carriage return without a line feed".to_string())
                            .at(source, line, column)
                            .with_help("save the file with LF or CRLF line endings"),
                    );
                    continue;
                }
                if !path.starts_with("lib/") {
                    continue;
                }
                match compile(&engine, &compile_scope, source) {
                    Ok(ast) => {
                        if !ast.statements().is_empty() {
                            problems.push(
                                PackProblem::new(
                                    "careplan::library",
                                    "a library file may only define functions".to_string(),
                                )
                                .in_file(source)
                                .with_help("move statements into a rule file, or wrap them in a `fn`"),
                            );
                            continue;
                        }
                        for f in ast.iter_functions() {
                            lib_functions.insert(f.name.to_string(), source.clone());
                        }
                        lib_ast = lib_ast.merge(&ast);
                    }
                    Err(problem) => problems.push(problem),
                }
            }
            for (path, source) in sorted.iter().map(|f| (&f.0, &f.1)) {
                if path.starts_with("lib/")
                    || !path.ends_with(".rhai")
                    || source.text.len() > limits.max_source_size
                    || lone_carriage_return(&source.text).is_some()
                {
                    continue;
                }
                let header = match parse_header(source, &layer.manifest.id) {
                    Ok(mut header) => {
                        // The pack's own dates are the default window of its rules.
                        let info = &mut header.info;
                        info.effective_from = info.effective_from.or(layer.manifest.effective_from);
                        info.effective_to = info.effective_to.or(layer.manifest.effective_to);
                        header
                    }
                    Err(mut found) => {
                        problems.append(&mut found);
                        continue;
                    }
                };
                let ast = match compile(&engine, &compile_scope, source) {
                    Ok(ast) => ast,
                    Err(problem) => {
                        problems.push(problem);
                        continue;
                    }
                };
                let mut found = crate::check::case_fields(&ast, source, &local_fields);
                let script_functions: Vec<crate::check::ScriptFunction<'_>> = lib_ast
                    .iter_functions()
                    .chain(ast.iter_functions())
                    .map(|f| (f.name, f.params.len()))
                    .collect();
                found.extend(crate::check::unknown_functions(&ast, source, &script_functions));
                found.extend(crate::check::declared_names(&ast, source, &declared));
                problems.extend(crate::check::in_source_order(found));
                let mut functions = lib_functions.clone();
                for f in ast.iter_functions() {
                    functions.insert(f.name.to_string(), source.clone());
                }
                let mut ast = lib_ast.merge(&ast);
                ast.set_source(source.name.as_str());
                layer_rules.push((
                    CompiledRule {
                        info: header.info,
                        ast,
                        source: source.clone(),
                        functions,
                        caches: RuleCaches::default(),
                        replaced: None,
                    },
                    header.overrides,
                    header.id_span,
                ));
            }
            // Place this layer's rules: overrides replace a parent rule in its place.
            let inherited: BTreeSet<String> = rules.iter().map(|r| r.info.id.clone()).collect();
            let mut seen_here: BTreeMap<String, String> = BTreeMap::new();
            for (mut rule, overrides, id_span) in layer_rules {
                let id = rule.info.id.clone();
                if let Some(first) = seen_here.get(&id) {
                    problems.push(
                        PackProblem::new("careplan::duplicate_rule", format!("two rules have the id `{id}`"))
                            .at_span(&rule.source, id_span.0, id_span.1)
                            .with_label("second use of the id")
                            .with_help(format!("the first is in `{first}`; rule ids must be unique")),
                    );
                    continue;
                }
                seen_here.insert(id.clone(), rule.info.file.clone());
                match (overrides, inherited.contains(&id)) {
                    (true, true) => {
                        if let Some(slot) = rules.iter_mut().find(|r| r.info.id == id) {
                            rule.info.overrides = Some(slot.info.pack.clone());
                            let parent = std::mem::replace(slot, rule);
                            slot.replaced = Some(Box::new(parent));
                        }
                    }
                    (true, false) => {
                        let parents: Vec<&str> = inherited.iter().map(String::as_str).collect();
                        let help =
                            crate::suggest::did_you_mean_help(&id, parents.iter().copied()).unwrap_or_else(|| {
                                "remove `override = true` to add a new rule, or use the id of a parent pack's rule"
                                    .to_owned()
                            });
                        problems.push(
                            PackProblem::new(
                                "careplan::override",
                                format!("rule `{id}` overrides a rule that no parent pack defines"),
                            )
                            .at_span(&rule.source, id_span.0, id_span.1)
                            .with_label("not a parent rule")
                            .with_help(help),
                        );
                    }
                    (false, true) => {
                        let owner = rules
                            .iter()
                            .find(|r| r.info.id == id)
                            .map_or(String::new(), |r| r.info.pack.clone());
                        problems.push(
                            PackProblem::new(
                                "careplan::duplicate_rule",
                                format!("rule `{id}` is already defined by pack `{owner}`"),
                            )
                            .at_span(&rule.source, id_span.0, id_span.1)
                            .with_label("same id as a parent rule")
                            .with_help("add `override = true` to the header to replace the parent's rule"),
                        );
                    }
                    (false, false) => rules.push(rule),
                }
            }
        }
        if rules.len() > limits.max_rules {
            problems.push(PackProblem::new(
                "careplan::limit",
                format!(
                    "the pack has {} rules, over the `{}` limit of {}",
                    rules.len(),
                    Limit::Rules,
                    limits.max_rules
                ),
            ));
        }
        if problems.iter().any(|p| p.severity() == crate::ProblemSeverity::Error) {
            return Err(LoadError::new(target_id, problems));
        }

        let params = dated_parameters(&chain, &parameters);

        // The span in which some version of some rule is in force.
        let versions = || rules.iter().flat_map(CompiledRule::versions);
        let effective_from = versions()
            .map(|r| r.info.effective_from)
            .try_fold(None, |min: Option<Date>, from| {
                from.map(|f| Some(min.map_or(f, |m| m.min(f))))
            })
            .flatten();
        let effective_to = versions()
            .map(|r| r.info.effective_to)
            .try_fold(None, |max: Option<Date>, to| {
                to.map(|t| Some(max.map_or(t, |m| m.max(t))))
            })
            .flatten();
        let target = chain.last().map(|l| &l.manifest);
        let info = PackInfo {
            id: target_id,
            name: target.map_or(String::new(), |m| m.name.clone()),
            authority: target.map_or(String::new(), |m| m.authority.clone()),
            version: target.map_or(String::new(), |m| m.version.clone()),
            description: target.and_then(|m| m.description.clone()),
            digest: digest(chain.iter().map(|l| &l.source)),
            effective_from,
            effective_to,
            layers: chain
                .iter()
                .map(|l| LayerRef {
                    id: l.manifest.id.clone(),
                    version: l.manifest.version.clone(),
                })
                .collect(),
            rules: rules.iter().map(|r| r.info.clone()).collect(),
            schemes,
            recipients,
            parameters,
            local_fields,
        };
        Ok(RulePack {
            info,
            engine,
            rules,
            params,
            limits: limits.clone(),
        })
    }

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
}

/// The parameters rules read: the map in force before every layer's dates, and the map
/// in force from each of those dates, in date order.
pub(crate) struct DatedParams {
    before: Dynamic,
    from: Vec<(Date, Dynamic)>,
}

/// The parameter maps in force from each date. A layer with an `effective_from` or
/// `effective_to` sets its parameters only on the dates its own rules run; outside them
/// the value of the layer below holds (or, for a parameter no layer below sets, the
/// layer's own value, which only its own rules read). Maps are built once, at load, for
/// each span between the layers' dates.
fn dated_parameters(chain: &[Layer], layered: &BTreeMap<String, Parameter>) -> DatedParams {
    let window = |m: &Manifest| (m.effective_from, m.effective_to);
    let in_window = |(from, to): (Option<Date>, Option<Date>), day: Option<Date>| match day {
        // The span before every date: only a layer with no first day covers it.
        None => from.is_none(),
        Some(day) => from.is_none_or(|f| f <= day) && to.is_none_or(|t| day <= t),
    };
    let mut starts: BTreeSet<Date> = BTreeSet::new();
    for layer in chain.iter().filter(|l| !l.manifest.parameters.is_empty()) {
        let (from, to) = window(&layer.manifest);
        starts.extend(from);
        starts.extend(to.and_then(|t| t.add_days(1).ok()));
    }
    let on = |day: Option<Date>| {
        let mut map = Map::new();
        for (name, parameter) in layered {
            // The topmost layer that sets it and is in force on `day`, else the lowest.
            let setters = chain
                .iter()
                .filter_map(|l| l.manifest.parameters.get(name).map(|p| (l, p)));
            let chosen = setters
                .clone()
                .rfind(|(l, _)| in_window(window(&l.manifest), day))
                .or_else(|| setters.clone().next())
                .map_or(parameter.value.as_ref(), |(_, p)| p.value.as_ref());
            map.insert(name.as_str().into(), chosen.map_or(Dynamic::UNIT, param_dynamic));
        }
        Dynamic::from_map(map)
    };
    DatedParams {
        before: on(None),
        from: starts.into_iter().map(|day| (day, on(Some(day)))).collect(),
    }
}

/// The `[pack] id` of a manifest, if it can be read.
fn manifest_id(manifest: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(manifest).ok()?;
    table.get("pack")?.get("id")?.as_str().map(str::to_owned)
}

pub(crate) fn param_dynamic(value: &ParamValue) -> Dynamic {
    match value {
        ParamValue::Integer(i) => Dynamic::from_int(*i),
        ParamValue::Number(f) => Dynamic::from_float(*f),
        ParamValue::Bool(b) => Dynamic::from_bool(*b),
        ParamValue::String(s) => Dynamic::from(rhai::ImmutableString::from(s.as_str())),
        ParamValue::Date(d) => Dynamic::from(*d),
        ParamValue::List(items) => Dynamic::from_array(items.iter().map(param_dynamic).collect()),
    }
}

/// The pack digest: SHA-256 over each layer's manifest and files (sorted by path),
/// base first, every piece length-prefixed so that no two packs share a digest by
/// moving text between files.
fn digest<'a>(layers: impl Iterator<Item = &'a PackSource>) -> String {
    let mut hasher = Sha256::new();
    let mut piece = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    for layer in layers {
        piece(b"careplan-pack-v1");
        piece(layer.manifest.as_bytes());
        let mut files: Vec<&SourceFile> = layer.files.iter().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        for file in files {
            piece(file.path.as_bytes());
            piece(file.text.as_bytes());
        }
    }
    let hash = hasher.finalize();
    let mut text = String::from("sha256:");
    for byte in hash.iter() {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// The line and column of the first carriage return not followed by a line feed. Rhai
/// counts such a character as a line break in some places (ending a `//` comment) and
/// as a space in others, so the places it reports after one would not be the file's;
/// files with one are refused.
fn lone_carriage_return(text: &str) -> Option<(usize, usize)> {
    let (mut line, mut column) = (1, 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => return Some((line, column)),
            '\n' => (line, column) = (line + 1, 1),
            _ => column += 1,
        }
    }
    None
}

/// Compiles one file, turning Rhai's parse error into a problem at its place.
fn compile(engine: &Engine, scope: &Scope, source: &SharedSource) -> Result<AST, PackProblem> {
    engine
        .compile_with_scope(scope, &source.text)
        .map_err(|err| parse_problem(engine, source, &err))
}

fn parse_problem(engine: &Engine, source: &SharedSource, err: &ParseError) -> PackProblem {
    let pos = err.position();
    let (line, column) = (pos.line().unwrap_or(1), pos.position().unwrap_or(1));
    let kind = err.err_type();
    let (code, message, help): (&str, String, Option<String>) = match kind {
        ParseErrorType::VariableUndefined(name) => {
            let help = match crate::suggest::did_you_mean(name, RULE_INPUTS) {
                Some(best) => format!("did you mean `{best}`?"),
                None => {
                    "rules read `record`, `today` and `params`; declare other variables with `let` first".to_owned()
                }
            };
            ("careplan::syntax", format!("unknown variable `{name}`"), Some(help))
        }
        ParseErrorType::BadInput(rhai::LexError::ImproperSymbol(word, _)) | ParseErrorType::Reserved(word)
            if DISABLED_SYMBOLS.contains(&word.as_str()) =>
        {
            (
                "careplan::sandbox",
                format!("`{word}` is not available to rules"),
                Some("rules cannot print, evaluate code or reach outside the engine; return findings instead".into()),
            )
        }
        ParseErrorType::Reserved(word) => (
            "careplan::syntax",
            format!("`{word}` is a reserved word in Rhai"),
            (word == "case").then(|| "the case is called `record` inside rules".to_owned()),
        ),
        ParseErrorType::ExprTooDeep => (
            "careplan::limit",
            format!(
                "expressions are nested too deeply (the `{}` limit is {} at top level, {} in functions)",
                Limit::ExpressionDepth,
                engine.max_expr_depth(),
                engine.max_function_expr_depth()
            ),
            Some("split the expression with `let` variables or helper functions".into()),
        ),
        ParseErrorType::LiteralTooLarge(what, max) => (
            "careplan::limit",
            format!("{} is over the limit of {max}", what.to_lowercase()),
            None,
        ),
        ParseErrorType::TooManyFunctions => (
            "careplan::limit",
            format!(
                "the file defines more than the {} functions allowed",
                engine.max_functions()
            ),
            None,
        ),
        other => ("careplan::syntax", lower_first(&other.to_string()), None),
    };
    let mut problem = PackProblem::new(code, message).at(source, line, column);
    if let Some(help) = help {
        problem = problem.with_help(help);
    }
    problem
}
