//! Checks on a rule before it ever runs: every case field a rule reads through a chain
//! of properties from `record` must exist in the case schema (or be one of the pack's
//! declared local fields); every `params.<name>` must be a declared parameter; and the
//! text literals given to the vocabulary (schemes, recipients, levels, review kinds,
//! owners) must be ones the pack or the engine knows.
//!
//! Only direct chains are followed (`record.person.date_of_birth`); a chain stops at an
//! index, a method call or a value held in a variable. Reads the check cannot follow
//! still fail at run time with an error naming the field.

use rhai::{ASTNode, Expr, Stmt, AST};
use serde_json::Value;

use crate::error::{PackProblem, SharedSource};
use crate::manifest::LocalFieldDef;

fn case_schema() -> &'static Value {
    crate::schema::case()
}

/// The object schema `node` stands for, following `$ref` and choosing the object branch
/// of an `anyOf`/`oneOf` (optional fields are `anyOf [X, null]`).
fn object<'a>(root: &'a Value, node: &'a Value) -> Option<&'a Value> {
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next()?;
        return object(root, root.get("$defs")?.get(name)?);
    }
    if node.get("properties").is_some() {
        return Some(node);
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(branches) = node.get(key).and_then(Value::as_array) {
            if let Some(found) = branches.iter().find_map(|b| object(root, b)) {
                return Some(found);
            }
        }
    }
    None
}

/// The property names of a chain `a.b.c`, with their positions, when the chain is only
/// properties after the root variable; `None` for anything else.
fn properties(expr: &Expr, out: &mut Vec<(String, rhai::Position)>) -> bool {
    match expr {
        Expr::Property(property, position) => {
            out.push((property.2.to_string(), *position));
            true
        }
        Expr::Dot(binary, _, _) => properties(&binary.lhs, out) && properties(&binary.rhs, out),
        _ => false,
    }
}

/// Problems with the case fields `ast` reads from `record`.
pub(crate) fn case_fields(
    ast: &AST,
    source: &SharedSource,
    local_fields: &std::collections::BTreeMap<String, LocalFieldDef>,
) -> Vec<PackProblem> {
    let root = case_schema();
    let mut problems = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(ASTNode::Expr(Expr::Dot(binary, _, _))) = path.last() else {
            return true;
        };
        let Expr::Variable(variable, _, _) = &binary.lhs else {
            return true;
        };
        if variable.1.as_str() != "record" {
            return true;
        }
        // Follow the longest run of plain properties; stop at anything else.
        let mut chain = Vec::new();
        let mut rhs = &binary.rhs;
        loop {
            match rhs {
                Expr::Property(..) => {
                    properties(rhs, &mut chain);
                    break;
                }
                Expr::Dot(inner, _, _) => {
                    if !properties(&inner.lhs, &mut chain) {
                        break;
                    }
                    rhs = &inner.rhs;
                }
                Expr::Index(inner, _, _) => {
                    let _ = properties(&inner.lhs, &mut chain);
                    break;
                }
                _ => break,
            }
        }
        let mut node = object(root, root);
        let mut in_local = false;
        for (i, (name, position)) in chain.iter().enumerate() {
            let known: Vec<String> = if in_local {
                local_fields.keys().cloned().collect()
            } else if let Some(props) = node.and_then(|n| n.get("properties")).and_then(Value::as_object) {
                props.keys().cloned().collect()
            } else {
                break;
            };
            if !known.iter().any(|k| k == name) {
                let what = if in_local { "local field" } else { "case field" };
                let mut problem = PackProblem::new(
                    "careplan::unknown_field",
                    format!("`{}` has no {what} `{name}`", chain_text(chain.get(..i).unwrap_or(&[]))),
                )
                .at(source, position.line().unwrap_or(1), position.position().unwrap_or(1))
                .with_label("not in the case schema");
                let help =
                    crate::suggest::did_you_mean_help(name, known.iter().map(String::as_str)).unwrap_or_else(|| {
                        if in_local {
                            "declare local fields under `[local_fields]` in the pack's manifest".to_owned()
                        } else {
                            "see `careplan schema case` for the fields of a case".to_owned()
                        }
                    });
                problem = problem.with_help(help);
                problems.push(problem);
                break;
            }
            if !in_local && i == 0 && name == "local" {
                in_local = true;
                continue;
            }
            if in_local {
                break;
            }
            node = node
                .and_then(|n| n.get("properties"))
                .and_then(|props| props.get(name))
                .and_then(|child| object(root, child));
        }
        true
    });
    problems
}

fn chain_text(chain: &[(String, rhai::Position)]) -> String {
    std::iter::once("record")
        .chain(chain.iter().map(|(name, _)| name.as_str()))
        .collect::<Vec<_>>()
        .join(".")
}

/// What the pack declares, for [`declared_names`].
pub(crate) struct Declared<'a> {
    pub schemes: Vec<&'a str>,
    pub recipients: Vec<&'a str>,
    pub parameters: Vec<&'a str>,
}

fn unknown(
    source: &SharedSource,
    position: rhai::Position,
    name: &str,
    message: String,
    known: &[&str],
) -> PackProblem {
    let help = crate::suggest::did_you_mean_help(name, known.iter().copied()).unwrap_or_else(|| {
        if known.is_empty() {
            "there are none".to_owned()
        } else {
            format!(
                "use one of {}",
                known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            )
        }
    });
    PackProblem::new("careplan::unknown_name", message)
        .at(source, position.line().unwrap_or(1), position.position().unwrap_or(1))
        .with_help(help)
}

/// Problems with the names a rule uses: parameters it reads and text literals it passes
/// to the vocabulary.
pub(crate) fn declared_names(ast: &AST, source: &SharedSource, declared: &Declared) -> Vec<PackProblem> {
    use crate::vocabulary::{LEVELS, OWNERS, REVIEW_KINDS};
    let mut problems = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::Dot(binary, _, _))) => {
                if let Expr::Variable(variable, _, _) = &binary.lhs {
                    if variable.1.as_str() == "params" {
                        let mut chain = Vec::new();
                        let first = match &binary.rhs {
                            Expr::Property(..) => properties(&binary.rhs, &mut chain).then_some(()),
                            Expr::Dot(inner, _, _) | Expr::Index(inner, _, _) => {
                                properties(&inner.lhs, &mut chain).then_some(())
                            }
                            _ => None,
                        };
                        if let (Some(()), Some((name, position))) = (first, chain.first()) {
                            if !declared.parameters.contains(&name.as_str()) {
                                problems.push(unknown(
                                    source,
                                    *position,
                                    name,
                                    format!("`{name}` is not a parameter of the pack"),
                                    &declared.parameters,
                                ));
                            }
                        }
                    }
                }
            }
            Some(ASTNode::Expr(Expr::FnCall(call, _)) | ASTNode::Stmt(Stmt::FnCall(call, _))) => {
                let checks: &[(usize, &str, &[&str])] = match (call.name.as_str(), call.args.len()) {
                    ("eligible" | "insufficient_information", 2) | ("not_eligible", 3) => {
                        &[(0, "scheme", &declared.schemes)]
                    }
                    ("escalate", 4) => &[(0, "escalation level", LEVELS), (1, "recipient", &declared.recipients)],
                    ("review", 4) | ("review_window", 5) => {
                        &[(0, "review kind", REVIEW_KINDS), (1, "review owner", OWNERS)]
                    }
                    ("recommend", 4) => &[(1, "owner", OWNERS)],
                    _ => &[],
                };
                for (index, what, known) in checks {
                    if let Some(Expr::StringConstant(text, position)) = call.args.get(*index) {
                        if !known.contains(&text.as_str()) {
                            problems.push(unknown(
                                source,
                                *position,
                                text,
                                format!("`{text}` is not a known {what} for `{}`", call.name),
                                known,
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
    problems
}

/// Every function the engine registers for rules (the vocabulary and the Rhai packages
/// it adds), by name. A test compares it with the engine's own list.
pub(crate) const FUNCTION_NAMES: &[&str] = &[
    "abs",
    "add_days",
    "add_months",
    "add_weeks",
    "add_working_days",
    "add_years",
    "age_on",
    "all",
    "append",
    "bytes",
    "ceiling",
    "chop",
    "clear",
    "contains",
    "crop",
    "date",
    "days_between",
    "days_until",
    "debug",
    "dedup",
    "drain",
    "eligible",
    "ends_with",
    "escalate",
    "extract",
    "fill_with",
    "filter",
    "find",
    "find_map",
    "floor",
    "for_each",
    "fraction",
    "get",
    "index_of",
    "insert",
    "insufficient_information",
    "int",
    "is_anonymous",
    "is_empty",
    "is_even",
    "is_odd",
    "is_working_day",
    "is_zero",
    "keys",
    "latest",
    "len",
    "make_lower",
    "make_upper",
    "map",
    "max",
    "min",
    "mixin",
    "name",
    "not_eligible",
    "order",
    "order_by",
    "order_desc",
    "pad",
    "parse_float",
    "parse_int",
    "pop",
    "print",
    "push",
    "recommend",
    "reduce",
    "reduce_rev",
    "remove",
    "replace",
    "retain",
    "reverse",
    "review",
    "review_window",
    "round",
    "set",
    "shift",
    "sign",
    "some",
    "sort",
    "sort_by",
    "sort_desc",
    "splice",
    "split",
    "split_rev",
    "starts_with",
    "sub_string",
    "to_binary",
    "to_blob",
    "to_chars",
    "to_debug",
    "to_float",
    "to_hex",
    "to_int",
    "to_json",
    "to_lower",
    "to_octal",
    "to_string",
    "to_upper",
    "trim",
    "truncate",
    "values",
    "working_days_between",
    "working_days_until",
    "zip",
];

/// Functions Rhai provides as keywords rather than registrations.
const KEYWORD_FUNCTIONS: &[&str] = &["Fn", "call", "curry", "is_def_fn", "is_def_var", "is_shared", "type_of"];

/// Calls to functions that neither the engine, the rule nor its libraries define.
pub(crate) fn unknown_functions(ast: &AST, source: &SharedSource, script_functions: &[&str]) -> Vec<PackProblem> {
    let mut problems = Vec::new();
    let known = |name: &str| {
        FUNCTION_NAMES.contains(&name) || KEYWORD_FUNCTIONS.contains(&name) || script_functions.contains(&name)
    };
    ast.walk(&mut |path: &[ASTNode]| {
        let (call, position) = match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(call, position)) | ASTNode::Stmt(Stmt::FnCall(call, position))) => {
                (call, *position)
            }
            Some(ASTNode::Expr(Expr::MethodCall(call, position))) => (call, *position),
            _ => return true,
        };
        let name = call.name.as_str();
        let is_identifier = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_');
        if call.op_token.is_none() && is_identifier && !known(name) {
            let candidates = FUNCTION_NAMES.iter().chain(script_functions).copied();
            let help = crate::suggest::did_you_mean_help(name, candidates)
                .unwrap_or_else(|| "see `careplan vocabulary` for the functions rules can call".to_owned());
            problems.push(
                PackProblem::new("careplan::unknown_function", format!("no function `{name}`"))
                    .at(source, position.line().unwrap_or(1), position.position().unwrap_or(1))
                    .with_help(help),
            );
        }
        true
    });
    problems
}

#[cfg(all(test, feature = "metadata"))]
mod tests {
    #[test]
    fn the_known_functions_are_the_ones_the_engine_registers() {
        let registered: Vec<String> = crate::registered_function_names()
            .into_iter()
            .filter(|n| n.starts_with(|c: char| c.is_alphabetic() || c == '_'))
            .collect();
        let listed: Vec<String> = super::FUNCTION_NAMES.iter().map(|n| (*n).to_owned()).collect();
        assert_eq!(
            listed, registered,
            "update check::FUNCTION_NAMES from registered_function_names()"
        );
    }
}
