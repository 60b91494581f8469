//! The feedback endpoint: which cards were accepted or overridden, recorded as JSON Lines
//! (`--feedback-log FILE`) or, without a file, as log events on standard error.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde::Deserialize;
use serde_json::{json, Value};

use super::error::Refusal;

/// Entries one feedback call may carry.
const MAX_ENTRIES: usize = 100;
/// Cards remembered for the feedback log (the oldest are forgotten first).
const REGISTRY: usize = 10_000;

/// What the log says of a card it knows: its rule (none for the card of an incomplete
/// evaluation) and its kind of finding.
type Known = (Option<String>, &'static str);

/// The cards issued since start: uuid → what it was, and the uuids oldest first.
#[derive(Default)]
pub struct Issued {
    inner: Mutex<(HashMap<String, Known>, VecDeque<String>)>,
}

impl Issued {
    /// Remembers a card.
    pub fn add(&self, uuid: &str, rule: Option<&str>, finding: &'static str) {
        let Ok(mut guard) = self.inner.lock() else { return };
        let (map, order) = &mut *guard;
        if map
            .insert(uuid.to_owned(), (rule.map(str::to_owned), finding))
            .is_none()
        {
            order.push_back(uuid.to_owned());
        }
        while order.len() > REGISTRY {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
    }

    fn get(&self, uuid: &str) -> Option<Known> {
        self.inner.lock().ok()?.0.get(uuid).cloned()
    }
}

/// Where feedback goes.
pub struct Recorder {
    file: Option<Mutex<std::fs::File>>,
}

impl Recorder {
    /// Opens (appending, creating) the log file, if one is given.
    pub fn new(path: Option<&Path>) -> Result<Recorder, String> {
        let file = match path {
            Some(path) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(path)
                    .map_err(|err| {
                        format!(
                            "cannot open the feedback log `{}`: {err}",
                            crate::packs::display_path(path)
                        )
                    })?,
            )),
            None => None,
        };
        Ok(Recorder { file })
    }

    fn write(&self, lines: &[Value]) -> Result<(), Refusal> {
        match &self.file {
            Some(file) => {
                let mut text = String::new();
                for line in lines {
                    text.push_str(&line.to_string());
                    text.push('\n');
                }
                let mut file = file
                    .lock()
                    .map_err(|_| Refusal::internal("the feedback log is unusable"))?;
                file.write_all(text.as_bytes())
                    .and_then(|()| file.flush())
                    .map_err(|_| Refusal::internal("the feedback could not be written to the feedback log"))
            }
            None => {
                for line in lines {
                    tracing::info!(target: "careplan::feedback", feedback = %line);
                }
                Ok(())
            }
        }
    }
}

#[derive(Deserialize)]
struct Body {
    feedback: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    card: String,
    outcome: String,
    outcome_timestamp: String,
    #[serde(default)]
    accepted_suggestions: Option<Vec<Suggestion>>,
    #[serde(default)]
    override_reason: Option<OverrideReason>,
}

#[derive(Deserialize)]
struct Suggestion {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OverrideReason {
    #[serde(default)]
    reason: Option<Coding>,
    #[serde(default)]
    user_comment: Option<String>,
}

#[derive(Deserialize)]
struct Coding {
    #[serde(default)]
    system: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

/// Reads a feedback body and records each entry; the whole body is refused if any entry
/// is invalid, so that nothing is recorded twice when the client sends it again.
pub fn record(
    body: &[u8],
    service: &str,
    received: &str,
    issued: &Issued,
    recorder: &Recorder,
) -> Result<usize, Refusal> {
    let body: Body = super::hook::parse(body)?;
    if body.feedback.is_empty() || body.feedback.len() > MAX_ENTRIES {
        return Err(Refusal::invalid(
            "feedback",
            format!("`feedback` must list 1 to {MAX_ENTRIES} entries"),
        ));
    }
    let mut lines = Vec::with_capacity(body.feedback.len());
    for (i, entry) in body.feedback.iter().enumerate() {
        let at = |field: &str| format!("feedback[{i}].{field}");
        if !matches!(entry.outcome.as_str(), "accepted" | "overridden") {
            return Err(Refusal::invalid(
                at("outcome"),
                "`outcome` must be `accepted` or `overridden`",
            ));
        }
        if entry.outcome_timestamp.parse::<jiff::Timestamp>().is_err() {
            return Err(Refusal::invalid(
                at("outcomeTimestamp"),
                "`outcomeTimestamp` must be an RFC 3339 date and time",
            ));
        }
        if entry.outcome == "accepted" && entry.accepted_suggestions.is_none() {
            return Err(Refusal::invalid(
                at("acceptedSuggestions"),
                "an accepted card's feedback must list `acceptedSuggestions` (`[]` for a card without suggestions)",
            ));
        }
        if entry.card.is_empty() || entry.card.len() > 64 {
            return Err(Refusal::invalid(at("card"), "`card` must be the card's uuid"));
        }
        let known = issued.get(&entry.card);
        let reason = entry.override_reason.as_ref();
        lines.push(json!({
            "received": received,
            "service": service,
            "card": entry.card,
            "outcome": entry.outcome,
            "outcome_timestamp": entry.outcome_timestamp,
            "accepted_suggestions": entry
                .accepted_suggestions
                .iter()
                .flatten()
                .map(|s| s.id.clone())
                .collect::<Vec<_>>(),
            "override_reason": reason.and_then(|r| r.reason.as_ref()).map(|c| json!({"system": c.system, "code": c.code})),
            // The comment is free text and may name people: only whether there was one.
            "user_comment": reason.is_some_and(|r| r.user_comment.as_deref().is_some_and(|c| !c.trim().is_empty())),
            "card_known": known.is_some(),
            "rule": known.as_ref().and_then(|(rule, _)| rule.clone()),
            "finding": known.as_ref().map(|(_, finding)| *finding),
        }));
    }
    recorder.write(&lines)?;
    Ok(lines.len())
}
