//! Every cell keeps its meaning (issue 10): numbers by their form, dates by
//! their column's rule, Yes/No only where the column is Yes/No, every
//! header accounted for, conditions named, EMA 1.6 and 1.9, and one meaning
//! for each term in the EMA and MDDF readers. Each test writes its own small
//! file; expected JSON comes from MovieLabs' data dictionary
//! (`tests/data/movielabs-reference/ema-1.7.2-data-dictionary.md`), its
//! EMA → MDDF table, its v1.6 translator, and the reference's four
//! XML-to-JSON rules, never from what the code prints.

use crate::support;

use std::path::Path;

use avails_convert::{Conversion, RowCounts};
use avails_model::BusinessLine;
use serde_json::{json, Value};
use support::ema::*;

const A: &str = "md:alid:org:studio:a";
const B: &str = "md:alid:org:studio:b";
const C: &str = "md:alid:org:studio:c";
const D: &str = "md:alid:org:studio:d";
const E: &str = "md:alid:org:studio:e";
const F: &str = "md:alid:org:studio:f";
const START: &str = "2024-01-01T00:00:00";
const END: &str = "2025-12-31T23:59:59";

fn title(alid: &str) -> String {
    format!("Title of {alid}")
}

fn cell_at(file: &Path, sheet: &Sheet, sheet_name: Option<&str>, column: &str, i: usize) -> String {
    match sheet_name {
        Some(s) => format!("{}:{s}!{}", file.display(), sheet.cell(column, i)),
        None => format!("{}:{}", file.display(), sheet.cell(column, i)),
    }
}

fn header_at(file: &Path, sheet: &Sheet, sheet_name: Option<&str>, header: &str) -> String {
    let row = match sheet.layout {
        Layout::Plain => 1,
        Layout::Template => 2,
    };
    match sheet_name {
        Some(s) => format!("{}:{s}!{}{row}", file.display(), sheet.letter(header)),
        None => format!("{}:{}{row}", file.display(), sheet.letter(header)),
    }
}

fn codes(c: &Conversion) -> Vec<String> {
    c.diagnostics.iter().map(|d| d.code.to_string()).collect()
}

fn locations_of(c: &Conversion, code: &str) -> Vec<String> {
    with_code(c, code)
        .iter()
        .map(|d| d.location.to_string())
        .collect()
}

fn terms(wsp: Option<f64>, extra: Vec<Value>) -> Vec<Value> {
    let mut t = extra;
    if let Some(w) = wsp {
        t.push(json!({"_termName": "WSP", "Money": {"value": w, "_currency": "USD"}}));
    }
    t
}

fn window_with_terms(terms: Vec<Value>) -> Value {
    let mut w = us_window(None, "EST", "HD", START, Some(END), 0.0);
    if terms.is_empty() {
        w.as_object_mut().unwrap().remove("Terms");
    } else {
        w["Terms"] = Value::Array(terms);
    }
    w
}

// -------------------------------------------------------------- numbers ---

/// Rows whose prices are typed in every common locale form; the last is
/// ambiguous (`1,299`: 1299 or 1.299) and must be refused at its cell.
fn number_rows() -> Vec<Row> {
    vec![
        movie(A).with("PriceValue", "12,99"),
        movie(B).with("SRP", "1.299,00"),
        movie(C).with("SRP", "1 299,00"),
        movie(D).with("SRP", "1,299.00"),
        movie(E).with("PriceValue", "1,299"),
    ]
}

fn number_payloads() -> Vec<Value> {
    let srp = json!({"_termName": "SRP", "Money": {"value": 1299, "_currency": "USD"}});
    vec![
        movie_payload(
            A,
            A,
            &title(A),
            vec![window_with_terms(terms(Some(12.99), vec![]))],
        ),
        movie_payload(
            B,
            B,
            &title(B),
            vec![window_with_terms(terms(Some(9.99), vec![srp.clone()]))],
        ),
        movie_payload(
            C,
            C,
            &title(C),
            vec![window_with_terms(terms(Some(9.99), vec![srp.clone()]))],
        ),
        movie_payload(
            D,
            D,
            &title(D),
            vec![window_with_terms(terms(Some(9.99), vec![srp]))],
        ),
    ]
}

fn assert_ambiguous_refused(c: &Conversion, at: &str) {
    let cv001 = with_code(c, "CV001");
    assert_eq!(cv001.len(), 1, "{}", describe(c));
    assert!(cv001[0].is_error());
    assert_eq!(cv001[0].location.to_string(), at);
    let m = &cv001[0].message;
    assert!(
        m.contains("1299") && m.contains("1.299"),
        "asks which number it is: {m}"
    );
    assert_eq!(c.held_back.len(), 1, "{}", describe(c));
    assert_eq!(c.held_back[0].scope.alid, E);
}

#[test]
fn numbers_in_csv_are_read_by_their_form_and_an_ambiguous_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().with_rows(number_rows());
    let file = sheet.write_csv(dir.path(), "prices.csv");
    let c = convert_one(&file);
    assert_payloads(&c, &number_payloads());
    assert_ambiguous_refused(&c, &cell_at(&file, &sheet, None, "PriceValue", 4));
    assert_eq!(
        c.rows,
        RowCounts {
            read: 5,
            converted: 4,
            rejected: 1,
            held_back: 0
        }
    );
}

#[test]
fn numbers_typed_as_text_in_a_workbook_read_the_same_and_a_numeric_cell_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = number_rows();
    rows.push(movie(F).set("PriceValue", Cell::Number(12.99)));
    let sheet = Sheet::movies().template().with_rows(rows);
    let file = sheet.write_xlsx(dir.path(), "prices.xlsx", "Movies");
    let c = convert_one(&file);
    let mut expected = number_payloads();
    expected.push(movie_payload(
        F,
        F,
        &title(F),
        vec![window_with_terms(terms(Some(12.99), vec![]))],
    ));
    assert_payloads(&c, &expected);
    assert_ambiguous_refused(&c, &cell_at(&file, &sheet, Some("Movies"), "PriceValue", 4));
}

// ---------------------------------------------------------------- dates ---

fn date_columns() -> Sheet {
    Sheet::movies()
        .add_column("AnnounceDate")
        .add_column("SuppressionLiftDate")
}

fn dated_window(start: &str, end: &str, announce: Option<&str>, lift: Option<&str>) -> Value {
    let mut extra = Vec::new();
    if let Some(a) = announce {
        extra.push(json!({"_termName": "AnnounceDate", "Event": a}));
    }
    if let Some(l) = lift {
        extra.push(json!({"_termName": "SuppressionLiftDate", "Event": l}));
    }
    let mut w = us_window(None, "EST", "HD", start, Some(end), 9.99);
    w["Terms"] = Value::Array(terms(Some(9.99), extra));
    w
}

#[test]
fn a_date_alone_takes_its_columns_time_and_a_written_time_is_kept_in_csv() {
    // Data dictionary: Start "If time is absent, T00:00:00 is assumed"; End
    // "If time is absent, T23:59:59 is assumed"; AnnounceDate "the time is
    // assumed to be 12:00AM"; SuppressionLiftDate is a date (YYYY-MM-DD).
    let dir = tempfile::tempdir().unwrap();
    let sheet = date_columns().with_rows([
        movie(A)
            .with("AnnounceDate", "2023-11-01")
            .with("SuppressionLiftDate", "2023-12-01"),
        movie(B)
            .with("Start", "2024-01-01T09:00:00Z")
            .with("End", "2025-12-31T10:00:00Z")
            .with("AnnounceDate", "2023-11-01T08:30:00Z"),
    ]);
    let c = convert_one(&sheet.write_csv(dir.path(), "dates.csv"));
    assert_payloads(
        &c,
        &[
            movie_payload(
                A,
                A,
                &title(A),
                vec![dated_window(
                    START,
                    END,
                    Some("2023-11-01T00:00:00"),
                    Some("2023-12-01T00:00:00"),
                )],
            ),
            movie_payload(
                B,
                B,
                &title(B),
                vec![dated_window(
                    "2024-01-01T09:00:00Z",
                    "2025-12-31T10:00:00Z",
                    Some("2023-11-01T08:30:00Z"),
                    None,
                )],
            ),
        ],
    );
}

#[test]
fn date_cells_take_their_columns_time_and_a_date_time_cell_keeps_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = date_columns().template().with_rows([
        movie(A)
            .set("Start", Cell::Date(2024, 1, 1))
            .set("End", Cell::Date(2025, 12, 31))
            .set("AnnounceDate", Cell::Date(2023, 11, 1))
            .set("SuppressionLiftDate", Cell::Date(2023, 12, 1)),
        movie(B)
            .set("Start", Cell::DateTime(2024, 1, 1, 9, 0, 0))
            .set("End", Cell::DateTime(2025, 12, 31, 10, 0, 0)),
    ]);
    let c = convert_one(&sheet.write_xlsx(dir.path(), "dates.xlsx", "Movies"));
    assert_payloads(
        &c,
        &[
            movie_payload(
                A,
                A,
                &title(A),
                vec![dated_window(
                    START,
                    END,
                    Some("2023-11-01T00:00:00"),
                    Some("2023-12-01T00:00:00"),
                )],
            ),
            movie_payload(
                B,
                B,
                &title(B),
                vec![dated_window(
                    "2024-01-01T09:00:00",
                    "2025-12-31T10:00:00",
                    None,
                    None,
                )],
            ),
        ],
    );
}

// ------------------------------------------------------------- booleans ---

fn download_window(value: &str) -> Value {
    window_with_terms(terms(
        Some(9.99),
        vec![json!({"_termName": "Download", "Text": value})],
    ))
}

#[test]
fn only_yes_no_columns_turn_true_into_yes() {
    let dir = tempfile::tempdir().unwrap();
    let expected = [
        movie_payload(A, A, "TRUE", vec![download_window("Yes")]),
        movie_payload(B, B, "FALSE", vec![download_window("No")]),
    ];
    let sheet = Sheet::movies().add_column("Download").with_rows([
        movie(A)
            .with("TitleInternalAlias", "TRUE")
            .with("Download", "TRUE"),
        movie(B)
            .with("TitleInternalAlias", "FALSE")
            .with("Download", "FALSE"),
    ]);
    let c = convert_one(&sheet.write_csv(dir.path(), "bools.csv"));
    assert_payloads(&c, &expected);
    // The same as Excel boolean cells.
    let sheet = Sheet::movies().add_column("Download").with_rows([
        movie(A)
            .set("TitleInternalAlias", Cell::Bool(true))
            .set("Download", Cell::Bool(true)),
        movie(B)
            .set("TitleInternalAlias", Cell::Bool(false))
            .set("Download", Cell::Bool(false)),
    ]);
    let c = convert_one(&sheet.write_xlsx(dir.path(), "bools.xlsx", "Movies"));
    assert_payloads(&c, &expected);
}

// ---------------------------------------------------------- headers ---

/// A sheet of two titles whose header `from` is written `to`.
fn renamed(from: &str, to: &str) -> Sheet {
    Sheet::movies()
        .rename_header(from, to)
        .with_rows([movie(A), movie(B)])
}

fn assert_one_sheet_level_error(
    c: &Conversion,
    file: &Path,
    sheet: &Sheet,
    missing: &str,
    written: &str,
) {
    assert!(c.payloads.is_empty(), "{}", describe(c));
    let at = header_at(file, sheet, None, written);
    assert_eq!(
        locations_of(c, "CV011"),
        vec![at.clone()],
        "{}",
        describe(c)
    );
    let d = with_code(c, "CV011")[0];
    assert!(d.is_error());
    assert!(
        d.message.contains(&format!("`{missing}`"))
            && d.message.contains(&format!("`{written}`"))
            && d.message.contains("rename"),
        "names the missing column and suggests the rename: {d}"
    );
    // The column it is not: reported once for the sheet, not per row.
    assert_eq!(locations_of(c, "CV010"), vec![at], "{}", describe(c));
    assert!(
        codes(c)
            .iter()
            .all(|code| ["CV011", "CV010", "CV013"].contains(&code.as_str())),
        "no finding per row: {}",
        describe(c)
    );
}

#[test]
fn end_date_instead_of_end_is_one_sheet_level_error_suggesting_the_rename() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = renamed("End", "End Date");
    let file = sheet.write_csv(dir.path(), "end-date.csv");
    let c = convert_one(&file);
    assert_one_sheet_level_error(&c, &file, &sheet, "End", "End Date");
}

#[test]
fn a_typo_in_a_required_header_is_one_sheet_level_error_suggesting_the_rename() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = renamed("Territory", "Teritory");
    let file = sheet.write_csv(dir.path(), "typo.csv");
    let c = convert_one(&file);
    assert_one_sheet_level_error(&c, &file, &sheet, "Territory", "Teritory");
}

#[test]
fn a_header_cell_overwritten_is_reported_once_per_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies()
        .rename_header("AllowedLanguages", "I")
        .with_rows([A, B, C].map(|alid| movie(alid).with("AllowedLanguages", "en")));
    let file = sheet.write_xlsx(dir.path(), "overwritten.xlsx", "Movies");
    let c = convert_one(&file);
    assert_eq!(
        locations_of(&c, "CV010"),
        vec![header_at(&file, &sheet, Some("Movies"), "I")],
        "{}",
        describe(&c)
    );
    let d = with_code(&c, "CV010")[0];
    assert!(!d.is_error());
    assert!(
        d.message.contains("`I`") && d.message.contains("3 cells"),
        "{d}"
    );
    assert!(!d.message.contains("did you mean"), "{d}");
}

#[test]
fn an_unknown_column_with_values_names_the_nearest_known_column() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies()
        .add_column("Rental Duration")
        .with_rows([movie(A).with("Rental Duration", "48"), movie(B)]);
    let file = sheet.write_csv(dir.path(), "extra.csv");
    let c = convert_one(&file);
    assert_eq!(
        locations_of(&c, "CV010"),
        vec![header_at(&file, &sheet, None, "Rental Duration")],
        "{}",
        describe(&c)
    );
    let d = with_code(&c, "CV010")[0];
    assert!(!d.is_error());
    assert!(
        d.message.contains("`RentalDuration`"),
        "names the nearest: {d}"
    );
}

// ------------------------------------------------------ free text, flags ---

#[test]
fn other_terms_and_an_exception_flag_are_reported_at_each_cell() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies()
        .add_column("OtherTerms")
        .add_column("ExceptionFlag")
        .with_rows([
            movie(A)
                .with(
                    "OtherTerms",
                    "Eligible for promo discount if bundled with prequel.",
                )
                .with("ExceptionFlag", "Yes"),
            movie(B)
                .with("OtherTerms", "Contact marketing")
                .with("ExceptionFlag", "No"),
            movie(C),
        ]);
    let file = sheet.write_csv(dir.path(), "free.csv");
    let c = convert_one(&file);
    let mut at = locations_of(&c, "CV012");
    at.sort();
    let mut want = vec![
        cell_at(&file, &sheet, None, "OtherTerms", 0),
        cell_at(&file, &sheet, None, "ExceptionFlag", 0),
        cell_at(&file, &sheet, None, "OtherTerms", 1),
    ];
    want.sort();
    assert_eq!(at, want, "{}", describe(&c));
    assert_eq!(c.payloads.len(), 3, "{}", describe(&c));
}

// ------------------------------------------------------------- EMA 1.6 ---

/// The columns of MovieLabs' EMA 1.6 Movies template, in its order
/// (mddf-lib / EMA validator `EMASpec16`).
const EMA_16_COLUMNS: &[&str] = &[
    "DisplayName",
    "StoreLanguage",
    "Territory",
    "WorkType",
    "EntryType",
    "TitleInternalAlias",
    "TitleDisplayUnlimited",
    "LocalizationType",
    "LicenseType",
    "LicenseRightsDescription",
    "FormatProfile",
    "Start",
    "End",
    "PriceType",
    "PriceValue",
    "SRP",
    "Description",
    "OtherTerms",
    "OtherInstructions",
    "ContentID",
    "ProductID",
    "EncodeID",
    "AvailID",
    "Metadata",
    "AltID",
    "SuppressionLiftDate",
    "SpecialPreOrderFulfillDate",
    "ReleaseYear",
    "ReleaseHistoryOriginal",
    "ReleaseHistoryPhysicalHV",
    "ExceptionFlag",
    "RatingSystem",
    "RatingValue",
    "RatingReason",
    "RentalDuration",
    "WatchDuration",
    "CaptionIncluded",
    "CaptionExemption",
    "Any",
    "ContractID",
    "ServiceProvider",
    "TotalRunTime",
    "HoldbackLanguage",
    "HoldbackExclusionLanguage",
];

#[test]
fn an_ema_1_6_workbook_takes_the_alid_from_alt_id_as_movielabs_translator_does() {
    // EMA 1.6 has no ALID. In its template AltID is required and AvailID
    // optional (EMASpec16: `AltID(true)`, `AvailID(false)`), and MovieLabs'
    // v1.6 translator (mddf-lib RowToXmlHelperV1_6) maps `Avail/ALID` ←
    // `AvailMetadata/AltID`, StoreLanguage → AssetLanguage and
    // HoldbackExclusionLanguage → AllowedLanguages. AvailID stays the
    // window's TransactionID ("unique to the avail window/entry").
    let dir = tempfile::tempdir().unwrap();
    let base = Row::default()
        .with("DisplayName", "Studio")
        .with("StoreLanguage", "en")
        .with("Territory", "US")
        .with("WorkType", "Movie")
        .with("EntryType", "Full Extract")
        .with("TitleInternalAlias", "Old Movie")
        .with("LicenseType", "EST")
        .with("FormatProfile", "HD")
        .set("Start", Cell::Date(2016, 3, 1))
        .with("End", "Open")
        .with("PriceType", "Tier")
        .with("PriceValue", "NR")
        .with("AltID", "STUDIO-1001")
        // EMA 1.6's ContentID is the title's EIDR (the translator's
        // TitleID), not the asset's content ID, which is AltID.
        .with("ContentID", "10.5240/1489-49A2-3956-4B2D-FE16-5")
        .with("HoldbackExclusionLanguage", "en, fr");
    let sheet = Sheet::new(EMA_16_COLUMNS).template().with_rows([
        base.clone().with("AvailID", "W-1"),
        base.clone()
            .with("AvailID", "W-2")
            .with("FormatProfile", "SD"),
        base.with("AvailID", "W-3").with("LicenseType", "VOD"),
    ]);
    let file = sheet.write_xlsx(dir.path(), "ema16.xlsx", "Movies");
    let c = convert_one(&file);
    let window = |id: &str, license: &str, format: &str| {
        json!({
            "_TransactionID": id,
            "LicenseType": license,
            "Territory": [{"country": "US"}],
            "FormatProfile": {"value": format},
            "Start": "2016-03-01T00:00:00",
            "AssetLanguage": [{"value": "en"}],
            "AllowedLanguage": [{"value": "en"}, {"value": "fr"}],
            "Terms": [{"_termName": "Tier", "Text": "NR"}]
        })
    };
    let mut expected = movie_payload(
        "STUDIO-1001",
        "STUDIO-1001",
        "Old Movie",
        vec![
            window("W-1", "EST", "HD"),
            window("W-2", "EST", "SD"),
            window("W-3", "VOD", "HD"),
        ],
    );
    expected["avail"]["Licensor"]["DisplayName"] = json!("Studio");
    assert_payloads(&c, &[expected]);
    // The ContentID column is reported, once, as the identifier it is.
    assert!(
        with_code(&c, "CV012").iter().any(|d| d.location.to_string()
            == header_at(&file, &sheet, Some("Movies"), "ContentID")
            && d.message.contains("3 cells")),
        "{}",
        describe(&c)
    );
    assert_eq!(
        locations_of(&c, "CV020"),
        vec![header_at(&file, &sheet, Some("Movies"), "AltID")],
        "{}",
        describe(&c)
    );
    assert!(
        c.diagnostics.iter().all(|d| !d.is_error()),
        "{}",
        describe(&c)
    );
}

/// The columns of MovieLabs' EMA 1.6 TV template, in its order (the EMA
/// validator's `EMASpec16TV`, 58 columns), its `ExceptionsFlag` typo
/// included.
const EMA_16_TV_COLUMNS: &[&str] = &[
    "DisplayName",
    "StoreLanguage",
    "Territory",
    "WorkType",
    "EntryType",
    "SeriesTitleInternalAlias",
    "SeriesTitleDisplayUnlimited",
    "SeasonNumber",
    "EpisodeNumber",
    "LocalizationType",
    "EpisodeTitleInternalAlias",
    "EpisodeTitleDisplayUnlimited",
    "SeasonTitleInternalAlias",
    "SeasonTitleDisplayUnlimited",
    "EpisodeCount",
    "SeasonCount",
    "SeriesAltID",
    "SeasonAltID",
    "EpisodeAltID",
    "CompanyDisplayCredit",
    "LicenseType",
    "LicenseRightsDescription",
    "FormatProfile",
    "Start",
    "End",
    "SpecialPreOrderFulfillDate",
    "PriceType",
    "PriceValue",
    "SRP",
    "Description",
    "OtherTerms",
    "OtherInstructions",
    "SeriesContentID",
    "SeasonContentID",
    "EpisodeContentID",
    "EpisodeProductID",
    "EncodeID",
    "AvailID",
    "Metadata",
    "SuppressionLiftDate",
    "ReleaseYear",
    "ReleaseHistoryOriginal",
    "ReleaseHistoryPhysicalHV",
    "ExceptionsFlag",
    "RatingSystem",
    "RatingValue",
    "RatingReason",
    "RentalDuration",
    "WatchDuration",
    "FixedEndDate",
    "CaptionIncluded",
    "CaptionExemption",
    "Any",
    "ContractID",
    "ServiceProvider",
    "TotalRunTime",
    "HoldbackLanguage",
    "HoldbackExclusionLanguage",
];

/// An EMA 1.6 TV row: an Episode of series `SER-1`, season `SEA-1`, its
/// own EpisodeAltID, an EST window in the US.
fn ema16_episode(number: u32, alt_id: &str) -> Row {
    Row::default()
        .with("DisplayName", "Studio")
        .with("StoreLanguage", "en")
        .with("Territory", "US")
        .with("WorkType", "Episode")
        .with("EntryType", "Full Extract")
        .with("SeriesTitleInternalAlias", "The Show")
        .with("SeasonNumber", "1")
        .with("EpisodeNumber", &number.to_string())
        .with("EpisodeTitleInternalAlias", &format!("Episode {number}"))
        .with("SeasonTitleInternalAlias", "The Show S1")
        .with("SeriesAltID", "SER-1")
        .with("SeasonAltID", "SEA-1")
        .with("EpisodeAltID", alt_id)
        .with("EpisodeCount", "2")
        .with("SeasonCount", "1")
        .with("SeriesContentID", "md:cid:org:studio:ser-1")
        .with("SeasonContentID", "md:cid:org:studio:sea-1")
        .with("LicenseType", "EST")
        .with("FormatProfile", "HD")
        .set("Start", Cell::Date(2016, 3, 1))
        .with("End", "Open")
        .with("PriceType", "Tier")
        .with("PriceValue", "TV-A")
}

/// The payload of a 1.6 TV Episode row (`ema16_episode`) with these windows.
fn ema16_episode_payload(number: u32, alt_id: &str, windows: Vec<Value>) -> Value {
    json!({"avail": {
        "ALID": alt_id,
        "Disposition": {"EntryType": "FullExtract"},
        "Licensor": {"DisplayName": "Studio"},
        "Asset": [{
            "_contentID": alt_id,
            "WorkType": "Episode",
            "EpisodeMetadata": {
                "TitleInternalAlias": [format!("Episode {number}")],
                "EpisodeNumber": {"Number": number},
                "SeasonMetadata": {
                    "SeasonContentID": "md:cid:org:studio:sea-1",
                    "SeasonTitleInternalAlias": ["The Show S1"],
                    "SeasonNumber": {"Number": 1},
                    "NumberOfEpisodes": 2
                },
                "SeriesMetadata": {
                    "SeriesContentID": "md:cid:org:studio:ser-1",
                    "SeriesTitleInternalAlias": ["The Show"],
                    "NumberOfSeasons": 1
                }
            }
        }],
        "Transaction": windows
    }})
}

/// A 1.6 TV window: EST in the US from 2016-03-01, open-ended, tier TV-A.
fn ema16_window(id: Option<&str>, format: &str) -> Value {
    let mut t = json!({
        "LicenseType": "EST",
        "Territory": [{"country": "US"}],
        "FormatProfile": {"value": format},
        "Start": "2016-03-01T00:00:00",
        "AssetLanguage": [{"value": "en"}],
        "Terms": [{"_termName": "Tier", "Text": "TV-A"}]
    });
    if let Some(id) = id {
        t["_TransactionID"] = json!(id);
    }
    t
}

#[test]
fn an_ema_1_6_tv_sheet_keys_episodes_by_episode_alt_id_and_seasons_by_season_alt_id() {
    // MovieLabs' v1.6 translator (RowToXmlHelperV1_6.mapKey) reads a TV
    // row's ALID from EpisodeAltID on an Episode row and SeasonAltID on a
    // Season row; AvailID, `//Optional` in the 1.6 TV template, is only the
    // window's TransactionID. So: an episode's HD and SD windows are one
    // title, two episodes whose rows share an AvailID are two titles, and a
    // featurette without an AvailID is converted like any other episode.
    let dir = tempfile::tempdir().unwrap();
    let season = Row::default()
        .with("DisplayName", "Studio")
        .with("StoreLanguage", "en")
        .with("Territory", "US")
        .with("WorkType", "Season")
        .with("EntryType", "Full Extract")
        .with("SeriesTitleInternalAlias", "The Show")
        .with("SeasonNumber", "1")
        .with("SeasonTitleInternalAlias", "The Show S1")
        .with("EpisodeCount", "2")
        .with("SeasonCount", "1")
        .with("SeriesAltID", "SER-1")
        .with("SeasonAltID", "SEA-1")
        .with("SeriesContentID", "md:cid:org:studio:ser-1")
        .with("SeasonContentID", "md:cid:org:studio:sea-1")
        .with("LicenseType", "EST")
        .with("FormatProfile", "HD")
        .set("Start", Cell::Date(2016, 3, 1))
        .with("End", "Open")
        .with("PriceType", "Tier")
        .with("PriceValue", "TV-A")
        .with("AvailID", "S1-HD");
    let sheet = Sheet::new(EMA_16_TV_COLUMNS).template().with_rows([
        ema16_episode(1, "EP-101").with("AvailID", "E1-HD"),
        ema16_episode(1, "EP-101")
            .with("FormatProfile", "SD")
            .with("AvailID", "E1-SD"),
        // Episode 2's window reuses episode 1's AvailID (a deal's ID).
        ema16_episode(2, "EP-102").with("AvailID", "E1-HD"),
        // The featurette: no AvailID (optional in 1.6).
        ema16_episode(0, "EP-100-BONUS").with("EpisodeTitleInternalAlias", "Behind the scenes"),
        season,
    ]);
    let file = sheet.write_xlsx(dir.path(), "ema16-tv.xlsx", "TV");
    let c = convert_one(&file);
    let mut featurette = ema16_episode_payload(0, "EP-100-BONUS", vec![ema16_window(None, "HD")]);
    featurette["avail"]["Asset"][0]["EpisodeMetadata"]["TitleInternalAlias"] =
        json!(["Behind the scenes"]);
    let season_payload = json!({"avail": {
        "ALID": "SEA-1",
        "Disposition": {"EntryType": "FullExtract"},
        "Licensor": {"DisplayName": "Studio"},
        "Asset": [{
            // A Season row's content ID: ContentID, else SeasonContentID.
            "_contentID": "md:cid:org:studio:sea-1",
            "WorkType": "Season",
            "SeasonMetadata": {
                "SeasonContentID": "md:cid:org:studio:sea-1",
                "SeasonTitleInternalAlias": ["The Show S1"],
                "SeasonNumber": {"Number": 1},
                "NumberOfEpisodes": 2,
                "SeriesMetadata": {
                    "SeriesContentID": "md:cid:org:studio:ser-1",
                    "SeriesTitleInternalAlias": ["The Show"],
                    "NumberOfSeasons": 1
                }
            }
        }],
        "Transaction": [ema16_window(Some("S1-HD"), "HD")]
    }});
    assert_payloads(
        &c,
        &[
            ema16_episode_payload(
                1,
                "EP-101",
                vec![
                    ema16_window(Some("E1-HD"), "HD"),
                    ema16_window(Some("E1-SD"), "SD"),
                ],
            ),
            ema16_episode_payload(2, "EP-102", vec![ema16_window(Some("E1-HD"), "HD")]),
            featurette,
            season_payload,
        ],
    );
    // Every row is accounted for: 5 read, 5 converted, none rejected or
    // held back (before, every row was keyed by AvailID: 5 titles, and
    // the featurette rejected for its blank AvailID).
    assert_eq!(
        c.rows,
        RowCounts {
            read: 5,
            converted: 5,
            rejected: 0,
            held_back: 0
        }
    );
    assert!(
        c.diagnostics.iter().all(|d| !d.is_error()),
        "{}",
        describe(&c)
    );
    // Validation refuses none of the four (the shared AvailID is a warning,
    // at episode 2's cell: docs/transaction-ids.md).
    let (findings, failing) =
        avails_convert::check::check(&c, &avails_mapping::Mapping::default_table());
    assert_eq!(failing, [false; 4], "{findings:#?}");
    let shared: Vec<String> = findings
        .iter()
        .filter(|d| d.code == "CV028")
        .map(|d| d.location.to_string())
        .collect();
    assert_eq!(shared, [cell_at(&file, &sheet, Some("TV"), "AvailID", 2)]);
    // The header says where the ALID comes from, once, at SeasonAltID (the
    // first of the two columns).
    assert_eq!(
        locations_of(&c, "CV020"),
        vec![header_at(&file, &sheet, Some("TV"), "SeasonAltID")],
        "{}",
        describe(&c)
    );
    let says = &with_code(&c, "CV020")[0].message;
    assert!(
        says.contains("`EpisodeAltID` on Episode rows")
            && says.contains("`SeasonAltID` on Season rows"),
        "{says}"
    );
}

#[test]
fn an_ema_1_6_tv_row_without_its_alt_id_is_rejected_at_that_cell_alone() {
    // An Episode row with no EpisodeAltID has no ALID: that row is
    // rejected at its EpisodeAltID cell. A row of a WorkType the 1.6
    // translator gives no ALID (not Episode, not Season) is rejected at its
    // WorkType. (Whether the other episodes of the territory wait for it is
    // the grouping's rule for a row without an ALID, not the key's.)
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::new(EMA_16_TV_COLUMNS).template().with_rows([
        ema16_episode(1, "EP-101").with("AvailID", "E1-HD"),
        ema16_episode(2, "EP-102")
            .blank("EpisodeAltID")
            .with("AvailID", "E2-HD"),
        ema16_episode(3, "EP-103")
            .with("WorkType", "Supplemental")
            .with("AvailID", "X-HD"),
        ema16_episode(4, "EP-104").with("AvailID", "E4-HD"),
    ]);
    let file = sheet.write_xlsx(dir.path(), "ema16-tv-gaps.xlsx", "TV");
    let c = convert_one(&file);
    let mut errors: Vec<String> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.code == "CV001")
        .map(|d| d.location.to_string())
        .collect();
    errors.sort();
    let mut want = vec![
        cell_at(&file, &sheet, Some("TV"), "EpisodeAltID", 1),
        cell_at(&file, &sheet, Some("TV"), "WorkType", 2),
    ];
    want.sort();
    assert_eq!(errors, want, "{}", describe(&c));
    assert_eq!(c.rows.read, 4);
    assert_eq!(c.rows.rejected, 2, "{}", describe(&c));
    // No other cell is blamed: AvailID is optional, every other row keyed.
    assert_eq!(
        c.diagnostics
            .iter()
            .filter(|d| d.is_error() && d.code == "CV001")
            .count(),
        2,
        "{}",
        describe(&c)
    );
    assert!(
        c.payloads
            .iter()
            .all(|p| ["EP-101", "EP-104"].contains(&p.alid.as_str())),
        "{}",
        describe(&c)
    );
}

#[test]
fn two_titles_sharing_a_transaction_id_are_sent_alike_in_either_row_order() {
    // One AvailID on windows of two titles (EMA 1.6 TV workbooks give one
    // to every episode of a deal). Which row comes first must not decide
    // which title is sent: both are checked valid in both orders, and one
    // warning names the other title's cell. (`submit --partial` refuses
    // both: avails-submit's tests.)
    let dir = tempfile::tempdir().unwrap();
    let mapping = avails_mapping::Mapping::default_table();
    let mut verdicts = Vec::new();
    for (name, order) in [("ab.csv", [A, B]), ("ba.csv", [B, A])] {
        let sheet = Sheet::movies().with_rows(
            order
                .iter()
                .map(|alid| movie(alid).with("AvailID", "DEAL-7"))
                .collect::<Vec<_>>(),
        );
        let file = sheet.write_csv(dir.path(), name);
        let c = convert_one(&file);
        let (findings, failing) = avails_convert::check::check(&c, &mapping);
        let mut sent: Vec<String> = c
            .payloads
            .iter()
            .zip(&failing)
            .filter(|(_, f)| !**f)
            .map(|(p, _)| p.alid.clone())
            .collect();
        sent.sort();
        assert_eq!(sent, [A, B], "{name}: {findings:#?}");
        let shared: Vec<&avails_model::Diagnostic> =
            findings.iter().filter(|d| d.code == "CV028").collect();
        assert_eq!(shared.len(), 1, "{name}: {findings:#?}");
        // At the second row's AvailID, naming the first row's.
        assert_eq!(
            shared[0].location.to_string(),
            cell_at(&file, &sheet, None, "AvailID", 1)
        );
        assert!(!shared[0].is_error());
        let first = cell_at(&file, &sheet, None, "AvailID", 0);
        assert!(
            shared[0].message.contains(&first) && shared[0].message.contains(order[0]),
            "{name}: {}",
            shared[0].message
        );
        verdicts.push(sent);
    }
    assert_eq!(verdicts[0], verdicts[1]);
}

// ------------------------------------------------- TPR, EMA and MDDF twins ---

/// Converts a sheet (CSV) and its MDDF twin.
fn twins(
    dir: &Path,
    sheet: &Sheet,
    xml: &str,
) -> (
    std::path::PathBuf,
    Conversion,
    std::path::PathBuf,
    Conversion,
) {
    let csv = sheet.write_csv(dir, "twin.csv");
    let xml_file = write_file(dir, "twin.xml", xml);
    let a = convert_one(&csv);
    let b = convert_one(&xml_file);
    (csv, a, xml_file, b)
}

const CID: &str = "md:cid:org:studio:a";

#[test]
fn an_ema_1_9_temporary_price_reduction_gives_the_same_payload_from_sheet_and_xml() {
    // EMA 1.9: PriceType `TPR-WSP` with TPRType and CampaignID (MovieLabs'
    // table: terms TPR-WSP Money, TPRType Text, CampaignID ID). None is a
    // term Prime Video processes: each is left out, reported where written.
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies()
        .add_column("TPRType")
        .add_column("CampaignID")
        .with_rows([
            movie(A).with("ContentID", CID).with("AvailID", "a-hd"),
            movie(A)
                .with("ContentID", CID)
                .with("AvailID", "a-tpr")
                .with("Start", "2024-06-01")
                .with("End", "2024-06-30")
                .with("PriceType", "TPR-WSP")
                .with("PriceValue", "1.99")
                .with("TPRType", "Sale")
                .with("CampaignID", "SPRING-24"),
        ]);
    let regular = "      <avails:Start>2024-01-01T00:00:00</avails:Start>\n      <avails:End>2025-12-31T23:59:59</avails:End>\n      <avails:FormatProfile>HD</avails:FormatProfile>\n      <avails:Term termName=\"WSP\"><avails:Money currency=\"USD\">9.99</avails:Money></avails:Term>\n";
    let tpr = "      <avails:Start>2024-06-01T00:00:00</avails:Start>\n      <avails:End>2024-06-30T23:59:59</avails:End>\n      <avails:FormatProfile>HD</avails:FormatProfile>\n      <avails:Term termName=\"TPR-WSP\"><avails:Money currency=\"USD\">1.99</avails:Money></avails:Term><!-- TPR-WSP -->\n      <avails:Term termName=\"TPRType\"><avails:Text>Sale</avails:Text></avails:Term><!-- TPRType -->\n      <avails:Term termName=\"CampaignID\"><avails:ID>SPRING-24</avails:ID></avails:Term><!-- CampaignID -->\n";
    let xml = mddf_doc(&[mddf_avail(
        A,
        Some(CID),
        "Movie",
        &format!("      <avails:Metadata><avails:TitleInternalAlias>{}</avails:TitleInternalAlias></avails:Metadata>\n", title(A)),
        &[
            mddf_transaction(Some("a-hd"), "EST", regular),
            mddf_transaction(Some("a-tpr"), "EST", tpr),
        ],
        "",
    )]);
    let (csv, from_sheet, xml_file, from_xml) = twins(dir.path(), &sheet, &xml);
    let mut tpr_window = us_window(
        Some("a-tpr"),
        "EST",
        "HD",
        "2024-06-01T00:00:00",
        Some("2024-06-30T23:59:59"),
        0.0,
    );
    tpr_window.as_object_mut().unwrap().remove("Terms");
    let expected = movie_payload(
        A,
        CID,
        &title(A),
        vec![
            us_window(Some("a-hd"), "EST", "HD", START, Some(END), 9.99),
            tpr_window,
        ],
    );
    assert_payloads(&from_sheet, std::slice::from_ref(&expected));
    assert_payloads(&from_xml, &[expected]);
    let mut on_sheet = locations_of(&from_sheet, "CV014");
    on_sheet.sort();
    let mut want = vec![
        // The price Prime Video does not take is where it is named.
        cell_at(&csv, &sheet, None, "PriceType", 1),
        cell_at(&csv, &sheet, None, "TPRType", 1),
        cell_at(&csv, &sheet, None, "CampaignID", 1),
    ];
    want.sort();
    assert_eq!(on_sheet, want, "{}", describe(&from_sheet));
    let lines: Vec<Option<u32>> = with_code(&from_xml, "CV014")
        .iter()
        .map(|d| d.location.row)
        .collect();
    assert_eq!(
        lines,
        ["TPR-WSP", "TPRType", "CampaignID"]
            .map(|m| Some(line_of(&xml, &format!("<!-- {m} -->"))))
            .to_vec(),
        "{}",
        describe(&from_xml)
    );
    assert!(xml_file.exists());
}

#[test]
fn a_volume_rows_content_id_or_volume_content_id_reaches_content_id() {
    let dir = tempfile::tempdir().unwrap();
    let volume = |alid: &str| {
        movie(alid)
            .with("WorkType", "Volume")
            .blank("TitleInternalAlias")
    };
    let sheet = Sheet::movies().add_column("VolumeContentID").with_rows([
        volume(A).with("ContentID", "md:cid:org:studio:vol-a"),
        volume(B).with("VolumeContentID", "md:cid:org:studio:vol-b"),
    ]);
    let c = convert_one(&sheet.write_csv(dir.path(), "volumes.csv"));
    let asset = |alid: &str, cid: &str| {
        json!({"avail": {
            "ALID": alid,
            "Disposition": {"EntryType": "FullExtract"},
            "Licensor": {"DisplayName": "Studio"},
            "Asset": [{"_contentID": cid, "WorkType": "Volume"}],
            "Transaction": [us_window(None, "EST", "HD", START, Some(END), 9.99)]
        }})
    };
    assert_payloads(
        &c,
        &[
            asset(A, "md:cid:org:studio:vol-a"),
            asset(B, "md:cid:org:studio:vol-b"),
        ],
    );
    assert!(with_code(&c, "CV018").is_empty(), "{}", describe(&c));
}

#[test]
fn a_cell_no_attribute_takes_for_its_rows_work_type_is_reported_at_the_cell() {
    // Invariant 2: every non-empty cell reaches the JSON with its EMA
    // meaning, or produces a finding at its cell. A Volume row's
    // TitleInternalAlias and a Movie row's EpisodeNumber feed nothing.
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().add_column("EpisodeNumber").with_rows([
        movie(A)
            .with("WorkType", "Volume")
            .with("TitleInternalAlias", "Volume One"),
        movie(B).with("EpisodeNumber", "3"),
    ]);
    let file = sheet.write_csv(dir.path(), "work-types.csv");
    let c = convert_one(&file);
    assert_eq!(
        locations_of(&c, "CV012"),
        vec![
            cell_at(&file, &sheet, None, "TitleInternalAlias", 0),
            cell_at(&file, &sheet, None, "EpisodeNumber", 1),
        ],
        "{}",
        describe(&c)
    );
    for d in with_code(&c, "CV012") {
        assert!(!d.is_error());
    }
    assert_eq!(c.payloads.len(), 2, "{}", describe(&c));
}

// ----------------------------------------------------------- conditions ---

#[test]
fn conditions_are_named_for_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().add_column("StartLag").with_rows([
        movie(A).with("Start", "Theatrical").with("StartLag", "30"),
        movie(B).with("End", "Immediate"),
        movie(C).with("End", "Open"),
        movie(D)
            .with("LicenseType", "POEST")
            .with("End", "ESTStart")
            .with("AvailID", "d-pre"),
        movie(D)
            .with("Start", "2024-03-01")
            .with("AvailID", "d-est"),
    ]);
    let file = sheet.write_csv(dir.path(), "conditions.csv");
    let c = convert_one(&file);
    assert_payloads(
        &c,
        &[
            movie_payload(
                C,
                C,
                &title(C),
                vec![us_window(None, "EST", "HD", START, None, 9.99)],
            ),
            movie_payload(
                D,
                D,
                &title(D),
                vec![
                    // The pre-order ends when the EST window starts.
                    us_window(
                        Some("d-pre"),
                        "POEST",
                        "HD",
                        START,
                        Some("2024-03-01T00:00:00"),
                        9.99,
                    ),
                    us_window(
                        Some("d-est"),
                        "EST",
                        "HD",
                        "2024-03-01T00:00:00",
                        Some(END),
                        9.99,
                    ),
                ],
            ),
        ],
    );
    let cv009 = with_code(&c, "CV009");
    assert_eq!(
        cv009
            .iter()
            .map(|d| d.location.to_string())
            .collect::<Vec<_>>(),
        vec![
            cell_at(&file, &sheet, None, "Start", 0),
            cell_at(&file, &sheet, None, "End", 1)
        ],
        "{}",
        describe(&c)
    );
    assert!(cv009.iter().all(|d| d.is_error()));
    assert!(
        cv009[0].message.contains("no conditional start") && cv009[0].message.contains("lag 30"),
        "{}",
        cv009[0]
    );
    assert!(
        cv009[1].message.contains("no conditional end"),
        "{}",
        cv009[1]
    );
    assert!(
        with_code(&c, "CV001").is_empty(),
        "a condition is not 'not a date': {}",
        describe(&c)
    );
}

// ------------------------------------------------------------ MDDF twins ---

fn mddf_window(id: &str, license: &str, start: &str, end: &str, extra: &str) -> String {
    mddf_transaction(
        Some(id),
        license,
        &format!(
            "      <avails:Start>{start}</avails:Start>\n{end}      <avails:FormatProfile>HD</avails:FormatProfile>\n{extra}      <avails:Term termName=\"WSP\"><avails:Money currency=\"USD\">9.99</avails:Money></avails:Term>\n"
        ),
    )
}

fn movie_metadata(title: &str, more: &str) -> String {
    format!(
        "      <avails:Metadata>\n        <avails:TitleInternalAlias>{title}</avails:TitleInternalAlias>\n{more}      </avails:Metadata>\n"
    )
}

#[test]
fn an_end_condition_est_start_ends_the_pre_order_as_on_the_ema_path() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().with_rows([
        movie(A)
            .with("ContentID", CID)
            .with("LicenseType", "POEST")
            .with("End", "ESTStart")
            .with("AvailID", "a-pre"),
        movie(A)
            .with("ContentID", CID)
            .with("Start", "2024-03-01")
            .with("AvailID", "a-est"),
    ]);
    let xml = mddf_doc(&[mddf_avail(
        A,
        Some(CID),
        "Movie",
        &movie_metadata(&title(A), ""),
        &[
            mddf_window(
                "a-pre",
                "POEST",
                "2024-01-01T00:00:00",
                "      <avails:EndCondition>ESTStart</avails:EndCondition>\n",
                "",
            ),
            mddf_window(
                "a-est",
                "EST",
                "2024-03-01T00:00:00",
                "      <avails:End>2025-12-31T23:59:59</avails:End>\n",
                "",
            ),
        ],
        "",
    )]);
    let (_, from_sheet, _, from_xml) = twins(dir.path(), &sheet, &xml);
    let expected = movie_payload(
        A,
        CID,
        &title(A),
        vec![
            us_window(
                Some("a-pre"),
                "POEST",
                "HD",
                START,
                Some("2024-03-01T00:00:00"),
                9.99,
            ),
            us_window(
                Some("a-est"),
                "EST",
                "HD",
                "2024-03-01T00:00:00",
                Some(END),
                9.99,
            ),
        ],
    );
    assert_payloads(&from_sheet, std::slice::from_ref(&expected));
    assert_payloads(&from_xml, &[expected]);
}

#[test]
fn a_grouping_entity_channel_is_the_channels_business_line_on_both_paths() {
    // MovieLabs' table: GroupIdentity ↔ Metadata/GroupingEntity[Type='channel']/DisplayName;
    // the reference: ChannelIdentity ← GroupIdentity; SVOD on a channel
    // other than Prime's own is CHANNELS.
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies()
        .add_column("GroupIdentity")
        .with_rows([movie(A)
            .with("ContentID", CID)
            .with("AvailID", "a-svod")
            .with("LicenseType", "SVOD")
            .with("GroupIdentity", "mgm_plus_subscription")]);
    let xml = mddf_doc(&[mddf_avail(
        A,
        Some(CID),
        "Movie",
        &movie_metadata(
            &title(A),
            "        <avails:GroupingEntity><md:Type>channel</md:Type><md:DisplayName>mgm_plus_subscription</md:DisplayName></avails:GroupingEntity>\n",
        ),
        &[mddf_window(
            "a-svod",
            "SVOD",
            "2024-01-01T00:00:00",
            "      <avails:End>2025-12-31T23:59:59</avails:End>\n",
            "",
        )],
        "",
    )]);
    let (_, from_sheet, _, from_xml) = twins(dir.path(), &sheet, &xml);
    let mut window = us_window(Some("a-svod"), "SVOD", "HD", START, Some(END), 9.99);
    window["Terms"] = json!([
        {"_termName": "ChannelIdentity", "Text": "mgm_plus_subscription"},
        {"_termName": "WSP", "Money": {"value": 9.99, "_currency": "USD"}}
    ]);
    let expected = movie_payload(A, CID, &title(A), vec![window]);
    for c in [&from_sheet, &from_xml] {
        assert_payloads(c, std::slice::from_ref(&expected));
        assert_eq!(c.payloads[0].business_line, BusinessLine::Channels);
    }
}

#[test]
fn a_language_list_in_one_element_or_cell_is_one_entry_per_language() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies()
        .add_column("AssetLanguage")
        .with_rows([movie(A)
            .with("ContentID", CID)
            .with("AvailID", "a-hd")
            .with("AssetLanguage", "EN, FR, ES")]);
    let xml = mddf_doc(&[mddf_avail(
        A,
        Some(CID),
        "Movie",
        &movie_metadata(&title(A), ""),
        &[mddf_window(
            "a-hd",
            "EST",
            "2024-01-01T00:00:00",
            "      <avails:End>2025-12-31T23:59:59</avails:End>\n",
            "      <avails:AssetLanguage>EN, FR, ES</avails:AssetLanguage>\n",
        )],
        "",
    )]);
    let (_, from_sheet, _, from_xml) = twins(dir.path(), &sheet, &xml);
    let mut window = us_window(Some("a-hd"), "EST", "HD", START, Some(END), 9.99);
    window["AssetLanguage"] = json!([{"value": "EN"}, {"value": "FR"}, {"value": "ES"}]);
    let expected = movie_payload(A, CID, &title(A), vec![window]);
    assert_payloads(&from_sheet, std::slice::from_ref(&expected));
    assert_payloads(&from_xml, &[expected]);
}

#[test]
fn a_blank_content_id_is_the_alid_with_a_warning_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().with_rows([movie(A).with("AvailID", "a-hd")]);
    let xml = mddf_doc(&[mddf_avail(
        A,
        Some(""),
        "Movie",
        &movie_metadata(&title(A), ""),
        &[mddf_window(
            "a-hd",
            "EST",
            "2024-01-01T00:00:00",
            "      <avails:End>2025-12-31T23:59:59</avails:End>\n",
            "",
        )],
        "",
    )]);
    let (_, from_sheet, _, from_xml) = twins(dir.path(), &sheet, &xml);
    let expected = movie_payload(
        A,
        A,
        &title(A),
        vec![us_window(Some("a-hd"), "EST", "HD", START, Some(END), 9.99)],
    );
    for c in [&from_sheet, &from_xml] {
        assert_payloads(c, std::slice::from_ref(&expected));
        assert_eq!(with_code(c, "CV018").len(), 1, "{}", describe(c));
        assert!(
            c.diagnostics.iter().all(|d| !d.is_error()),
            "{}",
            describe(c)
        );
    }
}

#[test]
fn terms_and_entitlements_prime_video_does_not_process_are_left_out_with_warnings_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies()
        .add_column("TitleStatus")
        .add_column("PackageLabel")
        .add_column("UV_ID")
        .with_rows([movie(A)
            .with("ContentID", CID)
            .with("AvailID", "a-hd")
            .with("TitleStatus", "New")
            .with("PackageLabel", "Deluxe")
            .with("UV_ID", "urn:dece:alid:org:studio:a")]);
    let xml = mddf_doc(&[mddf_avail(
        A,
        Some(CID),
        "Movie",
        &movie_metadata(&title(A), ""),
        &[mddf_window(
            "a-hd",
            "EST",
            "2024-01-01T00:00:00",
            "      <avails:End>2025-12-31T23:59:59</avails:End>\n",
            "      <avails:Term termName=\"TitleStatus\"><avails:Text>New</avails:Text></avails:Term>\n      <avails:Term termName=\"PackageLabel\"><avails:Text>Deluxe</avails:Text></avails:Term>\n",
        )],
        "    <avails:SharedEntitlement ecosystem=\"UVVU\"><avails:EcosystemID>urn:dece:alid:org:studio:a</avails:EcosystemID></avails:SharedEntitlement><!-- UVVU -->\n",
    )]);
    let (csv, from_sheet, _, from_xml) = twins(dir.path(), &sheet, &xml);
    let expected = movie_payload(
        A,
        CID,
        &title(A),
        vec![us_window(Some("a-hd"), "EST", "HD", START, Some(END), 9.99)],
    );
    assert_payloads(&from_sheet, std::slice::from_ref(&expected));
    assert_payloads(&from_xml, &[expected]);
    let mut at = locations_of(&from_sheet, "CV014");
    at.sort();
    let mut want = vec![
        cell_at(&csv, &sheet, None, "PackageLabel", 0),
        cell_at(&csv, &sheet, None, "TitleStatus", 0),
    ];
    want.sort();
    assert_eq!(at, want, "{}", describe(&from_sheet));
    assert_eq!(
        with_code(&from_xml, "CV014").len(),
        2,
        "{}",
        describe(&from_xml)
    );
    // The UVVU entitlement: the sheet's column and the XML's element.
    assert_eq!(
        locations_of(&from_sheet, "CV012"),
        vec![header_at(&csv, &sheet, None, "UV_ID")],
        "{}",
        describe(&from_sheet)
    );
    let uvvu = with_code(&from_xml, "CV023");
    assert_eq!(uvvu.len(), 1, "{}", describe(&from_xml));
    assert_eq!(uvvu[0].location.row, Some(line_of(&xml, "<!-- UVVU -->")));
    for c in [&from_sheet, &from_xml] {
        assert!(
            c.diagnostics.iter().all(|d| !d.is_error()),
            "{}",
            describe(c)
        );
    }
}

#[test]
fn a_seasons_season_wsp_is_its_wsp_in_money_on_both_paths() {
    // EMA 1.8/1.9 PriceType `SeasonWSP` (MovieLabs' table: a Money term,
    // `Term[@termName='SeasonWSP']/Money`): a season's wholesale price, the
    // API's WSP of a Season avail. Never a Text price.
    let dir = tempfile::tempdir().unwrap();
    const S: &str = "md:alid:org:studio:show-s1";
    let sheet = Sheet::new(&[
        "DisplayName",
        "ALID",
        "EntryType",
        "WorkType",
        "SeasonContentID",
        "SeasonTitleInternalAlias",
        "SeasonNumber",
        "EpisodeCount",
        "SeriesContentID",
        "SeriesTitleInternalAlias",
        "SeasonCount",
        "AvailID",
        "LicenseType",
        "Territory",
        "FormatProfile",
        "Start",
        "End",
        "PriceType",
        "PriceValue",
        "PriceCurrency",
    ])
    .with_rows([Row::default()
        .with("DisplayName", "Studio")
        .with("ALID", S)
        .with("EntryType", "Full Extract")
        .with("WorkType", "Season")
        .with("SeasonContentID", S)
        .with("SeasonTitleInternalAlias", "Show: Season 1")
        .with("SeasonNumber", "1")
        .with("EpisodeCount", "10")
        .with("SeriesContentID", "md:alid:org:studio:show")
        .with("SeriesTitleInternalAlias", "Show")
        .with("SeasonCount", "2")
        .with("AvailID", "s1-hd")
        .with("LicenseType", "EST")
        .with("Territory", "US")
        .with("FormatProfile", "HD")
        .with("Start", "2024-01-01")
        .with("End", "2025-12-31")
        .with("PriceType", "SeasonWSP")
        .with("PriceValue", "9.99")
        .with("PriceCurrency", "USD")]);
    let season = "      <avails:SeasonMetadata>\n        <avails:SeasonContentID>md:alid:org:studio:show-s1</avails:SeasonContentID>\n        <avails:SeasonTitleInternalAlias>Show: Season 1</avails:SeasonTitleInternalAlias>\n        <avails:SeasonNumber><md:Number>1</md:Number></avails:SeasonNumber>\n        <avails:NumberOfEpisodes>10</avails:NumberOfEpisodes>\n        <avails:SeriesMetadata>\n          <avails:SeriesContentID>md:alid:org:studio:show</avails:SeriesContentID>\n          <avails:SeriesTitleInternalAlias>Show</avails:SeriesTitleInternalAlias>\n          <avails:NumberOfSeasons>2</avails:NumberOfSeasons>\n        </avails:SeriesMetadata>\n      </avails:SeasonMetadata>\n";
    let xml = mddf_doc(&[mddf_avail(
        S,
        Some(S),
        "Season",
        season,
        &[mddf_transaction(
            Some("s1-hd"),
            "EST",
            "      <avails:Start>2024-01-01T00:00:00</avails:Start>\n      <avails:End>2025-12-31T23:59:59</avails:End>\n      <avails:FormatProfile>HD</avails:FormatProfile>\n      <avails:Term termName=\"SeasonWSP\"><avails:Money currency=\"USD\">9.99</avails:Money></avails:Term>\n",
        )],
        "",
    )]);
    let (_, from_sheet, _, from_xml) = twins(dir.path(), &sheet, &xml);
    let expected = json!({"avail": {
        "ALID": S,
        "Disposition": {"EntryType": "FullExtract"},
        "Licensor": {"DisplayName": "Studio"},
        "Asset": [{
            "_contentID": S,
            "WorkType": "Season",
            "SeasonMetadata": {
                "SeasonContentID": S,
                "SeasonTitleInternalAlias": ["Show: Season 1"],
                "SeasonNumber": {"Number": 1},
                "NumberOfEpisodes": 10,
                "SeriesMetadata": {
                    "SeriesContentID": "md:alid:org:studio:show",
                    "SeriesTitleInternalAlias": ["Show"],
                    "NumberOfSeasons": 2
                }
            }
        }],
        "Transaction": [us_window(Some("s1-hd"), "EST", "HD", START, Some(END), 9.99)]
    }});
    assert_payloads(&from_xml, std::slice::from_ref(&expected));
    assert_payloads(&from_sheet, &[expected]);
}
