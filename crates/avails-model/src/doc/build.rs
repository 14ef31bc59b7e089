//! Filling a [`Doc`] from any `Serialize` value, as `serde_json::to_value`
//! would build it.
//!
//! Each value maps as in `serde_json`'s `Value` serializer: unit and `None`
//! are null, a unit variant is its name, a newtype variant `{name: value}`,
//! a non-finite float null. What this cannot give exactly as `Value` would
//! is an error, and [`Doc::fill`] then goes through `Value` itself: a map
//! key that is not a string, an integer beyond 64 bits, and a key given
//! twice in one object (a `Value` keeps its first place and its last value).

use serde::ser::{self, Serialize};
use serde_json::Number;

use super::{Doc, Slot};

/// Why a value could not be filled in directly.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotDirect(String);

impl ser::Error for NotDirect {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, NotDirect>;

/// Fills `doc` (cleared) with `value`.
pub fn fill<T: Serialize + ?Sized>(doc: &mut Doc, value: &T) -> Result {
    value.serialize(Filler { doc })
}

/// The serializer: appends one value to the document.
struct Filler<'a> {
    doc: &'a mut Doc,
}

/// An open container being filled; `wrapped` when it is the value of a
/// one-member object naming an enum variant, closed with it.
struct Open<'a> {
    doc: &'a mut Doc,
    at: usize,
    count: usize,
    wrapped: Option<usize>,
    /// An object whose keys come from a map, so may repeat.
    keyed: bool,
    /// The slot of the last member name, linked to the next once known.
    last_key: Option<usize>,
    /// A bit per name seen, from its length and a few bytes.
    bits: u64,
    /// A name came twice.
    repeated: bool,
}

impl<'a> Open<'a> {
    fn new(doc: &'a mut Doc, slot: Slot, wrapped: Option<usize>, keyed: bool) -> Self {
        let at = doc.open(slot);
        Open {
            doc,
            at,
            count: 0,
            wrapped,
            keyed,
            last_key: None,
            bits: 0,
            repeated: false,
        }
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(Filler {
            doc: &mut *self.doc,
        })
    }

    /// Notes the member whose name was just pushed at `key`.
    fn member(&mut self, key: usize) {
        self.count += 1;
        if let Some(previous) = self.last_key.replace(key) {
            self.doc.link(previous, key);
        }
        if self.keyed {
            self.repeated |= self.names_before(key);
        }
    }

    /// Whether the name at `key` is one of the names before it. Names told
    /// apart by their length and a few bytes need no comparing: only a
    /// name whose bit is taken is compared with those before it.
    fn names_before(&mut self, key: usize) -> bool {
        let name = self.doc.key(key).0;
        let bit = name_bit(name.as_bytes());
        let taken = self.bits & bit != 0;
        self.bits |= bit;
        if !taken {
            return false;
        }
        let mut earlier = self.at + 1;
        while earlier < key {
            let (other, next) = self.doc.key(earlier);
            if other == name {
                return true;
            }
            earlier = next;
        }
        false
    }

    fn end(self) -> Result {
        if let Some(last) = self.last_key {
            self.doc.link(last, self.doc.slots.len());
        }
        self.doc.close(self.at, self.count);
        if self.repeated {
            return Err(NotDirect("a key appears twice in one object".to_owned()));
        }
        if let Some(outer) = self.wrapped {
            self.doc.close_variant(outer);
        }
        Ok(())
    }
}

/// A name's bit among 64, from its length and first, second and last bytes.
fn name_bit(b: &[u8]) -> u64 {
    let byte = |c: Option<&u8>| u64::from(c.copied().unwrap_or(0));
    let mix = (b.len() as u64) ^ byte(b.first()) << 8 ^ byte(b.get(1)) << 16 ^ byte(b.last()) << 24;
    1 << (mix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

impl Doc {
    /// Opens `{variant: ...}` around a value to follow; returns its slot.
    fn open_variant(&mut self, variant: &str) -> usize {
        let at = self.open(Slot::Object { len: 0, end: 0 });
        self.push_key(variant);
        at
    }

    /// Closes the `{variant: ...}` opened at `at`, its value now in.
    fn close_variant(&mut self, at: usize) {
        self.link(at + 1, self.slots.len());
        self.close(at, 1);
    }
}

fn number(doc: &mut Doc, n: Option<Number>) -> Result {
    doc.slots.push(n.map_or(Slot::Null, Slot::Number));
    Ok(())
}

impl<'a> ser::Serializer for Filler<'a> {
    type Ok = ();
    type Error = NotDirect;
    type SerializeSeq = Open<'a>;
    type SerializeTuple = Open<'a>;
    type SerializeTupleStruct = Open<'a>;
    type SerializeTupleVariant = Open<'a>;
    type SerializeMap = Open<'a>;
    type SerializeStruct = Open<'a>;
    type SerializeStructVariant = Open<'a>;

    fn serialize_bool(self, v: bool) -> Result {
        self.doc.slots.push(Slot::Bool(v));
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result {
        number(self.doc, Some(v.into()))
    }
    fn serialize_i128(self, v: i128) -> Result {
        match i64::try_from(v) {
            Ok(i) => self.serialize_i64(i),
            Err(_) => match u64::try_from(v) {
                Ok(u) => self.serialize_u64(u),
                Err(_) => Err(NotDirect("number out of range".to_owned())),
            },
        }
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result {
        number(self.doc, Some(v.into()))
    }
    fn serialize_u128(self, v: u128) -> Result {
        match u64::try_from(v) {
            Ok(u) => self.serialize_u64(u),
            Err(_) => Err(NotDirect("number out of range".to_owned())),
        }
    }
    fn serialize_f32(self, v: f32) -> Result {
        number(self.doc, Number::from_f64(f64::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result {
        number(self.doc, Number::from_f64(v))
    }
    fn serialize_char(self, v: char) -> Result {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        self.doc.push_str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        let at = self.doc.open(Slot::Array { len: 0, end: 0 });
        for b in v {
            number(self.doc, Some(Number::from(*b)))?;
        }
        self.doc.close(at, v.len());
        Ok(())
    }
    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.doc.slots.push(Slot::Null);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        let outer = self.doc.open_variant(variant);
        value.serialize(Filler {
            doc: &mut *self.doc,
        })?;
        self.doc.close_variant(outer);
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Open<'a>> {
        Ok(Open::new(
            self.doc,
            Slot::Array { len: 0, end: 0 },
            None,
            false,
        ))
    }
    fn serialize_tuple(self, len: usize) -> Result<Open<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Open<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Open<'a>> {
        let outer = self.doc.open_variant(variant);
        Ok(Open::new(
            self.doc,
            Slot::Array { len: 0, end: 0 },
            Some(outer),
            false,
        ))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Open<'a>> {
        Ok(Open::new(
            self.doc,
            Slot::Object { len: 0, end: 0 },
            None,
            true,
        ))
    }
    fn serialize_struct(self, _: &'static str, _len: usize) -> Result<Open<'a>> {
        Ok(Open::new(
            self.doc,
            Slot::Object { len: 0, end: 0 },
            None,
            false,
        ))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Open<'a>> {
        let outer = self.doc.open_variant(variant);
        Ok(Open::new(
            self.doc,
            Slot::Object { len: 0, end: 0 },
            Some(outer),
            false,
        ))
    }
}

/// Every sequence form (seq, tuple, tuple struct, tuple variant) fills an
/// array the same way: each element one item.
macro_rules! array_form {
    ($($form:ident::$element:ident),* $(,)?) => {
        $(impl ser::$form for Open<'_> {
            type Ok = ();
            type Error = NotDirect;
            fn $element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.count += 1;
                self.value(value)
            }
            fn end(self) -> Result {
                Open::end(self)
            }
        })*
    };
}

array_form!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl ser::SerializeMap for Open<'_> {
    type Ok = ();
    type Error = NotDirect;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        let at = self.doc.slots.len();
        key.serialize(KeyFiller {
            doc: &mut *self.doc,
        })?;
        self.member(at);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.value(value)
    }
    fn end(self) -> Result {
        Open::end(self)
    }
}

impl ser::SerializeStruct for Open<'_> {
    type Ok = ();
    type Error = NotDirect;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        let at = self.doc.slots.len();
        self.doc.push_key(key);
        self.member(at);
        self.value(value)
    }
    fn end(self) -> Result {
        Open::end(self)
    }
}

impl ser::SerializeStructVariant for Open<'_> {
    type Ok = ();
    type Error = NotDirect;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result {
        Open::end(self)
    }
}

/// The serializer of a map key: a string, or the name of a unit variant.
/// Anything else (`serde_json` writes integers and booleans as strings)
/// is left to the fallback through `Value`.
struct KeyFiller<'a> {
    doc: &'a mut Doc,
}

fn not_a_string_key() -> NotDirect {
    NotDirect("a map key that is not a string".to_owned())
}

macro_rules! not_a_key {
    ($($name:ident($ty:ty)),* $(,)?) => {
        $(fn $name(self, _: $ty) -> Result {
            Err(not_a_string_key())
        })*
    };
}

impl ser::Serializer for KeyFiller<'_> {
    type Ok = ();
    type Error = NotDirect;
    type SerializeSeq = ser::Impossible<(), NotDirect>;
    type SerializeTuple = ser::Impossible<(), NotDirect>;
    type SerializeTupleStruct = ser::Impossible<(), NotDirect>;
    type SerializeTupleVariant = ser::Impossible<(), NotDirect>;
    type SerializeMap = ser::Impossible<(), NotDirect>;
    type SerializeStruct = ser::Impossible<(), NotDirect>;
    type SerializeStructVariant = ser::Impossible<(), NotDirect>;

    fn serialize_str(self, v: &str) -> Result {
        self.doc.push_key(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    not_a_key!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );
    fn serialize_none(self) -> Result {
        Err(not_a_string_key())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
        Err(not_a_string_key())
    }
    fn serialize_unit(self) -> Result {
        Err(not_a_string_key())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(not_a_string_key())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(not_a_string_key())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(not_a_string_key())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(not_a_string_key())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(not_a_string_key())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(not_a_string_key())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(not_a_string_key())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(not_a_string_key())
    }
}
