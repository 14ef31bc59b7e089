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
