//! The JSON Schemas of the case, the evaluation and `pack.toml`, as text.
//!
//! They are generated from the Rust types with schemars, but only by this module's
//! tests, which fail when a file under `crates/core/schemas/` differs from what the
//! types say (run them with `CAREPLAN_UPDATE_SCHEMAS=1` to rewrite the files). So the
//! schemas cannot drift from the types, and the Wasm component carries the text without
//! carrying a schema generator. Each comes readable (`*_PRETTY`, what `careplan schema`
//! prints) and compact (the same tokens in the same order without the layout, what the
//! component returns); the build script makes the compact form.

use std::sync::OnceLock;

use serde_json::Value;

/// The JSON Schema of the case a host sends, compact.
pub const CASE: &str = include_str!(concat!(env!("OUT_DIR"), "/case.min.json"));
/// The case schema, pretty-printed, with a final newline.
pub const CASE_PRETTY: &str = include_str!("../../schemas/case.schema.json");

/// The JSON Schema of the evaluation careplan returns, compact.
pub const EVALUATION: &str = include_str!(concat!(env!("OUT_DIR"), "/evaluation.min.json"));
/// The evaluation schema, pretty-printed, with a final newline.
pub const EVALUATION_PRETTY: &str = include_str!("../../schemas/evaluation.schema.json");

/// The JSON Schema of a pack's `pack.toml`, compact.
pub const MANIFEST: &str = include_str!(concat!(env!("OUT_DIR"), "/manifest.min.json"));
/// The manifest schema, pretty-printed, with a final newline.
pub const MANIFEST_PRETTY: &str = include_str!("../../schemas/manifest.schema.json");

/// The case schema for one pack: `local` lists the pack's local fields, with their
/// types, and allows no others. Pretty-printed, with a final newline.
pub fn case_for_pack(local_fields: &std::collections::BTreeMap<String, crate::LocalFieldDef>) -> String {
    let mut schema = case().clone();
    if let Some(local) = schema.pointer_mut("/properties/local") {
        *local = local_schema(local_fields);
    }
    pretty(&schema)
}

fn local_schema(local_fields: &std::collections::BTreeMap<String, crate::LocalFieldDef>) -> Value {
    use crate::LocalType;
    let properties: serde_json::Map<String, Value> = local_fields
        .iter()
        .map(|(name, field)| {
            let mut property = match field.kind {
                LocalType::Bool => serde_json::json!({"type": ["boolean", "null"]}),
                LocalType::Integer => serde_json::json!({"type": ["integer", "null"]}),
                LocalType::Number => serde_json::json!({"type": ["number", "null"]}),
                LocalType::String => serde_json::json!({"type": ["string", "null"]}),
                LocalType::Date => serde_json::json!({"type": ["string", "null"], "format": "date"}),
            };
            if let (Some(description), Some(object)) = (&field.description, property.as_object_mut()) {
                object.insert("description".into(), Value::String(description.clone()));
            }
            (name.clone(), property)
        })
        .collect();
    serde_json::json!({
        "description": "Fields the pack declares under `[local_fields]`, with their types.",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "default": {},
    })
}

/// The JSON Schema of a fixture file (`tests/*.json`): its case is a case of the pack's
/// schema and its `params` are the pack's parameters with their types; without a pack,
/// `local` and `params` are open. Pretty-printed, with a final newline.
pub fn fixture(
    local_fields: Option<&std::collections::BTreeMap<String, crate::LocalFieldDef>>,
    parameters: Option<&std::collections::BTreeMap<String, crate::Parameter>>,
) -> String {
    use crate::ParamType;
    let mut case_schema = case().clone();
    let defs = case_schema
        .as_object_mut()
        .and_then(|o| {
            o.remove("$schema");
            o.remove("$defs")
        })
        .unwrap_or_else(|| serde_json::json!({}));
    let mut params = serde_json::json!({
        "description": "Parameters set to other values for this fixture, as a local pack would set them; each must be a parameter of the pack, with its type.",
        "type": "object",
    });
    if let (Some(local_fields), Some(local)) = (local_fields, case_schema.pointer_mut("/properties/local")) {
        *local = local_schema(local_fields);
    }
    if let Some(parameters) = parameters {
        let properties: serde_json::Map<String, Value> = parameters
            .iter()
            .map(|(name, parameter)| {
                let mut property = match parameter.kind {
                    ParamType::Integer => serde_json::json!({"type": "integer"}),
                    ParamType::Number => serde_json::json!({"type": "number"}),
                    ParamType::Bool => serde_json::json!({"type": "boolean"}),
                    ParamType::String => serde_json::json!({"type": "string"}),
                    ParamType::Date => serde_json::json!({"type": "string", "format": "date"}),
                    ParamType::List => serde_json::json!({"type": "array"}),
                };
                if let (Some(description), Some(object)) = (&parameter.description, property.as_object_mut()) {
                    object.insert("description".into(), Value::String(description.clone()));
                }
                (name.clone(), property)
            })
            .collect();
        if let Some(object) = params.as_object_mut() {
            object.insert("properties".into(), Value::Object(properties));
            object.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
    let mut defs = defs;
    if let Some(object) = defs.as_object_mut() {
        object.insert("Case".into(), case_schema);
    }
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Fixture",
        "description": "A careplan fixture: a case, an as-of date, and what its evaluation must hold (`expect`, matched partially) or the error it must give (`expect_error`).",
        "type": "object",
        "properties": {
            "description": {"description": "What the fixture checks, in words.", "type": "string"},
            "as_of": {"description": "The as-of date, `YYYY-MM-DD`.", "type": "string"},
            "case": {"$ref": "#/$defs/Case"},
            "expect": {"description": "What the evaluation must hold: an object matches on the keys it names, a list item by item.", "type": "object"},
            "expect_error": {"description": "The error the fixture must give, matched partially against the error JSON.", "type": "object"},
            "params": params,
            "skip": {"description": "Why the fixture is skipped.", "type": "string"},
        },
        "required": ["as_of", "case"],
        "additionalProperties": false,
        "not": {"required": ["expect", "expect_error"]},
        "$defs": defs,
    });
    pretty(&schema)
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The case schema, parsed once.
pub(crate) fn case() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    // The text is checked to be the schema of the types by the tests below.
    SCHEMA.get_or_init(|| serde_json::from_str(CASE).unwrap_or_default())
}

/// Every property name in the case schema, for "did you mean" help and for the
/// record's getters.
pub(crate) fn case_field_names() -> &'static Vec<String> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = Vec::new();
        collect_properties(case(), &mut names);
        names.sort();
        names.dedup();
        names
    })
}

fn collect_properties(value: &serde_json::Value, names: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                names.extend(properties.keys().cloned());
            }
            for child in map.values() {
                collect_properties(child, names);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_properties(i, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn check(file: &str, committed: &str, schema: schemars::Schema) {
        let generated = serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n";
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas").join(file);
        if std::env::var_os("CAREPLAN_UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &generated).expect("write the schema");
        } else {
            assert!(
                generated == committed,
                "{} is stale: run `CAREPLAN_UPDATE_SCHEMAS=1 cargo test -p careplan-core schema` and commit it",
                path.display()
            );
        }
    }

    #[test]
    fn committed_schemas_match_the_types() {
        check("case.schema.json", CASE_PRETTY, schemars::schema_for!(crate::Case));
        check(
            "evaluation.schema.json",
            EVALUATION_PRETTY,
            schemars::schema_for!(crate::Evaluation),
        );
        check(
            "manifest.schema.json",
            MANIFEST_PRETTY,
            schemars::schema_for!(crate::model::manifest::ManifestFile),
        );
    }

    #[test]
    fn compact_schemas_are_the_same_documents_in_the_same_order() {
        for (compact, pretty) in [
            (CASE, CASE_PRETTY),
            (EVALUATION, EVALUATION_PRETTY),
            (MANIFEST, MANIFEST_PRETTY),
        ] {
            assert!(!compact.contains('\n') && compact.len() < pretty.len());
            let value: Value = serde_json::from_str(pretty).expect("the pretty schema is JSON");
            assert_eq!(
                serde_json::from_str::<Value>(compact).expect("the compact schema is JSON"),
                value
            );
            // Only the layout between tokens went: the strings, in order, are the same.
            let strings = |text: &str| {
                text.split('"')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            assert_eq!(strings(compact), strings(pretty));
        }
    }

    #[test]
    fn the_case_schema_parses() {
        assert!(case()["properties"]["person"].is_object());
    }
}
