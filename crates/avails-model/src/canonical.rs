//! Canonical JSON: object keys sorted and `Terms` in a fixed order, so two
//! payloads that mean the same compare (and hash) equal.
//!
//! The API treats a transaction's Terms as a set keyed by `_termName`; the
//! reference's own examples list the same terms in different orders.

use std::io::{self, Write};

use serde_json::{Map, Number, Value};

use crate::doc::{Arr, Doc, Node, View};

/// A decimal number with no fraction below this magnitude is written as
/// the integer it equals (1000.0 and 1000 are the same amount).
const WHOLE_BELOW: f64 = 9.0e15;

/// The attribute whose array is a set: its items in a fixed order.
const SET_ARRAY: &str = "Terms";

/// The integer a decimal number with no fraction equals, if it is one.
fn whole(n: &Number) -> Option<i64> {
    let f = n.as_f64().filter(|_| n.is_f64())?;
    (f.fract() == 0.0 && f.abs() < WHOLE_BELOW).then_some(f as i64)
}

/// The canonical form of a JSON value.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                let mut v = canonical(&map[k]);
                if k == SET_ARRAY {
                    if let Value::Array(items) = &mut v {
                        items.sort_by_cached_key(|t| t.to_string());
                    }
                }
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        Value::Number(n) => match whole(n) {
            Some(i) => Value::from(i),
            None => value.clone(),
        },
        other => other.clone(),
    }
}

/// Canonical JSON text, for hashing and stable output.
pub fn canonical_string(value: &Value) -> String {
    let mut text = Vec::new();
    // Writing to a Vec cannot fail, and JSON text is UTF-8.
    let _ = write_canonical(value, &mut text);
    String::from_utf8_lossy(&text).into_owned()
}

/// Writes the canonical JSON text of `value` (the text of [`canonical`]'s
/// result) without building the canonical value: a payload is hashed on
/// every submit, and building a sorted copy of it cost more than the hash.
pub fn write_canonical<W: Write>(value: &Value, out: &mut W) -> io::Result<()> {
    write_canonical_node(Doc::from_value(value).root(), out)
}

/// [`write_canonical`] of a document node (a payload filled straight from
/// its typed form, say).
pub fn write_canonical_node<W: Write>(value: Node, out: &mut W) -> io::Result<()> {
    write_node(value, out, &mut Vec::new())
}

/// An object's members, gathered to be sorted.
type Members<'d> = Vec<(&'d str, Node<'d>)>;

/// [`write_canonical_node`]; each object sorts its members at the end of
/// `members` (one list for the whole document, not one per object) and
/// leaves it as it found it.
fn write_node<'d, W: Write>(
    value: Node<'d>,
    out: &mut W,
    members: &mut Members<'d>,
) -> io::Result<()> {
    match value.view() {
        View::Object(map) => {
            let start = members.len();
            members.extend(map.iter());
            members[start..].sort_unstable_by(|a, b| a.0.cmp(b.0));
            let end = members.len();
            out.write_all(b"{")?;
            for i in start..end {
                let (key, v) = members[i];
                if i > start {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut *out, key)?;
                out.write_all(b":")?;
                match v.as_array() {
                    Some(items) if key == SET_ARRAY => write_as_set(items, out, members)?,
                    _ => write_node(v, out, members)?,
                }
            }
            members.truncate(start);
            out.write_all(b"}")
        }
        View::Array(items) => {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                write_node(item, out, members)?;
            }
            out.write_all(b"]")
        }
        View::Number(n) => match whole(n) {
            Some(i) => write!(out, "{i}"),
            None => Ok(serde_json::to_writer(out, n)?),
        },
        View::String(s) => Ok(serde_json::to_writer(out, s)?),
        View::Bool(b) => Ok(serde_json::to_writer(out, &b)?),
        View::Null => out.write_all(b"null"),
    }
}

/// An array written as a set: its items' canonical texts in byte order
/// (written one after another into one buffer, then sorted by their spans).
fn write_as_set<'d, W: Write>(
    items: Arr<'d>,
    out: &mut W,
    members: &mut Members<'d>,
) -> io::Result<()> {
    let mut text = Vec::new();
    let mut spans = Vec::with_capacity(items.len());
    for item in items.iter() {
        let start = text.len();
        write_node(item, &mut text, members)?;
        spans.push(start..text.len());
    }
    spans.sort_unstable_by(|a, b| text[a.clone()].cmp(&text[b.clone()]));
    out.write_all(b"[")?;
    for (i, span) in spans.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(&text[span])?;
    }
    out.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_json::json;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn terms_order_and_key_order_do_not_matter() {
        let a = json!({"b": 1, "Terms": [{"_termName": "SRP"}, {"_termName": "Download", "Text": "No"}]});
        let b = json!({"Terms": [{"Text": "No", "_termName": "Download"}, {"_termName": "SRP"}], "b": 1.0});
        assert_eq!(canonical_string(&a), canonical_string(&b));
    }

    #[test]
    fn other_arrays_keep_their_order() {
        assert_ne!(
            canonical(&json!({"x": [1, 2]})),
            canonical(&json!({"x": [2, 1]}))
        );
    }

    proptest! {
        /// The text written directly is the text of the canonical value,
        /// byte for byte: hashes already in journals stay valid.
        #[test]
        fn written_text_is_the_canonical_value_s_text(v in json()) {
            prop_assert_eq!(canonical_string(&v), canonical(&v).to_string());
        }
    }
}
