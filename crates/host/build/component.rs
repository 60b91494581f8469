//! Building the careplan component: compile `careplan-component` for
//! `wasm32-unknown-unknown` with the `component` profile, then encode the core module
//! as a component with `wit-component`. Used by the host's build script (so `cargo
//! build` and `cargo test` build it, once, when its sources change) and by the test
//! that builds it a second time to check the build is reproducible.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    let module_path: PathBuf = target_dir
        .join(TARGET)
        .join("component")
        .join("careplan_component.wasm");
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
    wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(|err| format!("cannot encode the component: {err:#}"))
}
