//! A JSON document as one flat list of nodes over one text buffer, read
//! through borrowed views ([`Node`], [`Obj`], [`Arr`]) shaped like
//! `serde_json::Value`'s.
//!
//! The rules walk every payload of a catalog; building a `Value` for each
//! allocated every key, string, object and array anew (a third of all the
//! allocations of `convert`). A [`Doc`] is refilled in place, so it
//! allocates nothing once its buffers have grown, and it is filled straight
//! from a typed value ([`Doc::fill`]) or from a `Value`
//! ([`Doc::fill_value`]), giving the same document either way.

mod build;
mod json_out;

use serde::Serialize;
use serde_json::{Map, Number, Value};

/// One JSON document: its nodes in document order, its strings in `text`.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    slots: Vec<Slot>,
    text: String,
}

/// One node; a container is followed by its members (an object's as key
/// then value) and knows where they end.
#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Null,
    Bool(bool),
    Number(Number),
    /// A string: `text[start..end]`.
    Str {
        start: usize,
        end: usize,
    },
    /// An object member's name, `text[start..end]`, followed by its value;
    /// `next` is the slot of the member after it (set once the value is in).
    Key {
        start: usize,
        end: usize,
        next: usize,
    },
    /// An array of `len` items ending before slot `end`.
    Array {
        len: usize,
        end: usize,
    },
    /// An object of `len` members ending before slot `end`.
    Object {
        len: usize,
        end: usize,
    },
}

impl Doc {
    /// An empty document (its root reads as null until filled).
    pub fn new() -> Self {
        Self::default()
    }

    /// A document holding `value`.
    pub fn from_value(value: &Value) -> Self {
        let mut doc = Self::new();
        doc.fill_value(value);
        doc
    }

    /// Refills the document with `value`, keeping its buffers.
    pub fn fill_value(&mut self, value: &Value) {
        self.clear();
        self.push_value(value);
    }

    /// Refills the document with what `value` serializes to: the document
    /// `serde_json::to_value(value)` gives (null if it fails), built without
    /// that `Value`. True when it was built straight from `value`: its
    /// [`Doc::write_json`] is then exactly `serde_json::to_vec(value)`
    /// (false when it went through `Value`, which keeps one of a key given
    /// twice where `to_vec` writes both).
    pub fn fill<T: Serialize + ?Sized>(&mut self, value: &T) -> bool {
        self.clear();
        let direct = build::fill(self, value).is_ok();
        if !direct {
            // What the direct build cannot say exactly as `Value` would (a
            // key given twice keeps its first place and its last value, a
            // key that is not a string): through `Value` itself.
            self.clear();
            self.push_value(&serde_json::to_value(value).unwrap_or_default());
        }
        direct
    }

    /// Appends the document as compact JSON, byte for byte what
    /// `serde_json::to_vec` writes of the `Value` it equals. A payload is
    /// written once it is checked, from the document the rules read,
    /// instead of serializing its typed form a second time.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        if self.slots.is_empty() {
            out.extend_from_slice(b"null");
            return;
        }
        let plain = !json_out::needs_escape(self.text.as_bytes());
        // Its text, and a few bytes of punctuation per node.
        out.reserve(self.text.len() + 4 * self.slots.len());
        self.write_at(0, plain, out);
    }

    /// Writes the node at `at`; returns the slot after it. `plain`: no
    /// string of the document needs an escape.
    fn write_at(&self, at: usize, plain: bool, out: &mut Vec<u8>) -> usize {
        match &self.slots[at] {
            Slot::Null => out.extend_from_slice(b"null"),
            Slot::Bool(true) => out.extend_from_slice(b"true"),
            Slot::Bool(false) => out.extend_from_slice(b"false"),
            Slot::Number(n) => json_out::number(n, out),
            Slot::Str { start, end } | Slot::Key { start, end, .. } => {
                json_out::string(&self.text[*start..*end], plain, out)
            }
            container @ (Slot::Array { end, .. } | Slot::Object { end, .. }) => {
                let object = matches!(container, Slot::Object { .. });
                out.push(if object { b'{' } else { b'[' });
                let mut member = at + 1;
                while member < *end {
                    if member > at + 1 {
                        out.push(b',');
                    }
                    if object {
                        // An object's member: its name, then its value.
                        self.write_at(member, plain, out);
                        out.push(b':');
                        member += 1;
                    }
                    member = self.write_at(member, plain, out);
                }
                out.push(if object { b'}' } else { b']' });
                return *end;
            }
        }
        at + 1
    }

    /// The root node.
    #[inline]
    pub fn root(&self) -> Node<'_> {
        Node { doc: self, at: 0 }
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.text.clear();
    }

    /// Appends `s` to the text; where it lies there.
    fn add_text(&mut self, s: &str) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(s);
        (start, self.text.len())
    }

    fn push_str(&mut self, s: &str) {
        let (start, end) = self.add_text(s);
        self.slots.push(Slot::Str { start, end });
    }

    fn push_key(&mut self, s: &str) {
        let (start, end) = self.add_text(s);
        self.slots.push(Slot::Key {
            start,
            end,
            next: 0,
        });
    }

    fn push_value(&mut self, value: &Value) {
        match value {
            Value::Null => self.slots.push(Slot::Null),
            Value::Bool(b) => self.slots.push(Slot::Bool(*b)),
            Value::Number(n) => self.slots.push(Slot::Number(n.clone())),
            Value::String(s) => self.push_str(s),
            Value::Array(items) => {
                let at = self.open(Slot::Array { len: 0, end: 0 });
                for item in items {
                    self.push_value(item);
                }
                self.close(at, items.len());
            }
            Value::Object(map) => self.push_object(map),
        }
    }

    fn push_object(&mut self, map: &Map<String, Value>) {
        let at = self.open(Slot::Object { len: 0, end: 0 });
        for (k, v) in map {
            let key = self.slots.len();
            self.push_key(k);
            self.push_value(v);
            self.link(key, self.slots.len());
        }
        self.close(at, map.len());
    }

    /// Pushes a container whose members follow; returns its slot.
    fn open(&mut self, slot: Slot) -> usize {
        self.slots.push(slot);
        self.slots.len() - 1
    }

    /// Sets the member count and end of the container at `at`.
    fn close(&mut self, at: usize, count: usize) {
        let after = self.slots.len();
        if let Slot::Array { len, end } | Slot::Object { len, end } = &mut self.slots[at] {
            (*len, *end) = (count, after);
        }
    }

    /// Sets where the member after the one named at `key` starts.
    fn link(&mut self, key: usize, following: usize) {
        if let Some(Slot::Key { next, .. }) = self.slots.get_mut(key) {
            *next = following;
        }
    }

    /// The slot after the node at `at` and everything in it.
    #[inline]
    fn after(&self, at: usize) -> usize {
        match self.slots[at] {
            Slot::Array { end, .. } | Slot::Object { end, .. } => end,
            _ => at + 1,
        }
    }

    /// The name of the member whose name is at `at`, and the slot of the
    /// member after it.
    #[inline]
    fn key(&self, at: usize) -> (&str, usize) {
        match self.slots.get(at) {
            Some(Slot::Key { start, end, next }) => (&self.text[*start..*end], *next),
            _ => ("", self.slots.len()),
        }
    }

    /// Whether the member name at `at` is `name`, and the slot of the
    /// member after it: [`Doc::key`] without slicing the text as `str` (the
    /// rules' lookups cost 2 % more of `convert`'s instructions through it).
    #[inline]
    fn key_is(&self, at: usize, name: &str) -> (bool, usize) {
        match self.slots.get(at) {
            Some(Slot::Key { start, end, next }) => {
                // Lengths first: most names differ in length.
                let same = end - start == name.len()
                    && self.text.as_bytes().get(*start..*end) == Some(name.as_bytes());
                (same, *next)
            }
            _ => (false, self.slots.len()),
        }
    }
}

/// A node of a [`Doc`].
#[derive(Debug, Clone, Copy)]
pub struct Node<'d> {
    doc: &'d Doc,
    at: usize,
}

/// What a node is, to match on as on a `Value`.
#[derive(Debug, Clone, Copy)]
pub enum View<'d> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(&'d Number),
    /// A string.
    String(&'d str),
    /// An array.
    Array(Arr<'d>),
    /// An object.
    Object(Obj<'d>),
}

impl<'d> Node<'d> {
    /// What this node is.
    #[inline]
    pub fn view(self) -> View<'d> {
        match self.doc.slots.get(self.at) {
            None | Some(Slot::Null) => View::Null,
            Some(Slot::Bool(b)) => View::Bool(*b),
            Some(Slot::Number(n)) => View::Number(n),
            Some(Slot::Str { start, end } | Slot::Key { start, end, .. }) => {
                View::String(&self.doc.text[*start..*end])
            }
            Some(Slot::Array { len, .. }) => View::Array(Arr {
                doc: self.doc,
                at: self.at,
                len: *len,
            }),
            Some(Slot::Object { len, .. }) => View::Object(Obj {
                doc: self.doc,
                at: self.at,
                len: *len,
            }),
        }
    }

    /// The object, if this is one.
    #[inline]
    pub fn as_object(self) -> Option<Obj<'d>> {
        match self.view() {
            View::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array, if this is one.
    #[inline]
    pub fn as_array(self) -> Option<Arr<'d>> {
        match self.view() {
            View::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this is one.
    #[inline]
    pub fn as_str(self) -> Option<&'d str> {
        match self.view() {
            View::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    #[inline]
    pub fn as_bool(self) -> Option<bool> {
        match self.view() {
            View::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The number as an `i64`, if it is an integer that fits.
    #[inline]
    pub fn as_i64(self) -> Option<i64> {
        match self.view() {
            View::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// Whether this is `null`.
    #[inline]
    pub fn is_null(self) -> bool {
        matches!(self.view(), View::Null)
    }

    /// Whether this is a string.
    #[inline]
    pub fn is_string(self) -> bool {
        matches!(self.view(), View::String(_))
    }

    /// This node as a `serde_json::Value` (for tests and messages).
    pub fn to_value(self) -> Value {
        match self.view() {
            View::Null => Value::Null,
            View::Bool(b) => Value::Bool(b),
            View::Number(n) => Value::Number(n.clone()),
            View::String(s) => Value::String(s.to_owned()),
            View::Array(a) => Value::Array(a.iter().map(Node::to_value).collect()),
            View::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// An object node: its members in document order.
#[derive(Debug, Clone, Copy)]
pub struct Obj<'d> {
    doc: &'d Doc,
    at: usize,
    len: usize,
}

impl<'d> Obj<'d> {
    /// How many members it has.
    #[inline]
    pub fn len(self) -> usize {
        self.len
    }

    /// Whether it has no member.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// Its members, name and value, in document order.
    #[inline]
    pub fn iter(self) -> impl Iterator<Item = (&'d str, Node<'d>)> {
        let doc = self.doc;
        let mut key = self.at + 1;
        (0..self.len).map(move |_| {
            let (name, next) = doc.key(key);
            let value = Node { doc, at: key + 1 };
            key = next;
            (name, value)
        })
    }

    /// Its member names in document order.
    #[inline]
    pub fn keys(self) -> impl Iterator<Item = &'d str> {
        self.iter().map(|(k, _)| k)
    }

    /// The value of the member `name`, if present. A payload's objects have
    /// a handful of members and each rule looks up a few of them: a scan
    /// costs less than hashing.
    #[inline]
    pub fn get(self, name: &str) -> Option<Node<'d>> {
        let mut key = self.at + 1;
        for _ in 0..self.len {
            let (found, next) = self.doc.key_is(key, name);
            if found {
                return Some(Node {
                    doc: self.doc,
                    at: key + 1,
                });
            }
            key = next;
        }
        None
    }
}

/// An array node: its items in order.
#[derive(Debug, Clone, Copy)]
pub struct Arr<'d> {
    doc: &'d Doc,
    at: usize,
    len: usize,
}

impl<'d> Arr<'d> {
    /// How many items it has.
    #[inline]
    pub fn len(self) -> usize {
        self.len
    }

    /// Whether it has no item.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// Its items in order.
    #[inline]
    pub fn iter(self) -> impl Iterator<Item = Node<'d>> {
        let doc = self.doc;
        let mut at = self.at + 1;
        (0..self.len).map(move |_| {
            let node = Node { doc, at };
            at = doc.after(at);
            node
        })
    }

    /// Its first item, if any.
    #[inline]
    pub fn first(self) -> Option<Node<'d>> {
        self.iter().next()
    }
}

#[cfg(test)]
mod tests;
