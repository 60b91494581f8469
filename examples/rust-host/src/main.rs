//! Evaluates a case with the careplan component from Rust, through careplan-host
//! (wasmtime), and prints the evaluation JSON exactly as `careplan eval` does:
//!
//! ```text
//! cargo run --manifest-path examples/rust-host/Cargo.toml -- rules/england rules/england/cases/sample.json 2025-06-02
//! ```
//!
//! The component is the one embedded in careplan-host (`careplan_host::COMPONENT`), so
//! no `.wasm` path is needed. Paths are taken relative to the working directory; the
//! pack folder is read exactly as the CLI reads it, with its sibling folders as the
//! packs it may extend.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use careplan::engine::to_host;
use careplan::packs::{read_text, read_with_parents};
use careplan_host::{HostConfig, HostError, Runtime};

const USAGE: &str = "usage: careplan-example-rust-host <pack-dir> <case.json> <as-of YYYY-MM-DD>";

/// Why the example stopped, and the exit code it stops with (as `careplan eval`: 1 when
/// the engine rejected the pack or case, 2 when the tool itself failed).
struct Failure {
    code: u8,
    /// What to write to standard error, with its final newline.
    text: String,
}

fn tool_error(err: impl std::fmt::Display) -> Failure {
    Failure {
        code: 2,
        text: format!("error: {err}\n"),
    }
}

fn host_error(err: HostError) -> Failure {
    match err {
        // The engine's error as careplan-core renders it for people: every problem with
        // its place and help, the same text in every host.
        HostError::Engine(engine) => Failure {
            code: 1,
            text: engine.text,
        },
        other => Failure {
            code: 2,
            text: format!("error: {other}\n"),
        },
    }
}

fn evaluate(pack_dir: &Path, case_path: &Path, as_of: &str) -> Result<String, Failure> {
    // The pack and its siblings as the component's `pack-source` records.
    let (pack, parents) = read_with_parents(pack_dir, &Default::default()).map_err(tool_error)?;
    let pack = to_host(pack);
    let available = parents.into_iter().map(to_host).collect();
    let case_json = read_text(case_path).map_err(tool_error)?;

    // Compiles the component (set `cache_dir` to keep the compiled code between runs),
    // then loads the pack into an instance of it: `rule-pack.load`.
    let runtime = Runtime::new(HostConfig::default()).map_err(host_error)?;
    let mut rule_pack = runtime.load(pack, available).map_err(host_error)?;
    // `rule-pack.evaluate-json`: the engine's typed `error` comes back as
    // `HostError::Engine`, a trap (deadline, memory cap) as `HostError::Trap`.
    rule_pack.evaluate_json(&case_json, as_of).map_err(host_error)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pack_dir, case_path, as_of] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match evaluate(Path::new(pack_dir), Path::new(case_path), as_of) {
        Ok(json) => {
            // The JSON already ends with a newline: write it byte for byte.
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(json.as_bytes()).and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: cannot write the evaluation: {err}");
                    ExitCode::from(2)
                }
            }
        }
        Err(failure) => {
            eprint!("{}", failure.text);
            ExitCode::from(failure.code)
        }
    }
}
