//! One test per FHIR input of the corpus (`corpus/mod.rs`: every UK Core example and
//! every input of our own), each read into a case and compared with what
//! `tests/expected/` says it gives: the case JSON and its notes, or the error as people
//! see it. Run with `CAREPLAN_UPDATE_EXPECTED=1` to rewrite the expected files, then
//! read the difference before committing it.

mod corpus;

use std::fs;

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

/// What reading an input gives, as the expected files hold it.
fn outcome(input: &corpus::Input) -> Result<String, Failed> {
    let mapping = match &input.mapping {
        Some(text) => careplan_fhir::Mapping::from_toml(text, "mapping.toml"),
        None => careplan_fhir::Mapping::uk_core(),
    };
    let result =
        mapping.and_then(|mapping| careplan_fhir::case_from_fhir(&input.fhir, &mapping, input.merge.as_deref()));
    let mut out = String::new();
    match result {
        Ok(read) => {
            out.push_str("== case\n");
            out.push_str(&read.json);
            if !read.notes.is_empty() {
                out.push_str("== notes\n");
                for note in &read.notes {
                    out.push_str(&format!("{note}\n"));
                }
            }
        }
        Err(err) => {
            let report = err.report();
            // The JSON must list every problem, each with its path and message.
            let json: Value = serde_json::from_str(&report.json)?;
            let listed = json["problems"].as_array().map(Vec::len);
            if listed != Some(err.problems().len()) || json["code"] != err.kind().code() {
                return Err(format!("the JSON report does not match the error: {}", report.json).into());
            }
            out.push_str("== error\n");
            out.push_str(&report.text);
        }
    }
    Ok(out)
}

fn expected_file(name: &str) -> String {
    format!("{}.txt", name.replace('/', "__"))
}

fn check(name: &str, actual: &str) -> Result<(), Failed> {
    let path = corpus::root().join("expected").join(expected_file(name));
    if std::env::var_os("CAREPLAN_UPDATE_EXPECTED").is_some() {
        fs::write(&path, actual)?;
        return Ok(());
    }
    let expected = fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (run with CAREPLAN_UPDATE_EXPECTED=1 to write it)",
            path.display()
        )
    })?;
    if expected == actual {
        return Ok(());
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let common = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let mut diff = String::new();
    for line in e.iter().skip(common) {
        diff.push_str(&format!("-{line}\n"));
    }
    for line in a.iter().skip(common) {
        diff.push_str(&format!("+{line}\n"));
    }
    Err(format!(
        "{name}: the outcome differs from {} from line {}:\n{diff}",
        path.display(),
        common + 1
    )
    .into())
}

fn main() {
    let args = Arguments::from_args();
    let inputs = corpus::inputs();
    let names: Vec<String> = inputs.iter().map(|i| expected_file(&i.name)).collect();
    let mut trials: Vec<Trial> = inputs
        .into_iter()
        .map(|input| Trial::test(input.name.clone(), move || check(&input.name, &outcome(&input)?)))
        .collect();
    // Every expected file belongs to an input: a renamed input leaves none behind.
    trials.push(Trial::test("expected files all have inputs", move || {
        let orphans: Vec<String> = corpus::files(&corpus::root().join("expected"), ".txt")
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .filter(|n| !names.contains(n))
            .collect();
        if orphans.is_empty() {
            Ok(())
        } else {
            Err(format!("expected files with no input: {orphans:?}").into())
        }
    }));
    libtest_mimic::run(&args, trials).exit();
}
