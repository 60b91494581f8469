//! The subcommands, one file each, and the exit codes they share.

mod batch;
mod check;
mod component;
mod eval;
pub mod explain;
mod fhir;
pub mod new;
mod schema;
mod serve;
mod test;
pub mod vocabulary;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub(crate) use self::eval::today_in_england;
use crate::engine::EngineKind;
use crate::render::ErrorFormat;

/// How `careplan` exits. Scripts and CI can tell "the rules or the data said no" from
/// "the tool could not do its job".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success: the case was evaluated, the pack is clean, every fixture passed.
    Ok = 0,
    /// The input was judged and found wanting: a pack has errors, a fixture failed, the
    /// case is invalid or a rule failed on it.
    Failed = 1,
    /// The tool itself failed: bad arguments, a file that cannot be read.
    ToolError = 2,
}

/// careplan: a rules engine for care plans.
///
/// Exit codes: 0 success; 1 the pack has errors, a fixture failed, or the case is invalid
/// or a rule failed on it; 2 the tool failed (bad arguments, unreadable files).
#[derive(Debug, Parser)]
#[command(name = "careplan", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// How to write errors: `human` (with source snippets) or `json`.
    #[arg(long, global = true, value_enum, default_value = "human")]
    pub error_format: ErrorFormat,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate one case against a rule pack and print the evaluation.
    Eval {
        /// The rule pack folder, e.g. `rules/england`.
        pack: PathBuf,
        /// The case JSON file, or `-` for standard input.
        case: PathBuf,
        /// The date to evaluate as of (`YYYY-MM-DD`); today in England by default.
        #[arg(long)]
        as_of: Option<String>,
        /// `json` (the evaluation as hosts see it) or `text` (a summary for people).
        #[arg(long, value_enum, default_value = "json")]
        format: eval::Format,
        /// Run the rules natively or through the Wasm component; the output is the same.
        #[arg(long, value_enum, default_value = "native")]
        engine: EngineKind,
    },
    /// Explain one case's evaluation rule by rule: each decision, the rule and regulation
    /// behind it, the case facts each rule reads and why the others made no finding.
    Explain {
        /// The rule pack folder, e.g. `rules/england`.
        pack: PathBuf,
        /// The case JSON file, or `-` for standard input.
        case: PathBuf,
        /// The date to evaluate as of (`YYYY-MM-DD`); today in England by default.
        #[arg(long)]
        as_of: Option<String>,
        /// `markdown` (for people) or `json` (for tools).
        #[arg(long, value_enum, default_value = "markdown")]
        format: explain::Format,
    },
    /// Load and compile rule packs (with their parents) and report every problem.
    Check {
        /// Rule pack folders.
        #[arg(required = true)]
        packs: Vec<PathBuf>,
        /// Warn about rules that do not run on this date (`YYYY-MM-DD`): not yet started,
        /// or ended; today in England by default.
        #[arg(long)]
        as_of: Option<String>,
        /// Fail (exit 1) when there are warnings, as CI should.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Run the fixtures in each pack's `tests/` folder, or single fixture files.
    Test {
        /// Rule pack folders, or fixture files (`<pack>/tests/<name>.json`) to run alone.
        #[arg(required = true, value_name = "PACK_OR_FIXTURE")]
        packs: Vec<PathBuf>,
        /// Run only fixtures whose file name contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// Run the rules natively or through the Wasm component.
        #[arg(long, value_enum, default_value = "native")]
        engine: EngineKind,
        /// Report how many fixtures made each rule fire, and the rules none did.
        #[arg(long)]
        coverage: bool,
        /// Fail when fewer than this percentage of a pack's own rules fire in its fixtures.
        #[arg(long, value_name = "PERCENT")]
        min_coverage: Option<f64>,
        /// `human` (with diffs), `json` or `junit` (JUnit XML for CI systems).
        #[arg(long, value_enum, default_value = "human")]
        format: test::ReportFormat,
        /// Record the current outcome in each failing fixture (for the keys its `expect`
        /// names) and in fixtures whose `expect` is `{}`, asking first; review the change
        /// in your diff.
        #[arg(long)]
        update: bool,
        /// With `--update`: change fixtures without asking.
        #[arg(long, requires = "update")]
        yes: bool,
        /// Run again whenever a file of the packs (rules, manifest, fixtures, and their
        /// parents) changes, until interrupted.
        #[arg(long, conflicts_with = "update")]
        watch: bool,
        /// Run the fixtures of each pack's parents through the pack instead of its own,
        /// and list what the pack changes: each parent fixture whose outcome differs.
        #[arg(long, conflicts_with_all = ["update", "watch"])]
        parent_fixtures: bool,
    },
    /// Start a rule pack: a folder holding a manifest, a starter rule, two fixtures that
    /// pass and a README. The folder name is the pack id.
    New {
        /// The pack folder to create, e.g. `rules/northdale`; it must not exist yet.
        dir: PathBuf,
        /// The id of the pack this one builds on, e.g. `england`, looked for among the
        /// folders beside the new one.
        #[arg(long, value_name = "PARENT_ID")]
        extends: Option<String>,
    },
    /// Sweep a caseload: evaluate every case of a JSON Lines file (or standard input),
    /// writing one JSON line per non-blank input line, in order (blank lines are skipped and counted), and a summary to standard error.
    Batch {
        /// The rule pack folder.
        pack: PathBuf,
        /// The JSON Lines file of cases, one case per line, or `-` for standard input.
        #[arg(default_value = "-")]
        input: PathBuf,
        /// Where to write the results; standard output by default.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The date to evaluate every case as of (`YYYY-MM-DD`).
        #[arg(long)]
        as_of: String,
        /// Run the rules natively or through the Wasm component.
        #[arg(long, value_enum, default_value = "native")]
        engine: EngineKind,
        /// Threads to use; every core by default.
        #[arg(long)]
        jobs: Option<usize>,
        /// With `--engine wasm`: the wall-clock bound on one case, in milliseconds
        /// (careplan-host's default is 5000). A case that runs longer is stopped and
        /// recorded as a `careplan::trap` error; the next case runs normally.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        timeout_ms: Option<u64>,
    },
    /// Read FHIR R4 UK Core resources (a Bundle, one resource, or a CDS Hooks prefetch
    /// object) into case JSON and print it; notes on what was left out, and why, go to
    /// standard error. Pipe it to `careplan eval PACK -` to evaluate it.
    FhirToCase {
        /// The FHIR JSON file, or `-` for standard input.
        #[arg(required_unless_present = "print_mapping")]
        fhir: Option<PathBuf>,
        /// Case JSON, whole or in part, to merge in, for what FHIR does not carry (needs
        /// assessments, reviews, ordinary residence); lists are appended, and a field
        /// both give must agree.
        #[arg(long, value_name = "CASE_JSON")]
        merge: Option<PathBuf>,
        /// A mapping table (which codes mean what) instead of the built-in one; start
        /// from `--print-mapping`.
        #[arg(long, value_name = "TOML")]
        mapping: Option<PathBuf>,
        /// Print the built-in mapping table and exit.
        #[arg(long, conflicts_with_all = ["fhir", "merge", "mapping"])]
        print_mapping: bool,
        /// Read natively or through the Wasm component; the output is the same.
        #[arg(long, value_enum, default_value = "native")]
        engine: EngineKind,
    },
    /// Print the rule vocabulary (every function the engine gives rules) as Markdown,
    /// read from the engine's own registrations.
    Vocabulary {
        /// Also list the library functions (`lib/*.rhai`) of this pack and its parents,
        /// with their parameters and doc comments.
        #[arg(long)]
        pack: Option<PathBuf>,
    },
    /// Write the careplan WebAssembly component (`careplan:engine@0.4.0`) to a file,
    /// for hosts that embed it (Node.js through jco, Python through wasmtime).
    Component {
        /// Where to write the `.wasm` file.
        out: PathBuf,
    },
    /// Run a CDS Hooks 2.0 service (patient-view, encounter-discharge) whose cards come
    /// from the pack, run in the Wasm component; see docs/serve.md. Prints
    /// `listening on http://ADDR` first, logs JSON lines to standard error, and stops on
    /// SIGINT or SIGTERM.
    Serve(Box<serve::Args>),
    /// Print a JSON Schema.
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        which: schema::Which,
        /// For `case` and `fixture`: the pack whose local fields and parameters (with
        /// their types) the schema lists.
        #[arg(long)]
        pack: Option<PathBuf>,
    },
}

/// Runs a parsed command line and says how to exit.
pub fn run(cli: Cli) -> Exit {
    let format = cli.error_format;
    match cli.command {
        Command::Eval {
            pack,
            case,
            as_of,
            format: output,
            engine,
        } => eval::run(&pack, &case, as_of.as_deref(), output, engine, format),
        Command::Explain {
            pack,
            case,
            as_of,
            format: output,
        } => explain::run(&pack, &case, as_of.as_deref(), output, format),
        Command::Check {
            packs,
            as_of,
            deny_warnings,
        } => match eval::as_of_date(as_of.as_deref()) {
            Ok(date) => check::run(&packs, date, deny_warnings, format),
            Err(message) => tool_error(&message, format),
        },
        Command::Test {
            packs,
            filter,
            engine,
            coverage,
            min_coverage,
            format: report,
            update,
            yes,
            watch,
            parent_fixtures,
        } => {
            let options = test::Options {
                filter: filter.as_deref(),
                engine,
                format: report,
                coverage,
                min_coverage,
                update,
                yes,
            };
            if parent_fixtures {
                test::parent_fixtures(&packs, options, format)
            } else {
                test::watch(watch, &packs, options, format)
            }
        }
        Command::New { dir, extends } => new::run(&dir, extends.as_deref(), format),
        Command::Component { out } => component::run(&out, format),
        Command::Vocabulary { pack } => vocabulary::run(pack.as_deref(), format),
        Command::Batch {
            pack,
            input,
            output,
            as_of,
            engine,
            jobs,
            timeout_ms,
        } => match as_of.parse::<careplan_core::Date>() {
            Ok(_) => batch::run(
                &pack,
                &input,
                output.as_deref(),
                &as_of,
                engine,
                batch::Bounds {
                    jobs,
                    timeout: timeout_ms.map(std::time::Duration::from_millis),
                },
                format,
            ),
            Err(err) => tool_error(&format_args!("invalid `--as-of`: {err}"), format),
        },
        Command::Serve(args) => serve::run(*args, format),
        Command::Schema { which, pack } => schema::run(which, pack.as_deref(), format),
        Command::FhirToCase {
            fhir,
            merge,
            mapping,
            print_mapping,
            engine,
        } => fhir::run(
            &fhir::Options {
                fhir: fhir.as_deref(),
                merge: merge.as_deref(),
                mapping: mapping.as_deref(),
                print_mapping,
                engine,
            },
            format,
        ),
    }
}

/// Reports that the tool failed, in the chosen format, and returns [`Exit::ToolError`].
pub(crate) fn tool_error(err: &dyn std::fmt::Display, format: ErrorFormat) -> Exit {
    match format {
        ErrorFormat::Human => eprintln!("error: {err}"),
        ErrorFormat::Json => eprintln!(
            "{}",
            serde_json::json!({"code": "careplan::tool", "message": err.to_string()})
        ),
    }
    Exit::ToolError
}

/// Reports a pack that failed to open: unreadable files are a tool error, invalid rules
/// are [`Exit::Failed`].
pub(crate) fn open_error(err: &crate::packs::OpenError, format: ErrorFormat) -> Exit {
    match err {
        crate::packs::OpenError::Read(read) => tool_error(read, format),
        crate::packs::OpenError::Wasm(host) => match host {
            careplan_host::HostError::Engine(engine) if engine.code == careplan_host::ErrorCode::InvalidRules => {
                match format {
                    ErrorFormat::Human => eprint!("{}", crate::render::host_error(host)),
                    ErrorFormat::Json => eprintln!("{}", crate::engine::host_error_json(host)),
                }
                Exit::Failed
            }
            // A host stop while loading is the same `careplan::trap` as while evaluating.
            careplan_host::HostError::Trap(_) => {
                match format {
                    ErrorFormat::Human => eprint!("{}", crate::render::host_error(host)),
                    ErrorFormat::Json => eprintln!("{}", crate::engine::host_error_json(host)),
                }
                Exit::ToolError
            }
            other => tool_error(other, format),
        },
        crate::packs::OpenError::Invalid(load) => {
            match format {
                ErrorFormat::Human => eprint!("{}", crate::render::load_error(load)),
                ErrorFormat::Json => eprintln!("{}", careplan_core::load_error_to_json(load)),
            }
            Exit::Failed
        }
    }
}
