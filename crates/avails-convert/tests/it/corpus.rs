//! The MovieLabs corpus: every workbook and XML file converts; rejected rows
//! are located; a workbook saved as CSV gives the same payloads as the
//! workbook (twins: `twins.rs`).

use crate::support;

use std::path::PathBuf;

use avails_ema::{read_rows, SheetEvent};
use avails_mapping::Mapping;
use support::*;

#[test]
fn every_corpus_file_converts_with_located_problems() {
    let mut files = corpus_files("xlsx");
    files.extend(corpus_files("xml"));
    assert!(files.len() >= 9, "corpus incomplete: {files:?}");
    for file in files {
        let c = convert(std::slice::from_ref(&file));
        let n = name(&file);
        assert!(c.unreadable.is_empty(), "{n}: {:?}", c.unreadable);
        assert!(
            !c.payloads.is_empty() || !c.held_back.is_empty(),
            "{n}: nothing converted"
        );
        for p in &c.diagnostics {
            assert!(
                p.location.row.is_some(),
                "{n}: problem without a row or line: {p}"
            );
            // Findings about a whole row (a repeated window) name the row.
            let about_a_row = ["CV015", "CV013"].contains(&p.code.as_ref());
            if n.ends_with(".xlsx") && !about_a_row {
                assert!(
                    p.location.column.is_some(),
                    "{n}: problem without a column: {p}"
                );
            }
        }
        // Every transaction read is in a payload or was rejected with a message.
        let in_payloads: usize = c
            .payloads
            .iter()
            .map(|p| p.request.avail.transaction.len())
            .sum();
        assert!(in_payloads <= c.rows.converted, "{n}");
        assert_eq!(
            c.rows.converted + c.rows.rejected + c.rows.held_back,
            c.rows.read,
            "{n}: rows lost"
        );
        // Every rejected row, with its reason; every payload held back, with
        // the rows that block it.
        let errors: Vec<String> = c
            .diagnostics
            .iter()
            .filter(|p| p.severity == avails_convert::Severity::Error)
            .map(|d| {
                format!(
                    "{}{} [{}] {}",
                    d.location
                        .sheet
                        .as_deref()
                        .map(|s| format!("{s}!"))
                        .unwrap_or_default(),
                    cell(&d.location),
                    d.code,
                    d.message
                )
            })
            .collect();
        let held: Vec<String> = c.held_back.iter().map(|h| h.scope.to_string()).collect();
        let (want_errors, want_held): (&[&str], &[&str]) = match n.as_str() {
            // The 1.8 template has two rows without an ALID: they cannot be
            // grouped into any payload and are rejected at their ALID cell.
            "TV_v1.8.xlsx" => (
                &[
                    "Template-TV!AF24 [CV001] ALID is empty: a value: EMA requires ALID on every row",
                    "Template-TV!AF25 [CV001] ALID is empty: a value: EMA requires ALID on every row",
                ],
                &[],
            ),
            // The second avail of the same title says WorkType `Movie` where
            // the first says `Supplemental`: a conflict naming both places;
            // the title is held back whole.
            "Avails_Structure_Tests_v2.3_errors.xml" => (
                &[
                    "76 [CV002] md:alid:eidr-x:0344-992B-DF0A-21A5-8BF9-Q NL PRIME_SUBSCRIPTION: Asset.WorkType is `Movie` here but `Supplemental` at",
                    // The title's two other SVOD windows are checked as if it
                    // were sent: every finding of the file comes in one run.
                    "40 [AV073] term RentalDuration is missing; it is required for LicenseType SVOD with Download Yes",
                    "40 [AV073] term WatchDuration is missing; it is required for LicenseType SVOD with Download Yes",
                    "40 [AV074] term ChannelIdentity is missing or empty; it is required for LicenseType SVOD",
                    "58 [AV073] term RentalDuration is missing; it is required for LicenseType SVOD with Download Yes",
                    "58 [AV073] term WatchDuration is missing; it is required for LicenseType SVOD with Download Yes",
                    "58 [AV074] term ChannelIdentity is missing or empty; it is required for LicenseType SVOD",
                    "76 [CV013] md:alid:eidr-x:0344-992B-DF0A-21A5-8BF9-Q NL PRIME_SUBSCRIPTION (FullExtract): not converted, 2 row(s) held back",
                ],
                &["md:alid:eidr-x:0344-992B-DF0A-21A5-8BF9-Q NL PRIME_SUBSCRIPTION"],
            ),
            // A transaction names the country `JJ`: the row cannot be
            // placed (it could be any territory of its title), so its title
            // is held back whole rather than sent without that window.
            "Avails_withErrors.xml" => (
                &[
                    "52 [CV024] Territory `JJ` is not an ISO 3166-1 alpha-2 country code",
                    // The row and its title are still checked as if sent.
                    "60 [AV041] language `XYZ` is not a valid RFC 5646 tag",
                    "67 [AV002] required attribute Terms is missing in AvailTrans",
                    "91 [AV041] language `ENg` is not a valid RFC 5646 tag",
                    "89 [AV041] language `fr-xx` is not a valid RFC 5646 tag",
                    "95 [AV002] required attribute Terms is missing in AvailTrans",
                    "52 [CV013] md:pseudoalid:wprid.fox.com:001143 US TVOD (FullExtract): not converted, 1 row(s) held back",
                ],
                &["md:pseudoalid:wprid.fox.com:001143 US TVOD"],
            ),
            // The others convert whole (the error file's bad values are for
            // validation to report; the structure file's second avail omits
            // Metadata, which is blank, not a conflict).
            _ => (&[], &[]),
        };
        assert_eq!(errors.len(), want_errors.len(), "{n}: {errors:#?}");
        for (got, want) in errors.iter().zip(want_errors) {
            assert!(
                got.starts_with(want),
                "{n}: {got}\n  does not start with\n{want}"
            );
        }
        assert_eq!(held, want_held, "{n}");
    }
}

fn cell(l: &avails_model::Location) -> String {
    format!(
        "{}{}",
        l.column.as_deref().unwrap_or(""),
        l.row.map(|r| r.to_string()).unwrap_or_default()
    )
}

#[test]
fn the_movies_workbook_groups_by_title_territory_and_business_line() {
    let c = convert(&[corpus().join("Movies_v1.7.2.xlsx")]);
    let summary: Vec<(String, String, String, usize)> = c
        .payloads
        .iter()
        .map(|p| {
            (
                p.alid.clone(),
                p.territory.clone(),
                p.entry_type.to_string(),
                p.request.avail.transaction.len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("VIEW_MT_2006".into(), "US".into(), "FullExtract".into(), 2),
            (
                "FIRSTDANCE_2012".into(),
                "CA".into(),
                "FullExtract".into(),
                16
            ),
            // Rows 26-29 repeat rows 22-25 but for TitleID and
            // CompanyDisplayCredit, which are not sent: four windows.
            (
                "FIRSTDANCE_2012_ES".into(),
                "ES".into(),
                "FullExtract".into(),
                4
            ),
            (
                "FIRSTDANCE_2012_DE".into(),
                "DE".into(),
                "FullDelete".into(),
                1
            ),
        ]
    );
    // The pre-orders end with `ESTStart`: the start of the matching EST window.
    let ca = &c.payloads[1].request.avail;
    let poest: Vec<_> = ca
        .transaction
        .iter()
        .filter(|t| t.license_type.as_deref() == Some("POEST"))
        .collect();
    assert_eq!(poest.len(), 2);
    for t in poest {
        let fp = &t.format_profile.as_ref().unwrap().value;
        let est_start = ca
            .transaction
            .iter()
            .filter(|e| {
                e.license_type.as_deref() == Some("EST")
                    && &e.format_profile.as_ref().unwrap().value == fp
            })
            .filter_map(|e| e.start.clone())
            .min()
            .unwrap();
        assert_eq!(t.end.as_deref(), Some(est_start.as_str()));
    }
    // A date-only Start is the start of its day, a date-only End the end
    // of its day (MovieLabs' dictionary), with no offset: Prime Video then
    // applies the territory's easternmost zone.
    let view = &c.payloads[0].request.avail.transaction[0];
    assert_eq!(view.start.as_deref(), Some("2013-06-14T00:00:00"));
    // FIRSTDANCE_2012_ES's VOD windows end on the date cell 2013-09-20.
    let vod_ends: Vec<&str> = c.payloads[2]
        .request
        .avail
        .transaction
        .iter()
        .filter(|t| t.license_type.as_deref() == Some("VOD"))
        .filter_map(|t| t.end.as_deref())
        .collect();
    assert_eq!(vod_ends, ["2013-09-20T23:59:59", "2013-09-20T23:59:59"]);
}

/// Saves every EMA sheet of a workbook as CSV, as a user's "Save as CSV"
/// would: one file per sheet, every value as text, dates in ISO form.
fn save_as_csv(workbook: &std::path::Path, dir: &std::path::Path) -> Vec<PathBuf> {
    let mapping = Mapping::default_table();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut writer: Option<csv::Writer<std::fs::File>> = None;
    let mut sink = |e: SheetEvent<'_>| match e {
        SheetEvent::Sheet(h) => {
            let path = dir.join(format!("{}-{}.csv", name(workbook), files.len()));
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_path(&path)
                .unwrap();
            w.write_record(&h.names).unwrap();
            writer = Some(w);
            files.push(path);
        }
        SheetEvent::Row { cells, .. } => {
            let w = writer.as_mut().unwrap();
            w.write_record(cells.iter().map(|c| match c {
                avails_ema::Cell::Bool(b) => {
                    if *b {
                        "TRUE".into()
                    } else {
                        "FALSE".into()
                    }
                }
                other => other.display(),
            }))
            .unwrap();
        }
        SheetEvent::Skipped { .. } => {}
    };
    read_rows(workbook, &name(workbook), &mapping, &mut sink).unwrap();
    drop(writer);
    files
}

#[test]
fn a_workbook_saved_as_csv_converts_to_the_same_payloads() {
    let dir = tempfile::tempdir().unwrap();
    for workbook in corpus_files("xlsx") {
        let csvs = save_as_csv(&workbook, dir.path());
        assert!(!csvs.is_empty(), "{}", name(&workbook));
        let from_csv = convert(&csvs);
        let from_xlsx = convert(std::slice::from_ref(&workbook));
        assert!(from_csv.unreadable.is_empty(), "{:?}", from_csv.unreadable);
        assert_eq!(from_csv.rows, from_xlsx.rows, "{}", name(&workbook));
        assert_eq!(
            payload_set(&from_csv),
            payload_set(&from_xlsx),
            "{}",
            name(&workbook)
        );
    }
}
