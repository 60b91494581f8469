//! Comparisons between values of different types. Rhai answers `false` when it compares
//! a date with text, a number with text or a date with nothing (`()`), so an author's
//! type slip (`day >= "2024-12-02"`, a parameter written `"80"`) would silently change a
//! decision. Here each such comparison fails the rule instead, at its place, saying what
//! was compared. `==` and `!=` with `()` stay allowed: they are how a rule asks whether a
//! field is recorded.

use rhai::{Engine, ImmutableString, Variant, FLOAT, INT};

use super::{fail, RhaiResult};
use crate::Date;

/// The comparison operators.
const OPERATORS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];

/// A type rules compare, with how a failure names it.
trait Named: Variant + Clone {
    const WORDS: &'static str;
}

impl Named for Date {
    const WORDS: &'static str = "a date";
}
impl Named for INT {
    const WORDS: &'static str = "a whole number";
}
impl Named for FLOAT {
    const WORDS: &'static str = "a number";
}
impl Named for ImmutableString {
    const WORDS: &'static str = "text";
}
impl Named for bool {
    const WORDS: &'static str = "true or false";
}
impl Named for () {
    const WORDS: &'static str = "nothing (a value that is not recorded)";
}

/// What to do instead, for the two types compared.
fn hint(a: &str, b: &str) -> &'static str {
    let pair = |x: &str, y: &str| (a == x && b == y) || (a == y && b == x);
    if pair(Date::WORDS, ImmutableString::WORDS) {
        "; turn the text into a date with `date(\"YYYY-MM-DD\")`, or compare two dates"
    } else if pair(INT::WORDS, ImmutableString::WORDS) || pair(FLOAT::WORDS, ImmutableString::WORDS) {
        "; a parameter or field that should be a number must be written without quotes, or read with `parse_int`"
    } else if a == <()>::WORDS || b == <()>::WORDS {
        "; check that the value is recorded first (`value != ()`)"
    } else {
        ""
    }
}

/// Registers `op(A, B)` as a rule failure.
fn refuse<A: Named, B: Named>(engine: &mut Engine, op: &'static str) {
    engine.register_fn(op, move |_: A, _: B| -> RhaiResult<bool> {
        fail(format!(
            "`{op}` compares {} with {}, which is never true; compare two values of one type{}",
            A::WORDS,
            B::WORDS,
            hint(A::WORDS, B::WORDS)
        ))
    });
}

/// Registers, for both orders of `A` and `B`, every comparison operator as a failure;
/// with `()` only the ordering ones (`<`, `<=`, `>`, `>=`).
fn refuse_pair<A: Named, B: Named>(engine: &mut Engine) {
    let unit = std::any::TypeId::of::<A>() == std::any::TypeId::of::<()>()
        || std::any::TypeId::of::<B>() == std::any::TypeId::of::<()>();
    for op in OPERATORS {
        if unit && (op == "==" || op == "!=") {
            continue;
        }
        refuse::<A, B>(engine, op);
        refuse::<B, A>(engine, op);
    }
}

/// Registers the comparisons of different types as failures. Numbers of the two kinds
/// (`INT` and `FLOAT`) still compare with each other, as Rhai compares them.
pub(super) fn register(engine: &mut Engine) {
    refuse_pair::<Date, ImmutableString>(engine);
    refuse_pair::<Date, INT>(engine);
    refuse_pair::<Date, FLOAT>(engine);
    refuse_pair::<Date, bool>(engine);
    refuse_pair::<Date, ()>(engine);
    refuse_pair::<ImmutableString, INT>(engine);
    refuse_pair::<ImmutableString, FLOAT>(engine);
    refuse_pair::<ImmutableString, bool>(engine);
    refuse_pair::<ImmutableString, ()>(engine);
    refuse_pair::<INT, bool>(engine);
    refuse_pair::<INT, ()>(engine);
    refuse_pair::<FLOAT, bool>(engine);
    refuse_pair::<FLOAT, ()>(engine);
}
