//! Writes the benchmarks' generated cases (invented people, fixed seed) as JSON Lines,
//! for timing `careplan batch` (docs/benchmarks.md, "A caseload sweep").
//!
//! `cargo run --release --manifest-path crates/bench/Cargo.toml --bin cases -- 100000 > cases.jsonl`

use std::io::{BufWriter, Write};

fn main() {
    let mut args = std::env::args().skip(1);
    let count = match args.next().map(|n| n.replace('_', "").parse::<usize>()) {
        Some(Ok(n)) if args.next().is_none() => n,
        _ => {
            eprintln!("usage: cases <count>   (writes <count> cases as JSON Lines to standard output)");
            std::process::exit(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for case in careplan_bench::cases::generate(count) {
        if writeln!(out, "{case}").is_err() {
            std::process::exit(1);
        }
    }
    if out.flush().is_err() {
        std::process::exit(1);
    }
}
