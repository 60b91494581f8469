//! The component through careplan-host beside the native engine, in one run: per-case
//! evaluation (steady state), instantiating and loading a pack, and loading the
//! precompiled artifact.
//!
//! `cargo bench --bench component`

use std::hint::black_box;
use std::path::Path;

use careplan::engine::to_host;
use careplan::packs::{read_text, read_with_parents};
use careplan_core::{evaluate_json, Limits, RulePack};
use careplan_host::{HostConfig, Runtime};
use criterion::{criterion_group, criterion_main, Criterion};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn benches(c: &mut Criterion) {
    let england = root().join("rules/england");
    let (source, siblings) = read_with_parents(&england, &Limits::default()).expect("rules/england reads");
    let case = read_text(&root().join("rules/england/cases/sample.json")).expect("sample case");
    let as_of = "2025-06-02";
    let native = RulePack::load(&source, &siblings, &Limits::default()).expect("loads");

    let cache = std::env::temp_dir().join("careplan-bench-cache");
    let config = HostConfig {
        cache_dir: Some(cache),
        ..HostConfig::default()
    };
    let runtime = Runtime::new(config.clone()).expect("the host starts");
    let host_source = to_host(source.clone());
    let host_siblings: Vec<_> = siblings.iter().cloned().map(to_host).collect();
    let mut wasm = runtime.load(host_source.clone(), host_siblings.clone()).expect("loads");
    assert_eq!(
        wasm.evaluate_json(&case, as_of).expect("evaluates"),
        evaluate_json(&native, &case, as_of).expect("evaluates"),
        "the engines must agree before anything is timed"
    );

    let mut group = c.benchmark_group("england sample case");
    group.bench_function("native evaluate_json", |b| {
        b.iter(|| evaluate_json(&native, black_box(&case), as_of).expect("evaluates"))
    });
    group.bench_function("wasm evaluate_json (steady state)", |b| {
        b.iter(|| wasm.evaluate_json(black_box(&case), as_of).expect("evaluates"))
    });
    group.finish();

    let mut group = c.benchmark_group("component start-up");
    group.sample_size(20);
    group.bench_function("instantiate + load rules/england", |b| {
        b.iter(|| runtime.load(host_source.clone(), host_siblings.clone()).expect("loads"))
    });
    group.bench_function("native load rules/england", |b| {
        b.iter(|| RulePack::load(&source, &siblings, &Limits::default()).expect("loads"))
    });
    group.bench_function("runtime from the precompiled artifact", |b| {
        b.iter(|| Runtime::new(config.clone()).expect("starts"))
    });
    group.finish();
}

criterion_group!(component, benches);
criterion_main!(component);
