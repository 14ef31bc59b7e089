//! MDDF Avails XML export: the XML is what `avails-v2.6.xsd` and the
//! reference's four XML→JSON rules say a payload is in MDDF, reads back to
//! the payload, and what it cannot carry is reported.

use std::path::{Path, PathBuf};

use avails_convert::{convert_inputs, Conversion, ConvertOptions};
use avails_export::{export_file, mddf_xml, ExportOptions, Loss};
use avails_model::canonical::canonical;
use avails_model::Avail;
use serde_json::{json, Value};

fn avail(v: Value) -> Avail {
    serde_json::from_value(v).unwrap()
}

/// A payload given what MDDF requires and the case at hand does not test:
/// a Licensor, and each transaction's Start and FormatProfile.
fn complete(mut v: Value) -> Value {
    let a = v.as_object_mut().unwrap();
    a.entry("Licensor")
        .or_insert(json!({"DisplayName": "studio"}));
    for t in a["Transaction"].as_array_mut().unwrap() {
        let t = t.as_object_mut().unwrap();
        t.entry("Start").or_insert(json!("2024-01-01T00:00:00Z"));
        t.entry("FormatProfile").or_insert(json!({"value": "HD"}));
    }
    v
}

/// The XML as the reference's four rules read it (prefixes dropped,
/// attributes `_name`, repeats arrays), and the losses.
fn written(avails: &[Avail]) -> (Value, String, Vec<Loss>) {
    let document = mddf_xml(avails).unwrap();
    assert!(document.rejected.is_empty(), "{:#?}", document.rejected);
    let xml = document.xml.unwrap();
    (
        avails_mddf::xml_to_json(&xml).unwrap(),
        xml,
        document.losses,
    )
}

/// The element names of an object, in document order.
fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn tvod_movie() -> Value {
    json!({
        "ALID": "md:alid:eidr-s:1",
        "Disposition": {"EntryType": "FullExtract"},
        "Licensor": {"DisplayName": "studio"},
        "Asset": [{
            "_contentID": "md:cid:eidr-s:1",
            "WorkType": "Movie",
            "Metadata": {"TitleInternalAlias": ["Tom & Jerry <3"]}
        }],
        "Transaction": [{
            "_TransactionID": "t1",
            "LicenseType": "EST",
            "Territory": [{"country": "FR"}],
            "FormatProfile": {"value": "HD"},
            "Start": "2024-01-01T00:00:00+01:00",
            "LicenseRightsDescription": "New Release",
            "ContractID": "C-1",
            "AssetLanguage": [{"value": "fr", "_asset": "audio"}],
            "AllowedLanguage": [{"value": "de", "_asset": "subtitle"}, {"value": "en"}],
            "HoldbackLanguage": [{"value": "it"}],
            "Terms": [
                {"_termName": "WSP", "Money": {"value": 9.99, "_currency": "EUR"}},
                {"_termName": "Tier", "Text": "Premium"},
                {"_termName": "AnnounceDate", "Event": "2023-12-01T00:00:00Z"},
                {"_termName": "Exclusive", "Boolean": false},
                {"_termName": "RentalDuration", "Duration": "PT48H"},
                {"_termName": "CompleteYourBundleDiscountPercentage", "Number": 20}
            ],
            "OtherInstructions": "none"
        }, {
            "LicenseType": "VOD",
            "Territory": [{"country": "FR"}],
            "FormatProfile": {"value": "SD"},
            "Start": "2024-01-01T00:00:00",
            "End": "2024-12-31T23:59:59"
        }],
        "SharedEntitlement": [{"_ecosystem": "DMA", "EcosystemID": "10.5240/X"}]
    })
}

#[test]
fn a_movie_is_written_as_the_schema_orders_it() {
    let (doc, xml, losses) = written(&[avail(tvod_movie())]);
    assert!(losses.is_empty(), "{losses:?}");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(xml.contains(
        r#"<avails:AvailList xmlns:avails="http://www.movielabs.com/schema/avails/v2.6/avails" xmlns:md="http://www.movielabs.com/schema/md/v2.10/md""#
    ));
    // MDDF's own prefixes: md for Region, Publisher and sequence children.
    assert!(xml.contains("<md:country>FR</md:country>"));
    assert!(xml.contains("<md:DisplayName>studio</md:DisplayName>"));
    assert!(xml.contains("Tom &amp; Jerry &lt;3"));
    let a = &doc["AvailList"]["Avail"];
    assert_eq!(
        keys(a),
        [
            "ALID",
            "Disposition",
            "Licensor",
            "AvailType",
            "ShortDescription",
            "Asset",
            "Transaction",
            "SharedEntitlement"
        ]
    );
    assert_eq!(a["Disposition"]["EntryType"], "Full Extract");
    assert_eq!(a["AvailType"], "single");
    assert_eq!(
        a["Asset"],
        json!({
            "_contentID": "md:cid:eidr-s:1",
            "WorkType": "Movie",
            "Metadata": {"TitleInternalAlias": "Tom & Jerry <3"}
        })
    );
    let t = &a["Transaction"][0];
    // AvailTrans-type's sequence: Allowed before Asset before Holdback
    // languages, FormatProfile after LicenseRightsDescription.
    assert_eq!(
        keys(t),
        [
            "_TransactionID",
            "LicenseType",
            "Territory",
            "Start",
            "EndCondition",
            "AllowedLanguage",
            "AssetLanguage",
            "HoldbackLanguage",
            "LicenseRightsDescription",
            "FormatProfile",
            "ContractID",
            "Term",
            "OtherInstructions"
        ]
    );
    // No End: open-ended, which MDDF says with the Open condition.
    assert_eq!(t["EndCondition"], "Open");
    assert_eq!(
        t["AllowedLanguage"],
        json!([{"_asset": "subtitle", "value": "de"}, "en"])
    );
    assert_eq!(
        t["AssetLanguage"],
        json!({"_asset": "audio", "value": "fr"})
    );
    assert_eq!(
        t["Term"],
        json!([
            {"_termName": "WSP", "Money": {"_currency": "EUR", "value": "9.99"}},
            {"_termName": "Tier", "Text": "Premium"},
            {"_termName": "AnnounceDate", "Event": "2023-12-01T00:00:00Z"},
            {"_termName": "Exclusive", "Boolean": "false"},
            {"_termName": "RentalDuration", "Duration": "PT48H"},
            {"_termName": "CompleteYourBundleDiscountPercentage", "Number": "20"}
        ])
    );
    let second = &a["Transaction"][1];
    assert!(second.get("_TransactionID").is_none());
    assert_eq!(second["End"], "2024-12-31T23:59:59");
    assert!(second.get("EndCondition").is_none());
    assert_eq!(
        a["SharedEntitlement"],
        json!({"_ecosystem": "DMA", "EcosystemID": "10.5240/X"})
    );
}

#[test]
fn a_channel_every_transaction_names_becomes_the_grouping_entity() {
    let mut v = tvod_movie();
    let channel = json!({"_termName": "ChannelIdentity", "Text": "mgm_plus_subscription"});
    for t in v["Transaction"].as_array_mut().unwrap() {
        t["LicenseType"] = json!("SVOD");
        let terms = t
            .as_object_mut()
            .unwrap()
            .entry("Terms")
            .or_insert(json!([]));
        terms.as_array_mut().unwrap().insert(0, channel.clone());
    }
    let original = avail(v);
    let (doc, xml, losses) = written(std::slice::from_ref(&original));
    assert!(losses.is_empty(), "{losses:?}");
    let a = &doc["AvailList"]["Avail"];
    // As MovieLabs writes EMA's GroupIdentity: md:GroupingEntity-type.
    assert_eq!(
        a["Asset"]["Metadata"],
        json!({
            "TitleInternalAlias": "Tom & Jerry <3",
            "GroupingEntity": {
                "Type": "channel",
                "GroupIdentity": "mgm_plus_subscription",
                "DisplayName": "mgm_plus_subscription"
            }
        })
    );
    assert!(!xml.contains("termName=\"ChannelIdentity\""));
    // Read back, every transaction has its channel again.
    let back = avails_mddf::read_avails(&xml).unwrap();
    let request = back[0].request().unwrap();
    assert_eq!(
        canonical(&serde_json::to_value(&request.avail).unwrap()),
        canonical(&serde_json::to_value(&original).unwrap())
    );
}

#[test]
fn channels_that_differ_or_have_no_grouping_place_stay_terms() {
    // Two channels in one avail: each transaction keeps its own term.
    let mut v = tvod_movie();
    for (t, name) in v["Transaction"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(["a", "b"])
    {
        t["LicenseType"] = json!("SVOD");
        t["Terms"] = json!([{"_termName": "ChannelIdentity", "Text": name}]);
    }
    let (doc, _, losses) = written(&[avail(v)]);
    assert!(losses.is_empty(), "{losses:?}");
    let a = &doc["AvailList"]["Avail"];
    assert!(a["Asset"]["Metadata"].get("GroupingEntity").is_none());
    assert_eq!(
        a["Transaction"][1]["Term"],
        json!({"_termName": "ChannelIdentity", "Text": "b"})
    );

    // A season: SeasonMetadata has no GroupingEntity in the schema.
    let season = json!({
        "ALID": "s1",
        "Asset": [{"_contentID": "s1", "WorkType": "Season", "SeasonMetadata": {
            "SeasonContentID": "s1", "SeasonNumber": {"Number": 1}, "NumberOfEpisodes": 8,
            "SeriesMetadata": {"SeriesContentID": "sr", "SeriesTitleInternalAlias": ["Show"]}
        }}],
        "Transaction": [{"LicenseType": "SVOD", "Territory": [{"country": "US"}],
            "Terms": [{"_termName": "ChannelIdentity", "Text": "chan"}]}]
    });
    let (doc, _, losses) = written(&[avail(complete(season))]);
    assert!(losses.is_empty(), "{losses:?}");
    let a = &doc["AvailList"]["Avail"];
    assert_eq!(a["AvailType"], "season");
    assert_eq!(
        a["Transaction"]["Term"],
        json!({"_termName": "ChannelIdentity", "Text": "chan"})
    );
    assert_eq!(
        a["Asset"]["SeasonMetadata"],
        json!({
            "SeasonContentID": "s1",
            "SeasonNumber": {"Number": "1"},
            "NumberOfEpisodes": "8",
            "SeriesMetadata": {"SeriesContentID": "sr", "SeriesTitleInternalAlias": "Show"}
        })
    );
}

#[test]
fn an_episodes_series_goes_back_inside_its_season() {
    let episode = json!({
        "ALID": "e1",
        "Asset": [{"_contentID": "e1", "WorkType": "Episode", "EpisodeMetadata": {
            "TitleInternalAlias": ["Pilot"],
            "EpisodeNumber": {"Number": 1},
            "SeasonMetadata": {"SeasonContentID": "s1", "SeasonNumber": {"Number": 2}},
            "SeriesMetadata": {"SeriesContentID": "sr", "SeriesTitleInternalAlias": ["Show"],
                "NumberOfSeasons": 3}
        }}],
        "Transaction": [{"LicenseType": "EST", "Territory": [{"country": "US"}]}]
    });
    let (doc, _, losses) = written(&[avail(complete(episode))]);
    assert!(losses.is_empty(), "{losses:?}");
    let meta = &doc["AvailList"]["Avail"]["Asset"]["EpisodeMetadata"];
    assert_eq!(
        keys(meta),
        ["TitleInternalAlias", "EpisodeNumber", "SeasonMetadata"]
    );
    assert_eq!(
        meta["SeasonMetadata"],
        json!({
            "SeasonContentID": "s1",
            "SeasonNumber": {"Number": "2"},
            "SeriesMetadata": {"SeriesContentID": "sr", "SeriesTitleInternalAlias": "Show",
                "NumberOfSeasons": "3"}
        })
    );
    assert_eq!(doc["AvailList"]["Avail"]["AvailType"], "episode");
}

#[test]
fn a_bundle_lists_its_bundled_assets() {
    let bundle = json!({
        "ALID": "b",
        "Asset": [{"_contentID": "b", "WorkType": "Collection",
            "Metadata": {"TitleInternalAlias": ["Box"]},
            "BundleAsset": [{"BundledALID": "m1"}, {"BundledALID": "m2"}]}],
        "Transaction": [{"LicenseType": "EST", "Territory": [{"country": "US"}]}]
    });
    let (doc, _, losses) = written(&[avail(complete(bundle))]);
    assert!(losses.is_empty(), "{losses:?}");
    let a = &doc["AvailList"]["Avail"];
    assert_eq!(a["AvailType"], "collection");
    assert_eq!(
        a["Asset"]["BundledAsset"],
        json!([{"BundledALID": "m1"}, {"BundledALID": "m2"}])
    );
}

#[test]
fn what_mddf_cannot_carry_is_reported_at_its_pointer() {
    let v = json!({
        "ALID": "A",
        "Custom": 1,
        "Asset": [{"_contentID": "A", "WorkType": "Movie",
            "Metadata": {"TitleInternalAlias": ["Two  spaces"]}}],
        "Transaction": [{
            "LicenseType": "EST",
            "Territory": [{"country": "US", "subdivision": "CA"}],
            "ContractID": "",
            "OtherInstructions": "bell\u{7}",
            "Terms": [{"_termName": "X", "Text": "ok"}]
        }]
    });
    let (_, _, losses) = written(&[avail(complete(v))]);
    let found: Vec<(&str, &str)> = losses
        .iter()
        .map(|l| (l.pointer.as_str(), l.reason.as_str()))
        .collect();
    let expect = [
        ("/Custom", "no place for `Custom`"),
        (
            "/Asset/0/Metadata/TitleInternalAlias/0",
            "reads back from MDDF as `Two spaces`",
        ),
        (
            "/Transaction/0/Territory/0/subdivision",
            "no place for `subdivision`",
        ),
        (
            "/Transaction/0/ContractID",
            "an empty value is an absent one",
        ),
        ("/Transaction/0/OtherInstructions", "U+0007"),
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for (pointer, reason) in expect {
        assert!(
            found
                .iter()
                .any(|(p, r)| *p == pointer && r.contains(reason)),
            "{pointer} `{reason}` not in {found:#?}"
        );
    }
    assert!(losses
        .iter()
        .all(|l| l.alid == "A" && l.avail == 0 && l.row.is_none()));
}

// ---------------------------------------------------------------- corpus ---

fn data(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(dir)
}

fn convert(paths: &[PathBuf]) -> Conversion {
    convert_inputs(paths, &ConvertOptions::default(), &mut |_| {})
}

fn payload_set(c: &Conversion) -> Vec<(String, Value)> {
    let mut v: Vec<(String, Value)> = c
        .payloads
        .iter()
        .map(|p| {
            (
                p.key(),
                canonical(&serde_json::to_value(&p.request).unwrap()),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn inputs() -> Vec<PathBuf> {
    let mut all = Vec::new();
    for dir in ["movielabs", "movielabs-twins"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(data(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                ext == "xml" || ext == "xlsx"
            })
            .collect();
        files.sort();
        all.extend(files);
    }
    assert!(all.len() >= 13, "{all:?}");
    all
}

/// convert → export `.xml` → convert gives the same payloads, for every
/// corpus workbook and XML, with nothing reported lost.
#[test]
fn every_corpus_file_round_trips_through_mddf_xml() {
    let dir = tempfile::tempdir().unwrap();
    for input in inputs() {
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let first = convert(std::slice::from_ref(&input));
        if first.payloads.is_empty() {
            continue;
        }
        let avails: Vec<Avail> = first
            .payloads
            .iter()
            .map(|p| p.request.avail.clone())
            .collect();
        let out = dir.path().join(format!("{name}.xml"));
        let losses = export_file(&avails, &ExportOptions::default(), &out).unwrap();
        assert!(
            losses.is_empty(),
            "{name}: {:#?}",
            losses.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
        let second = convert(std::slice::from_ref(&out));
        assert!(second.unreadable.is_empty(), "{name}");
        assert!(!second.has_errors(), "{name}: {:#?}", second.diagnostics);
        let (a, b) = (payload_set(&first), payload_set(&second));
        assert_eq!(a.len(), b.len(), "{name}: payload count");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "{name}: {} differs after the MDDF round trip", x.0);
        }
    }
}

#[test]
fn export_file_refuses_other_extensions() {
    let err = export_file(&[], &ExportOptions::default(), Path::new("out.json")).unwrap_err();
    assert!(err.to_string().contains(".xlsx, .csv or .xml"), "{err}");
}
