//! A call that fits no function, in the author's words: `()` is "not recorded", Rhai's
//! type names are care words, and the value that was not recorded is named from the
//! rule's source where the call reads it directly (`record.local.x.add_days(10)`).

use rhai::Position;

/// A Rhai type name in words.
fn type_words(name: &str) -> String {
    match name.trim() {
        "()" => "nothing (not recorded)".to_owned(),
        "Date" => "a date".to_owned(),
        "i64" | "int" | "INT" => "a whole number".to_owned(),
        "f64" | "float" | "FLOAT" => "a number".to_owned(),
        "string" | "ImmutableString" | "&str" | "String" | "text" => "text".to_owned(),
        "bool" => "true or false".to_owned(),
        "array" | "list" => "a list".to_owned(),
        "map" => "a map".to_owned(),
        other => format!("`{other}`"),
    }
}

/// Splits `name (a, b)` into the name and the argument types.
fn parse_signature(signature: &str) -> Option<(&str, Vec<&str>)> {
    let (name, rest) = signature.split_once(" (")?;
    let args = rest.strip_suffix(')')?;
    let types = if args.trim().is_empty() {
        Vec::new()
    } else {
        split_top_level(args)
    };
    Some((name.trim(), types))
}

/// Splits text at the commas that are not inside brackets.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                parts.push(text.get(start..i).unwrap_or("").trim());
                return parts;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text.get(start..i).unwrap_or("").trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or("").trim());
    parts
}

/// The last name of a chain of properties (`record.local.x` gives `x`), when `text` is
/// only such a chain.
fn chain_name(text: &str) -> Option<&str> {
    let text = text.trim();
    let ok = !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    let last = text.rsplit('.').next()?;
    (ok && !last.is_empty() && !last.chars().all(|c| c.is_ascii_digit())).then_some(last)
}

/// The source text of the arguments of the call of `name` at `position`: the value
/// before the dot of a method call first.
fn call_arguments<'a>(source: &'a str, position: Position, name: &str) -> Option<Vec<&'a str>> {
    let line = source.lines().nth(position.line()?.checked_sub(1)?)?;
    let column = position.position().unwrap_or(1).saturating_sub(1);
    let from = line.char_indices().nth(column).map_or(line.len(), |(i, _)| i);
    // Find the name at or after the position (a method call's position may be its dot).
    let at = line.get(from..)?.find(name)? + from;
    let after = line.get(at + name.len()..)?.trim_start().strip_prefix('(')?;
    let mut args = if after.trim_start().starts_with(')') {
        Vec::new()
    } else {
        split_top_level(after)
    };
    let before = line.get(..at)?.trim_end();
    if let Some(receiver) = before.strip_suffix('.') {
        let start = receiver
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        args.insert(0, receiver.get(start..).unwrap_or(""));
    }
    Some(args)
}

/// What `name` takes at argument `index`, in words, from the vocabulary's signatures.
fn expected_at(name: &str, count: usize, index: usize) -> Option<String> {
    let mut wanted: Vec<String> = Vec::new();
    for (entry, signature, _) in crate::vocabulary::ENTRIES {
        if *entry != name {
            continue;
        }
        let Some(args) = signature
            .split_once('(')
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(args, _)| split_top_level(args))
        else {
            continue;
        };
        if args.len() == count {
            if let Some(kind) = args.get(index) {
                let words = type_words(kind);
                if !wanted.contains(&words) {
                    wanted.push(words);
                }
            }
        }
    }
    (!wanted.is_empty()).then(|| wanted.join(" or "))
}

/// The message and help for Rhai's "function not found" error on `signature`, raised at
/// `position` in `source`.
pub(super) fn function_not_found(signature: &str, source: &str, position: Position) -> (String, Option<String>) {
    let Some((name, types)) = parse_signature(signature) else {
        return (
            format!("no function `{signature}`"),
            Some("check the name and the number and types of the arguments against the rule vocabulary".into()),
        );
    };
    let args = call_arguments(source, position, name).filter(|args| args.len() == types.len());
    let argument = |index: usize| args.as_ref().and_then(|args| args.get(index).copied());
    if let Some(index) = types.iter().position(|t| t.trim() == "()") {
        let what = argument(index)
            .and_then(chain_name)
            .map_or_else(|| "a value it was given".to_owned(), |field| format!("`{field}`"));
        let needs = expected_at(name, types.len(), index).unwrap_or_else(|| "a value".to_owned());
        return (
            format!("{what} is not recorded, and `{name}` needs {needs}"),
            Some(format!(
                "check that the case records it before using it, e.g. `if x == () {{ return (); }}`, or give `{name}` another value when it is missing"
            )),
        );
    }
    let given: Vec<String> = types.iter().map(|t| type_words(t)).collect();
    let signatures: Vec<String> = crate::vocabulary::ENTRIES
        .iter()
        .filter(|(entry, _, _)| *entry == name)
        .map(|(_, signature, _)| format!("`{signature}`"))
        .collect();
    let help = if signatures.is_empty() {
        "check the name and the number and types of the arguments against the rule vocabulary".to_owned()
    } else {
        format!("`{name}` is {}", signatures.join(" or "))
    };
    let given = if given.is_empty() {
        "no arguments".to_owned()
    } else {
        given.join(", ")
    };
    (format!("`{name}` does not take {given}"), Some(help))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_value_that_was_not_recorded() {
        let source = "let x = 1;\nlet due = record.local.home_care_requested_on.add_days(params.days);\n";
        let (message, _) = function_not_found("add_days ((), i64)", source, Position::new(2, 47));
        assert_eq!(
            message,
            "`home_care_requested_on` is not recorded, and `add_days` needs a date"
        );
        let source = "let due = add_days(record.local.asked_on, 10);\n";
        let (message, _) = function_not_found("add_days ((), i64)", source, Position::new(1, 11));
        assert_eq!(message, "`asked_on` is not recorded, and `add_days` needs a date");
        let source = "let due = d.add_days(params.missing);\n";
        let (message, _) = function_not_found("add_days (Date, ())", source, Position::new(1, 13));
        assert_eq!(
            message,
            "`missing` is not recorded, and `add_days` needs a whole number"
        );
    }

    #[test]
    fn words_the_types_of_a_call_that_fits_nothing() {
        let (message, help) = function_not_found("add_days (Date, string)", "", Position::NONE);
        assert_eq!(message, "`add_days` does not take a date, text");
        assert_eq!(help.as_deref(), Some("`add_days` is `add_days(Date, int) -> Date`"));
        let (message, _) = function_not_found("add_days ((), i64)", "", Position::NONE);
        assert_eq!(
            message,
            "a value it was given is not recorded, and `add_days` needs a date"
        );
    }
}
