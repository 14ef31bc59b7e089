//! CSV as studios and careless tools write it: every physical row is read
//! or is an error at its line and column letter (1-based), in every
//! encoding Excel saves.

use crate::support;

use support::{read, write};

const HEADER: &str = "ALID,Territory,LicenseType,WorkType,Start,Title";

/// A CSV of the header and `n` data rows (`A1,US,EST,Movie,2025-01-0N,Title N`).
fn rows(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| format!("A{i},US,EST,Movie,2025-01-{:02},Title {i}", i % 28 + 1))
        .collect()
}

fn csv(lines: &[String]) -> String {
    let mut s = String::from(HEADER);
    s.push('\n');
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s
}

fn error_of(read: support::Read) -> String {
    match read.result {
        Ok(_) => panic!("read succeeded with {} rows", read.rows.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_physical_row_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ok.csv", csv(&rows(15)).as_bytes());
    let read = read(&path);
    assert_eq!(read.result.unwrap(), 1);
    let numbers: Vec<u32> = read.rows.iter().map(|r| r.0).collect();
    assert_eq!(numbers, (2..=16).collect::<Vec<_>>());
    assert_eq!(read.rows[0].1[5], "Title 1");
}

#[test]
fn an_unbalanced_quote_is_an_error_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(15);
    // Row 7 (line 8): the Title opens a quote it never closes; a later row
    // has quoted cells, so a lenient reader closes it there.
    lines[6] = "A7,US,EST,Movie,2025-01-08,\"Title 7".into();
    lines[9] = "A10,US,EST,Movie,\"2025-01-11\",\"Title, 10\"".into();
    let path = write(dir.path(), "quote.csv", csv(&lines).as_bytes());
    let message = error_of(read(&path));
    assert!(
        message.starts_with("quote.csv:F8: unbalanced quote"),
        "{message}"
    );
}

#[test]
fn a_quote_never_closed_is_an_error_at_the_cell_where_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(15);
    lines[2] = "A3,\"US,EST,Movie,2025-01-04,Title 3".into();
    let path = write(dir.path(), "open.csv", csv(&lines).as_bytes());
    let message = error_of(read(&path));
    assert!(
        message.starts_with("open.csv:B4: unbalanced quote"),
        "{message}"
    );
    assert!(message.contains("never closed"), "{message}");
}

#[test]
fn a_quote_closed_rows_later_is_an_error_not_a_swallowed_row() {
    // The quote opened on line 3 closes at the end of line 4 with a quote
    // that looks legitimate, merging two rows into one with too few cells.
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(5);
    lines[1] = "A2,US,EST,Movie,2025-01-03,\"Title 2".into();
    lines[2] = "A3,US,EST,Movie,2025-01-04,Title 3\"".into();
    let path = write(dir.path(), "merged.csv", csv(&lines).as_bytes());
    let message = error_of(read(&path));
    assert!(
        message.starts_with("merged.csv:F3: unbalanced quote?"),
        "{message}"
    );
    assert!(message.contains("spans lines 3 to 4"), "{message}");
}

#[test]
fn a_quoted_multi_line_cell_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(4);
    lines[1] = "A2,US,EST,Movie,2025-01-03,\"Title 2\r\nsecond line, with a comma\"".into();
    let path = write(dir.path(), "multi.csv", csv(&lines).as_bytes());
    let read = read(&path);
    assert_eq!(read.result.unwrap(), 1);
    assert_eq!(read.rows.len(), 4);
    assert_eq!(read.rows[1].1[5], "Title 2\r\nsecond line, with a comma");
    // Rows are records, as a spreadsheet program shows them.
    let numbers: Vec<u32> = read.rows.iter().map(|r| r.0).collect();
    assert_eq!(numbers, vec![2, 3, 4, 5]);
}

#[test]
fn an_error_after_a_multi_line_cell_names_row_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(4);
    lines[0] = "A1,US,EST,Movie,2025-01-02,\"two\nlines\"".into();
    lines[2] = "A3,US,EST,Mo\0vie,2025-01-04,Title 3".into();
    let path = write(dir.path(), "both.csv", csv(&lines).as_bytes());
    let message = error_of(read(&path));
    assert!(
        message.starts_with("both.csv:D4 (line 5): a NUL"),
        "{message}"
    );
}

#[test]
fn a_nul_byte_is_an_error_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(5);
    lines[3] = "A4\0,US,EST,Movie,2025-01-05,Title 4".into();
    let path = write(dir.path(), "nul.csv", csv(&lines).as_bytes());
    let message = error_of(read(&path));
    assert!(
        message.starts_with("nul.csv:A5: a NUL character"),
        "{message}"
    );
}

#[test]
fn a_byte_that_is_not_utf8_after_utf8_text_is_an_error_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(6);
    lines[1] = "A2,US,EST,Movie,2025-01-03,Amélie".into();
    let mut bytes = csv(&lines).into_bytes();
    // Row 6 (line 6), column C: `EST` with a Latin-1 `É` in the middle.
    let at = String::from_utf8(bytes.clone())
        .unwrap()
        .find("A5,US,E")
        .unwrap()
        + 7;
    bytes.insert(at, 0xC9);
    let path = write(dir.path(), "mixed.csv", &bytes);
    let message = error_of(read(&path));
    assert!(
        message.starts_with("mixed.csv:C6: byte 0xC9 is not UTF-8, though line 3 has UTF-8 text"),
        "{message}"
    );
}

#[test]
fn windows_1252_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(3);
    lines[2] = "A3,US,EST,Movie,2025-01-04,Am\u{e9}lie \u{20ac}5".into();
    let text = csv(&lines);
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| match c {
            '\u{20ac}' => 0x80,
            c => u8::try_from(u32::from(c)).unwrap(),
        })
        .collect();
    let path = write(dir.path(), "latin1.csv", &bytes);
    let read = read(&path);
    assert_eq!(read.result.unwrap(), 1);
    assert_eq!(read.rows[2].1[5], "Amélie €5");
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    std::iter::once(0xFEFFu16)
        .chain(text.encode_utf16())
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn utf16_with_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(3);
    lines[1] = "A2,US,EST,Movie,2025-01-03,日本語".into();
    let text = csv(&lines);
    let expected = read(&write(dir.path(), "utf8.csv", text.as_bytes())).rows;
    for big_endian in [false, true] {
        let path = write(dir.path(), "utf16.csv", &utf16(&text, big_endian));
        let read = read(&path);
        assert_eq!(read.result.unwrap(), 1, "big endian: {big_endian}");
        assert_eq!(read.rows, expected, "big endian: {big_endian}");
    }
    // Excel's "Unicode Text" is tab-separated UTF-16LE.
    let tabbed = text.replace(',', "\t");
    let path = write(dir.path(), "unicode.txt", &utf16(&tabbed, false));
    assert_eq!(read(&path).rows, expected);
}

#[test]
fn a_utf8_byte_order_mark_is_not_part_of_the_first_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv(&rows(2)).as_bytes());
    let path = write(dir.path(), "bom.csv", &bytes);
    let read = read(&path);
    assert_eq!(read.result.unwrap(), 1);
    assert_eq!(read.rows[0].1[0], "A1");
}

#[test]
fn semicolon_separated_csv_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv(&rows(3));
    let expected = read(&write(dir.path(), "comma.csv", text.as_bytes())).rows;
    // European Excel: `;` between cells, and the `sep=;` hint line.
    let semi = format!("sep=;\n{}", text.replace(',', ";"));
    let read = read(&write(dir.path(), "semi.csv", semi.as_bytes()));
    assert_eq!(read.result.unwrap(), 1);
    let shifted: Vec<_> = expected.into_iter().map(|(r, c)| (r + 1, c)).collect();
    assert_eq!(read.rows, shifted);
}

#[test]
fn a_row_wider_than_a_sheet_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = rows(3);
    lines[1].push_str(&",".repeat(20_000));
    let path = write(dir.path(), "wide.csv", csv(&lines).as_bytes());
    let message = error_of(read(&path));
    assert!(
        message.starts_with("wide.csv:XFE3: the row has 20,006 cells, more than the 16,384"),
        "{message}"
    );
}

#[test]
fn a_file_that_never_ends_a_line_is_refused_at_the_row_limit() {
    // A `.csv` that is a symlink to /dev/zero read forever before.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let message = error_of(read(&path));
    assert!(
        message.starts_with("zero.csv:line 1: the row that starts here is more than 16 MiB, the limit on one row of a CSV file"),
        "{message}"
    );
    assert!(message.contains("AVAILS_MAX_CSV_ROW_MIB=32"), "{message}");
}

#[test]
fn a_quoted_cell_that_swallows_the_file_is_refused_at_the_row_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = csv(&rows(3));
    text.push_str("A4,US,EST,Movie,2025-01-05,\"");
    let filler = "Title, with a comma\n".repeat((17 << 20) / 20);
    text.push_str(&filler);
    let path = write(dir.path(), "swallow.csv", text.as_bytes());
    let message = error_of(read(&path));
    assert!(
        message.starts_with("swallow.csv:line 5: the row that starts here is more than 16 MiB"),
        "{message}"
    );
}

#[test]
fn a_line_of_delimiters_is_refused_once_wider_than_a_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = csv(&rows(2));
    text.push_str(&",".repeat(10 << 20));
    let path = write(dir.path(), "commas.csv", text.as_bytes());
    let message = error_of(read(&path));
    assert!(
        message
            .starts_with("commas.csv:line 4: the row that starts here has more than 16,384 cells"),
        "{message}"
    );
}
