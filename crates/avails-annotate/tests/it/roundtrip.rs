//! The annotated copy, read back: calamine for the values, the XML for the
//! fills, notes, links, autofilter, widths and merges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use avails_annotate::{annotate, column_letters, Mark, Options, Origin, Severity};
use avails_test_support::xlsx_xml::{inspect, split_location, SheetXml};
use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

const RED: &str = "FFF8696B";
const AMBER: &str = "FFFFC000";

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
            .filter(|(_, _, d)| !matches!(d, Data::String(s) if s.is_empty()))
            .map(|(r, c, d)| ((r0 + r as u32, c0 + c as u32), d.clone()))
            .collect();
        out.insert(name, cells);
    }
    out
}

/// A workbook a studio could send: merged header, dates in a local format,
/// a duration, a formula, an error value, gaps, a hidden sheet, a sheet
/// already named Findings, and an apostrophe in a sheet name.
fn studio_workbook(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Movies").unwrap();
    ws.merge_range(0, 0, 0, 2, "Avail", &Format::new()).unwrap();
    ws.write(0, 3, "AvailTrans").unwrap();
    for (c, name) in [
        "DisplayName",
        "ALID",
        "Territory",
        "Start",
        "End",
        "PriceValue",
        "Hours",
        "Twice",
    ]
    .iter()
    .enumerate()
    {
        ws.write(1, c as u16, *name).unwrap();
    }
    ws.write(2, 0, "//comment row").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let stamp = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let hours = Format::new().set_num_format("[h]:mm");
    for (i, (territory, price)) in [("US", 7.99), ("UK", 9.5), ("FR", 0.0)].iter().enumerate() {
        let r = 3 + i as u32;
        ws.write(r, 0, "Studio").unwrap();
        ws.write(r, 1, format!("md:alid:{i}")).unwrap();
        ws.write(r, 2, *territory).unwrap();
        ws.write_datetime_with_format(
            r,
            3,
            ExcelDateTime::from_ymd(2024, 1, 1 + i as u8).unwrap(),
            &date,
        )
        .unwrap();
        if i != 1 {
            ws.write_datetime_with_format(
                r,
                4,
                ExcelDateTime::parse_from_str("2026-05-22T10:30:00").unwrap(),
                &stamp,
            )
            .unwrap();
        }
        ws.write(r, 5, *price).unwrap();
        ws.write_number_with_format(r, 6, 1.5, &hours).unwrap();
        ws.write_formula(
            r,
            7,
            Formula::new(format!("=F{}*2", r + 1)).set_result((price * 2.0).to_string()),
        )
        .unwrap();
    }
    ws.write(6, 0, true).unwrap();
    ws.write_formula(6, 7, Formula::new("=NA()").set_result("#N/A"))
        .unwrap();
    ws.set_column_width(0, 24).unwrap();
    ws.set_column_width(1, 18).unwrap();
    ws.set_column_hidden(6).unwrap();

    let hidden = wb.add_worksheet();
    hidden.set_name("Lists").unwrap();
    hidden.write(0, 0, "US").unwrap();
    hidden.write(1, 0, 42).unwrap();
    hidden.set_hidden(true);

    let theirs = wb.add_worksheet();
    theirs.set_name("Findings").unwrap();
    theirs.write(0, 0, "the studio's own notes").unwrap();

    let quoted = wb.add_worksheet();
    quoted.set_name("Rock'n Roll").unwrap();
    quoted.write(0, 0, "a").unwrap();
    quoted.write(0, 2, "c").unwrap();
    wb.save(path).unwrap();
}

fn mark(
    sheet: &str,
    row: Option<u32>,
    column: Option<&str>,
    severity: Severity,
    code: &str,
) -> Mark {
    Mark {
        sheet: Some(sheet.to_string()),
        row,
        column: column.map(str::to_string),
        severity,
        code: code.to_string(),
        message: format!("{code}: what was found, and what is allowed"),
        alid: Some("md:alid:1".into()),
        transaction_id: Some("tx-1".into()),
        ..Mark::default()
    }
}

fn sheet<'a>(sheets: &'a [SheetXml], name: &str) -> &'a SheetXml {
    sheets.iter().find(|s| s.name == name).unwrap()
}

#[test]
fn every_value_survives_and_exactly_the_marked_cells_are_filled_and_noted() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("studio.xlsx");
    let output = dir.path().join("studio-annotated.xlsx");
    studio_workbook(&input);
    let before = std::fs::read(&input).unwrap();

    let marks = vec![
        mark("Movies", Some(5), Some("C"), Severity::Error, "AV040"),
        mark("Movies", Some(5), Some("C"), Severity::Warning, "AV050"),
        mark("Movies", Some(5), Some("E"), Severity::Warning, "AV081"),
        mark("Movies", Some(6), None, Severity::Error, "AV070"),
        mark("Movies", Some(9), Some("B"), Severity::Warning, "AV005"),
        mark("Movies", Some(2), Some("Z"), Severity::Error, "CV005"),
        mark("Movies", None, None, Severity::Warning, "AV004"),
        Mark {
            origin: Origin::Server,
            ..mark(
                "Movies",
                Some(4),
                Some("B"),
                Severity::Error,
                "UNKNOWN_ALID",
            )
        },
        mark("Lists", Some(1), Some("A"), Severity::Error, "CV001"),
        mark(
            "Rock'n Roll",
            Some(1),
            Some("B"),
            Severity::Warning,
            "AV034",
        ),
        mark("Episodes", Some(3), Some("A"), Severity::Error, "AV031"),
        Mark {
            other_file: Some("titles.xml".into()),
            ..mark("Movies", Some(52), None, Severity::Error, "AV040")
        },
    ];
    let done = annotate(&input, &output, &marks, &Options::default()).unwrap();
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is untouched"
    );
    #[cfg(unix)]
    {
        // Shared like any file the user creates, not private like a temporary file.
        use std::os::unix::fs::PermissionsExt;
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&output), mode(&plain));
        std::fs::remove_file(plain).unwrap();
    }
    assert_eq!(done.findings_sheet, "Findings 2");
    assert_eq!(done.sheets, 4);
    assert_eq!(done.findings, marks.len());
    assert_eq!(done.listed_only, 2);
    assert_eq!(done.cells_marked, 8);
    assert_eq!(
        done.formulas, 0,
        "formulas are kept, not turned into values"
    );

    // Values: every cell of every input sheet reads back the same, error
    // values included.
    let (a, b) = (values(&input), values(&output));
    assert_eq!(
        b.keys().cloned().collect::<BTreeSet<_>>(),
        a.keys()
            .cloned()
            .chain(["Findings 2".to_string()])
            .collect()
    );
    for (name, cells) in &a {
        assert_eq!(&b[name], cells, "sheet {name}");
    }
    // Dates read back as dates, durations as durations.
    let movies = &b["Movies"];
    assert!(
        matches!(&movies[&(3, 3)], Data::DateTime(d) if d.is_datetime() && d.as_f64() == 45292.0)
    );
    assert!(
        matches!(&movies[&(3, 4)], Data::DateTime(d) if d.is_datetime() && d.as_f64().fract() > 0.0)
    );
    assert!(matches!(&movies[&(3, 6)], Data::DateTime(d) if d.is_duration()));
    assert!(matches!(movies[&(6, 7)], Data::Error(_)));

    // The Findings sheet comes last: the input's sheets keep their
    // positions, which defined names and the active tab refer to.
    let book: Xlsx<_> = open_workbook(&output).unwrap();
    assert_eq!(book.sheet_names().last().unwrap(), "Findings 2");
    assert_eq!(book.sheet_names()[0], "Movies");

    // Fills and notes: exactly the marked cells.
    let xml = inspect(&output);
    let expect: BTreeMap<(&str, &str), (&str, Vec<&str>)> = BTreeMap::from([
        (
            ("Movies", "C5"),
            (RED, vec!["ERROR AV040", "WARNING AV050"]),
        ),
        (("Movies", "E5"), (AMBER, vec!["WARNING AV081"])),
        (("Movies", "A6"), (RED, vec!["ERROR AV070"])),
        (("Movies", "B9"), (AMBER, vec!["WARNING AV005"])),
        (("Movies", "Z2"), (RED, vec!["ERROR CV005"])),
        (("Movies", "B4"), (RED, vec!["ERROR UNKNOWN_ALID [server]"])),
        (("Lists", "A1"), (RED, vec!["ERROR CV001"])),
        (("Rock'n Roll", "B1"), (AMBER, vec!["WARNING AV034"])),
    ]);
    for s in xml.iter().filter(|s| s.name != "Findings 2") {
        let want: BTreeMap<&str, &(&str, Vec<&str>)> = expect
            .iter()
            .filter(|((n, _), _)| *n == s.name)
            .map(|((_, c), v)| (*c, v))
            .collect();
        let fills: BTreeMap<&str, &str> = s
            .fills
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            fills,
            want.iter().map(|(c, (rgb, _))| (*c, *rgb)).collect(),
            "fills of {}",
            s.name
        );
        assert_eq!(
            s.notes.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            want.keys().copied().collect(),
            "notes of {}",
            s.name
        );
        for (cell, (_, headings)) in &want {
            let note = &s.notes[*cell];
            for h in headings {
                assert!(note.contains(h), "{}!{cell}: {note:?} lacks {h}", s.name);
            }
            assert!(note.contains("what is allowed"), "{note}");
            assert_eq!(s.note_authors[*cell], "avails");
        }
    }
    let lists = sheet(&xml, "Lists");
    assert!(lists.hidden, "a hidden sheet stays hidden");

    // Layout: merged header, widths and the hidden column kept.
    let m = sheet(&xml, "Movies");
    assert_eq!(m.merges, vec!["A1:C1".to_string()]);
    let width = |col: u32| {
        m.cols
            .iter()
            .find(|(a, b, _, _)| (*a..=*b).contains(&col))
            .and_then(|c| c.2)
    };
    let input_xml = inspect(&input);
    let input_width = |col: u32| {
        sheet(&input_xml, "Movies")
            .cols
            .iter()
            .find(|(a, b, _, _)| (*a..=*b).contains(&col))
            .and_then(|c| c.2)
            .unwrap()
    };
    for col in [1, 2] {
        let (w, want) = (width(col).unwrap(), input_width(col));
        assert!((w - want).abs() < 0.2, "column {col}: {w} vs {want}");
    }
    assert!(m
        .cols
        .iter()
        .any(|(a, b, _, hidden)| *hidden && (*a..=*b).contains(&7)));

    // The Findings sheet: one row per mark, in order, under an autofilter,
    // with a link to each placed cell (or sheet) that lands on a mark.
    let f = sheet(&xml, "Findings 2");
    assert_eq!(
        f.autofilter.as_deref(),
        Some(format!("A4:I{}", 4 + marks.len()).as_str())
    );
    let table = &b["Findings 2"];
    let text = |r: u32, c: u32| match table.get(&(r, c)) {
        Some(Data::String(s)) => s.clone(),
        None => String::new(),
        Some(other) => panic!("{other:?}"),
    };
    assert_eq!(
        (0..9).map(|c| text(3, c)).collect::<Vec<_>>(),
        avails_annotate::FINDINGS_COLUMNS.to_vec()
    );
    assert!(
        text(0, 0).contains("7 errors, 5 warnings"),
        "{}",
        text(0, 0)
    );
    assert_eq!(text(2, 0), "", "nothing lost to say");
    // Errors first, grouped by code, each group in the order given.
    let mut order: Vec<&Mark> = marks.iter().collect();
    order.sort_by_key(|m| (m.severity != Severity::Error, m.code.clone()));
    let codes: Vec<&str> = order.iter().map(|m| m.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "AV031",
            "AV040",
            "AV040",
            "AV070",
            "CV001",
            "CV005",
            "UNKNOWN_ALID",
            "AV004",
            "AV005",
            "AV034",
            "AV050",
            "AV081"
        ]
    );
    for (i, m) in order.iter().enumerate() {
        let r = 4 + i as u32;
        assert_eq!(text(r, 0), m.severity.as_str());
        assert_eq!(text(r, 1), m.code);
        assert_eq!(text(r, 2), m.origin.as_str());
        assert_eq!(text(r, 3), m.message);
        assert_eq!(text(r, 6), "md:alid:1");
        assert_eq!(text(r, 7), "tx-1");
        let file = m.other_file.as_deref().unwrap_or("studio.xlsx");
        assert_eq!(text(r, 8), file);
    }
    let links: BTreeMap<String, (String, String)> = f
        .links
        .iter()
        .map(|(at, loc)| (at.clone(), split_location(loc)))
        .collect();
    for (i, m) in order.iter().enumerate() {
        let excel_row = 5 + i;
        let cell_link = links.get(&format!("F{excel_row}"));
        let sheet_link = links.get(&format!("E{excel_row}"));
        match (
            m.other_file.is_some() || m.sheet.as_deref() == Some("Episodes"),
            m.row,
        ) {
            (true, _) => assert!(cell_link.is_none() && sheet_link.is_none(), "{m:?}"),
            (false, None) => assert_eq!(
                sheet_link.unwrap(),
                &(m.sheet.clone().unwrap(), "A1".to_string())
            ),
            (false, Some(row)) => {
                let (s, cell) = cell_link.unwrap_or_else(|| panic!("no link for {m:?}"));
                let col = m.column.clone().unwrap_or_else(|| column_letters(0));
                assert_eq!(
                    (s.as_str(), cell.as_str()),
                    (m.sheet.as_deref().unwrap(), format!("{col}{row}").as_str())
                );
                assert_eq!(text(4 + i as u32, 5), *cell, "the link's text is its cell");
                assert!(
                    sheet(&xml, s).notes.contains_key(cell),
                    "the link lands on a note"
                );
            }
        }
    }
    // A finding this workbook has no place for still says where it is.
    let at = |code: &str, file: bool| {
        4 + order
            .iter()
            .position(|m| m.code == code && m.other_file.is_some() == file)
            .unwrap() as u32
    };
    assert_eq!(text(at("AV031", false), 4), "Episodes");
    assert_eq!(text(at("AV031", false), 5), "A3");
    assert_eq!(text(at("AV040", true), 5), "row 52");
}

#[test]
fn a_clean_workbook_says_so_and_keeps_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("clean.xlsx");
    let output = dir.path().join("out.xlsx");
    studio_workbook(&input);
    let done = annotate(
        &input,
        &output,
        &[],
        &Options {
            title: Some("avails validate: clean.xlsx".into()),
            notes: vec!["Checked by the local rules only.".into()],
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(done.cells_marked, 0);
    let b = values(&output);
    let findings = &b["Findings 2"];
    assert_eq!(
        findings[&(0, 0)],
        Data::String("avails validate: clean.xlsx: no findings".into())
    );
    assert!(
        matches!(&findings[&(2, 0)], Data::String(s) if s.starts_with("Checked by the local rules only."))
    );
    assert_eq!(findings.keys().filter(|(r, _)| *r > 3).count(), 0);
    for s in inspect(&output) {
        assert!(s.notes.is_empty(), "{}", s.name);
        if s.name != "Findings 2" {
            assert!(s.fills.is_empty(), "{}", s.name);
        }
    }
}

/// The CSV's text in each encoding Excel saves (UTF-8 with a byte-order
/// mark, Windows-1252, UTF-16 with one) and with each delimiter, read as
/// validate reads it: the delimiter is the one that makes the EMA header,
/// even when a row above it holds more commas (a guess by the widest row
/// would split every row at the commas and move every mark).
#[test]
fn a_csv_is_read_as_validate_reads_it_in_every_encoding_and_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let text = "note,with,many,commas,here,and,more\n\
                ALID;Territory;LicenseType;WorkType;Start;Title\n\
                md:alid:1;US;EST;Movie;2024-01-01;\"Caf\u{e9}, 1,5\"\n";
    let utf16 = |t: &str| {
        let mut b = vec![0xFF, 0xFE];
        b.extend(t.encode_utf16().flat_map(u16::to_le_bytes));
        b
    };
    let latin1: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    let tabbed = text.replace(';', "\t");
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend(text.as_bytes());
    for (name, bytes) in [
        ("utf8", utf8_bom),
        ("latin1", latin1),
        ("utf16", utf16(&tabbed)),
    ] {
        let input = dir.path().join(format!("{name}.csv"));
        let output = dir.path().join(format!("{name}.xlsx"));
        std::fs::write(&input, bytes).unwrap();
        let marks = vec![Mark {
            row: Some(3),
            column: Some("B".into()),
            code: "AV040".into(),
            message: "country".into(),
            ..Mark::default()
        }];
        let done = annotate(&input, &output, &marks, &Options::default()).unwrap();
        assert_eq!(done.cells_marked, 1, "{name}");
        let b = values(&output);
        let cells = &b[name];
        let at = |r: u32, c: u32| cells.get(&(r, c)).cloned();
        let text = |s: &str| Some(Data::String(s.into()));
        assert_eq!(
            at(0, 0),
            text("note,with,many,commas,here,and,more"),
            "{name}: {cells:?}"
        );
        assert_eq!(at(1, 1), text("Territory"), "{name}: {cells:?}");
        assert_eq!(at(2, 1), text("US"), "{name}: {cells:?}");
        assert_eq!(at(2, 5), text("Caf\u{e9}, 1,5"), "{name}: {cells:?}");
        let xml = inspect(&output);
        assert_eq!(
            sheet(&xml, name).fills,
            BTreeMap::from([("B3".to_string(), RED.to_string())]),
            "{name}"
        );
    }
}

#[test]
fn a_csv_becomes_a_workbook_of_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bundle.csv");
    let output = dir.path().join("bundle.xlsx");
    std::fs::write(
        &input,
        "\u{feff}Avail,Avail,AvailTrans\nALID,AvailID,PriceValue\n1.8,//Opt\n\"md:alid:1\",007,\"7,99\"\nmd:alid:2,,\"multi\nline\"\n",
    )
    .unwrap();
    let marks = vec![
        Mark {
            row: Some(4),
            column: Some("C".into()),
            code: "AV003".into(),
            message: "PriceValue `7,99` is not a number".into(),
            ..Mark::default()
        },
        Mark {
            row: Some(5),
            column: Some("B".into()),
            severity: Severity::Warning,
            code: "CV007".into(),
            message: "no AvailID".into(),
            ..Mark::default()
        },
    ];
    let done = annotate(&input, &output, &marks, &Options::default()).unwrap();
    assert_eq!(done.cells_marked, 2);
    let b = values(&output);
    let sheet_values = &b["bundle"];
    let s = |r, c| {
        Data::String(String::from(match (r, c) {
            (0, 0) | (0, 1) => "Avail",
            (0, 2) => "AvailTrans",
            (1, 0) => "ALID",
            (1, 1) => "AvailID",
            (1, 2) => "PriceValue",
            (2, 0) => "1.8",
            (2, 1) => "//Opt",
            (3, 0) => "md:alid:1",
            (3, 1) => "007",
            (3, 2) => "7,99",
            (4, 0) => "md:alid:2",
            (4, 2) => "multi\nline",
            _ => unreachable!(),
        }))
    };
    let expected: BTreeMap<(u32, u32), Data> = [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
        (1, 2),
        (2, 0),
        (2, 1),
        (3, 0),
        (3, 1),
        (3, 2),
        (4, 0),
        (4, 2),
    ]
    .into_iter()
    .map(|(r, c)| ((r, c), s(r, c)))
    .collect();
    assert_eq!(sheet_values, &expected);
    let xml = inspect(&output);
    let csv = sheet(&xml, "bundle");
    assert_eq!(
        csv.fills,
        BTreeMap::from([
            ("C4".to_string(), RED.to_string()),
            ("B5".to_string(), AMBER.to_string())
        ])
    );
    assert!(csv.notes["C4"].starts_with("ERROR AV003\nPriceValue `7,99`"));
    assert_eq!(
        sheet(&xml, "Findings")
            .links
            .get("F6")
            .map(|l| split_location(l)),
        Some(("bundle".to_string(), "B5".to_string()))
    );
}

#[test]
fn the_output_may_not_be_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("Avails.xlsx");
    studio_workbook(&input);
    let before = std::fs::read(&input).unwrap();
    for out in ["Avails.xlsx", "AVAILS.xlsx", "./Avails.xlsx"] {
        let err = annotate(&input, &dir.path().join(out), &[], &Options::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("refusing to write the annotated copy over the input"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // Nothing half-written is left behind either.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["Avails.xlsx".to_string()]);
}
