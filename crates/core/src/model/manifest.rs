//! A pack's manifest, `pack.toml`: who wrote the pack, what it extends, and the
//! schemes, recipients, parameters and local case fields its rules use.

use std::collections::BTreeMap;

#[cfg(test)]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostics::{PackProblem, SharedSource};
use crate::Date;

/// The manifest as written in TOML. Used for its JSON Schema and for reading.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Who the pack is and what it builds on.
    pub pack: PackSection,
    /// Eligibility schemes the pack's rules decide, by id.
    #[serde(default)]
    pub schemes: BTreeMap<String, SchemeDef>,
    /// Who escalations can go to, by id.
    #[serde(default)]
    pub recipients: BTreeMap<String, RecipientDef>,
    /// Named values the rules read as `params.<name>`. Either a bare value or a table
    /// with `value`, `type`, `description`, `source`, `gk`, `local` and `unset`. A
    /// parameter deliberately left unset (the rules see `()`) has `unset = true` and a
    /// `type`; a pack that extends another declares its own new parameters with
    /// `local = true`.
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "BTreeMap<String, serde_json::Value>"))]
    pub parameters: BTreeMap<String, Spanned<toml::Value>>,
    /// Fields this pack reads from the case's `local` map, with their types.
    #[serde(default)]
    pub local_fields: BTreeMap<String, LocalFieldDef>,
}

/// The `[pack]` table.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PackSection {
    /// Stable id: lowercase letters, digits and hyphens, e.g. `england`.
    #[cfg_attr(test, schemars(with = "String"))]
    pub id: Spanned<String>,
    /// A readable name.
    pub name: String,
    /// The body responsible for the pack's policy.
    pub authority: String,
    /// The pack's version, e.g. `1.2.0`.
    pub version: String,
    /// What the pack covers.
    #[serde(default)]
    pub description: Option<String>,
    /// First day the pack's own rules are in force (`YYYY-MM-DD`), for those whose
    /// header gives no `effective_from` of its own.
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub effective_from: Option<Spanned<toml::Value>>,
    /// Last day the pack's own rules are in force, for those whose header gives no
    /// `effective_to` of its own.
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub effective_to: Option<Spanned<toml::Value>>,
    /// The id of the pack this one builds on.
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub extends: Option<Spanned<String>>,
}

/// An eligibility scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SchemeDef {
    /// A readable title.
    pub title: String,
    /// The law or policy that sets the scheme up.
    #[serde(default)]
    pub cites: Option<String>,
    /// The scheme's conditions, by the short name a `not_eligible` decision gives as
    /// its failed condition, each in words (e.g. `outcomes = "unable to achieve two or
    /// more of the specified outcomes (reg. 2(1)(b))"`), so a failed condition can be
    /// shown in words.
    #[serde(default)]
    pub conditions: BTreeMap<String, String>,
}

/// Someone escalations go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RecipientDef {
    /// A readable name, shown in results.
    pub name: String,
    /// How to reach them (a phone number, a team inbox), shown to people.
    #[serde(default)]
    pub contact: Option<String>,
    /// This recipient deliberately replaces a parent pack's recipient of the same id
    /// (without it, replacing one is a warning).
    #[serde(default, rename = "override", skip_serializing)]
    pub replaces: bool,
}

/// The type of a local case field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LocalType {
    /// `true` or `false`.
    Bool,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// Text.
    String,
    /// A date written `YYYY-MM-DD`.
    Date,
}

/// A local case field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LocalFieldDef {
    /// The field's type.
    #[serde(rename = "type")]
    pub kind: LocalType,
    /// What the field records.
    #[serde(default)]
    pub description: Option<String>,
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A whole number.
    Integer(i64),
    /// A number with a fraction.
    Number(f64),
    /// `true` or `false`.
    Bool(bool),
    /// Text.
    String(String),
    /// A date.
    Date(Date),
    /// A list of values.
    List(Vec<ParamValue>),
}

/// The type of a parameter: declared with `type`, or taken from its value. Overrides
/// (a child pack's value, a fixture's `params`) must have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// A whole number.
    Integer,
    /// Any number (a whole number is accepted).
    Number,
    /// `true` or `false`.
    Bool,
    /// Text.
    String,
    /// A date.
    Date,
    /// A list of values.
    List,
}

impl ParamType {
    /// The names `type` accepts, in the order the help lists them.
    pub(crate) const NAMES: &'static [&'static str] = &["integer", "number", "bool", "string", "date", "list"];

    fn from_name(name: &str) -> Option<ParamType> {
        Some(match name {
            "integer" => ParamType::Integer,
            "number" => ParamType::Number,
            "bool" => ParamType::Bool,
            "string" => ParamType::String,
            "date" => ParamType::Date,
            "list" => ParamType::List,
            _ => return None,
        })
    }

    /// The type of a value.
    pub fn of(value: &ParamValue) -> ParamType {
        match value {
            ParamValue::Integer(_) => ParamType::Integer,
            ParamValue::Number(_) => ParamType::Number,
            ParamValue::Bool(_) => ParamType::Bool,
            ParamValue::String(_) => ParamType::String,
            ParamValue::Date(_) => ParamType::Date,
            ParamValue::List(_) => ParamType::List,
        }
    }

    /// The type in words, e.g. `a whole number`.
    pub fn describe(self) -> &'static str {
        match self {
            ParamType::Integer => "a whole number",
            ParamType::Number => "a number",
            ParamType::Bool => "true or false",
            ParamType::String => "text",
            ParamType::Date => "a date",
            ParamType::List => "a list",
        }
    }

    /// Whether a value of type `other` may stand for a parameter of this type.
    pub(crate) fn accepts(self, other: ParamType) -> bool {
        self == other || (self == ParamType::Number && other == ParamType::Integer)
    }
}

impl ParamValue {
    pub(crate) fn describe_type(&self) -> &'static str {
        ParamType::of(self).describe()
    }

    /// A value from JSON: numbers, `true`/`false`, text and lists of those. Dates are
    /// text in JSON; the caller reads them as dates where the parameter is a date.
    pub(crate) fn from_json(value: &serde_json::Value) -> Result<ParamValue, String> {
        Ok(match value {
            serde_json::Value::Bool(b) => ParamValue::Bool(*b),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => ParamValue::Integer(i),
                (None, Some(f)) if f.is_finite() => ParamValue::Number(f),
                _ => return Err("the number is out of range".into()),
            },
            serde_json::Value::String(s) => ParamValue::String(s.clone()),
            serde_json::Value::Array(items) => {
                ParamValue::List(items.iter().map(ParamValue::from_json).collect::<Result<_, _>>()?)
            }
            serde_json::Value::Null => return Err("a parameter cannot be set to null".into()),
            serde_json::Value::Object(_) => return Err("a parameter cannot be an object".into()),
        })
    }
}

/// A parameter: its value (or none, when deliberately unset) and what it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameter {
    /// The value the rules see; `None` when the pack leaves it unset (`unset = true`).
    pub value: Option<ParamValue>,
    /// Its type: declared with `type`, or taken from the value.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// What the parameter controls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the value comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The value is not confirmed in a primary source (marked GK in DOMAIN.md).
    pub gk: bool,
    /// The pack whose manifest set the value.
    pub set_by: String,
    /// Declared as a new parameter of a pack that extends another (`local = true`).
    #[serde(skip)]
    pub(crate) local: bool,
    #[serde(skip)]
    pub(crate) span: (usize, usize),
}

/// A manifest, read and checked.
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    pub id: String,
    pub name: String,
    pub authority: String,
    pub version: String,
    pub description: Option<String>,
    pub effective_from: Option<Date>,
    pub effective_to: Option<Date>,
    /// The parent id and its byte span in the manifest.
    pub extends: Option<(String, (usize, usize))>,
    pub schemes: BTreeMap<String, SchemeDef>,
    pub recipients: BTreeMap<String, RecipientDef>,
    pub parameters: BTreeMap<String, Parameter>,
    pub local_fields: BTreeMap<String, LocalFieldDef>,
    pub source: SharedSource,
}

/// Whether `id` is a valid pack, scheme, recipient or rule id.
pub(crate) fn valid_id(id: &str, allow_dots: bool) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || (allow_dots && c == '.'))
}

fn valid_param_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Manifest {
    /// Reads a manifest. `source.name` is used in every problem's place.
    pub(crate) fn parse(source: SharedSource) -> Result<Manifest, Vec<PackProblem>> {
        // A syntax error stops the reading; otherwise each section is read on its own,
        // so a mistake in one does not hide those in the others.
        if let Err(err) = toml::from_str::<toml::Table>(&source.text) {
            return Err(vec![toml_problem(&source, &err)]);
        }
        // Every unknown key of a table first: serde stops at a table's first, and the
        // typed passes' error for that one is then already said.
        let unknown = unknown_keys(&source);
        let said: Vec<usize> = unknown.iter().map(|(start, _)| *start).collect();
        let mut problems: Vec<PackProblem> = unknown.into_iter().map(|(_, problem)| problem).collect();
        let mut pass = |result: Result<(), toml::de::Error>| {
            if let Err(err) = result {
                let unknown_key = err.message().starts_with("unknown field ");
                if unknown_key && err.span().is_some_and(|span| said.contains(&span.start)) {
                    return;
                }
                let problem = toml_problem(&source, &err);
                let seen = problems
                    .iter()
                    .any(|p: &PackProblem| p.message() == problem.message() && p.location() == problem.location());
                if !seen {
                    problems.push(problem);
                }
            }
        };
        pass(toml::from_str::<Sections>(&source.text).map(|_| ()));
        let mut pack = None;
        pass(toml::from_str::<PackPass>(&source.text).map(|p| pack = Some(p.pack)));
        let mut schemes = BTreeMap::new();
        pass(toml::from_str::<SchemesPass>(&source.text).map(|p| schemes = p.schemes));
        let mut recipients = BTreeMap::new();
        pass(toml::from_str::<RecipientsPass>(&source.text).map(|p| recipients = p.recipients));
        let mut parameters = BTreeMap::new();
        pass(toml::from_str::<ParametersPass>(&source.text).map(|p| parameters = p.parameters));
        let mut local_fields = BTreeMap::new();
        pass(toml::from_str::<LocalFieldsPass>(&source.text).map(|p| local_fields = p.local_fields));
        let Some(pack) = pack else {
            // The parameters are still checked, for their own mistakes.
            let lenient: Option<String> = toml::from_str::<toml::Table>(&source.text)
                .ok()
                .and_then(|t| t.get("pack")?.get("id")?.as_str().map(str::to_owned));
            read_parameters(parameters, &lenient.unwrap_or_default(), &source, &mut problems);
            return Err(problems);
        };
        let file = ManifestFile {
            pack,
            schemes,
            recipients,
            parameters,
            local_fields,
        };
        let id_span = file.pack.id.span();
        let id = file.pack.id.into_inner();
        if !valid_id(&id, false) {
            problems.push(
                PackProblem::new("careplan::manifest", format!("`{id}` is not a valid pack id"))
                    .at_span(&source, id_span.start, id_span.end - id_span.start)
                    .with_help("use lowercase letters, digits and hyphens, e.g. `england` or `elmshire`"),
            );
        }
        let (effective_from, effective_to) = effective_dates(
            (file.pack.effective_from, file.pack.effective_to),
            "careplan::manifest",
            "the pack",
            &source,
            |offset| offset,
            &mut problems,
        );
        for (kind, ids) in [
            ("scheme", file.schemes.keys().collect::<Vec<_>>()),
            ("recipient", file.recipients.keys().collect()),
        ] {
            for key in ids {
                if !valid_id(key, false) {
                    problems.push(
                        PackProblem::new("careplan::manifest", format!("`{key}` is not a valid {kind} id"))
                            .in_file(&source)
                            .with_help("use lowercase letters, digits and hyphens"),
                    );
                }
            }
        }
        for key in file.local_fields.keys() {
            if !valid_param_name(key) {
                problems.push(
                    PackProblem::new("careplan::manifest", format!("`{key}` is not a valid local field name"))
                        .in_file(&source)
                        .with_help("use lowercase letters, digits and underscores, starting with a letter"),
                );
            }
        }
        let parameters = read_parameters(file.parameters, &id, &source, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Manifest {
            id,
            name: file.pack.name,
            authority: file.pack.authority,
            version: file.pack.version,
            description: file.pack.description,
            effective_from,
            effective_to,
            extends: file.pack.extends.map(|spanned| {
                let span = spanned.span();
                (spanned.into_inner(), (span.start, span.end - span.start))
            }),
            schemes: file.schemes,
            recipients: file.recipients,
            parameters,
            local_fields: file.local_fields,
            source,
        })
    }
}

/// Reads each parameter of the `[parameters]` table, adding a problem for each mistake.
fn read_parameters(
    tables: BTreeMap<String, Spanned<toml::Value>>,
    id: &str,
    source: &SharedSource,
    problems: &mut Vec<PackProblem>,
) -> BTreeMap<String, Parameter> {
    let mut parameters = BTreeMap::new();
    for (name, spanned) in tables {
        let span = spanned.span();
        let span = (span.start, span.end - span.start);
        if !valid_param_name(&name) {
            problems.push(
                PackProblem::new("careplan::manifest", format!("`{name}` is not a valid parameter name"))
                    .at_span(source, span.0, span.1)
                    .with_help("use lowercase letters, digits and underscores, starting with a letter"),
            );
            continue;
        }
        match parameter_from_toml(spanned.into_inner(), id, span) {
            Ok(parameter) => {
                parameters.insert(name, parameter);
            }
            Err(message) => problems.push(
                PackProblem::new("careplan::manifest", format!("parameter `{name}`: {message}"))
                    .at_span(source, span.0, span.1),
            ),
        }
    }
    parameters
}

/// The keys of `[pack]`, as [`PackSection`] names them.
const PACK_KEYS: &[&str] = &[
    "id",
    "name",
    "authority",
    "version",
    "description",
    "effective_from",
    "effective_to",
    "extends",
];
/// The keys of a `[schemes.<id>]` table, as [`SchemeDef`] names them.
const SCHEME_KEYS: &[&str] = &["title", "cites", "conditions"];
/// The keys of a `[recipients.<id>]` table, as [`RecipientDef`] names them.
const RECIPIENT_KEYS: &[&str] = &["name", "contact", "override"];
/// The keys of a `[local_fields.<name>]` table, as [`LocalFieldDef`] names them.
const LOCAL_FIELD_KEYS: &[&str] = &["type", "description"];
/// The keys of a `[parameters.<name>]` table, as [`parameter_from_toml`] reads them.
const PARAMETER_KEYS: &[&str] = &["value", "type", "description", "source", "gk", "local", "unset"];

/// serde's message for an unknown field, word for word, so that a key found here reads
/// as the typed passes would have said it.
fn unknown_field(key: &str, expected: &[&str]) -> String {
    let names: Vec<String> = expected.iter().map(|name| format!("`{name}`")).collect();
    match names.as_slice() {
        [] => format!("unknown field `{key}`, there are no fields"),
        [one] => format!("unknown field `{key}`, expected {one}"),
        [first, second] => format!("unknown field `{key}`, expected {first} or {second}"),
        _ => format!("unknown field `{key}`, expected one of {}", names.join(", ")),
    }
}

/// The table a value is, if it is one.
fn de_table<'a, 'i>(value: &'a Spanned<toml::de::DeValue<'i>>) -> Option<&'a toml::de::DeTable<'i>> {
    match value.get_ref() {
        toml::de::DeValue::Table(table) => Some(table),
        _ => None,
    }
}

/// Every key of `[pack]` and of each `[schemes.<id>]`, `[recipients.<id>]`,
/// `[parameters.<name>]` and `[local_fields.<name>]` table that the manifest does not
/// define, each a problem at the key with the nearest key it may mean, with the byte
/// offset where the key starts, in the order of the text. serde stops at a table's
/// first unknown key; this finds them all. A section of the wrong shape is left to the
/// typed passes.
fn unknown_keys(source: &SharedSource) -> Vec<(usize, PackProblem)> {
    let Ok(document) = toml::de::DeTable::parse(&source.text) else {
        return Vec::new();
    };
    let document = document.get_ref();
    let mut found: Vec<(usize, PackProblem)> = Vec::new();
    let mut check = |table: &toml::de::DeTable<'_>, allowed: &[&str], parameter: Option<&str>| {
        for key in table.keys() {
            let name: &str = key.get_ref();
            if allowed.contains(&name) {
                continue;
            }
            let span = key.span();
            let nearest = crate::diagnostics::suggest::did_you_mean(name, allowed.iter().copied());
            let problem = match parameter {
                // A parameter's keys are read by hand, and said as `read_parameters` says
                // its other mistakes.
                Some(parameter) => {
                    let hint = nearest
                        .map(|best| format!("did you mean `{best}`? "))
                        .unwrap_or_default();
                    PackProblem::new(
                        "careplan::manifest",
                        format!(
                            "parameter `{parameter}`: unknown key `{name}`; {hint}a parameter table has `value`, `type`, `description`, `source`, `gk`, `local` and `unset`"
                        ),
                    )
                }
                None => {
                    let problem = PackProblem::new(
                        "careplan::manifest",
                        format!("invalid manifest: {}", unknown_field(name, allowed)),
                    );
                    match nearest {
                        Some(best) => problem.with_help(format!("did you mean `{best}`?")),
                        None => problem,
                    }
                }
            };
            found.push((
                span.start,
                problem
                    .at_span(source, span.start, span.end - span.start)
                    .with_label("here"),
            ));
        }
    };
    let section = |name: &str| document.get(name).and_then(de_table);
    if let Some(pack) = section("pack") {
        check(pack, PACK_KEYS, None);
    }
    for (name, allowed) in [
        ("schemes", SCHEME_KEYS),
        ("recipients", RECIPIENT_KEYS),
        ("local_fields", LOCAL_FIELD_KEYS),
    ] {
        for entry in section(name).into_iter().flat_map(|tables| tables.values()) {
            if let Some(table) = de_table(entry) {
                check(table, allowed, None);
            }
        }
    }
    for (name, entry) in section("parameters").into_iter().flat_map(|tables| tables.iter()) {
        if let Some(table) = de_table(entry) {
            let name: &str = name.get_ref();
            check(table, PARAMETER_KEYS, Some(name));
        }
    }
    found.sort_by_key(|(start, _)| *start);
    found
}

/// A TOML or schema error of a manifest, at its place.
fn toml_problem(source: &SharedSource, err: &toml::de::Error) -> PackProblem {
    let (offset, len) = err.span().map_or((0, 0), |r| (r.start, r.end - r.start));
    PackProblem::new("careplan::manifest", format!("invalid manifest: {}", err.message()))
        .at_span(source, offset, len)
        .with_label("here")
}

/// The manifest's sections, for unknown ones.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "read only for their names")]
struct Sections {
    pack: serde::de::IgnoredAny,
    #[serde(default)]
    schemes: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    recipients: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    parameters: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    local_fields: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct PackPass {
    pack: PackSection,
}

#[derive(Deserialize)]
struct SchemesPass {
    #[serde(default)]
    schemes: BTreeMap<String, SchemeDef>,
}

#[derive(Deserialize)]
struct RecipientsPass {
    #[serde(default)]
    recipients: BTreeMap<String, RecipientDef>,
}

#[derive(Deserialize)]
struct ParametersPass {
    #[serde(default)]
    parameters: BTreeMap<String, Spanned<toml::Value>>,
}

#[derive(Deserialize)]
struct LocalFieldsPass {
    #[serde(default)]
    local_fields: BTreeMap<String, LocalFieldDef>,
}

/// Reads a pair of `effective_from` / `effective_to` values, adding a problem for each
/// that is not a date and one if the span ends before it starts. `to_file` maps an
/// offset in the parsed TOML to an offset in `source` (they differ in rule headers).
pub(crate) fn effective_dates(
    (from, to): (Option<Spanned<toml::Value>>, Option<Spanned<toml::Value>>),
    code: &'static str,
    what: &str,
    source: &SharedSource,
    to_file: impl Fn(usize) -> usize,
    problems: &mut Vec<PackProblem>,
) -> (Option<Date>, Option<Date>) {
    let mut date = |value: Option<Spanned<toml::Value>>, key: &str| -> Option<Date> {
        let value = value?;
        match date_from_toml(value.get_ref()) {
            Ok(date) => Some(date),
            Err(message) => {
                let span = value.span();
                problems.push(PackProblem::new(code, format!("invalid `{key}`: {message}")).at_span(
                    source,
                    to_file(span.start),
                    span.end - span.start,
                ));
                None
            }
        }
    };
    let from = date(from, "effective_from");
    let to = date(to, "effective_to");
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            problems.push(
                PackProblem::new(code, format!("{what} ends (`{to}`) before it starts (`{from}`)")).in_file(source),
            );
        }
    }
    (from, to)
}

/// A date from a TOML date literal (`2015-04-01`) or a string (`"2015-04-01"`).
pub(crate) fn date_from_toml(value: &toml::Value) -> Result<Date, String> {
    match value {
        toml::Value::String(text) => text.parse().map_err(|e: crate::DateError| e.to_string()),
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(date), None, None) => Date::new(date.year as i16, date.month as i8, date.day as i8)
                .ok_or_else(|| format!("`{dt}` is not a date careplan supports")),
            _ => Err(format!("`{dt}` has a time; write the date alone, e.g. `2015-04-01`")),
        },
        other => Err(format!("expected a date, found {}", other.type_str())),
    }
}

fn param_value(value: toml::Value) -> Result<ParamValue, String> {
    Ok(match value {
        toml::Value::Integer(i) => ParamValue::Integer(i),
        toml::Value::Float(f) if f.is_finite() => ParamValue::Number(f),
        toml::Value::Float(_) => return Err("a number must be finite".into()),
        toml::Value::Boolean(b) => ParamValue::Bool(b),
        toml::Value::String(s) => ParamValue::String(s),
        dt @ toml::Value::Datetime(_) => ParamValue::Date(date_from_toml(&dt)?),
        toml::Value::Array(items) => ParamValue::List(items.into_iter().map(param_value).collect::<Result<_, _>>()?),
        toml::Value::Table(_) => return Err("a value cannot be a table".into()),
    })
}

fn parameter_from_toml(value: toml::Value, pack: &str, span: (usize, usize)) -> Result<Parameter, String> {
    let toml::Value::Table(mut table) = value else {
        let value = param_value(value)?;
        return Ok(Parameter {
            kind: ParamType::of(&value),
            value: Some(value),
            description: None,
            source: None,
            gk: false,
            set_by: pack.to_owned(),
            local: false,
            span,
        });
    };
    let text = |table: &mut toml::Table, key: &str| -> Result<Option<String>, String> {
        match table.remove(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(format!("`{key}` must be text, found {}", other.type_str())),
        }
    };
    let flag = |table: &mut toml::Table, key: &str| -> Result<bool, String> {
        match table.remove(key) {
            None => Ok(false),
            Some(toml::Value::Boolean(b)) => Ok(b),
            Some(other) => Err(format!("`{key}` must be true or false, found {}", other.type_str())),
        }
    };
    let description = text(&mut table, "description")?;
    let source = text(&mut table, "source")?;
    let gk = flag(&mut table, "gk")?;
    let local = flag(&mut table, "local")?;
    let unset = flag(&mut table, "unset")?;
    let declared = match text(&mut table, "type")? {
        None => None,
        Some(name) => Some(ParamType::from_name(&name).ok_or_else(|| {
            let names = ParamType::NAMES.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
            let hint = crate::diagnostics::suggest::did_you_mean(&name, ParamType::NAMES.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            format!(
                "`type` is `{name}`; {hint}a parameter's type is one of {}",
                names.join(", ")
            )
        })?),
    };
    // Any other key is left in `table`: `unknown_keys` has said each at its place.
    let value = table.remove("value").map(param_value).transpose()?;
    let kind = match (&value, declared, unset) {
        (Some(_), _, true) => return Err("has both a `value` and `unset = true`; give one or the other".into()),
        (None, _, false) => {
            return Err("has no `value`; give it one, or write `unset = true` with its `type` to leave it deliberately unset".into())
        }
        (None, None, true) => {
            return Err("is unset but has no `type`; write its type, e.g. `type = \"integer\"`, so values given later can be checked".into())
        }
        (None, Some(kind), true) => kind,
        (Some(value), Some(kind), false) => {
            let found = ParamType::of(value);
            if !kind.accepts(found) {
                return Err(format!("its `type` is {}, but its `value` is {}", kind.describe(), found.describe()));
            }
            kind
        }
        (Some(value), None, false) => ParamType::of(value),
    };
    Ok(Parameter {
        value,
        kind,
        description,
        source,
        gk,
        set_by: pack.to_owned(),
        local,
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, Vec<String>> {
        Manifest::parse(SharedSource::new("pack.toml", text)).map_err(|problems| {
            problems
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}",
                        p.location().map(|l| l.to_string()).unwrap_or_default(),
                        p.message()
                    )
                })
                .collect()
        })
    }

    const MINIMAL: &str = "[pack]\nid = \"england\"\nname = \"n\"\nauthority = \"a\"\nversion = \"1.0.0\"\n";

    #[test]
    fn reads_parameters_in_both_forms() {
        let text = format!(
            "{MINIMAL}[parameters]\nweeks = 6\nstart = 2015-04-01\n[parameters.months]\nvalue = 12\ngk = true\n[parameters.unset]\ndescription = \"not known\"\nunset = true\ntype = \"integer\"\n"
        );
        let manifest = parse(&text).expect("valid manifest");
        assert_eq!(manifest.parameters["weeks"].value, Some(ParamValue::Integer(6)));
        assert_eq!(
            manifest.parameters["start"].value,
            Some(ParamValue::Date(Date::new(2015, 4, 1).expect("valid")))
        );
        assert!(manifest.parameters["months"].gk);
        assert_eq!(manifest.parameters["unset"].value, None);
        assert_eq!(manifest.parameters["unset"].kind, ParamType::Integer);
    }

    #[test]
    fn reports_mistakes_in_every_section_at_once() {
        let text = "[pack]\nid = \"x\"\nname = \"n\"\nauthority = \"a\"\nversion = \"1\"\ncolour = \"blue\"\n\
                    [schemes.s]\ntitel = \"t\"\n[recipients.r]\nname = \"r\"\nphone = \"1\"\n[parameters.p]\ndescription = \"d\"\n";
        let errors = parse(text).map(|_| ()).expect_err("four mistakes");
        assert_eq!(errors.len(), 4, "{errors:?}");
        for expected in ["`colour`", "`titel`", "`phone`", "parameter `p`"] {
            assert!(errors.iter().any(|e| e.contains(expected)), "{expected}: {errors:?}");
        }
    }

    #[test]
    fn a_parameter_table_says_what_it_means() {
        let cases = [
            ("[parameters.a]\ndescription = \"d\"\n", "has no `value`"),
            ("[parameters.a]\nunset = true\n", "is unset but has no `type`"),
            (
                "[parameters.a]\nvalue = \"80\"\ntype = \"integer\"\n",
                "its `type` is a whole number, but its `value` is text",
            ),
            (
                "[parameters.a]\nvalue = 1\ntype = \"interger\"\n",
                "did you mean `integer`?",
            ),
            ("[parameters.a]\nvalue = 1\nvalu = 2\n", "did you mean `value`?"),
            (
                "[parameters.a]\nvalue = 1\nunset = true\n",
                "both a `value` and `unset = true`",
            ),
        ];
        for (table, expected) in cases {
            let errors = parse(&format!("{MINIMAL}{table}")).map(|_| ()).expect_err(table);
            assert!(errors.iter().any(|e| e.contains(expected)), "{table}: {errors:?}");
        }
        let number = parse(&format!("{MINIMAL}[parameters.a]\nvalue = 2\ntype = \"number\"\n")).expect("valid");
        assert_eq!(number.parameters["a"].kind, ParamType::Number);
    }

    #[test]
    fn reports_bad_values_at_their_place() {
        let text = "[pack]\nid = \"England\"\nname = \"n\"\nauthority = \"a\"\nversion = \"1\"\neffective_from = \"2015-02-30\"\n";
        assert_eq!(
            parse(text).map(|_| ()),
            Err(vec![
                "pack.toml:2:6: `England` is not a valid pack id".to_owned(),
                "pack.toml:6:18: invalid `effective_from`: `2015-02-30` is not a real calendar date".to_owned(),
            ])
        );
        assert_eq!(
            parse("[pack]\nid = \"x\"\nnme = \"n\"\n").map(|_| ()),
            Err(vec!["pack.toml:3:1: invalid manifest: unknown field `nme`, expected one of `id`, `name`, `authority`, `version`, `description`, `effective_from`, `effective_to`, `extends`".to_owned()])
        );
    }

    #[test]
    fn reports_every_unknown_key_of_a_table_at_its_own_line() {
        let text = "[pack]\nid = \"x\"\nnme = \"n\"\nauthority = \"a\"\nversion = \"1\"\nverison = \"2\"\n\
                    [parameters.weeks]\nvalue = 6\nvaleu = 8\n";
        let expected_keys =
            "`id`, `name`, `authority`, `version`, `description`, `effective_from`, `effective_to`, `extends`";
        assert_eq!(
            parse(text).map(|_| ()),
            Err(vec![
                format!("pack.toml:3:1: invalid manifest: unknown field `nme`, expected one of {expected_keys}"),
                format!("pack.toml:6:1: invalid manifest: unknown field `verison`, expected one of {expected_keys}"),
                "pack.toml:9:1: parameter `weeks`: unknown key `valeu`; did you mean `value`? a parameter table has `value`, `type`, `description`, `source`, `gk`, `local` and `unset`".to_owned(),
            ])
        );
        let problems = Manifest::parse(SharedSource::new("pack.toml", text))
            .map(|_| ())
            .expect_err("three mistakes");
        let helps: Vec<Option<&str>> = problems.iter().map(PackProblem::help_text).collect();
        assert_eq!(
            helps,
            [Some("did you mean `name`?"), Some("did you mean `version`?"), None]
        );
        // Each at its key.
        let columns: Vec<(usize, usize)> = problems
            .iter()
            .filter_map(|p| p.location().map(|l| (l.line, l.column)))
            .collect();
        assert_eq!(columns, [(3, 1), (6, 1), (9, 1)]);
    }

    #[test]
    fn the_keys_each_table_allows_are_those_its_type_reads() {
        fn refused<T: serde::de::DeserializeOwned>(text: &str) -> String {
            toml::from_str::<T>(text)
                .map(|_| ())
                .map_err(|e| e.message().to_owned())
                .expect_err(text)
        }
        assert_eq!(refused::<PackSection>("zz = 1\n"), unknown_field("zz", PACK_KEYS));
        assert_eq!(refused::<SchemeDef>("zz = 1\n"), unknown_field("zz", SCHEME_KEYS));
        assert_eq!(refused::<RecipientDef>("zz = 1\n"), unknown_field("zz", RECIPIENT_KEYS));
        assert_eq!(
            refused::<LocalFieldDef>("zz = 1\n"),
            unknown_field("zz", LOCAL_FIELD_KEYS)
        );
        assert_eq!(
            unknown_field("zz", &["a", "b"]),
            "unknown field `zz`, expected `a` or `b`"
        );
        assert_eq!(unknown_field("zz", &["a"]), "unknown field `zz`, expected `a`");
        // None of the keys a parameter table may have is taken for an unknown one.
        let table = "[parameters.p]\nvalue = 1\ntype = \"integer\"\ndescription = \"d\"\nsource = \"s\"\ngk = true\nlocal = false\n";
        assert!(parse(&format!("{MINIMAL}{table}")).is_ok());
        let unset = "[parameters.p]\nunset = true\ntype = \"integer\"\n";
        assert!(parse(&format!("{MINIMAL}{unset}")).is_ok());
    }
}
