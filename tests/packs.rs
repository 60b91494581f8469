//! Every rule pack under `rules/`, run through core: one test per fixture file, plus
//! one per pack that it loads and one that its fixtures make every rule fire.
//!
//! Data-driven: adding a fixture file adds a test, with no code to write.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use careplan::packs::{display_path, fixture_paths, open_pack, read_text};
use careplan::render::json_diff;
use careplan_core::fixture::{Fixture, FixtureOutcome};
use careplan_core::{Limits, RulePack};
use libtest_mimic::{Arguments, Failed, Trial};

/// Relative to the package root, where cargo runs tests, so that file names in messages
/// read `rules/england/...` exactly as they do from `careplan test rules/england`.
fn packs_dir() -> PathBuf {
    PathBuf::from("rules")
}

fn pack_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(packs_dir())
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.retain(|d| d.join("pack.toml").is_file());
    dirs.sort();
    dirs
}

/// Runs one fixture file; the failure message lists every mismatch and the diff.
fn run_fixture(pack: &RulePack, path: &Path) -> Result<Vec<String>, Failed> {
    let text = read_text(path).map_err(|e| e.to_string())?;
    let fixture = Fixture::from_json(&text).map_err(|e| format!("{}: {e}", display_path(path)))?;
    match fixture.run(pack) {
        FixtureOutcome::Passed { fired } => Ok(fired),
        FixtureOutcome::Skipped(reason) => {
            Err(format!("skipped fixtures are not allowed in a shipped pack: {reason}").into())
        }
        FixtureOutcome::Failed(failure) => {
            let mut message = format!("{}\n", fixture.description.unwrap_or_default());
            for m in &failure.mismatches {
                message.push_str(&format!("  at `{}`: {}\n", m.path, m.message));
            }
            message.push_str("- expected, + actual:\n");
            message.push_str(&json_diff(&failure.expected, &failure.actual));
            Err(message.into())
        }
    }
}

/// The least budget, from 1 to `max`, with which every fixture of the pack in `dir`
/// still passes when the pack is loaded with `limits(budget)` (passing is monotone in
/// the budget, so a bisection finds it).
fn least_budget(dir: &Path, paths: &[PathBuf], max: u64, limits: impl Fn(u64) -> Limits) -> Result<u64, Failed> {
    let passes = |budget: u64| -> Result<bool, Failed> {
        let pack = open_pack(dir, &limits(budget)).map_err(|e| e.to_string())?;
        Ok(paths.iter().all(|path| run_fixture(&pack, path).is_ok()))
    };
    if !passes(max)? {
        return Err("the fixtures do not pass with the default budget".into());
    }
    let (mut fails, mut passing) = (0, max);
    while passing - fails > 1 {
        let mid = fails + (passing - fails) / 2;
        if passes(mid)? {
            passing = mid;
        } else {
            fails = mid;
        }
    }
    Ok(passing)
}

/// Every fixture of the pack passes with a tenth of the default work budgets (per
/// rule, `max_operations`, and per evaluation, `max_evaluation_operations`); prints
/// the least each needs, which the sandbox issue reports as the fixtures' fraction.
fn work_headroom(dir: &Path, paths: &[PathBuf]) -> Result<(), Failed> {
    let default = Limits::default();
    let per_rule = least_budget(dir, paths, default.max_operations, |budget| Limits {
        max_operations: budget,
        ..Limits::default()
    })?;
    let per_evaluation = least_budget(dir, paths, default.max_evaluation_operations, |budget| Limits {
        max_evaluation_operations: budget,
        ..Limits::default()
    })?;
    let percent = |used: u64, max: u64| used as f64 * 100.0 / max as f64;
    eprintln!(
        "{}: the fixtures need max_operations {per_rule} ({:.2}% of {}) and max_evaluation_operations {per_evaluation} ({:.2}% of {})",
        display_path(dir),
        percent(per_rule, default.max_operations),
        default.max_operations,
        percent(per_evaluation, default.max_evaluation_operations),
        default.max_evaluation_operations,
    );
    if per_rule * 10 > default.max_operations || per_evaluation * 10 > default.max_evaluation_operations {
        return Err(format!(
            "the fixtures need {per_rule} units a rule and {per_evaluation} an evaluation: over a tenth of the budgets"
        )
        .into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let dirs = pack_dirs();
    trials.push(Trial::test("rules/ holds the national pack and a local pack", {
        let names: Vec<String> = dirs
            .iter()
            .filter_map(|d| d.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        move || {
            if names.iter().any(|n| n == "england") && names.len() >= 2 {
                Ok(())
            } else {
                Err(format!("expected `england` and at least one local pack, found {names:?}").into())
            }
        }
    }));
    for dir in dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pack = match open_pack(&dir, &Limits::default()) {
            Ok(pack) => Arc::new(pack),
            Err(err) => {
                let message = match &err {
                    careplan::packs::OpenError::Invalid(load) => careplan::render::load_error(load),
                    other => other.to_string(),
                };
                trials.push(Trial::test(format!("{name}::loads"), move || Err(message.into())));
                continue;
            }
        };
        trials.push(Trial::test(format!("{name}::loads"), || Ok(())));
        let paths = fixture_paths(&dir).unwrap_or_default();
        for path in paths.clone() {
            let pack = pack.clone();
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            trials.push(Trial::test(format!("{name}::{stem}"), move || {
                run_fixture(&pack, &path).map(|_| ())
            }));
        }
        // Headroom: the work the fixtures need, as a fraction of the default budgets.
        trials.push(Trial::test(
            format!("{name}::fixtures_need_under_a_tenth_of_the_work_budget"),
            {
                let (dir, paths) = (dir.clone(), paths.clone());
                move || work_headroom(&dir, &paths)
            },
        ));
        // Coverage: each rule the pack itself defines fires in at least one fixture.
        let own: Vec<String> = pack
            .info()
            .rules
            .iter()
            .filter(|r| r.pack == pack.info().id)
            .map(|r| r.id.clone())
            .collect();
        trials.push(Trial::test(
            format!("{name}::every_rule_fires_in_a_fixture"),
            move || {
                let mut fired = BTreeSet::new();
                for path in &paths {
                    if let Ok(ids) = run_fixture(&pack, path) {
                        fired.extend(ids);
                    }
                }
                let never: Vec<&String> = own.iter().filter(|id| !fired.contains(*id)).collect();
                if never.is_empty() {
                    Ok(())
                } else {
                    Err(format!("no passing fixture makes these rules fire: {never:?}").into())
                }
            },
        ));
    }
    libtest_mimic::run(&args, trials).exit();
}
