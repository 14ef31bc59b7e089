//! Damaged and hostile inputs through the binary: each is exit 2 with one
//! message naming the file (and sheet or cell), never a crash (exit 101)
//! and never a message the size of the input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use avails_test_support::xlsx_package;

const SAMPLE_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../samples/bundle-discount-exclusion.csv"
);

fn avails(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_avails"));
    cmd.current_dir(dir).args(args).env_remove("RUST_BACKTRACE");
    for (k, _) in std::env::vars() {
        if k.starts_with("AVAILS_") {
            cmd.env_remove(k);
        }
    }
    cmd.output().expect("avails runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A one-sheet workbook ("Movies"): an EMA header row, then `row` (the
/// inner XML of row 2), with a shared-string table when `sst` is given.
fn workbook(dir: &Path, name: &str, row: &str, sst: Option<&str>) -> PathBuf {
    let columns = ["ALID", "Territory", "LicenseType", "WorkType", "Start"];
    let row = format!(r#"<row r="2">{row}</row>"#);
    workbook_rows(dir, name, &columns, &row, sst)
}

/// A one-sheet workbook ("Movies") of these columns, then `rows` (whole
/// `<row>` elements).
fn workbook_rows(
    dir: &Path,
    name: &str,
    columns: &[&str],
    rows: &str,
    sst: Option<&str>,
) -> PathBuf {
    let sst = sst.map(|s| xlsx_package::shared_strings(&[s]));
    let bytes = xlsx_package::workbook(&xlsx_package::worksheet(columns, rows), sst.as_deref());
    xlsx_package::write(dir, name, &bytes)
}

/// The run failed cleanly: exit 2, no panic, `needle` on standard error.
fn assert_unreadable(out: &Output, needle: &str) {
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "no `{needle}` in: {err}");
    assert_eq!(out.status.code(), Some(2), "{err}");
}

#[test]
fn a_shared_string_index_past_the_table_is_exit_2_naming_file_and_sheet() {
    // calamine 0.31 panicked here (index out of bounds, exit 101).
    let dir = tempfile::tempdir().unwrap();
    workbook(
        dir.path(),
        "sst.xlsx",
        r#"<c r="A2" t="s"><v>7</v></c>"#,
        Some("x"),
    );
    workbook(
        dir.path(),
        "nosst.xlsx",
        r#"<c r="A2" t="s"><v>0</v></c>"#,
        None,
    );
    for command in ["validate", "convert"] {
        assert_unreadable(
            &avails(dir.path(), &[command, "sst.xlsx"]),
            "sst.xlsx:Movies",
        );
        assert_unreadable(
            &avails(dir.path(), &[command, "nosst.xlsx"]),
            "nosst.xlsx:Movies",
        );
    }
}

#[test]
fn a_panic_inside_calamine_is_exit_2_without_a_panic_message() {
    // A column reference of 7 letters overflows calamine's arithmetic: a
    // panic in a debug build (contained), a wrapped number in release (a
    // cell past the last column). Either way: exit 2, naming the sheet.
    let dir = tempfile::tempdir().unwrap();
    workbook(
        dir.path(),
        "ref.xlsx",
        r#"<c r="ZZZZZZZ2" t="inlineStr"><is><t>x</t></is></c>"#,
        None,
    );
    let out = avails(dir.path(), &["validate", "ref.xlsx"]);
    assert_unreadable(&out, "ref.xlsx:Movies");
}

#[test]
fn a_csv_with_an_unbalanced_quote_is_exit_2_at_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(SAMPLE_CSV).unwrap();
    // Line 4 (the first data row): the ALID opens a quote never closed.
    let broken = sample.replacen(",SKU12345,", ",\"SKU12345,", 1);
    std::fs::write(dir.path().join("quote.csv"), broken).unwrap();
    let out = avails(dir.path(), &["validate", "quote.csv"]);
    assert_unreadable(&out, "quote.csv:B4: unbalanced quote");
}

#[test]
fn a_ten_megabyte_cell_gives_an_error_line_under_1_kb() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(SAMPLE_CSV).unwrap();
    // Start (a date) holds 10 MB of digits: CV001 quotes it.
    let huge = "2".repeat(10 * 1024 * 1024);
    let csv = sample.replacen(",2025-11-25T05:00:00Z,", &format!(",{huge},"), 1);
    std::fs::write(dir.path().join("big.csv"), csv).unwrap();
    for args in [
        &["validate", "big.csv"][..],
        &["convert", "big.csv", "-o", "out"],
    ] {
        let out = avails(dir.path(), args);
        let all = [text(&out.stdout), text(&out.stderr)].concat();
        let longest = all.lines().map(str::len).max().unwrap_or(0);
        assert!(longest < 1024, "{args:?}: a line of {longest} bytes");
        assert!(all.contains("(10,485,760 characters)"), "{args:?}");
    }
    let manifest = std::fs::metadata(dir.path().join("out/manifest.json")).unwrap();
    assert!(
        manifest.len() < 64 * 1024,
        "manifest of {} bytes",
        manifest.len()
    );
}

#[test]
fn a_value_in_a_column_without_a_name_is_reported() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/hostile/value-beyond-header.csv"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = avails(dir.path(), &["validate", fixture]);
    let all = [text(&out.stdout), text(&out.stderr)].concat();
    // `SURPRISE` is the 46th field of row 4 (AT4; one earlier field is a
    // quoted text with a comma); the header row names columns A to AQ.
    assert!(all.contains("AT4"), "no finding at AT4: {all}");
    assert!(all.contains("CV010"), "{all}");
}

/// The columns of [`movie_rows`].
const MOVIE_COLUMNS: [&str; 8] = [
    "ALID",
    "Territory",
    "LicenseType",
    "WorkType",
    "Start",
    "End",
    "EntryType",
    "FormatProfile",
];

/// `count` movie rows from row `first`: ALID `{prefix}-{n}` for `titles`
/// titles in turn, each sold in the US for EST in HD, 2026 to 2030.
fn movie_rows(prefix: &str, first: u32, count: u32, titles: u32) -> String {
    (first..first + count)
        .map(|r| {
            let alid = format!("{prefix}-{}", r % titles);
            let values = [
                alid.as_str(),
                "US",
                "EST",
                "Movie",
                "2026-01-01",
                "2030-12-31",
                "FullExtract",
                "HD",
            ];
            let cells: String = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let col = char::from(b'A' + i as u8);
                    format!(r#"<c r="{col}{r}" t="inlineStr"><is><t>{v}</t></is></c>"#)
                })
                .collect();
            format!(r#"<row r="{r}">{cells}</row>"#)
        })
        .collect()
}

#[test]
fn a_workbook_damaged_after_its_first_rows_converts_none_of_their_groups() {
    // 600 rows (more than two of the batches the reading thread hands
    // over), then a cell past the last column a sheet can have, then more
    // rows of the same titles. What was read before the damage cannot be
    // sent: a title's later rows are unknown, and a full extract without
    // them would delete their windows. Another file of the same run is
    // converted whole.
    let dir = tempfile::tempdir().unwrap();
    let mut rows = movie_rows("DMG", 2, 600, 40);
    rows.push_str(r#"<row r="602"><c r="XFE602" t="inlineStr"><is><t>x</t></is></c></row>"#);
    rows.push_str(&movie_rows("DMG", 603, 10, 40));
    workbook_rows(dir.path(), "damaged.xlsx", &MOVIE_COLUMNS, &rows, None);
    let good = movie_rows("OK", 2, 20, 5);
    workbook_rows(dir.path(), "good.xlsx", &MOVIE_COLUMNS, &good, None);
    let out = avails(
        dir.path(),
        &["convert", "good.xlsx", "damaged.xlsx", "-o", "-"],
    );
    let (stdout, err) = (text(&out.stdout), text(&out.stderr));
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: damaged.xlsx:Movies: cannot read sheet: a cell at row 602"),
        "{err}"
    );
    // Every row before the damage was read (row 601 too: it was whole
    // when the damaged cell came), and every one of them held back.
    assert!(
        err.contains("620 rows read: 20 converted, 0 rejected, 600 held back"),
        "{err}"
    );
    for title in 0..40 {
        let held = format!("DMG-{title} US TVOD (FullExtract): not converted, 15 row(s) held back");
        assert!(err.contains(&held), "{held}: {err}");
    }
    let payloads: Vec<&str> = stdout.lines().collect();
    assert_eq!(payloads.len(), 5, "{stdout}");
    for title in 0..5 {
        let alid = format!("\"OK-{title}\"");
        assert!(
            payloads.iter().any(|p| p.contains(&alid)),
            "{alid}: {stdout}"
        );
    }
    assert!(!stdout.contains("DMG-"), "{stdout}");
}
