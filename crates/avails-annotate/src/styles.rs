//! The workbook's styles part, kept as it is with entries appended: the
//! fills of the marks, the fonts and formats of the Findings sheet, and
//! for each style a marked cell had, a copy of that style (its font,
//! borders, number format, alignment, protection) with the mark's fill.
//! Existing entries keep their indexes, so every cell not marked, every
//! conditional format (`dxfs`) and every named style looks as before.

use std::collections::HashMap;

use crate::style::{ERROR_FILL, WARNING_FILL};
use crate::xml::{self, Edits, Element};
use crate::Severity;

/// A stylesheet for a package that has none (no part to keep).
pub const MINIMAL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>\
<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>\
<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>\
<cellXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/></cellXfs>\
<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>\
</styleSheet>";

/// Formats of the Findings sheet (indexes into `cellXfs`).
#[derive(Debug, Clone, Copy)]
pub struct FindingsStyles {
    /// The first line.
    pub title: u32,
    /// The table's titles.
    pub bold: u32,
    /// An error's severity cell.
    pub error: u32,
    /// A warning's severity cell.
    pub warning: u32,
    /// Messages, wrapped.
    pub wrap: u32,
    /// Links to cells.
    pub link: u32,
}

/// One list of the stylesheet (`fonts`, `fills`, `cellXfs`).
struct Section {
    element: usize,
    count: usize,
    added: Vec<String>,
}

/// The styles part with what is appended to it.
pub struct StyleBook {
    bytes: Vec<u8>,
    els: Vec<Element>,
    prefix: String,
    fonts: Section,
    fills: Section,
    xfs: Section,
    /// Element index of each existing `cellXfs` entry.
    xf_elements: Vec<usize>,
    /// Fill ids of the marks: red, amber.
    mark_fills: [usize; 2],
    /// Style of a marked cell per (its own style, severity).
    marked: HashMap<(u32, Severity), u32>,
}

impl StyleBook {
    /// Reads a styles part; `Err` says what it lacks.
    pub fn new(bytes: Vec<u8>) -> Result<Self, String> {
        let els = xml::elements(&bytes)?;
        let find = |local: &[u8]| {
            els.iter()
                .position(|e| e.depth == 1 && xml::local_name(&e.name) == local)
                .ok_or_else(|| {
                    format!(
                        "the styles part has no <{}> list",
                        String::from_utf8_lossy(local)
                    )
                })
        };
        let (fonts, fills, xfs) = (find(b"fonts")?, find(b"fills")?, find(b"cellXfs")?);
        let children = |i: usize| -> Vec<usize> {
            let parent = &els[i];
            els.iter()
                .enumerate()
                .filter(|(_, e)| {
                    e.depth == parent.depth + 1 && e.start >= parent.start && e.end <= parent.end
                })
                .map(|(j, _)| j)
                .collect()
        };
        let xf_elements = children(xfs);
        let section = |i: usize| Section {
            element: i,
            count: children(i).len(),
            added: Vec::new(),
        };
        let prefix = els.first().map(Element::prefix).unwrap_or_default();
        let mut book = Self {
            prefix,
            fonts: section(fonts),
            fills: section(fills),
            xfs: section(xfs),
            xf_elements,
            bytes,
            els,
            mark_fills: [0, 0],
            marked: HashMap::new(),
        };
        if book.xfs.count == 0 {
            // A cell without a style is styled by entry 0: make sure there is one.
            let p = book.prefix.clone();
            book.xfs.added.push(format!(
                "<{p}xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
            ));
        }
        book.mark_fills = [book.solid_fill(ERROR_FILL), book.solid_fill(WARNING_FILL)];
        Ok(book)
    }

    fn solid_fill(&mut self, rgb: u32) -> usize {
        let p = &self.prefix;
        self.fills.added.push(format!(
            "<{p}fill><{p}patternFill patternType=\"solid\"><{p}fgColor rgb=\"FF{rgb:06X}\"/><{p}bgColor indexed=\"64\"/></{p}patternFill></{p}fill>"
        ));
        self.fills.count + self.fills.added.len() - 1
    }

    fn font(&mut self, inner: &str) -> usize {
        let p = &self.prefix;
        self.fonts.added.push(format!("<{p}font>{inner}</{p}font>"));
        self.fonts.count + self.fonts.added.len() - 1
    }

    fn xf(&mut self, xf: String) -> u32 {
        self.xfs.added.push(xf);
        (self.xfs.count + self.xfs.added.len() - 1) as u32
    }

    /// Adds the Findings sheet's fonts and formats.
    pub fn findings(&mut self) -> FindingsStyles {
        let p = self.prefix.clone();
        let bold = self.font(&format!(
            "<{p}b/><{p}sz val=\"11\"/><{p}name val=\"Calibri\"/><{p}family val=\"2\"/>"
        ));
        let title = self.font(&format!(
            "<{p}b/><{p}sz val=\"14\"/><{p}name val=\"Calibri\"/><{p}family val=\"2\"/>"
        ));
        let link = self.font(&format!(
            "<{p}u/><{p}sz val=\"11\"/><{p}color rgb=\"FF0563C1\"/><{p}name val=\"Calibri\"/><{p}family val=\"2\"/>"
        ));
        let plain = |font: usize, fill: usize, extra: &str| {
            format!(
                "<{p}xf numFmtId=\"0\" fontId=\"{font}\" fillId=\"{fill}\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\"{extra}"
            )
        };
        let [red, amber] = self.mark_fills;
        FindingsStyles {
            title: self.xf(plain(title, 0, "/>")),
            bold: self.xf(plain(bold, 0, "/>")),
            error: self.xf(plain(0, red, "/>")),
            warning: self.xf(plain(0, amber, "/>")),
            wrap: self.xf(plain(
                0,
                0,
                &format!(
                    " applyAlignment=\"1\"><{p}alignment vertical=\"top\" wrapText=\"1\"/></{p}xf>"
                ),
            )),
            link: self.xf(plain(link, 0, "/>")),
        }
    }

    /// The style of a cell of style `own` marked with `severity`: a copy of
    /// `own` with the mark's fill (one copy per style and severity).
    pub fn marked(&mut self, own: u32, severity: Severity) -> u32 {
        if let Some(&s) = self.marked.get(&(own, severity)) {
            return s;
        }
        let fill = match severity {
            Severity::Error => self.mark_fills[0],
            Severity::Warning => self.mark_fills[1],
        };
        let set = [("fillId", fill.to_string()), ("applyFill", "1".to_string())];
        let xf = match self
            .xf_elements
            .get(own as usize)
            .or(self.xf_elements.first())
        {
            Some(&i) => {
                let e = &self.els[i];
                let mut xf = xml::start_tag(&e.name, &e.attrs, &set, e.close.is_none());
                xf.extend_from_slice(&self.bytes[e.start_end..e.end]);
                String::from_utf8_lossy(&xf).into_owned()
            }
            None => {
                let p = &self.prefix;
                format!("<{p}xf numFmtId=\"0\" fontId=\"0\" fillId=\"{fill}\" borderId=\"0\" xfId=\"0\" applyFill=\"1\"/>")
            }
        };
        let s = self.xf(xf);
        self.marked.insert((own, severity), s);
        s
    }

    /// The part with the appended entries and counts.
    pub fn finish(self) -> Vec<u8> {
        let mut edits = Edits::default();
        for section in [&self.fonts, &self.fills, &self.xfs] {
            if section.added.is_empty() {
                continue;
            }
            let e = &self.els[section.element];
            let count = (section.count + section.added.len()).to_string();
            let items = section.added.concat();
            match e.close {
                Some(close) => {
                    edits.replace(
                        e.start,
                        e.start_end,
                        xml::start_tag(&e.name, &e.attrs, &[("count", count)], false),
                    );
                    edits.insert(close, items.into_bytes());
                }
                None => {
                    let mut whole = xml::start_tag(&e.name, &e.attrs, &[("count", count)], false);
                    whole.extend_from_slice(items.as_bytes());
                    whole.extend_from_slice(b"</");
                    whole.extend_from_slice(&e.name);
                    whole.push(b'>');
                    edits.replace(e.start, e.end, whole);
                }
            }
        }
        edits.apply(&self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_style_is_the_cell_s_own_with_the_mark_s_fill() {
        let mut book = StyleBook::new(MINIMAL.as_bytes().to_vec()).unwrap();
        let own = r#"<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"><alignment wrapText="1"/></xf>"#;
        let src = MINIMAL.replace(
            "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/></cellXfs>",
            &format!("<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>{own}</cellXfs>"),
        );
        book = StyleBook::new(src.into_bytes()).unwrap_or(book);
        let s = book.marked(1, Severity::Error);
        assert_eq!(s, 2);
        assert_eq!(book.marked(1, Severity::Error), 2);
        assert_eq!(book.marked(0, Severity::Warning), 3);
        let out = String::from_utf8(book.finish()).unwrap();
        assert!(out.contains("<fills count=\"4\">"), "{out}");
        assert!(out.contains("<cellXfs count=\"4\">"), "{out}");
        assert!(out.contains(
            r#"<xf numFmtId="14" fontId="0" fillId="2" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"><alignment wrapText="1"/></xf>"#
        ), "{out}");
        assert!(out.contains(r#"<fgColor rgb="FFF8696B"/>"#));
    }
}
