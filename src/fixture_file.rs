//! Editing a fixture file in place: `careplan test --update` replaces the value of the
//! top-level `expect` key and leaves every other byte of the author's file as it was.
//!
//! serde_json's maps are sorted here (its `preserve_order` feature stays off: it would
//! change the order of core's output between builds), so the new value is written by
//! hand, its keys in the order the author wrote them, then in the engine's order.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The byte range of the value of `key` in the top-level object of `text`, if the text
/// is a JSON object holding that key.
fn value_span(text: &str, key: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut expecting_key = false;
    while i < bytes.len() {
        match bytes.get(i)? {
            b'"' => {
                let end = string_end(bytes, i)?;
                if depth == 1 && expecting_key && text.get(i + 1..end)? == key {
                    // Skip to the colon, then whitespace, to the value.
                    let mut j = end + 1;
                    while bytes.get(j)?.is_ascii_whitespace() || *bytes.get(j)? == b':' {
                        j += 1;
                    }
                    return Some((j, value_end(bytes, j)?));
                }
                expecting_key = false;
                i = end;
            }
            b'{' => {
                depth += 1;
                expecting_key = depth == 1;
            }
            b'[' => depth += 1,
            b'}' | b']' => depth = depth.checked_sub(1)?,
            b',' if depth == 1 => expecting_key = true,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote closing the string that opens at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
}

/// The index just past the JSON value that starts at `start`.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => Some(string_end(bytes, start)? + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            loop {
                match bytes.get(i)? {
                    b'"' => i = string_end(bytes, i)?,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = start;
            while bytes
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
            {
                i += 1;
            }
            Some(i)
        }
    }
}

/// The shape of a JSON value with each object's keys in the order they are written,
/// which is all `replace_expect` needs to know of the old value and of the evaluation.
enum Ordered {
    /// Anything but an array or an object.
    Scalar,
    /// An array's items.
    Array(Vec<Ordered>),
    /// An object's members, in the order of the text.
    Object(Vec<(String, Ordered)>),
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E: Error>(self, _: bool) -> Result<Ordered, E> {
        Ok(Ordered::Scalar)
    }

    fn visit_i64<E: Error>(self, _: i64) -> Result<Ordered, E> {
        Ok(Ordered::Scalar)
    }

    fn visit_u64<E: Error>(self, _: u64) -> Result<Ordered, E> {
        Ok(Ordered::Scalar)
    }

    fn visit_f64<E: Error>(self, _: f64) -> Result<Ordered, E> {
        Ok(Ordered::Scalar)
    }

    fn visit_str<E: Error>(self, _: &str) -> Result<Ordered, E> {
        Ok(Ordered::Scalar)
    }

    fn visit_unit<E: Error>(self) -> Result<Ordered, E> {
        Ok(Ordered::Scalar)
    }

    fn visit_none<E: Error>(self) -> Result<Ordered, E> {
        Ok(Ordered::Scalar)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Ordered, D::Error> {
        Ordered::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut items = Vec::new();
        while let Some(element) = seq.next_element()? {
            items.push(element);
        }
        Ok(Ordered::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Ordered>()? {
            entries.push(entry);
        }
        Ok(Ordered::Object(entries))
    }
}

/// The members of `ordered` when it is an object; none otherwise.
fn members(ordered: Option<&Ordered>) -> &[(String, Ordered)] {
    match ordered {
        Some(Ordered::Object(entries)) => entries,
        _ => &[],
    }
}

/// The value of `key` in `ordered`, when it is an object that has it.
fn member<'a>(ordered: Option<&'a Ordered>, key: &str) -> Option<&'a Ordered> {
    members(ordered)
        .iter()
        .find(|(name, _)| name.as_str() == key)
        .map(|(_, value)| value)
}

/// Item `index` of `ordered`, when it is an array that long.
fn item(ordered: Option<&Ordered>, index: usize) -> Option<&Ordered> {
    match ordered {
        Some(Ordered::Array(items)) => items.get(index),
        _ => None,
    }
}

/// The members of `map` in the order to write them: first the keys `old` has, in its
/// order, then those `canonical` has, in its order, then the rest, sorted.
fn ordered_members<'a>(
    map: &'a Map<String, Value>,
    old: Option<&Ordered>,
    canonical: Option<&Ordered>,
) -> Vec<(&'a String, &'a Value)> {
    let written = members(old)
        .iter()
        .chain(members(canonical))
        .map(|(key, _)| key.as_str());
    let mut seen = BTreeSet::new();
    let mut ordered = Vec::with_capacity(map.len());
    for key in written.chain(map.keys().map(String::as_str)) {
        if let Some((key, value)) = map.get_key_value(key) {
            if seen.insert(key) {
                ordered.push((key, value));
            }
        }
    }
    ordered
}

fn push_indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Writes `value` as `serde_json::to_string_pretty` does (two spaces a level, `depth`
/// levels in), but with each object's keys in the order [`ordered_members`] gives,
/// `old` and `canonical` walked beside `value`: arrays item by item, objects key by key.
fn write_pretty(
    out: &mut String,
    value: &Value,
    old: Option<&Ordered>,
    canonical: Option<&Ordered>,
    depth: usize,
) -> Result<(), serde_json::Error> {
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (index, child) in items.iter().enumerate() {
                out.push_str(if index == 0 { "\n" } else { ",\n" });
                push_indent(out, depth + 1);
                write_pretty(out, child, item(old, index), item(canonical, index), depth + 1)?;
            }
            out.push('\n');
            push_indent(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (index, (key, child)) in ordered_members(map, old, canonical).into_iter().enumerate() {
                out.push_str(if index == 0 { "\n" } else { ",\n" });
                push_indent(out, depth + 1);
                out.push_str(&serde_json::to_string(key)?);
                out.push_str(": ");
                write_pretty(out, child, member(old, key), member(canonical, key), depth + 1)?;
            }
            out.push('\n');
            push_indent(out, depth);
            out.push('}');
        }
        // Scalars, `[]` and `{}`.
        other => out.push_str(&serde_json::to_string(other)?),
    }
    Ok(())
}

/// `text` with the value of its top-level `expect` replaced by `value`, pretty-printed
/// and indented to sit where the old value was; `None` when there is no such key.
///
/// Each object's keys are written in the order the old value at the same place has
/// them, then, for keys it does not have, in the order of `canonical` (the engine's
/// evaluation JSON, whose keys come in the order of its types: `eligibility` before
/// `reviews`), then sorted. Arrays are matched item by item and objects key by key, so
/// the rule holds for objects inside arrays too.
pub fn replace_expect(text: &str, value: &Value, canonical: Option<&str>) -> Option<String> {
    let (start, end) = value_span(text, "expect")?;
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text
        .get(line_start..start)?
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let old: Option<Ordered> = serde_json::from_str(text.get(start..end)?).ok();
    let canonical: Option<Ordered> = canonical.and_then(|json| serde_json::from_str(json).ok());
    let mut pretty = String::new();
    write_pretty(&mut pretty, value, old.as_ref(), canonical.as_ref(), 0).ok()?;
    let indented = pretty.replace('\n', &format!("\n{indent}"));
    Some(format!("{}{indented}{}", text.get(..start)?, text.get(end..)?))
}

#[cfg(test)]
mod tests {
    use super::{replace_expect, write_pretty};
    use serde_json::json;

    #[test]
    fn replaces_only_the_expect_value() {
        let text = "{\n  \"description\": \"a \\\"quoted\\\" expect: {\",\n  \"case\": {\"expect\": 1},\n  \"expect\": { \"reviews\": [] },\n  \"as_of\": \"2025-01-01\"\n}\n";
        let updated = replace_expect(text, &json!({"reviews": [{"due": "2025-02-01"}]}), None).expect("has expect");
        assert_eq!(
            updated,
            "{\n  \"description\": \"a \\\"quoted\\\" expect: {\",\n  \"case\": {\"expect\": 1},\n  \"expect\": {\n    \"reviews\": [\n      {\n        \"due\": \"2025-02-01\"\n      }\n    ]\n  },\n  \"as_of\": \"2025-01-01\"\n}\n"
        );
        assert_eq!(replace_expect("{\"case\": {\"expect\": {}}}", &json!({}), None), None);
    }

    /// The value's JSON in `--update`'s form, with neither an old value nor an order.
    fn plain(value: &serde_json::Value) -> String {
        let mut out = String::new();
        write_pretty(&mut out, value, None, None, 0).expect("writes");
        out
    }

    #[test]
    fn writes_as_serde_json_pretty_prints_when_no_order_is_known() {
        let value = json!({
            "z": [1, -2, 3.5, null, true, "a \"quote\"\n\u{1}é"],
            "a": {"empty_list": [], "empty_map": {}, "nested": [[{"y": 1, "b": [{}]}]]},
            "m": "x"
        });
        assert_eq!(plain(&value), serde_json::to_string_pretty(&value).expect("JSON"));
        for scalar in [json!(null), json!(0), json!("text"), json!([]), json!({})] {
            assert_eq!(plain(&scalar), serde_json::to_string_pretty(&scalar).expect("JSON"));
        }
    }

    #[test]
    fn keeps_the_keys_in_the_order_the_fixture_has_them() {
        let text = "{\n  \"as_of\": \"2025-01-01\",\n  \"expect\": {\"reviews\": [], \"eligibility\": [], \"audit\": {\"rules_fired\": [], \"pack\": {}}}\n}\n";
        let new = json!({"audit": {"pack": {"id": "p"}, "rules_fired": ["r"]}, "eligibility": [], "reviews": [{"due": "2025-02-01"}]});
        // The engine's order does not outrank the author's.
        let canonical = r#"{"eligibility": [], "reviews": [], "audit": {"pack": {}, "rules_fired": []}}"#;
        assert_eq!(
            replace_expect(text, &new, Some(canonical)).expect("has expect"),
            "{\n  \"as_of\": \"2025-01-01\",\n  \"expect\": {\n    \"reviews\": [\n      {\n        \"due\": \"2025-02-01\"\n      }\n    ],\n    \"eligibility\": [],\n    \"audit\": {\n      \"rules_fired\": [\n        \"r\"\n      ],\n      \"pack\": {\n        \"id\": \"p\"\n      }\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn writes_new_keys_in_the_engines_order_then_sorted() {
        let text = "{\"as_of\": \"2025-01-01\", \"expect\": {\"reviews\": []}}";
        let new = json!({"audit": {}, "decisions": [], "reviews": [], "zeta": 1, "alpha": 2});
        let canonical = r#"{"decisions": [], "reviews": [], "audit": {}}"#;
        let updated = replace_expect(text, &new, Some(canonical)).expect("has expect");
        assert_eq!(
            updated,
            "{\"as_of\": \"2025-01-01\", \"expect\": {\n  \"reviews\": [],\n  \"decisions\": [],\n  \"audit\": {},\n  \"alpha\": 2,\n  \"zeta\": 1\n}}"
        );
        // Without the engine's order, keys the fixture does not have are sorted.
        let updated = replace_expect(text, &new, None).expect("has expect");
        let keys: Vec<&str> = updated
            .lines()
            .skip(1)
            .filter_map(|l| l.trim().split('"').nth(1))
            .collect();
        assert_eq!(keys, ["reviews", "alpha", "audit", "decisions", "zeta"]);
        // An evaluation that is not JSON is no order at all, not a reason to write nothing.
        assert_eq!(
            replace_expect(text, &new, Some("not json")),
            replace_expect(text, &new, None)
        );
    }

    #[test]
    fn objects_inside_arrays_follow_the_same_rule_item_by_item() {
        let text = "{\"expect\": {\"reviews\": [{\"kind\": \"planned\", \"due\": \"2025-01-01\"}]}}";
        let new = json!({"reviews": [
            {"due": "2025-02-01", "kind": "planned", "reason": "r"},
            {"due": "2025-03-01", "kind": "change", "reason": "s"}
        ]});
        // The engine writes `reason` first in the first item and `kind` first in the second.
        let canonical =
            r#"{"reviews": [{"reason": "", "due": "", "kind": ""}, {"kind": "", "reason": "", "due": ""}]}"#;
        let updated = replace_expect(text, &new, Some(canonical)).expect("has expect");
        let keys: Vec<&str> = updated
            .lines()
            .filter(|l| l.trim_start().starts_with('"') && l.contains(": \""))
            .filter_map(|l| l.trim().split('"').nth(1))
            .collect();
        // First item: the fixture's `kind`, `due`, then the engine's `reason`. Second
        // item: the fixture has none, so the engine's order.
        assert_eq!(keys, ["kind", "due", "reason", "kind", "reason", "due"]);
        let value: serde_json::Value = serde_json::from_str(&updated).expect("still JSON");
        assert_eq!(value["expect"], new);
    }
}
