//! `careplan batch`: a caseload sweep. JSON Lines in, JSON Lines out: exactly one output
//! line per non-blank input line, in input order, each an evaluation or an error record
//! with the line number and the case's `person.id`. A bad line never stops the run and
//! never disappears; blank lines are skipped and counted in the summary.

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;

use serde_json::{json, Value};

use super::{open_error, tool_error, Exit};
use crate::engine::{EngineKind, Loaded, Prepared};
use crate::render::ErrorFormat;

/// Lines read and evaluated together; each worker takes an equal share.
const CHUNK: usize = 2048;

/// Rules named in the summary's rule failures; the rest are counted together.
/// A rule and its failures by kind (`runtime`, `limit`...), largest first.
type RuleFailures<'a> = (&'a str, Vec<(&'a str, u64)>);

const TOP_RULES: usize = 10;

/// Counts for the summary.
#[derive(Debug, Default)]
struct Summary {
    /// Every input line, blank ones included.
    lines: u64,
    /// Blank (whitespace-only) lines: skipped, with no output line.
    skipped: u64,
    /// Evaluated with every rule.
    complete: u64,
    /// Evaluated, but at least one rule failed.
    incomplete: u64,
    /// No evaluation: the line is not a valid case (or not UTF-8), or the pack could
    /// not evaluate it.
    invalid: u64,
    /// No evaluation: the host stopped it (a time or memory bound through the
    /// component) or could not run it.
    stopped: u64,
    /// The lines with no evaluation (`invalid` and `stopped`), by error code.
    codes: BTreeMap<String, u64>,
    /// Failures by rule, then by kind: the number of lines each failed on.
    failures: BTreeMap<String, BTreeMap<&'static str, u64>>,
    reviews: [u64; 3],
    escalations: [u64; 4],
}

/// `s` unless there is exactly one.
fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Sorts counts in the summary's stable order: the largest count first, then by name.
fn by_count<T: Ord>(counts: &mut [(T, u64)]) {
    counts.sort_by(|(a, m), (b, n)| n.cmp(m).then_with(|| a.cmp(b)));
}

impl Summary {
    /// Counts a blank line, which has no record.
    fn skip(&mut self) {
        self.lines += 1;
        self.skipped += 1;
    }

    fn count(&mut self, record: &Record) {
        use careplan_core::{EscalationLevel, Status};
        self.lines += 1;
        let Some(evaluation) = &record.evaluation else {
            let code = record
                .error
                .as_ref()
                .and_then(|e| e.get("code"))
                .and_then(Value::as_str)
                .unwrap_or("(no code)");
            match code {
                "careplan::trap" | "careplan::host" => self.stopped += 1,
                _ => self.invalid += 1,
            }
            match self.codes.get_mut(code) {
                Some(lines) => *lines += 1,
                None => {
                    self.codes.insert(code.to_owned(), 1);
                }
            }
            return;
        };
        if evaluation.complete {
            self.complete += 1;
        } else {
            self.incomplete += 1;
        }
        for failure in &evaluation.failures {
            *self
                .failures
                .entry(failure.rule.clone())
                .or_default()
                .entry(failure.kind.as_str())
                .or_default() += 1;
        }
        for review in &evaluation.reviews {
            self.reviews[match review.status {
                Status::Due => 0,
                Status::Overdue => 1,
                Status::Upcoming => 2,
            }] += 1;
        }
        for escalation in &evaluation.escalations {
            self.escalations[match escalation.level {
                EscalationLevel::Emergency => 0,
                EscalationLevel::Urgent => 1,
                EscalationLevel::High => 2,
                EscalationLevel::Routine => 3,
            }] += 1;
        }
    }

    fn text(&self) -> String {
        let mut text = format!(
            "{} lines: {} complete, {} incomplete (a rule failed), {} invalid, {} stopped by the host, {} blank (skipped)\n",
            self.lines, self.complete, self.incomplete, self.invalid, self.stopped, self.skipped
        );
        // Every line that is not complete, by kind: invalid cases, incomplete
        // evaluations, and each other error code.
        let mut kinds: Vec<(String, u64)> = self
            .codes
            .iter()
            .map(|(code, &lines)| {
                let kind = if code == "careplan::invalid_case" {
                    format!("invalid case ({code})")
                } else {
                    code.clone()
                };
                (kind, lines)
            })
            .collect();
        if self.incomplete > 0 {
            kinds.push(("incomplete (a rule failed)".to_owned(), self.incomplete));
        }
        if !kinds.is_empty() {
            by_count(&mut kinds);
            text.push_str("errors by kind:\n");
            for (kind, lines) in &kinds {
                text.push_str(&format!("  {kind}: {lines} line{}\n", plural(*lines)));
            }
        }
        if !self.failures.is_empty() {
            let mut rules: Vec<(RuleFailures<'_>, u64)> = self
                .failures
                .iter()
                .map(|(rule, by_kind)| {
                    let mut by_kind: Vec<(&str, u64)> = by_kind.iter().map(|(kind, &lines)| (*kind, lines)).collect();
                    by_count(&mut by_kind);
                    let lines: u64 = by_kind.iter().map(|(_, lines)| lines).sum();
                    ((rule.as_str(), by_kind), lines)
                })
                .collect();
            by_count(&mut rules);
            text.push_str("rule failures by rule (the findings of these rules are missing from those lines):\n");
            for ((rule, by_kind), lines) in rules.iter().take(TOP_RULES) {
                let by_kind: Vec<String> = by_kind.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
                text.push_str(&format!(
                    "  {rule}: on {lines} line{} ({})\n",
                    plural(*lines),
                    by_kind.join(", ")
                ));
            }
            if let Some(rest) = rules.get(TOP_RULES..).filter(|rest| !rest.is_empty()) {
                let failures: u64 = rest.iter().map(|(_, lines)| lines).sum();
                text.push_str(&format!(
                    "  and {} more rule{}, with {failures} failure{} between them\n",
                    rest.len(),
                    plural(rest.len() as u64),
                    plural(failures)
                ));
            }
        }
        text.push_str(&format!(
            "reviews: {} due, {} overdue, {} upcoming\nescalations: {} emergency, {} urgent, {} high, {} routine\n",
            self.reviews[0],
            self.reviews[1],
            self.reviews[2],
            self.escalations[0],
            self.escalations[1],
            self.escalations[2],
            self.escalations[3],
        ));
        text
    }
}

/// One input line: its number (from 1) and its bytes, without the line ending.
type Line = (u64, Vec<u8>);

/// One output record: the line number and the case's `person.id` first, then the
/// evaluation (fields in the same order as `careplan eval`) or the error.
#[derive(serde::Serialize)]
struct Record {
    line: u64,
    /// The line's `person.id`, to join the record back to the caseload; `null` when the
    /// line is not JSON or has no string there.
    person_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evaluation: Option<careplan_core::Evaluation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Value>,
}

/// Whether a line is only whitespace (as `str::trim` sees it): skipped, not an error.
/// A case line starts with `{`, so this usually looks at one byte.
fn is_blank(bytes: &[u8]) -> bool {
    match bytes
        .iter()
        .position(|&b| !(b.is_ascii() && char::from(b).is_whitespace()))
    {
        None => true,
        Some(first) if bytes[first].is_ascii() => false,
        Some(first) => std::str::from_utf8(&bytes[first..]).is_ok_and(|text| text.trim().is_empty()),
    }
}

/// The `person.id` of a line that did not evaluate, when the line is JSON with a string
/// there; everything else in the line is skipped over, not built.
fn person_id(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Probe {
        person: Option<ProbePerson>,
    }
    #[derive(serde::Deserialize)]
    struct ProbePerson {
        id: Option<String>,
    }
    serde_json::from_slice::<Probe>(bytes).ok()?.person?.id
}

/// Evaluates one line into its output record.
fn evaluate_line(pack: &mut Loaded, (number, bytes): &Line, as_of: &str) -> Record {
    let line = *number;
    let error = |json: Value| Record {
        line,
        person_id: person_id(bytes),
        evaluation: None,
        error: Some(json),
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let message = format!(
                "line {line} is not UTF-8 text (invalid byte at offset {})",
                err.valid_up_to()
            );
            return error(json!({ "code": "careplan::invalid_case", "message": message }));
        }
    };
    match pack.evaluate(text, as_of) {
        Ok(evaluation) => Record {
            line,
            person_id: Some(evaluation.person_id.clone()),
            evaluation: Some(evaluation),
            error: None,
        },
        Err(err) => error(err.to_json()),
    }
}

/// The progress line on standard error, only when it is a terminal: for a file of
/// known size, the bytes read against the total with an ETA; for standard input (or a
/// pipe), a spinner counting cases.
struct Progress {
    bar: indicatif::ProgressBar,
    /// Whether the bar's position is bytes of input (else records written).
    bytes: bool,
}

impl Progress {
    fn new(total_bytes: Option<u64>) -> Progress {
        if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return Progress {
                bar: indicatif::ProgressBar::hidden(),
                bytes: false,
            };
        }
        match total_bytes {
            Some(total) => {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{wide_bar} {percent}% of {binary_total_bytes}, {msg} cases, {binary_bytes_per_sec}, {elapsed}, ETA {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar.set_message("0");
                Progress { bar, bytes: true }
            }
            None => {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{spinner} {pos} cases, {per_sec}, {elapsed}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                Progress { bar, bytes: false }
            }
        }
    }

    /// `cases` records written, with the input read up to byte `offset`.
    fn advance(&self, cases: u64, offset: u64) {
        if self.bytes {
            self.bar.set_message(cases.to_string());
            self.bar.set_position(offset);
        } else {
            self.bar.set_position(cases);
        }
    }
}

/// How much of the machine a sweep may use.
pub(super) struct Bounds {
    /// Threads; every core when `None`.
    pub jobs: Option<usize>,
    /// The host's per-case deadline (Wasm only); careplan-host's default when `None`.
    pub timeout: Option<std::time::Duration>,
}

pub(super) fn run(
    pack: &Path,
    input: &Path,
    output: Option<&Path>,
    as_of: &str,
    engine: EngineKind,
    Bounds { jobs, timeout }: Bounds,
    format: ErrorFormat,
) -> Exit {
    let prepared = match Prepared::with_timeout(pack, engine, timeout) {
        Ok(prepared) => prepared,
        Err(err) => return open_error(&err, format),
    };
    // A regular file's size is the progress bar's total; a pipe or a device has none.
    let mut total_bytes = None;
    let reader: Box<dyn BufRead> = if input == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(input) {
            Ok(file) => {
                total_bytes = file
                    .metadata()
                    .ok()
                    .filter(|metadata| metadata.is_file() && metadata.len() > 0)
                    .map(|metadata| metadata.len());
                Box::new(std::io::BufReader::new(file))
            }
            Err(err) => return tool_error(&format_args!("cannot read `{}`: {err}", input.display()), format),
        }
    };
    let writer: Box<dyn Write> = match output {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(file),
            Err(err) => return tool_error(&format_args!("cannot write `{}`: {err}", path.display()), format),
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let mut jobs = jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1);
    // Through the component each thread holds one instance: no more threads than the
    // host has instance slots (more would fail to start, not run faster).
    if matches!(prepared, Prepared::Wasm { .. }) {
        let slots = careplan_host::HostConfig::default().max_instances as usize;
        if jobs > slots {
            eprintln!("careplan: --jobs {jobs} is more than the component's {slots} instances; using {slots}");
            jobs = slots;
        }
    }
    let progress = Progress::new(total_bytes);
    match sweep(&prepared, reader, writer, as_of, jobs, &progress) {
        Ok(summary) => {
            progress.bar.finish_and_clear();
            eprint!("{}", summary.text());
            if summary.invalid > 0 || summary.incomplete > 0 || summary.stopped > 0 {
                Exit::Failed
            } else {
                Exit::Ok
            }
        }
        Err(message) => {
            progress.bar.finish_and_clear();
            tool_error(&message, format)
        }
    }
}

/// Reads every line, evaluates the non-blank lines on `jobs` threads, writes one record
/// per evaluated line in input order.
fn sweep(
    prepared: &Prepared,
    mut reader: Box<dyn BufRead>,
    writer: Box<dyn Write>,
    as_of: &str,
    jobs: usize,
    progress: &Progress,
) -> Result<Summary, String> {
    let mut writer = BufWriter::new(writer);
    let mut summary = Summary::default();
    std::thread::scope(|scope| {
        // One worker per job, each with its own handle (its own component instance for
        // Wasm), fed slices of each chunk and answering in the same order.
        let mut workers = Vec::with_capacity(jobs);
        for _ in 0..jobs {
            let (to_worker, work) = mpsc::channel::<Vec<Line>>();
            let (to_main, results) = mpsc::channel::<Vec<Record>>();
            let mut handle = prepared.handle().map_err(|err| err.to_string())?;
            // A known stack for every evaluation (core's nesting limits keep rules far
            // inside it; wasmtime runs the component on this thread's stack too).
            let spawned = std::thread::Builder::new()
                .name("careplan-batch".into())
                .stack_size(crate::engine::EVALUATION_STACK)
                .spawn_scoped(scope, move || {
                    for lines in work {
                        let records = lines
                            .iter()
                            .map(|line| evaluate_line(&mut handle, line, as_of))
                            .collect();
                        if to_main.send(records).is_err() {
                            break;
                        }
                    }
                });
            spawned.map_err(|err| format!("cannot start a worker thread: {err}"))?;
            workers.push((to_worker, results));
        }
        let mut number = 0u64;
        // Bytes read and records written so far, for the progress line.
        let mut offset = 0u64;
        let mut cases = 0u64;
        let mut finished = false;
        while !finished {
            let mut chunk = Vec::with_capacity(CHUNK);
            // Where each line of the chunk ends in the input.
            let mut ends = Vec::with_capacity(CHUNK);
            while chunk.len() < CHUNK {
                let mut bytes = Vec::new();
                match reader.read_until(b'\n', &mut bytes) {
                    Ok(0) => {
                        finished = true;
                        break;
                    }
                    Ok(read) => {
                        number += 1;
                        offset += read as u64;
                        if bytes.last() == Some(&b'\n') {
                            bytes.pop();
                        }
                        if bytes.last() == Some(&b'\r') {
                            bytes.pop();
                        }
                        if is_blank(&bytes) {
                            summary.skip();
                            continue;
                        }
                        chunk.push((number, bytes));
                        ends.push(offset);
                    }
                    Err(err) => return Err(format!("cannot read line {}: {err}", number + 1)),
                }
            }
            if chunk.is_empty() {
                continue;
            }
            let share = chunk.len().div_ceil(jobs);
            let mut sent = 0;
            let mut rest = chunk;
            for (to_worker, _) in &workers {
                if rest.is_empty() {
                    break;
                }
                let tail = rest.split_off(share.min(rest.len()));
                to_worker
                    .send(std::mem::replace(&mut rest, tail))
                    .map_err(|_| "a worker stopped".to_owned())?;
                sent += 1;
            }
            let mut done = 0usize;
            for (_, results) in workers.iter().take(sent) {
                let records = results.recv().map_err(|_| "a worker stopped".to_owned())?;
                done += records.len();
                cases += records.len() as u64;
                for record in records {
                    summary.count(&record);
                    serde_json::to_writer(&mut writer, &record).map_err(|err| format!("cannot write: {err}"))?;
                    writer.write_all(b"\n").map_err(|err| format!("cannot write: {err}"))?;
                }
                if let Some(&end) = done.checked_sub(1).and_then(|last| ends.get(last)) {
                    progress.advance(cases, end);
                }
            }
        }
        writer.flush().map_err(|err| format!("cannot write: {err}"))?;
        // Dropping the senders ends the workers.
        drop(workers);
        Ok(summary)
    })
}
