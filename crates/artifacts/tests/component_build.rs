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
    let target = nested_target();
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

/// Where the build script built the component (see build.rs: `<target>/careplan-component`).
fn nested_target() -> PathBuf {
    let out_dir = PathBuf::from(env!("OUT_DIR"));
    out_dir
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "build"))
        .and_then(Path::parent)
        .and_then(Path::parent)
        .expect("OUT_DIR is under the target directory")
        .join("careplan-component")
}

#[test]
fn the_size_report_sizes_every_function_by_crate_and_the_component_has_no_names() {
    let target = nested_target();
    let module = std::fs::read(component::module_path(&target)).expect("the nested build's core module");
    let (report, stripped) = component::size::analyse(&module).expect("the module has names");
    let crates: Vec<&str> = report.crates.keys().map(String::as_str).collect();
    for wanted in [
        "careplan_core",
        "careplan_component",
        "rhai",
        "serde_json",
        "alloc",
        "core",
    ] {
        assert!(crates.contains(&wanted), "no `{wanted}` in {crates:?}");
    }
    let (bodies, functions): (u64, usize) = report
        .crates
        .values()
        .fold((0, 0), |(b, f), (bytes, n)| (b + bytes, f + n));
    // Each body is in the code section, which adds only its count and each body's length.
    assert!(
        bodies <= report.code && report.code - bodies <= 8 + 5 * functions as u64,
        "{bodies} bytes of bodies in a {}-byte code section",
        report.code
    );
    let unattributed = report.crates.get("(other symbols)").map_or(0, |(bytes, _)| *bytes);
    assert!(
        unattributed * 20 < report.code,
        "{unattributed} of {} code bytes belong to no crate:\n{}",
        report.code,
        report.render()
    );
    // The stripped module is the original without its `name` section, and the component
    // embeds it: no function names ship.
    assert!(stripped.len() < module.len());
    assert_eq!(stripped.len() as u64, report.module);
    assert!(
        component::size::analyse(&stripped).is_err(),
        "the stripped module still has names"
    );
    let written = std::fs::read_to_string(component::size_report_path(&target)).expect("the build wrote its report");
    assert_eq!(written, report.render(), "the report is the last build's");
}

#[test]
fn a_function_belongs_to_the_crate_of_its_path_or_of_its_impl_type() {
    for (name, krate) in [
        ("_ZN10serde_json2de10from_slice17h0123456789abcdefE", "serde_json"),
        ("rhai::eval::expr::<impl rhai::engine::Engine>::eval_expr", "rhai"),
        ("<alloc::vec::Vec<T> as core::clone::Clone>::clone", "alloc"),
        ("<&T as core::fmt::Debug>::fmt", "core"),
        ("<[T] as core::fmt::Debug>::fmt", "core"),
        ("memcpy", "(other symbols)"),
    ] {
        assert_eq!(component::size::crate_of(name), krate, "{name}");
    }
}
