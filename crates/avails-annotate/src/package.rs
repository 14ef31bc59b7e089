//! What calamine does not say about an XLSX package, read from its XML with
//! zip and quick-xml: the date system, each sheet's column widths and
//! hidden columns, and how many formulas it holds.
//!
//! All of it is best effort: a package whose parts cannot be read this way
//! is still annotated, with default widths and no formula count.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

/// Widths and visibility of a run of columns (`<col min max width hidden>`).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRun {
    /// First column, 0-based.
    pub first: u16,
    /// Last column, 0-based, inclusive.
    pub last: u16,
    /// Width as stored (character units including padding), when custom.
    pub width: Option<f64>,
    /// Whether the columns are hidden.
    pub hidden: bool,
}

/// One worksheet's layout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetLayout {
    /// Column runs of `<cols>`.
    pub columns: Vec<ColumnRun>,
    /// Cells holding a formula (their cached value is what gets copied).
    pub formulas: usize,
}

/// What the package says beyond the cell values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Package {
    /// The workbook counts dates from 1904 (old Mac Excel).
    pub date1904: bool,
    /// Layout per sheet name.
    pub sheets: HashMap<String, SheetLayout>,
}

/// Reads the package of an XLSX file; an unreadable part gives defaults.
pub fn read(path: &Path) -> Package {
    File::open(path)
        .ok()
        .and_then(|f| ZipArchive::new(BufReader::new(f)).ok())
        .and_then(|mut zip| read_zip(&mut zip))
        .unwrap_or_default()
}

fn read_zip<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Option<Package> {
    let workbook = office_document(zip).unwrap_or_else(|| "xl/workbook.xml".to_string());
    let (date1904, sheets) = workbook_sheets(zip, &workbook)?;
    let rels = relationships(zip, &rels_path(&workbook))?;
    let dir = workbook.rsplit_once('/').map_or("", |(d, _)| d);
    let mut out = Package {
        date1904,
        sheets: HashMap::new(),
    };
    for (name, rid) in sheets {
        let Some(target) = rels.get(&rid) else {
            continue;
        };
        let part = resolve(dir, target);
        if let Some(layout) = sheet_layout(zip, &part) {
            out.sheets.insert(name, layout);
        }
    }
    Some(out)
}

fn part<'z, R: Read + Seek>(
    zip: &'z mut ZipArchive<R>,
    name: &str,
) -> Option<Reader<BufReader<zip::read::ZipFile<'z, R>>>> {
    let file = zip.by_name(name.trim_start_matches('/')).ok()?;
    Some(Reader::from_reader(BufReader::new(file)))
}

/// An attribute by local name, entities resolved (white space kept as written).
fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            quick_xml::escape::unescape(&a.value)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Calls `f` on every start or empty element until it returns false or the part ends.
fn each_element<B: BufRead>(
    reader: &mut Reader<B>,
    mut f: impl FnMut(&BytesStart<'_>) -> bool,
) -> Option<()> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if !f(&e) => return Some(()),
            Event::Eof => return Some(()),
            _ => {}
        }
    }
}

fn office_document<R: Read + Seek>(zip: &mut ZipArchive<R>) -> Option<String> {
    let mut reader = part(zip, "_rels/.rels")?;
    let mut found = None;
    each_element(&mut reader, |e| {
        if e.local_name().as_ref() == "Relationship"
            && attr(e, "Type").is_some_and(|t| t.ends_with("/officeDocument"))
        {
            found = attr(e, "Target");
            return false;
        }
        true
    })?;
    found.map(|t| t.trim_start_matches('/').to_string())
}

fn workbook_sheets<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    workbook: &str,
) -> Option<(bool, Vec<(String, String)>)> {
    let mut reader = part(zip, workbook)?;
    let mut date1904 = false;
    let mut sheets = Vec::new();
    each_element(&mut reader, |e| {
        match e.local_name().as_ref() {
            "workbookPr" => {
                date1904 = attr(e, "date1904").is_some_and(|v| v == "1" || v == "true");
            }
            "sheet" => {
                if let (Some(name), Some(id)) = (attr(e, "name"), attr(e, "id")) {
                    sheets.push((name, id));
                }
            }
            _ => {}
        }
        true
    })?;
    Some((date1904, sheets))
}

fn rels_path(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

fn relationships<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    rels: &str,
) -> Option<HashMap<String, String>> {
    let mut reader = part(zip, rels)?;
    let mut out = HashMap::new();
    each_element(&mut reader, |e| {
        if e.local_name().as_ref() == "Relationship" {
            if let (Some(id), Some(target)) = (attr(e, "Id"), attr(e, "Target")) {
                out.insert(id, target);
            }
        }
        true
    })?;
    Some(out)
}

/// A relationship target resolved against the folder of the part naming it.
fn resolve(dir: &str, target: &str) -> String {
    if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn sheet_layout<R: Read + Seek>(zip: &mut ZipArchive<R>, name: &str) -> Option<SheetLayout> {
    let mut reader = part(zip, name)?;
    let mut layout = SheetLayout::default();
    let mut in_data = false;
    each_element(&mut reader, |e| {
        match e.local_name().as_ref() {
            "col" if !in_data => {
                let index = |k: &str| {
                    attr(e, k)
                        .and_then(|v| v.parse::<u32>().ok())
                        .filter(|&n| (1..=u32::from(crate::mark::MAX_COLUMNS)).contains(&n))
                        .map(|n| (n - 1) as u16)
                };
                if let (Some(first), Some(last)) = (index("min"), index("max")) {
                    let flag = |k: &str| attr(e, k).is_some_and(|v| v == "1" || v == "true");
                    let width = attr(e, "width")
                        .and_then(|w| w.parse::<f64>().ok())
                        .filter(|w| w.is_finite() && *w >= 0.0);
                    layout.columns.push(ColumnRun {
                        first,
                        last: last.max(first),
                        width: width.filter(|_| flag("customWidth") || !flag("hidden")),
                        hidden: flag("hidden"),
                    });
                }
            }
            "sheetData" => in_data = true,
            "f" if in_data => layout.formulas += 1,
            _ => {}
        }
        true
    })?;
    Some(layout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_against_the_workbook_folder() {
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl", "/xl/worksheets/sheet2.xml"),
            "xl/worksheets/sheet2.xml"
        );
        assert_eq!(
            resolve("xl/su", "../worksheets/s.xml"),
            "xl/worksheets/s.xml"
        );
        assert_eq!(rels_path("xl/workbook.xml"), "xl/_rels/workbook.xml.rels");
    }
}
