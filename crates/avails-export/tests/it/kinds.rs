//! Every column kind and term value kind survives convert → export → convert,
//! and what EMA cannot carry is reported, not dropped silently.

use std::path::{Path, PathBuf};

use avails_convert::{convert_inputs, ConvertOptions};
use avails_export::{build_table, export_csv, export_xlsx, CellValue, ExportOptions};
use avails_model::canonical::canonical;
use avails_model::Avail;
use serde_json::{json, Value};

fn payload() -> Value {
    json!({"avail": {
        "ALID": "md:alid:demo:ep2",
        "Disposition": {"EntryType": "FullExtract"},
        "Licensor": {"DisplayName": "Demo Films"},
        "SharedEntitlement": [{"_ecosystem": "DMA", "EcosystemID": "DemoDMA_Title_ID"}],
        "Asset": [{
            "_contentID": "md:cid:demo:ep2",
            "WorkType": "Episode",
            "EpisodeMetadata": {
                "TitleInternalAlias": ["Avail Strikes Back: S1E2"],
                "EpisodeNumber": {"Number": 2},
                "SeasonMetadata": {
                    "SeasonContentID": "md:cid:demo:s1",
                    "SeasonTitleInternalAlias": ["Avail Strikes Back: Season 1"],
                    "SeasonNumber": {"Number": 1},
                    "NumberOfEpisodes": 77
                },
                "SeriesMetadata": {
                    "SeriesContentID": "md:cid:demo:series",
                    "SeriesTitleInternalAlias": ["Avail Strikes Back"],
                    "NumberOfSeasons": 4
                }
            }
        }],
        "Transaction": [
            {
                "_TransactionID": "availId123",
                "LicenseType": "EST",
                "Territory": [{"country": "US"}],
                "FormatProfile": {"value": "UHD"},
                "Start": "2023-03-14T09:00:00Z",
                "End": "2029-05-22T10:00:00+02:00",
                "LicenseRightsDescription": "DAB",
                "ContractID": "CPH",
                "AssetLanguage": [{"value": "en-US"}, {"value": "fr-CA", "_asset": "subtitle"}],
                "AllowedLanguage": [{"value": "de"}],
                "HoldbackLanguage": [{"value": "fr-CA", "_asset": "audio"}],
                "OtherInstructions": "Handle with care",
                "Terms": [
                    {"_termName": "SRP", "Money": {"value": 15.99, "_currency": "USD"}},
                    {"_termName": "WSP", "Money": {"value": 1000.5, "_currency": "USD"}},
                    {"_termName": "RentalDuration", "Duration": "PT720H"},
                    {"_termName": "WatchDuration", "Duration": "P2D"},
                    {"_termName": "Download", "Text": "Yes"},
                    {"_termName": "Exclusive", "Boolean": false},
                    {"_termName": "ExclusiveAttributes", "Text": "SECOND_RUN_EXCLUSIVE"},
                    {"_termName": "BrandingRights", "Boolean": true},
                    {"_termName": "AnnounceDate", "Event": "2023-01-01T00:00:00"},
                    {"_termName": "SuppressionLiftDate", "Event": "2023-02-01T12:30:00Z"},
                    {"_termName": "allowAds", "Boolean": true},
                    {"_termName": "CompleteYourBundleDiscountPercentage", "Number": 10}
                ]
            },
            {
                "LicenseType": "EST",
                "Territory": [{"country": "US"}],
                "FormatProfile": {"value": "HD"},
                "Start": "2023-03-14T00:00:00",
                "Terms": [{"_termName": "ExclusiveAttributes"}]
            }
        ]
    }})
}

fn convert(path: &Path) -> Vec<Value> {
    let c = convert_inputs(
        &[path.to_path_buf()],
        &ConvertOptions::default(),
        &mut |_| {},
    );
    assert!(c.unreadable.is_empty(), "{:?}", c.unreadable);
    let problems: Vec<String> = c.diagnostics.iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    c.payloads
        .iter()
        .map(|p| serde_json::to_value(&p.request).unwrap())
        .collect()
}

fn written(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_kind_round_trips_through_xlsx_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let input = written(dir.path(), "in.json", &payload().to_string());
    let first = convert(&input);
    assert_eq!(first.len(), 1);
    let avails: Vec<Avail> = first
        .iter()
        .map(|v| serde_json::from_value(v["avail"].clone()).unwrap())
        .collect();
    let options = ExportOptions::default();
    for ext in ["xlsx", "csv"] {
        let out = dir.path().join(format!("out.{ext}"));
        let losses = if ext == "xlsx" {
            export_xlsx(&avails, &options, &out).unwrap()
        } else {
            export_csv(&avails, &options, &out).unwrap()
        };
        assert!(losses.is_empty(), "{losses:#?}");
        let second = convert(&out);
        assert_eq!(
            canonical(&first[0]),
            canonical(&second[0]),
            "{ext}: {}",
            serde_json::to_string_pretty(&second[0]).unwrap()
        );
    }
    // The cells as EMA writes them.
    let t = build_table(&avails, &options);
    let cell = |row: usize, name: &str| t.rows[row][t.column(name).unwrap()].clone();
    assert_eq!(cell(0, "RentalDuration"), CellValue::Number(720.0));
    assert_eq!(cell(0, "WatchDuration"), CellValue::Text("P2D".into()));
    assert_eq!(cell(0, "Exclusive"), CellValue::Text("No".into()));
    assert_eq!(
        cell(0, "AssetLanguage"),
        CellValue::Text("en-US, fr-CA:subtitle".into())
    );
    assert_eq!(
        cell(0, "Start"),
        CellValue::Text("2023-03-14T09:00:00Z".into())
    );
    assert!(matches!(cell(1, "Start"), CellValue::Date(_)));
    assert_eq!(cell(1, "End"), CellValue::Text("Open".into()));
    assert_eq!(cell(0, "EntryType"), CellValue::Text("Full Extract".into()));
    assert_eq!(cell(0, "allowAds"), CellValue::Text("Yes".into()));
    assert_eq!(
        cell(1, "PriceType"),
        CellValue::Text("ExclusiveAttributes".into())
    );
}

#[test]
fn what_ema_cannot_carry_is_reported() {
    let mut v = payload();
    let t = &mut v["avail"]["Transaction"][0];
    t["Territory"] = json!([{"country": "US"}, {"country": "CA"}]);
    t["Terms"]
        .as_array_mut()
        .unwrap()
        .push(json!({"_termName": "Tier", "Text": "1"}));
    t["Terms"]
        .as_array_mut()
        .unwrap()
        .push(json!({"_termName": "Category", "Text": "LB"}));
    t["Unknown"] = json!("x");
    v["avail"]["Asset"][0]["EpisodeMetadata"]["TitleInternalAlias"] = json!(["a", "b"]);
    v["avail"]["Asset"][0]
        .as_object_mut()
        .unwrap()
        .remove("_contentID");
    let avail: Avail = serde_json::from_value(v["avail"].clone()).unwrap();
    let table = build_table(&[avail], &ExportOptions::default());
    let mut pointers: Vec<&str> = table.losses.iter().map(|l| l.pointer.as_str()).collect();
    pointers.sort();
    assert_eq!(
        pointers,
        vec![
            "/Asset/0/EpisodeMetadata/TitleInternalAlias/1",
            // An Episode's ContentID falls back to EpisodeContentID, then ALID.
            "/Asset/0/_contentID",
            // WSP holds the row's price triple: Tier and Category have no place.
            "/Transaction/0/Terms/12",
            "/Transaction/0/Terms/13",
            "/Transaction/0/Territory/1",
            "/Transaction/0/Unknown",
        ],
        "{:#?}",
        table.losses
    );
    assert!(table.losses.iter().all(|l| l.alid == "md:alid:demo:ep2"));
}
