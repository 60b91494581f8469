//! The shared logic, every implementation, one run: see docs/benchmarks.md.
//!
//! `cargo bench -p careplan-bench --bench peers`

use std::hint::black_box;

use careplan_bench::peers::rego::{Rego, RegoRvm};
use careplan_bench::peers::zen::Zen;
use careplan_bench::{careplan, cases, floor};
use careplan_core::{Case, Date};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn per_case(c: &mut Criterion) {
    let as_of: Date = cases::AS_OF.parse().expect("a date");
    let cases = cases::generate(1_000);
    let parsed: Vec<Case> = cases.iter().map(|c| Case::from_json(c).expect("valid")).collect();
    let native = careplan::native().expect("loads");
    let (_runtime, mut wasm) = careplan::wasm().expect("loads");

    let mut group = c.benchmark_group("per_case");
    group.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    let mut next = || {
        i = (i + 1) % cases.len();
        i
    };
    group.bench_function("floor/json", |b| {
        b.iter(|| floor::evaluate_json(black_box(&cases[next()]), as_of).expect("decides"))
    });
    group.bench_function("floor/parsed", |b| {
        b.iter(|| floor::evaluate(black_box(&parsed[next()]), as_of))
    });
    group.bench_function("careplan-native/json", |b| {
        b.iter(|| careplan_core::evaluate_json(&native, black_box(&cases[next()]), cases::AS_OF).expect("evaluates"))
    });
    group.bench_function("careplan-native/parsed", |b| {
        b.iter(|| native.evaluate(black_box(&parsed[next()]), as_of).expect("evaluates"))
    });
    group.bench_function("careplan-wasm/json", |b| {
        b.iter(|| {
            wasm.evaluate_json(black_box(&cases[next()]), cases::AS_OF)
                .expect("evaluates")
        })
    });
    let mut rego = Rego::new().expect("the policy loads");
    let rego_inputs: Vec<_> = cases
        .iter()
        .map(|c| Rego::prepare(c, cases::AS_OF).expect("parses"))
        .collect();
    group.bench_function("regorus/json", |b| {
        b.iter(|| {
            rego.evaluate_json(black_box(&cases[next()]), cases::AS_OF)
                .expect("evaluates")
        })
    });
    group.bench_function("regorus/parsed", |b| {
        b.iter(|| {
            rego.evaluate_prepared(black_box(&rego_inputs[next()]))
                .expect("evaluates")
        })
    });
    let mut rvm = RegoRvm::new().expect("the policy compiles");
    group.bench_function("regorus-rvm/json", |b| {
        b.iter(|| {
            rvm.evaluate_json(black_box(&cases[next()]), cases::AS_OF)
                .expect("evaluates")
        })
    });
    group.bench_function("regorus-rvm/parsed", |b| {
        b.iter(|| {
            rvm.evaluate_prepared(black_box(&rego_inputs[next()]))
                .expect("evaluates")
        })
    });
    let zen = Zen::new().expect("the graph loads");
    let zen_inputs: Vec<_> = cases
        .iter()
        .map(|c| Zen::prepare(c, cases::AS_OF).expect("parses"))
        .collect();
    group.bench_function("zen-engine/json", |b| {
        b.iter(|| {
            zen.evaluate_json(black_box(&cases[next()]), cases::AS_OF)
                .expect("evaluates")
        })
    });
    group.bench_function("zen-engine/parsed", |b| {
        b.iter(|| {
            zen.evaluate_prepared(black_box(&zen_inputs[next()]))
                .expect("evaluates")
        })
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    let as_of: Date = cases::AS_OF.parse().expect("a date");
    let cases = cases::generate(10_000);
    let native = careplan::native().expect("loads");
    let (_runtime, mut wasm) = careplan::wasm().expect("loads");
    let mut group = c.benchmark_group("batch_10000");
    group.sample_size(10);
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("floor", |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| floor::evaluate_json(c, as_of).expect("decides").len())
                .sum::<usize>()
        })
    });
    group.bench_function("careplan-native", |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| {
                    careplan_core::evaluate_json(&native, c, cases::AS_OF)
                        .expect("evaluates")
                        .len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("careplan-wasm", |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| wasm.evaluate_json(c, cases::AS_OF).expect("evaluates").len())
                .sum::<usize>()
        })
    });
    let mut rego = Rego::new().expect("the policy loads");
    group.bench_function("regorus", |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| rego.evaluate_json(c, cases::AS_OF).expect("evaluates").len())
                .sum::<usize>()
        })
    });
    let mut rvm = RegoRvm::new().expect("the policy compiles");
    group.bench_function("regorus-rvm", |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| rvm.evaluate_json(c, cases::AS_OF).expect("evaluates").len())
                .sum::<usize>()
        })
    });
    let zen = Zen::new().expect("the graph loads");
    group.bench_function("zen-engine", |b| {
        b.iter(|| {
            cases
                .iter()
                .map(|c| zen.evaluate_json(c, cases::AS_OF).expect("evaluates").len())
                .sum::<usize>()
        })
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    let source = careplan::pack_source().expect("reads");
    let mut group = c.benchmark_group("load");
    group.bench_function("careplan-native", |b| {
        b.iter(|| careplan_core::RulePack::load(black_box(&source), &[], &careplan_core::Limits::default()))
    });
    let (runtime, _) = careplan::wasm().expect("loads");
    let host_source = careplan::to_host_source(&source);
    // Each handle is dropped at once: live instances are capped by the pooling allocator.
    group.bench_function("careplan-wasm/instantiate+load", |b| {
        b.iter(|| drop(runtime.load(host_source.clone(), Vec::new()).expect("loads")))
    });
    group.bench_function("regorus", |b| b.iter(|| Rego::new().expect("loads")));
    group.bench_function("regorus-rvm/compile", |b| b.iter(|| RegoRvm::new().expect("compiles")));
    group.bench_function("zen-engine", |b| b.iter(|| Zen::new().expect("loads")));
    group.finish();
}

/// The full national pack (17 rules) on the benchmark cases, natively and through the
/// component.
fn national(c: &mut Criterion) {
    let cases = cases::generate(1_000);
    let england = careplan::national().expect("rules/england loads");
    let (_runtime, mut wasm) = careplan::national_wasm().expect("the component loads rules/england");
    let mut group = c.benchmark_group("national_pack");
    let mut i = 0usize;
    let mut next = || {
        i = (i + 1) % cases.len();
        i
    };
    group.bench_function("careplan-native/json", |b| {
        b.iter(|| careplan_core::evaluate_json(&england, black_box(&cases[next()]), cases::AS_OF).expect("evaluates"))
    });
    group.bench_function("careplan-wasm/json", |b| {
        b.iter(|| {
            wasm.evaluate_json(black_box(&cases[next()]), cases::AS_OF)
                .expect("evaluates")
        })
    });
    group.finish();
}

criterion_group!(benches, per_case, batch, load, national);
criterion_main!(benches);
