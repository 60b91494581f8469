//! Compiling a pack's files: the checks each file passes before it is compiled (and the
//! count of rules, before any is), the libraries, then each rule with the load-time
//! checks, and the placing of each layer's rules over its parents'.

use std::collections::{BTreeMap, BTreeSet};

use rhai::{Engine, ParseError, ParseErrorType, Scope, AST};

use super::header::parse_header;
use super::layers::{Declarations, Layer};
use super::{CompiledRule, RuleCaches};
use crate::check::Declared;
use crate::diagnostics::{lower_first, PackProblem, SharedSource};
use crate::sandbox::engine::{DISABLED_SYMBOLS, RULE_INPUTS};
use crate::sandbox::limits::Limit;
use crate::vocabulary::facts::{FactDef, Input};
use crate::Limits;

/// A layer's files that passed [`preflight`], sorted by path: its libraries, its facts
/// (`facts.rhai`, at most one) and its rules.
#[derive(Default)]
pub(super) struct LayerFiles<'a> {
    pub libraries: Vec<&'a SharedSource>,
    pub facts: Option<&'a SharedSource>,
    pub rules: Vec<&'a SharedSource>,
}

/// The file of a layer that declares its facts (`vocabulary/facts.rs`).
pub(crate) const FACTS_FILE: &str = "facts.rhai";

/// Checks every file of every layer before anything is compiled: given twice, not a
/// Rhai file, over the size limit, or with a lone carriage return (each such file is
/// left out, and the others still compile, so every problem is reported at once). Then
/// counts the rule files: over `max_rules`, the load stops here, before compiling any.
pub(super) fn preflight<'a>(
    chain: &'a [Layer],
    limits: &Limits,
    problems: &mut Vec<PackProblem>,
) -> Result<Vec<LayerFiles<'a>>, ()> {
    let mut accepted = Vec::with_capacity(chain.len());
    for layer in chain {
        let mut files = LayerFiles::default();
        let mut paths = BTreeSet::new();
        let mut sorted: Vec<&(String, SharedSource)> = layer.files.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, source) in sorted.iter().map(|f| (&f.0, &f.1)) {
            if !paths.insert(path.clone()) {
                problems
                    .push(PackProblem::new("careplan::files", format!("file `{path}` is given twice")).in_file(source));
                continue;
            }
            if !path.ends_with(".rhai") {
                problems.push(
                    PackProblem::new("careplan::files", format!("`{path}` is not a Rhai file"))
                        .with_help("a pack holds `pack.toml`, `.rhai` rule files, `lib/*.rhai` libraries and `tests/`"),
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
            if path.starts_with("lib/") {
                files.libraries.push(source);
            } else if path == FACTS_FILE {
                files.facts = Some(source);
            } else {
                files.rules.push(source);
            }
        }
        accepted.push(files);
    }
    let rule_files: usize = accepted.iter().map(|files| files.rules.len()).sum();
    if rule_files > limits.max_rules {
        let noun = if rule_files == 1 { "rule file" } else { "rule files" };
        problems.push(PackProblem::new(
            "careplan::limit",
            format!(
                "the pack has {rule_files} {noun}, over the `{}` limit of {}",
                Limit::Rules,
                limits.max_rules
            ),
        ));
        return Err(());
    }
    Ok(accepted)
}

/// What compiling needs: the engine, the names the checks compare against, and the
/// libraries compiled so far (a layer's libraries serve its rules and its children's).
pub(super) struct Compiler<'a> {
    engine: &'a Engine,
    scope: Scope<'static>,
    declarations: &'a Declarations,
    declared: Declared<'a>,
    lib_ast: AST,
    lib_functions: BTreeMap<String, SharedSource>,
    /// The facts declared so far, by name, with the file of each.
    pub(super) facts: BTreeMap<String, (FactDef, SharedSource)>,
    /// What the rules compiled so far read.
    pub(super) reads: crate::check::Reads,
    /// The library functions compiled so far, for [`super::PackInfo::functions`].
    pub(super) functions: Vec<super::LibraryFunction>,
}

impl<'a> Compiler<'a> {
    pub(super) fn new(engine: &'a Engine, declarations: &'a Declarations) -> Self {
        let mut scope = Scope::new();
        for name in RULE_INPUTS {
            // Pushed as plain variables, never constants: the optimizer would otherwise
            // fold the placeholder values into the compiled rules.
            scope.push_dynamic(name, rhai::Dynamic::UNIT);
        }
        Compiler {
            engine,
            scope,
            declarations,
            declared: Declared {
                schemes: declarations.schemes.keys().map(String::as_str).collect(),
                recipients: declarations.recipients.keys().map(String::as_str).collect(),
                parameters: declarations.parameters.keys().map(String::as_str).collect(),
                parameter_types: declarations
                    .parameters
                    .iter()
                    .map(|(name, p)| (name.as_str(), p.kind))
                    .collect(),
                local_fields: &declarations.local_fields,
                facts: Vec::new(),
            },
            lib_ast: AST::empty(),
            lib_functions: BTreeMap::new(),
            facts: BTreeMap::new(),
            reads: crate::check::Reads::default(),
            functions: Vec::new(),
        }
    }

    /// Compiles a layer's libraries, adding their functions to what later rules see.
    pub(super) fn libraries(&mut self, pack: &str, files: &[&SharedSource], problems: &mut Vec<PackProblem>) {
        for source in files {
            match compile(self.engine, &self.scope, source) {
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
                    // A library's functions read parameters passed to them as `params`.
                    let mut found = crate::check::declared_names(&ast, source, &self.declared, None, &mut self.reads);
                    found.extend(self.fact_names_taken(&ast, source));
                    problems.extend(crate::check::in_source_order(found));
                    self.add_library(pack, source, &ast, problems);
                }
                Err(problem) => problems.push(problem),
            }
        }
    }

    /// Compiles a layer's `facts.rhai`: functions only, each taking rule inputs by name.
    /// A fact of the same name as a parent's replaces it.
    pub(super) fn facts(&mut self, pack: &str, source: &SharedSource, problems: &mut Vec<PackProblem>) {
        let ast = match compile(self.engine, &self.scope, source) {
            Ok(ast) => ast,
            Err(problem) => {
                problems.push(problem);
                return;
            }
        };
        if !ast.statements().is_empty() {
            problems.push(
                PackProblem::new("careplan::facts", "a facts file may only define functions".to_string())
                    .in_file(source)
                    .with_help("each fact is a `fn` whose parameters are rule inputs, e.g. `fn eligibility(record, today) { ... }`"),
            );
            return;
        }
        let mut found = Vec::new();
        let mut defined = Vec::new();
        for f in ast.iter_functions() {
            let (line, _) = doc_comment(&source.text, f.name);
            let mut inputs = Vec::new();
            for param in &f.params {
                match Input::named(param) {
                    Some(input) if !inputs.contains(&input) => inputs.push(input),
                    _ => found.push(
                        PackProblem::new(
                            "careplan::facts",
                            format!("fact `{}` takes `{param}`, which is not a rule input", f.name),
                        )
                        .at(source, line.max(1), 1)
                        .with_help(
                            "a fact's parameters are named after what rules read: any of `record`, `today`, \
                             `params` and `facts`, each once; compute other values inside the fact",
                        ),
                    ),
                }
            }
            if let Some(existing) = self
                .lib_functions
                .get(f.name)
                .filter(|_| !self.facts.contains_key(f.name))
            {
                found.push(
                    PackProblem::new(
                        "careplan::facts",
                        format!(
                            "fact `{}` has the name of a library function of `{}`",
                            f.name, existing.name
                        ),
                    )
                    .at(source, line.max(1), 1)
                    .with_help("rename the fact or the function: rules read facts as `facts.<name>`"),
                );
            }
            defined.push(FactDef {
                name: f.name.to_owned(),
                inputs,
            });
        }
        // Kept even when the file has problems (the load fails then anyway), so that the
        // rules' reads of these facts are checked rather than all reported unknown.
        for def in &defined {
            if !self.declared.facts.contains(&def.name) {
                self.declared.facts.push(def.name.clone());
            }
        }
        self.declared.facts.sort();
        found.extend(crate::check::case_fields(&ast, source, &self.declarations.local_fields));
        found.extend(crate::check::declared_names(
            &ast,
            source,
            &self.declared,
            None,
            &mut self.reads,
        ));
        problems.extend(crate::check::in_source_order(found));
        for def in defined {
            self.facts.insert(def.name.clone(), (def, source.clone()));
        }
        self.add_library(pack, source, &ast, problems);
    }

    /// The facts, sorted by name, for [`crate::vocabulary::facts::Facts`].
    pub(super) fn fact_defs(&self) -> std::sync::Arc<[FactDef]> {
        self.facts.values().map(|(def, _)| def.clone()).collect()
    }

    /// Where facts run: every library and fact compiled (those of every layer).
    pub(super) fn facts_ast(&self) -> std::sync::Arc<AST> {
        let mut ast = self.lib_ast.clone();
        ast.set_source(FACTS_FILE);
        std::sync::Arc::new(ast)
    }

    /// Makes `rule`'s failures inside a fact name the file of the fact that serves the
    /// pack (a local pack's, for a fact it replaced).
    pub(super) fn point_at_facts(&self, rule: &mut CompiledRule) {
        for (name, (_, source)) in &self.facts {
            rule.functions.insert(name.clone(), source.clone());
        }
        if let Some(replaced) = rule.replaced.as_deref_mut() {
            self.point_at_facts(replaced);
        }
    }

    /// Problems for functions of `ast` (a library or a rule) that have a fact's name:
    /// rules would call the one and read the other under the same name.
    fn fact_names_taken(&self, ast: &AST, source: &SharedSource) -> Vec<PackProblem> {
        ast.iter_functions()
            .filter_map(|f| {
                let (_, facts_file) = self.facts.get(f.name)?;
                let (line, _) = doc_comment(&source.text, f.name);
                Some(
                    PackProblem::new(
                        "careplan::facts",
                        format!("function `{}` has the name of a fact of `{}`", f.name, facts_file.name),
                    )
                    .at(source, line.max(1), 1)
                    .with_help(format!("rename the function; read the fact as `facts.{}`", f.name)),
                )
            })
            .collect()
    }

    /// Adds a compiled library's (or facts file's) functions to what later rules see.
    fn add_library(&mut self, pack: &str, source: &SharedSource, ast: &AST, problems: &mut Vec<PackProblem>) {
        let mut defined: Vec<super::LibraryFunction> = ast
            .iter_functions()
            .map(|f| {
                let (line, doc) = doc_comment(&source.text, f.name);
                super::LibraryFunction {
                    name: f.name.to_owned(),
                    params: f.params.iter().map(|p| (*p).to_owned()).collect(),
                    doc,
                    pack: pack.to_owned(),
                    file: source.name.clone(),
                    line,
                }
            })
            .collect();
        defined.sort_by_key(|f| f.line);
        self.functions.extend(defined);
        for f in ast.iter_functions() {
            self.lib_functions.insert(f.name.to_string(), source.clone());
        }
        let before = self.lib_ast.iter_functions().count();
        self.lib_ast = self.lib_ast.merge(ast);
        let max = self.engine.max_functions();
        let now = self.lib_ast.iter_functions().count();
        if now > max && before <= max {
            problems.push(too_many_functions(
                source,
                "the pack's libraries, up to this one,",
                now,
                max,
            ));
        }
    }

    /// Compiles one rule file of `layer` and checks it (case fields, functions, names);
    /// `None` when its header or its code does not compile.
    pub(super) fn rule(
        &mut self,
        layer: &Layer,
        source: &SharedSource,
        problems: &mut Vec<PackProblem>,
    ) -> Option<PlacedRule> {
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
                return None;
            }
        };
        let ast = match compile(self.engine, &self.scope, source) {
            Ok(ast) => ast,
            Err(problem) => {
                problems.push(problem);
                return None;
            }
        };
        let mut found = crate::check::case_fields(&ast, source, &self.declarations.local_fields);
        let script_functions: Vec<crate::check::ScriptFunction<'_>> = self
            .lib_ast
            .iter_functions()
            .chain(ast.iter_functions())
            .map(|f| (f.name, f.params.len()))
            .collect();
        found.extend(crate::check::unknown_functions(&ast, source, &script_functions));
        found.extend(self.fact_names_taken(&ast, source));
        found.extend(crate::check::declared_names(
            &ast,
            source,
            &self.declared,
            Some(header.info.kind.as_str()),
            &mut self.reads,
        ));
        problems.extend(crate::check::in_source_order(found));
        let mut functions = self.lib_functions.clone();
        for f in ast.iter_functions() {
            functions.insert(f.name.to_string(), source.clone());
        }
        let mut ast = self.lib_ast.merge(&ast);
        let max = self.engine.max_functions();
        let merged = ast.iter_functions().count();
        if merged > max && self.lib_ast.iter_functions().count() <= max {
            problems.push(too_many_functions(
                source,
                "this rule and the pack's libraries",
                merged,
                max,
            ));
        }
        ast.set_source(source.name.as_str());
        Some(PlacedRule {
            rule: CompiledRule {
                info: header.info,
                ast,
                source: source.clone(),
                functions,
                caches: RuleCaches::default(),
                replaced: None,
            },
            overrides: header.overrides,
            id_span: header.id_span,
        })
    }
}

/// A compiled rule before it is placed: whether it overrides a parent's rule, and where
/// its id is, for problems.
pub(super) struct PlacedRule {
    rule: CompiledRule,
    overrides: bool,
    id_span: (usize, usize),
}

/// Places a layer's rules after its parents': an override replaces the parent's rule in
/// its place (keeping it, for dates the override is not in force); a new id is added.
pub(super) fn place(rules: &mut Vec<CompiledRule>, layer_rules: Vec<PlacedRule>, problems: &mut Vec<PackProblem>) {
    let inherited: BTreeSet<String> = rules.iter().map(|r| r.info.id.clone()).collect();
    let mut seen_here: BTreeMap<String, String> = BTreeMap::new();
    for PlacedRule {
        mut rule,
        overrides,
        id_span,
    } in layer_rules
    {
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
                    crate::diagnostics::suggest::did_you_mean_help(&id, parents.iter().copied()).unwrap_or_else(|| {
                        "remove `override = true` to add a new rule, or use the id of a parent pack's rule".to_owned()
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

/// The line (from 1) of `fn <name>(` in a library's text, and the `///` lines just above
/// it, joined with spaces. (Rhai keeps doc comments only with its `metadata` feature,
/// which no product build has.)
fn doc_comment(text: &str, name: &str) -> (usize, String) {
    let lines: Vec<&str> = text.lines().collect();
    let found = lines.iter().position(|line| {
        let line = line.trim_start();
        line.strip_prefix("private ")
            .unwrap_or(line)
            .strip_prefix("fn ")
            .and_then(|rest| rest.trim_start().strip_prefix(name))
            .is_some_and(|rest| rest.trim_start().starts_with('('))
    });
    let Some(index) = found else {
        return (0, String::new());
    };
    let mut doc: Vec<&str> = lines
        .get(..index)
        .unwrap_or(&[])
        .iter()
        .rev()
        .map(|line| line.trim())
        .take_while(|line| line.starts_with("///"))
        .map(|line| line.trim_start_matches('/').trim())
        .collect();
    doc.reverse();
    (index + 1, doc.join(" "))
}

/// The line and column of the first `{` that no `}` closes, outside strings and
/// comments.
fn unclosed_brace(text: &str) -> Option<(usize, usize)> {
    let mut open: Vec<(usize, usize)> = Vec::new();
    let (mut line, mut column) = (1usize, 1usize);
    let mut chars = text.chars().peekable();
    let step = |c: char, line: &mut usize, column: &mut usize| {
        if c == '\n' {
            *line += 1;
            *column = 1;
        } else {
            *column += 1;
        }
    };
    while let Some(c) = chars.next() {
        let at = (line, column);
        step(c, &mut line, &mut column);
        match c {
            '{' => open.push(at),
            '}' => {
                open.pop()?;
            }
            '/' if chars.peek() == Some(&'/') => {
                while let Some(&next) = chars.peek() {
                    if next == '\n' {
                        break;
                    }
                    step(next, &mut line, &mut column);
                    chars.next();
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut depth = 0usize;
                let mut previous = '/';
                for next in chars.by_ref() {
                    step(next, &mut line, &mut column);
                    match (previous, next) {
                        ('/', '*') => depth += 1,
                        ('*', '/') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    previous = if previous == '*' && next == '/' { ' ' } else { next };
                }
            }
            '"' | '`' | '\'' => {
                let mut escaped = false;
                for next in chars.by_ref() {
                    step(next, &mut line, &mut column);
                    if escaped {
                        escaped = false;
                    } else if next == '\\' && c != '`' {
                        escaped = true;
                    } else if next == c {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    open.first().copied()
}

fn parse_problem(engine: &Engine, source: &SharedSource, err: &ParseError) -> PackProblem {
    // A missing `}` makes Rhai stop at the end of the file, far from the mistake: point
    // at the `{` that is never closed instead.
    let at_end = {
        let pos = err.position();
        let offset = source
            .span_at(pos.line().unwrap_or(1), pos.position().unwrap_or(1))
            .offset();
        matches!(err.err_type(), ParseErrorType::MissingToken(..)) || offset >= source.text.trim_end().len()
    };
    if let Some((line, column)) = unclosed_brace(&source.text).filter(|_| at_end) {
        let stopped = err.position().line().unwrap_or(1);
        return PackProblem::new("careplan::syntax", "this `{` is never closed".to_string())
            .at(source, line, column)
            .with_label("no `}` closes this")
            .with_help(format!(
                "add the `}}` that ends this block (Rhai stopped at line {stopped}: {})",
                lower_first(&err.err_type().to_string())
            ));
    }
    let pos = err.position();
    let (line, column) = (pos.line().unwrap_or(1), pos.position().unwrap_or(1));
    let kind = err.err_type();
    let (code, message, help): (&str, String, Option<String>) = match kind {
        ParseErrorType::VariableUndefined(name) => {
            let help = match crate::diagnostics::suggest::did_you_mean(name, RULE_INPUTS) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "rules read `record`, `today`, `params` and `facts`; declare other variables with `let` first"
                    .to_owned(),
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

/// The problem for more functions than `max_functions` where a rule would run: each
/// rule runs with every library function of its pack, so the limit is on them together.
fn too_many_functions(source: &SharedSource, what: &str, count: usize, max: usize) -> PackProblem {
    PackProblem::new(
        "careplan::limit",
        format!("{what} define {count} functions, over the `functions` limit of {max}"),
    )
    .in_file(source)
    .with_help("every rule runs with all of its pack's library functions; merge or remove some")
}

#[cfg(test)]
mod tests {
    use super::unclosed_brace;

    #[test]
    fn finds_the_brace_that_is_never_closed() {
        assert_eq!(unclosed_brace("if a {\n  if b { x }\n"), Some((1, 6)));
        assert_eq!(unclosed_brace("if a { \"}\" // }\n /* } */ '}'\n}"), None);
        assert_eq!(unclosed_brace("let m = #{ a: 1 };\nif a {\n"), Some((2, 6)));
        assert_eq!(unclosed_brace("}"), None);
    }
}
