//! A small element tree read with quick-xml: local names, attributes, text
//! and the line each element starts on.

use quick_xml::escape::unescape;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use crate::MddfError;

/// Deepest element nesting accepted; deeper input is refused, not recursed.
pub(crate) const MAX_DEPTH: usize = 256;

/// One XML element with its namespace prefixes dropped.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Element {
    /// Local name (prefix dropped).
    pub name: String,
    /// Attributes by local name, in document order; `xmlns` declarations are not kept.
    pub attrs: Vec<(String, String)>,
    /// Text content with entities resolved, trimmed of XML whitespace at both
    /// ends (CDATA content is never trimmed).
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// 1-based line of the element's `<`.
    pub line: u32,
}

/// Byte offsets of line starts, to turn positions into lines and columns.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn locate(&self, pos: usize) -> (u32, u32) {
        let pos = pos.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= pos).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..pos)
            .map_or(pos - start, |s| s.chars().count())
            + 1;
        (to_u32(line), to_u32(column))
    }

    fn line(&self, pos: usize) -> u32 {
        self.locate(pos).0
    }

    fn error(&self, pos: usize, message: impl Into<String>) -> MddfError {
        let (line, column) = self.locate(pos);
        MddfError::Xml {
            line,
            column,
            message: message.into(),
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Text of an element being read; remembers where CDATA sits so that only
/// the surrounding markup whitespace is trimmed.
#[derive(Default)]
struct TextBuf {
    text: String,
    cdata: Option<(usize, usize)>,
}

impl TextBuf {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn push_cdata(&mut self, s: &str) {
        let start = self.cdata.map_or(self.text.len(), |(a, _)| a);
        self.text.push_str(s);
        self.cdata = Some((start, self.text.len()));
    }

    fn finish(self) -> String {
        let s = self.text.as_str();
        let lead = s.len() - s.trim_start_matches(is_xml_space).len();
        let trail = s.trim_end_matches(is_xml_space).len();
        let (start, end) = match self.cdata {
            Some((a, b)) => (lead.min(a), trail.max(b)),
            None => (lead, trail.max(lead)),
        };
        s[start..end].to_string()
    }
}

/// An element still open while reading.
struct Open {
    element: Element,
    text: TextBuf,
}

/// Parses a whole document into its root element.
pub(crate) fn parse(xml: &str) -> Result<Element, MddfError> {
    let lines = LineIndex::new(xml);
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let pos = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            lines.error(pos, e.to_string())
        })?;
        let tag_pos = xml
            .get(before..)
            .and_then(|rest| rest.find('<'))
            .map_or(before, |i| before + i);
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() && stack.is_empty() => {
                return Err(lines.error(tag_pos, "more than one root element"));
            }
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(MddfError::TooDeep {
                        line: lines.line(tag_pos),
                        limit: MAX_DEPTH,
                    });
                }
                let element = start_element(&e, &lines, tag_pos)?;
                stack.push(Open {
                    element,
                    text: TextBuf::default(),
                });
            }
            Event::Empty(e) => {
                let element = start_element(&e, &lines, tag_pos)?;
                close(element, &mut stack, &mut root);
            }
            Event::End(_) => match stack.pop() {
                Some(mut open) => {
                    open.element.text = open.text.finish();
                    close(open.element, &mut stack, &mut root);
                }
                None => return Err(lines.error(tag_pos, "closing tag without an opening tag")),
            },
            Event::Text(t) => {
                let s = t.xml10_content();
                match stack.last_mut() {
                    Some(open) => open.text.push(&s),
                    None if s.chars().all(is_xml_space) => {}
                    None => return Err(lines.error(before, "text outside the root element")),
                }
            }
            Event::CData(c) => match stack.last_mut() {
                Some(open) => open.text.push_cdata(&c),
                None => return Err(lines.error(before, "CDATA outside the root element")),
            },
            Event::GeneralRef(r) => {
                let resolved = resolve_ref(&r).map_err(|m| lines.error(before, m))?;
                match stack.last_mut() {
                    Some(open) => open.text.push(&resolved),
                    None => return Err(lines.error(before, "reference outside the root element")),
                }
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(lines.error(
            xml.len(),
            format!(
                "element <{}> opened at line {} is never closed",
                open.element.name, open.element.line
            ),
        ));
    }
    root.ok_or(MddfError::NoRoot)
}

/// Attaches a finished element to its parent, or makes it the root.
fn close(element: Element, stack: &mut [Open], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.element.children.push(element),
        None => *root = Some(element),
    }
}

/// Builds an element from a start tag: local name and non-namespace attributes.
fn start_element(
    e: &BytesStart<'_>,
    lines: &LineIndex<'_>,
    pos: usize,
) -> Result<Element, MddfError> {
    let name = e.local_name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| lines.error(pos, err.to_string()))?;
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        let key = attr.key.local_name().as_ref().to_owned();
        // Entities and character references resolved, white space kept as
        // written (no attribute-value normalization), as before quick-xml 0.42.
        let value = unescape(&attr.value).map_err(|err| lines.error(pos, err.to_string()))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        text: String::new(),
        children: Vec::new(),
        line: lines.line(pos),
    })
}

/// Resolves `&name;` in text: character references and the five XML entities.
fn resolve_ref(r: &BytesRef<'_>) -> Result<String, String> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c.to_string()),
            Ok(None) => Err("invalid character reference".into()),
            Err(e) => Err(e.to_string()),
        };
    }
    let name: &str = r;
    match quick_xml::escape::resolve_xml_entity(name) {
        Some(s) => Ok(s.to_string()),
        None => Err(format!("unknown entity `&{name};`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_lines_and_local_names() {
        let root =
            parse("<?xml version=\"1.0\"?>\n<a:x xmlns:a=\"u\">\n  <a:y k=\"v\">t</a:y>\n</a:x>")
                .unwrap();
        assert_eq!(root.name, "x");
        assert_eq!(root.line, 2);
        assert!(root.attrs.is_empty());
        assert_eq!(root.children[0].name, "y");
        assert_eq!(root.children[0].line, 3);
        assert_eq!(root.children[0].attrs, vec![("k".into(), "v".into())]);
    }

    #[test]
    fn keeps_cdata_whitespace_but_trims_markup_whitespace() {
        let root = parse("<a>\n  <![CDATA[ x < y ]]>\n</a>").unwrap();
        assert_eq!(root.text, " x < y ");
    }

    #[test]
    fn malformed_xml_reports_line_and_column() {
        let err = parse("<a>\n  <b></c>\n</a>").unwrap_err();
        match err {
            MddfError::Xml { line, column, .. } => {
                assert_eq!(line, 2);
                assert!(column >= 3, "column {column}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn refuses_unclosed_and_extra_roots_and_stray_text() {
        assert!(matches!(parse("<a><b></b>"), Err(MddfError::Xml { .. })));
        assert!(matches!(parse("<a/><b/>"), Err(MddfError::Xml { .. })));
        assert!(matches!(parse("<a/>text"), Err(MddfError::Xml { .. })));
        assert!(matches!(parse(""), Err(MddfError::NoRoot)));
        assert!(matches!(parse("<a>&nbsp;</a>"), Err(MddfError::Xml { .. })));
    }

    #[test]
    fn reads_a_byte_order_mark_and_crlf_line_ends() {
        let root =
            parse("\u{feff}<?xml version=\"1.0\"?>\r\n<a>\r\n  <b>x\r\ny</b>\r\n</a>").unwrap();
        assert_eq!(root.line, 2);
        assert_eq!(root.children[0].line, 3);
        assert_eq!(root.children[0].text, "x\ny");
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing() {
        let xml = "<a>".repeat(100_000);
        assert!(matches!(parse(&xml), Err(MddfError::TooDeep { .. })));
    }
}
