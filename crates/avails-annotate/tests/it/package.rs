//! The annotated copy keeps the team's workbook: read part by part from
//! both packages (zip + quick-xml, written here, not the library's code)
//! and compared. Every part the marks do not need is the same bytes; the
//! marked sheet is the same XML but for the marked cells' style index (and
//! the cells and drawing link added for marks on empty cells); the styles
//! keep every entry at its index and only append; the team's comments keep
//! their text and author.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use avails_annotate::{annotate, Mark, Options, Severity};
use calamine::{open_workbook, Data, Reader as _, Xlsx};
use quick_xml::events::Event;
use quick_xml::Reader;
use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, DataValidation, Format, Formula, Note,
    Workbook,
};

const RED: &str = "FFF8696B";
const AMBER: &str = "FFFFC000";

/// Every part of an XLSX package by name.
fn parts(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(BufReader::new(File::open(path).unwrap())).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        out.insert(f.name().unwrap().to_string(), bytes);
    }
    out
}

/// One XML token: kind, qualified name, attributes, text.
#[derive(Debug, Clone, PartialEq)]
struct Token {
    kind: &'static str,
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
}

fn tokens(xml: &[u8]) -> Vec<Token> {
    let mut reader = Reader::from_reader(xml);
    let mut out = Vec::new();
    loop {
        let ev = reader.read_event().unwrap();
        let (kind, name, attrs, text) = match &ev {
            Event::Start(e) | Event::Empty(e) => (
                if matches!(ev, Event::Start(_)) {
                    "start"
                } else {
                    "empty"
                },
                e.name().as_ref().to_owned(),
                e.attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (a.key.as_ref().to_owned(), a.value.into_owned())
                    })
                    .collect(),
                String::new(),
            ),
            Event::End(e) => (
                "end",
                e.name().as_ref().to_owned(),
                BTreeMap::new(),
                String::new(),
            ),
            Event::Text(t) => ("text", String::new(), BTreeMap::new(), t.to_string()),
            Event::GeneralRef(t) => ("ref", String::new(), BTreeMap::new(), t.to_string()),
            Event::Eof => break,
            _ => continue,
        };
        out.push(Token {
            kind,
            name,
            attrs,
            text,
        });
    }
    out
}

/// The raw children of the first element named `name` (`<fonts>`...).
fn children(xml: &[u8], name: &str) -> Vec<String> {
    let mut reader = Reader::from_reader(xml);
    let mut depth = 0;
    let mut inside = None;
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let before = reader.buffer_position() as usize;
        let ev = reader.read_event().unwrap();
        let after = reader.buffer_position() as usize;
        match ev {
            Event::Start(e) => {
                if inside == Some(depth - 1) {
                    start = before;
                }
                if inside.is_none() && e.local_name().as_ref() == name {
                    inside = Some(depth);
                }
                depth += 1;
            }
            Event::Empty(_) if inside == Some(depth - 1) => {
                out.push(String::from_utf8_lossy(&xml[before..after]).into_owned())
            }
            Event::End(_) => {
                depth -= 1;
                if inside == Some(depth) {
                    return out;
                }
                if inside == Some(depth - 1) {
                    out.push(String::from_utf8_lossy(&xml[start..after]).into_owned());
                }
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

fn attr(xml: &str, key: &str) -> Option<String> {
    let t = tokens(xml.as_bytes());
    t.first().and_then(|t| t.attrs.get(key).cloned())
}

/// A rights team's own workbook: bold filled headers, frozen panes, a
/// dropdown, a conditional format, the team's fill and comment, MovieLabs
/// style `=TRUE()` formulas, a hidden list sheet and a notes tab.
fn team_workbook(path: &Path) {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0x1F4E78))
        .set_font_color(Color::White);
    let yellow = Format::new().set_background_color(Color::RGB(0xFFFF00));
    let money = Format::new().set_num_format("0.00");
    let ws = wb.add_worksheet();
    ws.set_name("Movies").unwrap();
    for (c, name) in [
        "DisplayName",
        "ALID",
        "Territory",
        "Start",
        "End",
        "PriceValue",
        "Format",
        "Exclusive",
    ]
    .iter()
    .enumerate()
    {
        ws.write_with_format(0, c as u16, *name, &header).unwrap();
    }
    for (i, (territory, price)) in [("US", 7.99), ("UK", 9.5), ("FR", 120.0), ("DE", 3.0)]
        .iter()
        .enumerate()
    {
        let r = 1 + i as u32;
        ws.write(r, 0, format!("Title {i}")).unwrap();
        ws.write(r, 1, format!("md:alid:eidr-s:{i}")).unwrap();
        ws.write(r, 2, *territory).unwrap();
        ws.write(r, 3, "2026-01-01").unwrap();
        ws.write_number_with_format(r, 5, *price, &money).unwrap();
        ws.write_formula(
            r,
            6,
            Formula::new(format!("=F{}*2", r + 1)).set_result((price * 2.0).to_string()),
        )
        .unwrap();
        ws.write_formula(r, 7, Formula::new("=TRUE()").set_result("TRUE"))
            .unwrap();
    }
    ws.write_with_format(2, 1, "md:alid:eidr-s:1", &yellow)
        .unwrap();
    ws.insert_note(3, 2, &Note::new("check with legal").set_author("Ana"))
        .unwrap();
    ws.set_freeze_panes(1, 2).unwrap();
    ws.set_column_width(0, 30).unwrap();
    ws.set_column_width(1, 24).unwrap();
    ws.add_data_validation(
        1,
        2,
        500,
        2,
        &DataValidation::new()
            .allow_list_strings(&["US", "GB", "FR", "DE"])
            .unwrap(),
    )
    .unwrap();
    ws.add_conditional_format(
        1,
        5,
        500,
        5,
        &ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::GreaterThan(100))
            .set_format(Format::new().set_font_color(Color::Red)),
    )
    .unwrap();
    ws.autofilter(0, 0, 4, 7).unwrap();
    let lists = wb.add_worksheet();
    lists.set_name("Lists").unwrap();
    lists.write(0, 0, "US").unwrap();
    lists.set_hidden(true);
    let notes = wb.add_worksheet();
    notes.set_name("Team notes").unwrap();
    notes.write(0, 0, "send on Friday").unwrap();
    notes
        .insert_note(0, 0, &Note::new("Ana's reminder").set_author("Ana"))
        .unwrap();
    wb.define_name("Territories", "=Lists!$A$1:$A$10").unwrap();
    wb.save(path).unwrap();
}

fn mark(row: u32, column: &str, severity: Severity, code: &str) -> Mark {
    Mark {
        sheet: Some("Movies".into()),
        row: Some(row),
        column: Some(column.into()),
        severity,
        code: code.into(),
        message: format!("{code}: what is wrong in {column}{row}, and what is allowed"),
        ..Mark::default()
    }
}

#[test]
fn the_team_s_workbook_comes_back_with_only_the_marks_added() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("team.xlsx");
    let output = dir.path().join("team-checked.xlsx");
    team_workbook(&input);
    let marks = vec![
        // The team's yellow cell, the team's commented cell, a formula, an
        // empty cell inside the data and one below it.
        mark(3, "B", Severity::Error, "AV031"),
        mark(4, "C", Severity::Error, "AV040"),
        mark(2, "G", Severity::Warning, "AV081"),
        mark(2, "E", Severity::Error, "AV010"),
        mark(9, "D", Severity::Warning, "AV050"),
    ];
    let done = annotate(&input, &output, &marks, &Options::default()).unwrap();
    assert_eq!(done.cells_marked, 5);
    assert_eq!(done.findings_sheet, "Findings");

    let (a, b) = (parts(&input), parts(&output));
    // Parts the marks do not need: the same bytes.
    let changed: BTreeSet<&str> = [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
        "xl/comments1.xml",
        "xl/drawings/vmlDrawing1.vml",
    ]
    .into();
    for (name, bytes) in &a {
        assert!(b.contains_key(name), "{name} kept");
        if !changed.contains(name.as_str()) {
            assert!(&b[name] == bytes, "{name} is the same bytes");
        }
    }
    // Sheets 2 and 3 (the hidden list, the notes tab with its comment),
    // the shared strings and the theme are among them.
    for name in [
        "xl/worksheets/sheet2.xml",
        "xl/worksheets/sheet3.xml",
        "xl/sharedStrings.xml",
        "xl/comments2.xml",
    ] {
        assert!(a.contains_key(name), "{name} in the input");
    }
    let added: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert_eq!(
        added,
        vec!["xl/worksheets/sheet4.xml"],
        "only the Findings sheet is new"
    );

    // The marked sheet: the same XML but the marked cells' `s`, and the
    // cells added for marks on empty cells.
    let marked: BTreeSet<&str> = ["B3", "C4", "G2", "E2", "D9"].into();
    let strip = |t: &[Token], added_ok: bool| -> Vec<Token> {
        let mut out = Vec::new();
        let mut skip_row = false;
        for tok in t {
            let mut tok = tok.clone();
            if tok.name == "c" && tok.kind != "end" {
                let r = tok.attrs.get("r").cloned().unwrap_or_default();
                if marked.contains(r.as_str()) {
                    tok.attrs.remove("s");
                    if added_ok && tok.kind == "empty" && (r == "E2" || r == "D9") {
                        continue;
                    }
                }
            }
            if added_ok && tok.name == "row" && tok.attrs.get("r").map(String::as_str) == Some("9")
            {
                skip_row = tok.kind == "start";
                continue;
            }
            if added_ok && tok.name == "row" && tok.kind == "end" && skip_row {
                skip_row = false;
                continue;
            }
            out.push(tok);
        }
        out
    };
    let sheet_in = tokens(&a["xl/worksheets/sheet1.xml"]);
    let sheet_out = tokens(&b["xl/worksheets/sheet1.xml"]);
    let legacy = |t: &Token| t.name == "legacyDrawing";
    assert_eq!(sheet_in.iter().filter(|t| legacy(t)).count(), 1);
    assert_eq!(
        sheet_out.iter().filter(|t| legacy(t)).count(),
        1,
        "one drawing, the sheet's own"
    );
    assert_eq!(strip(&sheet_in, false), strip(&sheet_out, true));
    // So formulas, data validations, conditional formats, frozen panes,
    // widths and the filter are there as they were; check a few by name.
    for name in [
        "f",
        "dataValidation",
        "conditionalFormatting",
        "pane",
        "col",
        "autoFilter",
    ] {
        assert_eq!(
            sheet_out.iter().filter(|t| t.name == name).count(),
            sheet_in.iter().filter(|t| t.name == name).count(),
            "<{name}> kept"
        );
    }
    assert!(sheet_out
        .iter()
        .any(|t| t.kind == "text" && t.text == "TRUE()"));

    // Styles: every entry at its index, new ones appended.
    let (sa, sb) = (&a["xl/styles.xml"], &b["xl/styles.xml"]);
    for list in [
        "numFmts",
        "fonts",
        "fills",
        "borders",
        "cellStyleXfs",
        "cellXfs",
        "cellStyles",
        "dxfs",
    ] {
        let (x, y) = (children(sa, list), children(sb, list));
        assert!(y.len() >= x.len(), "{list}");
        assert_eq!(
            &y[..x.len()],
            &x[..],
            "{list}: the input's entries first, unchanged"
        );
        if ["numFmts", "borders", "cellStyleXfs", "cellStyles", "dxfs"].contains(&list) {
            assert_eq!(x, y, "{list} untouched");
        }
    }
    let fills = children(sb, "fills");
    let xfs_in = children(sa, "cellXfs");
    let xfs = children(sb, "cellXfs");
    let fill_rgb = |xf: &str| -> Option<String> {
        let id: usize = attr(xf, "fillId")?.parse().ok()?;
        tokens(fills[id].as_bytes())
            .iter()
            .find(|t| t.name == "fgColor")
            .and_then(|t| t.attrs.get("rgb").cloned())
    };
    let style_of = |cell: &str, t: &[Token]| -> usize {
        t.iter()
            .find(|t| {
                t.name == "c"
                    && t.kind != "end"
                    && t.attrs.get("r").map(String::as_str) == Some(cell)
            })
            .and_then(|t| t.attrs.get("s"))
            .map_or(0, |s| s.parse().unwrap())
    };
    for (cell, rgb) in [
        ("B3", RED),
        ("C4", RED),
        ("G2", AMBER),
        ("E2", RED),
        ("D9", AMBER),
    ] {
        let new = &xfs[style_of(cell, &sheet_out)];
        assert_eq!(fill_rgb(new).as_deref(), Some(rgb), "{cell} filled");
        if cell != "E2" && cell != "D9" {
            // The cell's own style, the fill changed: font, number format,
            // border and alignment as they were.
            let own = &xfs_in[style_of(cell, &sheet_in)];
            for key in ["numFmtId", "fontId", "borderId", "xfId"] {
                assert_eq!(attr(new, key), attr(own, key), "{cell} {key}");
            }
        }
    }
    // The team's yellow is still a style of the workbook, and every unmarked cell keeps its style.
    for t in sheet_in.iter().filter(|t| t.name == "c" && t.kind != "end") {
        let r = t.attrs["r"].as_str();
        if !marked.contains(r) {
            assert_eq!(style_of(r, &sheet_out), style_of(r, &sheet_in), "{r}");
        }
    }

    // Comments: the team's note keeps its text and author, the finding appended.
    let comments = String::from_utf8(b["xl/comments1.xml"].clone()).unwrap();
    let text_of = |cell: &str| -> String {
        let t = tokens(comments.as_bytes());
        let at = t
            .iter()
            .position(|t| {
                t.name == "comment" && t.attrs.get("ref").map(String::as_str) == Some(cell)
            })
            .unwrap_or_else(|| panic!("no comment at {cell}: {comments}"));
        let mut s = String::new();
        for tok in &t[at + 1..] {
            if tok.name == "comment" && tok.kind == "end" {
                break;
            }
            if tok.kind == "text" {
                s.push_str(&tok.text);
            }
        }
        s
    };
    // (rust_xlsxwriter starts a note with its author's name line.)
    assert!(
        text_of("C4").ends_with(
            "check with legal\n\nERROR AV040\nAV040: what is wrong in C4, and what is allowed"
        ),
        "{}",
        text_of("C4")
    );
    for cell in ["B3", "G2", "E2", "D9"] {
        assert!(text_of(cell).contains("what is wrong in"), "{cell}");
    }
    assert!(comments.contains("<author>Ana</author>"));
    let vml = String::from_utf8_lossy(&b["xl/drawings/vmlDrawing1.vml"]).into_owned();
    assert_eq!(
        vml.matches("ObjectType=\"Note\"").count(),
        5,
        "a box per note"
    );

    // The workbook: the input's text with one more sheet; names kept.
    let wb_in = String::from_utf8(a["xl/workbook.xml"].clone()).unwrap();
    let wb_out = String::from_utf8(b["xl/workbook.xml"].clone()).unwrap();
    let start = wb_out.find("<sheet xmlns:r=").unwrap();
    let end = start + wb_out[start..].find("/>").unwrap() + 2;
    assert_eq!(format!("{}{}", &wb_out[..start], &wb_out[end..]), wb_in);
    assert!(wb_out.contains("name=\"Findings\""));

    // A second reader: calamine reads the same values (formulas' results
    // included), and the formulas themselves.
    let mut x: Xlsx<_> = open_workbook(&input).unwrap();
    let mut y: Xlsx<_> = open_workbook(&output).unwrap();
    for name in x.sheet_names() {
        assert_eq!(
            x.worksheet_range(&name).unwrap(),
            y.worksheet_range(&name).unwrap(),
            "{name}"
        );
        assert_eq!(
            x.worksheet_formula(&name).unwrap(),
            y.worksheet_formula(&name).unwrap(),
            "{name}"
        );
    }
    assert_eq!(y.sheet_names().last().map(String::as_str), Some("Findings"));
    let findings = y.worksheet_range("Findings").unwrap();
    // Errors first, grouped by code.
    let codes: Vec<String> = (4..9)
        .map(|r| {
            findings
                .get_value((r, 1))
                .cloned()
                .unwrap_or(Data::Empty)
                .to_string()
        })
        .collect();
    assert_eq!(codes, ["AV010", "AV031", "AV040", "AV050", "AV081"]);
    assert_eq!(findings.get_value((4, 5)), Some(&Data::String("E2".into())));
}

#[test]
fn a_movielabs_workbook_with_a_comment_gets_its_notes_beside_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("Movies_v1.7.2_Bundle.xlsx");
    std::fs::copy(
        root.join("tests/data/movielabs/Movies_v1.7.2_Bundle.xlsx"),
        &input,
    )
    .unwrap();
    let at = |row: u32, column: &str, code: &str| Mark {
        sheet: Some("Movies".into()),
        row: Some(row),
        column: Some(column.into()),
        code: code.into(),
        message: format!("{code} at {column}{row}"),
        ..Mark::default()
    };
    // JF1 carries MovieLabs' own comment; B4 none.
    let marks = vec![at(1, "JF", "CV005"), at(4, "B", "AV040")];
    let output = dir.path().join("checked.xlsx");
    let done = annotate(&input, &output, &marks, &Options::default()).unwrap();
    assert_eq!(done.cells_marked, 2);
    let (a, b) = (parts(&input), parts(&output));
    let changed: BTreeSet<&str> = [
        "[Content_Types].xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
        "xl/comments1.xml",
        "xl/drawings/vmlDrawing1.vml",
    ]
    .into();
    for (name, bytes) in &a {
        if !changed.contains(name.as_str()) {
            assert!(&b[name] == bytes, "{name} is the same bytes");
        }
    }
    // The sheet's relationships stay: the comment part and drawing are reused.
    assert!(b["xl/worksheets/_rels/sheet1.xml.rels"] == a["xl/worksheets/_rels/sheet1.xml.rels"]);
    let comments = String::from_utf8(b["xl/comments1.xml"].clone()).unwrap();
    let texts: Vec<String> = {
        let t = tokens(comments.as_bytes());
        let mut out = Vec::new();
        let mut cur: Option<String> = None;
        for tok in &t {
            match (tok.name.as_str(), tok.kind) {
                ("comment", "start") => cur = Some(format!("{}|", tok.attrs["ref"])),
                ("comment", "end") => out.extend(cur.take()),
                ("", "text") => {
                    if let Some(c) = cur.as_mut() {
                        c.push_str(&tok.text)
                    }
                }
                _ => {}
            }
        }
        out
    };
    assert_eq!(
        texts,
        [
            "JF1|Add Avail ID in next version.\n\nERROR CV005\nCV005 at JF1",
            "B4|ERROR AV040\nAV040 at B4"
        ]
    );
    let vml = String::from_utf8_lossy(&b["xl/drawings/vmlDrawing1.vml"]).into_owned();
    let vml_in = String::from_utf8_lossy(&a["xl/drawings/vmlDrawing1.vml"]).into_owned();
    assert_eq!(vml.matches("<x:ClientData ObjectType=\"Note\"").count(), 2);
    assert!(
        vml.starts_with(&vml_in[..vml_in.rfind("</xml>").unwrap()]),
        "the drawing's shapes kept, one appended"
    );
    assert!(vml.contains("<x:Row>3</x:Row><x:Column>1</x:Column>"));

    let (si, so) = (
        tokens(&a["xl/worksheets/sheet1.xml"]),
        tokens(&b["xl/worksheets/sheet1.xml"]),
    );
    for name in ["mergeCell", "col", "pane", "hyperlink", "legacyDrawing"] {
        assert_eq!(
            si.iter().filter(|t| t.name == name).count(),
            so.iter().filter(|t| t.name == name).count(),
            "<{name}> kept"
        );
    }
    // Every value and attribute as it was, but the two cells' style index
    // (calamine refuses this sheet's `dimension ref="1:65536"`, in the
    // input as in the copy: the XML is compared instead).
    let unstyled = |t: &[Token]| -> Vec<Token> {
        t.iter()
            .cloned()
            .map(|mut t| {
                if t.name == "c"
                    && ["JF1", "B4"].contains(&t.attrs.get("r").map_or("", String::as_str))
                {
                    assert!(t.attrs.remove("s").is_some() || t.kind == "end");
                }
                t
            })
            .collect()
    };
    assert_eq!(unstyled(&si), unstyled(&so));
    assert_ne!(si, so);
}
