//! The FHIR input as a list of resources, each with its FHIR path.
//!
//! Three shapes are accepted: a `Bundle` (of any type, nested Bundles included, such as
//! the searchsets of a prefetch), a single resource, and a CDS Hooks `prefetch` object,
//! whose keys name a resource, a Bundle or `null` (no data).

use serde_json::Value;

use crate::error::{Note, Problem};

/// One resource of the input.
#[derive(Debug)]
pub(crate) struct Entry<'a> {
    /// Its FHIR path, e.g. `Bundle.entry[2].resource` or `prefetch.patient`.
    pub path: String,
    /// `resourceType`.
    pub kind: &'a str,
    /// `id`, when it has one.
    pub id: Option<&'a str>,
    /// The Bundle entry's `fullUrl`, when it has one.
    pub full_url: Option<&'a str>,
    /// The resource.
    pub value: &'a Value,
}

/// Nested Bundles deeper than this are refused: a prefetch nests one level.
const MAX_DEPTH: usize = 8;

/// Parses JSON text, reporting a syntax error at its line and column as a problem
/// saying that `what` (e.g. "the FHIR input") is not JSON.
pub(crate) fn parse(text: &str, what: &str) -> Result<Value, Problem> {
    serde_json::from_str(text).map_err(|err| {
        let message = err.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| message.get(..i).unwrap_or_default());
        let problem = Problem::new("", format!("{what} is not JSON: {message}"));
        if err.line() > 0 {
            problem.at(err.line(), err.column())
        } else {
            problem
        }
    })
}

/// Every resource of `input`, with the problems and notes of reading it.
pub(crate) fn entries<'a>(input: &'a Value, problems: &mut Vec<Problem>, notes: &mut Vec<Note>) -> Vec<Entry<'a>> {
    let mut out = Vec::new();
    match input {
        Value::Object(map) if map.contains_key("resourceType") => {
            let kind = map.get("resourceType").and_then(Value::as_str).unwrap_or("Resource");
            resource(input, kind.to_owned(), None, 0, &mut out, problems, notes);
        }
        Value::Object(map) => {
            for (key, value) in map {
                let path = format!("prefetch.{key}");
                match value {
                    Value::Null => notes.push(Note {
                        path,
                        message: "the client sent no data for this prefetch key (`null`)".to_owned(),
                    }),
                    Value::Object(_) => resource(value, path, None, 0, &mut out, problems, notes),
                    _ => problems.push(Problem::new(
                        path,
                        "a prefetch value must be a FHIR resource, a Bundle or `null`",
                    )),
                }
            }
        }
        _ => problems.push(
            Problem::new(
                "",
                "the FHIR input must be a JSON object: a Bundle, a resource, or a CDS Hooks prefetch object",
            )
            .with_help(
                "send a Bundle such as `{\"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": [...]}`",
            ),
        ),
    }
    out
}

fn resource<'a>(
    value: &'a Value,
    path: String,
    full_url: Option<&'a str>,
    depth: usize,
    out: &mut Vec<Entry<'a>>,
    problems: &mut Vec<Problem>,
    notes: &mut Vec<Note>,
) {
    let Some(kind) = value.get("resourceType").and_then(Value::as_str) else {
        problems.push(Problem::new(
            path,
            "this is not a FHIR resource: it has no `resourceType`",
        ));
        return;
    };
    let id = match value.get("id") {
        None => None,
        Some(Value::String(id)) => Some(id.as_str()),
        Some(_) => {
            problems.push(Problem::new(format!("{path}.id"), "a resource id must be a string"));
            return;
        }
    };
    match kind {
        "Bundle" => bundle(value, &path, depth, out, problems, notes),
        "OperationOutcome" => problems.push(
            Problem::new(
                path,
                "an OperationOutcome is here instead of data: the FHIR server or the client reported an error",
            )
            .with_help("fetch the resources again, or leave the key out so that careplan can say what is missing"),
        ),
        _ => out.push(Entry {
            path,
            kind,
            id,
            full_url,
            value,
        }),
    }
}

fn bundle<'a>(
    value: &'a Value,
    path: &str,
    depth: usize,
    out: &mut Vec<Entry<'a>>,
    problems: &mut Vec<Problem>,
    notes: &mut Vec<Note>,
) {
    if depth >= MAX_DEPTH {
        problems.push(Problem::new(
            path,
            format!("Bundles are nested more than {MAX_DEPTH} deep"),
        ));
        return;
    }
    let entries = match value.get("entry") {
        None => return,
        Some(Value::Array(entries)) => entries,
        Some(_) => {
            problems.push(Problem::new(format!("{path}.entry"), "`entry` must be an array"));
            return;
        }
    };
    for (i, entry) in entries.iter().enumerate() {
        let entry_path = format!("{path}.entry[{i}]");
        let full_url = match entry.get("fullUrl") {
            None => None,
            Some(Value::String(url)) => Some(url.as_str()),
            Some(_) => {
                problems.push(Problem::new(
                    format!("{entry_path}.fullUrl"),
                    "`fullUrl` must be a string",
                ));
                continue;
            }
        };
        match entry.get("resource") {
            Some(resource_value @ Value::Object(_)) => resource(
                resource_value,
                format!("{entry_path}.resource"),
                full_url,
                depth + 1,
                out,
                problems,
                notes,
            ),
            Some(_) => problems.push(Problem::new(
                format!("{entry_path}.resource"),
                "`resource` must be an object",
            )),
            None => notes.push(Note {
                path: entry_path,
                message: "this entry has no resource (a request or a response only); nothing in it was read".to_owned(),
            }),
        }
    }
}
