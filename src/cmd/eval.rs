//! `careplan eval`: one case, one pack, one as-of date.

use std::io::Read;
use std::path::Path;

use careplan_core::Date;

use super::{open_error, tool_error, Exit};
use crate::engine::{EngineKind, EvalError};
use crate::packs::{display_path, read_text};
use crate::render::{self, ErrorFormat};

/// How `eval` prints the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The evaluation JSON, exactly as hosts receive it.
    Json,
    /// A readable summary.
    Text,
}

/// Today's date in England, for when no `--as-of` is given. The CLI is the only place
/// that reads the clock; core never does.
pub(crate) fn today_in_england() -> Result<Date, String> {
    let zone = jiff::tz::TimeZone::get("Europe/London").unwrap_or_else(|_| jiff::tz::TimeZone::system());
    let date = jiff::Timestamp::now().to_zoned_datetime(zone).date();
    Date::new(date.year(), date.month(), date.day()).ok_or_else(|| format!("today's date `{date}` is out of range"))
}

/// The `--as-of` text given, or today in England. The engine reads it, as it reads the
/// case, so that a bad date is the engine's `careplan::invalid_as_of` error, the same
/// natively and through the component.
pub(super) fn as_of_text(text: Option<&str>) -> Result<String, String> {
    match text {
        Some(text) => Ok(text.to_owned()),
        None => today_in_england().map(|date| date.to_string()),
    }
}

/// The `--as-of` date given, or today in England.
pub(super) fn as_of_date(text: Option<&str>) -> Result<Date, String> {
    match text {
        Some(text) => text.parse::<Date>().map_err(|err| format!("invalid `--as-of`: {err}")),
        None => today_in_england(),
    }
}

/// The case's name for messages and its text, from a file or (`-`) standard input.
pub(super) fn read_case(case: &Path) -> Result<(String, String), String> {
    if case == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|err| format!("cannot read the case from standard input: {err}"))?;
        Ok(("<stdin>".to_owned(), text))
    } else {
        read_text(case)
            .map(|text| (display_path(case), text))
            .map_err(|err| err.to_string())
    }
}

pub(super) fn run(
    pack: &Path,
    case: &Path,
    as_of: Option<&str>,
    output: Format,
    engine: EngineKind,
    format: ErrorFormat,
) -> Exit {
    let as_of = match as_of_text(as_of) {
        Ok(text) => text,
        Err(message) => return tool_error(&message, format),
    };
    let (case_name, case_text) = match read_case(case) {
        Ok(read) => read,
        Err(message) => return tool_error(&message, format),
    };
    let mut pack = match crate::engine::open(pack, engine) {
        Ok(pack) => pack,
        Err(err) => return open_error(&err, format),
    };
    let result = match output {
        Format::Json => pack.evaluate_json(&case_text, &as_of, &Default::default()).map(|json| {
            let complete = serde_json::from_str::<serde_json::Value>(&json)
                .ok()
                .and_then(|value| value.get("complete").and_then(serde_json::Value::as_bool))
                .unwrap_or(false);
            (complete, json)
        }),
        Format::Text => pack.evaluate_text(&case_text, &as_of),
    };
    match result {
        Ok((complete, output)) => {
            print!("{output}");
            // An incomplete evaluation was judged and found wanting: a rule failed.
            if complete {
                Exit::Ok
            } else {
                Exit::Failed
            }
        }
        Err(err) => {
            match (format, &err) {
                (ErrorFormat::Json, _) => eprintln!("{}", err.to_json()),
                (ErrorFormat::Human, EvalError::Native(err)) => {
                    eprint!("{}", render::evaluate_error(err, &case_name, &case_text))
                }
                (ErrorFormat::Human, EvalError::Wasm(err)) => eprint!("{}", render::host_error(err)),
            }
            match err {
                EvalError::Wasm(careplan_host::HostError::Trap(_) | careplan_host::HostError::Setup(_)) => {
                    Exit::ToolError
                }
                _ => Exit::Failed,
            }
        }
    }
}
