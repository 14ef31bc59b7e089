//! Small XLSX packages written from XML text, so a test can damage exactly
//! the part it is about: a one-sheet workbook ("Movies") whose worksheet,
//! shared-string table and styles are the test's own text, zipped with
//! deflate.

use std::io::Write;
use std::path::{Path, PathBuf};

use avails_model::location::column_letter;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Movies" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SST_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;

/// Styles where cell format 1 is a date (number format 14, `m/d/yyyy`).
pub const DATE_STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#;

/// Row 1: the column names `columns` as inline strings from column A on.
pub fn header_row(columns: &[&str]) -> String {
    let cells: String = columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let col = column_letter(i);
            format!(r#"<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>"#)
        })
        .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}

/// A worksheet: the [`header_row`] of `columns`, then `rows` (whole `<row>`
/// elements, or any XML to put after the header row).
pub fn worksheet(columns: &[&str], rows: &str) -> String {
    format!(
        "{SHEET_START}{}{rows}</sheetData></worksheet>",
        header_row(columns)
    )
}

/// A shared-string table of `strings`, counted.
pub fn shared_strings(strings: &[&str]) -> String {
    let items: String = strings
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    format!(
        r#"{SST_START} count="{0}" uniqueCount="{0}">{items}</sst>"#,
        strings.len()
    )
}

/// A shared-string table whose inner XML is `items` as given (any number of
/// `<si>` elements, or damage), without counts.
pub fn shared_strings_table(items: &str) -> String {
    format!("{SST_START}>{items}</sst>")
}

/// The zip bytes of a one-sheet workbook ("Movies") of the worksheet
/// `sheet`, with the shared-string table `sst` when given.
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
        out.start_file(*name, options).expect("a zip part starts");
        out.write_all(content.as_bytes())
            .expect("a zip part is written");
    }
    out.finish().expect("the zip is finished").into_inner()
}

/// Writes `bytes` as `name` in `dir`.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("the test file is written");
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worksheet_is_its_header_then_the_rows() {
        assert_eq!(
            worksheet(&["ALID", "Start"], r#"<row r="2"/>"#),
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
                r#"<row r="1"><c r="A1" t="inlineStr"><is><t>ALID</t></is></c><c r="B1" t="inlineStr"><is><t>Start</t></is></c></row>"#,
                r#"<row r="2"/></sheetData></worksheet>"#
            )
        );
    }

    #[test]
    fn a_workbook_holds_the_sheet_and_the_shared_strings_given() {
        let bytes = workbook("SHEET", Some(&shared_strings(&["a", "b"])));
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
            text
        };
        assert_eq!(read("xl/worksheets/sheet1.xml"), "SHEET");
        assert!(read("xl/sharedStrings.xml")
            .ends_with(r#" count="2" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#));
        assert!(read("xl/workbook.xml").contains(r#"<sheet name="Movies""#));
    }
}
