//! [`RulePack::load`]: a short pipeline of named steps, each in the module that owns it.

use std::sync::Arc;

use super::compile::{self, Compiler};
use super::layers::{self, Declarations, Layer};
use super::{digest, rule_engine, CompiledRule, PackInfo, PackSource, RulePack};
use crate::diagnostics::LoadError;
use crate::model::evaluation::LayerRef;
use crate::vocabulary::PackVocabulary;
use crate::{Date, Limits, ProblemSeverity};

impl RulePack {
    /// Loads `pack`, layering it over the parents it `extends`, which are looked up by
    /// id among `available` (extra packs are ignored). Every problem in every file is
    /// reported at once.
    pub fn load(pack: &PackSource, available: &[PackSource], limits: &Limits) -> Result<RulePack, LoadError> {
        // 1. The layers, base first, from each manifest's `extends`.
        let chain = layers::resolve(pack, available, limits)?;
        let id = chain.last().map_or_else(String::new, |l| l.manifest.id.clone());
        let mut problems = Vec::new();
        // 2. What they declare, merged base first.
        let declarations = layers::merge(&chain, &mut problems);
        // 3. Every file checked and the rules counted, before anything is compiled.
        let Ok(files) = compile::preflight(&chain, limits, &mut problems) else {
            return Err(LoadError::new(id, problems));
        };
        // 4. The engine, with the vocabulary for what the pack declares.
        let engine = rule_engine(limits, vocabulary(&declarations));
        // 5. Libraries and rules compiled and checked, layer by layer, each layer's
        //    rules placed over its parents'.
        let mut compiler = Compiler::new(&engine, &declarations);
        let mut rules: Vec<CompiledRule> = Vec::new();
        for (layer, files) in chain.iter().zip(&files) {
            compiler.libraries(&layer.manifest.id, &files.libraries, &mut problems);
            if let Some(facts) = files.facts {
                compiler.facts(&layer.manifest.id, facts, &mut problems);
            }
            let compiled = files
                .rules
                .iter()
                .filter_map(|source| compiler.rule(layer, source, &mut problems))
                .collect();
            compile::place(&mut rules, compiled, &mut problems);
        }
        unread_parameters(&chain, &compiler.reads, &mut problems);
        if problems.iter().any(|p| p.severity() == ProblemSeverity::Error) {
            return Err(LoadError::new(id, problems));
        }
        let warnings = problems;
        let functions = std::mem::take(&mut compiler.functions);
        let facts = compiler.fact_defs();
        let facts_ast = compiler.facts_ast();
        // A fact's failure is shown in the file of the fact that serves the pack, for
        // the rules of every layer.
        for rule in &mut rules {
            compiler.point_at_facts(rule);
        }
        // 6. The parameters by date, and what the pack is.
        let params = layers::dated_parameters(&chain, &declarations.parameters);
        let mut info = pack_info(id, &chain, &rules, declarations);
        info.functions = functions;
        Ok(RulePack {
            info,
            engine,
            rules,
            params,
            facts,
            facts_ast,
            limits: limits.clone(),
            warnings,
        })
    }
}

/// A warning for each parameter the pack's own manifest sets that no rule reads: a
/// value that changes nothing is usually a misspelling or a rule not yet written.
fn unread_parameters(chain: &[Layer], reads: &crate::check::Reads, problems: &mut Vec<crate::PackProblem>) {
    let Some((target, parents)) = chain.split_last() else {
        return;
    };
    for (name, parameter) in &target.manifest.parameters {
        // A parameter `merge` refused (a child's, not declared by a parent, nor `local`)
        // needs no second word.
        let refused = !parents.is_empty()
            && !parameter.local
            && !parents.iter().any(|l| l.manifest.parameters.contains_key(name));
        if !reads.parameters.contains(name) && !refused {
            problems.push(
                crate::PackProblem::new("careplan::unused", format!("no rule reads parameter `{name}`"))
                    .at_span(&target.manifest.source, parameter.span.0, parameter.span.1)
                    .warning()
                    .with_label("never read")
                    .with_help(format!(
                        "rules read it as `params.{name}`; remove it, or check the rule that should read it"
                    )),
            );
        }
    }
}

/// The names the vocabulary checks findings against.
fn vocabulary(declarations: &Declarations) -> Arc<PackVocabulary> {
    Arc::new(PackVocabulary {
        schemes: declarations.schemes.clone(),
        recipients: declarations.recipients.clone(),
        local_fields: declarations.local_fields.keys().cloned().collect(),
    })
}

/// What a loaded pack is: the target layer's identity, the digest of every layer, the
/// span in which some version of some rule is in force, and the merged declarations.
fn pack_info(id: String, chain: &[Layer], rules: &[CompiledRule], declarations: Declarations) -> PackInfo {
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
    let Declarations {
        schemes,
        recipients,
        parameters,
        local_fields,
    } = declarations;
    PackInfo {
        id,
        name: target.map_or(String::new(), |m| m.name.clone()),
        authority: target.map_or(String::new(), |m| m.authority.clone()),
        version: target.map_or(String::new(), |m| m.version.clone()),
        description: target.and_then(|m| m.description.clone()),
        digest: digest::digest(chain.iter().map(|l| &l.source)),
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
        functions: Vec::new(),
    }
}
