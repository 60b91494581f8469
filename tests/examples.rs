//! The example hosts in `examples/` (Rust through careplan-host, Node.js through jco,
//! Python through wasmtime-py) each load `rules/england` and print exactly what
//! `careplan eval` prints for the sample case.
//!
//! They are in the slow tier (`CAREPLAN_SLOW_TESTS=1`, set by `.ci/run`): they need
//! tools from outside Rust and, the first time, the npm registry and PyPI.
//!
//! Each test installs what its example needs when it is missing or out of date, and only
//! then: `npm ci` in `examples/node` (when `node_modules` was not installed from the
//! current `package-lock.json`), a Python virtual environment under cargo's
//! `CARGO_TARGET_TMPDIR` with `examples/python/requirements.txt`, and the Rust example's
//! build (`cargo run`, in the same target directory as this test). They need `node`,
//! `npm` and `python3` on the `PATH`, and the npm registry and PyPI the first time.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const PACK: &str = "rules/england";
const CASE: &str = "rules/england/cases/sample.json";
const AS_OF: &str = "2025-06-02";

/// The repository root: the examples read the pack and case relative to it, as the CLI
/// is run from it.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where the tests keep the component and the Python environment between runs.
fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("examples")
}

/// Whether the slow tier runs: tests that rebuild, sweep very large inputs or need tools
/// from outside Rust run only when `CAREPLAN_SLOW_TESTS` is set (`.ci/run` sets it), as
/// rust-analyzer's slow tests do; otherwise they say that they were skipped.
fn slow_tier(test: &str) -> bool {
    let run = std::env::var_os("CAREPLAN_SLOW_TESTS").is_some_and(|v| !v.is_empty() && v != "0");
    if !run {
        eprintln!("{test}: skipped, in the slow tier (set CAREPLAN_SLOW_TESTS=1 to run it)");
    }
    run
}

/// Describes a command for messages: its program and arguments.
fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `command` to completion; panics with its output if it cannot start or fails.
fn run(command: &mut Command, hint: &str) -> Output {
    let shown = describe(command);
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run `{shown}`: {err}\n{hint}"));
    assert!(
        output.status.success(),
        "`{shown}` failed ({}).\n--- stderr\n{}\n--- stdout\n{}\n{hint}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout),
    );
    output
}

/// What `careplan eval rules/england rules/england/cases/sample.json --as-of 2025-06-02`
/// prints: the reference every example must match byte for byte.
fn expected() -> &'static str {
    static EXPECTED: OnceLock<String> = OnceLock::new();
    EXPECTED.get_or_init(|| {
        let output = run(
            Command::new(env!("CARGO_BIN_EXE_careplan"))
                // The precompiled component goes under target/, never in the user's ~/.cache.
                .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
                .current_dir(root())
                .args(["eval", PACK, CASE, "--as-of", AS_OF]),
            "",
        );
        String::from_utf8(output.stdout).expect("careplan eval prints UTF-8")
    })
}

/// The component, written where the Node and Python examples can read it, as
/// `careplan component` writes it.
fn component() -> &'static Path {
    static COMPONENT: OnceLock<PathBuf> = OnceLock::new();
    COMPONENT.get_or_init(|| {
        let dir = scratch();
        std::fs::create_dir_all(&dir).expect("the scratch folder can be made");
        let path = dir.join("careplan.wasm");
        // Written beside and renamed, so a test run alongside never reads half a file.
        let partial = dir.join(format!("careplan.wasm.{}", std::process::id()));
        std::fs::write(&partial, careplan_host::COMPONENT).expect("the component can be written");
        std::fs::rename(&partial, &path).expect("the component can be moved into place");
        path
    })
}

/// Asserts that an example printed exactly the CLI's JSON; shows the difference if not.
fn assert_same_as_cli(example: &str, output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let expected = expected();
    if stdout != expected {
        let diff = similar::TextDiff::from_lines(expected, stdout.as_ref())
            .unified_diff()
            .header("careplan eval", example)
            .to_string();
        panic!(
            "the {example} example's output differs from `careplan eval` ({} bytes against {}; a missing or \
             extra final newline counts).\n{diff}\n--- {example} stderr\n{}",
            stdout.len(),
            expected.len(),
            String::from_utf8_lossy(&output.stderr),
        );
    }
}

/// The broken pack every example is also given: its error must read exactly as
/// `careplan eval --engine wasm` writes it, since careplan-core renders the error once
/// and the component hands the rendering to every host.
const BROKEN: [&str; 3] = [
    "tests/data/packs/broken",
    "tests/data/cases/older-person.json",
    "2025-01-01",
];

/// Runs an example on [`BROKEN`] and asserts that it exits 1 with the CLI's error text.
fn assert_same_error_as_cli(example: &str, command: &mut Command) {
    let cli = Command::new(env!("CARGO_BIN_EXE_careplan"))
        .current_dir(root())
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("NO_COLOR", "1")
        .args(["eval", BROKEN[0], BROKEN[1], "--as-of", BROKEN[2], "--engine", "wasm"])
        .output()
        .expect("the careplan binary runs");
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{}: {err}", describe(command)));
    assert_eq!(
        output.status.code(),
        Some(1),
        "{example}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(cli.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&cli.stderr),
        "the {example} example words the error differently from `careplan eval --engine wasm`"
    );
}

#[test]
fn rust_host_example_prints_what_the_cli_prints() {
    if !slow_tier("rust_host_example_prints_what_the_cli_prints") {
        return;
    }
    // A workspace member, built in the same target directory as this test (the
    // workspace's, or `CARGO_TARGET_DIR`): cargo does not hold its build lock while tests
    // run, so this does not wait on the outer `cargo test`, and reuses what it built.
    let output = run(
        Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["run", "--quiet", "--locked", "--manifest-path"])
            .args(["examples/rust-host/Cargo.toml", "--"])
            .args([PACK, CASE, AS_OF]),
        "",
    );
    assert_same_as_cli("Rust", &output);
    assert_same_error_as_cli(
        "Rust",
        Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["run", "--quiet", "--locked", "--manifest-path"])
            .args(["examples/rust-host/Cargo.toml", "--"])
            .args(BROKEN),
    );
}

/// Runs the (transpiled) Node.js example on the sample case with `CAREPLAN_DEADLINE_MS`
/// set to `deadline`.
fn node_example_with_deadline(deadline: &str) -> Output {
    Command::new("node")
        .current_dir(root())
        .env("CAREPLAN_DEADLINE_MS", deadline)
        .arg("examples/node/main.mjs")
        .args([PACK, CASE, AS_OF])
        .output()
        .expect("node runs")
}

#[test]
fn node_example_prints_what_the_cli_prints() {
    if !slow_tier("node_example_prints_what_the_cli_prints") {
        return;
    }
    let node = root().join("examples/node");
    let lock =
        std::fs::read_to_string(node.join("package-lock.json")).expect("examples/node/package-lock.json is readable");
    // What was last installed (kept in node_modules, so it goes when node_modules goes),
    // so a change to package-lock.json reinstalls.
    let installed = node.join("node_modules/.careplan-installed-package-lock.json");
    if std::fs::read_to_string(&installed).ok().as_deref() != Some(lock.as_str()) {
        run(
            Command::new("npm")
                .current_dir(&node)
                .args(["ci", "--no-audit", "--no-fund"]),
            "The Node.js example needs Node.js 20 or later and npm, and the npm registry to install jco.",
        );
        std::fs::write(&installed, &lock).expect("examples/node/node_modules is writable");
    }
    // `npm run example` transpiles the component with jco into examples/node/generated,
    // then runs main.mjs; `--prefix` keeps the paths relative to the repository root.
    let output = run(
        Command::new("npm")
            .current_dir(root())
            .args(["--prefix", "examples/node", "run", "--silent", "example", "--"])
            .arg(component())
            .args([PACK, CASE, AS_OF]),
        "",
    );
    assert_same_as_cli("Node.js", &output);
    // The run above transpiled the component into examples/node/generated.
    assert_same_error_as_cli(
        "Node.js",
        Command::new("node")
            .current_dir(root())
            .arg("examples/node/main.mjs")
            .args(BROKEN),
    );
    // A deadline the worker cannot meet (starting it and compiling the component take
    // longer than 1 ms): the worker is terminated and the example fails, naming it.
    let late = node_example_with_deadline("1");
    let stderr = String::from_utf8_lossy(&late.stderr);
    assert_eq!(late.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr, "error: the evaluation did not finish within 1 ms; its worker was stopped\n",
        "the Node.js example's deadline"
    );
    assert!(late.stdout.is_empty(), "no evaluation is printed after the deadline");
    let bad = node_example_with_deadline("soon");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("CAREPLAN_DEADLINE_MS must be a whole number"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn python_example_prints_what_the_cli_prints() {
    if !slow_tier("python_example_prints_what_the_cli_prints") {
        return;
    }
    let requirements = root().join("examples/python/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).expect("examples/python/requirements.txt is readable");
    let venv = scratch().join("python-venv");
    let python = venv.join("bin/python");
    // What was last installed, so a change to requirements.txt reinstalls.
    let installed = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&installed).ok().as_deref() != Some(wanted.as_str()) {
        let hint = "The Python example needs python3 (3.9 or later) with venv and pip, and PyPI to install wasmtime.";
        if !python.is_file() {
            run(Command::new("python3").args(["-m", "venv"]).arg(&venv), hint);
        }
        run(
            Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(&requirements),
            hint,
        );
        std::fs::write(&installed, &wanted).expect("the virtual environment is writable");
    }
    let output = run(
        Command::new(&python)
            .current_dir(root())
            .arg("examples/python/main.py")
            .arg(component())
            .args([PACK, CASE, AS_OF]),
        "",
    );
    assert_same_as_cli("Python", &output);
    assert_same_error_as_cli(
        "Python",
        Command::new(&python)
            .current_dir(root())
            .arg("examples/python/main.py")
            .arg(component())
            .args(BROKEN),
    );
}
