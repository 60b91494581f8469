//! The FHIR test corpus, shared by this crate's tests and the workspace's
//! native-against-component test (`tests/component.rs`): every UK Core example under
//! `uk-core/` and every input of our own under `cases/`.
//!
//! A UK Core Patient is read alone, a Bundle as it is, and any other resource in a
//! collection Bundle with the Patient its examples refer to (Richard Smith), so that
//! each is read as part of a person's record. An input of our own may have beside it
//! `<name>.merge.json`, case JSON merged in, and `<name>.mapping.toml`, a mapping table
//! used instead of the built-in one.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

const RICHARD_SMITH: &str = "uk-core/Patient/UKCore-Patient-RichardSmith-Example.json";

/// One input: its name (its path under `tests/`, without `.json`) and its texts.
pub struct Input {
    pub name: String,
    pub fhir: String,
    pub mapping: Option<String>,
    pub merge: Option<String>,
}

/// `crates/fhir/tests`, from this crate's tests or the workspace's.
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let here = manifest.join("tests");
    if here.join("uk-core").is_dir() {
        here
    } else {
        manifest.join("crates/fhir/tests")
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The input text of a UK Core example, as described in the module's comment.
fn uk_core_input(path: &Path) -> String {
    let text = read(path);
    let resource: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match resource["resourceType"].as_str() {
        Some("Patient" | "Bundle") => text,
        _ => {
            let patient: Value = serde_json::from_str(&read(&root().join(RICHARD_SMITH))).expect("the Patient");
            let bundle = json!({
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": patient}, {"resource": resource}],
            });
            serde_json::to_string_pretty(&bundle).expect("JSON")
        }
    }
}

/// The files under `dir` whose names end with `suffix`, sorted.
pub fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every input of the corpus.
pub fn inputs() -> Vec<Input> {
    let root = root();
    let name = |path: &Path| {
        path.strip_prefix(&root)
            .unwrap_or(path)
            .with_extension("")
            .to_string_lossy()
            .into_owned()
    };
    let mut out = Vec::new();
    for path in files(&root.join("uk-core"), ".json") {
        out.push(Input {
            name: name(&path),
            fhir: uk_core_input(&path),
            mapping: None,
            merge: None,
        });
    }
    for path in files(&root.join("cases"), ".json") {
        let file = path.to_string_lossy().into_owned();
        if file.ends_with(".merge.json") {
            continue;
        }
        let beside = |suffix: &str| {
            let other = PathBuf::from(file.trim_end_matches(".json").to_owned() + suffix);
            other.exists().then(|| read(&other))
        };
        out.push(Input {
            name: name(&path),
            fhir: read(&path),
            mapping: beside(".mapping.toml"),
            merge: beside(".merge.json"),
        });
    }
    out
}
