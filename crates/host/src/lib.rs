//! careplan-host: run the careplan WebAssembly component with wasmtime.
//!
//! The component (built by this crate's build script and embedded in it) is compiled
//! once per [`Runtime`], optionally cached on disk as a precompiled artifact keyed by the
//! wasmtime version, the engine configuration and the component's digest. Each
//! [`RulePack`] handle instantiates it cheaply from a pre-linked `InstancePre` in the
//! pooling allocator and loads one pack into it.
//!
//! Every call is bounded: an epoch deadline (wall-clock time) and a memory cap. A trap
//! (deadline, memory, or a fault in the component) poisons the instance, so the handle
//! throws it away, reports [`HostError::Trap`], and re-creates the instance and reloads
//! its pack on the next call.
//!
//! ```no_run
//! use careplan_host::{HostConfig, PackSource, Runtime, SourceFile};
//!
//! let runtime = Runtime::new(HostConfig::default())?;
//! let pack = PackSource { location: "rules/tiny".into(), manifest: String::new(), files: Vec::<SourceFile>::new() };
//! let mut handle = runtime.load(pack, Vec::new())?;
//! let json = handle.evaluate_json(r#"{"person": {"id": "p", "date_of_birth": "1950-01-01"}}"#, "2025-01-01")?;
//! # Ok::<(), careplan_host::HostError>(())
//! ```
#![deny(missing_docs)]

mod bindings {
    wasmtime::component::bindgen!({
        world: "careplan",
        path: "../../wit",
    });
}

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::component::{Component, Linker, ResourceAny};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimits, StoreLimitsBuilder,
};

pub use bindings::exports::careplan::engine::engine::{
    Audit, CaseProblem, Decision, Diagnostic, EligibilityDecision, Error as EngineError, ErrorCode, Escalation,
    EscalationLevel, Evaluation, EvaluationText, Failure, FailureKind, FhirCase, FhirNote, Layer, NotInForce, Owner,
    PackInfo, PackSource, RecipientInfo, Recommendation, ReviewDue, RuleInfo, SchemeInfo, Severity, SourceFile, Status,
};
use bindings::{Careplan, CareplanPre};

/// The component's bytes and their SHA-256 in hex, as built from this workspace by
/// careplan-artifacts.
pub use careplan_artifacts::{COMPONENT, COMPONENT_SHA256};

/// Core (module) instances the pooling allocator keeps per component instance: the
/// component's main module and the small modules wit-component adds around it (each
/// with its own table). Tested by `max_instances_handles_can_exist_at_once`.
const CORE_INSTANCES_PER_COMPONENT: u32 = 4;

/// Bounds and caching for a [`Runtime`].
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Wall-clock time one call may take (load or evaluate) before it is stopped.
    pub timeout: Duration,
    /// How often the deadline is checked; the deadline is honoured to within this.
    pub tick: Duration,
    /// Linear memory one instance may grow to, in bytes.
    pub memory_limit: usize,
    /// Component instances that may exist at once (the pooling allocator's slots): one
    /// per [`RulePack`] handle, and one during each call of [`Runtime::case_from_fhir`],
    /// [`Runtime::case_schema`] or [`Runtime::fhir_mapping`]. A host that runs one
    /// handle per thread runs at most this many threads.
    pub max_instances: u32,
    /// WebAssembly fuel one call may burn (about one unit per instruction): the
    /// deterministic bound, the same on a busy machine as on an idle one, so that a
    /// batch's output never depends on load. The engine's own work budget stops a rule
    /// long before; fuel stops anything else. The `timeout` stays as the wall-clock
    /// backstop.
    pub fuel: u64,
    /// Where to keep the precompiled component between runs; `None` compiles each time.
    pub cache_dir: Option<PathBuf>,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            timeout: Duration::from_secs(5),
            tick: Duration::from_millis(10),
            memory_limit: 256 << 20,
            max_instances: 64,
            fuel: 20_000_000_000,
            cache_dir: None,
        }
    }
}

/// What can go wrong in the host.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The engine answered with a typed error: invalid rules, an invalid case, an
    /// invalid as-of date or parameter, or no rule in force. (A rule that fails is not
    /// an error: the evaluation lists it in its failures.) It displays as core's
    /// message; `text` and `json` are core's other renderings.
    #[error("{}", .0.message)]
    Engine(Box<EngineError>),
    /// The call trapped: it ran past the deadline, past the memory cap, or the
    /// component faulted. The instance was discarded; the next call starts afresh.
    #[error("the evaluation was stopped: {0}")]
    Trap(TrapKind),
    /// wasmtime could not be set up or the component could not be compiled or
    /// instantiated.
    #[error("the component could not be run: {0}")]
    Setup(String),
}

/// Why a call trapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrapKind {
    /// It ran past [`HostConfig::timeout`].
    #[error("it ran longer than the {0:?} allowed")]
    Timeout(Duration),
    /// Its memory would have grown past [`HostConfig::memory_limit`].
    #[error("it needed more than the {0} bytes of memory allowed")]
    Memory(usize),
    /// It burned the [`HostConfig::fuel`] one call may burn.
    #[error("it did more than the {0} units of work (WebAssembly fuel) allowed")]
    Fuel(u64),
    /// It used all of the stack WebAssembly may use.
    #[error("it ran out of stack")]
    Stack,
    /// Any other trap, with wasmtime's description (without its backtrace).
    #[error("the component faulted: {0}")]
    Fault(String),
}

/// Increments the engine's epoch every tick until dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Inner {
    engine: Engine,
    pre: CareplanPre<State>,
    config: HostConfig,
    _ticker: Ticker,
}

/// The compiled component and its engine. Cheap to clone and share between threads;
/// each thread makes its own [`RulePack`] handles.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

/// Per-instance state: the memory cap, and whether it refused growth (so a trap can be
/// told apart from other faults without reading its message).
struct State {
    limits: StoreLimits,
    memory_refused: bool,
}

impl wasmtime::ResourceLimiter for State {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum);
        if !matches!(allowed, Ok(true)) {
            self.memory_refused = true;
        }
        allowed
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

impl Runtime {
    /// Sets up wasmtime and compiles the component (or loads it from the cache).
    pub fn new(config: HostConfig) -> Result<Runtime, HostError> {
        let setup = |err: wasmtime::Error| HostError::Setup(format!("{err:#}"));
        let mut wasm_config = Config::new();
        wasm_config.epoch_interruption(true);
        wasm_config.consume_fuel(true);
        let mut pooling = PoolingAllocationConfig::default();
        pooling
            .total_component_instances(config.max_instances)
            .total_core_instances(config.max_instances.saturating_mul(CORE_INSTANCES_PER_COMPONENT))
            .total_memories(config.max_instances)
            .total_tables(config.max_instances.saturating_mul(CORE_INSTANCES_PER_COMPONENT))
            .max_memory_size(config.memory_limit);
        wasm_config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
        let engine = Engine::new(&wasm_config).map_err(setup)?;
        let component = compile(&engine, config.cache_dir.as_deref())?;
        let linker: Linker<State> = Linker::new(&engine);
        let pre = linker.instantiate_pre(&component).map_err(setup)?;
        let pre = CareplanPre::new(pre).map_err(setup)?;

        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (engine, stop, tick) = (engine.clone(), stop.clone(), config.tick);
            std::thread::Builder::new()
                .name("careplan-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(tick);
                        engine.increment_epoch();
                    }
                })
                .map_err(|err| HostError::Setup(format!("cannot start the deadline thread: {err}")))?
        };
        Ok(Runtime {
            inner: Arc::new(Inner {
                engine,
                pre,
                config,
                _ticker: Ticker {
                    stop,
                    thread: Some(thread),
                },
            }),
        })
    }

    /// Loads a pack (with the packs it may extend) into a new instance.
    pub fn load(&self, pack: PackSource, available: Vec<PackSource>) -> Result<RulePack, HostError> {
        let mut handle = RulePack {
            runtime: self.clone(),
            pack,
            available,
            loaded: None,
        };
        handle.ensure_loaded()?;
        Ok(handle)
    }

    /// The case JSON Schema, as the component reports it.
    pub fn case_schema(&self) -> Result<String, HostError> {
        let (mut store, instance) = self.instantiate()?;
        let result = instance.careplan_engine_engine().call_case_schema(&mut store);
        result.map_err(|err| self.trap(err, store.data()))
    }

    /// Reads FHIR R4 UK Core resources into case JSON in a fresh instance, under the
    /// same time and memory bounds as an evaluation: `mapping_toml` is a mapping table
    /// or `None` for the built-in one, `case_json` case JSON to merge in (WIT
    /// `case-from-fhir`).
    pub fn case_from_fhir(
        &self,
        fhir_json: &str,
        mapping_toml: Option<&str>,
        case_json: Option<&str>,
    ) -> Result<FhirCase, HostError> {
        let (mut store, instance) = self.instantiate()?;
        let result =
            instance
                .careplan_engine_engine()
                .call_case_from_fhir(&mut store, fhir_json, mapping_toml, case_json);
        result
            .map_err(|err| self.trap(err, store.data()))?
            .map_err(|err| HostError::Engine(Box::new(err)))
    }

    /// The built-in FHIR mapping table, as the component reports it (WIT `fhir-mapping`).
    pub fn fhir_mapping(&self) -> Result<String, HostError> {
        let (mut store, instance) = self.instantiate()?;
        let result = instance.careplan_engine_engine().call_fhir_mapping(&mut store);
        result.map_err(|err| self.trap(err, store.data()))
    }

    fn instantiate(&self) -> Result<(Store<State>, Careplan), HostError> {
        let config = &self.inner.config;
        let limits = StoreLimitsBuilder::new()
            .memory_size(config.memory_limit)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(
            &self.inner.engine,
            State {
                limits,
                memory_refused: false,
            },
        );
        store.limiter(|state| state);
        self.arm(&mut store);
        let instance = self.inner.pre.instantiate(&mut store);
        let instance = instance.map_err(|err| self.trap(err, store.data()))?;
        Ok((store, instance))
    }

    /// Sets the deadline for the next call.
    fn arm(&self, store: &mut Store<State>) {
        let config = &self.inner.config;
        let ticks = (config.timeout.as_micros() / config.tick.as_micros().max(1)).max(1);
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX));
        store.epoch_deadline_trap();
        // Fuel can only be set on a store that consumes it, which every store here does.
        let _ = store.set_fuel(config.fuel);
    }

    /// Classifies a wasmtime error from a call on a store in `state`.
    fn trap(&self, err: wasmtime::Error, state: &State) -> HostError {
        let config = &self.inner.config;
        let trap = err.downcast_ref::<wasmtime::Trap>();
        let kind = match trap {
            Some(wasmtime::Trap::Interrupt) => TrapKind::Timeout(config.timeout),
            Some(wasmtime::Trap::OutOfFuel) => TrapKind::Fuel(config.fuel),
            Some(wasmtime::Trap::StackOverflow) => TrapKind::Stack,
            _ if state.memory_refused => TrapKind::Memory(config.memory_limit),
            // The trap's own words; its wasm backtrace says nothing to a host's user.
            Some(trap) => TrapKind::Fault(trap.to_string()),
            None => TrapKind::Fault(err.to_string().lines().next().unwrap_or("unknown").to_owned()),
        };
        HostError::Trap(kind)
    }
}

/// A live instance with a pack loaded in it.
struct Loaded {
    store: Store<State>,
    instance: Careplan,
    pack: ResourceAny,
}

/// A pack loaded in its own component instance. Use it from one thread at a time
/// (`&mut self`); make one handle per thread from a shared [`Runtime`].
pub struct RulePack {
    runtime: Runtime,
    pack: PackSource,
    available: Vec<PackSource>,
    loaded: Option<Loaded>,
}

impl RulePack {
    fn ensure_loaded(&mut self) -> Result<&mut Loaded, HostError> {
        if self.loaded.is_none() {
            let (mut store, instance) = self.runtime.instantiate()?;
            let result =
                instance
                    .careplan_engine_engine()
                    .rule_pack()
                    .call_load(&mut store, &self.pack, &self.available);
            let pack = result
                .map_err(|err| self.runtime.trap(err, store.data()))?
                .map_err(|err| HostError::Engine(Box::new(err)))?;
            self.loaded = Some(Loaded { store, instance, pack });
        }
        self.loaded
            .as_mut()
            .ok_or_else(|| HostError::Setup("the pack is not loaded".into()))
    }

    /// Runs one call with a fresh deadline; on a trap, discards the instance.
    fn call<T>(
        &mut self,
        f: impl FnOnce(&mut Loaded) -> wasmtime::Result<Result<T, EngineError>>,
    ) -> Result<T, HostError> {
        let runtime = self.runtime.clone();
        let loaded = self.ensure_loaded()?;
        runtime.arm(&mut loaded.store);
        match f(&mut *loaded) {
            Ok(result) => result.map_err(|err| HostError::Engine(Box::new(err))),
            Err(err) => {
                let error = runtime.trap(err, loaded.store.data());
                self.loaded = None;
                Err(error)
            }
        }
    }

    /// Evaluates case JSON as of a `YYYY-MM-DD` date: the exact JSON `careplan eval`
    /// prints.
    pub fn evaluate_json(&mut self, case_json: &str, as_of: &str) -> Result<String, HostError> {
        self.call(|l| {
            l.instance
                .careplan_engine_engine()
                .rule_pack()
                .call_evaluate_json(&mut l.store, l.pack, case_json, as_of)
        })
    }

    /// Evaluates case JSON as of a `YYYY-MM-DD` date: the exact text `careplan eval
    /// --format text` prints, for people.
    pub fn evaluate_text(&mut self, case_json: &str, as_of: &str) -> Result<EvaluationText, HostError> {
        self.call(|l| {
            l.instance
                .careplan_engine_engine()
                .rule_pack()
                .call_evaluate_text(&mut l.store, l.pack, case_json, as_of)
        })
    }

    /// [`RulePack::evaluate_json`] with some of the pack's parameters set to other
    /// values: `parameters_json` is a JSON object of declared parameter names and values.
    pub fn evaluate_json_with_parameters(
        &mut self,
        case_json: &str,
        as_of: &str,
        parameters_json: &str,
    ) -> Result<String, HostError> {
        self.call(|l| {
            l.instance
                .careplan_engine_engine()
                .rule_pack()
                .call_evaluate_json_with_parameters(&mut l.store, l.pack, case_json, as_of, parameters_json)
        })
    }

    /// Evaluates case JSON as of a date, as typed records.
    pub fn evaluate(&mut self, case_json: &str, as_of: &str) -> Result<Evaluation, HostError> {
        self.call(|l| {
            l.instance
                .careplan_engine_engine()
                .rule_pack()
                .call_evaluate(&mut l.store, l.pack, case_json, as_of)
        })
    }

    /// What `careplan check --as-of` warns about (each with severity `warning`).
    pub fn warnings(&mut self, as_of: &str) -> Result<Vec<Diagnostic>, HostError> {
        self.call(|l| {
            l.instance
                .careplan_engine_engine()
                .rule_pack()
                .call_warnings(&mut l.store, l.pack, as_of)
        })
    }

    /// The pack's id, version, digest, layers and rules.
    pub fn info(&mut self) -> Result<PackInfo, HostError> {
        self.call(|l| {
            l.instance
                .careplan_engine_engine()
                .rule_pack()
                .call_info(&mut l.store, l.pack)
                .map(Ok)
        })
    }
}

/// A cache file is the SHA-256 of the precompiled bytes, then the bytes: a file cut short
/// or overwritten by anything else fails the check and is compiled afresh, never
/// deserialized.
fn read_cached(engine: &Engine, path: &std::path::Path) -> Option<Component> {
    use sha2::{Digest, Sha256};
    let file = std::fs::read(path).ok()?;
    let (digest, bytes) = file.split_at_checked(32)?;
    if Sha256::digest(bytes).as_slice() != digest {
        return None;
    }
    // SAFETY: the bytes are exactly what `Component::serialize` wrote for this wasmtime
    // version, engine configuration and component (all in the file's name; the digest
    // proves the bytes whole), into a directory the embedder chose for this cache.
    #[allow(
        unsafe_code,
        reason = "wasmtime deserializes precompiled code unchecked; the digest and the name vouch for it"
    )]
    unsafe { Component::deserialize(engine, bytes) }.ok()
}

/// Writes a cache file through a temporary file of this process and thread alone, then
/// renames it into place, so that two cold processes never write the same file.
fn write_cached(dir: &std::path::Path, path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use sha2::{Digest, Sha256};
    std::fs::create_dir_all(dir)?;
    let thread = format!("{:?}", std::thread::current().id());
    let unique: String = thread.chars().filter(char::is_ascii_digit).collect();
    let temporary = path.with_extension(format!("{}-{unique}.tmp", std::process::id()));
    let mut file = Sha256::digest(bytes).to_vec();
    file.extend_from_slice(bytes);
    let written = std::fs::write(&temporary, file).and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Compiles the component, or reads the precompiled artifact from `cache_dir` when one
/// made by the same wasmtime, configuration and component is there.
fn compile(engine: &Engine, cache_dir: Option<&std::path::Path>) -> Result<Component, HostError> {
    let setup = |err: wasmtime::Error| HostError::Setup(format!("{err:#}"));
    let Some(dir) = cache_dir else {
        return Component::new(engine, COMPONENT).map_err(setup);
    };
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let key = format!(
        "careplan-{}-{:016x}-{}.cwasm",
        wasmtime_version(),
        hasher.finish(),
        COMPONENT_SHA256.get(..16).unwrap_or("")
    );
    let path = dir.join(key);
    if let Some(component) = read_cached(engine, &path) {
        return Ok(component);
    }
    let component = Component::new(engine, COMPONENT).map_err(setup)?;
    if let Ok(bytes) = component.serialize() {
        // The cache is an optimisation: failing to write it is not an error.
        let _ = write_cached(dir, &path, &bytes);
    }
    Ok(component)
}

fn wasmtime_version() -> &'static str {
    // Pinned in Cargo.toml; part of the cache key so an upgrade never reads old artifacts.
    "48"
}
