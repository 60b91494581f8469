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
#[derive(Clone, Copy)]
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
        /// Where the fixture file could not be read, when it is not a valid fixture.
        place: Option<Place>,
    },
}

/// The place in a fixture file where reading it stopped: serde_json's line (from 1) and
/// column, and the snippet of the file's text that shows it.
struct Place {
    line: usize,
    column: usize,
    snippet: String,
}

/// The most characters of a fixture's line that a snippet shows.
const SNIPPET_WIDTH: usize = 200;

/// Where a fixture file could not be read, as rustc shows a place: `--> file:line:column`,
/// the line itself and a caret under the column. `line` counts from 1 and `column` is
/// serde_json's: the number of bytes of the line up to and including the one it stopped
/// at, so the caret is under that byte's character. Control characters other than tab
/// are written `\u{..}`, so the snippet stays one line whatever the file holds; a line
/// longer than 200 characters is cut to the 200 around the column, with `…` where it
/// was cut.
fn snippet(file: &str, text: &str, line: usize, column: usize) -> String {
    let source = text.split('\n').nth(line.saturating_sub(1)).unwrap_or("");
    let source = source.strip_suffix('\r').unwrap_or(source);
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let stopped_at = column.saturating_sub(1);
    // The character holding that byte; the last one when the column is past the end.
    let caret = chars.iter().rposition(|(i, _)| *i <= stopped_at).unwrap_or(0);
    let (from, to) = if chars.len() > SNIPPET_WIDTH {
        let from = caret.saturating_sub(SNIPPET_WIDTH / 2).min(chars.len() - SNIPPET_WIDTH);
        (from, from + SNIPPET_WIDTH)
    } else {
        (0, chars.len())
    };
    let mut shown = String::new();
    let mut pad = String::new();
    if from > 0 {
        shown.push('…');
        pad.push(' ');
    }
    for (index, (_, c)) in chars.iter().enumerate().take(to).skip(from) {
        let piece = if c.is_control() && *c != '\t' {
            let code = u32::from(*c);
            format!("\\u{{{code:x}}}")
        } else {
            c.to_string()
        };
        if index < caret {
            // A tab under a tab keeps the caret in line however wide tabs are shown.
            if *c == '\t' {
                pad.push('\t');
            } else {
                pad.push_str(&" ".repeat(piece.chars().count()));
            }
        }
        shown.push_str(&piece);
    }
    if to < chars.len() {
        shown.push('…');
    }
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    format!("{gutter}--> {file}:{line}:{column}\n{gutter} |\n{number} | {shown}\n{gutter} | {pad}^\n")
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
    /// The parameters the pack's own manifest sets, and those some fixture's `params`
    /// sets to another value.
    params: Vec<String>,
    varied: std::collections::BTreeSet<String>,
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

    /// The pack's own parameters that no fixture sets to another value.
    fn never_varied(&self) -> Vec<&str> {
        self.params
            .iter()
            .filter(|name| !self.varied.contains(*name))
            .map(String::as_str)
            .collect()
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
/// `evaluation` is the engine's evaluation JSON, when there is one: keys the fixture
/// did not have are written in its order (see [`crate::fixture_file::replace_expect`]).
/// `Ok(false)` when the author declined.
fn update(path: &Path, new: &serde_json::Value, evaluation: Option<&str>, yes: bool) -> Result<bool, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let text = read_text(path).map_err(|e| e.to_string())?;
    let Some(updated) = crate::fixture_file::replace_expect(&text, new, evaluation) else {
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
                        place: None,
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
                params: Vec::new(),
                varied: Default::default(),
            });
        }
    };
    let (id, version, rules) = pack.summary();
    // The pack's own parameters, for parameter coverage. The WIT `pack-info` does not
    // list parameters, so with the component the pack is also read natively.
    let own = |native: &careplan_core::RulePack| -> Vec<String> {
        native
            .info()
            .parameters
            .iter()
            .filter(|(_, p)| p.set_by == id)
            .map(|(name, _)| name.clone())
            .collect()
    };
    let params: Vec<String> = match &pack {
        crate::engine::Loaded::Native(native) => own(native),
        crate::engine::Loaded::Wasm(_) => crate::packs::open_pack(dir, &careplan_core::Limits::default())
            .map(|native| own(&native))
            .unwrap_or_default(),
    };
    let mut varied = std::collections::BTreeSet::new();
    let mut fixtures = Vec::new();
    for path in &paths {
        let fixture = match read_text(path) {
            Err(err) => Err((err.to_string(), None)),
            Ok(text) => Fixture::from_json(&text).map_err(|err| {
                let place = err.position().map(|(line, column)| Place {
                    line,
                    column,
                    snippet: snippet(&display_path(path), &text, line, column),
                });
                (err.to_string(), place)
            }),
        };
        let (description, status, fired) = match fixture {
            Err((message, place)) => (
                None,
                Status::Failed {
                    details: vec![message],
                    diff: String::new(),
                    place,
                },
                Vec::new(),
            ),
            Ok(fixture) => {
                varied.extend(fixture.params.keys().cloned());
                let mut evaluation: Option<String> = None;
                let outcome = fixture.run_with(|case, as_of, params| {
                    let result = pack.evaluate_json(case, as_of, params).map_err(|e| e.to_json());
                    evaluation = result.as_ref().ok().cloned();
                    result
                });
                if options.update {
                    if let Some(new) = new_expectation(&fixture, &outcome, evaluation.as_deref()) {
                        match update(path, &new, evaluation.as_deref(), options.yes) {
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
                            place: None,
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
        params,
        varied,
    })
}

/// Runs every parent's fixtures through each pack and lists the fixtures whose outcome
/// the pack changes (a local pack is expected to change some: these are its policy, or
/// its mistakes). Exits 0 when the runs complete, whatever they change.
pub(super) fn parent_fixtures(paths: &[PathBuf], options: Options, format: ErrorFormat) -> Exit {
    for dir in paths {
        let pack = match crate::packs::open_pack(dir, &careplan_core::Limits::default()) {
            Ok(pack) => pack,
            Err(err) => return open_error(&err, format),
        };
        let info = pack.info();
        let siblings =
            match crate::packs::read_with_parents(dir, &careplan_core::Limits::default()).map(|(_, parents)| parents) {
                Ok(siblings) => siblings,
                Err(err) => return tool_error(&err, format),
            };
        let parents: Vec<&careplan_core::LayerRef> = info.layers.iter().filter(|l| l.id != info.id).collect();
        if parents.is_empty() {
            println!("{}: pack `{}` extends no other pack", display_path(dir), info.id);
            continue;
        }
        for parent in parents {
            let Some(source) = siblings.iter().find(|s| {
                s.manifest
                    .lines()
                    .any(|line| line.trim().replace(' ', "") == format!("id=\"{}\"", parent.id))
            }) else {
                println!(
                    "{}: the folder of parent `{}` was not found beside it",
                    display_path(dir),
                    parent.id
                );
                continue;
            };
            let parent_dir = PathBuf::from(&source.location);
            let fixtures = match fixture_paths(&parent_dir) {
                Ok(paths) => paths,
                Err(err) => return tool_error(&err, format),
            };
            let report = match run_pack(dir, Some(&fixtures), &options, format) {
                Ok(report) => report,
                Err(exit) => return exit,
            };
            let changed: Vec<&FixtureReport> = report
                .fixtures
                .iter()
                .filter(|f| matches!(f.status, Status::Failed { .. }))
                .collect();
            println!(
                "{}: {} of {} fixtures of `{}` give another outcome under `{}`{}",
                display_path(dir),
                changed.len(),
                report.fixtures.len(),
                parent.id,
                info.id,
                if changed.is_empty() { "" } else { ":" }
            );
            for fixture in changed {
                println!("  changed {} ({})", fixture.name, fixture.file);
                if let Status::Failed { details, .. } = &fixture.status {
                    for detail in details {
                        println!("          {detail}");
                    }
                }
            }
        }
    }
    Exit::Ok
}

/// With `watch`, runs the fixtures, then again each time a file under the packs' folders
/// or their parents' changes (polled twice a second: no file-watching dependency, and a
/// pack is a few hundred small files), until interrupted; otherwise runs them once.
pub(super) fn watch(watch: bool, paths: &[PathBuf], options: Options, format: ErrorFormat) -> Exit {
    if !watch {
        return run(paths, options, format);
    }
    // The packs' folders and their siblings (where parents are found).
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in paths {
        let dir = if path.is_file() {
            path.parent().and_then(Path::parent).unwrap_or(path).to_path_buf()
        } else {
            path.clone()
        };
        let root = dir.parent().map_or(dir.clone(), Path::to_path_buf);
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    let mut last = stamp(&roots);
    loop {
        let _ = run(paths, options, format);
        println!("watching for changes (Ctrl-C to stop)");
        loop {
            std::thread::sleep(std::time::Duration::from_millis(500));
            let now = stamp(&roots);
            if now != last {
                last = now;
                break;
            }
        }
        println!("\n--- a file changed; running again\n");
    }
}

/// The newest modification time and the number of files under `roots` (a removed file
/// changes the count), following no symbolic links and at most 4 levels deep.
fn stamp(roots: &[PathBuf]) -> (Option<std::time::SystemTime>, usize) {
    fn walk(dir: &Path, depth: usize, newest: &mut Option<std::time::SystemTime>, count: &mut usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            if meta.is_dir() && depth < 4 {
                walk(&entry.path(), depth + 1, newest, count);
            } else if meta.is_file() {
                *count += 1;
                if let Ok(modified) = meta.modified() {
                    *newest = Some(newest.map_or(modified, |n| n.max(modified)));
                }
            }
        }
    }
    let (mut newest, mut count) = (None, 0);
    for root in roots {
        walk(root, 0, &mut newest, &mut count);
    }
    (newest, count)
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
                Status::Failed { details, diff, place } => {
                    let _ = writeln!(out, "  FAILED  {} ({})", fixture.name, fixture.file);
                    if let Some(description) = &fixture.description {
                        let _ = writeln!(out, "          {description}");
                    }
                    for detail in details {
                        let _ = writeln!(out, "          {detail}");
                    }
                    if let Some(place) = place {
                        out.push_str(&indent(&place.snippet, "          "));
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
            let never = report.never_varied();
            let _ = writeln!(
                out,
                "  parameters: {} of {} set by `{}` varied by some fixture's `params`{}",
                report.params.len() - never.len(),
                report.params.len(),
                report.id,
                if never.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; never varied: {}",
                        never.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    )
                }
            );
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
                    // Where an invalid fixture file stopped being read; null otherwise.
                    let (line, column) = match &f.status {
                        Status::Failed { place: Some(place), .. } => (Some(place.line), Some(place.column)),
                        _ => (None, None),
                    };
                    json!({ "name": f.name, "file": f.file, "status": status, "mismatches": details, "line": line, "column": column, "skip_reason": reason, "fired": f.fired })
                }).collect::<Vec<_>>(),
                "coverage": {
                    "covered": covered,
                    "total": total,
                    "percent": percent((covered, total)),
                    "rules": r.rules.iter().map(|(id, pack)| json!({ "id": id, "pack": pack, "fixtures": counts.get(id.as_str()).copied().unwrap_or(0) })).collect::<Vec<_>>(),
                    "parameters": r.params,
                    "parameters_never_varied": r.never_varied(),
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
                Status::Failed { details, diff, place } => {
                    let snippet = place.as_ref().map_or("", |p| p.snippet.as_str());
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(details.first().map_or("failed", String::as_str)),
                        xml(&format!("{}\n{snippet}{diff}", details.join("\n")))
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::snippet;

    #[test]
    fn a_snippet_shows_the_line_with_a_caret_under_the_column() {
        // serde_json's column 9 on this line is the byte just read: the key's closing quote.
        assert_eq!(
            snippet("tests/bad.json", "{\n  \"expct\": {}\n}\n", 2, 9),
            format!(
                " --> tests/bad.json:2:9\n  |\n2 |   \"expct\": {{}}\n  | {}^\n",
                " ".repeat(8)
            )
        );
        // The gutter is as wide as the line number; a character of several bytes is one
        // column wide.
        assert_eq!(
            snippet("f.json", &format!("{}éx\n", "\n".repeat(9)), 10, 3),
            "  --> f.json:10:3\n   |\n10 | éx\n   |  ^\n"
        );
        // Column 0 (nothing read on the line yet) and a line past the end of the text.
        assert_eq!(snippet("f.json", "{}", 1, 0), " --> f.json:1:0\n  |\n1 | {}\n  | ^\n");
        assert_eq!(snippet("f.json", "{}", 3, 1), " --> f.json:3:1\n  |\n3 | \n  | ^\n");
    }

    #[test]
    fn a_snippet_escapes_control_characters_and_keeps_tabs() {
        // A line ending `\r\n` loses its `\r`; one inside the line is escaped, as is ESC.
        assert_eq!(
            snippet("f.json", "\tab\u{1b}c\r\n", 1, 5),
            format!(" --> f.json:1:5\n  |\n1 | \tab\\u{{1b}}c\n  | \t{}^\n", " ".repeat(8))
        );
        assert_eq!(
            snippet("f.json", "a\rb\u{7f}\u{85}", 1, 3),
            " --> f.json:1:3\n  |\n1 | a\\u{d}b\\u{7f}\\u{85}\n  |       ^\n"
        );
    }

    #[test]
    fn a_long_line_is_cut_to_200_characters_around_the_column() {
        let line = format!("{}X{}", "a".repeat(300), "b".repeat(199));
        let shown = snippet("f.json", &line, 1, 301);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 4, "{shown}");
        assert_eq!(lines[2], format!("1 | …{}X{}…", "a".repeat(100), "b".repeat(99)));
        assert_eq!(lines[3], format!("  | {}^", " ".repeat(101)));
        // Near the start, only the end is cut.
        let shown = snippet("f.json", &line, 1, 1);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[2], format!("1 | {}…", "a".repeat(200)));
        assert_eq!(lines[3], "  | ^");
        // Near the end, only the start is cut, and the caret stays under its character.
        let shown = snippet("f.json", &line, 1, 500);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[2], format!("1 | …X{}", "b".repeat(199)));
        assert_eq!(lines[3], format!("  | {}^", " ".repeat(200)));
    }
}
