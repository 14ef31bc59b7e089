//! The XML being written, and the bookkeeping of what found no place in it.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde_json::{Map, Value};

/// An MDDF document being written, with what could not be written.
///
/// One `<Avail>` may hold several payloads (those of one ALID), so what is
/// recorded is keyed by payload (its index in the exported list) and by
/// pointer inside that payload; `owners` says which payloads the part being
/// written belongs to (all of the ALID's for the avail-level parts, one for
/// a transaction).
pub(crate) struct Doc {
    xml: Writer<Vec<u8>>,
    /// The payloads the part being written comes from.
    pub owners: Vec<usize>,
    /// Values MDDF has no place for, by payload and pointer.
    pub unplaced: BTreeSet<(usize, String)>,
    /// Why a value does not come back as it was (characters XML 1.0
    /// cannot hold, a second value a Term cannot hold...), by payload and pointer.
    pub why: BTreeMap<(usize, String), String>,
}

impl Doc {
    /// A document with its XML declaration written.
    pub fn new() -> io::Result<Self> {
        let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
        xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        Ok(Self {
            xml,
            owners: Vec::new(),
            unplaced: BTreeSet::new(),
            why: BTreeMap::new(),
        })
    }

    /// Records that the value at `pointer` of the current payloads has no
    /// place in MDDF.
    pub fn place_none(&mut self, pointer: String) {
        for &owner in &self.owners {
            self.unplaced.insert((owner, pointer.clone()));
        }
    }

    /// Records why the value at `pointer` of the current payloads does not
    /// come back as it was.
    pub fn note(&mut self, pointer: &str, why: String) {
        for &owner in &self.owners {
            self.why.insert((owner, pointer.to_string()), why.clone());
        }
    }

    /// Opens `<name attrs...>`.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        let mut start = BytesStart::new(name);
        for (k, v) in attrs {
            start.push_attribute((*k, *v));
        }
        self.xml.write_event(Event::Start(start))
    }

    /// Closes `</name>`.
    pub fn close(&mut self, name: &str) -> io::Result<()> {
        self.xml.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name attrs...>text</name>`, or `<name attrs.../>` without text.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> io::Result<()> {
        if text.is_empty() {
            let mut start = BytesStart::new(name);
            for (k, v) in attrs {
                start.push_attribute((*k, *v));
            }
            return self.xml.write_event(Event::Empty(start));
        }
        self.open(name, attrs)?;
        self.xml.write_event(Event::Text(BytesText::new(text)))?;
        self.close(name)
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        String::from_utf8_lossy(&self.xml.into_inner()).into_owned()
    }

    /// A string value as XML can hold it: characters XML 1.0 forbids (most
    /// control characters, U+FFFE, U+FFFF) are left out and recorded.
    pub fn text(&mut self, pointer: &str, s: &str) -> String {
        let kept: String = s.chars().filter(|c| xml_char(*c)).collect();
        if kept.len() != s.len() {
            let bad: Vec<String> = s
                .chars()
                .filter(|c| !xml_char(*c))
                .map(|c| format!("U+{:04X}", u32::from(c)))
                .collect();
            self.note(
                pointer,
                format!(
                    "XML 1.0 cannot hold the characters {}; written without them",
                    bad.join(", ")
                ),
            );
        }
        kept
    }

    /// Records every key left in `map` as having no place in MDDF.
    pub fn unplaced(&mut self, pointer: &str, map: Map<String, Value>) {
        for (key, value) in map {
            if !value.is_null() {
                self.place_none(format!("{pointer}/{key}"));
            }
        }
    }
}

/// Whether XML 1.0 allows this character in text and attribute values.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// An object's property taken out of it (so what is left is what no
/// element took).
pub(crate) fn take(map: &mut Map<String, Value>, key: &str) -> Option<Value> {
    map.remove(key).filter(|v| !v.is_null())
}

/// An object property taken out, when it is an object.
pub(crate) fn take_object(map: &mut Map<String, Value>, key: &str) -> Option<Map<String, Value>> {
    match take(map, key)? {
        Value::Object(m) => Some(m),
        other => {
            map.insert(key.to_string(), other);
            None
        }
    }
}

/// An array property taken out, when it is an array.
pub(crate) fn take_array(map: &mut Map<String, Value>, key: &str) -> Option<Vec<Value>> {
    match take(map, key)? {
        Value::Array(a) => Some(a),
        other => {
            map.insert(key.to_string(), other);
            None
        }
    }
}

/// The text of a scalar property taken out (strings as they are, numbers
/// and booleans in their XML form); objects and arrays are left in place.
pub(crate) fn take_scalar(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    let text = match map.get(key)? {
        Value::String(s) => s.clone(),
        Value::Number(n) => number_text(n),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    map.remove(key);
    Some(text)
}

/// A JSON number as `xs:decimal`/`xs:integer` text (never an exponent).
pub(crate) fn number_text(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.to_string(),
        (None, Some(u), _) => u.to_string(),
        // `Display` of f64 writes every digit, never `1e21`.
        (None, None, Some(f)) => f.to_string(),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_plain_decimals() {
        let n = |v: Value| match v {
            Value::Number(n) => number_text(&n),
            _ => unreachable!(),
        };
        assert_eq!(n(json!(8.99)), "8.99");
        assert_eq!(n(json!(1000.0)), "1000");
        assert_eq!(n(json!(1e21)), "1000000000000000000000");
        assert_eq!(n(json!(0.0000001)), "0.0000001");
        assert_eq!(n(json!(-3)), "-3");
    }

    #[test]
    fn forbidden_characters_are_left_out_and_recorded() {
        let mut doc = Doc::new().unwrap();
        doc.owners = vec![3];
        assert_eq!(doc.text("/ALID", "a\u{1}b\u{FFFF}\tc"), "ab\tc");
        assert!(doc.why[&(3, "/ALID".to_string())].contains("U+0001, U+FFFF"));
        assert_eq!(doc.text("/x", "é ✓ 𝄞"), "é ✓ 𝄞");
        assert!(!doc.why.contains_key(&(3, "/x".to_string())));
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut doc = Doc::new().unwrap();
        doc.leaf("a", &[("k", "\"<&>'")], "Tom & Jerry <3").unwrap();
        let xml = doc.finish();
        assert!(xml.contains("Tom &amp; Jerry &lt;3"), "{xml}");
        assert!(xml.contains("k=\"&quot;&lt;&amp;&gt;"), "{xml}");
    }
}
