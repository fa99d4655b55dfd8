//! JSON as topoform writes its templates: byte for byte serde_json's pretty
//! format (two-space indent), written into a buffer or only counted.
//!
//! Why not `serde_json::to_string_pretty`: a template is serialized twice
//! a compilation (the split counts each resource's bytes, emit writes them),
//! and serde_json escapes every string byte by byte through a lookup table,
//! a sixth of all the instructions of a 1,000-client synth (callgrind).
//! Here a string is checked for bytes to escape in one branch-free pass,
//! which the compiler vectorizes, and copied whole when it has none (nearly
//! always: IDs, ARNs, names); counting needs no copy at all. The format is
//! serde_json's, to the byte (`tests::agrees_with_serde_json`, and every
//! template of every fixture in `cfn`'s tests), so the templates that users
//! have deployed stay what they were. serde_json's `RawValue` is written
//! raw, as serde_json writes it.

use std::fmt;

use serde::Serialize;
use serde::ser;

/// The struct name by which serde_json's `RawValue` asks to be written raw.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";
/// The struct name by which a number of serde_json's asks to be written raw
/// (its digits) when serde_json's `arbitrary_precision` feature is on: a
/// crate that vendors topoform may turn it on for every crate of its build,
/// and an overridden property is written from a `serde_json::Value`.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Where the JSON goes.
pub(crate) trait Sink {
    /// Appends `b`.
    fn bytes(&mut self, b: &[u8]);

    /// Appends `n` spaces.
    fn spaces(&mut self, n: usize);

    /// Appends `s` as a JSON string: quoted, and escaped as serde_json
    /// escapes.
    fn string(&mut self, s: &str);
}

impl Sink for Vec<u8> {
    fn bytes(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }

    fn spaces(&mut self, n: usize) {
        self.resize(self.len() + n, b' ');
    }

    fn string(&mut self, s: &str) {
        let b = s.as_bytes();
        self.reserve(b.len() + 2);
        self.push(b'"');
        if is_clean(b) {
            self.extend_from_slice(b);
        } else {
            let mut start = 0;
            for (i, &c) in b.iter().enumerate() {
                let Some(escaped) = escape(c) else {
                    continue;
                };
                self.extend_from_slice(&b[start..i]);
                match escaped {
                    Escape::Short(e) => self.extend_from_slice(&[b'\\', e]),
                    Escape::Unicode => {
                        const HEX: &[u8; 16] = b"0123456789abcdef";
                        self.extend_from_slice(b"\\u00");
                        self.extend_from_slice(&[
                            HEX[usize::from(c >> 4)],
                            HEX[usize::from(c & 0xf)],
                        ]);
                    }
                }
                start = i + 1;
            }
            self.extend_from_slice(&b[start..]);
        }
        self.push(b'"');
    }
}

/// Counts the bytes, and keeps none.
#[derive(Debug, Default)]
pub(crate) struct Count(pub usize);

impl Sink for Count {
    fn bytes(&mut self, b: &[u8]) {
        self.0 += b.len();
    }

    fn spaces(&mut self, n: usize) {
        self.0 += n;
    }

    fn string(&mut self, s: &str) {
        let b = s.as_bytes();
        self.0 += b.len() + 2;
        if !is_clean(b) {
            self.0 += b
                .iter()
                .map(|&c| match escape(c) {
                    None => 0,
                    Some(Escape::Short(_)) => 1,
                    Some(Escape::Unicode) => 5,
                })
                .sum::<usize>();
        }
    }
}

/// Whether no byte of `b` needs escaping: eight bytes at a time (SWAR: a
/// word has a byte below 0x20, or equal to `"` or `\\`, exactly when these
/// masks are not zero), the few left one at a time. Most strings of a
/// template are IDs, ARNs and names of a dozen to a hundred bytes, which a
/// loop byte by byte took four or five instructions a byte to clear.
fn is_clean(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `w` is zero (boolean exact: the classic `haszero`).
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let mut words = b.chunks_exact(8);
    let mut dirty = 0;
    for chunk in &mut words {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // A byte below 0x20 (`hasless`, exact for a bound up to 0x80).
        dirty |= w.wrapping_sub(0x20 * ONES) & !w & HIGH;
        dirty |= zero(w ^ (u64::from(b'"') * ONES));
        dirty |= zero(w ^ (u64::from(b'\\') * ONES));
    }
    dirty == 0 && words.remainder().iter().all(|&c| escape(c).is_none())
}

/// How serde_json escapes a byte.
enum Escape {
    /// A backslash and this letter.
    Short(u8),
    /// `\u00XX`, lower-case hex.
    Unicode,
}

fn escape(c: u8) -> Option<Escape> {
    Some(match c {
        b'"' => Escape::Short(b'"'),
        b'\\' => Escape::Short(b'\\'),
        0x08 => Escape::Short(b'b'),
        0x09 => Escape::Short(b't'),
        0x0a => Escape::Short(b'n'),
        0x0c => Escape::Short(b'f'),
        0x0d => Escape::Short(b'r'),
        0..0x20 => Escape::Unicode,
        _ => return None,
    })
}

/// `value` as pretty JSON.
pub(crate) fn to_vec_pretty<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut p = Pretty {
        out: Vec::new(),
        level: 0,
    };
    value.serialize(&mut p)?;
    Ok(p.out)
}

/// The length of `value` as pretty JSON, written `level` levels deep (each
/// line after the first indented by two more spaces per level).
pub(crate) fn pretty_len<T: Serialize + ?Sized>(value: &T, level: usize) -> Result<usize, Error> {
    let mut p = Pretty {
        out: Count(0),
        level,
    };
    value.serialize(&mut p)?;
    Ok(p.out.0)
}

/// A value that serde cannot write as JSON (a map key that is not a
/// string, say), or a `Serialize` that failed.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// The serializer: serde_json's `PrettyFormatter` with a two-space indent.
pub(crate) struct Pretty<S> {
    out: S,
    /// How deep the value being written is.
    level: usize,
}

impl<S: Sink> Pretty<S> {
    fn integer(&mut self, digits: impl fmt::Display) {
        // Display writes an integer's digits as serde_json's itoa does.
        struct Out<'a, S>(&'a mut S);
        impl<S: Sink> fmt::Write for Out<'_, S> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0.bytes(s.as_bytes());
                Ok(())
            }
        }
        let _ = fmt::write(&mut Out(&mut self.out), format_args!("{digits}"));
    }

    /// Opens an object or array.
    fn open(&mut self, bracket: u8) -> Compound<'_, S> {
        self.out.bytes(&[bracket]);
        self.level += 1;
        Compound {
            ser: self,
            first: true,
            raw: false,
        }
    }

    /// Opens `{"variant": ` of an enum variant with content.
    fn open_variant(&mut self, variant: &str) {
        self.out.bytes(b"{\n");
        self.level += 1;
        self.out.spaces(2 * self.level);
        self.out.string(variant);
        self.out.bytes(b": ");
    }

    /// Closes what `open_variant` opened.
    fn close_variant(&mut self) {
        self.level -= 1;
        self.out.bytes(b"\n");
        self.out.spaces(2 * self.level);
        self.out.bytes(b"}");
    }
}

/// An object or array being written.
pub(crate) struct Compound<'a, S> {
    ser: &'a mut Pretty<S>,
    /// No member written yet.
    first: bool,
    /// serde_json's `RawValue`: its one field is written as it is.
    raw: bool,
}

impl<'a, S: Sink> Compound<'a, S> {
    /// Starts a member: a new line, indented.
    fn member(&mut self) {
        self.ser.out.bytes(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        self.ser.out.spaces(2 * self.ser.level);
    }

    /// Closes it; returns the serializer, for a variant to close too.
    fn close(self, bracket: u8) -> &'a mut Pretty<S> {
        self.ser.level -= 1;
        if !self.first {
            self.ser.out.bytes(b"\n");
            self.ser.out.spaces(2 * self.ser.level);
        }
        self.ser.out.bytes(&[bracket]);
        self.ser
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        if self.raw {
            return value.serialize(RawStr(&mut self.ser.out));
        }
        self.member();
        self.ser.out.string(key);
        self.ser.out.bytes(b": ");
        value.serialize(&mut *self.ser)
    }
}

impl<'a, S: Sink> ser::Serializer for &'a mut Pretty<S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, S>;
    type SerializeTuple = Compound<'a, S>;
    type SerializeTupleStruct = Compound<'a, S>;
    type SerializeTupleVariant = Compound<'a, S>;
    type SerializeMap = Compound<'a, S>;
    type SerializeStruct = Compound<'a, S>;
    type SerializeStructVariant = Compound<'a, S>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.bytes(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        // serde_json's own shortest form (ryu), or `null`: rare enough to
        // ask it.
        let text = serde_json::to_string(&v).map_err(ser::Error::custom)?;
        self.out.bytes(text.as_bytes());
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        let text = serde_json::to_string(&v).map_err(ser::Error::custom)?;
        self.out.bytes(text.as_bytes());
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.out.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.out.string(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.bytes(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open_variant(variant);
        value.serialize(&mut *self)?;
        self.close_variant();
        Ok(())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a, S>, Error> {
        Ok(self.open(b'['))
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, S>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a, S>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a, S>, Error> {
        self.open_variant(variant);
        Ok(self.open(b'['))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a, S>, Error> {
        Ok(self.open(b'{'))
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Compound<'a, S>, Error> {
        if name == RAW_VALUE_TOKEN || name == NUMBER_TOKEN {
            return Ok(Compound {
                ser: self,
                first: true,
                raw: true,
            });
        }
        Ok(self.open(b'{'))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a, S>, Error> {
        self.open_variant(variant);
        Ok(self.open(b'{'))
    }
}

impl<S: Sink> ser::SerializeSeq for Compound<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.member();
        value.serialize(&mut *self.ser)
    }

    fn end(self) -> Result<(), Error> {
        self.close(b']');
        Ok(())
    }
}

impl<S: Sink> ser::SerializeTuple for Compound<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl<S: Sink> ser::SerializeTupleStruct for Compound<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl<S: Sink> ser::SerializeTupleVariant for Compound<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<(), Error> {
        self.close(b']').close_variant();
        Ok(())
    }
}

impl<S: Sink> ser::SerializeMap for Compound<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.member();
        key.serialize(MapKey(&mut self.ser.out))
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.ser.out.bytes(b": ");
        value.serialize(&mut *self.ser)
    }

    fn end(self) -> Result<(), Error> {
        self.close(b'}');
        Ok(())
    }
}

impl<S: Sink> ser::SerializeStruct for Compound<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        if !self.raw {
            self.close(b'}');
        }
        Ok(())
    }
}

impl<S: Sink> ser::SerializeStructVariant for Compound<'_, S> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.close(b'}').close_variant();
        Ok(())
    }
}

/// Refuses what JSON cannot hold where it is asked for.
macro_rules! refuse {
    ($why:ident; $($method:ident($($arg:ty),*)),* $(,)?) => {
        $(
            fn $method(self, $(_: $arg),*) -> Result<(), Error> {
                Err(Error($why.to_string()))
            }
        )*
    };
}

/// Refuses every value with content (a variant with a value, a list, a
/// map, a struct): the same eight methods for each serializer that takes
/// only a plain value.
macro_rules! refuse_compounds {
    ($why:ident) => {
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), Error> {
            Err(Error($why.to_string()))
        }

        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
            Err(Error($why.to_string()))
        }

        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
            Err(Error($why.to_string()))
        }

        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Error> {
            Err(Error($why.to_string()))
        }

        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Error> {
            Err(Error($why.to_string()))
        }

        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
            Err(Error($why.to_string()))
        }

        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStruct, Error> {
            Err(Error($why.to_string()))
        }

        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Error> {
            Err(Error($why.to_string()))
        }
    };
}

/// An object's key: a string, as serde_json's `MapKeySerializer` writes
/// it (a number or a bool in quotes).
struct MapKey<'a, S>(&'a mut S);

impl<S: Sink> MapKey<'_, S> {
    fn quoted(self, v: impl fmt::Display) {
        self.0.string(&v.to_string());
    }

    /// A finite float in quotes, in serde_json's shortest form; serde_json
    /// refuses the others.
    fn float<F: Serialize>(self, finite: bool, v: &F) -> Result<(), Error> {
        if !finite {
            return Err(Error(
                "float key must be finite (got NaN or +/-inf)".to_string(),
            ));
        }
        let text = serde_json::to_string(v).map_err(ser::Error::custom)?;
        self.0.string(&text);
        Ok(())
    }
}

const KEY_MUST_BE_A_STRING: &str = "key must be a string";

impl<S: Sink> ser::Serializer for MapKey<'_, S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.string(v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.0.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.quoted(v);
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(f64::from(v).is_finite(), &v)
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(v.is_finite(), &v)
    }

    refuse!(KEY_MUST_BE_A_STRING;
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    refuse_compounds!(KEY_MUST_BE_A_STRING);
}

/// The one field of serde_json's `RawValue`: JSON text, written as it is.
struct RawStr<'a, S>(&'a mut S);

const NOT_RAW: &str = "a raw value is a string of JSON";

impl<S: Sink> ser::Serializer for RawStr<'_, S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.bytes(v.as_bytes());
        Ok(())
    }

    refuse!(NOT_RAW;
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(Error(NOT_RAW.to_string()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(Error(NOT_RAW.to_string()))
    }

    refuse_compounds!(NOT_RAW);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::value::RawValue;

    use super::{pretty_len, to_vec_pretty};

    #[derive(Serialize)]
    enum E {
        Unit,
        Newtype(u8),
        Tuple(u8, &'static str),
        Struct { a: Vec<u8>, b: Option<bool> },
        Empty {},
    }

    #[derive(Serialize)]
    struct Unit;

    #[derive(Serialize)]
    struct Newtype(&'static str);

    #[derive(Serialize)]
    struct Tuple(i64, f64);

    #[derive(Serialize)]
    struct Every {
        text: &'static str,
        control: String,
        unicode: &'static str,
        numbers: (i8, i16, i32, i64, i128, u8, u16, u32, u64, u128),
        floats: (f32, f64, f64, f64, f64),
        truth: (bool, bool),
        nothing: Option<u8>,
        something: Option<Vec<Vec<u8>>>,
        empty_list: Vec<u8>,
        empty_map: BTreeMap<String, u8>,
        nested_empty: Vec<Vec<BTreeMap<u8, u8>>>,
        int_keys: BTreeMap<i32, &'static str>,
        bool_keys: BTreeMap<bool, Option<()>>,
        char_key: BTreeMap<char, char>,
        enums: Vec<E>,
        unit: Unit,
        newtype: Newtype,
        tuple: Tuple,
        bytes: serde_bytes_like::Bytes,
        raw: Box<RawValue>,
        value: serde_json::Value,
    }

    /// `serialize_bytes`, which serde's derive never calls by itself.
    mod serde_bytes_like {
        pub(super) struct Bytes(pub(super) Vec<u8>);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    fn every() -> Every {
        Every {
            text: "plain ${AWS::StackName} arn:aws:iam::1:role/x",
            control: (0u8..0x20)
                .map(char::from)
                .chain("\"\\/\u{7f}é𝄞".chars())
                .collect(),
            unicode: "日本語のテキスト",
            numbers: (
                -8,
                -16,
                -32,
                i64::MIN,
                i128::MAX,
                8,
                16,
                32,
                u64::MAX,
                u128::MAX,
            ),
            floats: (1.5, 0.1, 1e300, f64::NAN, -0.0),
            truth: (true, false),
            nothing: None,
            something: Some(vec![vec![], vec![1, 2]]),
            empty_list: Vec::new(),
            empty_map: BTreeMap::new(),
            nested_empty: vec![vec![], vec![BTreeMap::new()]],
            int_keys: BTreeMap::from([(-1, "a"), (7, "b\n")]),
            bool_keys: BTreeMap::from([(false, Some(())), (true, None)]),
            char_key: BTreeMap::from([('"', '\t')]),
            enums: vec![
                E::Unit,
                E::Newtype(3),
                E::Tuple(4, "x"),
                E::Struct {
                    a: vec![],
                    b: Some(true),
                },
                E::Empty {},
            ],
            unit: Unit,
            newtype: Newtype("n"),
            tuple: Tuple(-1, 2.25),
            bytes: serde_bytes_like::Bytes(vec![0, 255]),
            raw: RawValue::from_string("\"SGVsbG8=\"".to_string()).unwrap(),
            value: serde_json::json!({"z": [1, {"y": null}], "a": {}, "m": [[]]}),
        }
    }

    #[test]
    fn agrees_with_serde_json() {
        let mut values: Vec<serde_json::Value> = Vec::new();
        let e = every();
        let ours = to_vec_pretty(&e).unwrap();
        let theirs = serde_json::to_vec_pretty(&e).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs.clone()).unwrap()
        );
        assert_eq!(pretty_len(&e, 0).unwrap(), theirs.len());
        values.push(serde_json::from_slice(&theirs).unwrap());
        // Scalars and empty containers at the top level too.
        for v in [
            serde_json::json!(null),
            serde_json::json!("a\u{1}b"),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!(12),
        ] {
            assert_eq!(
                to_vec_pretty(&v).unwrap(),
                serde_json::to_vec_pretty(&v).unwrap()
            );
        }
    }

    #[test]
    fn counts_what_it_would_write_at_any_depth() {
        let e = every();
        let flat = String::from_utf8(to_vec_pretty(&e).unwrap()).unwrap();
        for level in 0..4 {
            // Each line after the first, two spaces more per level.
            let indented = flat.replace('\n', &format!("\n{}", "  ".repeat(level)));
            assert_eq!(
                pretty_len(&e, level).unwrap(),
                indented.len(),
                "level {level}"
            );
        }
    }

    #[test]
    fn finds_every_byte_to_escape_at_any_place_in_a_word() {
        // Every length to three words, every byte value at every place,
        // among clean bytes, high bytes (UTF-8) and bytes near the bounds.
        let fillers: [u8; 5] = [b'a', 0x7f, 0x80, 0xff, b' '];
        for len in 1..=24 {
            for filler in fillers {
                for at in 0..len {
                    for c in 0..=255u8 {
                        let mut b = vec![filler; len];
                        b[at] = c;
                        let naive = b.iter().all(|&x| super::escape(x).is_none());
                        assert_eq!(super::is_clean(&b), naive, "{b:?}");
                    }
                }
            }
        }
        assert!(super::is_clean(b""));
        // And words of mixed bytes near the bounds (a fixed xorshift).
        let pool: [u8; 12] = [
            0x00, 0x1f, 0x20, 0x21, b'"', b'#', b'[', b'\\', b']', 0x7f, 0x80, 0xff,
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = usize::try_from(x % 20).unwrap();
            let b: Vec<u8> = (0..len)
                .map(|i| pool[usize::try_from((x >> (3 * i)) % 12).unwrap()])
                .collect();
            let naive = b.iter().all(|&c| super::escape(c).is_none());
            assert_eq!(super::is_clean(&b), naive, "{b:?}");
        }
    }

    /// What serde_json's `Number` serializes as with its
    /// `arbitrary_precision` feature (which this build does not turn on,
    /// and a vendoring build may).
    struct ArbitraryNumber(&'static str);

    impl Serialize for ArbitraryNumber {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let mut st = s.serialize_struct(super::NUMBER_TOKEN, 1)?;
            st.serialize_field(super::NUMBER_TOKEN, self.0)?;
            st.end()
        }
    }

    #[test]
    fn writes_an_arbitrary_precision_number_as_its_digits() {
        let m = BTreeMap::from([
            ("Threshold", ArbitraryNumber("30")),
            ("Big", ArbitraryNumber("1e400")),
        ]);
        let ours = String::from_utf8(to_vec_pretty(&m).unwrap()).unwrap();
        assert_eq!(ours, "{\n  \"Big\": 1e400,\n  \"Threshold\": 30\n}");
        assert_eq!(pretty_len(&m, 0).unwrap(), ours.len());
    }

    #[test]
    fn writes_optional_and_float_keys_as_serde_json_does() {
        let some = BTreeMap::from([(Some("a"), 1)]);
        assert_eq!(
            to_vec_pretty(&some).unwrap(),
            serde_json::to_vec_pretty(&some).unwrap()
        );
        let floats = vec![(1.5f64, 1), (-0.25, 2)];
        let as_map = |v: &Vec<(f64, i32)>| {
            struct M<'a>(&'a [(f64, i32)]);
            impl Serialize for M<'_> {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    use serde::ser::SerializeMap;
                    let mut m = s.serialize_map(Some(self.0.len()))?;
                    for (k, v) in self.0 {
                        m.serialize_entry(k, v)?;
                    }
                    m.end()
                }
            }
            (
                to_vec_pretty(&M(v)).map_err(|e| e.to_string()),
                serde_json::to_vec_pretty(&M(v)).map_err(|e| e.to_string()),
            )
        };
        let (ours, theirs) = as_map(&floats);
        assert_eq!(ours.unwrap(), theirs.unwrap());
        let (ours, theirs) = as_map(&vec![(f64::NAN, 1)]);
        assert!(ours.is_err() && theirs.is_err());
    }

    #[test]
    fn refuses_a_key_that_is_not_a_string() {
        let m = BTreeMap::from([(vec![1u8], 1u8)]);
        assert!(serde_json::to_vec_pretty(&m).is_err());
        let e = to_vec_pretty(&m).unwrap_err();
        assert_eq!(e.to_string(), "key must be a string");
        assert!(pretty_len(&m, 1).is_err());
    }
}
