//! The hostile corpus (`tests/hostile/`): rules, cases and pack folders written to
//! break the engine, one test per entry of `tests/hostile/corpus.txt`.
//!
//! Every entry runs natively and through the component (one long-lived host runtime)
//! and must give the typed outcome the corpus names, the same from both; after each,
//! a well-behaved pack must still evaluate a good case to the same bytes on the same
//! engine, and no message may echo the good case's personal data, a raw control
//! character or what a link out of a pack points at. A `disk:` entry is a pack folder
//! built in a temporary directory and read the way the CLI reads packs: what the
//! reader refuses is a `read:` outcome (no engine sees it), and must be refused
//! within 20 seconds (a read that blocks fails the test, not hangs it).
//!
//! `cargo test --test hostile -- --nocapture` prints, after the tests, each entry's
//! time natively and through the component and the growth of the process's peak
//! memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use careplan::engine::{host_error_json, to_host};
use careplan::packs::{read_with_parents, ReadError};
use careplan_core::{
    evaluate_error_to_json, evaluate_json, load_error_to_json, Limits, PackSource, RulePack, SourceFile,
};
use careplan_host::{HostConfig, Runtime};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

const AS_OF: &str = "2025-06-02";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(dir().join(path)).unwrap_or_else(|err| panic!("cannot read {path}: {err}"))
}

/// A one-rule pack around `body`, with the header every rule needs unless the body
/// brings its own.
fn pack_with(name: &str, files: Vec<(String, String)>) -> PackSource {
    PackSource {
        location: format!("hostile/{name}"),
        manifest: read("pack.toml"),
        files: files
            .into_iter()
            .map(|(path, text)| SourceFile { path, text })
            .collect(),
    }
}

fn rule_text(id: &str, body: &str) -> String {
    format!("//! id = \"hostile.{id}\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\n{body}")
}

/// What one entry feeds the engines.
enum Input {
    /// A pack (rules) and the packs it may extend, evaluated on the good case.
    Pack(PackSource, Vec<PackSource>),
    /// A pack folder built under a scratch directory by the function, which returns
    /// the folder to read; read the way the CLI reads packs.
    Disk(fn(&Path) -> PathBuf),
    /// A case (text) for the good pack.
    Case(String),
    /// A pack and the case it is evaluated on.
    PackAndCase(PackSource, String),
    /// An as-of date for the good pack and the good case.
    AsOf(String),
}

fn one_pack(pack: PackSource) -> Input {
    Input::Pack(pack, Vec::new())
}

/// `count` functions named `{prefix}{n}`, one a line.
fn functions(prefix: &str, count: usize) -> String {
    (0..count).map(|n| format!("fn {prefix}{n}() {{ {n} }}\n")).collect()
}

/// The generated entries: too big, too deep or not text, so not files in the repository.
fn generated(name: &str) -> Input {
    let good = read("good-case.json");
    let good_person = r#""id": "hostile-person-7Q", "date_of_birth": "1941-07-19""#;
    match name {
        "gen:source-10mb" => {
            let body = format!("let s = \"{}\";\n()", "x".repeat(10 << 20));
            one_pack(pack_with(name, vec![("big.rhai".into(), rule_text("big", &body))]))
        }
        "gen:rules-10000" => one_pack(pack_with(
            name,
            (0..10_000)
                .map(|i| (format!("r{i:05}.rhai"), rule_text(&format!("r{i:05}"), "()")))
                .collect(),
        )),
        "gen:nested-expression-10000" => {
            let body = format!("let x = {}1{};", "(".repeat(10_000), ")".repeat(10_000));
            one_pack(pack_with(name, vec![("deep.rhai".into(), rule_text("deep", &body))]))
        }
        "gen:byte-order-mark" => {
            let text = format!(
                "\u{feff}{}",
                rule_text("bom", "recommend(\"x\", \"a BOM is not an error\")")
            );
            let mut pack = pack_with(name, vec![("bom.rhai".into(), text)]);
            pack.manifest = format!("\u{feff}{}", pack.manifest);
            one_pack(pack)
        }
        // 200 functions in a library and 200 in the rule: each file is within
        // max_functions (256), the rule that runs with both is not.
        "gen:functions-with-library-400" => one_pack(pack_with(
            name,
            vec![
                ("lib/many.rhai".into(), functions("lib_", 200)),
                (
                    "many.rhai".into(),
                    rule_text("many", &format!("{}()", functions("own_", 200))),
                ),
            ],
        )),
        "gen:manifest-1mib" => {
            let mut pack = pack_with(name, vec![("ok.rhai".into(), rule_text("ok", "()"))]);
            pack.manifest = format!("{}description = \"{}\"\n", pack.manifest, "x".repeat(1 << 20));
            one_pack(pack)
        }
        "gen:rule-id-10kb" => {
            let id = "i".repeat(10 * 1024);
            one_pack(pack_with(name, vec![("id.rhai".into(), rule_text(&id, "()"))]))
        }
        // One line of 200 KB calling 5,000 functions that do not exist: every problem
        // is a snippet of that line, so the report must be windowed and capped.
        "gen:long-line-5000-problems" => {
            let calls: String = (0..5_000).map(|n| format!("nope_{n}(); ")).collect();
            one_pack(pack_with(name, vec![("calls.rhai".into(), rule_text("calls", &calls))]))
        }
        // 9,000 events (within max_case_size and max_array_size), read in a loop:
        // each read copies the list, so each costs its length.
        "gen:events-read-loop" => {
            let event = r#"{"date": "2025-05-01", "kind": "fall"}"#;
            let events = vec![event; 9_000].join(",");
            let case = format!("{{\"person\": {{{good_person}}}, \"events\": [{events}]}}");
            let rule = rule_text("events", "let n = 0;\nloop { n += record.events.len(); }");
            Input::PackAndCase(pack_with(name, vec![("events.rhai".into(), rule)]), case)
        }
        "gen:case-deep-nesting" => Input::Case(format!(
            "{{\"person\": {{{good_person}}}, \"local\": {{\"x\": {}{}}}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        )),
        "gen:case-string-100mb" => Input::Case(format!(
            "{{\"person\": {{\"id\": \"{}\", \"date_of_birth\": \"1941-07-19\"}}}}",
            "x".repeat(100 << 20)
        )),
        "gen:case-array-10m" => {
            let mut items = "0,".repeat(10_000_000);
            items.pop();
            Input::Case(format!("{{\"person\": {{{good_person}}}, \"events\": [{items}]}}"))
        }
        "gen:case-events-100000" => {
            let event = r#"{"date": "2025-05-01", "kind": "fall"}"#;
            let events = vec![event; 100_000].join(",");
            Input::Case(format!("{{\"person\": {{{good_person}}}, \"events\": [{events}]}}"))
        }
        "gen:as-of-31-february" => Input::AsOf("2025-02-31".into()),
        "gen:as-of-not-a-date" => Input::AsOf("tomorrow".into()),
        "gen:as-of-far-future" => Input::AsOf("9999-01-01".into()),
        "gen:good" => Input::Case(good),
        other => panic!("no generator `{other}`"),
    }
}

// Pack folders (`disk:` entries). Each writes under `root` and returns the folder to read.

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create a scratch folder");
    }
    std::fs::write(path, bytes).expect("write a scratch file");
}

fn manifest(id: &str, extends: Option<&str>) -> String {
    let mut text =
        format!("[pack]\nid = \"{id}\"\nname = \"{id}\"\nauthority = \"careplan tests\"\nversion = \"1.0.0\"\n");
    if let Some(parent) = extends {
        text.push_str(&format!("extends = \"{parent}\"\n"));
    }
    text
}

/// A pack `id` in `root/{id}` with one rule of its own (ids differ between layers).
fn disk_pack(root: &Path, id: &str, extends: Option<&str>) -> PathBuf {
    let dir = root.join(id);
    write(&dir.join("pack.toml"), manifest(id, extends));
    write(
        &dir.join("own.rhai"),
        format!("//! id = \"{id}.own\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\nrecommend(\"from_{id}\", \"a rule of {id}\")\n"),
    );
    dir
}

/// A file of `size` bytes that takes no room: a sparse file of zeros.
fn sparse(path: &Path, size: u64) {
    write(path, b"");
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|file| file.set_len(size))
        .expect("make a sparse file");
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("make a symbolic link");
}

fn fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|status| status.success());
    assert!(made, "mkfifo {} failed", path.display());
}

/// Neighbours that are not packs of anyone's: a FIFO manifest, a 1 GiB manifest, a
/// manifest that is not UTF-8, a link to `/` and a pack with a FIFO rule.
fn bad_neighbours(root: &Path) {
    std::fs::create_dir_all(root.join("fifo-manifest")).expect("folder");
    fifo(&root.join("fifo-manifest/pack.toml"));
    sparse(&root.join("huge-manifest/pack.toml"), 1 << 30);
    write(&root.join("latin1/pack.toml"), b"[pack]\nid = \"caf\xe9\"\n");
    symlink(Path::new("/"), &root.join("link-to-root"));
    disk_pack(root, "fifo-rule", None);
    fifo(&root.join("fifo-rule/stuck.rhai"));
}

fn disk(name: &str) -> fn(&Path) -> PathBuf {
    match name {
        "disk:non-utf8-rule" => |root| {
            let dir = disk_pack(root, "p", None);
            write(&dir.join("latin1.rhai"), b"recommend(\"x\", \"caf\xe9\")\n");
            dir
        },
        "disk:rule-links-to-etc-passwd" => |root| {
            let dir = disk_pack(root, "p", None);
            symlink(Path::new("/etc/passwd"), &dir.join("passwd.rhai"));
            dir
        },
        "disk:rule-links-to-dev-zero" => |root| {
            let dir = disk_pack(root, "p", None);
            symlink(Path::new("/dev/zero"), &dir.join("zero.rhai"));
            dir
        },
        "disk:manifest-links-out" => |root| {
            let dir = root.join("p");
            std::fs::create_dir_all(&dir).expect("folder");
            write(&root.join("elsewhere.toml"), manifest("p", None));
            symlink(&root.join("elsewhere.toml"), &dir.join("pack.toml"));
            dir
        },
        "disk:folder-links-out" => |root| {
            let dir = disk_pack(root, "p", None);
            symlink(Path::new("/etc"), &dir.join("lib"));
            dir
        },
        "disk:rule-is-a-fifo" => |root| {
            let dir = disk_pack(root, "p", None);
            fifo(&dir.join("stuck.rhai"));
            dir
        },
        "disk:manifest-is-a-fifo" => |root| {
            let dir = root.join("p");
            std::fs::create_dir_all(&dir).expect("folder");
            fifo(&dir.join("pack.toml"));
            dir
        },
        "disk:rule-sparse-1gib" => |root| {
            let dir = disk_pack(root, "p", None);
            sparse(&dir.join("huge.rhai"), 1 << 30);
            dir
        },
        "disk:manifest-sparse-300mb" => |root| {
            let dir = root.join("p");
            sparse(&dir.join("pack.toml"), 300 << 20);
            dir
        },
        "disk:folders-20-deep" => |root| {
            let dir = disk_pack(root, "p", None);
            let deep: PathBuf = (0..20).map(|n| format!("d{n}")).collect();
            write(&dir.join(deep).join("r.rhai"), "()");
            dir
        },
        // File names that are terminal escapes (clear the screen, retitle the window),
        // with a syntax error so that the name is shown.
        "disk:escape-sequences-in-file-name" => |root| {
            let dir = disk_pack(root, "p", None);
            write(
                &dir.join("\u{1b}[2J\u{1b}]0;owned\u{7}.rhai"),
                "//! id = \"p.esc\"\n//! title = \"t\"\n//! kind = \"recommendation\"\n//! cites = \"test\"\nlet = ;\n",
            );
            dir
        },
        // A pack that extends nothing reads nothing beside it.
        "disk:bad-neighbours-no-parent" => |root| {
            bad_neighbours(root);
            disk_pack(root, "p", None)
        },
        // A pack that extends another reads its neighbours' manifests, skipping those
        // it cannot read, then only the parent in full.
        "disk:bad-neighbours-with-parent" => |root| {
            bad_neighbours(root);
            disk_pack(root, "parent", None);
            disk_pack(root, "p", Some("parent"))
        },
        // 20 layers, each extending the one before: over max_layers (8), found after
        // reading at most max_layers + 1 of them.
        "disk:extends-chain-20" => |root| {
            disk_pack(root, "p00", None);
            for n in 1..20 {
                disk_pack(root, &format!("p{n:02}"), Some(&format!("p{:02}", n - 1)));
            }
            root.join("p19")
        },
        "disk:extends-cycle" => |root| {
            disk_pack(root, "a", Some("b"));
            disk_pack(root, "b", Some("a"))
        },
        other => panic!("no pack folder `{other}`"),
    }
}

fn input(name: &str) -> Input {
    if name.starts_with("gen:") {
        generated(name)
    } else if name.starts_with("disk:") {
        Input::Disk(disk(name))
    } else if let Some(rule) = name.strip_prefix("rules/") {
        let id = rule.trim_end_matches(".rhai");
        one_pack(pack_with(name, vec![(rule.to_owned(), rule_text(id, &read(name)))]))
    } else if name.starts_with("cases/") {
        Input::Case(read(name))
    } else {
        panic!("unknown entry `{name}`")
    }
}

/// An evaluation's outcome: `ok` when complete; `incomplete:` and the first failure's
/// kind (and limit) when a rule failed. The text is the failures' messages, which no
/// more than an error's may repeat personal data.
fn classify_evaluation(json: &str) -> (String, String) {
    let evaluation: Value = serde_json::from_str(json).expect("an evaluation is JSON");
    let Some(first) = evaluation["failures"].as_array().and_then(|f| f.first()) else {
        assert_eq!(evaluation["complete"], true, "no failures, so complete");
        return ("ok".into(), String::new());
    };
    assert_eq!(evaluation["complete"], false, "failures, so not complete");
    let kind = first["kind"].as_str().unwrap_or("?");
    let outcome = match first["limit"].as_str() {
        Some(limit) => format!("incomplete:{kind}:{limit}"),
        None => format!("incomplete:{kind}"),
    };
    (outcome, evaluation["failures"].to_string())
}

/// An error JSON as `code`, `code:limit` or `code:first problem code`.
fn classify(error: &Value) -> String {
    let code = error["code"].as_str().unwrap_or("?").to_owned();
    if let Some(limit) = error["limit"].as_str() {
        return format!("{code}:{limit}");
    }
    if let Some(first) = error["problems"][0]["code"].as_str() {
        return format!("{code}:{first}");
    }
    code
}

/// What the pack reader refused, as `read:` and the kind of refusal.
fn classify_read(err: &ReadError) -> String {
    let kind = match err {
        ReadError::NotAPack(_) => "not_a_pack",
        ReadError::Io { .. } => "io",
        ReadError::NotUtf8 { .. } => "not_utf8",
        ReadError::Symlink { .. } => "symlink",
        ReadError::NotRegular { .. } => "not_regular",
        ReadError::TooLarge { limit_name, .. } => return format!("read:too_large:{limit_name}"),
        ReadError::TooDeep { .. } => "too_deep",
        ReadError::TooManyRules { .. } => "too_many_rules",
        ReadError::TooManyEntries { .. } => "too_many_entries",
    };
    format!("read:{kind}")
}

/// A pack and its parents as read, or the reader's refusal: its outcome and message.
type Read = Result<(PackSource, Vec<PackSource>), (String, String)>;

/// Builds the pack folder of a `disk:` entry and reads it as the CLI does, on another
/// thread: the pack and its parents, or the refusal's outcome and message.
fn from_disk(name: &str, layout: fn(&Path) -> PathBuf) -> Result<Read, Failed> {
    let root = std::env::temp_dir().join(format!(
        "careplan-hostile-{}-{}",
        std::process::id(),
        name.replace([':', '/'], "-")
    ));
    let (send, receive) = std::sync::mpsc::channel();
    let scratch = root.clone();
    std::thread::spawn(move || {
        let _ = std::fs::remove_dir_all(&scratch);
        let dir = layout(&scratch);
        let read = read_with_parents(&dir, &Limits::default()).map_err(|err| (classify_read(&err), err.to_string()));
        let _ = send.send(read);
    });
    let read = receive.recv_timeout(Duration::from_secs(20)).map_err(|err| match err {
        RecvTimeoutError::Timeout => Failed::from(format!("{name}: reading the pack did not finish in 20 s")),
        RecvTimeoutError::Disconnected => Failed::from(format!("{name}: building or reading the pack panicked")),
    });
    // A FIFO left behind is removed as a name; nothing opens it.
    let _ = std::fs::remove_dir_all(&root);
    read
}

/// The peak resident memory of this process so far, in KiB (Linux).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

struct Engines {
    runtime: Runtime,
    good_native: RulePack,
    good_wasm: careplan_host::RulePack,
    good_case: String,
    expected_good: String,
}

impl Engines {
    fn new() -> Engines {
        let good_pack = pack_with("good", vec![("good.rhai".into(), read("good-rule.rhai"))]);
        let good_native = RulePack::load(&good_pack, &[], &Limits::default()).expect("the good pack loads");
        let runtime = Runtime::new(HostConfig {
            timeout: Duration::from_secs(5),
            memory_limit: 256 << 20,
            ..HostConfig::default()
        })
        .expect("the host starts");
        let good_wasm = runtime
            .load(to_host(good_pack), Vec::new())
            .expect("the good pack loads");
        let good_case = read("good-case.json");
        let expected_good = evaluate_json(&good_native, &good_case, AS_OF).expect("the good case evaluates");
        Engines {
            runtime,
            good_native,
            good_wasm,
            good_case,
            expected_good,
        }
    }

    /// Runs one entry natively: `ok` or the classified error, and the error's text.
    fn native(&self, input: &Input) -> (String, String) {
        let evaluate = |pack: &PackSource, parents: &[PackSource], case: &str| match RulePack::load(
            pack,
            parents,
            &Limits::default(),
        ) {
            Err(err) => Err(load_error_to_json(&err)),
            Ok(pack) => evaluate_json(&pack, case, AS_OF).map_err(|e| evaluate_error_to_json(&e)),
        };
        let outcome = match input {
            Input::Pack(pack, parents) => evaluate(pack, parents, &self.good_case),
            Input::PackAndCase(pack, case) => evaluate(pack, &[], case),
            Input::Disk(_) => unreachable!("read before"),
            Input::Case(case) => evaluate_json(&self.good_native, case, AS_OF).map_err(|e| evaluate_error_to_json(&e)),
            Input::AsOf(date) => {
                evaluate_json(&self.good_native, &self.good_case, date).map_err(|e| evaluate_error_to_json(&e))
            }
        };
        match outcome {
            Ok(json) => classify_evaluation(&json),
            Err(error) => (classify(&error), error.to_string()),
        }
    }

    /// Runs one entry through the component.
    fn wasm(&mut self, input: &Input) -> (String, String) {
        let runtime = &self.runtime;
        let evaluate = |pack: &PackSource, parents: &[PackSource], case: &str| {
            let parents = parents.iter().cloned().map(to_host).collect();
            match runtime.load(to_host(pack.clone()), parents) {
                Err(err) => Err(host_error_json(&err)),
                Ok(mut handle) => handle.evaluate_json(case, AS_OF).map_err(|e| host_error_json(&e)),
            }
        };
        let outcome = match input {
            Input::Pack(pack, parents) => evaluate(pack, parents, &self.good_case),
            Input::PackAndCase(pack, case) => evaluate(pack, &[], case),
            Input::Disk(_) => unreachable!("read before"),
            Input::Case(case) => self
                .good_wasm
                .evaluate_json(case, AS_OF)
                .map_err(|e| host_error_json(&e)),
            Input::AsOf(date) => self
                .good_wasm
                .evaluate_json(&self.good_case, date)
                .map_err(|e| host_error_json(&e)),
        };
        match outcome {
            Ok(json) => classify_evaluation(&json),
            Err(error) => (classify(&error), error.to_string()),
        }
    }

    /// The engines still give the good case's exact evaluation.
    fn recovered(&mut self, name: &str) -> Result<(), Failed> {
        let native = evaluate_json(&self.good_native, &self.good_case, AS_OF)
            .map_err(|err| format!("{name}: native no longer evaluates: {err}"))?;
        if native != self.expected_good {
            return Err(format!("{name}: native differs afterwards").into());
        }
        let wasm = self
            .good_wasm
            .evaluate_json(&self.good_case, AS_OF)
            .map_err(|err| format!("{name}: the host no longer evaluates: {err}"))?;
        if wasm != self.expected_good {
            return Err(format!("{name}: Wasm differs afterwards").into());
        }
        Ok(())
    }
}

/// Text no message may hold: personal data of the good case (and the invented name
/// and address some hostile cases carry), and what `/etc/passwd` starts with.
const FORBIDDEN: &[&str] = &[
    "9990000018",
    "9990000017",
    "ZZ99 3AA",
    "1941-07-19",
    "Alys Probert-Hughes",
    "12 Imaginary Row",
    "root:x:0:0",
];

/// The most any one message may be: the bound on an evaluation's findings
/// (`max_output_size`). A load error's JSON lists every problem (a rendering for
/// people shows 200), each message at most `max_message_size` and no snippet.
const MAX_MESSAGE: usize = 4 << 20;

/// One entry's figures for the report: native and Wasm time, and peak growth.
type Figures = (Duration, Duration, u64);

fn engines() -> MutexGuard<'static, Engines> {
    static ENGINES: OnceLock<Mutex<Engines>> = OnceLock::new();
    // A failed entry leaves the engines as they were; the next entry checks them anyway.
    ENGINES
        .get_or_init(|| Mutex::new(Engines::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn report() -> MutexGuard<'static, BTreeMap<String, Figures>> {
    static REPORT: OnceLock<Mutex<BTreeMap<String, Figures>>> = OnceLock::new();
    REPORT
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn check_text(name: &str, text: &str) -> Result<(), Failed> {
    if text.contains('\u{1b}') || text.contains('\u{7}') {
        return Err(format!("{name}: a raw control character reaches the output: {text:?}").into());
    }
    if let Some(forbidden) = FORBIDDEN.iter().find(|f| text.contains(**f)) {
        return Err(format!("{name}: the message repeats `{forbidden}`: {text}").into());
    }
    if text.len() > MAX_MESSAGE {
        return Err(format!("{name}: the message is {} bytes, over {MAX_MESSAGE}", text.len()).into());
    }
    Ok(())
}

/// Runs one entry: natively, then through the component, then the good case again.
fn run_entry(name: &str, expected: &str) -> Result<(), Failed> {
    let input = match input(name) {
        Input::Disk(layout) => match from_disk(name, layout)? {
            Err((outcome, message)) => {
                check_text(name, &message)?;
                return if outcome == expected {
                    Ok(())
                } else {
                    Err(format!("expected {expected}, the reader gives {outcome}: {message}").into())
                };
            }
            Ok((pack, parents)) => Input::Pack(pack, parents),
        },
        other => other,
    };
    let mut engines = engines();
    let before = peak_kib();
    let start = Instant::now();
    let (native, native_text) = engines.native(&input);
    let native_time = start.elapsed();
    let start = Instant::now();
    let (wasm, wasm_text) = engines.wasm(&input);
    let wasm_time = start.elapsed();
    let grew = peak_kib().saturating_sub(before);
    engines.recovered(name)?;
    drop(engines);
    report().insert(name.to_owned(), (native_time, wasm_time, grew));
    check_text(name, &native_text)?;
    check_text(name, &wasm_text)?;
    if native != expected || wasm != expected {
        return Err(format!("expected {expected}, native {native}, Wasm {wasm}\nnative: {native_text}").into());
    }
    Ok(())
}

/// The corpus: each entry and its expected outcome.
fn corpus() -> Vec<(String, String)> {
    let mut entries = Vec::new();
    for (n, line) in read("corpus.txt").lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(name), Some(expected), None) = (parts.next(), parts.next(), parts.next()) else {
            panic!("corpus.txt line {}: expected `entry expected-outcome`", n + 1);
        };
        entries.push((name.to_owned(), expected.to_owned()));
    }
    entries
}

fn main() {
    let args = Arguments::from_args();
    let entries = corpus();
    let mut trials = Vec::new();
    let listed: Vec<String> = entries.iter().map(|(name, _)| name.clone()).collect();
    trials.push(Trial::test(
        "corpus.txt lists every file under rules/ and cases/",
        move || {
            if listed.len() < 40 {
                return Err(format!("the corpus has {} entries", listed.len()).into());
            }
            for folder in ["rules", "cases"] {
                for file in std::fs::read_dir(dir().join(folder)).map_err(|e| e.to_string())? {
                    let name = format!(
                        "{folder}/{}",
                        file.map_err(|e| e.to_string())?.file_name().to_string_lossy()
                    );
                    if !listed.contains(&name) {
                        return Err(format!("{name} is not listed in corpus.txt").into());
                    }
                }
            }
            Ok(())
        },
    ));
    for (name, expected) in entries {
        trials.push(Trial::test(name.clone(), move || run_entry(&name, &expected)));
    }
    let conclusion = libtest_mimic::run(&args, trials);
    let report = report();
    if !report.is_empty() {
        eprintln!(
            "{:<42} {:>12} {:>12} {:>14}",
            "entry", "native", "wasm", "peak grew KiB"
        );
        for (name, (native, wasm, grew)) in report.iter() {
            eprintln!("{name:<42} {native:>12.1?} {wasm:>12.1?} {grew:>14}");
        }
        eprintln!("peak resident memory of the whole run: {} KiB", peak_kib());
    }
    drop(report);
    conclusion.exit();
}
