//! The limits every rule runs under: the one place where they are set.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Bounds on what a rule may do. Rhai's own defaults are unlimited (and differ between
/// debug and release builds), so careplan sets every limit explicitly from here.
///
/// The defaults suit the national pack with room to spare; a host may tighten or loosen
/// any of them. Operation, size and variable limits apply to one rule evaluating one
/// case; `max_findings` applies to a whole evaluation; the source and rule counts apply
/// when a pack loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Work one rule may do for one case: Rhai's operations plus what the functions
    /// whose work grows with their input charge (one unit per list item or map entry
    /// they touch, one per 32 bytes of text) and the sizes of the values variables are
    /// read for (the work budget, `sandbox/meter.rs`).
    pub max_operations: u64,
    /// The same work, for all of one evaluation's rules together.
    pub max_evaluation_operations: u64,
    /// Depth of nested function calls.
    pub max_call_depth: usize,
    /// Depth of nested expressions at a rule's top level.
    pub max_expression_depth: usize,
    /// Depth of nested expressions inside functions.
    pub max_function_expression_depth: usize,
    /// Length of any string, in bytes.
    pub max_string_size: usize,
    /// Items in any list.
    pub max_array_size: usize,
    /// Properties in any map.
    pub max_map_size: usize,
    /// Variables alive at once.
    pub max_variables: usize,
    /// Functions one rule file (with the pack's libraries) may define.
    pub max_functions: usize,
    /// Findings (decisions, reviews, escalations, recommendations) in one evaluation.
    pub max_findings: usize,
    /// Size of one rule source file, in bytes.
    pub max_source_size: usize,
    /// Rule files in a pack, its parents included (an override counts: each file is
    /// compiled). Counted before any is compiled.
    pub max_rules: usize,
    /// Size of one case's JSON, in bytes: checked before it is parsed.
    pub max_case_size: usize,
    /// Size of one pack's `pack.toml`, in bytes: checked before it is read or parsed.
    pub max_manifest_size: usize,
    /// Layers of a pack: the pack itself and every pack it extends, directly or not.
    pub max_layers: usize,
    /// Length of any one message an evaluation carries (a finding's reason, a
    /// failure's message), in bytes. Longer messages are cut, with a note saying so.
    pub max_message_size: usize,
    /// Size of all of one evaluation's findings, in bytes of JSON, counted as each is
    /// made.
    pub max_output_size: usize,
    /// Depth of lists and maps nested in one another in a value a rule builds.
    pub max_value_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 200_000,
            max_evaluation_operations: 2_000_000,
            max_call_depth: 24,
            max_expression_depth: 64,
            max_function_expression_depth: 48,
            max_string_size: 64 * 1024,
            max_array_size: 10_000,
            max_map_size: 1_000,
            max_variables: 256,
            max_functions: 256,
            max_findings: 1_000,
            max_source_size: 256 * 1024,
            max_rules: 5_000,
            max_case_size: 1 << 20,
            max_manifest_size: 64 * 1024,
            max_layers: 8,
            max_message_size: 4 * 1024,
            max_output_size: 4 << 20,
            max_value_depth: 32,
        }
    }
}

/// A limit that a rule ran into. Every limit is set in [`crate::Limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// Work one rule may do for one case.
    Operations,
    /// Work all of an evaluation's rules may do together.
    EvaluationOperations,
    /// Depth of nested function calls.
    CallDepth,
    /// Depth of nested expressions (checked when the pack loads).
    ExpressionDepth,
    /// Length of a string in bytes.
    StringSize,
    /// Number of items in a list.
    ArraySize,
    /// Number of properties in a map.
    MapSize,
    /// Number of variables alive at once.
    Variables,
    /// Number of findings one evaluation may produce.
    Findings,
    /// Size of a rule source file in bytes (checked when the pack loads).
    SourceSize,
    /// Number of rules in a pack, parents included (checked when the pack loads).
    Rules,
    /// Size of a pack's manifest in bytes (checked when the pack is read and loads).
    ManifestSize,
    /// Number of layers of a pack (checked when the pack loads).
    Layers,
    /// Size of an evaluation's findings in bytes of JSON.
    OutputSize,
    /// Depth of lists and maps nested in a value.
    ValueDepth,
}

impl Limit {
    /// The limit's name as used in errors: the `max_<name>` field of [`crate::Limits`].
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::Operations => "operations",
            Limit::EvaluationOperations => "evaluation_operations",
            Limit::CallDepth => "call_depth",
            Limit::ExpressionDepth => "expression_depth",
            Limit::StringSize => "string_size",
            Limit::ArraySize => "array_size",
            Limit::MapSize => "map_size",
            Limit::Variables => "variables",
            Limit::Findings => "findings",
            Limit::SourceSize => "source_size",
            Limit::Rules => "rules",
            Limit::ManifestSize => "manifest_size",
            Limit::Layers => "layers",
            Limit::OutputSize => "output_size",
            Limit::ValueDepth => "value_depth",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
