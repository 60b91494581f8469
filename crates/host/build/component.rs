//! Building the careplan component: compile `careplan-component` for
//! `wasm32-unknown-unknown` with the `component` profile, then encode the core module
//! as a component with `wit-component`. Used by the host's build script (so `cargo
//! build` and `cargo test` build it, once, when its sources change) and by the test
//! that builds it a second time to check the build is reproducible.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The target the component's core module is built for: no WASI, so no imports.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// Builds the component from the workspace at `workspace` into `target_dir` and returns
/// the component's bytes.
pub fn build(workspace: &Path, target_dir: &Path) -> Result<Vec<u8>, String> {
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
