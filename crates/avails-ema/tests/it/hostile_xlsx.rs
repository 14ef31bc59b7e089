//! Damaged workbooks: every one is an error naming the file (and the sheet
//! where known), never a panic. Each fixture is built here, zipping XML
//! written by hand, so the damage is exactly the one named.

use crate::support;

use support::{dated_workbook, read, shared_strings, sheet_xml, workbook, write, zip_parts};

fn data_row(cells: &str) -> Vec<String> {
    vec![cells.to_string()]
}

/// The error of a read that must fail, as its message.
fn error_of(read: support::Read) -> String {
    match read.result {
        Ok(n) => panic!("read succeeded ({n} sheets, {} rows)", read.rows.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_valid_workbook_built_here_reads() {
    // The builder itself is sound: the same workbook without damage reads.
    let dir = tempfile::tempdir().unwrap();
    let sheet = sheet_xml(&data_row(
        r#"<c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>"#,
    ));
    let sst = shared_strings(&["ALID-1", "US"]);
    let path = write(dir.path(), "ok.xlsx", &workbook(&sheet, Some(&sst)));
    let read = read(&path);
    assert_eq!(read.result.unwrap(), 1);
    assert_eq!(
        read.rows,
        vec![(2, vec!["ALID-1".to_string(), "US".into()])]
    );
}

#[test]
fn a_shared_string_index_past_the_table_is_an_error_naming_file_and_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = sheet_xml(&data_row(r#"<c r="A2" t="s"><v>99</v></c>"#));
    let sst = shared_strings(&["only one"]);
    let path = write(
        dir.path(),
        "sst-past-end.xlsx",
        &workbook(&sheet, Some(&sst)),
    );
    let message = error_of(read(&path));
    assert!(message.starts_with("sst-past-end.xlsx:Movies"), "{message}");
}

#[test]
fn shared_strings_without_a_table_are_an_error_naming_file_and_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = sheet_xml(&data_row(r#"<c r="A2" t="s"><v>0</v></c>"#));
    let path = write(dir.path(), "no-sst.xlsx", &workbook(&sheet, None));
    let message = error_of(read(&path));
    assert!(message.starts_with("no-sst.xlsx:Movies"), "{message}");
}

#[test]
fn a_truncated_zip_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = sheet_xml(&data_row(
        r#"<c r="A2" t="inlineStr"><is><t>x</t></is></c>"#,
    ));
    let bytes = workbook(&sheet, None);
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 10] {
        let path = write(dir.path(), "truncated.xlsx", &bytes[..cut]);
        let message = error_of(read(&path));
        assert!(
            message.starts_with("truncated.xlsx"),
            "cut {cut}: {message}"
        );
    }
}

#[test]
fn a_sheet_cut_in_the_middle_is_an_error_naming_file_and_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<String> = (2..40)
        .map(|r| format!(r#"<c r="A{r}" t="inlineStr"><is><t>ALID-{r}</t></is></c>"#))
        .collect();
    let sheet = sheet_xml(&rows);
    // Cut inside a row, inside an element, and between two rows.
    let inside_row = sheet.find("ALID-20").unwrap();
    let inside_tag = sheet.find(r#"<c r="A30""#).unwrap() + 4;
    let between_rows = sheet.find(r#"<row r="25""#).unwrap();
    for cut in [inside_row, inside_tag, between_rows] {
        let path = write(dir.path(), "cut.xlsx", &workbook(&sheet[..cut], None));
        let message = error_of(read(&path));
        assert!(
            message.starts_with("cut.xlsx:Movies"),
            "cut at {cut}: {message}"
        );
    }
}

#[test]
fn a_workbook_missing_its_sheet_part_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = zip_parts(&[("[Content_Types].xml", "<Types/>")]);
    let path = write(dir.path(), "empty.xlsx", &bytes);
    let message = error_of(read(&path));
    assert!(message.starts_with("empty.xlsx"), "{message}");
}

/// A sheet with `<dimension ref="...">` before its data.
fn with_dimension(reference: &str) -> String {
    sheet_xml(&data_row(
        r#"<c r="A2" t="inlineStr"><is><t>ALID-2</t></is></c>"#,
    ))
    .replace(
        "<sheetData>",
        &format!(r#"<dimension ref="{reference}"/><sheetData>"#),
    )
}

#[test]
fn calamine_still_rejects_a_dimension_without_columns() {
    // Why `repair.rs` exists: when this test fails, calamine reads such
    // sheets itself and the repair can go.
    use calamine::Reader;
    let bytes = workbook(&with_dimension("1:65536"), None);
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let err = wb.worksheet_cells_reader("Movies").err().unwrap();
    assert!(
        err.to_string()
            .contains("missing the expected column component"),
        "{err}"
    );
}

#[test]
fn a_dimension_without_columns_is_repaired_and_every_row_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "libreoffice.xlsx",
        &workbook(&with_dimension("1:65536"), None),
    );
    let read = read(&path);
    assert_eq!(read.result.unwrap(), 1);
    assert_eq!(read.rows, vec![(2, vec!["ALID-2".to_string()])]);
}

#[test]
fn a_reversed_dimension_reads_or_is_an_error_never_a_panic() {
    // calamine subtracts the corners without checking their order: in a
    // debug build that overflows and panics, which must be contained.
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "reversed.xlsx",
        &workbook(&with_dimension("B5:A1"), None),
    );
    let read = read(&path);
    match read.result {
        Ok(_) => assert_eq!(read.rows, vec![(2, vec!["ALID-2".to_string()])]),
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.starts_with("reversed.xlsx:Movies: damaged workbook"),
                "{message}"
            );
        }
    }
}

#[test]
fn a_cell_beyond_the_last_column_or_row_is_an_error() {
    // Column XFE is one past Excel's last; row 4294967296 overflows a u32
    // in calamine (a panic in a debug build, a wrapped number in release).
    let dir = tempfile::tempdir().unwrap();
    for (reference, name) in [
        ("XFE2", "column.xlsx"),
        ("A1048577", "row.xlsx"),
        ("ZZZZZZZ2", "wrapped-column.xlsx"),
        ("A4294967296", "wrapped-row.xlsx"),
    ] {
        let cell = format!(r#"<c r="{reference}" t="inlineStr"><is><t>x</t></is></c>"#);
        let path = write(
            dir.path(),
            name,
            &workbook(&sheet_xml(&data_row(&cell)), None),
        );
        let message = error_of(read(&path));
        assert!(message.starts_with(&format!("{name}:Movies")), "{message}");
    }
}

#[test]
fn a_date_cell_far_outside_excels_range_is_a_number_not_a_panic() {
    // calamine's date conversion panics on -1e308 (chrono's millisecond
    // count overflows); the reader keeps such a cell as the number it is,
    // which the mapping then reports as not a date.
    let dir = tempfile::tempdir().unwrap();
    let row = r#"<c r="A2" t="inlineStr"><is><t>ALID-2</t></is></c><c r="E2" s="1"><v>-1e308</v></c><c r="F2" s="1"><v>45943.5</v></c>"#;
    let path = write(
        dir.path(),
        "dates.xlsx",
        &dated_workbook(&sheet_xml(&data_row(row))),
    );
    let read = read(&path);
    assert_eq!(read.result.unwrap(), 1);
    let cells = &read.rows[0].1;
    assert_eq!(cells[4].parse::<f64>().unwrap(), -1e308);
    assert_eq!(cells[5], "2025-10-13T12:00:00");
}

#[test]
fn the_content_not_the_extension_says_what_a_file_is() {
    let dir = tempfile::tempdir().unwrap();
    let cell = r#"<c r="A2" t="inlineStr"><is><t>ALID-2</t></is></c>"#;
    let bytes = workbook(&sheet_xml(&data_row(cell)), None);
    // A workbook saved with a .csv name is read as the workbook it is.
    let read_back = read(&write(dir.path(), "workbook.csv", &bytes));
    assert_eq!(read_back.result.unwrap(), 1);
    assert_eq!(read_back.rows, vec![(2, vec!["ALID-2".to_string()])]);
    // CSV text named .xlsx, and an empty .xlsx, are named for what they are.
    let text = write(
        dir.path(),
        "text.xlsx",
        b"ALID,Territory,WorkType\nA1,US,Movie\n",
    );
    let message = error_of(read(&text));
    assert!(
        message.starts_with(
            "text.xlsx: cannot open: not an Excel workbook: the file starts with `ALID,Territory"
        ),
        "{message}"
    );
    assert!(
        message.ends_with("if it is CSV text, name it .csv"),
        "{message}"
    );
    let message = error_of(read(&write(dir.path(), "empty.xlsx", b"")));
    assert_eq!(message, "empty.xlsx: cannot open: the file is empty");
}

/// A cell of `len` bytes of `fill` in row 2, inline.
fn long_cell_workbook(fill: char, len: usize) -> Vec<u8> {
    let text: String = std::iter::repeat_n(fill, len).collect();
    let sheet = sheet_xml(&data_row(&format!(
        r#"<c r="A2" t="inlineStr"><is><t>{text}</t></is></c>"#
    )));
    workbook(&sheet, None)
}

#[test]
fn a_cell_over_the_value_limit_is_refused_before_calamine_holds_it() {
    // 5 MiB of one letter deflates to a few KB; the default limit on one
    // value is 4 MiB (Excel's longest cell is 32,767 characters).
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cell.xlsx", &long_cell_workbook('x', 5 << 20));
    assert!(std::fs::metadata(&path).unwrap().len() < 64 * 1024);
    let message = error_of(read(&path));
    assert!(
        message.starts_with(
            "cell.xlsx: part xl/worksheets/sheet1.xml holds a text (or white space) between \
             tags of more than 4 MiB, the limit on one value"
        ),
        "{message}"
    );
    assert!(message.contains("AVAILS_MAX_VALUE_MIB=8"), "{message}");
}

#[test]
fn white_space_between_tags_counts_like_a_cell() {
    let dir = tempfile::tempdir().unwrap();
    let blank = " ".repeat(5 << 20);
    let sheet = sheet_xml(&data_row(
        r#"<c r="A2" t="inlineStr"><is><t>A1</t></is></c>"#,
    ))
    .replace("<sheetData>", &format!("<sheetData>{blank}"));
    let path = write(dir.path(), "blank.xlsx", &workbook(&sheet, None));
    let message = error_of(read(&path));
    assert!(
        message.contains("holds a text (or white space) between tags of more than 4 MiB"),
        "{message}"
    );
}

#[test]
fn a_long_attribute_is_refused_as_a_tag() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = sheet_xml(&data_row(
        r#"<c r="A2" t="inlineStr"><is><t>A1</t></is></c>"#,
    ))
    .replace(
        "<sheetData>",
        &format!(r#"<sheetData x="{}">"#, "y".repeat(5 << 20)),
    );
    let path = write(dir.path(), "tag.xlsx", &workbook(&sheet, None));
    let message = error_of(read(&path));
    assert!(
        message.contains("holds a tag of more than 4 MiB"),
        "{message}"
    );
}

#[test]
fn a_cell_under_the_value_limit_still_reads_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "long.xlsx", &long_cell_workbook('z', 3 << 20));
    let read = read(&path);
    assert_eq!(read.result.unwrap(), 1);
    assert_eq!(read.rows[0].1[0].len(), 3 << 20);
}
