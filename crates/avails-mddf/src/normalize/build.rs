//! Building blocks of the normalizer: the record of lines and skipped
//! elements, a cursor over an element's children, and an output object.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::tree::Element;
use crate::{Ignored, Invalid, TransactionConditions};

/// The avail's channel, from a `GroupingEntity` of type `channel`.
#[derive(Debug, Clone)]
pub(crate) struct Channel {
    /// Its name (`DisplayName`, else `GroupIdentity`).
    pub name: String,
    /// Line of the `GroupingEntity`.
    pub line: u32,
    /// Line of the element holding the name.
    pub name_line: u32,
}

/// What the normalizer learns besides the payload.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    /// JSON pointer inside the payload → XML line that produced it.
    pub pointer_lines: BTreeMap<String, u32>,
    /// Elements and attributes the API schema does not have.
    pub ignored: Vec<Ignored>,
    /// Values that could not be typed as the API schema requires.
    pub invalid: Vec<Invalid>,
    /// Conditions of each transaction, in the order of the Transaction array.
    pub conditions: Vec<TransactionConditions>,
    /// The channel named by the asset's metadata, if any.
    pub channel: Option<Channel>,
}

impl Ctx {
    /// Records a value that does not fit its API type.
    pub fn invalid(&mut self, path: &str, el: &Element, expected: impl Into<String>) {
        self.invalid_value(path, el.line, &el.text, expected);
    }

    /// Records a value found at `line` that cannot be kept.
    pub fn invalid_value(
        &mut self,
        path: &str,
        line: u32,
        value: &str,
        expected: impl Into<String>,
    ) {
        self.invalid.push(Invalid {
            path: path.to_string(),
            line,
            value: value.to_string(),
            expected: expected.into(),
        });
    }

    /// Records a skipped element or attribute.
    pub fn ignore(&mut self, path: String, line: u32) {
        self.ignored.push(Ignored { path, line });
    }
}

/// A mapper from one XML element (at a JSON pointer) to its API value.
pub(crate) type Mapper = fn(&Element, &str, &mut Ctx) -> Option<Value>;

/// An element whose children and attributes are consumed one by one; what is
/// left when it is finished is recorded as ignored.
pub(crate) struct Node<'a> {
    el: &'a Element,
    ptr: String,
    used: Vec<bool>,
    used_attrs: Vec<bool>,
}

impl<'a> Node<'a> {
    pub fn new(el: &'a Element, ptr: &str) -> Self {
        Self {
            el,
            ptr: ptr.to_string(),
            used: vec![false; el.children.len()],
            used_attrs: vec![false; el.attrs.len()],
        }
    }

    pub fn element(&self) -> &'a Element {
        self.el
    }

    /// The first unused child with this name.
    pub fn take(&mut self, name: &str) -> Option<&'a Element> {
        let el = self.el;
        let i = el
            .children
            .iter()
            .enumerate()
            .position(|(i, c)| !self.used[i] && c.name == name)?;
        self.used[i] = true;
        Some(&el.children[i])
    }

    /// Every unused child with one of these names, in document order.
    pub fn take_all(&mut self, names: &[&str]) -> Vec<&'a Element> {
        let el = self.el;
        let mut found = Vec::new();
        for (i, c) in el.children.iter().enumerate() {
            if !self.used[i] && names.contains(&c.name.as_str()) {
                self.used[i] = true;
                found.push(c);
            }
        }
        found
    }

    /// The value of the first unused attribute with this name.
    pub fn attr(&mut self, name: &str) -> Option<&'a str> {
        let el = self.el;
        let i = el
            .attrs
            .iter()
            .enumerate()
            .position(|(i, (k, _))| !self.used_attrs[i] && k == name)?;
        self.used_attrs[i] = true;
        Some(el.attrs[i].1.as_str())
    }

    /// Records every child and attribute not taken as ignored.
    pub fn finish(self, ctx: &mut Ctx) {
        for (i, (key, _)) in self.el.attrs.iter().enumerate() {
            if !self.used_attrs[i] {
                ctx.ignore(format!("{}/_{key}", self.ptr), self.el.line);
            }
        }
        for (i, child) in self.el.children.iter().enumerate() {
            if !self.used[i] {
                ctx.ignore(format!("{}/{}", self.ptr, child.name), child.line);
            }
        }
    }
}

/// A JSON object being built at a pointer, recording each property's line.
pub(crate) struct Out {
    ptr: String,
    map: Map<String, Value>,
}

impl Out {
    pub fn new(ptr: &str) -> Self {
        Self {
            ptr: ptr.to_string(),
            map: Map::new(),
        }
    }

    pub fn child_ptr(&self, key: &str) -> String {
        format!("{}/{key}", self.ptr)
    }

    /// Sets a property and records its line.
    pub fn put(&mut self, ctx: &mut Ctx, key: &str, value: Value, line: u32) {
        ctx.pointer_lines.insert(self.child_ptr(key), line);
        self.map.insert(key.to_string(), value);
    }

    /// Maps `el` into property `key` when the mapper produces a value.
    pub fn emit(&mut self, ctx: &mut Ctx, key: &str, el: &Element, f: Mapper) {
        if let Some(value) = f(el, &self.child_ptr(key), ctx) {
            self.put(ctx, key, value, el.line);
        }
    }

    /// Maps the first child named `name` into property `key`.
    pub fn one(&mut self, ctx: &mut Ctx, node: &mut Node<'_>, name: &str, key: &str, f: Mapper) {
        if let Some(el) = node.take(name) {
            self.emit(ctx, key, el, f);
        }
    }

    /// Maps every child with one of `names` into array `key` (even a single
    /// one); returns the lines of the items that made it into the array.
    pub fn many(
        &mut self,
        ctx: &mut Ctx,
        node: &mut Node<'_>,
        names: &[&str],
        key: &str,
        f: Mapper,
    ) -> Vec<u32> {
        let array_ptr = self.child_ptr(key);
        let mut items = Vec::new();
        let mut lines = Vec::new();
        for el in node.take_all(names) {
            let item_ptr = format!("{array_ptr}/{}", items.len());
            if let Some(value) = f(el, &item_ptr, ctx) {
                ctx.pointer_lines.insert(item_ptr, el.line);
                items.push(value);
                lines.push(el.line);
            }
        }
        if let Some(&first) = lines.first() {
            self.put(ctx, key, Value::Array(items), first);
        }
        lines
    }

    /// Sets array `key` from items built elsewhere, recording its line.
    pub fn put_array(&mut self, ctx: &mut Ctx, key: &str, items: Vec<Value>, line: Option<u32>) {
        if let (false, Some(line)) = (items.is_empty(), line) {
            self.put(ctx, key, Value::Array(items), line);
        }
    }

    /// Copies attribute `name` into property `key` when present and non-empty.
    pub fn attr(&mut self, ctx: &mut Ctx, node: &mut Node<'_>, name: &str, key: &str) {
        let line = node.element().line;
        if let Some(value) = node.attr(name).map(collapse_ws).filter(|v| !v.is_empty()) {
            self.put(ctx, key, Value::String(value), line);
        }
    }

    /// The object, or `None` when nothing of the element made it in.
    pub fn into_value(self) -> Option<Value> {
        (!self.map.is_empty()).then_some(Value::Object(self.map))
    }
}

/// Collapses runs of XML whitespace into one space and trims the ends
/// (pretty-printed XML wraps long titles; EMA cells never carry those breaks).
pub(crate) fn collapse_ws(s: &str) -> String {
    s.split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A leaf element's text; its own attributes and children are ignored.
pub(crate) fn leaf_text(el: &Element, ptr: &str, ctx: &mut Ctx) -> String {
    Node::new(el, ptr).finish(ctx);
    collapse_ws(&el.text)
}

/// A string leaf; empty text counts as absent.
pub(crate) fn string(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    Some(leaf_text(el, ptr, ctx))
        .filter(|s| !s.is_empty())
        .map(Value::String)
}

/// An integer leaf (`xs:int`, `xs:integer`); empty text counts as absent.
pub(crate) fn integer(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let text = leaf_text(el, ptr, ctx);
    if text.is_empty() {
        return None;
    }
    match text.parse::<i64>() {
        Ok(n) => Some(Value::from(n)),
        Err(_) => {
            ctx.invalid(ptr, el, "an integer");
            None
        }
    }
}

/// A boolean leaf (`xs:boolean`: `true`, `false`, `1`, `0`); empty counts as absent.
pub(crate) fn boolean(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let text = leaf_text(el, ptr, ctx);
    match text.to_ascii_lowercase().as_str() {
        "" => None,
        "true" | "1" => Some(Value::Bool(true)),
        "false" | "0" => Some(Value::Bool(false)),
        _ => {
            ctx.invalid(ptr, el, "a boolean (true or false)");
            None
        }
    }
}

/// Splits one element's text into list items on `separators`, each item's
/// whitespace collapsed, empty items dropped.
pub(crate) fn split_list(text: &str, separators: &[char]) -> Vec<String> {
    text.split(separators)
        .map(collapse_ws)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parses an `xs:decimal` into a JSON number.
pub(crate) fn decimal(text: &str) -> Option<Value> {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '+' | '-'));
    let n: f64 = text.parse().ok().filter(|_| plain)?;
    serde_json::Number::from_f64(n).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_whitespace() {
        assert_eq!(collapse_ws("  a \n\t\t b  "), "a b");
        assert_eq!(collapse_ws(" \n "), "");
    }

    #[test]
    fn lists() {
        assert_eq!(split_list(" EN, FR ,,ES ", &[',']), ["EN", "FR", "ES"]);
        assert_eq!(split_list("a;\n b", &[';', '\n']), ["a", "b"]);
        assert!(split_list(" , ", &[',']).is_empty());
    }

    #[test]
    fn decimals() {
        assert_eq!(decimal("1000.00"), Some(Value::from(1000.0)));
        assert_eq!(decimal("8.99"), Some(Value::from(8.99)));
        assert_eq!(decimal("-3"), Some(Value::from(-3.0)));
        assert_eq!(decimal("1e5"), None);
        assert_eq!(decimal("NaN"), None);
        assert_eq!(decimal(""), None);
        assert_eq!(decimal("1.2.3"), None);
    }
}
