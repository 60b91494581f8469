//! `careplan batch`: a caseload sweep. JSON Lines in, JSON Lines out: exactly one output
//! line per input line, in input order, each an evaluation or an error record with the
//! line number. A bad line never stops the run and never disappears.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;

use serde_json::{json, Value};

use super::{open_error, tool_error, Exit};
use crate::engine::{EngineKind, Loaded, Prepared};
use crate::render::ErrorFormat;

/// Lines read and evaluated together; each worker takes an equal share.
const CHUNK: usize = 2048;

/// Counts for the summary.
#[derive(Debug, Default)]
struct Summary {
    lines: u64,
    /// Evaluated with every rule.
    complete: u64,
    /// Evaluated, but at least one rule failed.
    incomplete: u64,
    /// No evaluation: the line is not a valid case (or not UTF-8, or empty).
    invalid: u64,
    /// No evaluation: the host stopped it (a time or memory bound through the
    /// component) or could not run it.
    stopped: u64,
    /// Failures by rule and kind: the number of lines each failed on.
    failures: std::collections::BTreeMap<(String, &'static str), u64>,
    reviews: [u64; 3],
    escalations: [u64; 4],
}

impl Summary {
    fn count(&mut self, record: &Record) {
        use careplan_core::{EscalationLevel, Status};
        self.lines += 1;
        let Some(evaluation) = &record.evaluation else {
            let code = record
                .error
                .as_ref()
                .and_then(|e| e.get("code"))
                .and_then(Value::as_str);
            match code {
                Some("careplan::trap" | "careplan::host") => self.stopped += 1,
                _ => self.invalid += 1,
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
                .entry((failure.rule.clone(), failure.kind.as_str()))
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
            "{} lines: {} complete, {} incomplete (a rule failed), {} invalid, {} stopped by the host\n",
            self.lines, self.complete, self.incomplete, self.invalid, self.stopped
        );
        if !self.failures.is_empty() {
            text.push_str("rule failures (the findings of these rules are missing from those lines):\n");
            for ((rule, kind), lines) in &self.failures {
                text.push_str(&format!(
                    "  {rule}: {kind}, on {lines} line{}\n",
                    if *lines == 1 { "" } else { "s" }
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

/// One output record: the line number first, then the evaluation (fields in the same
/// order as `careplan eval`) or the error.
#[derive(serde::Serialize)]
struct Record {
    line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    evaluation: Option<careplan_core::Evaluation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Value>,
}

/// Evaluates one line into its output record.
fn evaluate_line(pack: &mut Loaded, (number, bytes): &Line, as_of: &str) -> Record {
    let line = *number;
    let error = |code: &str, message: String| Record {
        line,
        evaluation: None,
        error: Some(json!({ "code": code, "message": message })),
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            return error(
                "careplan::invalid_case",
                format!(
                    "line {line} is not UTF-8 text (invalid byte at offset {})",
                    err.valid_up_to()
                ),
            )
        }
    };
    if text.trim().is_empty() {
        return error("careplan::invalid_case", format!("line {line} is empty"));
    }
    match pack.evaluate(text, as_of) {
        Ok(evaluation) => Record {
            line,
            evaluation: Some(evaluation),
            error: None,
        },
        Err(err) => Record {
            line,
            evaluation: None,
            error: Some(err.to_json()),
        },
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
    let reader: Box<dyn BufRead> = if input == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(input) {
            Ok(file) => Box::new(std::io::BufReader::new(file)),
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
    let jobs = jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1);
    let progress = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos} cases, {per_sec}, {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    match sweep(&prepared, reader, writer, as_of, jobs, &progress) {
        Ok(summary) => {
            progress.finish_and_clear();
            eprint!("{}", summary.text());
            if summary.invalid > 0 || summary.incomplete > 0 || summary.stopped > 0 {
                Exit::Failed
            } else {
                Exit::Ok
            }
        }
        Err(message) => {
            progress.finish_and_clear();
            tool_error(&message, format)
        }
    }
}

/// Reads every line, evaluates the lines on `jobs` threads, writes one record per line
/// in input order.
fn sweep(
    prepared: &Prepared,
    mut reader: Box<dyn BufRead>,
    writer: Box<dyn Write>,
    as_of: &str,
    jobs: usize,
    progress: &indicatif::ProgressBar,
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
            scope.spawn(move || {
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
            workers.push((to_worker, results));
        }
        let mut number = 0u64;
        let mut finished = false;
        while !finished {
            let mut chunk = Vec::with_capacity(CHUNK);
            while chunk.len() < CHUNK {
                let mut bytes = Vec::new();
                match reader.read_until(b'\n', &mut bytes) {
                    Ok(0) => {
                        finished = true;
                        break;
                    }
                    Ok(_) => {
                        number += 1;
                        if bytes.last() == Some(&b'\n') {
                            bytes.pop();
                        }
                        if bytes.last() == Some(&b'\r') {
                            bytes.pop();
                        }
                        chunk.push((number, bytes));
                    }
                    Err(err) => return Err(format!("cannot read line {}: {err}", number + 1)),
                }
            }
            if chunk.is_empty() {
                break;
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
            for (_, results) in workers.iter().take(sent) {
                let records = results.recv().map_err(|_| "a worker stopped".to_owned())?;
                for record in records {
                    summary.count(&record);
                    serde_json::to_writer(&mut writer, &record).map_err(|err| format!("cannot write: {err}"))?;
                    writer.write_all(b"\n").map_err(|err| format!("cannot write: {err}"))?;
                    progress.inc(1);
                }
            }
        }
        writer.flush().map_err(|err| format!("cannot write: {err}"))?;
        // Dropping the senders ends the workers.
        drop(workers);
        Ok(summary)
    })
}
