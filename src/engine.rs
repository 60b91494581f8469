//! Running a pack natively (careplan-core in this process) or through the Wasm
//! component (careplan-host), with the same output either way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use careplan_core::{evaluate_error_to_json, evaluate_json, evaluate_json_with_parameters, EvaluateError, Limits};
use careplan_host::{HostConfig, HostError, Runtime};
use serde_json::{json, Map, Value};

use crate::packs::{read_with_parents, OpenError};

/// Which engine runs the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum EngineKind {
    /// careplan-core, compiled into this program.
    #[default]
    Native,
    /// The careplan WebAssembly component, run by wasmtime.
    Wasm,
}

/// A loaded pack, ready to evaluate cases.
pub enum Loaded {
    /// Compiled natively; shared, since a native pack serves many threads at once.
    Native(Arc<careplan_core::RulePack>),
    /// Loaded into a component instance.
    Wasm(Box<careplan_host::RulePack>),
}

/// An evaluation that failed, from either engine.
#[derive(Debug)]
pub enum EvalError {
    /// From careplan-core: carries source text for snippets.
    Native(EvaluateError),
    /// From the component or the host.
    Wasm(HostError),
}

/// Where the CLI keeps the precompiled component between runs.
fn cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .map(|dir| dir.join("careplan"))
}

/// Starts the Wasm runtime, caching the compiled component on disk.
pub fn runtime() -> Result<Runtime, HostError> {
    runtime_with_timeout(None)
}

/// [`runtime`] with another per-call deadline than careplan-host's default.
pub fn runtime_with_timeout(timeout: Option<std::time::Duration>) -> Result<Runtime, HostError> {
    runtime_for(timeout, None)
}

/// [`runtime_with_timeout`] with room for `max_instances` instances at once (for a
/// server's pool) instead of careplan-host's default.
pub fn runtime_for(timeout: Option<std::time::Duration>, max_instances: Option<u32>) -> Result<Runtime, HostError> {
    let defaults = HostConfig::default();
    Runtime::new(HostConfig {
        timeout: timeout.unwrap_or(defaults.timeout),
        max_instances: max_instances.unwrap_or(defaults.max_instances),
        cache_dir: cache_dir(),
        ..defaults
    })
}

/// Opens the pack in `dir` (with its parents from the sibling folders) in `kind`.
pub fn open(dir: &Path, kind: EngineKind) -> Result<Loaded, OpenError> {
    match kind {
        EngineKind::Native => crate::packs::open_pack(dir, &Limits::default()).map(|p| Loaded::Native(Arc::new(p))),
        EngineKind::Wasm => Prepared::new(dir, kind)?.handle(),
    }
}

/// A pack made ready once, from which each thread takes its own [`Loaded`] handle: the
/// same compiled pack natively, a new component instance with the pack loaded for Wasm.
pub enum Prepared {
    /// The compiled pack.
    Native(Arc<careplan_core::RulePack>),
    /// The runtime and the pack's sources.
    Wasm {
        /// The compiled component.
        runtime: Runtime,
        /// The pack.
        pack: careplan_host::PackSource,
        /// The packs it may extend.
        available: Vec<careplan_host::PackSource>,
    },
}

impl Prepared {
    /// Reads the pack in `dir` and compiles it (natively) or the component (Wasm).
    pub fn new(dir: &Path, kind: EngineKind) -> Result<Prepared, OpenError> {
        Prepared::with_timeout(dir, kind, None)
    }

    /// [`Prepared::new`] with a per-case deadline for the component (ignored natively,
    /// where rules are bounded by their operation limits).
    pub fn with_timeout(
        dir: &Path,
        kind: EngineKind,
        timeout: Option<std::time::Duration>,
    ) -> Result<Prepared, OpenError> {
        Ok(match kind {
            EngineKind::Native => Prepared::Native(Arc::new(crate::packs::open_pack(dir, &Limits::default())?)),
            EngineKind::Wasm => {
                let (pack, parents) = read_with_parents(dir, &Limits::default())?;
                Prepared::Wasm {
                    pack: to_host(pack),
                    available: parents.into_iter().map(to_host).collect(),
                    runtime: runtime_with_timeout(timeout).map_err(OpenError::Wasm)?,
                }
            }
        })
    }

    /// A handle for one thread.
    pub fn handle(&self) -> Result<Loaded, OpenError> {
        match self {
            Prepared::Native(pack) => Ok(Loaded::Native(pack.clone())),
            Prepared::Wasm {
                runtime,
                pack,
                available,
            } => runtime
                .load(pack.clone(), available.clone())
                .map(|p| Loaded::Wasm(Box::new(p)))
                .map_err(OpenError::Wasm),
        }
    }
}

/// A core pack source as the component's.
pub fn to_host(pack: careplan_core::PackSource) -> careplan_host::PackSource {
    careplan_host::PackSource {
        location: pack.location,
        manifest: pack.manifest,
        files: pack
            .files
            .into_iter()
            .map(|f| careplan_host::SourceFile {
                path: f.path,
                text: f.text,
            })
            .collect(),
    }
}

impl Loaded {
    /// Evaluates case JSON as of a date, with optional parameter overrides: the
    /// evaluation JSON text, identical from both engines.
    pub fn evaluate_json(&mut self, case: &str, as_of: &str, params: &Map<String, Value>) -> Result<String, EvalError> {
        match self {
            Loaded::Native(pack) => if params.is_empty() {
                evaluate_json(pack, case, as_of)
            } else {
                evaluate_json_with_parameters(pack, case, as_of, params)
            }
            .map_err(EvalError::Native),
            Loaded::Wasm(pack) => if params.is_empty() {
                pack.evaluate_json(case, as_of)
            } else {
                pack.evaluate_json_with_parameters(case, as_of, &Value::Object(params.clone()).to_string())
            }
            .map_err(EvalError::Wasm),
        }
    }

    /// Evaluates case JSON as of a date into text for people, identical from both
    /// engines (core renders it in both).
    /// Returns whether the evaluation is complete, and the text.
    pub fn evaluate_text(&mut self, case: &str, as_of: &str) -> Result<(bool, String), EvalError> {
        match self {
            Loaded::Native(pack) => careplan_core::evaluate_text(pack, case, as_of)
                .map(|rendered| (rendered.complete, rendered.text))
                .map_err(EvalError::Native),
            Loaded::Wasm(pack) => pack
                .evaluate_text(case, as_of)
                .map(|rendered| (rendered.complete, rendered.text))
                .map_err(EvalError::Wasm),
        }
    }

    /// Evaluates case JSON as of a date into the typed evaluation, from either engine.
    pub fn evaluate(&mut self, case: &str, as_of: &str) -> Result<careplan_core::Evaluation, EvalError> {
        match self {
            Loaded::Native(pack) => {
                let as_of = as_of
                    .parse()
                    .map_err(|e| EvalError::Native(EvaluateError::InvalidAsOf(e)))?;
                let case = pack.parse_case(case).map_err(EvalError::Native)?;
                pack.evaluate(&case, as_of).map_err(EvalError::Native)
            }
            Loaded::Wasm(pack) => {
                let json = pack.evaluate_json(case, as_of).map_err(EvalError::Wasm)?;
                serde_json::from_str(&json).map_err(|err| {
                    EvalError::Wasm(HostError::Setup(format!(
                        "the component's evaluation could not be read: {err}"
                    )))
                })
            }
        }
    }

    /// The pack's id, version and rules (each rule's id and the pack that defines it).
    pub fn summary(&mut self) -> (String, String, Vec<(String, String)>) {
        match self {
            Loaded::Native(pack) => {
                let info = pack.info();
                let rules = info.rules.iter().map(|r| (r.id.clone(), r.pack.clone())).collect();
                (info.id.clone(), info.version.clone(), rules)
            }
            Loaded::Wasm(pack) => match pack.info() {
                Ok(info) => (
                    info.id,
                    info.version,
                    info.rules.into_iter().map(|r| (r.id, r.pack)).collect(),
                ),
                Err(_) => (String::new(), String::new(), Vec::new()),
            },
        }
    }
}

impl EvalError {
    /// The error as JSON: the same fields from both engines (`code`, `message`, and
    /// `problems`, `rule`, `limit`, `max`, `file`, `line`, `column`, `help` as they apply).
    pub fn to_json(&self) -> Value {
        match self {
            EvalError::Native(err) => evaluate_error_to_json(err),
            EvalError::Wasm(err) => host_error_json(err),
        }
    }
}

/// The stack size of the threads that evaluate (batch workers): known, and far more
/// than the deepest evaluation core's limits allow needs.
pub const EVALUATION_STACK: usize = 16 << 20;

/// A host error as JSON: the engine's errors exactly as core renders them; a trap or a
/// host that cannot start as `careplan::trap` or `careplan::host` with the message.
pub fn host_error_json(err: &HostError) -> Value {
    let code = match err {
        HostError::Engine(engine) => {
            return serde_json::from_str(&engine.json)
                .unwrap_or_else(|_| json!({"code": "careplan::host", "message": engine.message}));
        }
        HostError::Trap(_) => "careplan::trap",
        HostError::Setup(_) => "careplan::host",
    };
    json!({"code": code, "message": err.to_string()})
}
