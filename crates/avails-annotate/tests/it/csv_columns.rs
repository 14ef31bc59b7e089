//! New columns on a CSV's copy (what `submit --report` writes for a CSV):
//! right of the rightmost cell of any row (rows are ragged), titles on the
//! row above the first row given, the first text filled as its severity
//! says, in row order with marks on empty cells of the same rows, and rows
//! given beyond the CSV's last record still written. Read back with
//! calamine.

use std::collections::BTreeMap;

use avails_annotate::{annotate, Mark, Options, RowColumns, RowTexts, Severity};
use calamine::{open_workbook, Data, Reader as _, Xlsx};

fn texts(status: &str, severity: Option<Severity>) -> RowTexts {
    RowTexts {
        texts: vec![
            status.to_string(),
            String::new(),
            "2026-12-08T03:00:00Z".into(),
        ],
        severity,
    }
}

#[test]
fn texts_go_right_of_the_widest_row_in_row_order_with_the_marks() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("rows.csv");
    // Row 3 is the widest (4 fields); row 4 has an empty field C4.
    // Comma-separated: without an EMA header row the reader validate uses
    // (avails-ema) has no column names to tell the delimiter by, and reads
    // the default one.
    std::fs::write(&input, "\u{feff}A,B\nx,y\np,q,r,s\nm,n,,o\n").unwrap();
    let output = dir.path().join("out.xlsx");
    let marks = vec![Mark {
        row: Some(4),
        column: Some("C".into()),
        severity: Severity::Error,
        code: "AV001".into(),
        message: "empty".into(),
        ..Mark::default()
    }];
    let columns = RowColumns {
        titles: vec!["status".into(), "id".into(), "time".into()],
        rows: BTreeMap::from([
            (("".to_string(), 2), texts("sent", None)),
            (
                ("".to_string(), 4),
                texts("refused: empty", Some(Severity::Error)),
            ),
            // Beyond the last record.
            (
                ("rows".to_string(), 6),
                texts("held back: rows.csv:4", Some(Severity::Error)),
            ),
            // Another sheet's row: not this CSV's.
            (("Movies".to_string(), 3), texts("sent", None)),
        ]),
    };
    let options = Options {
        columns: Some(columns),
        ..Options::default()
    };
    let done = annotate(&input, &output, &marks, &options).unwrap();
    assert_eq!(done.cells_marked, 1);

    let mut book: Xlsx<_> = open_workbook(&output).unwrap();
    assert_eq!(book.sheet_names(), vec!["Findings", "rows"]);
    let range = book.worksheet_range("rows").unwrap();
    let at = |r: u32, c: u32| match range.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };
    // The CSV's cells, as text.
    assert_eq!(at(0, 1), "B");
    assert_eq!(at(2, 3), "s");
    assert_eq!(at(3, 3), "o");
    // Titles on row 1 (above row 2), from column E (right of D, the widest).
    assert_eq!(
        (at(0, 4), at(0, 5), at(0, 6)),
        ("status".into(), "id".into(), "time".into())
    );
    assert_eq!(at(1, 4), "sent");
    assert_eq!(at(1, 5), "", "an empty text writes no cell");
    assert_eq!(at(1, 6), "2026-12-08T03:00:00Z");
    assert_eq!(at(2, 4), "", "row 3 was given no texts");
    assert_eq!(at(3, 4), "refused: empty");
    assert_eq!(at(5, 4), "held back: rows.csv:4");
    // Nothing else: the other sheet's row is not written here.
    let written = range.used_cells().filter(|(_, c, _)| *c >= 4).count();
    assert_eq!(written, 3 + 2 + 2 + 2);
}
