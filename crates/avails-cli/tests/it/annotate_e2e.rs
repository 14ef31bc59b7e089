//! `avails validate --annotate`: the user's workbook back with exactly the
//! broken cells marked, every value kept, and a Findings sheet whose links
//! land on the marks; and the copy opens in LibreOffice.

use crate::support::avails_with as avails;
use crate::support::messy;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use avails_test_support::xlsx_xml::{inspect, split_location, SheetXml};
use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;

const RED: &str = "FFF8696B";
const AMBER: &str = "FFFFC000";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Every non-empty cell of every sheet, by sheet name, as calamine reads it.
fn values(path: &Path) -> BTreeMap<String, BTreeMap<(u32, u32), Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let mut out = BTreeMap::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let cells = range
            .used_cells()
            .filter(|(_, _, d)| !matches!(d, Data::Empty))
            .map(|(r, c, d)| ((r0 + r as u32, c0 + c as u32), d.clone()))
            .collect();
        out.insert(name, cells);
    }
    out
}

fn sheet<'a>(sheets: &'a [SheetXml], name: &str) -> &'a SheetXml {
    sheets
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// The Findings table: one map of column title → text per finding row.
fn findings_table(path: &Path) -> Vec<BTreeMap<String, String>> {
    let all = values(path);
    let table = &all["Findings"];
    let header_row = avails_annotate::FINDINGS_HEADER_ROW;
    let text = |r: u32, c: u32| match table.get(&(r, c)) {
        Some(Data::String(s)) => s.clone(),
        None => String::new(),
        Some(other) => panic!("Findings {r},{c}: {other:?}"),
    };
    let titles: Vec<String> = (0..9).map(|c| text(header_row, c)).collect();
    assert_eq!(titles, avails_annotate::FINDINGS_COLUMNS.to_vec());
    let last = table.keys().map(|(r, _)| *r).max().unwrap();
    (header_row + 1..=last)
        .map(|r| {
            titles
                .iter()
                .enumerate()
                .map(|(c, t)| (t.clone(), text(r, c as u32)))
                .collect()
        })
        .collect()
}

/// Checks that the copy holds exactly the input's values in every input
/// sheet, and a last sheet "Findings".
fn assert_same_values(input: &Path, output: &Path) {
    let (a, b) = (values(input), values(output));
    let book: Xlsx<_> = open_workbook(output).unwrap();
    assert_eq!(
        book.sheet_names().last().map(String::as_str),
        Some("Findings")
    );
    assert_eq!(b.len(), a.len() + 1);
    for (name, cells) in &a {
        assert_eq!(&b[name], cells, "values of sheet {name}");
    }
}

#[test]
fn the_broken_cells_and_only_they_are_marked_and_every_value_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("Q3 avails.xlsx");
    messy::write(&input);
    let before = std::fs::read(&input).unwrap();
    let out = avails(
        dir.path(),
        &[
            "validate",
            "Q3 avails.xlsx",
            "--annotate",
            "checked.xlsx",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is untouched"
    );
    let output = dir.path().join("checked.xlsx");

    // What validate reports: exactly the broken cells, each with its code.
    let json: Vec<Value> = findings_of(&out.stdout);
    // A title held back (CV013) is reported once, at the cell of the error
    // that holds it back: a consequence, checked apart.
    let cell_of = |f: &Value| format!("{}{}", f["column"].as_str().unwrap_or("A"), f["row"]);
    let causes: BTreeSet<String> = json
        .iter()
        .filter(|f| f["code"] != "CV013" && f["severity"] == "error")
        .map(cell_of)
        .collect();
    for f in json.iter().filter(|f| f["code"] == "CV013") {
        assert!(
            causes.contains(&cell_of(f)),
            "CV013 at its cause's cell: {f}"
        );
    }
    let reported: BTreeSet<(String, String)> = json
        .iter()
        .filter(|f| f["code"] != "CV013")
        .map(|f| {
            assert_eq!(f["sheet"], messy::SHEET, "{f}");
            assert!(f.get("origin").is_none(), "a local finding: {f}");
            // A finding about a whole row marks its first cell.
            let column = f["column"].as_str().unwrap_or("A");
            (
                format!("{column}{}", f["row"]),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let currency_at = reported
        .iter()
        .find(|(_, code)| code == "AV002")
        .map(|(cell, _)| cell.clone())
        .unwrap_or_else(|| panic!("the missing currency is reported: {}", describe(&out)));
    assert!(
        messy::currency_cells().contains(&currency_at),
        "AV002 at {currency_at}, not at PriceValue or PriceCurrency of row 7"
    );
    let warnings: BTreeSet<&str> = messy::broken_cells()
        .into_iter()
        .filter(|(_, _, warning)| *warning)
        .map(|(_, code, _)| code)
        .collect();
    let expected: BTreeMap<String, &str> = messy::broken_cells()
        .into_iter()
        .map(|(cell, code, _)| match code {
            "AV002" => (currency_at.clone(), code),
            _ => (cell, code),
        })
        .collect();
    assert_eq!(
        reported,
        expected
            .iter()
            .map(|(c, k)| (c.clone(), k.to_string()))
            .collect(),
        "{}",
        describe(&out)
    );

    // Values: every sheet reads back as the input's (the formula's cached value included).
    assert_same_values(&input, &output);

    // Fills and notes: exactly those cells, red for errors, amber for the warning.
    let xml = inspect(&output);
    let movies = sheet(&xml, messy::SHEET);
    let want_fills: BTreeMap<String, String> = expected
        .iter()
        .map(|(cell, code)| {
            let fill = if warnings.contains(code) { AMBER } else { RED };
            (cell.clone(), fill.to_string())
        })
        .collect();
    assert_eq!(movies.fills, want_fills);
    assert_eq!(
        movies.notes.keys().cloned().collect::<BTreeSet<_>>(),
        expected.keys().cloned().collect()
    );
    for (cell, code) in &expected {
        let note = &movies.notes[cell];
        let severity = if warnings.contains(code) {
            "WARNING"
        } else {
            "ERROR"
        };
        assert!(
            note.starts_with(&format!("{severity} {code}\n")),
            "{cell}: {note}"
        );
        let at_cell = |f: &&Value| {
            f["code"] == *code
                && format!("{}{}", f["column"].as_str().unwrap_or("A"), f["row"]) == *cell
        };
        let message = json.iter().find(at_cell).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            note.contains(&message),
            "{cell}: the note gives the message"
        );
    }
    let readme = sheet(&xml, "Read me");
    assert!(readme.fills.is_empty() && readme.notes.is_empty());
    assert_eq!(movies.merges.len(), 3, "merged section titles kept");

    // The Findings sheet lists each finding, with a working internal link.
    let table = findings_table(&output);
    // One row per finding (a held-back row can hold back two scopes: two
    // CV013 at one cell).
    assert_eq!(table.len(), json.len());
    let findings = sheet(&xml, "Findings");
    assert_eq!(
        findings.autofilter.as_deref(),
        Some(format!("A4:I{}", 4 + json.len()).as_str())
    );
    for (i, row) in table.iter().enumerate() {
        let cell = &row["Cell"];
        match row["Code"].as_str() {
            // A consequence sits at its cause's cell.
            "CV013" => assert!(causes.contains(cell.as_str()), "{row:?}"),
            code => assert_eq!(Some(&code), expected.get(cell), "{row:?}"),
        }
        assert_eq!(row["Sheet"], messy::SHEET);
        assert_eq!(row["File"], "Q3 avails.xlsx");
        assert_eq!(row["Source"], "local");
        let link = findings
            .links
            .get(&format!("F{}", 5 + i))
            .unwrap_or_else(|| panic!("no link on row {}", 5 + i));
        assert_eq!(link, &format!("'{}'!{cell}", messy::SHEET));
        let (to_sheet, to_cell) = split_location(link);
        assert!(
            sheet(&xml, &to_sheet).notes.contains_key(&to_cell),
            "{link} lands on a marked cell"
        );
        // The row says what validate said about that cell.
        let f = json
            .iter()
            .find(|f| {
                f["code"] == row["Code"].as_str()
                    && f["message"] == row["Message"].as_str()
                    && format!("{}{}", f["column"].as_str().unwrap_or("A"), f["row"]) == *cell
            })
            .unwrap_or_else(|| panic!("{row:?} is one of validate's findings"));
        let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
        assert_eq!(row["Code"], text("code"), "{row:?}");
        assert_eq!(row["Severity"], text("severity"), "{row:?}");
        assert_eq!(row["Message"], text("message"), "{row:?}");
        assert_eq!(row["ALID"], text("alid"), "{row:?}");
        assert_eq!(row["Transaction"], text("transactionId"), "{row:?}");
    }
    assert!(table.iter().any(|r| r["ALID"] == messy::ALID));
    let header = &values(&output)["Findings"];
    assert_eq!(
        header[&(0, 0)],
        Data::String("avails validate: Q3 avails.xlsx: 3 errors, 1 warning".into())
    );
    // Errors first, grouped by code.
    let order: Vec<(bool, String)> = table
        .iter()
        .map(|r| (r["Severity"] != "error", r["Code"].clone()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    // The formulas are kept as formulas.
    let formulas = |p: &Path| {
        let mut book: Xlsx<_> = open_workbook(p).unwrap();
        book.worksheet_formula(messy::SHEET).unwrap()
    };
    assert_eq!(formulas(&output), formulas(&input));
    assert_eq!(
        formulas(&input)
            .used_cells()
            .filter(|(_, _, f)| !f.is_empty())
            .count(),
        2
    );
    assert!(header.get(&(2, 0)).is_none(), "{:?}", header.get(&(2, 0)));
}

#[test]
fn findings_about_other_inputs_are_listed_only() {
    let dir = tempfile::tempdir().unwrap();
    messy::write(&dir.path().join("avails.xlsx"));
    std::fs::copy(
        root().join("tests/data/movielabs/Avails_withErrors.xml"),
        dir.path().join("titles.xml"),
    )
    .unwrap();
    let out = avails(
        dir.path(),
        &[
            "validate",
            "avails.xlsx",
            "titles.xml",
            "--annotate",
            "checked.xlsx",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let json: Vec<Value> = findings_of(&out.stdout);
    let about_xml = json.iter().filter(|f| f["file"] == "titles.xml").count();
    assert!(about_xml > 0, "{}", describe(&out));
    let output = dir.path().join("checked.xlsx");
    let table = findings_table(&output);
    assert_eq!(table.len(), json.len());
    let xml = inspect(&output);
    let findings = sheet(&xml, "Findings");
    let mut listed = 0;
    for (i, row) in table.iter().enumerate() {
        let link = findings.links.get(&format!("F{}", 5 + i));
        if row["File"] == "titles.xml" {
            listed += 1;
            assert!(link.is_none(), "{row:?}");
            assert!(row["Cell"].starts_with("line "), "the XML line: {row:?}");
        } else {
            assert_eq!(row["File"], "avails.xlsx");
            assert!(link.is_some(), "{row:?}");
        }
    }
    assert_eq!(listed, about_xml);
    // Only the workbook's own findings are marked in it.
    let marked = sheet(&xml, messy::SHEET).notes.len();
    assert_eq!(marked, messy::broken_cells().len());
}

/// The sample CSV's records with the first data row's territory broken (a
/// studio typing `UK`) and an accented title, as text cells.
fn broken_bundle() -> (Vec<Vec<String>>, usize) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(root().join("samples/bundle-discount-exclusion.csv"))
        .unwrap();
    let mut records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let territory = records[1].iter().position(|c| c == "Territory").unwrap();
    let title = records[1]
        .iter()
        .position(|c| c == "TitleInternalAlias")
        .unwrap();
    assert_eq!(
        records[3][territory], "US",
        "the sample's first row is in the US"
    );
    records[3][territory] = "UK".into();
    for r in records.iter_mut().skip(3) {
        r[title] = "Café Society".into();
    }
    (records, territory)
}

#[test]
fn a_csv_comes_back_as_an_xlsx_with_its_text() {
    let (records, territory) = broken_bundle();
    // Excel's "CSV UTF-8" (comma) and European "CSV" (semicolon, Windows-1252).
    for (delimiter, latin1) in [(b',', false), (b';', true)] {
        let dir = tempfile::tempdir().unwrap();
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_writer(Vec::new());
        for r in &records {
            w.write_record(r).unwrap();
        }
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let bytes: Vec<u8> = if latin1 {
            text.chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap())
                .collect()
        } else {
            text.into_bytes()
        };
        std::fs::write(dir.path().join("bundle.csv"), bytes).unwrap();

        let out = avails(
            dir.path(),
            &[
                "validate",
                "bundle.csv",
                "--annotate",
                "bundle-checked.xlsx",
                "--format",
                "json",
            ],
        );
        let dialect = if latin1 { "; Windows-1252" } else { ", UTF-8" };
        assert_eq!(out.status.code(), Some(1), "{dialect}: {}", describe(&out));
        let json: Vec<Value> = findings_of(&out.stdout);
        let letter = avails_annotate::column_letters(territory as u16);
        let cell = format!("{letter}4");
        assert!(
            json.iter().any(|f| f["code"] == "CV024"
                && f["column"] == letter.as_str()
                && f["row"] == 4
                && f["sheet"].is_null()),
            "{dialect}: {}",
            describe(&out)
        );
        // Every reported cell is marked (red for errors, amber for warnings), no other.
        let reported: BTreeMap<String, String> = json
            .iter()
            .map(|f| {
                let at = format!("{}{}", f["column"].as_str().unwrap_or("A"), f["row"]);
                let fill = if f["severity"] == "error" { RED } else { AMBER };
                (at, fill.to_string())
            })
            .collect();
        let output = dir.path().join("bundle-checked.xlsx");
        let xml = inspect(&output);
        let data = sheet(&xml, "bundle");
        assert_eq!(data.fills, reported, "{dialect}");
        assert_eq!(data.fills[&cell], RED);
        assert!(data.notes[&cell].starts_with("ERROR CV024\n"));
        let at = json.iter().position(|f| f["code"] == "CV024").unwrap();
        assert_eq!(
            sheet(&xml, "Findings").links.get(&format!("F{}", 5 + at)),
            Some(&format!("'bundle'!{cell}"))
        );
        // Every field is there, as the text the file holds.
        let mut want = BTreeMap::new();
        for (r, rec) in records.iter().enumerate() {
            for (c, field) in rec.iter().enumerate() {
                if !field.is_empty() {
                    want.insert((r as u32, c as u32), Data::String(field.clone()));
                }
            }
        }
        assert_eq!(values(&output)["bundle"], want, "{dialect}");
    }
}

#[test]
fn a_clean_workbook_says_it_has_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    let input = root().join("samples/season-prime.xlsx");
    let out = avails(
        dir.path(),
        &[
            "validate",
            input.to_str().unwrap(),
            "--annotate",
            "clean.xlsx",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let output = dir.path().join("clean.xlsx");
    assert_same_values(&input, &output);
    let findings = &values(&output)["Findings"];
    assert!(
        matches!(&findings[&(0, 0)], Data::String(s) if s.ends_with(": no findings")),
        "{:?}",
        findings[&(0, 0)]
    );
    assert!(findingless(&output));
}

fn findingless(output: &Path) -> bool {
    inspect(output)
        .iter()
        .all(|s| s.notes.is_empty() && (s.name == "Findings" || s.fills.is_empty()))
}

#[test]
fn the_input_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("Avails.xlsx");
    messy::write(&input);
    let before = std::fs::read(&input).unwrap();
    std::os::unix::fs::symlink(&input, dir.path().join("link.xlsx")).unwrap();
    std::fs::write(dir.path().join("other.csv"), "a,b\n").unwrap();
    for (inputs, target) in [
        (vec!["Avails.xlsx"], "Avails.xlsx"),
        (vec!["Avails.xlsx"], "link.xlsx"),
        (vec!["Avails.xlsx"], "AVAILS.XLSX"),
        // Nor another input of the same run.
        (vec!["other.csv", "Avails.xlsx"], "./Avails.xlsx"),
    ] {
        let mut args = vec!["validate"];
        args.extend(inputs);
        args.extend(["--annotate", target]);
        let out = avails(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{target}: {}", describe(&out));
        assert!(
            text(&out.stderr).contains("refusing to write the annotated copy over the input"),
            "{}",
            describe(&out)
        );
        assert_eq!(std::fs::read(&input).unwrap(), before);
    }
}

/// The annotated workbook opens in LibreOffice (Debian's package) and
/// converts to PDF; its pages are rendered to PNG under `target/` for a
/// person to look at. Without `soffice` the test says SKIPPED and passes,
/// unless `AVAILS_REQUIRE_LIBREOFFICE=1` (set by `.ci/run`).
#[test]
fn the_annotated_workbook_opens_in_libreoffice() {
    let required = std::env::var("AVAILS_REQUIRE_LIBREOFFICE").as_deref() == Ok("1");
    let have = |tool: &str, flag: &str| {
        Command::new(tool)
            .arg(flag)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    for (tool, flag) in [("soffice", "--version"), ("pdftoppm", "-v")] {
        if !have(tool, flag) {
            assert!(
                !required,
                "AVAILS_REQUIRE_LIBREOFFICE=1 but `{tool}` is not installed \
                 (apt-get install libreoffice-calc poppler-utils)"
            );
            writeln!(
                std::io::stderr(),
                "SKIPPED the_annotated_workbook_opens_in_libreoffice: `{tool}` is not installed \
                 (apt-get install -y --no-install-recommends libreoffice-calc poppler-utils)"
            )
            .unwrap();
            return;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("avails.xlsx");
    messy::write(&input);
    let out = avails(
        dir.path(),
        &[
            "validate",
            "avails.xlsx",
            "--annotate",
            "avails-checked.xlsx",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));

    let shown = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("annotate-e2e");
    let _ = std::fs::remove_dir_all(&shown);
    std::fs::create_dir_all(&shown).unwrap();
    let profile = dir.path().join("lo-profile");
    let convert = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&shown)
        .arg(dir.path().join("avails-checked.xlsx"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let pdf = shown.join("avails-checked.pdf");
    assert!(
        convert.status.success() && pdf.exists(),
        "LibreOffice could not convert the annotated workbook: {}",
        describe(&convert)
    );
    assert!(
        !text(&convert.stderr).to_lowercase().contains("error"),
        "{}",
        describe(&convert)
    );
    let pdf_text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .map(|o| text(&o.stdout))
        .unwrap_or_default();
    assert!(
        pdf_text.is_empty() || (pdf_text.contains("CV024") && pdf_text.contains("UK")),
        "the PDF shows the findings and the data: {pdf_text}"
    );
    let render = Command::new("pdftoppm")
        .args(["-r", "90", "-png"])
        .arg(&pdf)
        .arg(shown.join("page"))
        .output()
        .unwrap();
    assert!(render.status.success(), "{}", describe(&render));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&shown)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    assert!(!pages.is_empty(), "no page rendered");
    for page in &pages {
        let bytes = std::fs::read(page).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 1000);
    }
    std::fs::copy(
        dir.path().join("avails-checked.xlsx"),
        shown.join("avails-checked.xlsx"),
    )
    .unwrap();
    writeln!(
        std::io::stderr(),
        "annotated workbook rendered by LibreOffice: {} ({} pages: {})",
        pdf.display(),
        pages.len(),
        pages
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
    .unwrap();
}

/// The findings of `validate --format json` (its `findings` list).
fn findings_of(stdout: &[u8]) -> Vec<Value> {
    let v: Value = serde_json::from_slice(stdout).unwrap();
    serde_json::from_value(v["findings"].clone()).unwrap()
}
