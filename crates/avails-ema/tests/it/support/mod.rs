//! Builds small XLSX packages from XML text, so a test can damage exactly
//! the part it is about.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use avails_ema::{read_rows, EmaError, SheetEvent};
use avails_mapping::Mapping;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Movies" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// The EMA column names of the header row written by [`sheet_xml`].
pub const HEADER: [&str; 5] = ["ALID", "Territory", "LicenseType", "WorkType", "Start"];

/// A worksheet: the EMA header row (inline strings), then `rows`, each the
/// inner XML of one `<row>` (1-based row numbers from 2).
pub fn sheet_xml(rows: &[String]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">"#,
    );
    for (i, name) in HEADER.iter().enumerate() {
        let col = char::from(b'A' + i as u8);
        xml.push_str(&format!(
            r#"<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>"#
        ));
    }
    xml.push_str("</row>");
    for (i, row) in rows.iter().enumerate() {
        xml.push_str(&format!(r#"<row r="{}">{row}</row>"#, i + 2));
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// A shared-string table of `strings`.
pub fn shared_strings(strings: &[&str]) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">"#,
        strings.len()
    );
    for s in strings {
        xml.push_str(&format!("<si><t>{s}</t></si>"));
    }
    xml.push_str("</sst>");
    xml
}

/// The zip bytes of a one-sheet workbook ("Movies"), with a shared-string
/// table when `sst` is given.
pub fn workbook(sheet: &str, sst: Option<&str>) -> Vec<u8> {
    let mut parts = vec![
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(sst) = sst {
        parts.push(("xl/sharedStrings.xml", sst));
    }
    zip_parts(&parts)
}

/// Styles where cell format 1 is a date (number format 14, `m/d/yyyy`).
pub const DATE_STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

/// [`workbook`] with [`DATE_STYLES`], so `s="1"` cells are dates.
pub fn dated_workbook(sheet: &str) -> Vec<u8> {
    zip_parts(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/styles.xml", DATE_STYLES),
    ])
}

/// Zips `(name, content)` parts with deflate.
pub fn zip_parts(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        out.start_file(*name, options).unwrap();
        out.write_all(content.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Writes `bytes` as `name` in `dir`.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// What reading a file gave: the data rows (row number, cell texts) and the
/// result.
pub struct Read {
    /// Each data row: its 1-based number and its cells as displayed.
    pub rows: Vec<(u32, Vec<String>)>,
    /// What `read_rows` returned.
    pub result: Result<usize, EmaError>,
}

/// Reads `path` with the built-in mapping, labelled by its file name.
pub fn read(path: &Path) -> Read {
    let mapping = Mapping::default_table();
    let label = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut rows = Vec::new();
    let result = read_rows(path, &label, &mapping, &mut |event| {
        if let SheetEvent::Row { row, cells, .. } = event {
            rows.push((row, cells.iter().map(|c| c.display()).collect()));
        }
    });
    Read { rows, result }
}
