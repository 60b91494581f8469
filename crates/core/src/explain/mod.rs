//! Explanations of one evaluation for the people who act on it: for every rule of the
//! pack, what it decided (or why it decided nothing), the regulation it cites and the
//! case facts it reads, with their values in this case.
//!
//! The facts are found by reading the rule, not by watching it run: a data-flow walk
//! over the rule's AST follows the case from `record` through properties, indexes,
//! `let` bindings, `for` loops, list helpers (`latest`, `filter`...) and into the
//! pack's library functions (parameters bound to the arguments, return values followed
//! back out). So a fact is "a field this rule's code looks at", listed whatever branch
//! the rule took on this case.

pub(crate) mod trace;

use std::collections::{BTreeMap, BTreeSet};

use rhai::{ASTNode, Expr, Scope, Stmt, AST};
use serde::Serialize;
use serde_json::Value;

use crate::explain::trace::Traced;
use crate::model::evaluation::Evaluation;
use crate::pack::{CompiledRule, RulePack};
use crate::vocabulary::facts::{FactDef, Input};
use crate::{Case, Date, EvaluateError};

/// The explanation of one case's evaluation, rule by rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The pack's id.
    pub pack: String,
    /// The pack's version.
    pub version: String,
    /// The as-of date of the evaluation.
    pub as_of: Date,
    /// Every rule of the pack, in the order they run.
    pub rules: Vec<RuleExplanation>,
    /// The evaluation being explained.
    pub evaluation: Evaluation,
}

/// What one rule did with the case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleExplanation {
    /// The rule's id.
    pub rule: String,
    /// Its title.
    pub title: String,
    /// The kind of finding it makes.
    pub kind: String,
    /// The regulation or guidance it cites.
    pub cites: String,
    /// The pack that defines it.
    pub pack: String,
    /// The parent pack whose rule of the same id this one replaces, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<String>,
    /// `fired`, `no_finding`, `failed` or `not_in_force`.
    pub outcome: RuleOutcome,
    /// Each finding it made, in plain English.
    pub findings: Vec<String>,
    /// Why it made no finding (the condition that stopped it, quoted from the rule), why
    /// it failed, or why it was not in force, in plain English; absent when it fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<String>,
    /// The case facts its code reads, with their values in this case.
    pub facts: Vec<Fact>,
}

/// Whether a rule made findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    /// It made at least one finding.
    Fired,
    /// It ran and made none.
    NoFinding,
    /// It failed: its findings are missing from the evaluation.
    Failed,
    /// It was not in force on the as-of date, so it did not run.
    NotInForce,
}

/// One case fact a rule reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// The field, as a path: `person.date_of_birth`, `events[].kind` (`[]` is every item).
    pub field: String,
    /// Its value in this case, in words: `1948-03-02`, `2 records`, `not recorded`.
    pub value: String,
}

/// Fields that identify a person. An explanation says whether they are recorded, never
/// what they hold.
const IDENTIFYING: &[&str] = &[
    "id",
    "nhs_number",
    "name",
    "given_name",
    "family_name",
    "address",
    "postcode",
];

impl RulePack {
    /// Evaluates `case` as of `as_of` and explains the result rule by rule.
    pub fn explain(&self, case: &Case, as_of: Date) -> Result<Explanation, EvaluateError> {
        let evaluation = self.evaluate(case, as_of)?;
        let case_value = serde_json::to_value(case).unwrap_or(Value::Null);
        let mut scope = Scope::new();
        let record = self.record(case)?;
        let params = self.params_on(as_of).clone();
        let facts = self.facts_of(&record, as_of, &params);
        scope.push_constant_dynamic("record", record);
        scope.push_constant("today", as_of);
        scope.push_constant_dynamic("params", params);
        scope.push_constant("facts", facts);
        let inputs = scope.len();
        let pack_facts = PackFacts {
            defs: &self.facts,
            ast: &self.facts_ast,
        };
        let rules = self
            .rules
            .iter()
            .map(|rule| {
                let mut passed_over = Vec::new();
                let version = rule.version_on(as_of, &mut passed_over);
                let mut explanation = explain_rule(version.unwrap_or(rule), &pack_facts, &evaluation, &case_value);
                match version {
                    None => {
                        explanation.outcome = RuleOutcome::NotInForce;
                        explanation.why_not = Some(format!(
                            "Not in force on {as_of} ({}), so it did not run.",
                            passed_over.first().map_or_else(String::new, |n| n.reason(as_of))
                        ));
                    }
                    Some(version) if explanation.outcome == RuleOutcome::NoFinding => {
                        let traced = Traced::new(&version.ast);
                        let why = match self.run_ast(version, &traced.ast, &mut scope) {
                            Ok(value) => traced.explain(&value, &version.source),
                            Err(_) => "It ran and made no finding.".to_owned(),
                        };
                        scope.rewind(inputs);
                        explanation.why_not = Some(why);
                    }
                    Some(_) => {}
                }
                if let (Some(version), Some(skipped)) = (version, passed_over.first()) {
                    let note = format!(
                        "The override in pack `{}` is {}, so pack `{}`'s rule ran in its place.",
                        skipped.pack,
                        skipped.reason(as_of),
                        version.info.pack
                    );
                    explanation.why_not = Some(match explanation.why_not.take() {
                        Some(why) => format!("{note} {why}"),
                        None => note,
                    });
                }
                explanation
            })
            .collect();
        Ok(Explanation {
            pack: self.info.id.clone(),
            version: self.info.version.clone(),
            as_of,
            rules,
            evaluation,
        })
    }
}

/// What `rule` contributed to `evaluation`: its findings, or its failure. The outcome
/// is `fired`, `failed` or `no_finding`; the caller marks rules not in force.
fn explain_rule(rule: &CompiledRule, facts: &PackFacts, evaluation: &Evaluation, case: &Value) -> RuleExplanation {
    let info = &rule.info;
    let id = info.id.as_str();
    let mut findings = Vec::new();
    for d in evaluation.eligibility.iter().filter(|d| d.rule == id) {
        let scheme = &d.scheme;
        let head = match (name_of(&d.decision).as_str(), &d.failed_condition) {
            ("eligible", _) => format!("Eligible for `{scheme}`"),
            ("not_eligible", Some(failed)) => format!("Not eligible for `{scheme}` (not met: {failed})"),
            ("not_eligible", None) => format!("Not eligible for `{scheme}`"),
            _ => format!("Not enough information to decide `{scheme}`"),
        };
        findings.push(format!("{head}: {}", d.reasons.join("; ")));
    }
    for r in evaluation.reviews.iter().filter(|r| r.rule == id) {
        let window = r
            .window_opens
            .map(|w| format!(", window opens {w}"))
            .unwrap_or_default();
        findings.push(format!(
            "{} review by {}, due {}{window} ({}): {}",
            capitalise(&words(&name_of(&r.kind))),
            words(&name_of(&r.owner)),
            r.due,
            r.status.as_str(),
            r.reason
        ));
    }
    for e in evaluation.escalations.iter().filter(|e| e.rule == id) {
        findings.push(format!(
            "{} escalation to {}, reply by {} ({}): {}",
            capitalise(&name_of(&e.level)),
            e.to_name,
            e.respond_by,
            e.status.as_str(),
            e.reason
        ));
    }
    for r in evaluation.recommendations.iter().filter(|r| r.rule == id) {
        let status = r.status.map(|s| format!(", {}", s.as_str())).unwrap_or_default();
        let who = match (&r.owner, r.due) {
            (Some(owner), Some(due)) => format!(" ({}, by {due}{status})", words(&name_of(owner))),
            (Some(owner), None) => format!(" ({})", words(&name_of(owner))),
            (None, Some(due)) => format!(" (by {due}{status})"),
            (None, None) => String::new(),
        };
        findings.push(format!("Recommend `{}`{who}: {}", r.code, r.reason));
    }
    let facts: Vec<Fact> = case_reads(&rule.ast, facts)
        .into_iter()
        .map(|field| {
            let value = describe(&field, case);
            Fact { field, value }
        })
        .collect();
    let failure = evaluation.failures.iter().find(|f| f.rule == id);
    let (outcome, why_not) = match failure {
        Some(failure) => (
            RuleOutcome::Failed,
            Some(format!(
                "It failed at {} ({}): {}. Its findings are missing from this evaluation.",
                failure.place(),
                words(failure.kind.as_str()),
                failure.message
            )),
        ),
        None if findings.is_empty() => (RuleOutcome::NoFinding, None),
        None => (RuleOutcome::Fired, None),
    };
    RuleExplanation {
        rule: info.id.clone(),
        title: info.title.clone(),
        kind: info.kind.as_str().to_owned(),
        cites: info.cites.clone(),
        pack: info.pack.clone(),
        overrides: info.overrides.clone(),
        outcome,
        findings,
        why_not,
        facts,
    }
}

/// The snake_case name serde gives a unit enum value.
fn name_of(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

fn words(name: &str) -> String {
    name.replace('_', " ")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The value of a field path in the case, in words.
fn describe(field: &str, case: &Value) -> String {
    let mut values = vec![case];
    let mut is_list = false;
    for segment in field.split('.') {
        let (name, every) = match segment.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (segment, false),
        };
        values = values
            .into_iter()
            .filter_map(|v| v.get(name))
            .filter(|v| !v.is_null())
            .collect();
        if every {
            values = values.into_iter().filter_map(Value::as_array).flatten().collect();
        }
        is_list |= every;
    }
    let last = field.rsplit('.').next().unwrap_or(field).trim_end_matches("[]");
    if values.is_empty() {
        return if is_list {
            "none recorded".to_owned()
        } else {
            "not recorded".to_owned()
        };
    }
    if IDENTIFYING.contains(&last) {
        return "recorded".to_owned();
    }
    let scalar = |value: &Value| match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let mut shown: Vec<String> = Vec::new();
    for value in &values {
        let text = match value {
            Value::Array(items) if items.is_empty() => "none".to_owned(),
            Value::Array(items) => match items.iter().map(scalar).collect::<Option<Vec<_>>>() {
                Some(texts) => texts.join(", "),
                None if items.len() == 1 => "1 record".to_owned(),
                None => format!("{} records", items.len()),
            },
            Value::Object(_) => "recorded".to_owned(),
            other => scalar(other).unwrap_or_default(),
        };
        if !shown.contains(&text) {
            shown.push(text);
        }
    }
    const MAX_SHOWN: usize = 6;
    if shown.len() > MAX_SHOWN {
        let more = shown.len() - MAX_SHOWN;
        shown.truncate(MAX_SHOWN);
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// List helpers that return one item of the list they are given.
const ITEM_OF: &[&str] = &["latest", "get", "find", "pop", "shift"];
/// List helpers that return a part of the list they are given.
const PART_OF: &[&str] = &[
    "filter",
    "retain",
    "sort",
    "sort_by",
    "sort_desc",
    "order",
    "order_by",
    "order_desc",
    "reverse",
    "extract",
];

/// A pack's facts, for following a rule's `facts.<name>` reads into the facts' functions.
pub(crate) struct PackFacts<'a> {
    pub defs: &'a [FactDef],
    /// Where the facts' functions (and the libraries they call) are.
    pub ast: &'a AST,
}

/// Stands for the `facts` value in [`Reads`]' paths: no case path starts with it.
const FACTS_PATH: &str = "\u{1}facts";

/// The case fields (paths below `record`) that `ast` can read, directly or through the
/// facts it reads, without the ones only read on the way to a longer path (`person` when
/// `person.date_of_birth` is read).
pub(crate) fn case_reads(ast: &AST, facts: &PackFacts) -> Vec<String> {
    // The rule's own functions and its libraries first; then the facts' functions and
    // the libraries they call, where the rule has no function of that name.
    let mut functions = script_functions(facts.ast);
    functions.extend(script_functions(ast));
    let mut reads = Reads {
        functions,
        facts: facts
            .defs
            .iter()
            .map(|def| (def.name.clone(), def.inputs.clone()))
            .collect(),
        found: BTreeSet::new(),
        analysed: BTreeMap::new(),
        depth: 0,
    };
    let mut env = vec![
        ("record".to_owned(), String::new()),
        ("facts".to_owned(), FACTS_PATH.to_owned()),
    ];
    let mut returns = Vec::new();
    reads.block(ast.statements(), &mut env, &mut returns);
    let found: Vec<String> = reads
        .found
        .into_iter()
        .filter(|p| !p.is_empty() && !p.starts_with(FACTS_PATH))
        .collect();
    found
        .iter()
        .filter(|p| {
            !found.iter().any(|longer| {
                longer
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
            })
        })
        .cloned()
        .collect()
}

/// Each script function of `ast`: its parameters, and an AST holding only it.
fn script_functions(ast: &AST) -> BTreeMap<FunctionKey, (Vec<String>, AST)> {
    ast.iter_functions()
        .map(|f| {
            let (name, arity) = (f.name.to_owned(), f.params.len());
            // (`clone_functions_only_filtered` copies every function into an empty
            // module, ignoring its filter, in Rhai 1.27; `retain_functions` filters.)
            let mut only = ast.clone_functions_only();
            only.retain_functions(|_, _, n, a| n == name && a == arity);
            (
                (name.clone(), arity),
                (f.params.iter().map(|p| (*p).to_owned()).collect(), only),
            )
        })
        .collect()
}

type FunctionKey = (String, usize);

struct Reads {
    /// Each script function: its parameters, and an AST holding only it (whose walk
    /// visits only its body).
    functions: BTreeMap<FunctionKey, (Vec<String>, AST)>,
    /// What each fact's function takes.
    facts: BTreeMap<String, Vec<Input>>,
    found: BTreeSet<String>,
    /// What each analysed call (function, argument paths) returns, so each is analysed
    /// once and recursion ends.
    analysed: BTreeMap<(FunctionKey, Vec<Option<String>>), Option<String>>,
    depth: usize,
}

/// Variables bound to case paths, innermost last.
type Env = Vec<(String, String)>;

fn lookup(env: &Env, name: &str) -> Option<String> {
    env.iter().rev().find(|(n, _)| n == name).map(|(_, p)| p.clone())
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_owned()
    } else {
        format!("{base}.{name}")
    }
}

impl Reads {
    fn block(&mut self, statements: &[Stmt], env: &mut Env, returns: &mut Vec<Option<String>>) {
        let mark = env.len();
        let count = statements.len();
        for (i, stmt) in statements.iter().enumerate() {
            let value = self.stmt(stmt, env, returns);
            if i + 1 == count {
                returns.push(value);
            }
        }
        env.truncate(mark);
    }

    fn stmt(&mut self, stmt: &Stmt, env: &mut Env, returns: &mut Vec<Option<String>>) -> Option<String> {
        match stmt {
            Stmt::Var(var, _, _) => {
                let (ident, init, _) = &**var;
                let path = self.expr(init, env);
                // A `let` always shadows: bind even when the value is not from the case.
                env.push((ident.name.to_string(), path.unwrap_or_else(|| "\u{0}".to_owned())));
                None
            }
            Stmt::If(flow, _) | Stmt::While(flow, _) | Stmt::Do(flow, _, _) | Stmt::TryCatch(flow, _) => {
                self.expr(&flow.expr, env);
                self.block(flow.body.statements(), env, returns);
                self.block(flow.branch.statements(), env, returns);
                None
            }
            Stmt::For(for_loop, _) => {
                let (var, counter, flow) = &**for_loop;
                let items = self.expr(&flow.expr, env);
                let mark = env.len();
                env.push((
                    var.name.to_string(),
                    items.map_or_else(|| "\u{0}".to_owned(), |p| format!("{p}[]")),
                ));
                if let Some(counter) = counter {
                    env.push((counter.name.to_string(), "\u{0}".to_owned()));
                }
                self.block(flow.body.statements(), env, returns);
                env.truncate(mark);
                None
            }
            Stmt::Switch(switch, _) => {
                let (on, cases) = &**switch;
                self.expr(on, env);
                for case in &cases.expressions {
                    self.expr(&case.lhs, env);
                    self.expr(&case.rhs, env);
                }
                None
            }
            Stmt::Assignment(assignment) => {
                let (_, binary) = &**assignment;
                let value = self.expr(&binary.rhs, env);
                match (&binary.lhs, value) {
                    // `best = a` where `a` is from the case: `best` now is too, in the
                    // scope that declared it (so a loop's choice outlives the loop).
                    (Expr::Variable(variable, _, _), Some(path)) => {
                        if let Some(slot) = env.iter_mut().rev().find(|(n, _)| n == variable.1.as_str()) {
                            slot.1 = path;
                        }
                    }
                    (lhs, _) => {
                        self.expr(lhs, env);
                    }
                }
                None
            }
            Stmt::FnCall(call, _) => self.call(call, None, env),
            Stmt::Block(block) => {
                self.block(block.statements(), env, returns);
                None
            }
            Stmt::Expr(expr) => self.expr(expr, env),
            Stmt::Return(Some(expr), _, _) => {
                let value = self.expr(expr, env);
                returns.push(value);
                None
            }
            Stmt::BreakLoop(Some(expr), _, _) => {
                self.expr(expr, env);
                None
            }
            _ => None,
        }
    }

    /// Records the reads in `expr` and returns the case path it stands for, if any.
    fn expr(&mut self, expr: &Expr, env: &mut Env) -> Option<String> {
        match expr {
            Expr::Variable(variable, _, _) => lookup(env, variable.1.as_str()).filter(|p| !p.starts_with('\u{0}')),
            Expr::Dot(binary, _, _) => {
                let base = self.expr(&binary.lhs, env);
                self.step(base, &binary.rhs, env)
            }
            Expr::Index(binary, _, _) => {
                let base = self.expr(&binary.lhs, env);
                self.after_index(base.map(|p| format!("{p}[]")), &binary.rhs, env)
            }
            Expr::FnCall(call, _) => self.call(call, None, env),
            Expr::MethodCall(call, _) => self.call(call, None, env),
            Expr::InterpolatedString(items, _) | Expr::Array(items, _) => {
                for item in items.iter() {
                    self.expr(item, env);
                }
                None
            }
            Expr::And(items, _) | Expr::Or(items, _) | Expr::Coalesce(items, _) => {
                for item in items.iter() {
                    self.expr(item, env);
                }
                None
            }
            Expr::Map(map, _) => {
                for (_, value) in map.0.iter() {
                    self.expr(value, env);
                }
                None
            }
            Expr::Stmt(block) => {
                let mut returns = Vec::new();
                self.block(block.statements(), env, &mut returns);
                returns.pop().flatten()
            }
            _ => None,
        }
    }

    /// One step to the right of a dot, from the path `base`.
    fn step(&mut self, base: Option<String>, rhs: &Expr, env: &mut Env) -> Option<String> {
        match rhs {
            Expr::Property(property, _) if base.as_deref() == Some(FACTS_PATH) => self.fact(property.2.as_str()),
            Expr::Property(property, _) => {
                let path = join(&base?, property.2.as_str());
                self.found.insert(path.clone());
                Some(path)
            }
            Expr::Dot(inner, _, _) => {
                let next = self.step(base, &inner.lhs, env);
                self.step(next, &inner.rhs, env)
            }
            Expr::Index(inner, _, _) => {
                let next = self.step(base, &inner.lhs, env);
                self.after_index(next.map(|p| format!("{p}[]")), &inner.rhs, env)
            }
            Expr::MethodCall(call, _) => self.call(call, base, env),
            other => {
                self.expr(other, env);
                None
            }
        }
    }

    /// The right of an index `x[i]...`: Rhai holds the index expression there, as the
    /// left of the rest of the chain (`x[i].y` is `Index(x, Dot(i, y))`).
    fn after_index(&mut self, item: Option<String>, rhs: &Expr, env: &mut Env) -> Option<String> {
        match rhs {
            Expr::Dot(inner, _, _) => {
                self.expr(&inner.lhs, env);
                self.step(item, &inner.rhs, env)
            }
            Expr::Index(inner, _, _) => {
                self.expr(&inner.lhs, env);
                self.after_index(item.map(|p| format!("{p}[]")), &inner.rhs, env)
            }
            index => {
                self.expr(index, env);
                item
            }
        }
    }

    /// A call, with `this` the path before the dot of a method call.
    fn call(&mut self, call: &rhai::FnCallExpr, this: Option<String>, env: &mut Env) -> Option<String> {
        let mut args: Vec<Option<String>> = call.args.iter().map(|a| self.expr(a, env)).collect();
        let name = call.name.as_str();
        let is_method = this.is_some();
        if let Some(this) = this {
            if !this.is_empty() {
                self.found.insert(this.clone());
            }
            args.insert(0, Some(this));
        }
        let first = args.first().cloned().flatten();
        if ITEM_OF.contains(&name) {
            return first.map(|p| format!("{p}[]"));
        }
        if PART_OF.contains(&name) {
            return first;
        }
        // A library function: bind its parameters to the arguments' paths and follow it.
        // (A method call on a script function binds the value before the dot to `this`,
        // which rules do not use; its parameters are the remaining arguments.)
        let args = if is_method && !self.functions.contains_key(&(name.to_owned(), args.len())) {
            args.get(1..).map(<[_]>::to_vec).unwrap_or_default()
        } else {
            args
        };
        self.follow(name, args)
    }

    /// `facts.<name>`: the fact's function, called with the inputs it takes.
    fn fact(&mut self, name: &str) -> Option<String> {
        let args = self
            .facts
            .get(name)?
            .iter()
            .map(|input| match input {
                Input::Record => Some(String::new()),
                Input::Facts => Some(FACTS_PATH.to_owned()),
                Input::Today | Input::Params => None,
            })
            .collect();
        self.follow(name, args)
    }

    /// A script function called with arguments standing for the case paths `args`:
    /// follows its body, and returns the path it returns, if one.
    fn follow(&mut self, name: &str, args: Vec<Option<String>>) -> Option<String> {
        let key = (name.to_owned(), args.len());
        let (params, body) = self.functions.get(&key)?.clone();
        let memo = (key, args.clone());
        if let Some(result) = self.analysed.get(&memo) {
            return result.clone();
        }
        if self.depth > 32 {
            return None;
        }
        self.analysed.insert(memo.clone(), None);
        let mut inner: Env = params
            .iter()
            .zip(&args)
            .map(|(param, path)| (param.clone(), path.clone().unwrap_or_else(|| "\u{0}".to_owned())))
            .collect();
        let mut returns = Vec::new();
        let mut last = None;
        self.depth += 1;
        body.walk(&mut |path: &[ASTNode]| {
            // The body's own statements are the walk's top level.
            if let [ASTNode::Stmt(stmt)] = path {
                last = self.stmt(stmt, &mut inner, &mut returns);
            }
            true
        });
        self.depth -= 1;
        returns.push(last);
        let distinct: BTreeSet<String> = returns.into_iter().flatten().collect();
        let result = if distinct.len() == 1 {
            distinct.into_iter().next()
        } else {
            None
        };
        self.analysed.insert(memo, result.clone());
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(script: &str) -> Vec<String> {
        let engine = rhai::Engine::new_raw();
        let ast = engine.compile(script).expect("compiles");
        case_reads(
            &ast,
            &PackFacts {
                defs: &[],
                ast: &AST::empty(),
            },
        )
    }

    #[test]
    fn follows_facts_into_their_functions_and_the_facts_they_read() {
        let engine = rhai::Engine::new_raw();
        let facts_ast = engine
            .compile(
                "fn alive(record) { record.person.date_of_death }
                 fn older(facts, record) { let a = facts.alive; record.person.date_of_birth }
                 fn unread(record) { record.plans }",
            )
            .expect("compiles");
        let defs = [
            FactDef {
                name: "alive".into(),
                inputs: vec![Input::Record],
            },
            FactDef {
                name: "older".into(),
                inputs: vec![Input::Facts, Input::Record],
            },
            FactDef {
                name: "unread".into(),
                inputs: vec![Input::Record],
            },
        ];
        let ast = engine
            .compile("if facts.older { record.gp_register }")
            .expect("compiles");
        let facts = PackFacts {
            defs: &defs,
            ast: &facts_ast,
        };
        assert_eq!(
            case_reads(&ast, &facts),
            ["gp_register", "person.date_of_birth", "person.date_of_death"]
        );
    }

    #[test]
    fn follows_calls_only_into_the_functions_called() {
        assert_eq!(reads("fn g(r) { r.b } fn f(r) { r.a } f(record)"), ["a"]);
    }

    #[test]
    fn follows_properties_lets_loops_and_list_helpers() {
        let script = r#"
            let dob = record.person.date_of_birth;
            let p = record.person;
            for e in record.events { if e.kind == "fall" { e.date; } }
            let last = record.assessments.latest();
            let x = last.outcomes[0].outcome;
            let falls = record.events.filter(|e| true);
            let y = record.plans[1].signed_off;
            p.nhs_number
        "#;
        assert_eq!(
            reads(script),
            [
                "assessments[].outcomes[].outcome",
                "events[].date",
                "events[].kind",
                "person.date_of_birth",
                "person.nhs_number",
                "plans[].signed_off",
            ]
        );
    }

    #[test]
    fn follows_return_values_and_shadowing() {
        let script = r#"
            fn newest(r) { if r.reviews.len() == 0 { return (); } r.reviews.latest() }
            fn gone(r, today) { let d = r.person.date_of_death; d != () && d <= today }
            let review = newest(record);
            let dead = gone(record, today);
            let record = #{ not_the_case: 1 };
            review.date
        "#;
        assert_eq!(reads(script), ["person.date_of_death", "reviews[].date"]);
    }

    #[test]
    fn follows_assignments_out_of_loops() {
        let script = r#"
            fn newest(r) { let best = (); for a in r.assessments { if best == () || a.date >= best.date { best = a; } } best }
            let a = newest(record);
            for o in a.outcomes { o.outcome; }
        "#;
        assert_eq!(
            reads(script),
            ["assessments[].date", "assessments[].outcomes[].outcome"]
        );
    }

    #[test]
    fn recursion_ends() {
        assert_eq!(
            reads("fn f(r, n) { if n > 0 { f(r, n - 1) } else { r.a } } f(record, 3)"),
            ["a"]
        );
    }

    #[test]
    fn describes_values_without_identifying_the_person() {
        let case = serde_json::json!({
            "person": { "id": "p-1", "nhs_number": "9434765919", "date_of_birth": "1940-01-02" },
            "events": [ { "kind": "fall", "tags": ["a", "b"] }, { "kind": "fall", "tags": [] }, { "kind": "hospital_admission" } ],
            "reviews": []
        });
        assert_eq!(describe("person.date_of_birth", &case), "1940-01-02");
        assert_eq!(describe("person.nhs_number", &case), "recorded");
        assert_eq!(describe("person.id", &case), "recorded");
        assert_eq!(describe("person.date_of_death", &case), "not recorded");
        assert_eq!(describe("events[].kind", &case), "fall, hospital_admission");
        assert_eq!(describe("events", &case), "3 records");
        assert_eq!(describe("events[].tags", &case), "a, b, none");
        assert_eq!(describe("reviews[].date", &case), "none recorded");
        assert_eq!(describe("reviews", &case), "none");
    }
}
