//! The shared logic as a GoRules JDM decision graph (`peers/bench.jdm.json`) on
//! zen-engine: input → `facts` (expression node) → `outcome` (expression node) → output.
//! Expression nodes only: no function (JavaScript) nodes, so no QuickJS at run time.
//!
//! The graph's input is `{"case": <case>, "as_of": "YYYY-MM-DD"}`; its result is
//! `{"outcome": <the outcome object>}`. The `outcome` node writes under that output path
//! because zen-engine merges a graph's result into an empty object as a JSON merge patch,
//! which drops top-level keys whose value is null (`"review": null`); below the top level
//! the value is kept as it is.
//!
//! zen-engine's evaluate is `async`. With expression nodes only it never waits on
//! anything, so [`Zen`] polls it once with a no-op waker (nothing to build per call) and
//! falls back to `pollster::block_on` only if a future version ever returns `Pending`.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use zen_engine::model::DecisionContent;
use zen_engine::{Decision, Variable};

/// The decision graph, compiled into the binary.
pub const GRAPH: &str = include_str!("../../peers/bench.jdm.json");

/// zen-engine with `peers/bench.jdm.json` loaded and its expressions precompiled.
pub struct Zen {
    decision: Decision,
}

impl Zen {
    /// Loads the graph and compiles its expressions once (zen-engine's `Decision::compile`).
    pub fn new() -> Result<Zen, String> {
        let content: DecisionContent =
            serde_json::from_str(GRAPH).map_err(|err| format!("zen: reading bench.jdm.json: {err}"))?;
        let graph = match content {
            DecisionContent::Graph(graph) => graph,
            DecisionContent::Policy(_) => return Err("zen: bench.jdm.json is a policy, not a graph".to_string()),
        };
        let mut decision = Decision::from(graph);
        decision.compile();
        decision
            .validate()
            .map_err(|err| format!("zen: bench.jdm.json is not a valid graph: {err}"))?;
        Ok(Zen { decision })
    }

    /// Parses the case, evaluates it as of `as_of` (`YYYY-MM-DD`) and returns the outcome
    /// as compact JSON.
    pub fn evaluate_json(&self, case_json: &str, as_of: &str) -> Result<String, String> {
        let input = Zen::prepare(case_json, as_of)?;
        self.evaluate_prepared(&input)
    }

    /// The graph's input for a case: `{"case": <case>, "as_of": as_of}` as a zen variable.
    pub fn prepare(case_json: &str, as_of: &str) -> Result<Variable, String> {
        let case: Variable = serde_json::from_str(case_json).map_err(|err| format!("zen: reading the case: {err}"))?;
        let input = Variable::empty_object();
        // `dot_insert` returns the value it replaced: nothing, in a new object.
        input.dot_insert("case", case);
        input.dot_insert("as_of", Variable::String(as_of.into()));
        Ok(input)
    }

    /// Evaluates the graph for a prepared input and returns the outcome as compact JSON.
    /// The input is passed by (reference-counted) handle, not copied; the graph only reads it.
    pub fn evaluate_prepared(&self, input: &Variable) -> Result<String, String> {
        let response = run(self.decision.evaluate(input.clone())).map_err(|err| format!("zen: evaluating: {err}"))?;
        let outcome = response
            .result
            .dot("outcome")
            .ok_or_else(|| "zen: the graph's result has no outcome".to_string())?;
        serde_json::to_string(&outcome).map_err(|err| format!("zen: writing the outcome: {err}"))
    }
}

/// Drives a future that is expected to finish on its first poll.
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => pollster::block_on(future),
    }
}
