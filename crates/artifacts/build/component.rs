//! Building the careplan component: compile `careplan-component` for
//! `wasm32-unknown-unknown` with the `component` profile, then encode the core module
//! as a component with `wit-component`. Used by careplan-artifacts' build script (so
//! `cargo build` and `cargo test` build it, once, when what it reads changes) and by the
//! test that builds it a second time to check the build is reproducible.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "size.rs"]
pub mod size;

/// The target the component's core module is built for: no WASI, so no imports.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Makes sure the standard library for [`TARGET`] is installed for the toolchain that
/// builds the component, installing it with rustup when it is missing. rustup installs
/// the targets `rust-toolchain.toml` lists only when it installs the toolchain itself, so
/// a machine that already had the pinned toolchain has no wasm target. Says on standard
/// error (and as a cargo warning) what it does. Returns what it did, for the caller.
pub fn ensure_target() -> Result<Option<String>, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .map_err(|err| format!("cannot run rustc to find the {TARGET} standard library: {err}"))?;
    let libdir = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let installed = output.status.success()
        && std::fs::read_dir(&libdir).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with("libcore-"))
        });
    if installed {
        return Ok(None);
    }
    // rustup sets RUSTUP_TOOLCHAIN for the processes it starts: the toolchain in use.
    let toolchain = std::env::var("RUSTUP_TOOLCHAIN").ok();
    let mut message = format!("careplan: the {TARGET} target is not installed");
    if let Some(toolchain) = &toolchain {
        message.push_str(&format!(" for toolchain {toolchain}"));
    }
    message.push_str(&format!("; installing it with `rustup target add {TARGET}`"));
    eprintln!("{message}");
    println!("cargo:warning={message}");
    let mut rustup = Command::new("rustup");
    rustup.args(["target", "add", TARGET]);
    if let Some(toolchain) = &toolchain {
        rustup.args(["--toolchain", toolchain]);
    }
    let status = rustup.status().map_err(|err| {
        format!(
            "the {TARGET} target is not installed and rustup could not be run to install it ({err}); \
             install it with `rustup target add {TARGET}`"
        )
    })?;
    if !status.success() {
        return Err(format!(
            "the {TARGET} target is not installed and `rustup target add {TARGET}` failed ({status})"
        ));
    }
    Ok(Some(message))
}

/// Builds the component from the workspace at `workspace` into `target_dir` and returns
/// the component's bytes.
pub fn build(workspace: &Path, target_dir: &Path) -> Result<Vec<u8>, String> {
    ensure_target()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let home = std::env::var("CARGO_HOME")
        .ok()
        .or_else(|| std::env::var("HOME").ok().map(|h| format!("{h}/.cargo")))
        .unwrap_or_default();
    // Paths are remapped so that the bytes do not depend on where the workspace or the
    // cargo registry is; ahash's compile-time seed is fixed for the same reason.
    let rustflags = [
        format!("--remap-path-prefix={}=/careplan", workspace.display()),
        format!("--remap-path-prefix={home}=/cargo"),
    ]
    .join("\u{1f}");
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["rustc", "--locked", "--quiet", "-p", "careplan-component", "--lib"])
        .args(["--crate-type", "cdylib", "--target", TARGET])
        .args(["--profile", "component", "--target-dir"])
        .arg(target_dir)
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags)
        .env("CONST_RANDOM_SEED", "careplan-component")
        // Set by `cargo clippy` and coverage tools for the outer build; not wanted here.
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS");
    let module_path = module_path(target_dir);
    // Never encode a module left over from an earlier build.
    let _ = std::fs::remove_file(&module_path);
    let status = command
        .status()
        .map_err(|err| format!("cannot run cargo to build the component: {err}"))?;
    if !status.success() {
        return Err(format!(
            "building careplan-component for {TARGET} failed ({status}); is the target installed? \
             `rustup target add {TARGET}` (rust-toolchain.toml lists it)"
        ));
    }
    let module =
        std::fs::read(&module_path).map_err(|err| format!("cannot read `{}`: {err}", module_path.display()))?;
    // The profile keeps the function names (`strip = "debuginfo"`) for the size report;
    // the component ships without them.
    let (report, module) = size::analyse(&module)?;
    let report_path = size_report_path(target_dir);
    std::fs::write(&report_path, report.render())
        .map_err(|err| format!("cannot write `{}`: {err}", report_path.display()))?;
    wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|err| format!("cannot encode the component: {err:#}"))
}

/// Where [`build`] writes the size report of the component it built into `target_dir`
/// (see [`size`]).
pub fn size_report_path(target_dir: &Path) -> PathBuf {
    target_dir.join("size.txt")
}

/// The core module the last build into `target_dir` compiled, names and all.
pub fn module_path(target_dir: &Path) -> PathBuf {
    target_dir
        .join(TARGET)
        .join("component")
        .join("careplan_component.wasm")
}

/// The files the last build into `target_dir` read, from its dep-info, with the
/// workspace's manifests and lockfile (not in dep-info, but they decide what is built)
/// and this file. Files of the cargo registry never change, so they are left out.
pub fn inputs(workspace: &Path, target_dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = [
        "Cargo.toml",
        "Cargo.lock",
        "crates/core/Cargo.toml",
        "crates/component/Cargo.toml",
        "crates/artifacts/build/component.rs",
        "crates/artifacts/build/size.rs",
    ]
    .iter()
    .map(|path| workspace.join(path))
    .collect();
    let dep_info = target_dir.join(TARGET).join("component").join("careplan_component.d");
    let text = std::fs::read_to_string(&dep_info).unwrap_or_default();
    let registry = std::env::var_os("CARGO_HOME").map(PathBuf::from);
    let generated = target_dir.to_path_buf();
    for path in dep_info_paths(&text) {
        let path = PathBuf::from(path);
        let outside = registry.as_ref().is_some_and(|r| path.starts_with(r)) || path.starts_with(&generated);
        if !outside && !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// The prerequisites of a Makefile-style dep-info file (`out: dep dep ...`), with `\ `
/// for a space in a path.
fn dep_info_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for line in text.lines() {
        // The first rule lists the artifact's prerequisites; later lines (`dep:`) repeat them.
        let Some((_, deps)) = line.split_once(": ") else {
            continue;
        };
        let mut current = String::new();
        let mut chars = deps.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => {
                    current.push(' ');
                    chars.next();
                }
                ' ' => {
                    if !current.is_empty() {
                        paths.push(std::mem::take(&mut current));
                    }
                }
                other => current.push(other),
            }
        }
        if !current.is_empty() {
            paths.push(current);
        }
        break;
    }
    paths
}
