//! Where a rule that made no finding stopped, for `explain`: the `return` it took and
//! the conditions that led there, or its end.
//!
//! The rule runs a second time from a copy of its AST in which every `return` (not
//! `throw`) hands back a tagged list `[MARK, n, value]` instead of its value, so the
//! result says which `return` ended the rule. Each `return` is listed beforehand with
//! the `if` conditions (and whether each held), loops and `switch` cases around it, so
//! the explanation can quote the condition from the rule's source. Evaluations never
//! run this copy: it costs nothing on the evaluation path.

use rhai::{ASTFlags, Dynamic, Expr, Position, Stmt, StmtBlock, AST};

use crate::error::SharedSource;

/// The first item of a tagged return: text no rule can write (it starts with NUL).
const MARK: &str = "\u{0}careplan:return";

/// A rule's AST with tagged returns, and what surrounds each `return`.
pub(crate) struct Traced {
    /// The copy to run.
    pub ast: AST,
    returns: Vec<Vec<Context>>,
    return_positions: Vec<Position>,
    loops: Vec<(Position, Position)>,
    last: Position,
}

/// What surrounds a `return`.
#[derive(Clone)]
enum Context {
    /// An `if` whose condition runs from `start` to the block at `body`, and whether
    /// the `return` is in the block taken when it holds.
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
        let last = ast.statements().last().map_or(Position::NONE, Stmt::position);
        let mut traced = AST::new(statements, ast.shared_lib().clone());
        if let Some(source) = ast.source() {
            traced.set_source(source);
        }
        Traced {
            ast: traced,
            returns: walker.returns,
            return_positions: walker.positions,
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
                        text(*start, *body),
                        line(*start),
                        if *holds { "holds" } else { "does not hold" }
                    )),
                    Context::Loop { start, body } => {
                        within.push(format!("inside `{}` (line {})", text(*start, *body), line(*start)))
                    }
                    Context::Switch { at } => within.push(format!("in a case of the `switch` on line {}", line(*at))),
                }
            }
            let mut out = format!("It stopped at the `return` on line {}", line(*at));
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

/// The source text from `from` up to (not including) `to`, trimmed and on one line.
fn quote(source: &SharedSource, from: Position, to: Position) -> String {
    let offset = |p: Position| match (p.line(), p.position()) {
        (Some(line), Some(column)) => Some(usize::from(source.span_at(line, column).offset())),
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
    loops: Vec<(Position, Position)>,
}

impl Walker {
    fn block(&mut self, block: &mut StmtBlock) {
        for stmt in block.statements_mut().iter_mut() {
            self.stmt(stmt);
        }
    }

    fn within(&mut self, context: Context, block: &mut StmtBlock) {
        self.stack.push(context);
        self.block(block);
        self.stack.pop();
    }

    fn stmt(&mut self, stmt: &mut Stmt) {
        match stmt {
            Stmt::If(flow, _) => {
                self.expr(&mut flow.expr);
                let start = flow.expr.start_position();
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
                let index = rhai::INT::try_from(self.returns.len()).unwrap_or(rhai::INT::MAX);
                let original = value.take().map_or(Expr::Unit(at), |v| *v);
                let items = [
                    Expr::StringConstant(MARK.into(), at),
                    Expr::IntegerConstant(index, at),
                    original,
                ];
                *value = Some(Box::new(Expr::Array(items.into_iter().collect(), at)));
                self.returns.push(self.stack.clone());
                self.positions.push(at);
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
