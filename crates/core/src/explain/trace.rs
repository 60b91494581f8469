//! Where a rule that made no finding stopped, for `explain`: the `return` it took and
//! the conditions that led there, or its end.
//!
//! The rule runs a second time from a copy of its AST in which every `return` (not
//! `throw`), and every expression whose value is the rule's value (its last one, and
//! the last one of each branch of a final `if`), hands back a tagged list
//! `[MARK, n, value]` instead of its value, so the result says where the rule ended. Each `return` is listed beforehand with
//! the `if` conditions (and whether each held), loops and `switch` cases around it, so
//! the explanation can quote the condition from the rule's source. Evaluations never
//! run this copy: it costs nothing on the evaluation path.

use rhai::{ASTFlags, Dynamic, Expr, Position, Stmt, StmtBlock, AST};

use crate::diagnostics::SharedSource;

/// The first item of a tagged return: text no rule can write (it starts with NUL).
const MARK: &str = "\u{0}careplan:return";

/// A rule's AST with tagged returns, and what surrounds each `return`.
pub(crate) struct Traced {
    /// The copy to run.
    pub ast: AST,
    returns: Vec<Vec<Context>>,
    return_positions: Vec<Position>,
    /// For each tagged point: a `return` (true) or a final expression (false).
    is_return: Vec<bool>,
    loops: Vec<(Position, Position)>,
    last: Position,
}

/// What surrounds a `return`.
#[derive(Clone)]
enum Context {
    /// An `if` (its keyword at `start`) whose condition runs up to the block at `body`,
    /// and whether the `return` is in the block taken when it holds.
    If {
        start: Position,
        body: Position,
        holds: bool,
    },
    /// A loop whose header runs from `start` to the block at `body`.
    Loop { start: Position, body: Position },
    /// A case of a `switch` at `at`.
    Switch { at: Position },
}

impl Traced {
    /// A copy of `ast` whose returns are tagged.
    pub(crate) fn new(ast: &AST) -> Traced {
        let mut walker = Walker::default();
        let mut statements: Vec<Stmt> = ast.statements().to_vec();
        for stmt in &mut statements {
            walker.stmt(stmt);
        }
        walker.tail(&mut statements);
        let last = ast.statements().last().map_or(Position::NONE, Stmt::position);
        let mut traced = AST::new(statements, ast.shared_lib().clone());
        if let Some(source) = ast.source() {
            traced.set_source(source);
        }
        Traced {
            ast: traced,
            returns: walker.returns,
            return_positions: walker.positions,
            is_return: walker.is_return,
            loops: walker.loops,
            last,
        }
    }

    /// Why the rule made no finding, in words, from what the copy returned.
    pub(crate) fn explain(&self, value: &Dynamic, source: &SharedSource) -> String {
        let text = |from: Position, to: Position| quote(source, from, to);
        if let Some(index) = tagged(value) {
            let (Some(contexts), Some(at)) = (self.returns.get(index), self.return_positions.get(index)) else {
                return "It ran and returned no finding.".to_owned();
            };
            let mut because = Vec::new();
            let mut within = Vec::new();
            for context in contexts {
                match context {
                    Context::If { start, body, holds } => because.push(format!(
                        "`{}` (line {}) {}",
                        condition(&text(*start, *body)),
                        line(*start),
                        if *holds { "holds" } else { "does not hold" }
                    )),
                    Context::Loop { start, body } => {
                        within.push(format!("inside `{}` (line {})", text(*start, *body), line(*start)))
                    }
                    Context::Switch { at } => within.push(format!("in a case of the `switch` on line {}", line(*at))),
                }
            }
            let is_return = self.is_return.get(index).copied().unwrap_or(true);
            if !is_return && contexts.is_empty() {
                // The rule's last expression, reached with no condition to name: say what
                // its loops went through instead.
                return self.ran_to_its_end(source);
            }
            let mut out = if is_return {
                format!("It stopped at the `return` on line {}", line(*at))
            } else {
                format!("It ended with the value on line {}", line(*at))
            };
            if !within.is_empty() {
                out.push_str(&format!(" ({})", within.join(", ")));
            }
            if because.is_empty() {
                out.push_str(" and made no finding.");
            } else {
                out.push_str(&format!(" because {}, so it made no finding.", join_and(&because)));
            }
            return out;
        }
        self.ran_to_its_end(source)
    }

    /// The explanation of a rule that ran through to its last line: the loops it has.
    fn ran_to_its_end(&self, source: &SharedSource) -> String {
        let text = |from: Position, to: Position| quote(source, from, to);
        let mut out = format!("It ran to its end (line {}) without a finding", line(self.last));
        let loops: Vec<String> = self
            .loops
            .iter()
            .map(|(start, body)| format!("`{}` (line {})", text(*start, *body), line(*start)))
            .collect();
        if loops.is_empty() {
            out.push('.');
        } else {
            out.push_str(&format!(
                ": nothing that {} went through met its conditions.",
                join_and(&loops)
            ));
        }
        out
    }
}

/// The index of the `return` a tagged value came from.
fn tagged(value: &Dynamic) -> Option<usize> {
    let items = value.read_lock::<rhai::Array>()?;
    match items.as_slice() {
        [mark, index, _] if mark.clone().into_immutable_string().ok()?.as_str() == MARK => {
            usize::try_from(index.as_int().ok()?).ok()
        }
        _ => None,
    }
}

fn line(position: Position) -> usize {
    position.line().unwrap_or(0)
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// An `if` statement's text up to its block, without the keyword and any parentheses
/// around the whole condition.
fn condition(text: &str) -> String {
    let text = text.strip_prefix("if").unwrap_or(text).trim();
    match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) if !inner.contains(['(', ')']) => inner.trim().to_owned(),
        _ => text.to_owned(),
    }
}

/// The source text from `from` up to (not including) `to`, trimmed and on one line.
fn quote(source: &SharedSource, from: Position, to: Position) -> String {
    let offset = |p: Position| match (p.line(), p.position()) {
        (Some(line), Some(column)) => Some(source.span_at(line, column).offset()),
        _ => None,
    };
    let text = match (offset(from), offset(to)) {
        (Some(a), Some(b)) if a < b => source.text.get(a..b).unwrap_or(""),
        _ => "",
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Walks a rule body, tagging returns and noting their surroundings.
#[derive(Default)]
struct Walker {
    stack: Vec<Context>,
    returns: Vec<Vec<Context>>,
    positions: Vec<Position>,
    is_return: Vec<bool>,
    loops: Vec<(Position, Position)>,
}

impl Walker {
    fn block(&mut self, block: &mut StmtBlock) {
        for stmt in block.statements_mut().iter_mut() {
            self.stmt(stmt);
        }
    }

    /// Tags `value` as the point where the rule ends: the value becomes
    /// `[MARK, n, value]` and the point is listed with what surrounds it.
    fn tag(&mut self, value: Expr, at: Position, is_return: bool) -> Expr {
        let index = rhai::INT::try_from(self.returns.len()).unwrap_or(rhai::INT::MAX);
        self.returns.push(self.stack.clone());
        self.positions.push(at);
        self.is_return.push(is_return);
        let items = [
            Expr::StringConstant(MARK.into(), at),
            Expr::IntegerConstant(index, at),
            value,
        ];
        Expr::Array(items.into_iter().collect(), at)
    }

    /// Tags the statement whose value is the value of `statements`: the last one, or,
    /// when that is an `if`, the last one of each of its branches.
    fn tail(&mut self, statements: &mut [Stmt]) {
        let Some(last) = statements.last_mut() else { return };
        match last {
            Stmt::Expr(expr) => {
                let at = expr.start_position();
                let value = std::mem::take(&mut **expr);
                **expr = self.tag(value, at, false);
            }
            Stmt::FnCall(..) => {
                let Stmt::FnCall(call, at) = std::mem::replace(last, Stmt::Noop(Position::NONE)) else {
                    return;
                };
                let value = self.tag(Expr::FnCall(call, at), at, false);
                *last = Stmt::Expr(Box::new(value));
            }
            Stmt::If(flow, at) => {
                let start = *at;
                let body = flow.body.position();
                self.stack.push(Context::If {
                    start,
                    body,
                    holds: true,
                });
                self.tail(flow.body.statements_mut());
                self.stack.pop();
                self.stack.push(Context::If {
                    start,
                    body,
                    holds: false,
                });
                self.tail(flow.branch.statements_mut());
                self.stack.pop();
            }
            _ => {}
        }
    }

    fn within(&mut self, context: Context, block: &mut StmtBlock) {
        self.stack.push(context);
        self.block(block);
        self.stack.pop();
    }

    fn stmt(&mut self, stmt: &mut Stmt) {
        match stmt {
            Stmt::If(flow, at) => {
                self.expr(&mut flow.expr);
                // From the `if` keyword: an operator's position is its operator's, not its
                // left operand's, so the condition's own position would cut it short.
                let start = *at;
                let body = flow.body.position();
                self.within(
                    Context::If {
                        start,
                        body,
                        holds: true,
                    },
                    &mut flow.body,
                );
                self.within(
                    Context::If {
                        start,
                        body,
                        holds: false,
                    },
                    &mut flow.branch,
                );
            }
            Stmt::While(flow, at) | Stmt::Do(flow, _, at) => {
                let context = Context::Loop {
                    start: *at,
                    body: flow.body.position(),
                };
                self.loops.push((*at, flow.body.position()));
                self.within(context, &mut flow.body);
            }
            Stmt::For(for_loop, at) => {
                let flow = &mut for_loop.2;
                self.expr(&mut flow.expr);
                let context = Context::Loop {
                    start: *at,
                    body: flow.body.position(),
                };
                self.loops.push((*at, flow.body.position()));
                self.within(context, &mut flow.body);
            }
            Stmt::Switch(switch, at) => {
                let at = *at;
                let (on, cases) = &mut **switch;
                self.expr(on);
                for case in cases.expressions.iter_mut() {
                    self.stack.push(Context::Switch { at });
                    self.expr(&mut case.rhs);
                    self.stack.pop();
                }
            }
            Stmt::TryCatch(flow, _) => {
                self.block(&mut flow.body);
                self.block(&mut flow.branch);
            }
            Stmt::Block(block) => self.block(block),
            Stmt::Var(var, _, _) => self.expr(&mut var.1),
            Stmt::Assignment(assignment) => self.expr(&mut assignment.1.rhs),
            Stmt::Expr(expr) => self.expr(expr),
            Stmt::FnCall(call, _) => call.args.iter_mut().for_each(|arg| self.expr(arg)),
            Stmt::Return(value, flags, at) if !flags.contains(ASTFlags::BREAK) => {
                let at = *at;
                if let Some(value) = value.as_deref_mut() {
                    self.expr(value);
                }
                let original = value.take().map_or(Expr::Unit(at), |v| *v);
                *value = Some(Box::new(self.tag(original, at, true)));
            }
            _ => {}
        }
    }

    fn expr(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Stmt(block) => self.block(block),
            Expr::FnCall(call, _) | Expr::MethodCall(call, _) => call.args.iter_mut().for_each(|arg| self.expr(arg)),
            Expr::Dot(binary, _, _) | Expr::Index(binary, _, _) => {
                self.expr(&mut binary.lhs);
                self.expr(&mut binary.rhs);
            }
            Expr::And(items, _) | Expr::Or(items, _) | Expr::Coalesce(items, _) => {
                items.iter_mut().for_each(|item| self.expr(item))
            }
            Expr::Array(items, _) | Expr::InterpolatedString(items, _) => {
                items.iter_mut().for_each(|item| self.expr(item))
            }
            Expr::Map(map, _) => map.0.iter_mut().for_each(|(_, value)| self.expr(value)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// Why `script` (a rule body) made no finding, as `explain` says it.
    fn why(script: &str) -> String {
        let engine = crate::pack::rule_engine(&crate::Limits::default(), Arc::default());
        let ast = engine.compile(script).expect("the script compiles");
        let traced = Traced::new(&ast);
        let value: Dynamic = engine.eval_ast(&traced.ast).expect("the script runs");
        traced.explain(&value, &SharedSource::new("r.rhai", script))
    }

    #[test]
    fn names_the_condition_that_held() {
        assert_eq!(
            why("let x = 3;\nif x > 2 || x < 0 {\n    return ();\n}\n42"),
            "It stopped at the `return` on line 3 because `x > 2 || x < 0` (line 2) holds, so it made no finding."
        );
    }

    #[test]
    fn names_every_condition_of_an_else_if_chain() {
        assert_eq!(
            why("let x = 1;\nif x > 2 {\n    1\n} else if x == 1 {\n    return;\n} else {\n    2\n}"),
            "It stopped at the `return` on line 5 because `x > 2` (line 2) does not hold and `x == 1` (line 4) \
             holds, so it made no finding."
        );
    }

    #[test]
    fn says_which_loop_a_return_is_in() {
        assert_eq!(
            why("for i in 0..3 {\n    if i == 1 { return []; }\n}\n()"),
            "It stopped at the `return` on line 2 (inside `for i in 0..3` (line 1)) because `i == 1` (line 2) \
             holds, so it made no finding."
        );
    }

    #[test]
    fn names_the_loops_of_a_rule_that_ran_to_its_end() {
        assert_eq!(
            why("let found = [];\nfor i in 0..3 {\n    if i > 5 { found.push(i); }\n}\nfound"),
            "It ran to its end (line 5) without a finding: nothing that `for i in 0..3` (line 2) went through \
             met its conditions."
        );
    }

    #[test]
    fn names_the_branch_of_a_final_if_whose_value_ended_the_rule() {
        assert_eq!(
            why("let r = ();\nif is_none(r) {\n    ()\n} else if r > 1 {\n    [r]\n} else {\n    []\n}"),
            "It ended with the value on line 3 because `is_none(r)` (line 2) holds, so it made no finding."
        );
    }

    #[test]
    fn a_throw_is_not_taken_for_a_return() {
        let engine = crate::pack::rule_engine(&crate::Limits::default(), Arc::default());
        let ast = engine.compile("if true { throw \"no\"; }\n()").expect("compiles");
        let traced = Traced::new(&ast);
        assert_eq!(traced.is_return, [false], "only the final `()` is tagged");
        assert!(engine.eval_ast::<Dynamic>(&traced.ast).is_err());
    }
}
