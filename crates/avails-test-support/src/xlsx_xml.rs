//! Reads what calamine does not show from an XLSX file's XML (zip +
//! quick-xml): each cell's solid fill colour, the notes (comments), the
//! hyperlinks, the autofilter and the column widths of every sheet.
//!
//! Written for the tests independently of `avails-annotate`'s own package
//! reader, so the library is not checked with itself. Used by avails-annotate's
//! tests and the CLI's `validate --annotate` tests.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// One worksheet as its XML says.
#[derive(Debug, Default, Clone)]
pub struct SheetXml {
    /// Sheet name.
    pub name: String,
    /// `state="hidden"` in the workbook.
    pub hidden: bool,
    /// Cell reference (`C12`) → solid fill colour (`FFF8696B`).
    pub fills: BTreeMap<String, String>,
    /// Cell reference → note text.
    pub notes: BTreeMap<String, String>,
    /// Note author per cell reference.
    pub note_authors: BTreeMap<String, String>,
    /// Cell reference → internal link location (`'Movies'!C12`).
    pub links: BTreeMap<String, String>,
    /// The autofilter's range, if any.
    pub autofilter: Option<String>,
    /// `<col min max width hidden>` as (first, last, width, hidden), 1-based.
    pub cols: Vec<(u32, u32, Option<f64>, bool)>,
    /// Merged ranges (`A1:C1`).
    pub merges: Vec<String>,
}

/// Every worksheet of `path`, in workbook order.
pub fn inspect(path: &Path) -> Vec<SheetXml> {
    let mut zip = zip::ZipArchive::new(BufReader::new(File::open(path).unwrap())).unwrap();
    let mut read = |name: &str| -> Option<String> {
        let mut f = zip.by_name(name).ok()?;
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        Some(s)
    };
    let workbook = read("xl/workbook.xml").expect("xl/workbook.xml");
    let rels = relationships(&read("xl/_rels/workbook.xml.rels").unwrap());
    let styles = read("xl/styles.xml").unwrap();
    let xf_fills = xf_fills(&styles);
    let mut out = Vec::new();
    for_each(&workbook, |e, _| {
        if e.local_name().as_ref() == "sheet" {
            out.push((
                attr(e, "name").unwrap(),
                attr(e, "id").unwrap(),
                attr(e, "state").is_some_and(|s| s == "hidden"),
            ));
        }
    });
    out.into_iter()
        .map(|(name, rid, hidden)| {
            let target = rels[&rid].clone();
            let part = format!("xl/{}", target.trim_start_matches("/xl/"));
            let xml = read(&part).unwrap();
            let mut sheet = SheetXml {
                name,
                hidden,
                ..SheetXml::default()
            };
            for_each(&xml, |e, _| match e.local_name().as_ref() {
                "c" => {
                    let r = attr(e, "r").unwrap();
                    let s: usize = attr(e, "s").map_or(0, |s| s.parse().unwrap());
                    if let Some(Some(rgb)) = xf_fills.get(s) {
                        sheet.fills.insert(r, rgb.clone());
                    }
                }
                "hyperlink" => {
                    if let (Some(r), Some(loc)) = (attr(e, "ref"), attr(e, "location")) {
                        sheet.links.insert(r, loc);
                    }
                }
                "autoFilter" => sheet.autofilter = attr(e, "ref"),
                "mergeCell" => sheet.merges.push(attr(e, "ref").unwrap()),
                "col" => sheet.cols.push((
                    attr(e, "min").unwrap().parse().unwrap(),
                    attr(e, "max").unwrap().parse().unwrap(),
                    attr(e, "width").map(|w| w.parse().unwrap()),
                    attr(e, "hidden").is_some_and(|h| h == "1"),
                )),
                _ => {}
            });
            let (dir, file) = part.rsplit_once('/').unwrap();
            if let Some(srels) = read(&format!("{dir}/_rels/{file}.rels")) {
                let mut comments = None;
                for_each(&srels, |e, _| {
                    if e.local_name().as_ref() == "Relationship"
                        && attr(e, "Type").unwrap().ends_with("/comments")
                    {
                        comments = attr(e, "Target");
                    }
                });
                if let Some(target) = comments {
                    let name = resolve(dir, &target);
                    let (notes, authors) = notes(&read(&name).unwrap());
                    sheet.notes = notes;
                    sheet.note_authors = authors;
                }
            }
            sheet
        })
        .collect()
}

fn resolve(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').collect();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| quick_xml::escape::unescape(&a.value).unwrap().into_owned())
}

/// Calls `f(element, is_start)` on each start and empty element.
fn for_each(xml: &str, mut f: impl FnMut(&BytesStart<'_>, bool)) {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => f(&e, true),
            Event::Empty(e) => f(&e, false),
            Event::Eof => break,
            _ => {}
        }
    }
}

fn relationships(xml: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for_each(xml, |e, _| {
        if e.local_name().as_ref() == "Relationship" {
            out.insert(attr(e, "Id").unwrap(), attr(e, "Target").unwrap());
        }
    });
    out
}

/// Per cellXfs entry, the solid fill colour its fillId names, if any.
fn xf_fills(styles: &str) -> Vec<Option<String>> {
    let mut reader = Reader::from_str(styles);
    let mut fills: Vec<Option<String>> = Vec::new();
    let mut xfs: Vec<usize> = Vec::new();
    let mut in_fills = false;
    let mut in_xfs = false;
    let mut solid = false;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "fills" => in_fills = true,
                "cellXfs" => in_xfs = true,
                "fill" if in_fills => fills.push(None),
                "patternFill" if in_fills => {
                    solid = attr(&e, "patternType").is_some_and(|p| p == "solid")
                }
                "fgColor" if in_fills && solid => {
                    if let Some(last) = fills.last_mut() {
                        *last = attr(&e, "rgb");
                    }
                }
                "xf" if in_xfs => {
                    xfs.push(attr(&e, "fillId").map_or(0, |f| f.parse().unwrap()));
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "fills" => in_fills = false,
                "cellXfs" => in_xfs = false,
                "patternFill" => solid = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    xfs.into_iter()
        .map(|f| fills.get(f).cloned().flatten())
        .collect()
}

/// Comment texts (their runs joined) and authors by cell reference.
fn notes(xml: &str) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut reader = Reader::from_str(xml);
    let mut authors: Vec<String> = Vec::new();
    let mut in_author = false;
    let mut texts = BTreeMap::new();
    let mut by = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_t = false;
    let mut text = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => match e.local_name().as_ref() {
                "author" => in_author = true,
                "comment" => {
                    let r = attr(&e, "ref").unwrap();
                    let author: usize = attr(&e, "authorId").map_or(0, |a| a.parse().unwrap());
                    if let Some(name) = authors.get(author) {
                        by.insert(r.clone(), name.clone());
                    }
                    current = Some(r);
                    text.clear();
                }
                "t" => in_t = true,
                _ => {}
            },
            Event::Text(t) => {
                let s = t.xml10_content();
                if in_author {
                    authors.push(s.into_owned());
                } else if in_t {
                    text.push_str(&s);
                }
            }
            Event::GeneralRef(r) if in_t => match quick_xml::escape::resolve_xml_entity(&r) {
                Some(s) => text.push_str(s),
                None => text.push(r.resolve_char_ref().unwrap().unwrap()),
            },
            Event::End(e) => match e.local_name().as_ref() {
                "author" => in_author = false,
                "t" => in_t = false,
                "comment" => {
                    if let Some(r) = current.take() {
                        texts.insert(r, text.clone());
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    (texts, by)
}

/// `'Movies'!C12` → (`Movies`, `C12`).
pub fn split_location(location: &str) -> (String, String) {
    let (sheet, cell) = location.rsplit_once('!').expect("sheet!cell");
    let sheet = sheet
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .map_or_else(|| sheet.to_string(), |s| s.replace("''", "'"));
    (sheet, cell.to_string())
}
