//! Native evaluation speed: the national pack on the sample case, with and without JSON
//! parsing, and the cost of loading (compiling) a pack.
//!
//! `cargo bench --bench evaluate`

use std::hint::black_box;
use std::path::Path;

use careplan::packs::{read_text, read_with_parents};
use careplan_core::{evaluate_json, Case, Date, Limits, RulePack};
use criterion::{criterion_group, criterion_main, Criterion};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn benches(c: &mut Criterion) {
    let england = root().join("rules/england");
    let (source, siblings) = read_with_parents(&england, &Limits::default()).expect("rules/england reads");
    let case_json = read_text(&root().join("rules/england/cases/sample.json")).expect("sample case");
    let as_of: Date = "2025-06-02".parse().expect("date");
    let pack = RulePack::load(&source, &siblings, &Limits::default()).expect("loads");
    let case = Case::from_json(&case_json).expect("valid case");

    c.bench_function("england/load", |b| {
        b.iter(|| RulePack::load(black_box(&source), &siblings, &Limits::default()).expect("loads"))
    });
    c.bench_function("england/evaluate (typed case)", |b| {
        b.iter(|| pack.evaluate(black_box(&case), as_of).expect("evaluates"))
    });
    c.bench_function("england/evaluate_json (parse + evaluate + serialize)", |b| {
        b.iter(|| evaluate_json(&pack, black_box(&case_json), "2025-06-02").expect("evaluates"))
    });
    c.bench_function("case/from_json", |b| {
        b.iter(|| Case::from_json(black_box(&case_json)).expect("valid"))
    });
}

criterion_group!(evaluate, benches);
criterion_main!(evaluate);
