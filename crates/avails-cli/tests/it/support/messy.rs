//! A messy EMA 1.8 movie workbook such as a studio sends, written with
//! rust_xlsxwriter, with known broken cells: merged section titles over the
//! column names (rows 1-3 are headers), blank cells beside filled ones, real
//! date cells in a US format, a formula, a free-text sheet, and
//!
//! * a Start that is no date (`2024-13-45`) on row 5 (territory FR),
//! * a territory that is not an ISO 3166-1 code (`UK`, for GB) on row 6,
//! * a WSP price without its currency on row 7 (territory CA),
//! * row 4's window repeated, same AvailID, on row 8.
//!
//! Used by `annotate_e2e`, `submit_report_e2e` and `validate_remote_e2e`.

use std::path::Path;

use avails_model::location::column_letter;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

/// The data sheet's name.
pub const SHEET: &str = "Movies";

/// Column names of row 2, in order (column A first).
pub const COLUMNS: [&str; 24] = [
    "DisplayName",
    "ALID",
    "EntryType",
    "ContentID",
    "WorkType",
    "TitleInternalAlias",
    "AvailID",
    "LicenseType",
    "Territory",
    "FormatProfile",
    "Start",
    "End",
    "LicenseRightsDescription",
    "ContractID",
    "AssetLanguage",
    "PriceType",
    "PriceValue",
    "PriceCurrency",
    "SRP",
    "RentalDuration",
    "WatchDuration",
    "Download",
    "Exclusive",
    "OtherInstructions",
];

/// The column letter of a column name of [`COLUMNS`].
pub fn letter(name: &str) -> String {
    let i = COLUMNS.iter().position(|c| *c == name).expect(name);
    column_letter(i)
}

/// The title of every row but the last.
pub const ALID: &str = "md:alid:studio.com:harbor-lights";
/// The title of the last row (a clean EST window).
pub const OTHER_ALID: &str = "md:alid:studio.com:quiet-tide";

/// `(cell, code, warning)` of each finding the broken rows must give, from
/// the reference and the conversion policy: an unreadable date rejects its
/// cell (CV001) and so its whole full extract, which is not converted (no
/// CV013: its only row is rejected itself); `UK` is no assigned ISO 3166-1
/// code, so its row cannot be placed (CV024) and holds back the title's other
/// scopes (reported once with it, at its cell); a Money needs its `_currency`
/// (AV002), reported at the
/// price (PriceValue) or at the empty PriceCurrency cell; a window repeated
/// exactly is sent once, with a warning about the repeating row (CV015).
pub fn broken_cells() -> Vec<(String, &'static str, bool)> {
    vec![
        (format!("{}5", letter("Start")), "CV001", false),
        (format!("{}6", letter("Territory")), "CV024", false),
        (format!("{}7", letter("PriceCurrency")), "AV002", false),
        ("A8".to_string(), "CV015", true),
    ]
}

/// Where the missing currency may be reported: PriceValue or PriceCurrency.
pub fn currency_cells() -> [String; 2] {
    [
        format!("{}7", letter("PriceValue")),
        format!("{}7", letter("PriceCurrency")),
    ]
}

enum V {
    T(&'static str),
    N(f64),
    D(u16, u8, u8),
    F(&'static str, &'static str),
}

/// Writes the workbook to `path`.
pub fn write(path: &Path) {
    let mut wb = Workbook::new();
    let readme = wb.add_worksheet();
    readme.set_name("Read me").unwrap();
    readme
        .write(
            0,
            0,
            "Avails for Q3 - send questions to rights@studio.example",
        )
        .unwrap();
    readme.write(2, 0, "Prepared").unwrap();
    readme
        .write_datetime_with_format(
            2,
            1,
            ExcelDateTime::from_ymd(2024, 6, 3).unwrap(),
            &Format::new().set_num_format("mm/dd/yyyy"),
        )
        .unwrap();

    let ws = wb.add_worksheet();
    ws.set_name(SHEET).unwrap();
    let bold = Format::new().set_bold();
    // Row 1: section titles, merged over their columns.
    for (first, last, title) in [(0, 2, "Avail"), (3, 5, "AvailAsset"), (7, 22, "AvailTrans")] {
        ws.merge_range(0, first, 0, last, title, &bold).unwrap();
    }
    ws.write(0, 6, "Avail").unwrap();
    // Row 2: column names; row 3: the version and comments.
    for (c, name) in COLUMNS.iter().enumerate() {
        ws.write_with_format(1, c as u16, *name, &bold).unwrap();
    }
    ws.write(2, 0, "1.8").unwrap();
    ws.write(2, 10, "//Start: mm/dd/yyyy").unwrap();
    ws.write(2, 16, "//Opt").unwrap();
    let us_date = Format::new().set_num_format("mm/dd/yyyy");
    let good = |avail_id: &'static str| -> Vec<(&'static str, V)> {
        vec![
            ("DisplayName", V::T("Studio Pictures")),
            ("ALID", V::T(ALID)),
            ("EntryType", V::T("Full Extract")),
            ("ContentID", V::T("md:cid:studio.com:harbor-lights")),
            ("WorkType", V::T("Movie")),
            ("TitleInternalAlias", V::T("Harbor Lights")),
            ("AvailID", V::T(avail_id)),
            ("LicenseType", V::T("VOD")),
            ("Territory", V::T("US")),
            ("FormatProfile", V::T("HD")),
            ("Start", V::D(2024, 7, 1)),
            ("End", V::D(2026, 6, 30)),
            ("LicenseRightsDescription", V::T("New Release")),
            ("PriceType", V::T("WSP")),
            ("PriceValue", V::N(7.99)),
            ("PriceCurrency", V::T("USD")),
            ("RentalDuration", V::N(720.0)),
            ("WatchDuration", V::N(48.0)),
            ("Download", V::T("No")),
            ("Exclusive", V::T("No")),
        ]
    };
    let with = |mut row: Vec<(&'static str, V)>, name: &'static str, v: Option<V>| {
        row.retain(|(n, _)| *n != name);
        if let Some(v) = v {
            row.push((name, v));
        }
        row
    };
    let in_territory =
        |row: Vec<(&'static str, V)>, t: &'static str| with(row, "Territory", Some(V::T(t)));
    let mut row4 = good("HL-US-VOD-1");
    row4.push(("SRP", V::F("=Q4+1", "8.99")));
    let mut row8 = good("HL-US-VOD-1");
    row8.push(("SRP", V::F("=Q8+1", "8.99")));
    // Each broken row in a territory of its own, so no payload hides
    // another's finding (a rejected row holds its whole payload back).
    let rows: Vec<Vec<(&'static str, V)>> = vec![
        row4,
        with(
            in_territory(good("HL-FR-VOD-1"), "FR"),
            "Start",
            Some(V::T("2024-13-45")),
        ),
        in_territory(good("HL-UK-VOD-1"), "UK"),
        with(
            in_territory(good("HL-CA-VOD-1"), "CA"),
            "PriceCurrency",
            None,
        ),
        row8,
        vec![
            ("DisplayName", V::T("Studio Pictures")),
            ("ALID", V::T(OTHER_ALID)),
            ("EntryType", V::T("Full Extract")),
            ("ContentID", V::T("md:cid:studio.com:quiet-tide")),
            ("WorkType", V::T("Movie")),
            ("TitleInternalAlias", V::T("Quiet Tide")),
            ("AvailID", V::T("QT-US-EST-1")),
            ("LicenseType", V::T("EST")),
            ("Territory", V::T("US")),
            ("FormatProfile", V::T("SD")),
            ("Start", V::D(2024, 9, 1)),
            ("End", V::T("Open")),
            ("LicenseRightsDescription", V::T("Library")),
            ("PriceType", V::T("WSP")),
            ("PriceValue", V::N(9.99)),
            ("PriceCurrency", V::T("USD")),
            ("Download", V::T("Yes")),
            ("Exclusive", V::T("No")),
            ("OtherInstructions", V::T("Artwork to follow")),
        ],
    ];
    for (i, row) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        for (name, v) in row {
            let c = COLUMNS.iter().position(|n| n == name).unwrap() as u16;
            match v {
                V::T(s) => ws.write(r, c, *s).map(|_| ()),
                V::N(n) => ws.write(r, c, *n).map(|_| ()),
                V::D(y, m, d) => ws
                    .write_datetime_with_format(
                        r,
                        c,
                        ExcelDateTime::from_ymd(*y, *m, *d).unwrap(),
                        &us_date,
                    )
                    .map(|_| ()),
                V::F(f, result) => ws
                    .write_formula(r, c, Formula::new(*f).set_result(*result))
                    .map(|_| ()),
            }
            .unwrap();
        }
    }
    // A trailing comment row, as templates have.
    ws.write(11, 0, "//end of avails").unwrap();
    ws.set_column_width(1, 34).unwrap();
    ws.set_column_width(5, 20).unwrap();
    ws.set_freeze_panes(3, 0).unwrap();
    wb.save(path).unwrap();
}
