//! `careplan new`: start a rule pack. It writes a folder holding a manifest, one starter
//! rule with a local parameter, two fixtures that pass and a README, so that
//! `careplan check` and `careplan test` succeed on it straight away.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use super::{tool_error, Exit};
use crate::packs::{display_path, read_text};
use crate::render::ErrorFormat;

/// Whether `id` may name a new pack: lowercase ASCII letters, digits and hyphens,
/// starting with a letter or a digit.
fn valid_new_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Whether `id` may name a parent pack: what the engine accepts as a pack id (which
/// also allows underscores).
fn valid_parent_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The folder `dir` is in, where the packs it extends are looked for.
fn beside(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// The `id` of the `[pack]` table of a manifest, read line by line: enough to find a
/// parent (`careplan check` reads manifests properly).
fn manifest_id(text: &str) -> Option<String> {
    let mut in_pack = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_pack = line.split('#').next().map(str::trim) == Some("[pack]");
            continue;
        }
        if !in_pack {
            continue;
        }
        let Some(value) = line
            .strip_prefix("id")
            .and_then(|rest| rest.trim_start().strip_prefix('='))
        else {
            continue;
        };
        let value = value.trim_start();
        for quote in ['"', '\''] {
            if let Some(inner) = value.strip_prefix(quote) {
                return inner.split(quote).next().map(str::to_owned);
            }
        }
        return None;
    }
    None
}

/// Whether a folder beside `dir` holds a pack whose manifest has the id `parent`.
fn parent_beside(dir: &Path, parent: &str) -> bool {
    let Ok(entries) = fs::read_dir(beside(dir)) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        read_text(&entry.path().join("pack.toml"))
            .ok()
            .and_then(|text| manifest_id(&text))
            .as_deref()
            == Some(parent)
    })
}

/// The manifest of the new pack. The starter rule reads `example_minimum_age`; in a
/// pack that extends another, a parameter of its own is declared with `local = true`.
fn manifest(id: &str, parent: Option<&str>) -> String {
    let mut out = MANIFEST_HEAD.replace("{id}", id);
    if let Some(parent) = parent {
        let _ = writeln!(out, "extends = \"{parent}\"");
    }
    out.push_str(&MANIFEST_PACK_REST.replace("{id}", id));
    match parent {
        Some(parent) => {
            let _ = write!(
                out,
                "\n# A parameter of this pack's own (`{parent}` has none of this name), read by the\n\
                 # starter rule `example.rhai`. A pack that extends another declares its own\n\
                 # parameters with `local = true`, so that a misspelt parent parameter is an error.\n\
                 [parameters.example_minimum_age]\n\
                 local = true\n"
            );
        }
        None => out.push_str(
            "\n# A parameter of this pack, read by the starter rule `example.rhai`.\n\
             [parameters.example_minimum_age]\n",
        ),
    }
    out.push_str(&MANIFEST_PARAMETERS.replace("{id}", id));
    let local = if parent.is_some() { "# local = true\n" } else { "" };
    let _ = write!(
        out,
        "\n# Another parameter of this pack's own would look like this:\n\
         #\n\
         # [parameters.wellbeing_follow_up_days]\n\
         {local}\
         # value = 28\n\
         # description = \"Calendar days after a wellbeing conversation by which it is followed up.\"\n\
         # source = \"{id} local policy (fill in), para 3.1\"\n"
    );
    match parent {
        Some(parent) => {
            let _ = write!(
                out,
                "\n# ---- Parameters of `{parent}` set differently here ---------------------------------\n\
                 # A parent's parameter is changed by setting it again (without `local`), with a\n\
                 # value of the same type; the parent's description and source are kept unless\n\
                 # given here.\n"
            );
        }
        None => out.push_str(
            "\n# ---- Parameters of a parent pack -----------------------------------------------------\n\
             # A pack that extends another (`extends = \"england\"` under `[pack]`) changes a\n\
             # parent's parameter by setting it again, with a value of the same type; the\n\
             # parent's description and source are kept unless given here.\n",
        ),
    }
    out.push_str(&MANIFEST_OVERRIDE.replace("{id}", id));
    out
}

const MANIFEST_HEAD: &str = r##"# {id}: a rule pack started by `careplan new`. Fill in the name, authority and
# description, replace the starter rule `example.rhai` with the pack's own rules, and
# keep the fixtures in `tests/` in step with them. docs/rule-authoring.md describes the
# layout; `careplan schema manifest` lists every key of this file.

[pack]
id = "{id}"
name = "{id} local policy"
authority = "{id} (fill in)"
version = "0.1.0"
"##;

const MANIFEST_PACK_REST: &str = r##"description = "Local policy of {id} (fill in what the pack covers)."
# The first day the pack's own rules and parameters are in force, when they start later:
# effective_from = 2025-04-01

# ---- Parameters -----------------------------------------------------------------------
# Rules read parameters as `params.<name>`. A parameter is a table with `value`,
# `description`, `source` and, for a value not confirmed in a primary source, `gk = true`.
"##;

const MANIFEST_PARAMETERS: &str = r##"value = 65
description = "Minimum age, on the as-of date, from which the starter rule recommends offering a conversation about wellbeing."
source = "{id} local policy (fill in: the document and paragraph)"
"##;

const MANIFEST_OVERRIDE: &str = r##"#
# For example, the national pack `england` sets `change_review_due_days` (the days
# after a material change in circumstances by which an unplanned review is due) to 0,
# since the guidance sets no timescale; a local service level of 7 days:
#
# [parameters.change_review_due_days]
# value = 7
# source = "{id} local policy (fill in), para 5.1"
"##;

const STARTER_RULE: &str = r##"//! id    = "{id}.example"
//! title = "Offer a conversation about wellbeing from the local minimum age (starter rule)"
//! kind  = "recommendation"
//! cites = "{id} local policy (fill in: the document and paragraph this rule implements)"

// A starter rule written by `careplan new`: replace it with the pack's own policy, and
// its fixtures in `tests/` with cases of that policy. For a person alive on the as-of
// date (`today`) and aged `example_minimum_age` or over on it, recommend that the
// council offers a conversation about wellbeing and the local support available.
// Otherwise the rule makes no finding: it returns `()`.
let died = record.person.date_of_death;
if !is_none(died) && died <= today {
    return ();
}
let minimum = params.example_minimum_age;
let age = record.person.date_of_birth.age_on(today);
if age < minimum {
    return ();
}

recommend("offer-wellbeing-conversation", "council",
    `aged ${age}, at least the local minimum age of ${minimum}: offer a conversation about wellbeing and the local support available`)
"##;

const FIXTURE_MADE: &str = r##"{
  "description": "turns 65 on the as-of date, the local minimum age (`example_minimum_age`): the starter rule recommends offering a conversation about wellbeing",
  "as_of": "2025-06-02",
  "case": {
    "person": {
      "id": "case-0001",
      "date_of_birth": "1960-06-02"
    }
  },
  "expect": {
    "recommendations": [
      {
        "code": "offer-wellbeing-conversation",
        "owner": "council",
        "reason": "aged 65, at least the local minimum age of 65: offer a conversation about wellbeing and the local support available",
        "rule": "{id}.example"
      }
    ]
  }
}
"##;

const FIXTURE_NOT_MADE: &str = r##"{
  "description": "64 on the as-of date (65 tomorrow): under the local minimum age, so no recommendation",
  "as_of": "2025-06-02",
  "case": {
    "person": {
      "id": "case-0002",
      "date_of_birth": "1960-06-03"
    }
  },
  "expect": {
    "recommendations": []
  }
}
"##;

/// The pack's README; `shown` is the folder as the commands in it name it.
fn readme(id: &str, parent: Option<&str>, shown: &str) -> String {
    let layering = match parent {
        Some(parent) => format!(
            "It extends the pack `{parent}` (`extends` in `pack.toml`), which careplan looks for among\n\
             the folders beside this one: `{parent}`'s rules run first, then this pack's, and this\n\
             pack can add rules, override `{parent}`'s (`override = true` in a rule's header) and set\n\
             `{parent}`'s parameters to local values."
        ),
        None => "It extends no other pack: only its own rules run.".to_owned(),
    };
    let national = match parent {
        Some(parent) => format!(
            " A fixture's `expect` matches partially: it names only\n\
             `recommendations`, so `{parent}`'s reviews, escalations and eligibility decisions do\n\
             not disturb it; but a list must match in full, so when a case gives `{parent}`'s rules\n\
             something to recommend, the fixture must list those recommendations too."
        ),
        None => String::new(),
    };
    format!(
        "# `{id}`: {id} local policy\n\
         \n\
         A rule pack started by `careplan new`. {layering}\n\
         \n\
         | File | What it is |\n\
         |---|---|\n\
         | `pack.toml` | the manifest: the pack's id, name, authority, version and parameters |\n\
         | `example.rhai` | a starter rule (`{id}.example`): recommends offering a conversation about wellbeing from the age `example_minimum_age` |\n\
         | `tests/*.json` | fixtures: cases with the outcome they must give, one where the starter rule recommends and one where it does not |\n\
         \n\
         Replace the starter rule and its fixtures with the pack's own policy, and fill in the\n\
         name, authority, description and citations.{national}\n\
         \n\
         `careplan check` loads the pack (with the packs it extends) and reports every problem;\n\
         `careplan test` runs the fixtures in `tests/` (or one fixture file given alone);\n\
         `careplan eval` evaluates one case (`careplan schema case` describes a case):\n\
         \n\
         ```sh\n\
         careplan check {shown}\n\
         careplan test {shown}\n\
         careplan eval {shown} case.json --as-of YYYY-MM-DD\n\
         ```\n\
         \n\
         `docs/rule-authoring.md` in the careplan repository describes packs, rules, the\n\
         functions rules can call, layering and fixtures.\n"
    )
}

/// Creates the pack folder `dir`, whose name is the pack id, extending `extends` when
/// given, and says what it wrote and what to run next.
pub(super) fn run(dir: &Path, extends: Option<&str>, format: ErrorFormat) -> Exit {
    let shown = display_path(dir);
    let id = match dir.file_name().and_then(|name| name.to_str()) {
        Some(id) if valid_new_id(id) => id.to_owned(),
        _ => {
            return tool_error(
                &format_args!(
                    "cannot create a pack at `{shown}`: the folder's name is the pack id, which must be lowercase letters, digits and hyphens, starting with a letter or digit (e.g. `northdale`)"
                ),
                format,
            )
        }
    };
    if let Some(parent) = extends {
        if !valid_parent_id(parent) {
            return tool_error(
                &format_args!("`--extends {parent}`: `{parent}` is not a valid pack id"),
                format,
            );
        }
        if parent == id {
            return tool_error(&format_args!("pack `{id}` cannot extend itself"), format);
        }
    }
    if dir.exists() {
        return tool_error(
            &format_args!("cannot create a pack at `{shown}`: it already exists"),
            format,
        );
    }
    let parent_found = extends.is_none_or(|parent| parent_beside(dir, parent));
    let in_readme = if dir.is_relative() {
        shown.clone()
    } else {
        format!("path/to/{id}")
    };
    let files: [(&str, String); 5] = [
        ("pack.toml", manifest(&id, extends)),
        ("example.rhai", STARTER_RULE.replace("{id}", &id)),
        ("tests/example-on-65th-birthday.json", FIXTURE_MADE.replace("{id}", &id)),
        (
            "tests/example-day-before-65th-birthday.json",
            FIXTURE_NOT_MADE.to_owned(),
        ),
        ("README.md", readme(&id, extends, &in_readme)),
    ];
    if let Err(err) = fs::create_dir_all(beside(dir))
        .and_then(|()| fs::create_dir(dir))
        .and_then(|()| fs::create_dir(dir.join("tests")))
    {
        return tool_error(&format_args!("cannot create `{shown}`: {err}"), format);
    }
    for (name, text) in &files {
        let path = dir.join(name);
        if let Err(err) = fs::write(&path, text) {
            return tool_error(&format_args!("cannot write `{}`: {err}", display_path(&path)), format);
        }
    }
    if let (Some(parent), false) = (extends, parent_found) {
        let message = format!(
            "no folder beside `{shown}` (in `{}`) holds a pack with the id `{parent}`, which `{id}` extends; careplan looks for it there, so `careplan check` and `careplan test` fail until it is",
            display_path(&beside(dir))
        );
        match format {
            ErrorFormat::Human => eprintln!("warning: {message}"),
            ErrorFormat::Json => eprintln!(
                "{}",
                serde_json::json!({"code": "careplan::tool", "severity": "warning", "message": message})
            ),
        }
    }
    let extending = extends
        .map(|parent| format!(", extending `{parent}`,"))
        .unwrap_or_default();
    println!("created pack `{id}`{extending} in `{shown}`:");
    for (name, _) in &files {
        println!("  {shown}/{name}");
    }
    println!();
    println!("next:");
    println!("  careplan check {shown}");
    println!("  careplan test {shown}");
    println!("  careplan eval {shown} <case.json> --as-of YYYY-MM-DD");
    Exit::Ok
}
