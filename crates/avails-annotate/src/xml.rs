//! Small tools for editing an XML part in place: where elements start and
//! end in its bytes, edits applied by byte range, text escaped as OOXML
//! reads it back, and attributes read and replaced without touching the
//! others.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Attributes as written: qualified key and raw (escaped) value.
pub type Attrs = Vec<(Vec<u8>, Vec<u8>)>;

/// One element found in a part: its qualified name and where it lies.
#[derive(Debug, Clone)]
pub struct Element {
    /// Qualified name as written (`x:sheets`, `fills`).
    pub name: Vec<u8>,
    /// Offset of its `<`.
    pub start: usize,
    /// Offset just after its start tag (`>` or `/>`).
    pub start_end: usize,
    /// Offset of its end tag's `<` (`None` for an empty element).
    pub close: Option<usize>,
    /// Offset just after its end (the end tag, or the empty tag).
    pub end: usize,
    /// Attributes as written: qualified key and raw (escaped) value.
    pub attrs: Attrs,
    /// Depth: 0 for the root.
    pub depth: usize,
}

impl Element {
    /// The name's prefix with its colon (`x:`), or empty.
    pub fn prefix(&self) -> String {
        prefix_of(&self.name)
    }

    /// An attribute by local name, unescaped.
    pub fn attr(&self, local: &[u8]) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| local_name(k) == local)
            .map(|(_, v)| unescape(v))
    }
}

/// The prefix of a qualified name, with its colon.
pub fn prefix_of(name: &[u8]) -> String {
    match name.iter().position(|&b| b == b':') {
        Some(i) => String::from_utf8_lossy(&name[..=i]).into_owned(),
        None => String::new(),
    }
}

/// The local part of a qualified name.
pub fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Every element of a part (held whole: the small parts only), in
/// document order, or the reader's complaint.
pub fn elements(xml: &[u8]) -> Result<Vec<Element>, String> {
    let mut reader = Reader::from_reader(xml);
    let mut out: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                out.push(Element {
                    name: e.name().as_ref().as_bytes().to_vec(),
                    start: before,
                    start_end: after,
                    close: None,
                    end: after,
                    attrs: raw_attrs(e)?,
                    depth: open.len(),
                });
                if !empty {
                    open.push(out.len() - 1);
                }
            }
            Event::End(_) => {
                if let Some(i) = open.pop() {
                    out[i].close = Some(before);
                    out[i].end = after;
                }
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// The attributes of a start tag, raw.
pub fn raw_attrs(e: &BytesStart<'_>) -> Result<Attrs, String> {
    e.attributes()
        .map(|a| {
            a.map(|a| {
                (
                    a.key.as_ref().as_bytes().to_vec(),
                    a.value.into_owned().into_bytes(),
                )
            })
            .map_err(|e| e.to_string())
        })
        .collect()
}

/// A start tag (`<name a="1">`, or `<name a="1"/>` when `empty`) with
/// `set` replacing the attributes of the same local names in place, or
/// added at the end.
pub fn start_tag(
    name: &[u8],
    attrs: &[(Vec<u8>, Vec<u8>)],
    set: &[(&str, String)],
    empty: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.push(b'<');
    out.extend_from_slice(name);
    let mut done = vec![false; set.len()];
    for (k, v) in attrs {
        out.push(b' ');
        out.extend_from_slice(k);
        out.extend_from_slice(b"=\"");
        match set
            .iter()
            .position(|(key, _)| local_name(k) == key.as_bytes() && !k.starts_with(b"xmlns"))
        {
            Some(i) => {
                done[i] = true;
                out.extend_from_slice(escape(&set[i].1).as_bytes());
            }
            None => out.extend_from_slice(v),
        }
        out.push(b'"');
    }
    for ((k, v), done) in set.iter().zip(done) {
        if !done {
            out.extend_from_slice(format!(" {k}=\"{}\"", escape(v)).as_bytes());
        }
    }
    out.extend_from_slice(if empty { b"/>" } else { b">" });
    out
}

/// Byte-range edits of one part: each replaces `start..end` by its text.
#[derive(Debug, Default)]
pub struct Edits(Vec<(usize, usize, Vec<u8>)>);

impl Edits {
    /// Replaces `start..end`.
    pub fn replace(&mut self, start: usize, end: usize, with: impl Into<Vec<u8>>) {
        self.0.push((start, end, with.into()));
    }

    /// Inserts at `at`.
    pub fn insert(&mut self, at: usize, text: impl Into<Vec<u8>>) {
        self.0.push((at, at, text.into()));
    }

    /// `src` with the edits made (insertions at one place in the order given).
    pub fn apply(mut self, src: &[u8]) -> Vec<u8> {
        self.0.sort_by_key(|(s, e, _)| (*s, *e));
        let mut out = Vec::with_capacity(src.len() + 1024);
        let mut at = 0;
        for (start, end, text) in self.0 {
            let start = start.max(at);
            out.extend_from_slice(&src[at..start]);
            out.extend_from_slice(&text);
            at = end.max(start);
        }
        out.extend_from_slice(&src[at.min(src.len())..]);
        out
    }
}

/// Inserts `text` as the last content of `element`; an empty element is
/// opened and closed around it.
pub fn append_into(edits: &mut Edits, element: &Element, text: &str) {
    match element.close {
        Some(close) => edits.insert(close, text.as_bytes()),
        None => {
            let mut open = start_tag(&element.name, &element.attrs, &[], false);
            open.extend_from_slice(text.as_bytes());
            open.extend_from_slice(b"</");
            open.extend_from_slice(&element.name);
            open.push(b'>');
            edits.replace(element.start, element.end, open);
        }
    }
}

/// Text or an attribute value escaped for XML; characters XML 1.0 does not
/// allow are dropped, and `_xHHHH_` is escaped as OOXML requires so it
/// reads back as written.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            '_' if is_ooxml_escape(&text[i..]) => out.push_str("_x005F_"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` starts with `_xHHHH_`.
fn is_ooxml_escape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

/// A raw attribute value unescaped (lossy on a bad escape).
pub fn unescape(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    quick_xml::escape::unescape(&s)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| s.into_owned())
}

/// `AB12` → (row 11, column 27), 0-based.
pub fn parse_ref(r: &str) -> Option<(u32, u16)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let col = crate::mark::column_index(r[..split].trim_start_matches('$'))?;
    let row: u32 = r[split..].parse().ok()?;
    (1..=crate::mark::MAX_ROWS)
        .contains(&row)
        .then(|| (row - 1, col))
}

/// `(11, 27)` → `AB12`.
pub fn cell_name(row: u32, col: u16) -> String {
    format!("{}{}", crate::mark::column_letters(col), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_xml_and_ooxml_would_misread() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(escape("x\u{1}y"), "xy");
        assert_eq!(escape("_x0041_"), "_x005F_x0041_");
        assert_eq!(escape("_x00_"), "_x00_");
    }

    #[test]
    fn edits_and_elements() {
        let xml = b"<a><b n=\"1\"/><c>t</c></a>";
        let els = elements(xml).unwrap();
        assert_eq!(els.len(), 3);
        assert_eq!(els[1].attr(b"n").as_deref(), Some("1"));
        assert_eq!(els[1].close, None);
        assert_eq!(els[2].close, Some(17));
        let mut edits = Edits::default();
        append_into(&mut edits, &els[1], "<x/>");
        append_into(&mut edits, &els[2], "u");
        assert_eq!(
            edits.apply(xml),
            b"<a><b n=\"1\"><x/></b><c>tu</c></a>".to_vec()
        );
        assert_eq!(
            start_tag(
                b"c",
                &els[1].attrs,
                &[("n", "2".into()), ("s", "3".into())],
                true
            ),
            b"<c n=\"2\" s=\"3\"/>".to_vec()
        );
        assert_eq!(parse_ref("AB12"), Some((11, 27)));
        assert_eq!(parse_ref("A0"), None);
        assert_eq!(cell_name(11, 27), "AB12");
    }
}
