//! `careplan test`: run packs' fixtures, report them for people (`N passed, N failed`),
//! as JSON or as JUnit XML, with rule coverage.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use careplan_core::fixture::{Fixture, FixtureOutcome};
use serde_json::json;

use super::{open_error, tool_error, Exit};
use crate::engine::EngineKind;
use crate::packs::{display_path, fixture_paths, read_text};
use crate::render::{self, ErrorFormat};

/// How `careplan test` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Lines for people, with diffs, ending `N passed, N failed`.
    Human,
    /// One JSON document: every fixture and the coverage of every pack.
    Json,
    /// JUnit XML, for CI systems.
    Junit,
}

/// What `careplan test` was asked to do.
pub(super) struct Options<'a> {
    pub filter: Option<&'a str>,
    pub engine: EngineKind,
    pub format: ReportFormat,
    pub coverage: bool,
    pub min_coverage: Option<f64>,
    /// Record the current outcome in failing fixtures (and in fixtures whose `expect`
    /// is `{}`), after confirmation.
    pub update: bool,
    /// Confirm every update without asking.
    pub yes: bool,
}

enum Status {
    Passed,
    /// The fixture's `expect` was rewritten with the current outcome.
    Updated,
    Skipped(String),
    Failed {
        details: Vec<String>,
        diff: String,
    },
}

struct FixtureReport {
    name: String,
    file: String,
    description: Option<String>,
    status: Status,
    fired: Vec<String>,
}

struct PackReport {
    name: String,
    id: String,
    version: String,
    /// Rule id and the pack that defines it, in evaluation order.
    rules: Vec<(String, String)>,
    /// Why the pack could not be run, when it could not.
    load_error: Option<String>,
    fixtures: Vec<FixtureReport>,
}

impl PackReport {
    /// How many fixtures made each rule fire.
    fn fired_counts(&self) -> BTreeMap<&str, usize> {
        let mut counts: BTreeMap<&str, usize> = self.rules.iter().map(|(id, _)| (id.as_str(), 0)).collect();
        for fixture in &self.fixtures {
            for id in &fixture.fired {
                if let Some(count) = counts.get_mut(id.as_str()) {
                    *count += 1;
                }
            }
        }
        counts
    }

    /// Coverage of the rules this pack itself defines or overrides: (covered, total).
    fn own_coverage(&self) -> (usize, usize) {
        let counts = self.fired_counts();
        let own: Vec<&str> = self
            .rules
            .iter()
            .filter(|(_, pack)| *pack == self.id)
            .map(|(id, _)| id.as_str())
            .collect();
        (
            own.iter().filter(|id| counts.get(*id).is_some_and(|&c| c > 0)).count(),
            own.len(),
        )
    }
}

fn percent((covered, total): (usize, usize)) -> f64 {
    if total == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / total as f64
    }
}

fn fixture_name(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| display_path(path), |s| s.to_string_lossy().into_owned())
}

/// What `--update` would write as the fixture's `expect`: for a failing fixture, the
/// current values of the keys its `expect` names; for a fixture whose `expect` is `{}`,
/// the whole evaluation less what changes with every engine or pack release.
fn new_expectation(fixture: &Fixture, outcome: &FixtureOutcome, evaluation: Option<&str>) -> Option<serde_json::Value> {
    let careplan_core::fixture::Expectation::Evaluation(expected) = &fixture.expect else {
        return None;
    };
    match outcome {
        FixtureOutcome::Failed(failure) if failure.mismatches.iter().all(|m| !m.path.is_empty()) => {
            Some(failure.actual.clone())
        }
        FixtureOutcome::Passed { .. } if expected.as_object().is_some_and(serde_json::Map::is_empty) => {
            let mut whole: serde_json::Value = serde_json::from_str(evaluation?).ok()?;
            let audit = whole.get_mut("audit")?.as_object_mut()?;
            audit.remove("engine");
            audit.get_mut("pack")?.as_object_mut()?.remove("digest");
            Some(whole)
        }
        _ => None,
    }
}

/// Writes `new` as the fixture's `expect`, after asking on a terminal unless `yes`.
/// `Ok(false)` when the author declined.
fn update(path: &Path, new: &serde_json::Value, yes: bool) -> Result<bool, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let text = read_text(path).map_err(|e| e.to_string())?;
    let Some(updated) = crate::fixture_file::replace_expect(&text, new) else {
        return Ok(false);
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err("`--update` asks before changing a fixture; add `--yes` to update without asking".into());
        }
        println!("{}:", display_path(path));
        let old = careplan_core::fixture::Fixture::from_json(&text)
            .ok()
            .and_then(|f| match f.expect {
                careplan_core::fixture::Expectation::Evaluation(v) => Some(v),
                careplan_core::fixture::Expectation::Error(_) => None,
            })
            .unwrap_or_default();
        print!("{}", render::json_diff(&old, new));
        print!("record this outcome in the fixture? [y/N] ");
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Ok(false);
        }
    }
    std::fs::write(path, updated).map_err(|err| format!("cannot write `{}`: {err}", display_path(path)))?;
    Ok(true)
}

/// What to run from one pack: every fixture in its `tests/` folder, or only some.
struct Target {
    /// The pack folder.
    dir: PathBuf,
    /// The fixture files given on the command line; `None` for all of the pack's.
    only: Option<Vec<PathBuf>>,
}

/// A path as it can be compared with another naming the same file or folder.
fn same_place(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

/// The pack of a fixture file: the folder above the `tests/` folder holding it.
fn fixture_pack(path: &Path) -> Result<PathBuf, String> {
    let shown = display_path(path);
    if !path.is_file() {
        return Err(format!("cannot read `{shown}`: there is no such fixture file"));
    }
    let pack = path
        .parent()
        .filter(|tests| tests.file_name().is_some_and(|name| name == "tests"))
        .map(|tests| match tests.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        });
    match pack {
        Some(pack) if pack.join("pack.toml").is_file() => Ok(pack),
        _ => Err(format!(
            "`{shown}` is not a fixture in a pack's `tests/` folder: give a pack folder, or a fixture file `<pack>/tests/<name>.json`"
        )),
    }
}

/// Sorts the paths given into what to run, pack by pack in the order given: a `.json`
/// path is a fixture file run alone (with any others given from the same pack), any
/// other path a pack folder, whose fixtures all run.
fn targets(paths: &[PathBuf]) -> Result<Vec<Target>, String> {
    let mut targets: Vec<Target> = Vec::new();
    for path in paths {
        let (dir, fixture) = if path.extension().is_some_and(|e| e == "json") {
            (fixture_pack(path)?, Some(path.clone()))
        } else {
            (path.clone(), None)
        };
        let place = same_place(&dir);
        let position = targets.iter().position(|t| same_place(&t.dir) == place);
        match (position, fixture) {
            (Some(i), Some(file)) => {
                if let Some(Target { only: Some(only), .. }) = targets.get_mut(i) {
                    let file_place = same_place(&file);
                    if !only.iter().any(|f| same_place(f) == file_place) {
                        only.push(file);
                    }
                }
            }
            (Some(i), None) => {
                if let Some(target) = targets.get_mut(i) {
                    target.only = None;
                }
            }
            (None, fixture) => targets.push(Target {
                dir,
                only: fixture.map(|file| vec![file]),
            }),
        }
    }
    Ok(targets)
}

/// Runs the fixtures of the pack in `dir`: `only` these files, or all in its `tests/`.
fn run_pack(dir: &Path, only: Option<&[PathBuf]>, options: &Options, format: ErrorFormat) -> Result<PackReport, Exit> {
    let name = display_path(dir);
    let paths: Vec<PathBuf> = match only {
        Some(files) => files.to_vec(),
        None => fixture_paths(dir).map_err(|err| tool_error(&err, format))?,
    }
    .into_iter()
    .filter(|p| options.filter.is_none_or(|f| fixture_name(p).contains(f)))
    .collect();
    let mut pack = match crate::engine::open(dir, options.engine) {
        Ok(pack) => pack,
        Err(err) => {
            if open_error(&err, format) == Exit::ToolError {
                return Err(Exit::ToolError);
            }
            let fixtures = paths
                .iter()
                .map(|p| FixtureReport {
                    name: fixture_name(p),
                    file: display_path(p),
                    description: None,
                    status: Status::Failed {
                        details: vec!["the pack does not load".into()],
                        diff: String::new(),
                    },
                    fired: Vec::new(),
                })
                .collect();
            return Ok(PackReport {
                name,
                id: String::new(),
                version: String::new(),
                rules: Vec::new(),
                load_error: Some(err.to_string()),
                fixtures,
            });
        }
    };
    let (id, version, rules) = pack.summary();
    let mut fixtures = Vec::new();
    for path in &paths {
        let fixture = read_text(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Fixture::from_json(&text).map_err(|e| e.to_string()));
        let (description, status, fired) = match fixture {
            Err(message) => (
                None,
                Status::Failed {
                    details: vec![message],
                    diff: String::new(),
                },
                Vec::new(),
            ),
            Ok(fixture) => {
                let mut evaluation: Option<String> = None;
                let outcome = fixture.run_with(|case, as_of, params| {
                    let result = pack.evaluate_json(case, as_of, params).map_err(|e| e.to_json());
                    evaluation = result.as_ref().ok().cloned();
                    result
                });
                if options.update {
                    if let Some(new) = new_expectation(&fixture, &outcome, evaluation.as_deref()) {
                        match update(path, &new, options.yes) {
                            Ok(true) => {
                                fixtures.push(FixtureReport {
                                    name: fixture_name(path),
                                    file: display_path(path),
                                    description: fixture.description,
                                    status: Status::Updated,
                                    fired: match outcome {
                                        FixtureOutcome::Passed { fired } => fired,
                                        FixtureOutcome::Failed(failure) => failure.fired,
                                        FixtureOutcome::Skipped(_) => Vec::new(),
                                    },
                                });
                                continue;
                            }
                            Ok(false) => {}
                            Err(message) => return Err(tool_error(&message, format)),
                        }
                    }
                }
                let (status, fired) = match outcome {
                    FixtureOutcome::Passed { fired } => (Status::Passed, fired),
                    FixtureOutcome::Skipped(reason) => (Status::Skipped(reason), Vec::new()),
                    FixtureOutcome::Failed(failure) => (
                        Status::Failed {
                            details: failure
                                .mismatches
                                .iter()
                                .map(|m| {
                                    if m.path.is_empty() {
                                        m.message.clone()
                                    } else {
                                        format!("at `{}`: {}", m.path, m.message)
                                    }
                                })
                                .collect(),
                            diff: render::json_diff(&failure.expected, &failure.actual),
                        },
                        failure.fired,
                    ),
                };
                (fixture.description, status, fired)
            }
        };
        fixtures.push(FixtureReport {
            name: fixture_name(path),
            file: display_path(path),
            description,
            status,
            fired,
        });
    }
    Ok(PackReport {
        name,
        id,
        version,
        rules,
        load_error: None,
        fixtures,
    })
}

/// Runs the fixtures of `paths`: pack folders (all their fixtures) or fixture files in
/// a pack's `tests/` folder (those alone).
pub(super) fn run(paths: &[PathBuf], options: Options, format: ErrorFormat) -> Exit {
    let targets = match targets(paths) {
        Ok(targets) => targets,
        Err(message) => return tool_error(&message, format),
    };
    let mut reports = Vec::new();
    for target in &targets {
        match run_pack(&target.dir, target.only.as_deref(), &options, format) {
            Ok(report) => reports.push(report),
            Err(exit) => return exit,
        }
    }
    let count = |f: fn(&Status) -> bool| {
        reports
            .iter()
            .flat_map(|r| &r.fixtures)
            .filter(|x| f(&x.status))
            .count()
    };
    let passed = count(|s| matches!(s, Status::Passed | Status::Updated));
    let failed = count(|s| matches!(s, Status::Failed { .. }))
        + reports
            .iter()
            .filter(|r| r.load_error.is_some() && r.fixtures.is_empty())
            .count();
    let skipped = count(|s| matches!(s, Status::Skipped(_)));
    let below: Vec<String> = options
        .min_coverage
        .map(|min| {
            reports
                .iter()
                .filter(|r| r.load_error.is_none() && percent(r.own_coverage()) < min)
                .map(|r| {
                    format!(
                        "{}: {:.1}% of its rules fired, below the minimum of {min}%",
                        r.name,
                        percent(r.own_coverage())
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    match options.format {
        ReportFormat::Human => print!(
            "{}",
            human(&reports, options.coverage || options.min_coverage.is_some())
        ),
        ReportFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json_report(&reports)).unwrap_or_default()
        ),
        ReportFormat::Junit => print!("{}", junit(&reports)),
    }
    if options.format == ReportFormat::Human {
        for line in &below {
            println!("coverage: {line}");
        }
        println!();
        if skipped > 0 {
            println!("{passed} passed, {failed} failed, {skipped} skipped");
        } else {
            println!("{passed} passed, {failed} failed");
        }
    } else {
        for line in &below {
            eprintln!("coverage: {line}");
        }
    }
    if failed > 0 || !below.is_empty() {
        Exit::Failed
    } else {
        Exit::Ok
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|line| format!("{by}{line}\n")).collect()
}

fn human(reports: &[PackReport], coverage: bool) -> String {
    let mut out = String::new();
    for report in reports {
        if report.load_error.is_some() {
            let _ = writeln!(
                out,
                "{}: the pack does not load; its {} fixture(s) count as failed",
                report.name,
                report.fixtures.len()
            );
            continue;
        }
        let _ = writeln!(
            out,
            "{} (pack `{}` {}, {} rules, {} fixtures)",
            report.name,
            report.id,
            report.version,
            report.rules.len(),
            report.fixtures.len()
        );
        for fixture in &report.fixtures {
            match &fixture.status {
                Status::Passed => {
                    let _ = writeln!(out, "  ok      {}", fixture.name);
                }
                Status::Updated => {
                    let _ = writeln!(out, "  updated {} ({})", fixture.name, fixture.file);
                }
                Status::Skipped(reason) => {
                    let _ = writeln!(out, "  skipped {}: {reason}", fixture.name);
                }
                Status::Failed { details, diff } => {
                    let _ = writeln!(out, "  FAILED  {} ({})", fixture.name, fixture.file);
                    if let Some(description) = &fixture.description {
                        let _ = writeln!(out, "          {description}");
                    }
                    for detail in details {
                        let _ = writeln!(out, "          {detail}");
                    }
                    if !diff.is_empty() {
                        let _ = writeln!(out, "          - expected, + actual:");
                        out.push_str(&indent(diff, "          "));
                    }
                }
            }
        }
        if coverage {
            let counts = report.fired_counts();
            let (covered, total) = report.own_coverage();
            let _ = writeln!(
                out,
                "  coverage: {covered} of {total} rules of `{}` fired ({:.1}%)",
                report.id,
                percent((covered, total))
            );
            for (id, pack) in &report.rules {
                let n = counts.get(id.as_str()).copied().unwrap_or(0);
                let from = if *pack == report.id {
                    String::new()
                } else {
                    format!(" (from `{pack}`)")
                };
                let mark = if n == 0 { "NEVER FIRED" } else { "" };
                let _ = writeln!(out, "    {n:>4}  {id}{from} {mark}");
            }
        }
    }
    out
}

fn json_report(reports: &[PackReport]) -> serde_json::Value {
    json!(reports
        .iter()
        .map(|r| {
            let counts = r.fired_counts();
            let (covered, total) = r.own_coverage();
            json!({
                "pack": r.name,
                "id": r.id,
                "version": r.version,
                "load_error": r.load_error,
                "fixtures": r.fixtures.iter().map(|f| {
                    let (status, details, reason) = match &f.status {
                        Status::Passed => ("passed", Vec::new(), None),
                        Status::Updated => ("updated", Vec::new(), None),
                        Status::Skipped(reason) => ("skipped", Vec::new(), Some(reason.clone())),
                        Status::Failed { details, .. } => ("failed", details.clone(), None),
                    };
                    json!({ "name": f.name, "file": f.file, "status": status, "mismatches": details, "skip_reason": reason, "fired": f.fired })
                }).collect::<Vec<_>>(),
                "coverage": {
                    "covered": covered,
                    "total": total,
                    "percent": percent((covered, total)),
                    "rules": r.rules.iter().map(|(id, pack)| json!({ "id": id, "pack": pack, "fixtures": counts.get(id.as_str()).copied().unwrap_or(0) })).collect::<Vec<_>>(),
                },
            })
        })
        .collect::<Vec<_>>())
}

fn xml(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&apos;".to_owned(),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => String::new(),
            c => c.to_string(),
        })
        .collect()
}

fn junit(reports: &[PackReport]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"careplan\">\n");
    for r in reports {
        let failures = r
            .fixtures
            .iter()
            .filter(|f| matches!(f.status, Status::Failed { .. }))
            .count();
        let skipped = r
            .fixtures
            .iter()
            .filter(|f| matches!(f.status, Status::Skipped(_)))
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" errors=\"0\">",
            xml(&r.name),
            r.fixtures.len()
        );
        for f in &r.fixtures {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"",
                xml(&r.name),
                xml(&f.name),
                xml(&f.file)
            );
            match &f.status {
                Status::Passed | Status::Updated => out.push_str("/>\n"),
                Status::Skipped(reason) => {
                    let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>\n    </testcase>", xml(reason));
                }
                Status::Failed { details, diff } => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(details.first().map_or("failed", String::as_str)),
                        xml(&format!("{}\n{diff}", details.join("\n")))
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
