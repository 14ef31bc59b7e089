//! How `avails validate` words, locates, counts and groups its findings
//! (issue 28): every finding of a sheet at the cell of the column it is
//! about, in the sheet's words; several faults of one row and of one title
//! all reported in one run; errors before warnings; hidden warnings counted
//! as hidden; a held-back title not counted as another error; and the
//! findings grouped by cause, in text and JSON.

use crate::support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;
use support::{avails, describe, run};

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/movielabs")
        .join(name)
}

/// A sheet read whole: its name and its cells, row by row.
struct Grid {
    name: String,
    rows: Vec<Vec<Data>>,
}

impl Grid {
    /// The first sheet of a workbook.
    fn read(path: &Path) -> Self {
        let mut book: Xlsx<_> = open_workbook(path).unwrap();
        let name = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&name).unwrap();
        // The range may start past A1: keep cells at their own row and column.
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = vec![Vec::new(); top as usize];
        for r in range.rows() {
            let mut row = vec![Data::Empty; left as usize];
            row.extend(r.iter().cloned());
            rows.push(row);
        }
        Self { name, rows }
    }

    /// The 0-based row of the header (the row with a `Territory` cell) and
    /// each header's 0-based column.
    fn header(&self) -> (usize, BTreeMap<String, usize>) {
        for (i, row) in self.rows.iter().enumerate() {
            if row
                .iter()
                .any(|c| matches!(c, Data::String(s) if s == "Territory"))
            {
                let columns = row
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.to_string().is_empty())
                    .map(|(j, c)| (c.to_string(), j))
                    .collect();
                return (i, columns);
            }
        }
        panic!("no header row in {}", self.name);
    }

    fn set(&mut self, row: usize, column: usize, value: &str) {
        let cells = &mut self.rows[row];
        if cells.len() <= column {
            cells.resize(column + 1, Data::Empty);
        }
        cells[column] = match value {
            "" => Data::Empty,
            v => Data::String(v.to_string()),
        };
    }

    fn write(&self, path: &Path) {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.name).unwrap();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Data::Empty => {}
                    Data::Float(f) => {
                        let _ = sheet.write_number(r, c, *f).unwrap();
                    }
                    Data::Int(i) => {
                        let _ = sheet.write_number(r, c, *i as f64).unwrap();
                    }
                    Data::Bool(b) => {
                        let _ = sheet.write_boolean(r, c, *b).unwrap();
                    }
                    Data::DateTime(d) => {
                        let _ = sheet
                            .write_number_with_format(r, c, d.as_f64(), &date)
                            .unwrap();
                    }
                    other => {
                        let _ = sheet.write_string(r, c, other.to_string()).unwrap();
                    }
                }
            }
        }
        book.save(path).unwrap();
    }
}

/// A1-style letters of a 0-based column.
fn letters(mut column: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// `validate --format json` of one file: the exit code and the object.
fn validate_json(dir: &Path, file: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let out = run(avails(dir)
        .args(["validate", "--format", "json"])
        .args(extra)
        .arg(file));
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(&out)));
    (out.status.code(), v)
}

fn findings(v: &Value) -> &Vec<Value> {
    v["findings"].as_array().expect("a findings list")
}

/// `Movies!Q12`: a finding's cell, or its row alone when it has no column.
fn cell_of(f: &Value) -> String {
    format!(
        "{}!{}{}",
        f["sheet"].as_str().unwrap_or(""),
        f["column"].as_str().unwrap_or(""),
        f["row"]
    )
}

#[test]
fn independent_faults_of_one_row_and_one_title_are_all_reported_at_their_cells() {
    let dir = tempfile::tempdir().unwrap();
    let mut grid = Grid::read(&corpus("Movies_v1.7.2.xlsx"));
    let (header, columns) = grid.header();
    let col = |name: &str| {
        *columns
            .get(name)
            .unwrap_or_else(|| panic!("no {name} column"))
    };
    // The first row of data: the first whose Territory is a country code
    // (MovieLabs' templates have a row of descriptions under the header).
    let first = (header + 1..grid.rows.len())
        .find(|&r| {
            grid.rows[r]
                .get(col("Territory"))
                .is_some_and(|c| c.to_string().len() == 2)
        })
        .unwrap();
    let alid = grid.rows[first][col("ALID")].to_string();
    // Another row of the same title, else the next row.
    let second = (first + 1..grid.rows.len())
        .find(|&r| grid.rows[r].get(col("ALID")).map(Data::to_string) == Some(alid.clone()))
        .unwrap_or(first + 1);
    // One row: an impossible date, a locale written with `_`, a country
    // written with three letters. Another: a price with no currency.
    grid.set(first, col("Start"), "2013-06-31");
    grid.set(first, col("AssetLanguage"), "en_US");
    grid.set(first, col("Territory"), "USA");
    grid.set(second, col("PriceType"), "WSP");
    grid.set(second, col("PriceValue"), "9.99");
    grid.set(second, col("PriceCurrency"), "");
    let file = dir.path().join("Movies.xlsx");
    grid.write(&file);

    let (code, v) = validate_json(dir.path(), &file, &[]);
    assert_eq!(code, Some(1));
    let sheet = grid.name.clone();
    let at = |name: &str, row: usize| format!("{sheet}!{}{}", letters(col(name)), row + 1);
    let errors: Vec<&Value> = findings(&v)
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    let said = errors
        .iter()
        .map(|f| format!("{} {} {}", cell_of(f), f["code"], f["message"]))
        .collect::<Vec<_>>()
        .join("\n");
    eprintln!("{said}");
    for (column, row) in [
        ("Start", first),
        ("AssetLanguage", first),
        ("Territory", first),
        ("PriceCurrency", second),
    ] {
        let cell = at(column, row);
        let f = errors
            .iter()
            .find(|f| cell_of(f) == cell)
            .unwrap_or_else(|| panic!("no error at {cell} ({column}):\n{said}"));
        assert_eq!(f["columnName"], column, "{f}");
    }
    // The held-back title is reported once, at the cell that causes it,
    // and not counted as another error.
    let held: Vec<&&Value> = errors.iter().filter(|f| f["code"] == "CV013").collect();
    assert_eq!(held.len(), 1, "{said}");
    // The row's Territory `USA` cannot be placed: that cell holds the
    // title back (its Start error would hold back only its own scope).
    assert_eq!(cell_of(held[0]), at("Territory", first), "{said}");
    let counts = &v["counts"];
    let held = held.len();
    assert_eq!(counts["heldBack"], held);
    assert_eq!(
        counts["errors"],
        errors.len() - held,
        "errors are counted once: {counts}"
    );
}

/// Every error the MovieLabs workbooks give is at a cell, names the sheet's
/// column, and speaks no JSON pointer.
#[test]
fn every_error_of_the_corpus_is_at_a_named_column_of_a_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = 0;
    let workbooks: Vec<PathBuf> = std::fs::read_dir(corpus(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    assert!(workbooks.len() >= 5, "{workbooks:?}");
    let mut bad = Vec::new();
    for file in workbooks {
        let (_, v) = validate_json(dir.path(), &file, &[]);
        for f in findings(&v).iter().filter(|f| f["severity"] == "error") {
            seen += 1;
            let message = f["message"].as_str().unwrap();
            if f["column"].as_str().is_none()
                || f["columnName"].as_str().is_none()
                || message.contains("/avail/")
                || message.contains("/Transaction/")
            {
                bad.push(format!("{}: {f}", file.display()));
            }
        }
    }
    assert!(seen > 40, "the corpus has errors to look at ({seen})");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A generated sheet with one fault on many rows: one group, with the
/// right count and its first and last cells, in text and JSON.
#[test]
fn the_same_fault_on_many_rows_is_one_group() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from(
        "ALID,ContentID,Territory,WorkType,LicenseType,Start,End,PriceType,PriceValue,PriceCurrency,TitleInternalAlias,EntryType,FormatProfile\n",
    );
    let rows = 250;
    for i in 0..rows {
        // Every row lacks its currency; every tenth also has a bad date.
        let start = if i % 10 == 0 {
            "2024-02-30"
        } else {
            "2024-02-01"
        };
        csv.push_str(&format!(
            "md:alid:org:studio:t{i},md:cid:org:studio:t{i},US,Movie,EST,{start},2030-01-01,WSP,9.99,,Title {i},Full Extract,HD\n"
        ));
    }
    let file = dir.path().join("many.csv");
    std::fs::write(&file, &csv).unwrap();

    let (code, v) = validate_json(dir.path(), &file, &[]);
    assert_eq!(code, Some(1));
    let groups = v["groups"].as_array().unwrap();
    let currency: Vec<&Value> = groups
        .iter()
        .filter(|g| g["columnName"] == "PriceCurrency")
        .collect();
    assert_eq!(currency.len(), 1, "{groups:#?}");
    let g = currency[0];
    assert_eq!(g["severity"], "error");
    // Header on line 1: rows 2 to 251; the currency is column J.
    // Rows rejected for their date are checked as if sent: all 250 lack it.
    assert_eq!(g["count"], rows, "{g}");
    let first = g["first"].as_str().unwrap();
    let last = g["last"].as_str().unwrap();
    assert!(first.ends_with("many.csv:J2"), "{g}");
    assert!(last.ends_with("many.csv:J251"), "{g}");
    let start: Vec<&Value> = groups
        .iter()
        .filter(|g| g["columnName"] == "Start")
        .collect();
    assert_eq!(start.len(), 1, "{groups:#?}");
    assert_eq!(start[0]["count"], rows / 10);
    assert!(start[0]["first"].as_str().unwrap().ends_with("many.csv:F2"));
    assert!(start[0]["last"]
        .as_str()
        .unwrap()
        .ends_with("many.csv:F242"));

    // Text: errors before warnings, then the groups.
    let out = run(avails(dir.path()).arg("validate").arg(&file));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let lines: Vec<&str> = text.lines().collect();
    let by_cause = lines
        .iter()
        .position(|l| *l == "By cause:")
        .expect("groups");
    let listed = &lines[..by_cause];
    let last_error = listed.iter().rposition(|l| l.contains(": error["));
    let first_warning = listed.iter().position(|l| l.contains(": warning["));
    if let (Some(e), Some(w)) = (last_error, first_warning) {
        assert!(e < w, "errors come before warnings:\n{text}");
    }
    let line = lines[by_cause + 1..]
        .iter()
        .find(|l| l.contains("PriceCurrency"))
        .unwrap();
    assert!(
        line.contains(": 250 findings in ") && line.ends_with("many.csv, from J2 to J251"),
        "{line}"
    );
}

/// `--errors-only` counts the warnings it hides.
#[test]
fn hidden_warnings_are_counted_as_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let file = corpus("TV_v1.8.xlsx");
    let (_, all) = validate_json(dir.path(), &file, &[]);
    let (_, shown) = validate_json(dir.path(), &file, &["--errors-only"]);
    let warnings = findings(&all)
        .iter()
        .filter(|f| f["severity"] == "warning")
        .count();
    assert!(warnings > 0);
    assert!(findings(&shown).iter().all(|f| f["severity"] == "error"));
    assert_eq!(shown["counts"]["warnings"], warnings);
    assert_eq!(shown["counts"]["hiddenWarnings"], warnings);
    assert_eq!(all["counts"]["hiddenWarnings"], 0);
    let out = run(avails(dir.path())
        .args(["validate", "--errors-only"])
        .arg(&file));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{warnings} warnings ({warnings} hidden by --errors-only)"
        )),
        "{err}"
    );
}

/// A header written in another case is named as written, in the message
/// and in `columnName`.
#[test]
fn a_column_is_named_as_the_sheet_heads_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lower.csv");
    std::fs::write(
        &file,
        "ALID,ContentID,Territory,WorkType,LicenseType,Start,End,PriceType,PriceValue,pricecurrency,TitleInternalAlias,EntryType,FormatProfile\n\
         md:alid:org:studio:a,md:cid:org:studio:a,US,Movie,EST,2024-02-01,2030-01-01,WSP,9.99,,Title,Full Extract,HD\n",
    )
    .unwrap();
    let (code, v) = validate_json(dir.path(), &file, &[]);
    assert_eq!(code, Some(1));
    let f = findings(&v)
        .iter()
        .find(|f| f["code"] == "AV002")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["columnName"], "pricecurrency", "{f}");
    assert_eq!(cell_of(f), "!J2");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("pricecurrency is empty"),
        "{f}"
    );
    assert_eq!(v["groups"][0]["columnName"], "pricecurrency", "{v:#}");
}
