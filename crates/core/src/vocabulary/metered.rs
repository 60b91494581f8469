//! Rhai's list, map and text functions whose work grows with their input, metered.
//!
//! Each function here is Rhai's own, reached through a second engine that has Rhai's
//! packages and the vocabulary but not this module: the rule's engine finds the
//! metered version first (its module is searched before the packages), which measures
//! the arguments, charges their size to the run's work budget
//! ([`crate::sandbox::meter`]) and refuses values nested deeper than
//! `max_value_depth`, all before any work is done, and then calls the original. So a
//! `contains` over 10,000 items costs 10,000 units, not one operation, and behaves
//! exactly as Rhai's does. `replace` also checks the size of its result before it is
//! built.

use std::any::TypeId;
use std::ops::{Range, RangeInclusive};
use std::sync::Arc;

use rhai::{
    Array, Dynamic, Engine, EvalAltResult, FnPtr, FuncRegistration, ImmutableString, Map, Module, NativeCallContext,
    Position, RhaiFunc, Shared, INT,
};

use crate::sandbox::meter;
use crate::Limits;

/// The argument types the metered functions take.
#[derive(Clone, Copy)]
enum T {
    /// A list.
    A,
    /// Text.
    S,
    /// A character.
    C,
    /// A whole number.
    I,
    /// Any value.
    D,
    /// A function pointer.
    P,
    /// A map.
    M,
    /// `a..b`.
    R,
    /// `a..=b`.
    Ri,
}

impl T {
    fn id(self) -> TypeId {
        match self {
            T::A => TypeId::of::<Array>(),
            T::S => TypeId::of::<ImmutableString>(),
            T::C => TypeId::of::<char>(),
            T::I => TypeId::of::<INT>(),
            T::D => TypeId::of::<Dynamic>(),
            T::P => TypeId::of::<FnPtr>(),
            T::M => TypeId::of::<Map>(),
            T::R => TypeId::of::<Range<INT>>(),
            T::Ri => TypeId::of::<RangeInclusive<INT>>(),
        }
    }
}

use T::{Ri, A, C, D, I, M, P, R, S};

/// `(name, argument types, pure)`: every overload of Rhai's standard functions whose
/// cost grows with its input, with Rhai's purity (a pure function may be called on a
/// constant; one that is not changes its first argument).
#[rustfmt::skip]
const METERED: &[(&str, &[T], bool)] = &[
    // Lists.
    ("contains", &[A, D], true),
    ("index_of", &[A, D], true), ("index_of", &[A, D, I], true),
    ("index_of", &[A, P], true), ("index_of", &[A, P, I], true),
    ("==", &[A, A], true), ("!=", &[A, A], true),
    ("+", &[A, A], true), ("+=", &[A, A], false), ("append", &[A, A], false),
    ("push", &[A, D], false), ("insert", &[A, I, D], false), ("pad", &[A, I, D], false),
    ("shift", &[A], false), ("remove", &[A, I], false), ("reverse", &[A], false),
    ("truncate", &[A, I], false), ("chop", &[A, I], false), ("clear", &[A], false),
    ("splice", &[A, I, I, A], false), ("splice", &[A, R, A], false), ("splice", &[A, Ri, A], false),
    ("extract", &[A, I], false), ("extract", &[A, I, I], false), ("extract", &[A, R], false), ("extract", &[A, Ri], false),
    ("split", &[A, I], false),
    ("drain", &[A, P], false), ("drain", &[A, I, I], false), ("drain", &[A, R], false), ("drain", &[A, Ri], false),
    ("retain", &[A, P], false), ("retain", &[A, I, I], false), ("retain", &[A, R], false), ("retain", &[A, Ri], false),
    ("for_each", &[A, P], false), ("map", &[A, P], true), ("filter", &[A, P], true),
    ("find", &[A, P], true), ("find", &[A, P, I], true), ("find_map", &[A, P], true), ("find_map", &[A, P, I], true),
    ("some", &[A, P], true), ("all", &[A, P], true),
    ("reduce", &[A, P], true), ("reduce", &[A, P, D], true), ("reduce_rev", &[A, P], true), ("reduce_rev", &[A, P, D], true),
    ("zip", &[A, A, P], true),
    ("dedup", &[A], false), ("dedup", &[A, P], false),
    ("sort", &[A], false), ("sort", &[A, P], false), ("sort_by", &[A, P], false), ("sort_desc", &[A], false),
    ("order", &[A], false), ("order", &[A, P], false), ("order_by", &[A, P], false), ("order_desc", &[A], false),
    // Maps.
    ("==", &[M, M], true), ("!=", &[M, M], true),
    ("+", &[M, M], true), ("+=", &[M, M], false), ("mixin", &[M, M], false), ("fill_with", &[M, M], false),
    ("keys", &[M], true), ("values", &[M], true),
    // Text.
    ("len", &[S], true), ("to_chars", &[S], true),
    ("contains", &[S, S], true), ("contains", &[S, C], true),
    ("index_of", &[S, S], true), ("index_of", &[S, S, I], true), ("index_of", &[S, C], true), ("index_of", &[S, C, I], true),
    ("replace", &[S, S, S], false), ("replace", &[S, S, C], false), ("replace", &[S, C, S], false), ("replace", &[S, C, C], false),
    ("split", &[S], true), ("split", &[S, I], true), ("split", &[S, S], true), ("split", &[S, S, I], true),
    ("split", &[S, C], true), ("split", &[S, C, I], true),
    ("split_rev", &[S, S], true), ("split_rev", &[S, S, I], true), ("split_rev", &[S, C], true), ("split_rev", &[S, C, I], true),
    ("pad", &[S, I, C], false), ("pad", &[S, I, S], false),
    ("sub_string", &[S, I], true), ("sub_string", &[S, I, I], true), ("sub_string", &[S, R], true), ("sub_string", &[S, Ri], true),
    ("crop", &[S, I], false), ("crop", &[S, I, I], false), ("crop", &[S, R], false), ("crop", &[S, Ri], false),
    ("to_upper", &[S], true), ("to_lower", &[S], true), ("make_upper", &[S], false), ("make_lower", &[S], false),
    ("trim", &[S], false), ("remove", &[S, S], false),
    ("+", &[S, S], true), ("+", &[S, C], true), ("+", &[C, S], true), ("+", &[S, D], true), ("+", &[D, S], true),
    ("+=", &[S, S], false), ("+=", &[S, C], false), ("+=", &[S, D], false), ("append", &[S, D], false),
    // Any value turned into text.
    ("to_string", &[D], true), ("to_debug", &[D], true), ("to_json", &[M], true),
];

fn too_large(what: &str) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorDataTooLarge(what.to_owned(), Position::NONE))
}

/// The text of a text or character argument.
fn text_of(value: &Dynamic) -> Option<String> {
    if let Some(text) = value.read_lock::<ImmutableString>() {
        return Some(text.as_str().to_owned());
    }
    value.as_char().ok().map(String::from)
}

/// Refuses a `replace` whose result would be longer than `max` bytes, before it is built.
fn check_replace(args: &[&mut Dynamic], max: usize) -> Result<(), Box<EvalAltResult>> {
    let (Some(text), Some(find), Some(with)) = (
        args.first()
            .and_then(|a| a.read_lock::<ImmutableString>().map(|s| s.clone())),
        args.get(1).and_then(|a| text_of(a)),
        args.get(2).and_then(|a| text_of(a)),
    ) else {
        return Ok(());
    };
    if text.is_empty() || with.len() <= find.len() {
        return Ok(());
    }
    let count = text.matches(find.as_str()).count();
    let grown = count.saturating_mul(with.len() - find.len());
    if text.len().saturating_add(grown) > max {
        return Err(too_large("Length of string"));
    }
    Ok(())
}

/// Registers the metered functions on `engine`; `inner` is an engine with the same
/// limits, Rhai's packages and the vocabulary, whose functions they call.
pub(crate) fn register(engine: &mut Engine, inner: Engine, limits: &Limits) {
    let inner = Arc::new(inner);
    let max_depth = limits.max_value_depth;
    let max_string = limits.max_string_size;
    let mut module = Module::new();
    for &(name, types, is_pure) in METERED {
        let inner = Arc::clone(&inner);
        let is_replace = name == "replace";
        let func =
            move |ctx: Option<NativeCallContext>, args: &mut [&mut Dynamic]| -> Result<Dynamic, Box<EvalAltResult>> {
                for arg in args.iter() {
                    meter::charge_value(arg, max_depth)?;
                }
                if is_replace {
                    check_replace(args, max_string)?;
                }
                // The one way to call into another engine without `no_module` off: a stored
                // context (marked volatile by Rhai, not deprecated).
                #[allow(deprecated, reason = "NativeCallContextStore is volatile, not deprecated")]
                let store = rhai::NativeCallContextStore {
                    fn_name: name.to_owned(),
                    source: None,
                    global: inner.new_global_runtime_state(),
                    pos: ctx.as_ref().map_or(Position::NONE, NativeCallContext::call_position),
                };
                #[allow(deprecated, reason = "NativeCallContextStore is volatile, not deprecated")]
                let call = store.create_context(&inner);
                call.call_native_fn_raw(name, true, args)
            };
        let ids: Vec<TypeId> = types.iter().map(|t| t.id()).collect();
        FuncRegistration::new(name).in_global_namespace().set_into_module_raw(
            &mut module,
            ids,
            RhaiFunc::Method {
                func: Shared::new(func),
                has_context: true,
                is_pure,
                is_volatile: false,
            },
        );
    }
    module.build_index();
    engine.register_global_module(module.into());
    register_text_comparisons(engine);
}

/// Comparisons of two texts, the commonest metered call in rules: charged as the
/// metered functions charge their arguments, then compared here (byte-wise, as Rhai
/// does) rather than through the second engine, which would cost a call context and a
/// function lookup on every comparison.
fn register_text_comparisons(engine: &mut Engine) {
    fn compare(op: &'static str) -> impl Fn(ImmutableString, ImmutableString) -> Result<bool, Box<EvalAltResult>> {
        move |a, b| {
            meter::charge(2 + meter::text_units(a.len()) + meter::text_units(b.len()))?;
            let (a, b) = (a.as_str(), b.as_str());
            Ok(match op {
                "==" => a == b,
                "!=" => a != b,
                "<" => a < b,
                "<=" => a <= b,
                ">" => a > b,
                _ => a >= b,
            })
        }
    }
    for op in ["==", "!=", "<", "<=", ">", ">="] {
        engine.register_fn(op, compare(op));
    }
}
