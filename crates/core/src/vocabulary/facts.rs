//! `facts`: the named values a pack declares in its `facts.rhai`, each computed at most
//! once per evaluation, however many rules read it.
//!
//! A fact is a function of `facts.rhai` whose parameters are named after the rules'
//! inputs (`record`, `today`, `params`, `facts`, any of them, in any order). A rule reads
//! it as `facts.<name>`: the first read runs the function, under the work budget of the
//! rule that reads it, and keeps the value for the rest of the evaluation; later reads,
//! by that rule or any other, copy the value (and, like any read, are charged its size).
//! Rules run in a fixed order, so which rule
//! pays for a fact is the same on every run. A fact whose function fails keeps nothing:
//! each rule that reads it fails with the same error, and the rules that do not read it
//! are untouched. A fact that reads itself, directly or through other facts, is an error
//! at the read, not an endless loop.

use std::sync::{Arc, Mutex};

use rhai::{CallFnOptions, Dynamic, Engine, EvalAltResult, NativeCallContext, Position, Scope, AST};

use crate::Date;

/// What a fact's function takes, by the name of its parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    Record,
    Today,
    Params,
    Facts,
}

impl Input {
    /// The input a parameter named `name` takes, if it names one.
    pub(crate) fn named(name: &str) -> Option<Input> {
        match name {
            "record" => Some(Input::Record),
            "today" => Some(Input::Today),
            "params" => Some(Input::Params),
            "facts" => Some(Input::Facts),
            _ => None,
        }
    }
}

/// One fact of a pack: its name (the function's) and what its function takes.
#[derive(Debug, Clone)]
pub(crate) struct FactDef {
    pub name: String,
    pub inputs: Vec<Input>,
}

/// A fact's state in one evaluation.
#[derive(Clone)]
enum Slot {
    Unread,
    /// Its function is running: a read now is a fact reading itself.
    Running,
    Known(Dynamic),
}

/// The `facts` value of one evaluation: shared by every rule (Rhai copies the handle, not
/// the values).
#[derive(Clone)]
pub(crate) struct Facts(Arc<State>);

struct State {
    /// The pack's facts, sorted by name.
    defs: Arc<[FactDef]>,
    /// Where facts' functions run: every library and fact of every layer, as the
    /// pack's last layer sees them (so a local pack's fact serves its parents' rules).
    ast: Arc<AST>,
    record: Dynamic,
    today: Date,
    params: Dynamic,
    /// The pack's `max_value_depth`: a read charges the size of the value Rhai copies.
    max_depth: usize,
    slots: Mutex<Vec<Slot>>,
}

impl Facts {
    /// The facts of one evaluation of a case whose record is `record`, as of `today`,
    /// with `params`; `defs` sorted by name.
    pub(crate) fn new(
        defs: Arc<[FactDef]>,
        ast: Arc<AST>,
        (record, today, params): (Dynamic, Date, Dynamic),
        max_depth: usize,
    ) -> Facts {
        let slots = Mutex::new(vec![Slot::Unread; defs.len()]);
        Facts(Arc::new(State {
            defs,
            ast,
            record,
            today,
            params,
            max_depth,
            slots,
        }))
    }

    fn slot(&self, index: usize) -> Option<Slot> {
        let slots = self.0.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.get(index).cloned()
    }

    fn set(&self, index: usize, slot: Slot) {
        let mut slots = self.0.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(old) = slots.get_mut(index) {
            *old = slot;
        }
    }

    /// The fact `name`: kept, or computed now by its function, within what is left of
    /// the reading rule's work budget.
    fn get(&self, context: &NativeCallContext, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let state = &self.0;
        let Ok(index) = state.defs.binary_search_by(|def| def.name.as_str().cmp(name)) else {
            let known: Vec<&str> = state.defs.iter().map(|def| def.name.as_str()).collect();
            let help = crate::diagnostics::suggest::did_you_mean_help(name, known.iter().copied())
                .map_or_else(String::new, |help| format!("; {help}"));
            return Err(runtime(format!("the pack has no fact `{name}`{help}")));
        };
        match self.slot(index) {
            // Rhai gets a copy of the value: a list or map costs its size, every read.
            Some(Slot::Known(value)) => {
                crate::sandbox::meter::charge_value(&value, state.max_depth)?;
                return Ok(value);
            }
            Some(Slot::Running) => {
                return Err(runtime(format!(
                    "fact `{name}` reads itself (through `facts.{name}`) before it has a value"
                )))
            }
            Some(Slot::Unread) | None => {}
        }
        let Some(def) = state.defs.get(index) else {
            return Err(runtime(format!("the pack has no fact `{name}`")));
        };
        let args: Vec<Dynamic> = def
            .inputs
            .iter()
            .map(|input| match input {
                Input::Record => state.record.clone(),
                Input::Today => Dynamic::from(state.today),
                Input::Params => state.params.clone(),
                Input::Facts => Dynamic::from(self.clone()),
            })
            .collect();
        self.set(index, Slot::Running);
        let run = crate::sandbox::meter::Run::start(crate::sandbox::meter::left());
        let options = CallFnOptions::new().eval_ast(false);
        let result = context.engine().call_fn_with_options::<Dynamic>(
            options,
            &mut Scope::new(),
            &state.ast,
            def.name.as_str(),
            args,
        );
        let used = run.used();
        drop(run);
        match result {
            Ok(value) => {
                crate::sandbox::meter::charge(used)?;
                self.set(index, Slot::Known(value.clone()));
                crate::sandbox::meter::charge_value(&value, state.max_depth)?;
                Ok(value)
            }
            Err(err) => {
                self.set(index, Slot::Unread);
                let _ = crate::sandbox::meter::charge(used);
                // Named as a call at the read, so the failure says which fact, and where
                // the rule read it.
                Err(Box::new(EvalAltResult::ErrorInFunctionCall(
                    def.name.clone(),
                    String::new(),
                    err,
                    context.call_position(),
                )))
            }
        }
    }
}

fn runtime(message: String) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into(), Position::NONE))
}

/// Registers the `facts` type: `facts.<name>` and `facts["<name>"]` read a fact.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Facts>("facts");
    engine.register_indexer_get(|context: NativeCallContext, facts: &mut Facts, name: &str| facts.get(&context, name));
}
