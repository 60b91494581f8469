//! `careplan eval`: one case, one pack, one as-of date.

use std::io::Read;
use std::path::Path;

use careplan_core::{evaluate_error_to_json, Case, Date, EvaluateError, Limits};

use super::{open_error, tool_error, Exit};
use crate::packs::{display_path, open_pack, read_text};
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
fn today_in_england() -> Result<Date, String> {
    let zone = jiff::tz::TimeZone::get("Europe/London").unwrap_or_else(|_| jiff::tz::TimeZone::system());
    let date = jiff::Timestamp::now().to_zoned_datetime(zone).date();
    Date::new(date.year(), date.month(), date.day()).ok_or_else(|| format!("today's date `{date}` is out of range"))
}

pub(super) fn run(pack: &Path, case: &Path, as_of: Option<&str>, output: Format, format: ErrorFormat) -> Exit {
    let as_of = match as_of {
        Some(text) => match text.parse::<Date>() {
            Ok(date) => date,
            Err(err) => return tool_error(&format_args!("invalid `--as-of`: {err}"), format),
        },
        None => match today_in_england() {
            Ok(date) => date,
            Err(err) => return tool_error(&err, format),
        },
    };
    let (case_name, case_text) = if case == Path::new("-") {
        let mut text = String::new();
        if let Err(err) = std::io::stdin().read_to_string(&mut text) {
            return tool_error(&format_args!("cannot read the case from standard input: {err}"), format);
        }
        ("<stdin>".to_owned(), text)
    } else {
        match read_text(case) {
            Ok(text) => (display_path(case), text),
            Err(err) => return tool_error(&err, format),
        }
    };
    let pack = match open_pack(pack, &Limits::default()) {
        Ok(pack) => pack,
        Err(err) => return open_error(&err, format),
    };
    let result = Case::from_json(&case_text)
        .map_err(EvaluateError::from)
        .and_then(|case| pack.evaluate(&case, as_of));
    match result {
        Ok(evaluation) => {
            match output {
                Format::Json => print!("{}", evaluation.to_json()),
                Format::Text => print!("{}", render::evaluation_text(&evaluation)),
            }
            Exit::Ok
        }
        Err(err) => {
            match format {
                ErrorFormat::Human => eprint!("{}", render::evaluate_error(&err, &case_name, &case_text)),
                ErrorFormat::Json => eprintln!("{}", evaluate_error_to_json(&err)),
            }
            Exit::Failed
        }
    }
}
