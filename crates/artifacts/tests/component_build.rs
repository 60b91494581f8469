//! The component build: reproducible (building it again, in another directory, gives the
//! same bytes as the component embedded in this crate), and redone when anything it read
//! changes (the list comes from the nested build's dep-info, so it holds the files a
//! hand-kept list once missed).

#[path = "../build/component.rs"]
mod component;

use std::path::{Path, PathBuf};

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

#[test]
fn a_second_build_in_another_directory_gives_the_same_bytes() {
    if !slow_tier("a_second_build_in_another_directory_gives_the_same_bytes") {
        return;
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace exists");
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reproducible-component");
    let again = component::build(&workspace, &target_dir).expect("the component builds");
    assert_eq!(
        again.len(),
        careplan_artifacts::COMPONENT.len(),
        "the two builds differ in size"
    );
    assert!(again == careplan_artifacts::COMPONENT, "the two builds differ");
}

#[test]
fn the_rebuild_inputs_are_every_file_the_component_build_read() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace exists");
    // Where the build script built the component (see build.rs: `<target>/careplan-component`).
    let out_dir = PathBuf::from(env!("OUT_DIR"));
    let target = out_dir
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "build"))
        .and_then(Path::parent)
        .and_then(Path::parent)
        .expect("OUT_DIR is under the target directory")
        .join("careplan-component");
    let inputs = component::inputs(&workspace, &target);
    for wanted in [
        "crates/core/schemas/case.schema.json",
        "crates/core/schemas/evaluation.schema.json",
        "crates/core/build.rs",
        "crates/core/src/lib.rs",
        "crates/core/src/eval/mod.rs",
        "crates/component/src/lib.rs",
        "wit/careplan.wit",
        "Cargo.lock",
    ] {
        assert!(
            inputs.contains(&workspace.join(wanted)),
            "`{wanted}` is not an input of the component build: {inputs:?}"
        );
    }
    // Every source file of core is there, however the tree is laid out (but the
    // vocabulary audit, which only `--features audit` tests compile, is no input).
    let mut sources = Vec::new();
    collect_rs(&workspace.join("crates/core/src"), &mut sources);
    sources.retain(|source| !source.ends_with("audit.rs"));
    assert!(sources.len() > 10);
    for source in sources {
        assert!(inputs.contains(&source), "{} is not an input", source.display());
    }
    // Nothing from the registry or the nested build's own output.
    assert!(inputs.iter().all(|p| !p.starts_with(&target)), "{inputs:?}");
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
