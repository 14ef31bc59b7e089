//! Findings name the sheet's column, not the schema's path (issue 13): a
//! rights team reads "PriceCurrency is empty", not "required attribute
//! _currency is missing in Money". The JSON keeps the path (the finding's
//! location), and each finding sits at the cell the value came from.

use crate::support;

use avails_convert::{check, Diagnostic};
use avails_mapping::Mapping;
use support::ema::*;

/// Every finding of converting and checking a CSV of these rows, with the
/// sheet it was written from and its path.
fn findings_of(
    rows: Vec<Row>,
) -> (
    Vec<Diagnostic>,
    Sheet,
    std::path::PathBuf,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().with_rows(rows);
    let file = sheet.write_csv(dir.path(), "avails.csv");
    let c = convert_one(&file);
    let (findings, _) = check(&c, &Mapping::default_table());
    (findings, sheet, file, dir)
}

/// The one finding of `code`, with every finding printed when there is not one.
#[track_caller]
fn only<'f>(findings: &'f [Diagnostic], code: &str) -> &'f Diagnostic {
    let of: Vec<&Diagnostic> = findings.iter().filter(|d| d.code == code).collect();
    assert_eq!(
        of.len(),
        1,
        "{code}: {:#?}",
        findings.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    of[0]
}

#[test]
fn a_price_without_its_currency_names_price_currency_at_its_cell() {
    let (findings, sheet, file, _dir) = findings_of(vec![movie("md:alid:org:studio:a")
        .with("PriceValue", "7.99")
        .blank("PriceCurrency")]);
    let d = only(&findings, "AV002");
    assert!(
        d.message
            .starts_with("PriceCurrency is empty: WSP 7.99 needs a currency"),
        "{d}"
    );
    assert_eq!(d.column.as_deref(), Some("PriceCurrency"));
    assert_eq!(
        d.location.to_string(),
        format!("{}:{}", file.display(), sheet.cell("PriceCurrency", 0))
    );
    // The JSON keeps the schema's path.
    let path = d.payload_path.as_deref().unwrap_or_default();
    assert!(path.ends_with("/Money/_currency"), "{d:?}");
}

#[test]
fn a_country_that_does_not_exist_names_the_territory_column() {
    let (findings, sheet, file, _dir) =
        findings_of(vec![movie("md:alid:org:studio:a").with("Territory", "XQ")]);
    let d = only(&findings, "CV024");
    assert!(d.message.contains("Territory"), "{d}");
    assert_eq!(d.column.as_deref(), Some("Territory"));
    assert_eq!(
        d.location.to_string(),
        format!("{}:{}", file.display(), sheet.cell("Territory", 0))
    );
}

#[test]
fn a_window_ending_before_it_starts_names_a_date_column() {
    let (findings, _sheet, _file, _dir) = findings_of(vec![movie("md:alid:org:studio:a")
        .with("Start", "2025-01-01")
        .with("End", "2024-01-01")]);
    let d = only(&findings, "AV044");
    let column = d.column.as_deref().expect("a column");
    assert!(["Start", "End"].contains(&column), "{d}");
    assert!(d.message.contains(column), "{d}");
}

#[test]
fn a_row_without_a_price_names_the_price_columns() {
    let (findings, _sheet, _file, _dir) = findings_of(vec![movie("md:alid:org:studio:a")
        .blank("PriceType")
        .blank("PriceValue")
        .blank("PriceCurrency")]);
    let d = only(&findings, "AV002");
    // At the PriceType cell, where the price would be, naming what it takes.
    assert_eq!(d.column.as_deref(), Some("PriceType"), "{d}");
    assert_eq!(
        d.location.to_string(),
        format!("{}:{}", _file.display(), _sheet.cell("PriceType", 0))
    );
    assert!(d.message.starts_with("PriceType: this EST row"), "{d}");
    for allowed in ["WSP", "PriceValue", "PriceCurrency"] {
        assert!(d.message.contains(allowed), "{d}");
    }
    assert!(!d.message.contains("/avail/"), "{d}");
}

#[test]
fn a_subscription_row_without_its_channel_names_group_identity_and_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies()
        .add_column("GroupIdentity")
        .add_column("RentalDuration")
        .add_column("WatchDuration")
        .with_rows(vec![movie("md:alid:org:studio:a")
            .with("LicenseType", "SVOD")
            .with("RentalDuration", "172800")
            .with("WatchDuration", "86400")
            .blank("GroupIdentity")]);
    let file = sheet.write_csv(dir.path(), "avails.csv");
    let (findings, _) = check(&convert_one(&file), &Mapping::default_table());
    let d = only(&findings, "AV074");
    assert_eq!(d.column.as_deref(), Some("GroupIdentity"), "{d}");
    assert_eq!(
        d.location.to_string(),
        format!("{}:{}", file.display(), sheet.cell("GroupIdentity", 0))
    );
    assert!(
        d.message
            .starts_with("GroupIdentity is empty: LicenseType SVOD requires it"),
        "{d}"
    );
    for allowed in ["prime", "A4K", "FVOD", "your channel's name"] {
        assert!(d.message.contains(allowed), "{d}");
    }
    // The API's words follow, in parentheses; the path stays in the JSON.
    assert!(d.message.contains("(term ChannelIdentity"), "{d}");
    assert!(d
        .payload_path
        .as_deref()
        .unwrap_or_default()
        .ends_with("/Terms"));
}

/// The Start each payload of `c` holds, by ALID.
fn starts(c: &avails_convert::Conversion) -> Vec<(String, String)> {
    payloads(c)
        .iter()
        .map(|p| {
            let avail = &p["avail"];
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            (
                text(&avail["ALID"]),
                text(&avail["Transaction"][0]["Start"]),
            )
        })
        .collect()
}

/// Dates as sheets hold them (issue 28): spaces around a date, a
/// non-breaking space, an Excel serial day, a date-time in UTC are read; an
/// impossible date is an error at its cell, under the column's own name,
/// saying why and the date likely meant.
#[test]
fn messy_date_cells_are_read_and_impossible_ones_explained_at_their_cell() {
    let alid = |s: &str| format!("md:alid:org:studio:{s}");
    let rows = vec![
        movie(&alid("space")).with("Start", "2024-01-02 "),
        movie(&alid("nbsp")).with("Start", "\u{a0}2024-01-03\u{a0}"),
        movie(&alid("serial")).set("Start", Cell::Number(45_295.0)),
        movie(&alid("utc")).with("Start", "2024-01-05T09:30:00Z"),
        movie(&alid("june")).with("Start", "2013-06-31"),
        movie(&alid("leap")).with("End", "2023-02-29"),
        movie(&alid("month")).with("Start", "2023-13-01T10:00:00"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().with_rows(rows);
    let file = sheet.write_xlsx(dir.path(), "avails.xlsx", "Movies");
    let c = convert_one(&file);
    let read = starts(&c);
    for (name, start) in [
        ("space", "2024-01-02T00:00:00"),
        ("nbsp", "2024-01-03T00:00:00"),
        ("serial", "2024-01-04T00:00:00"),
        ("utc", "2024-01-05T09:30:00Z"),
    ] {
        assert!(
            read.contains(&(alid(name), start.to_string())),
            "{name}: {read:?}\n{}",
            describe(&c)
        );
    }
    let at = |column: &str, row: usize, message: &str| {
        let cell = format!("{}:Movies!{}", file.display(), sheet.cell(column, row));
        let d = c
            .diagnostics
            .iter()
            .find(|d| d.location.to_string() == cell)
            .unwrap_or_else(|| panic!("nothing at {cell}:\n{}", describe(&c)));
        assert_eq!((&*d.code, d.message.as_str()), ("CV001", message));
        assert_eq!(d.column.as_deref(), Some(column));
    };
    at(
        "Start",
        4,
        "Start `2013-06-31`: expected a YYYY-MM-DD date that exists: June has 30 days; \
         did you mean 2013-06-30?",
    );
    at(
        "End",
        5,
        "End `2023-02-29`: expected a YYYY-MM-DD date that exists: 2023 is not a leap \
         year, so February has 28 days; did you mean 2023-02-28?",
    );
    at(
        "Start",
        6,
        "Start `2023-13-01T10:00:00`: expected a YYYY-MM-DD date that exists: there is no \
         month 13 (months run from 01 to 12); did you mean 2023-01-13T10:00:00?",
    );
}

/// Under `--date-order DMY`, `31/06/2013` is no day: the error says so and
/// what was likely meant; `30/06/2013` is read.
#[test]
fn an_impossible_day_first_date_is_explained_under_its_order() {
    let rows = vec![
        movie("md:alid:org:studio:a").with("Start", "31/06/2013"),
        movie("md:alid:org:studio:b").with("Start", "30/06/2013"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().with_rows(rows);
    let file = sheet.write_csv(dir.path(), "avails.csv");
    let mut options = avails_convert::ConvertOptions::default();
    options.mapping.dates.order = Some(avails_mapping::DateOrder::Dmy);
    let c = avails_convert::convert_inputs(std::slice::from_ref(&file), &options, &mut |_| {});
    assert!(
        starts(&c).contains(&("md:alid:org:studio:b".into(), "2013-06-30T00:00:00".into())),
        "{}",
        describe(&c)
    );
    let d = only(&c.diagnostics, "CV001");
    assert_eq!(
        d.message,
        "Start `31/06/2013`: expected a day/month/year date (--date-order DMY) that exists: \
         June has 30 days; did you mean 2013-06-30?"
    );
    assert_eq!(
        d.location.to_string(),
        format!("{}:{}", file.display(), sheet.cell("Start", 0))
    );
}
