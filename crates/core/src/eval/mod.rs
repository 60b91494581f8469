//! Evaluating one case against a compiled pack.

pub(crate) mod error;
pub(crate) mod text;
mod words;

use std::collections::BTreeMap;

use rhai::{Dynamic, EvalAltResult, Map, Position, Scope};

use crate::diagnostics::lower_first;
use crate::model::case_error::CaseProblem;
use crate::model::evaluation::{
    Audit, EligibilityDecision, Escalation, Evaluation, Failure, FailureKind, PackRef, Recommendation, ReviewDue,
    Status,
};
use crate::model::manifest::{LocalType, ParamType, ParamValue};
use crate::pack::header::RuleKind;
use crate::pack::{CompiledRule, RulePack};
use crate::sandbox::limits::Limit;
use crate::vocabulary::record::to_dynamic;
use crate::vocabulary::{collect_findings, Finding};
use crate::{Case, CaseError, Date, EvaluateError};

/// The engine's name and version as it appears in every audit block.
pub const ENGINE: &str = concat!("careplan ", env!("CARGO_PKG_VERSION"));

impl RulePack {
    /// Evaluates `case` as of `as_of`. Pure: the same pack, case and date always give
    /// the same result. A rule that fails contributes nothing and is listed in the
    /// evaluation's `failures` (which is then not `complete`); every other rule in force
    /// still contributes its findings. Errs only when the input is wrong or no rule of
    /// the pack is in force on `as_of`.
    pub fn evaluate(&self, case: &Case, as_of: Date) -> Result<Evaluation, EvaluateError> {
        self.evaluate_with_params(case, as_of, self.params_on(as_of).clone())
    }

    /// Evaluates `case` with some of the pack's parameters set to other values, as a
    /// local pack would set them: each name must be a parameter the pack declares, and
    /// each value must have the type the pack gave it. For fixtures that test a
    /// parameter's variants without writing a pack for each.
    pub fn evaluate_with_parameters(
        &self,
        case: &Case,
        as_of: Date,
        overrides: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Evaluation, EvaluateError> {
        let params = self.params_with(as_of, overrides)?;
        self.evaluate_with_params(case, as_of, params)
    }

    fn params_with(
        &self,
        as_of: Date,
        overrides: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Dynamic, EvaluateError> {
        let mut params = self.params_on(as_of).clone_cast::<Map>();
        for (name, value) in overrides {
            let invalid = |message: String| EvaluateError::InvalidParameter {
                name: name.clone(),
                message,
            };
            let Some(declared) = self.info.parameters.get(name) else {
                let help =
                    crate::diagnostics::suggest::did_you_mean(name, self.info.parameters.keys().map(String::as_str))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                return Err(invalid(format!(
                    "pack `{}` declares no such parameter{help}",
                    self.info.id
                )));
            };
            let new = ParamValue::from_json(value).map_err(invalid)?;
            let new = match (declared.kind, new) {
                // A date parameter is written as text in JSON.
                (ParamType::Date, ParamValue::String(text)) => {
                    ParamValue::Date(text.parse().map_err(|e: crate::DateError| invalid(e.to_string()))?)
                }
                (kind, new) if !kind.accepts(ParamType::of(&new)) => {
                    return Err(invalid(format!(
                        "the parameter is {}, not {}",
                        kind.describe(),
                        new.describe_type()
                    )))
                }
                (_, new) => new,
            };
            params.insert(name.as_str().into(), crate::pack::param_dynamic(&new));
        }
        Ok(Dynamic::from_map(params))
    }

    /// Reads case JSON for this pack: the checks of [`Case::from_json`], after a check
    /// that the text is within the pack's `max_case_size` (so an oversized case costs
    /// nothing to refuse).
    pub fn parse_case(&self, case_json: &str) -> Result<Case, EvaluateError> {
        let max = self.limits.max_case_size;
        if case_json.len() > max {
            return Err(CaseError::new(vec![CaseProblem::new(
                "",
                format!(
                    "the case is {} bytes, more than the {max} allowed (`max_case_size`)",
                    case_json.len()
                ),
            )])
            .into());
        }
        Ok(Case::from_json(case_json)?)
    }

    fn evaluate_with_params(&self, case: &Case, as_of: Date, params: Dynamic) -> Result<Evaluation, EvaluateError> {
        let in_force = |rule: &CompiledRule| rule.versions().any(|v| v.info.in_force_on(as_of));
        if !self.rules.iter().any(in_force) {
            return Err(self.not_in_force(as_of));
        }
        let record = self.record(case)?;

        let mut scope = Scope::new();
        let facts = self.facts_of(&record, as_of, &params);
        scope.push_constant_dynamic("record", record);
        scope.push_constant("today", as_of);
        scope.push_constant_dynamic("params", params);
        scope.push_constant("facts", facts);
        let inputs = scope.len();

        let mut evaluation = Evaluation {
            person_id: case.person.id.clone(),
            complete: true,
            failures: Vec::new(),
            eligibility: Vec::new(),
            reviews: Vec::new(),
            escalations: Vec::new(),
            recommendations: Vec::new(),
            audit: Audit {
                engine: ENGINE.to_owned(),
                pack: PackRef {
                    id: self.info.id.clone(),
                    version: self.info.version.clone(),
                    digest: self.info.digest.clone(),
                },
                layers: self.info.layers.clone(),
                as_of,
                rules_evaluated: 0,
                rules_fired: Vec::new(),
                rules_not_in_force: Vec::new(),
            },
        };
        // Which rule decided each scheme, so that a second decision is a failure.
        let mut decided: BTreeMap<String, String> = BTreeMap::new();
        let mut made = Made::default();
        for rule in &self.rules {
            let Some(rule) = rule.version_on(as_of, &mut evaluation.audit.rules_not_in_force) else {
                continue;
            };
            evaluation.audit.rules_evaluated += 1;
            let findings = self.findings_of(rule, &mut scope, &decided, &mut made);
            scope.rewind(inputs);
            match findings {
                Ok(findings) if findings.is_empty() => {}
                Ok(findings) => {
                    made.findings += findings.len();
                    evaluation.audit.rules_fired.push(rule.info.id.clone());
                    for finding in findings {
                        self.push_finding(&mut evaluation, &mut decided, rule, finding, as_of);
                    }
                }
                Err(failure) => evaluation.failures.push(*failure),
            }
        }
        evaluation.complete = evaluation.failures.is_empty();
        Ok(evaluation)
    }

    /// Runs `rule` and returns its findings, every one checked before any is kept (a
    /// rule's findings go in whole or not at all), or its failure. `count` findings are
    /// already in the evaluation.
    fn findings_of(
        &self,
        rule: &CompiledRule,
        scope: &mut Scope,
        decided: &BTreeMap<String, String>,
        made: &mut Made,
    ) -> Result<Vec<Finding>, Box<Failure>> {
        let limits = &self.limits;
        let left = limits.max_evaluation_operations.saturating_sub(made.work);
        let budget = limits.max_operations.min(left);
        let (value, used) = self.run_metered(rule, &rule.ast, scope, budget);
        made.work = made.work.saturating_add(used);
        let value = value.map_err(|err| {
            let mut failure = self.rule_error(rule, *err);
            if failure.limit == Some(Limit::Operations) && budget < limits.max_operations {
                failure.limit = Some(Limit::EvaluationOperations);
                failure.max = Some(limits.max_evaluation_operations);
                failure.message = format!(
                    "exceeded the `{}` limit of {}",
                    Limit::EvaluationOperations,
                    limits.max_evaluation_operations
                );
                failure.help = Some(format!(
                    "the rules before this one used {} of the evaluation's work budget; \
                     simplify the rules (the limits are the host's `Limits`)",
                    made.work.saturating_sub(used)
                ));
            }
            Box::new(failure)
        })?;
        let mut findings = collect_findings(value)
            .map_err(|message| Box::new(failure(rule, FailureKind::InvalidResult, message, None)))?;
        check_findings(rule, &findings, decided)?;
        self.bound_output(rule, &mut findings, made)?;
        let count = made.findings;
        let max = self.limits.max_findings;
        if count + findings.len() > max {
            let mut failure = failure(
                rule,
                FailureKind::Limit,
                format!("the evaluation would have more than {max} findings"),
                Some(format!(
                    "this rule returned {}, with {count} already made by the rules before it",
                    findings.len()
                )),
            );
            failure.limit = Some(Limit::Findings);
            failure.max = Some(max as u64);
            return Err(Box::new(failure));
        }
        Ok(findings)
    }

    /// Runs `ast` (the rule's own, or a copy of it) with the rule's caches and the
    /// work budget of one rule.
    pub(crate) fn run_ast(
        &self,
        rule: &CompiledRule,
        ast: &rhai::AST,
        scope: &mut Scope,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        self.run_metered(rule, ast, scope, self.limits.max_operations).0
    }

    /// Runs `ast` as `Engine::eval_ast_with_scope` would, but with the rule's kept
    /// function-resolution caches instead of empty ones, under a work budget of
    /// `budget` units; returns what it gave and the units it used.
    fn run_metered(
        &self,
        rule: &CompiledRule,
        ast: &rhai::AST,
        scope: &mut Scope,
        budget: u64,
    ) -> (Result<Dynamic, Box<EvalAltResult>>, u64) {
        let run = crate::sandbox::meter::Run::start(budget);
        let result = self.run_caches(rule, ast, scope);
        (result, run.used())
    }

    fn run_caches(
        &self,
        rule: &CompiledRule,
        ast: &rhai::AST,
        scope: &mut Scope,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let mut global = self.engine.new_global_runtime_state();
        global.source = ast.source().map(Into::into);
        global.lib.push(ast.shared_lib().clone());
        let mut caches = rule.caches.take();
        // The one public way to evaluate statements with caches of one's own; it is
        // what `eval_ast_with_scope` does after setting up the source and library.
        #[allow(
            deprecated,
            reason = "eval_statements_raw is the one public way to run statements with caches of our own"
        )]
        let result = self
            .engine
            .eval_statements_raw(&mut global, &mut caches, scope, ast.statements());
        rule.caches.put(caches);
        result
    }

    /// The error for a date on which no rule of the pack is in force.
    fn not_in_force(&self, as_of: Date) -> EvaluateError {
        let from = self.info.effective_from;
        let to = self.info.effective_to;
        let window = match (from, to) {
            (Some(f), Some(t)) => format!("its rules are in force between `{f}` and `{t}`"),
            (Some(f), None) => format!("its rules are in force from `{f}`"),
            (None, Some(t)) => format!("its rules are in force until `{t}`"),
            (None, None) => "none of its rules is in force on that date".to_owned(),
        };
        EvaluateError::NotInForce {
            pack: self.info.id.clone(),
            as_of: as_of.to_string(),
            window,
        }
    }

    /// The `facts` of one evaluation (`vocabulary/facts.rs`).
    pub(crate) fn facts_of(&self, record: &Dynamic, as_of: Date, params: &Dynamic) -> crate::vocabulary::facts::Facts {
        crate::vocabulary::facts::Facts::new(
            self.facts.clone(),
            self.facts_ast.clone(),
            (record.clone(), as_of, params.clone()),
            self.limits.max_value_depth,
        )
    }

    /// The case as the rules see it, with the pack's local fields checked and typed.
    pub(crate) fn record(&self, case: &Case) -> Result<Dynamic, EvaluateError> {
        let mut problems = Vec::new();
        let mut local = Map::new();
        for (name, def) in &self.info.local_fields {
            local.insert(name.as_str().into(), Dynamic::UNIT);
            let Some(value) = case.local.get(name) else { continue };
            let path = format!("local.{name}");
            let converted = match (def.kind, value) {
                (_, serde_json::Value::Null) => Some(Dynamic::UNIT),
                (LocalType::Bool, serde_json::Value::Bool(b)) => Some(Dynamic::from_bool(*b)),
                (LocalType::Integer, serde_json::Value::Number(n)) => n.as_i64().map(Dynamic::from_int),
                (LocalType::Number, serde_json::Value::Number(n)) => n.as_f64().map(Dynamic::from_float),
                (LocalType::String, serde_json::Value::String(s)) => {
                    Some(Dynamic::from(rhai::ImmutableString::from(s.as_str())))
                }
                (LocalType::Date, serde_json::Value::String(s)) => match s.parse::<Date>() {
                    Ok(date) => Some(Dynamic::from(date)),
                    Err(_) => {
                        problems.push(CaseProblem::new(path.clone(), "expected a date written `YYYY-MM-DD`"));
                        continue;
                    }
                },
                _ => None,
            };
            match converted {
                Some(value) => {
                    local.insert(name.as_str().into(), value);
                }
                None => problems.push(CaseProblem::new(
                    path,
                    format!(
                        "expected {} as pack `{}` declares",
                        match def.kind {
                            LocalType::Bool => "true or false",
                            LocalType::Integer => "a whole number",
                            LocalType::Number => "a number",
                            LocalType::String => "text",
                            LocalType::Date => "a date",
                        },
                        self.info.id
                    ),
                )),
            }
        }
        for name in case.local.keys() {
            if !self.info.local_fields.contains_key(name) {
                let declared = self.info.local_fields.keys().map(String::as_str);
                let help = match crate::diagnostics::suggest::did_you_mean(name, declared) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None if self.info.local_fields.is_empty() => {
                        format!("pack `{}` declares no local fields", self.info.id)
                    }
                    None => format!(
                        "pack `{}` declares {}",
                        self.info.id,
                        self.info
                            .local_fields
                            .keys()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                problems.push(
                    CaseProblem::new(format!("local.{name}"), format!("unknown local field `{name}`")).with_help(help),
                );
            }
        }
        if !problems.is_empty() {
            return Err(CaseError::new(problems).into());
        }
        let mut record = to_dynamic(case)
            .map_err(|e| EvaluateError::InvalidCase(CaseError::new(vec![CaseProblem::new("", e.to_string())])))?;
        if let Some(mut record) = record.write_lock::<crate::vocabulary::record::Record>() {
            record.insert(
                "local",
                Dynamic::from(crate::vocabulary::record::Record::from_map(local)),
            );
        }
        Ok(record)
    }

    fn push_finding(
        &self,
        evaluation: &mut Evaluation,
        decided: &mut BTreeMap<String, String>,
        rule: &CompiledRule,
        finding: Finding,
        as_of: Date,
    ) {
        let id = rule.info.id.clone();
        let cites = rule.info.cites.clone();
        match finding {
            Finding::Eligibility {
                scheme,
                decision,
                failed_condition,
                reasons,
            } => {
                decided.insert(scheme.clone(), id.clone());
                evaluation.eligibility.push(EligibilityDecision {
                    scheme,
                    decision,
                    failed_condition,
                    reasons,
                    rule: id,
                    cites,
                });
            }
            Finding::Review {
                kind,
                owner,
                window_opens,
                due,
                reason,
            } => evaluation.reviews.push(ReviewDue {
                kind,
                owner,
                window_opens,
                due,
                status: Status::on(as_of, window_opens, due),
                reason,
                rule: id,
                cites,
            }),
            Finding::Escalation {
                level,
                to,
                respond_by,
                reason,
            } => {
                let to_name = self
                    .info
                    .recipients
                    .get(&to)
                    .map_or_else(|| to.clone(), |r| r.name.clone());
                evaluation.escalations.push(Escalation {
                    level,
                    to,
                    to_name,
                    respond_by,
                    status: Status::on(as_of, None, respond_by),
                    reason,
                    rule: id,
                    cites,
                });
            }
            Finding::Recommendation {
                code,
                reason,
                owner,
                due,
            } => evaluation.recommendations.push(Recommendation {
                code,
                reason,
                owner,
                due,
                status: due.map(|due| Status::on(as_of, None, due)),
                rule: id,
                cites,
            }),
        }
    }

    /// Cuts each finding's texts to `max_message_size` and counts the bytes of JSON the
    /// findings will take (with the rule's id and citation and the recipient's name
    /// each carries) against `max_output_size`, failing the rule that would pass it.
    fn bound_output(&self, rule: &CompiledRule, findings: &mut [Finding], made: &mut Made) -> Result<(), Box<Failure>> {
        let max_message = self.limits.max_message_size;
        let each = rule.info.id.len() + rule.info.cites.len() + rule.info.file.len() + 160;
        let mut bytes = 0usize;
        for finding in findings.iter_mut() {
            let texts: Vec<&mut String> = match finding {
                Finding::Eligibility {
                    scheme,
                    failed_condition,
                    reasons,
                    ..
                } => {
                    let mut texts = vec![scheme];
                    texts.extend(failed_condition.as_mut());
                    texts.extend(reasons.iter_mut());
                    texts
                }
                Finding::Review { reason, .. } => vec![reason],
                Finding::Escalation { to, reason, .. } => {
                    bytes += self.info.recipients.get(to.as_str()).map_or(0, |r| r.name.len());
                    vec![to, reason]
                }
                Finding::Recommendation { code, reason, .. } => vec![code, reason],
            };
            for text in texts {
                if text.len() > max_message {
                    *text = cut(std::mem::take(text), max_message);
                }
                bytes += text.len() + 8;
            }
            bytes += each;
        }
        let max = self.limits.max_output_size;
        if made.bytes.saturating_add(bytes) > max {
            let mut failure = failure(
                rule,
                FailureKind::Limit,
                format!("the evaluation's findings would take more than {max} bytes"),
                Some(format!(
                    "this rule's findings take about {bytes} bytes, with {} already made by the rules before it; \
                     shorten the reasons or make fewer findings",
                    made.bytes
                )),
            );
            failure.limit = Some(Limit::OutputSize);
            failure.max = Some(max as u64);
            return Err(Box::new(failure));
        }
        made.bytes += bytes;
        Ok(())
    }

    /// Turns a Rhai error into a failure of the rule, with the place in the right file.
    fn rule_error(&self, rule: &CompiledRule, mut err: EvalAltResult) -> Failure {
        let mut source = &rule.source;
        // The rule's own call of the (library) function the failure is inside.
        let mut called_from: Option<(String, Position)> = None;
        while let EvalAltResult::ErrorInFunctionCall(name, _, inner, call_position) = err {
            if called_from.is_none() && !call_position.is_none() {
                called_from = Some((name.clone(), call_position));
            }
            if let Some(defined_in) = rule.functions.get(&name) {
                source = defined_in;
            }
            err = *inner;
        }
        let file = &source.name;
        let pos = err.take_position();
        let limits = &self.limits;
        let limit = match &err {
            EvalAltResult::ErrorTooManyOperations(_) => Some((Limit::Operations, limits.max_operations)),
            EvalAltResult::ErrorTerminated(token, _)
                if token
                    .read_lock::<rhai::ImmutableString>()
                    .as_deref()
                    .map(|t| t.as_str())
                    == Some(crate::sandbox::meter::TERMINATED) =>
            {
                Some((Limit::Operations, limits.max_operations))
            }
            EvalAltResult::ErrorDataTooLarge(what, _) if what == crate::sandbox::meter::TOO_DEEP => {
                Some((Limit::ValueDepth, limits.max_value_depth as u64))
            }
            EvalAltResult::ErrorStackOverflow(_) => Some((Limit::CallDepth, limits.max_call_depth as u64)),
            EvalAltResult::ErrorTooManyVariables(_) => Some((Limit::Variables, limits.max_variables as u64)),
            EvalAltResult::ErrorDataTooLarge(what, _) => Some(match what.as_str() {
                "Length of string" => (Limit::StringSize, limits.max_string_size as u64),
                "Size of object map" => (Limit::MapSize, limits.max_map_size as u64),
                _ => (Limit::ArraySize, limits.max_array_size as u64),
            }),
            _ => None,
        };
        let (kind, message, help) = if let Some((limit, max)) = limit {
            (
                FailureKind::Limit,
                format!("exceeded the `{limit}` limit of {max}"),
                Some(format!(
                    "rules run under fixed limits so that no rule can stall or exhaust its host; \
                     simplify the rule (the limits are the host's `Limits`; `{limit}` is one of them)"
                )),
            )
        } else {
            let (message, help) = match &err {
                EvalAltResult::ErrorFunctionNotFound(signature, _) => {
                    words::function_not_found(signature, &source.text, pos)
                }
                _ => runtime_message(&err),
            };
            (FailureKind::Runtime, message, help)
        };
        // A failure inside a library function names the rule's call too.
        let message = match &called_from {
            Some((name, at)) if file != &rule.source.name => match (at.line(), at.position()) {
                (Some(line), column) => format!(
                    "{message} (in `{name}`, which the rule calls at line {line}, column {})",
                    column.unwrap_or(1)
                ),
                _ => message,
            },
            _ => message,
        };
        let message = cut(message, limits.max_message_size);
        let mut failure = failure(rule, kind, message, help);
        file.clone_into(&mut failure.file);
        failure.line = pos.line();
        failure.column = pos.line().map(|_| pos.position().unwrap_or(1));
        if let Some((limit, max)) = limit {
            failure.limit = Some(limit);
            failure.max = Some(max);
        }
        failure
    }
}

/// What an evaluation has made so far: findings, the work its rules used, and the
/// bytes of JSON its findings take.
#[derive(Default)]
struct Made {
    findings: usize,
    work: u64,
    bytes: usize,
}

/// `text` cut to at most `max` bytes (at a character boundary), with a note saying how
/// much was cut.
pub(crate) fn cut(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let shown = text.get(..end).unwrap_or_default();
    format!("{shown}… ({} more bytes not shown)", text.len() - end)
}

/// A runtime error in the author's words, with help where there is some to give.
fn runtime_message(err: &EvalAltResult) -> (String, Option<String>) {
    // A field the record does not have: Rhai says no getter is registered.
    let missing_field = match err {
        EvalAltResult::ErrorPropertyNotFound(property, _) => Some(property.clone()),
        EvalAltResult::ErrorDotExpr(message, _) if message.starts_with("Unknown property '") => {
            message.split('\'').nth(1).map(str::to_owned)
        }
        _ => None,
    };
    if let Some(property) = missing_field {
        let help = crate::diagnostics::suggest::did_you_mean(
            &property,
            crate::model::schema::case_field_names().iter().map(String::as_str),
        )
        .map_or_else(
            || "check the spelling against the case schema (`careplan schema case`)".to_owned(),
            |best| format!("did you mean `{best}`?"),
        );
        return (format!("there is no field `{property}` here"), Some(help));
    }
    const READ_ONLY: &str =
        "`record`, `today` and `params` are read-only; copy a value into a `let` variable to work on it";
    match err {
        EvalAltResult::ErrorRuntime(value, _) => (value.to_string(), None),
        EvalAltResult::ErrorDotExpr(message, _) if message.contains("for type 'record'") => {
            ("`record` cannot be changed".to_owned(), Some(READ_ONLY.into()))
        }
        EvalAltResult::ErrorAssignmentToConstant(name, _)
        | EvalAltResult::ErrorNonPureMethodCallOnConstant(name, _) => {
            (format!("`{name}` cannot be changed"), Some(READ_ONLY.into()))
        }
        other => (lower_first(&other.to_string()), None),
    }
}

/// Checks a rule's findings before any is kept: each is of the rule's kind, and no
/// scheme is decided twice (by an earlier rule or within this one).
fn check_findings(
    rule: &CompiledRule,
    findings: &[Finding],
    decided: &BTreeMap<String, String>,
) -> Result<(), Box<Failure>> {
    let kind = rule.info.kind;
    let mut here: Vec<&str> = Vec::new();
    for finding in findings {
        if finding.kind() != kind {
            let article = |k: RuleKind| match k {
                RuleKind::Eligibility | RuleKind::Escalation => "an",
                _ => "a",
            };
            return Err(Box::new(failure(
                rule,
                FailureKind::InvalidResult,
                format!(
                    "{} {} rule returned {} {} finding",
                    article(kind),
                    kind.as_str(),
                    article(finding.kind()),
                    finding.kind().as_str()
                ),
                Some(format!(
                    "a rule may only return findings of its own kind (`kind = \"{}\"`); split it into two rules",
                    kind.as_str()
                )),
            )));
        }
        if let Finding::Eligibility { scheme, .. } = finding {
            let first = decided
                .get(scheme)
                .map(String::as_str)
                .or_else(|| here.contains(&scheme.as_str()).then_some(rule.info.id.as_str()));
            if let Some(first) = first {
                return Err(Box::new(failure(
                    rule,
                    FailureKind::InvalidResult,
                    format!("scheme `{scheme}` was already decided by rule `{first}`"),
                    Some("each scheme gets one decision per evaluation; override the other rule instead".into()),
                )));
            }
            here.push(scheme);
        }
    }
    Ok(())
}

/// A failure of `rule` with no place in its source.
fn failure(rule: &CompiledRule, kind: FailureKind, message: String, help: Option<String>) -> Failure {
    Failure {
        rule: rule.info.id.clone(),
        pack: rule.info.pack.clone(),
        file: rule.info.file.clone(),
        line: None,
        column: None,
        kind,
        limit: None,
        max: None,
        message,
        help,
    }
}

// The kind of a finding is the evaluator's business (a rule may only return findings of
// its own kind), so it is defined here rather than in the vocabulary.
impl Finding {
    /// The rule kind allowed to return this finding.
    pub(crate) fn kind(&self) -> RuleKind {
        match self {
            Finding::Eligibility { .. } => RuleKind::Eligibility,
            Finding::Review { .. } => RuleKind::Review,
            Finding::Escalation { .. } => RuleKind::Escalation,
            Finding::Recommendation { .. } => RuleKind::Recommendation,
        }
    }
}
