//! Builds the careplan component when one of the files its build read has changed, and
//! embeds it (see `build/component.rs`).
//!
//! `rerun-if-changed` comes from the nested build's dep-info (`careplan_component.d`:
//! every source file, `include_str!`'d file and build-script input of every crate in
//! the component, such as the JSON Schemas and the WIT files), plus the manifests and
//! the lockfile, which decide what is built but are not in dep-info. Nothing is listed
//! by hand, so the list cannot go stale.

#[path = "build/component.rs"]
mod component;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target_dir = shared_target_dir(&out_dir);
    let bytes = match component::build(&workspace, &target_dir) {
        Ok(bytes) => bytes,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    };
    for path in component::inputs(&workspace, &target_dir) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(out_dir.join("careplan.wasm"), &bytes).expect("OUT_DIR is writable");
    std::fs::write(out_dir.join("careplan.wasm.sha256"), digest).expect("OUT_DIR is writable");
}

/// One build directory for the component whatever the outer profile (`check`, `build`,
/// `test`, `clippy` each get their own OUT_DIR): `<target>/careplan-component`, found as
/// the parent of the profile directory that holds `build/`.
fn shared_target_dir(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "build"))
        .and_then(|build| build.parent())
        .and_then(|profile| profile.parent())
        .map_or_else(
            || out_dir.join("component-target"),
            |target| target.join("careplan-component"),
        )
}
