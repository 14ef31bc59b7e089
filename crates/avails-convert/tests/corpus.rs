//! The MovieLabs corpus: every workbook and XML file converts; rejected rows
//! are located; the XML and its EMA twin give the same payloads; a workbook
//! saved as CSV gives the same payloads as the workbook.

mod support;

use std::path::PathBuf;

use avails_ema::{read_rows, SheetEvent};
use avails_mapping::Mapping;
use avails_model::canonical::canonical;
use serde_json::Value;
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
        assert!(!c.payloads.is_empty(), "{n}: no payload");
        for p in &c.problems {
            assert!(
                p.location.row.is_some(),
                "{n}: problem without a row or line: {p}"
            );
            if n.ends_with(".xlsx") {
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
        assert_eq!(in_payloads + c.rejected, c.items, "{n}: rows lost");
        let errors: Vec<String> = c
            .problems
            .iter()
            .filter(|p| p.severity == avails_convert::Severity::Error)
            .map(ToString::to_string)
            .collect();
        match n.as_str() {
            // The 1.8 template has two rows without an ALID: they cannot be
            // grouped into a payload and are rejected at their ALID cell.
            "TV_v1.8.xlsx" => {
                assert_eq!(errors.len(), 2, "{errors:#?}");
                assert!(
                    errors[0].contains("Template-TV!AF24") && errors[0].contains("ALID"),
                    "{errors:?}"
                );
                assert!(errors[1].contains("Template-TV!AF25"), "{errors:?}");
            }
            // The structure-test files repeat one ALID with different asset
            // metadata (and, in _errors, WorkType): a conflict naming both places.
            "Avails_Structure_Tests_v2.3.xml" | "Avails_Structure_Tests_v2.3_errors.xml" => {
                assert!(
                    !errors.is_empty() && errors.iter().all(|e| e.contains("CV002")),
                    "{errors:#?}"
                );
            }
            // Bad values of the error file are for validation to report.
            "Avails_withErrors.xml" => {}
            _ => assert!(errors.is_empty(), "{n}: {errors:#?}"),
        }
    }
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
                p.entry_type.clone(),
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
            (
                "FIRSTDANCE_2012_ES".into(),
                "ES".into(),
                "FullExtract".into(),
                8
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
    // A date-only sheet gives midnight with no offset.
    assert_eq!(
        c.payloads[0].request.avail.transaction[0].start.as_deref(),
        Some("2013-06-14T00:00:00")
    );
}

/// Differences the two formats force, applied to the XML side:
/// - times of day: the workbook's cells hold dates (`1917-09-24`) where the
///   XML has `1917-09-24T23:59:59`, so XML date-times are cut to the date;
/// - `_currency`: the XML's Money carries `XTS`; the workbook has no
///   PriceCurrency, so the sheet's Money has none;
/// - SharedEntitlement `UVVU`: the workbook's UV_ID column is not mapped,
///   because the reference maps only DMA_ID (`_ecosystem` allows only DMA).
fn forced_by_format(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in ["Start", "End", "Event"] {
                if let Some(Value::String(s)) = map.get_mut(key) {
                    if s.len() >= 19 && &s[10..11] == "T" {
                        *s = format!("{}T00:00:00", &s[..10]);
                    }
                }
            }
            if let Some(Value::Object(money)) = map.get_mut("Money") {
                money.remove("_currency");
            }
            if let Some(Value::Array(se)) = map.get_mut("SharedEntitlement") {
                se.retain(|e| e["_ecosystem"] == "DMA");
            }
            map.values_mut().for_each(forced_by_format);
        }
        Value::Array(items) => items.iter_mut().for_each(forced_by_format),
        _ => {}
    }
}

#[test]
fn xml_and_its_ema_twin_give_the_same_payloads() {
    let xml = convert(&[corpus().join("Avails_noErrors_v2.3.xml")]);
    let sheet = convert(&[corpus().join("Avails_noErrors_v2.3_v1.8.xlsx")]);
    let mut from_xml = payload_set(&xml);
    for (_, v) in &mut from_xml {
        forced_by_format(v);
        *v = canonical(v);
    }
    let from_sheet = payload_set(&sheet);
    assert_eq!(from_xml.len(), 12);
    assert_eq!(from_xml.len(), from_sheet.len());
    for ((kx, vx), (ks, vs)) in from_xml.iter().zip(&from_sheet) {
        assert_eq!(kx, ks);
        assert_eq!(
            vx, vs,
            "{kx}: XML and workbook differ beyond what the formats force"
        );
    }
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
        assert_eq!(from_csv.rejected, from_xlsx.rejected, "{}", name(&workbook));
        assert_eq!(
            payload_set(&from_csv),
            payload_set(&from_xlsx),
            "{}",
            name(&workbook)
        );
    }
}
