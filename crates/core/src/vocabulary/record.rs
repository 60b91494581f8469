//! Turns a case into the read-only `record` value that rules see.
//!
//! A small serde serializer that builds Rhai values directly: structs become
//! [`Record`]s with *every* field present (absent optional fields are `()`), enums
//! become their snake_case names, and careplan dates become the rules' `Date` type
//! rather than strings. Because every field is present, reading a field that is not
//! there (a misspelt name held in a variable) is an error instead of a silent `()`.
//!
//! A [`Record`] is shared, not copied: Rhai passes arguments by value and deep-copies
//! object maps, so `is_alive(record, today)` on a map would copy the whole case on
//! every call. Passing a `Record` copies a pointer.

use std::fmt;
use std::sync::Arc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, Position, FLOAT, INT};
use serde::ser::{self, Impossible, Serialize};

use crate::Date;

/// How deep the size of a case's list is measured: deeper than any case is nested
/// (case JSON nested deeper is refused before it becomes a record).
const CASE_DEPTH: usize = 128;

/// An object of the case (the case itself, the person, an assessment...) as rules see
/// it: read-only fields, shared between every copy. Rhai's `type_of` calls it `record`.
#[derive(Debug, Clone)]
pub(crate) struct Record(Arc<Fields>);

/// A record's fields. An object of the case schema is a flat list in declaration order,
/// with the schema's `&'static str` names, searched from the start (it has a dozen fields
/// or so): building one allocates nothing per field, where a map allocated a node and
/// copied every name, on every evaluation. A map of the case (`local`, ratings), which
/// may be large, stays a map.
#[derive(Debug, Clone)]
pub(crate) enum Fields {
    Object(Vec<(&'static str, Dynamic)>),
    Map(Map),
}

impl Record {
    /// A record of `map`'s entries.
    pub(crate) fn from_map(map: Map) -> Record {
        Record(Arc::new(Fields::Map(map)))
    }

    /// The field `name`, if the record has it.
    pub(crate) fn get(&self, name: &str) -> Option<&Dynamic> {
        match &*self.0 {
            Fields::Object(fields) => fields.iter().find(|(key, _)| *key == name).map(|(_, value)| value),
            Fields::Map(map) => map.get(name),
        }
    }

    /// The field `name`, or the error a rule gets for a field that is not there.
    ///
    /// Rhai gets a copy of what a getter returns. A record or a text is shared, so
    /// copying it costs nothing; a list is copied item by item, so reading one charges
    /// the work budget its size (`for e in record.events` once, every time in a loop).
    fn field(&self, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let value = self
            .get(name)
            .ok_or_else(|| EvalAltResult::ErrorPropertyNotFound(name.to_owned(), Position::NONE))?;
        if value.is_array() {
            crate::sandbox::meter::charge(crate::sandbox::meter::measure(value, CASE_DEPTH).0)?;
        }
        Ok(value.clone())
    }

    /// Adds or replaces a field before the record is shown to rules.
    pub(crate) fn insert(&mut self, name: &'static str, value: Dynamic) {
        match Arc::make_mut(&mut self.0) {
            Fields::Object(fields) => match fields.iter_mut().find(|(key, _)| *key == name) {
                Some((_, old)) => *old = value,
                None => fields.push((name, value)),
            },
            Fields::Map(map) => {
                map.insert(name.into(), value);
            }
        }
    }
}

/// Registers [`Record`] with `engine`: a getter per field name in `fields` (every name
/// the case schema and the pack's local fields use, so a read is one lookup), and an
/// indexer for `ratings[name]`, which fails for a name the record does not have, as
/// does a property with no getter. There are no setters: a write fails (and is reported as "`record` cannot be
/// changed"), and, with no setter, Rhai never tries to write a value back after a
/// method call on a field.
pub(crate) fn register(engine: &mut Engine, fields: &[String]) {
    engine.register_type_with_name::<Record>("record");
    engine.register_indexer_get(|record: &mut Record, name: &str| record.field(name));
    for name in fields {
        let key = name.clone();
        engine.register_get(name, move |record: &mut Record| record.field(&key));
    }
}

/// Why a value could not become a Rhai value.
#[derive(Debug)]
pub(crate) struct RecordError(pub String);

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RecordError {}

impl ser::Error for RecordError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        RecordError(msg.to_string())
    }
}

/// Serializes any value into a Rhai [`Dynamic`].
pub(crate) fn to_dynamic<T: Serialize + ?Sized>(value: &T) -> Result<Dynamic, RecordError> {
    value.serialize(DynamicSerializer)
}

struct DynamicSerializer;

fn int<T: TryInto<INT> + fmt::Display + Copy>(v: T) -> Result<Dynamic, RecordError> {
    v.try_into()
        .map(Dynamic::from_int)
        .map_err(|_| RecordError(format!("number `{v}` is too large")))
}

impl ser::Serializer for DynamicSerializer {
    type Ok = Dynamic;
    type Error = RecordError;
    type SerializeSeq = SeqSerializer;
    type SerializeTuple = SeqSerializer;
    type SerializeTupleStruct = SeqSerializer;
    type SerializeTupleVariant = Impossible<Dynamic, RecordError>;
    type SerializeMap = MapSerializer;
    type SerializeStruct = MapSerializer;
    type SerializeStructVariant = Impossible<Dynamic, RecordError>;

    /// Not human-readable, so that dates come as numbers (see `Date`'s `Serialize`).
    fn is_human_readable(&self) -> bool {
        false
    }
    fn serialize_bool(self, v: bool) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::from_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Dynamic, RecordError> {
        int(v)
    }
    fn serialize_i16(self, v: i16) -> Result<Dynamic, RecordError> {
        int(v)
    }
    fn serialize_i32(self, v: i32) -> Result<Dynamic, RecordError> {
        int(v)
    }
    fn serialize_i64(self, v: i64) -> Result<Dynamic, RecordError> {
        int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Dynamic, RecordError> {
        int(v)
    }
    fn serialize_u16(self, v: u16) -> Result<Dynamic, RecordError> {
        int(v)
    }
    fn serialize_u32(self, v: u32) -> Result<Dynamic, RecordError> {
        int(v)
    }
    fn serialize_u64(self, v: u64) -> Result<Dynamic, RecordError> {
        int(v)
    }
    fn serialize_f32(self, v: f32) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::from_float(FLOAT::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::from_float(v))
    }
    fn serialize_char(self, v: char) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::from(ImmutableString::from(v.to_string())))
    }
    fn serialize_str(self, v: &str) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::from(ImmutableString::from(v)))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Dynamic, RecordError> {
        Err(RecordError("raw bytes have no place in a case".into()))
    }
    fn serialize_none(self) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::UNIT)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Dynamic, RecordError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::UNIT)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::UNIT)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::from(ImmutableString::from(variant)))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Dynamic, RecordError> {
        let inner = value.serialize(DynamicSerializer)?;
        if name != crate::calendar::date::SERDE_NAME {
            return Ok(inner);
        }
        inner
            .as_int()
            .ok()
            .and_then(Date::unpacked)
            .map(Dynamic::from)
            .ok_or_else(|| RecordError("a date that is not a date".into()))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Dynamic, RecordError> {
        let mut map = Map::new();
        map.insert(variant.into(), value.serialize(DynamicSerializer)?);
        Ok(Dynamic::from_map(map))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSerializer, RecordError> {
        Ok(SeqSerializer(Array::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSerializer, RecordError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqSerializer, RecordError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, RecordError> {
        Err(RecordError(format!("`{name}` cannot be shown to rules")))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapSerializer, RecordError> {
        Ok(MapSerializer {
            object: Vec::new(),
            map: Map::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<MapSerializer, RecordError> {
        Ok(MapSerializer {
            object: Vec::with_capacity(len),
            map: Map::new(),
            key: None,
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, RecordError> {
        Err(RecordError(format!("`{name}` cannot be shown to rules")))
    }
}

pub(crate) struct SeqSerializer(Array);

impl ser::SerializeSeq for SeqSerializer {
    type Ok = Dynamic;
    type Error = RecordError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RecordError> {
        self.0.push(value.serialize(DynamicSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::from_array(self.0))
    }
}

impl ser::SerializeTuple for SeqSerializer {
    type Ok = Dynamic;
    type Error = RecordError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RecordError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Dynamic, RecordError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqSerializer {
    type Ok = Dynamic;
    type Error = RecordError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RecordError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Dynamic, RecordError> {
        ser::SerializeSeq::end(self)
    }
}

pub(crate) struct MapSerializer {
    object: Vec<(&'static str, Dynamic)>,
    map: Map,
    key: Option<String>,
}

impl ser::SerializeMap for MapSerializer {
    type Ok = Dynamic;
    type Error = RecordError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), RecordError> {
        let key = key.serialize(DynamicSerializer)?;
        let key = key
            .into_immutable_string()
            .map_err(|kind| RecordError(format!("a map key must be text, not {kind}")))?;
        self.key = Some(key.to_string());
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), RecordError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| RecordError("a map value came without a key".into()))?;
        self.map.insert(key.into(), value.serialize(DynamicSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::from(Record::from_map(self.map)))
    }
}

impl ser::SerializeStruct for MapSerializer {
    type Ok = Dynamic;
    type Error = RecordError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), RecordError> {
        self.object.push((key, value.serialize(DynamicSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Dynamic, RecordError> {
        Ok(Dynamic::from(Record(Arc::new(Fields::Object(self.object)))))
    }
}
