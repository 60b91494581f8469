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

use crate::diagnostics::{PackProblem, SharedSource};
use crate::model::manifest::{LocalFieldDef, LocalType, ParamType};

fn case_schema() -> &'static Value {
    crate::model::schema::case()
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

/// A file's problems in the order of their places in it. The checks walk the AST, and
/// `AST::walk` visits a file's functions in the order of their hashes, which differs
/// between builds (natively and in the component, say): sorting makes the report the
/// same everywhere, and read from the top of the file down.
pub(crate) fn in_source_order(mut problems: Vec<PackProblem>) -> Vec<PackProblem> {
    // A stable sort: problems at the same place keep the order they were found in.
    problems.sort_by_key(|p| p.location().map_or((0, 0), |l| (l.line, l.column)));
    problems
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
                let help = crate::diagnostics::suggest::did_you_mean_help(name, known.iter().map(String::as_str))
                    .unwrap_or_else(|| {
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
    /// Each parameter's type, for comparisons the check can see.
    pub parameter_types: std::collections::BTreeMap<&'a str, ParamType>,
    /// The pack's local fields and their types.
    pub local_fields: &'a std::collections::BTreeMap<String, LocalFieldDef>,
    /// The facts declared so far (`facts.rhai` of this layer and its parents), sorted.
    pub facts: Vec<String>,
}

/// What a rule's check found beyond its problems: the parameters it reads.
#[derive(Default)]
pub(crate) struct Reads {
    pub parameters: std::collections::BTreeSet<String>,
}

/// What kind of value an expression has, when the check can tell without running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Text,
    Number,
    Bool,
    Date,
    List,
}

impl Class {
    fn describe(self) -> &'static str {
        match self {
            Class::Text => "text",
            Class::Number => "a number",
            Class::Bool => "true or false",
            Class::Date => "a date",
            Class::List => "a list",
        }
    }

    fn of_param(kind: ParamType) -> Class {
        match kind {
            ParamType::Integer | ParamType::Number => Class::Number,
            ParamType::Bool => Class::Bool,
            ParamType::String => Class::Text,
            ParamType::Date => Class::Date,
            ParamType::List => Class::List,
        }
    }

    fn of_local(kind: LocalType) -> Class {
        match kind {
            LocalType::Bool => Class::Bool,
            LocalType::Integer | LocalType::Number => Class::Number,
            LocalType::String => Class::Text,
            LocalType::Date => Class::Date,
        }
    }
}

/// The class of a schema node: dates by their `$ref`, enumerations as text, optional
/// values by their non-null branch.
fn schema_class(root: &Value, node: &Value, depth: usize) -> Option<Class> {
    if depth > 8 {
        return None;
    }
    if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next()?;
        if name == "Date" {
            return Some(Class::Date);
        }
        return schema_class(root, root.get("$defs")?.get(name)?, depth + 1);
    }
    if node.get("enum").is_some() || node.get("const").is_some() {
        return Some(Class::Text);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = node.get(key).and_then(Value::as_array) {
            let classes: Vec<Option<Class>> = branches
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .map(|b| schema_class(root, b, depth + 1))
                .collect();
            let first = *classes.first()?;
            return classes.iter().all(|c| *c == first).then_some(first).flatten();
        }
    }
    let kind = match node.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).find(|k| *k != "null")?,
        _ => return None,
    };
    match kind {
        "string" => Some(Class::Text),
        "integer" | "number" => Some(Class::Number),
        "boolean" => Some(Class::Bool),
        "array" => Some(Class::List),
        _ => None,
    }
}

/// The class of `expr` and what it is, in words, when the check can tell: a literal,
/// `today`, a parameter, or a case field read through a chain of properties.
fn static_class(expr: &Expr, declared: &Declared) -> Option<(Class, String)> {
    match expr {
        Expr::StringConstant(text, _) => Some((Class::Text, format!("the text `\"{text}\"`"))),
        Expr::IntegerConstant(n, _) => Some((Class::Number, format!("the number `{n}`"))),
        Expr::FloatConstant(n, _) => Some((Class::Number, format!("the number `{n}`"))),
        Expr::BoolConstant(b, _) => Some((Class::Bool, format!("`{b}`"))),
        Expr::Variable(variable, _, _) if variable.1.as_str() == "today" => Some((Class::Date, "`today`".to_owned())),
        Expr::Dot(binary, _, _) => {
            let Expr::Variable(variable, _, _) = &binary.lhs else {
                return None;
            };
            let mut chain = Vec::new();
            if !properties(&binary.rhs, &mut chain) {
                return None;
            }
            let names: Vec<&str> = chain.iter().map(|(n, _)| n.as_str()).collect();
            match (variable.1.as_str(), names.as_slice()) {
                ("params", [name]) => {
                    let kind = *declared.parameter_types.get(name)?;
                    Some((Class::of_param(kind), format!("`params.{name}` ({})", kind.describe())))
                }
                ("record", ["local", name]) => {
                    let field = declared.local_fields.get(*name)?;
                    let class = Class::of_local(field.kind);
                    Some((class, format!("`record.local.{name}` ({})", class.describe())))
                }
                ("record", names) => {
                    let root = case_schema();
                    let mut node = root;
                    for name in names {
                        node = object(root, node)?.get("properties")?.get(*name)?;
                    }
                    let class = schema_class(root, node, 0)?;
                    Some((class, format!("`record.{}` ({})", names.join("."), class.describe())))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The finding constructors and the rule kind that may call each.
const CONSTRUCTORS: &[(&str, &str, &str)] = &[
    ("eligible", "eligibility", "makes an eligibility decision"),
    ("not_eligible", "eligibility", "makes an eligibility decision"),
    (
        "insufficient_information",
        "eligibility",
        "makes an eligibility decision",
    ),
    ("review", "review", "schedules a review"),
    ("review_window", "review", "schedules a review"),
    ("escalate", "escalation", "makes an escalation"),
    ("recommend", "recommendation", "makes a recommendation"),
];

fn unknown(
    source: &SharedSource,
    position: rhai::Position,
    name: &str,
    message: String,
    known: &[&str],
) -> PackProblem {
    let help = crate::diagnostics::suggest::did_you_mean_help(name, known.iter().copied()).unwrap_or_else(|| {
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

/// The first property read from a variable in `binary` (`name` in `params.name` or
/// `facts.name.due`), with its place, when the chain starts with plain properties.
fn first_property(binary: &rhai::BinaryExpr) -> Option<(String, rhai::Position)> {
    let mut chain = Vec::new();
    let plain = match &binary.rhs {
        Expr::Property(..) => properties(&binary.rhs, &mut chain),
        Expr::Dot(inner, _, _) | Expr::Index(inner, _, _) => properties(&inner.lhs, &mut chain),
        _ => false,
    };
    if plain {
        chain.into_iter().next()
    } else {
        None
    }
}

/// Problems with the names a rule uses: parameters it reads and text literals it passes
/// to the vocabulary; finding constructors its `kind` (from the header, `None` for a
/// library, whose functions serve rules of every kind) does not make;
/// and comparisons of two values of different types that the check can see. The
/// parameters it reads are added to `reads`.
pub(crate) fn declared_names(
    ast: &AST,
    source: &SharedSource,
    declared: &Declared,
    kind: Option<&str>,
    reads: &mut Reads,
) -> Vec<PackProblem> {
    use crate::vocabulary::{LEVELS, OWNERS, REVIEW_KINDS};
    let mut problems = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::Dot(binary, _, _))) => {
                if let Expr::Variable(variable, _, _) = &binary.lhs {
                    match (variable.1.as_str(), first_property(binary)) {
                        ("facts", Some((name, position))) if !declared.facts.contains(&name) => {
                            let known: Vec<&str> = declared.facts.iter().map(String::as_str).collect();
                            problems.push(
                                unknown(
                                    source,
                                    position,
                                    &name,
                                    format!("`{name}` is not a fact of the pack"),
                                    &known,
                                )
                                .with_label("no such fact"),
                            );
                        }
                        ("params", Some((name, position))) => {
                            if !declared.parameters.contains(&name.as_str()) {
                                problems.push(unknown(
                                    source,
                                    position,
                                    &name,
                                    format!("`{name}` is not a parameter of the pack"),
                                    &declared.parameters,
                                ));
                            }
                            reads.parameters.insert(name);
                        }
                        _ => {}
                    }
                }
            }
            Some(ASTNode::Expr(Expr::FnCall(call, position)) | ASTNode::Stmt(Stmt::FnCall(call, position))) => {
                let at = |problem: PackProblem| {
                    problem.at(source, position.line().unwrap_or(1), position.position().unwrap_or(1))
                };
                if let (Some(_), [lhs, rhs]) = (&call.op_token, call.args.as_slice()) {
                    if matches!(call.name.as_str(), "<" | "<=" | ">" | ">=" | "==" | "!=") {
                        if let (Some((left, left_text)), Some((right, right_text))) =
                            (static_class(lhs, declared), static_class(rhs, declared))
                        {
                            if left != right {
                                problems.push(
                                    at(PackProblem::new(
                                        "careplan::type",
                                        format!(
                                            "`{}` compares {left_text} with {right_text}; {} and {} cannot be compared",
                                            call.name,
                                            left.describe(),
                                            right.describe()
                                        ),
                                    ))
                                    .with_label("different types")
                                    .with_help(match (left, right) {
                                        (Class::Date, Class::Text) | (Class::Text, Class::Date) => {
                                            "write a date as `date(\"YYYY-MM-DD\")`, or as a `date` parameter in the manifest"
                                        }
                                        _ => "compare values of the same type; a parameter's type is that of its `value` (or its `type`)",
                                    }),
                                );
                            }
                        }
                    }
                }
                if let (None, Some(kind)) = (&call.op_token, kind) {
                    if let Some((_, wanted, what)) = CONSTRUCTORS.iter().find(|(n, _, _)| *n == call.name.as_str()) {
                        if *wanted != kind {
                            let makes: Vec<String> = CONSTRUCTORS
                                .iter()
                                .filter(|(_, k, _)| *k == kind)
                                .map(|(n, _, _)| format!("`{n}(...)`"))
                                .collect();
                            problems.push(
                                at(PackProblem::new(
                                    "careplan::kind",
                                    format!("`{}` {what}, but this is a `{kind}` rule", call.name),
                                ))
                                .with_label(format!("not a `{kind}` finding"))
                                .with_help(format!(
                                    "a `{kind}` rule returns {}; change `kind` in the header to `{wanted}`, or move this finding to a rule of that kind",
                                    makes.join(" or ")
                                )),
                            );
                        }
                    }
                }
                let checks: &[(usize, &str, &[&str])] = match (call.name.as_str(), call.args.len()) {
                    ("eligible" | "insufficient_information", 2) | ("not_eligible", 3) => {
                        &[(0, "scheme", &declared.schemes)]
                    }
                    ("escalate", 4) => &[(0, "escalation level", LEVELS), (1, "recipient", &declared.recipients)],
                    ("review", 4) | ("review_window", 5) => {
                        &[(0, "review kind", REVIEW_KINDS), (1, "review owner", OWNERS)]
                    }
                    ("recommend", 3 | 4) => &[(1, "owner", OWNERS)],
                    _ => &[],
                };
                for (index, what, known) in checks {
                    if let Some(Expr::StringConstant(text, text_position)) = call.args.get(*index) {
                        if !known.contains(&text.as_str()) {
                            problems.push(unknown(
                                source,
                                *text_position,
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
/// it adds), by name, with the numbers of arguments its overloads take as a bit set
/// (bit `n` set: some overload takes `n` arguments; a method call counts the value
/// before the dot). A test compares it with the engine's own list.
pub(crate) const FUNCTIONS: &[(&str, u8)] = &[
    ("abs", 0b00000010),
    ("add_days", 0b00000100),
    ("add_months", 0b00000100),
    ("add_weeks", 0b00000100),
    ("add_working_days", 0b00000100),
    ("add_years", 0b00000100),
    ("age_on", 0b00000100),
    ("all", 0b00000100),
    ("append", 0b00000100),
    ("bytes", 0b00000010),
    ("ceiling", 0b00000010),
    ("chop", 0b00000100),
    ("clear", 0b00000010),
    ("contains", 0b00000100),
    ("crop", 0b00001100),
    ("date", 0b00000010),
    ("days_between", 0b00000100),
    ("days_until", 0b00000100),
    ("debug", 0b00000011),
    ("dedup", 0b00000110),
    ("drain", 0b00001100),
    ("eligible", 0b00000100),
    ("ends_with", 0b00000100),
    ("escalate", 0b00010000),
    ("extract", 0b00001100),
    ("fill_with", 0b00000100),
    ("filter", 0b00000100),
    ("find", 0b00001100),
    ("find_map", 0b00001100),
    ("floor", 0b00000010),
    ("for_each", 0b00000100),
    ("get", 0b00000100),
    ("index_of", 0b00001100),
    ("insert", 0b00001000),
    ("insufficient_information", 0b00000100),
    ("is_empty", 0b00000010),
    ("is_even", 0b00000010),
    ("is_none", 0b00000010),
    ("is_odd", 0b00000010),
    ("is_working_day", 0b00000010),
    ("is_zero", 0b00000010),
    ("keys", 0b00000010),
    ("latest", 0b00000110),
    ("len", 0b00000010),
    ("make_lower", 0b00000010),
    ("make_upper", 0b00000010),
    ("map", 0b00000100),
    ("max", 0b00000100),
    ("min", 0b00000100),
    ("mixin", 0b00000100),
    ("not_eligible", 0b00001000),
    ("order", 0b00000110),
    ("order_by", 0b00000100),
    ("order_desc", 0b00000010),
    ("pad", 0b00001000),
    ("parse_float", 0b00000010),
    ("parse_int", 0b00000010),
    ("pop", 0b00000110),
    ("print", 0b00000011),
    ("push", 0b00000100),
    ("recommend", 0b00011100),
    ("reduce", 0b00001100),
    ("reduce_rev", 0b00001100),
    ("remove", 0b00000100),
    ("replace", 0b00001000),
    ("retain", 0b00001100),
    ("reverse", 0b00000010),
    ("review", 0b00010000),
    ("review_window", 0b00100000),
    ("round", 0b00000010),
    ("set", 0b00001000),
    ("shift", 0b00000010),
    ("sign", 0b00000010),
    ("some", 0b00000100),
    ("sort", 0b00000110),
    ("sort_by", 0b00000100),
    ("sort_desc", 0b00000010),
    ("splice", 0b00011000),
    ("split", 0b00001110),
    ("split_rev", 0b00001100),
    ("starts_with", 0b00000100),
    ("sub_string", 0b00001100),
    ("to_binary", 0b00000010),
    ("to_blob", 0b00000010),
    ("to_chars", 0b00000010),
    ("to_debug", 0b00000010),
    ("to_float", 0b00000010),
    ("to_hex", 0b00000010),
    ("to_int", 0b00000010),
    ("to_json", 0b00000010),
    ("to_lower", 0b00000010),
    ("to_octal", 0b00000010),
    ("to_string", 0b00000010),
    ("to_upper", 0b00000010),
    ("trim", 0b00000010),
    ("truncate", 0b00000100),
    ("values", 0b00000010),
    ("working_days_between", 0b00000100),
    ("working_days_until", 0b00000100),
    ("zip", 0b00001000),
];

/// Functions Rhai provides as keywords rather than registrations.
const KEYWORD_FUNCTIONS: &[&str] = &["Fn", "call", "curry", "is_def_fn", "is_def_var", "is_shared", "type_of"];

/// A function a rule's file or its pack's `lib/` defines, and its number of parameters.
pub(crate) type ScriptFunction<'a> = (&'a str, usize);

/// Calls to functions that neither the engine, the rule nor its libraries define, and
/// calls with a number of arguments no definition of the function takes.
pub(crate) fn unknown_functions(
    ast: &AST,
    source: &SharedSource,
    script_functions: &[ScriptFunction<'_>],
) -> Vec<PackProblem> {
    let mut problems = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let (call, position, is_method) = match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(call, position)) | ASTNode::Stmt(Stmt::FnCall(call, position))) => {
                (call, *position, false)
            }
            Some(ASTNode::Expr(Expr::MethodCall(call, position))) => (call, *position, true),
            _ => return true,
        };
        let name = call.name.as_str();
        let is_identifier = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_');
        if call.op_token.is_some() || !is_identifier || KEYWORD_FUNCTIONS.contains(&name) {
            return true;
        }
        let at =
            |problem: PackProblem| problem.at(source, position.line().unwrap_or(1), position.position().unwrap_or(1));
        let native: Option<u8> = FUNCTIONS.iter().find(|(n, _)| *n == name).map(|(_, mask)| *mask);
        let scripted: Vec<usize> = script_functions
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, c)| *c)
            .collect();
        if native.is_none() && scripted.is_empty() {
            let candidates = FUNCTIONS
                .iter()
                .map(|(n, _)| *n)
                .chain(script_functions.iter().map(|(n, _)| *n));
            // Suggestions for as many as a rendering shows of a file: one of thousands of
            // unknown calls is not searched thousands of times.
            let help = (problems.len() < crate::diagnostics::MAX_PROBLEMS_SHOWN_PER_FILE)
                .then(|| crate::diagnostics::suggest::did_you_mean_help(name, candidates))
                .flatten()
                .unwrap_or_else(|| "see `careplan vocabulary` for the functions rules can call".to_owned());
            problems.push(
                at(PackProblem::new(
                    "careplan::unknown_function",
                    format!("no function `{name}`"),
                ))
                .with_help(help),
            );
            return true;
        }
        // A method call passes the value before the dot as the first argument of a
        // registered function, and as `this` (not counted) to a script function.
        let given = call.args.len();
        let native_given = given + usize::from(is_method);
        let fits =
            native.is_some_and(|mask| native_given < 8 && mask & (1 << native_given) != 0) || scripted.contains(&given);
        if !fits {
            let mask = native.unwrap_or(0);
            let mut takes: Vec<usize> = (0..8).filter(|n| mask & (1 << n) != 0).collect();
            takes.extend(&scripted);
            takes.sort_unstable();
            takes.dedup();
            let counted = if is_method {
                format!(
                    "{} (the value before the dot is the first)",
                    plural(native_given, "argument")
                )
            } else {
                plural(given, "argument")
            };
            let message = format!("`{name}` is called with {counted}, but takes {}", alternatives(&takes));
            let mut signatures: Vec<&str> = crate::vocabulary::ENTRIES
                .iter()
                .filter(|(n, _, _)| *n == name)
                .map(|(_, signature, _)| *signature)
                .collect();
            // Fewest arguments first.
            signatures.sort_by_key(|s| (s.matches(',').count(), *s));
            let help = if signatures.is_empty() {
                format!("`{name}` takes {}", alternatives(&takes))
            } else {
                format!(
                    "`{name}` is {}",
                    signatures
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            };
            problems.push(at(PackProblem::new("careplan::wrong_arguments", message)).with_help(help));
        }
        true
    });
    problems
}

/// `1 argument`, `2 arguments`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `2 arguments`, `1 or 2 arguments`, `1, 2 or 3 arguments`.
fn alternatives(counts: &[usize]) -> String {
    let words: Vec<String> = counts.iter().map(usize::to_string).collect();
    let list = match words.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "0".to_owned(),
    };
    let noun = if counts == [1] { "argument" } else { "arguments" };
    format!("{list} {noun}")
}
