//! Editing a fixture file in place: `careplan test --update` replaces the value of the
//! top-level `expect` key and leaves every other byte of the author's file as it was.

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

/// `text` with the value of its top-level `expect` replaced by `value`, pretty-printed
/// and indented to sit where the old value was; `None` when there is no such key.
pub fn replace_expect(text: &str, value: &serde_json::Value) -> Option<String> {
    let (start, end) = value_span(text, "expect")?;
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text
        .get(line_start..start)?
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let pretty = serde_json::to_string_pretty(value).ok()?;
    let indented = pretty.replace('\n', &format!("\n{indent}"));
    Some(format!("{}{indented}{}", text.get(..start)?, text.get(end..)?))
}

#[cfg(test)]
mod tests {
    use super::replace_expect;
    use serde_json::json;

    #[test]
    fn replaces_only_the_expect_value() {
        let text = "{\n  \"description\": \"a \\\"quoted\\\" expect: {\",\n  \"case\": {\"expect\": 1},\n  \"expect\": { \"reviews\": [] },\n  \"as_of\": \"2025-01-01\"\n}\n";
        let updated = replace_expect(text, &json!({"reviews": [{"due": "2025-02-01"}]})).expect("has expect");
        assert_eq!(
            updated,
            "{\n  \"description\": \"a \\\"quoted\\\" expect: {\",\n  \"case\": {\"expect\": 1},\n  \"expect\": {\n    \"reviews\": [\n      {\n        \"due\": \"2025-02-01\"\n      }\n    ]\n  },\n  \"as_of\": \"2025-01-01\"\n}\n"
        );
        assert_eq!(replace_expect("{\"case\": {\"expect\": {}}}", &json!({})), None);
    }
}
