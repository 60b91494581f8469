//! `careplan fhir-to-case`: FHIR R4 UK Core resources read into case JSON.

use std::path::Path;

use careplan_fhir::{FhirError, Mapping, Note};

use super::{tool_error, Exit};
use crate::engine::EngineKind;
use crate::packs::{display_path, read_text};
use crate::render::{self, ErrorFormat};

/// What to read and how.
pub(super) struct Options<'a> {
    /// The FHIR JSON file, or `-`; `None` with `print_mapping`.
    pub fhir: Option<&'a Path>,
    /// Case JSON to merge in.
    pub merge: Option<&'a Path>,
    /// A mapping table instead of the built-in one.
    pub mapping: Option<&'a Path>,
    /// Print the built-in mapping table instead.
    pub print_mapping: bool,
    /// Read natively or in the component.
    pub engine: EngineKind,
}

/// The case JSON and its notes, or the error, from either engine.
enum Read {
    Case { json: String, notes: Vec<Note> },
    Native(FhirError),
    Wasm(careplan_host::HostError),
}

pub(super) fn run(options: &Options<'_>, format: ErrorFormat) -> Exit {
    if options.print_mapping {
        return print_mapping(options.engine, format);
    }
    let Some(fhir) = options.fhir else {
        return tool_error(&"give the FHIR JSON file to read (or `-` for standard input)", format);
    };
    let fhir_text = match super::eval::read_case(fhir) {
        Ok((_, text)) => text,
        Err(message) => return tool_error(&message, format),
    };
    let read_file = |path: Option<&Path>| -> Result<Option<String>, String> {
        path.map(|p| read_text(p).map_err(|err| err.to_string())).transpose()
    };
    let (merge, mapping_text) = match (read_file(options.merge), read_file(options.mapping)) {
        (Ok(merge), Ok(mapping)) => (merge, mapping),
        (Err(message), _) | (_, Err(message)) => return tool_error(&message, format),
    };
    let mapping_name = options
        .mapping
        .map(display_path)
        .unwrap_or_else(|| "uk-core.toml".to_owned());
    let read = match options.engine {
        EngineKind::Native => {
            let mapping = match &mapping_text {
                Some(text) => Mapping::from_toml(text, &mapping_name),
                None => Mapping::uk_core(),
            };
            match mapping.and_then(|m| careplan_fhir::case_from_fhir(&fhir_text, &m, merge.as_deref())) {
                Ok(read) => Read::Case {
                    json: read.json,
                    notes: read.notes,
                },
                Err(err) => Read::Native(err),
            }
        }
        EngineKind::Wasm => {
            let result = crate::engine::runtime()
                .and_then(|runtime| runtime.case_from_fhir(&fhir_text, mapping_text.as_deref(), merge.as_deref()));
            match result {
                Ok(read) => Read::Case {
                    json: read.case_json,
                    notes: read
                        .notes
                        .into_iter()
                        .map(|n| Note {
                            path: n.path,
                            message: n.message,
                        })
                        .collect(),
                },
                Err(err) => Read::Wasm(err),
            }
        }
    };
    match read {
        Read::Case { json, notes } => {
            for note in &notes {
                match format {
                    ErrorFormat::Human => eprintln!("note: {}", careplan_core::escape_controls(&note.to_string())),
                    ErrorFormat::Json => eprintln!(
                        "{}",
                        serde_json::json!({"note": {"path": note.path, "message": note.message}})
                    ),
                }
            }
            print!("{json}");
            Exit::Ok
        }
        Read::Native(err) => {
            let report = err.report();
            match format {
                ErrorFormat::Human => eprint!("{}", report.text),
                ErrorFormat::Json => eprintln!("{}", report.json),
            }
            Exit::Failed
        }
        Read::Wasm(err) => {
            match format {
                ErrorFormat::Human => eprint!("{}", render::host_error(&err)),
                ErrorFormat::Json => eprintln!("{}", crate::engine::host_error_json(&err)),
            }
            match err {
                careplan_host::HostError::Engine(_) => Exit::Failed,
                _ => Exit::ToolError,
            }
        }
    }
}

fn print_mapping(engine: EngineKind, format: ErrorFormat) -> Exit {
    let text = match engine {
        EngineKind::Native => careplan_fhir::UK_CORE.to_owned(),
        EngineKind::Wasm => match crate::engine::runtime().and_then(|runtime| runtime.fhir_mapping()) {
            Ok(text) => text,
            Err(err) => return tool_error(&err, format),
        },
    };
    print!("{text}");
    Exit::Ok
}
