//! `careplan test`: run packs' fixtures and summarise `N passed, N failed`.

use std::path::{Path, PathBuf};

use careplan_core::fixture::{Fixture, FixtureOutcome};

use super::{open_error, tool_error, Exit};
use crate::engine::EngineKind;
use crate::packs::{display_path, fixture_paths, read_text};
use crate::render::{self, ErrorFormat};

/// Counts across every pack.
#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
}

fn fixture_name(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| display_path(path), |s| s.to_string_lossy().into_owned())
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|line| format!("{by}{line}\n")).collect()
}

pub(super) fn run(packs: &[PathBuf], filter: Option<&str>, engine: EngineKind, format: ErrorFormat) -> Exit {
    let mut tally = Tally::default();
    let mut tool_failed = false;
    for dir in packs {
        let name = display_path(dir);
        let paths = match fixture_paths(dir) {
            Ok(paths) => paths,
            Err(err) => {
                tool_error(&err, format);
                tool_failed = true;
                continue;
            }
        };
        let paths: Vec<PathBuf> = paths
            .into_iter()
            .filter(|p| filter.is_none_or(|f| fixture_name(p).contains(f)))
            .collect();
        let mut pack = match crate::engine::open(dir, engine) {
            Ok(pack) => pack,
            Err(err) => {
                if open_error(&err, format) == Exit::ToolError {
                    tool_failed = true;
                }
                println!(
                    "{name}: the pack does not load; its {} fixture(s) count as failed",
                    paths.len()
                );
                tally.failed += paths.len().max(1);
                continue;
            }
        };
        let (id, version, rules) = pack.summary();
        println!(
            "{name} (pack `{id}` {version}, {rules} rules, {} fixtures)",
            paths.len()
        );
        for path in &paths {
            let fixture_label = fixture_name(path);
            let fixture = match read_text(path) {
                Ok(text) => Fixture::from_json(&text).map_err(|e| e.to_string()),
                Err(err) => Err(err.to_string()),
            };
            let fixture = match fixture {
                Ok(fixture) => fixture,
                Err(message) => {
                    tally.failed += 1;
                    println!(
                        "  FAILED  {fixture_label}\n          {} : {message}",
                        display_path(path)
                    );
                    continue;
                }
            };
            let outcome = fixture
                .run_with(|case, as_of, params| pack.evaluate_json(case, as_of, params).map_err(|e| e.to_json()));
            match outcome {
                FixtureOutcome::Passed { .. } => {
                    tally.passed += 1;
                    println!("  ok      {fixture_label}");
                }
                FixtureOutcome::Skipped(reason) => {
                    tally.skipped += 1;
                    println!("  skipped {fixture_label}: {reason}");
                }
                FixtureOutcome::Failed(failure) => {
                    tally.failed += 1;
                    println!("  FAILED  {fixture_label} ({})", display_path(path));
                    if let Some(description) = &fixture.description {
                        println!("          {description}");
                    }
                    for mismatch in &failure.mismatches {
                        if mismatch.path.is_empty() {
                            println!("          {}", mismatch.message);
                        } else {
                            println!("          at `{}`: {}", mismatch.path, mismatch.message);
                        }
                    }
                    println!("          - expected, + actual:");
                    print!(
                        "{}",
                        indent(&render::json_diff(&failure.expected, &failure.actual), "          ")
                    );
                }
            }
        }
    }
    println!();
    if tally.skipped > 0 {
        println!(
            "{} passed, {} failed, {} skipped",
            tally.passed, tally.failed, tally.skipped
        );
    } else {
        println!("{} passed, {} failed", tally.passed, tally.failed);
    }
    if tool_failed {
        Exit::ToolError
    } else if tally.failed > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    }
}
