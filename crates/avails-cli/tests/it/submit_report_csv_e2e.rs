//! `avails submit --report OUT.xlsx` on a CSV, end to end against the
//! sandbox (the binary, real sockets), twice: the report is an XLSX of the
//! CSV's cells with what became of each row at its right; the second run
//! says `unchanged` where the first said `sent`. Then several inputs: the
//! workbook is written from the XLSX, the CSV's rows are in `--format
//! json` and named on the Findings sheet; inputs with no rows refuse
//! `--report` before anything is sent.
//!
//! `tests/data/submit-report-messy.csv` was written for this test (from
//! the EMA 1.8 columns of `samples/bundle-discount-exclusion.csv`) as a
//! French Excel saves a CSV: a byte-order mark, `;` between fields, prices
//! with a decimal comma (`12,99`), most cells blank, CRLF line ends. Rows
//! 1-3 are EMA's headers; then
//!
//! * row 4: SKU-CSV-1, US HD, clean: sent;
//! * row 5: SKU-CSV-1, Territory `fr`: read as FR with a warning (issue
//!   27's decision: the meaning is certain), sent;
//! * row 6: SKU-CSV-2, Start `3/14/2026`, a US date without
//!   `--date-order`: an error at the cell showing the ISO date it would be
//!   (2026-03-14), never guessed, so the row is refused and, the entry
//!   being a full extract, its title's scope is held back;
//! * row 7: SKU-CSV-2, US SD, clean itself: held back by the Start cell
//!   of row 6 (V6).

use crate::support::messy;
use crate::support::{avails_with as avails, describe};

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;

const CSV: &str = include_str!("../data/submit-report-messy.csv");
/// The copy's sheet: the CSV's file stem.
const SHEET: &str = "avails";

fn submit(dir: &Path, inputs: &[&str], report: &str) -> (Value, Output) {
    let mut args = vec!["submit", "--sandbox", "--state-dir", "state"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--report", report, "--format", "json"]);
    let out = avails(dir, &args);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(&out)));
    (json, out)
}

/// The JSON's row outcomes of `file`, by row.
fn outcomes<'a>(json: &'a Value, file: &str) -> BTreeMap<u64, &'a Value> {
    json["rowOutcomes"]
        .as_array()
        .expect("rowOutcomes")
        .iter()
        .filter(|r| r["file"] == file)
        .map(|r| (r["row"].as_u64().unwrap(), r))
        .collect()
}

/// The CSV's fields by 1-based row and 0-based column, as written (no
/// field of the file is quoted).
fn csv_cells() -> BTreeMap<(u32, u32), String> {
    let text = CSV.trim_start_matches('\u{feff}');
    let mut cells = BTreeMap::new();
    for (r, line) in text.lines().enumerate() {
        for (c, field) in line.split(';').enumerate() {
            if !field.is_empty() {
                cells.insert((r as u32 + 1, c as u32), field.to_string());
            }
        }
    }
    cells
}

/// A sheet's texts by 1-based row and 0-based column.
fn sheet_cells(path: &Path, sheet: &str) -> BTreeMap<(u32, u32), Data> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let (r0, c0) = range.start().unwrap();
    range
        .used_cells()
        .map(|(r, c, d)| ((r as u32 + r0 + 1, c as u32 + c0), d.clone()))
        .collect()
}

/// The report's new columns by 1-based row: (status, TransactionID, time),
/// after checking their titles sit on the row above the first status, right
/// of the CSV's rightmost cell.
fn columns(path: &Path) -> BTreeMap<u32, (String, String, String)> {
    let cells = sheet_cells(path, SHEET);
    let rightmost = csv_cells().keys().map(|(_, c)| *c).max().unwrap();
    let text = |r: u32, c: u32| match cells.get(&(r, c)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };
    let col = rightmost + 1;
    assert_eq!(text(3, col), "avails submit", "title right of the cells");
    assert_eq!(text(3, col + 1), "TransactionID");
    assert_eq!(text(3, col + 2), "Time (UTC)");
    (4..=7)
        .map(|r| (r, (text(r, col), text(r, col + 1), text(r, col + 2))))
        .collect()
}

#[test]
fn a_csv_comes_back_as_an_xlsx_of_its_cells_with_each_rows_outcome_twice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("avails.csv"), CSV).unwrap();

    let (first, out) = submit(dir.path(), &["avails.csv"], "report-1.xlsx");
    // Rows refused: problems in the data.
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(first["report"]["sent"], 2, "{}", describe(&out));
    let rows = outcomes(&first, "avails.csv");
    assert_eq!(rows.keys().copied().collect::<Vec<_>>(), vec![4, 5, 6, 7]);
    let status = |row: u64| rows[&row]["status"].as_str().unwrap().to_string();
    assert_eq!(status(4), "sent");
    assert_eq!(status(5), "sent", "`fr` is read as FR");
    assert_eq!(rows[&4]["transactionId"], "csv-1-us-hd");
    assert_eq!(rows[&5]["transactionId"], "csv-1-fr-sd");
    assert!(
        status(6).starts_with("refused: Start `3/14/2026`") && status(6).contains("2026-03-14"),
        "{}",
        status(6)
    );
    assert!(status(6).contains("holds back SKU-CSV-2"), "{}", status(6));
    assert!(
        status(7).starts_with("held back: avails.csv:V6"),
        "held back by the Start cell that is wrong: {}",
        status(7)
    );
    for r in rows.values() {
        assert!(r.get("sheet").is_none(), "a CSV row names no sheet: {r}");
        let time = r["time"].as_str().unwrap();
        assert!(
            time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
            "{time}"
        );
    }

    // The workbook: a Findings sheet, then the CSV's cells as written
    // (`12,99` stays the text it was), then the same outcome beside each row.
    let report1 = dir.path().join("report-1.xlsx");
    let book: Xlsx<_> = open_workbook(&report1).unwrap();
    assert_eq!(book.sheet_names(), vec!["Findings", SHEET]);
    let copied = sheet_cells(&report1, SHEET);
    for (at, field) in csv_cells() {
        assert_eq!(
            copied.get(&at),
            Some(&Data::String(field.clone())),
            "cell {at:?}"
        );
    }
    let cols = columns(&report1);
    for (row, (status, tx, time)) in &cols {
        let r = rows[&u64::from(*row)];
        assert_eq!(status, r["status"].as_str().unwrap(), "row {row}");
        assert_eq!(tx, r["transactionId"].as_str().unwrap_or(""), "row {row}");
        assert_eq!(time, r["time"].as_str().unwrap(), "row {row}");
    }
    // Nothing else was written on the data sheet.
    let rightmost = csv_cells().keys().map(|(_, c)| *c).max().unwrap();
    let extra = copied.keys().filter(|(_, c)| *c > rightmost).count();
    let texts: usize = rows
        .values()
        .map(|r| 2 + usize::from(r["transactionId"].is_string()))
        .sum();
    assert_eq!(extra, 3 + texts, "the titles and each row's texts only");

    // The second run: nothing new; the rows sent are unchanged, the others
    // say the same as before.
    let (second, out) = submit(dir.path(), &["avails.csv"], "report-2.xlsx");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(second["report"]["sent"], 0, "{}", describe(&out));
    assert_eq!(second["report"]["unchanged"], 2, "{}", describe(&out));
    let again = columns(&dir.path().join("report-2.xlsx"));
    assert_eq!(again[&4].0, "unchanged");
    assert_eq!(again[&5].0, "unchanged");
    assert_eq!(again[&4].1, "csv-1-us-hd");
    assert_eq!(again[&6].0, cols[&6].0);
    assert_eq!(again[&7].0, cols[&7].0);
}

#[test]
fn with_several_inputs_the_report_is_the_workbooks_and_names_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("avails.csv"), CSV).unwrap();
    messy::write(&dir.path().join("avails.xlsx"));

    // The CSV first: the workbook is still the one written.
    let (json, out) = submit(dir.path(), &["avails.csv", "avails.xlsx"], "report.xlsx");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let report = dir.path().join("report.xlsx");
    let book: Xlsx<_> = open_workbook(&report).unwrap();
    assert!(
        book.sheet_names().iter().any(|s| s == messy::SHEET),
        "{:?}",
        book.sheet_names()
    );
    assert!(!book.sheet_names().iter().any(|s| s == SHEET));
    // The CSV's rows: in the JSON, and named on the Findings sheet.
    let csv_rows = outcomes(&json, "avails.csv");
    assert_eq!(
        csv_rows.keys().copied().collect::<Vec<_>>(),
        vec![4, 5, 6, 7]
    );
    assert!(!outcomes(&json, "avails.xlsx").is_empty());
    let findings = sheet_cells(&report, "Findings");
    let named = findings.values().any(|d| {
        matches!(d, Data::String(s) if s.contains("not shown in this workbook") && s.contains("avails.csv (4 rows)"))
    });
    assert!(named, "{findings:?}");

    // No input with rows: refused before anything is sent (exit 2).
    let out = avails(
        dir.path(),
        &[
            "submit",
            "--sandbox",
            "--state-dir",
            "state2",
            "catalog.xml",
            "--report",
            "r.xlsx",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no workbook or CSV among the inputs"), "{err}");
    assert!(!dir.path().join("r.xlsx").exists());
}
