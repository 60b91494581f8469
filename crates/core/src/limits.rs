//! The limits every rule runs under: the one place where they are set.

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
    /// Rhai operations one rule may run for one case.
    pub max_operations: u64,
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
    /// Rules in a pack, its parents included.
    pub max_rules: usize,
    /// Size of one case's JSON, in bytes: checked before it is parsed.
    pub max_case_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 200_000,
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
        }
    }
}
