//! The shared logic in Rego (`peers/bench.rego`) on regorus: [`Rego`] evaluates the rule
//! with regorus's tree-walking interpreter, [`RegoRvm`] compiles the policy once to an RVM
//! program and runs that in regorus's Rego virtual machine.
//!
//! The policy's input is `{"case": <case>, "as_of": "YYYY-MM-DD"}`; its result is the rule
//! `data.bench.outcome`.

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::RegoVM;
use regorus::{Engine, Value};

/// The policy source, compiled into the binary.
pub const POLICY: &str = include_str!("../../peers/bench.rego");

/// The rule that holds the outcome.
pub const RULE: &str = "data.bench.outcome";

/// regorus's interpreter with `peers/bench.rego` loaded.
pub struct Rego {
    engine: Engine,
}

impl Rego {
    /// Loads and parses the policy.
    pub fn new() -> Result<Rego, String> {
        let mut engine = Engine::new();
        engine
            .add_policy("bench.rego".to_string(), POLICY.to_string())
            .map_err(|err| format!("regorus: loading bench.rego: {err}"))?;
        Ok(Rego { engine })
    }

    /// Parses the case, evaluates it as of `as_of` (`YYYY-MM-DD`) and returns the outcome
    /// as compact JSON.
    pub fn evaluate_json(&mut self, case_json: &str, as_of: &str) -> Result<String, String> {
        let input = Rego::prepare(case_json, as_of)?;
        self.evaluate_prepared(&input)
    }

    /// The policy's input for a case: `{"case": <case>, "as_of": as_of}` as a regorus value.
    pub fn prepare(case_json: &str, as_of: &str) -> Result<Value, String> {
        let case = Value::from_json_str(case_json).map_err(|err| format!("regorus: reading the case: {err}"))?;
        let mut input = Value::new_object();
        let object = input
            .as_object_mut()
            .map_err(|err| format!("regorus: building the input: {err}"))?;
        object.insert(Value::from("case"), case);
        object.insert(Value::from("as_of"), Value::from(as_of));
        Ok(input)
    }

    /// Evaluates `data.bench.outcome` for a prepared input and returns it as compact JSON.
    pub fn evaluate_prepared(&mut self, input: &Value) -> Result<String, String> {
        self.engine.set_input(input.clone());
        let outcome = self
            .engine
            .eval_rule(RULE.to_string())
            .map_err(|err| format!("regorus: evaluating {RULE}: {err}"))?;
        to_json(outcome)
    }
}

/// The same policy compiled once (regorus's `rvm` feature: policy → `CompiledPolicy` →
/// RVM `Program`) and run in a reused `RegoVM`, which resets its state on every execution.
pub struct RegoRvm {
    vm: RegoVM,
}

impl RegoRvm {
    /// Loads the policy, compiles it with `data.bench.outcome` as the entry point and loads
    /// the program into a virtual machine.
    pub fn new() -> Result<RegoRvm, String> {
        let mut engine = Engine::new();
        engine
            .add_policy("bench.rego".to_string(), POLICY.to_string())
            .map_err(|err| format!("regorus: loading bench.rego: {err}"))?;
        let compiled = engine
            .compile_with_entrypoint(&regorus::Rc::from(RULE))
            .map_err(|err| format!("regorus: compiling {RULE}: {err}"))?;
        let program = Compiler::compile_from_policy(&compiled, &[RULE])
            .map_err(|err| format!("regorus: compiling {RULE} for the RVM: {err}"))?;
        let mut vm = RegoVM::new();
        vm.load_program(program);
        Ok(RegoRvm { vm })
    }

    /// Parses the case, evaluates it as of `as_of` (`YYYY-MM-DD`) and returns the outcome
    /// as compact JSON.
    pub fn evaluate_json(&mut self, case_json: &str, as_of: &str) -> Result<String, String> {
        let input = RegoRvm::prepare(case_json, as_of)?;
        self.evaluate_prepared(&input)
    }

    /// The policy's input for a case; the same as [`Rego::prepare`].
    pub fn prepare(case_json: &str, as_of: &str) -> Result<Value, String> {
        Rego::prepare(case_json, as_of)
    }

    /// Runs the program's `data.bench.outcome` entry point for a prepared input and returns
    /// the outcome as compact JSON.
    pub fn evaluate_prepared(&mut self, input: &Value) -> Result<String, String> {
        self.vm.set_input(input.clone());
        let outcome = self
            .vm
            .execute_entry_point_by_name(RULE)
            .map_err(|err| format!("regorus RVM: evaluating {RULE}: {err}"))?;
        to_json(outcome)
    }
}

fn to_json(outcome: Value) -> Result<String, String> {
    if outcome == Value::Undefined {
        return Err(format!("regorus: {RULE} is undefined"));
    }
    serde_json::to_string(&outcome).map_err(|err| format!("regorus: writing the outcome: {err}"))
}
