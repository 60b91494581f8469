//! Times two rule packs on the same generated cases, alternating between them round by
//! round so that both see the same machine load: the A/B timing behind the "each change
//! measured" tables of docs/benchmarks.md (criterion compares runs minutes apart, which
//! on a shared machine can differ by more than the change).
//!
//! `cargo run --release --manifest-path crates/bench/Cargo.toml --example ab -- <pack A> <pack B> [cases] [rounds]`

use std::path::Path;
use std::time::Instant;

use careplan::packs::read_with_parents;
use careplan_bench::cases;
use careplan_core::{evaluate_json, Case, Limits, RulePack};

fn load(dir: &str) -> RulePack {
    let (source, siblings) = read_with_parents(Path::new(dir), &Limits::default())
        .unwrap_or_else(|err| panic!("cannot read `{dir}`: {err}"));
    RulePack::load(&source, &siblings, &Limits::default()).unwrap_or_else(|err| panic!("`{dir}` does not load: {err}"))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (a_dir, b_dir) = match (args.first(), args.get(1)) {
        (Some(a), Some(b)) => (a.as_str(), b.as_str()),
        _ => {
            eprintln!("usage: ab <pack A> <pack B> [cases, 1000] [rounds, 15]");
            std::process::exit(2);
        }
    };
    let n: usize = args.get(2).map_or(1000, |s| s.parse().expect("a number of cases"));
    let rounds: usize = args.get(3).map_or(15, |s| s.parse().expect("a number of rounds"));
    let (a, b) = (load(a_dir), load(b_dir));
    let json = cases::generate(n);
    let parsed: Vec<Case> = json.iter().map(|c| Case::from_json(c).expect("valid")).collect();
    let as_of = cases::AS_OF.parse().expect("a date");
    let mut times = [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
    for round in 0..rounds {
        for (i, pack) in [&a, &b].into_iter().enumerate() {
            let start = Instant::now();
            for case in &parsed {
                std::hint::black_box(pack.evaluate(case, as_of).expect("evaluates"));
            }
            let parsed_us = start.elapsed().as_secs_f64() * 1e6 / n as f64;
            let start = Instant::now();
            for case in &json {
                std::hint::black_box(evaluate_json(pack, case, cases::AS_OF).expect("evaluates"));
            }
            let json_us = start.elapsed().as_secs_f64() * 1e6 / n as f64;
            if round > 0 {
                times[i][0].push(parsed_us);
                times[i][1].push(json_us);
            }
        }
    }
    let [ta, tb] = times;
    let [a_parsed, a_json] = ta;
    let [b_parsed, b_json] = tb;
    let (ap, aj, bp, bj) = (median(a_parsed), median(a_json), median(b_parsed), median(b_json));
    println!("{n} cases, {} rounds after one warm-up, median µs per case", rounds - 1);
    println!("{:<8} {:>10} {:>10}  pack", "", "parsed", "json");
    println!("{:<8} {:>10.1} {:>10.1}  {a_dir}", "A", ap, aj);
    println!("{:<8} {:>10.1} {:>10.1}  {b_dir}", "B", bp, bj);
    println!("{:<8} {:>10.2} {:>10.2}", "B / A", bp / ap, bj / aj);
}
