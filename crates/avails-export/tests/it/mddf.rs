//! MDDF Avails XML export: the XML is what `avails-v2.6.xsd` and the
//! reference's four XML→JSON rules say a payload is in MDDF, reads back to
//! the payload, and what it cannot carry is reported.

use crate::support;
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
        let avails = support::avails_of(&first);
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

// ------------------------------------------------- one <Avail> per ALID ---

/// The reference's movie in one territory.
fn in_territory(country: &str) -> Value {
    let mut v = tvod_movie();
    for t in v["Transaction"].as_array_mut().unwrap() {
        t["Territory"] = json!([{"country": country}]);
    }
    v
}

#[test]
fn payloads_of_one_alid_are_one_avail_whose_transactions_carry_their_territories() {
    let other = {
        let mut v = complete(json!({
            "ALID": "md:alid:eidr-s:2",
            "Asset": [{"_contentID": "md:cid:eidr-s:2", "WorkType": "Short",
                "Metadata": {"TitleInternalAlias": ["Short"]}}],
            "Transaction": [{"LicenseType": "EST", "Territory": [{"country": "US"}]}]
        }));
        v["Disposition"] = json!({"EntryType": "FullExtract"});
        v
    };
    let payloads = [in_territory("US"), other, in_territory("CA")].map(avail);
    let document = mddf_xml(&payloads).unwrap();
    assert!(document.rejected.is_empty(), "{:#?}", document.rejected);
    assert!(document.losses.is_empty(), "{:#?}", document.losses);
    assert_eq!(
        (document.avails, document.payloads, document.transactions),
        (2, 3, 5)
    );
    let xml = document.xml.unwrap();
    let doc = avails_mddf::xml_to_json(&xml).unwrap();
    let list = doc["AvailList"]["Avail"].as_array().unwrap();
    // The ALID once, in the order first met; its windows US then CA.
    assert_eq!(list[0]["ALID"], "md:alid:eidr-s:1");
    assert_eq!(list[1]["ALID"], "md:alid:eidr-s:2");
    let countries: Vec<&Value> = list[0]["Transaction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["Territory"]["country"])
        .collect();
    assert_eq!(countries, ["US", "US", "CA", "CA"]);
    // Converted back: the three payloads, each with its own windows.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("merged.xml");
    std::fs::write(&path, &xml).unwrap();
    let back = convert(&[path]);
    assert!(!back.has_errors(), "{:#?}", back.diagnostics);
    let mut got: Vec<Value> = back
        .payloads
        .iter()
        .map(|p| canonical(&serde_json::to_value(&p.request.avail).unwrap()))
        .collect();
    let mut want: Vec<Value> = payloads
        .iter()
        .map(|a| canonical(&serde_json::to_value(a).unwrap()))
        .collect();
    got.sort_by_key(ToString::to_string);
    want.sort_by_key(ToString::to_string);
    assert_eq!(got, want);
}

#[test]
fn payloads_of_one_alid_that_differ_beyond_their_windows_are_named_not_written() {
    let mut ca = in_territory("CA");
    ca["Licensor"]["DisplayName"] = json!("another studio");
    let payloads = [in_territory("US"), ca, in_territory("FR")].map(avail);
    let document = mddf_xml(&payloads).unwrap();
    assert!(document.xml.is_none());
    let named: Vec<(usize, &str, Option<&str>)> = document
        .rejected
        .iter()
        .map(|r| (r.avail, r.pointer.as_str(), r.territory.as_deref()))
        .collect();
    assert_eq!(
        named,
        [
            (0, "/Licensor/DisplayName", Some("US")),
            (1, "/Licensor/DisplayName", Some("CA")),
            (2, "/Licensor/DisplayName", Some("FR")),
        ]
    );
    assert!(document.rejected[0]
        .reason
        .contains("payloads 1, 2, 3 share this ALID"));
    assert!(document.rejected[0]
        .to_string()
        .starts_with("payload 1 (ALID md:alid:eidr-s:1, territory US) /Licensor/DisplayName: "));
}

// ------------------------------------------- what MDDF requires, or not ---

/// The reasons a payload is refused for, by pointer.
fn refusals(v: Value) -> Vec<(String, String)> {
    let document = mddf_xml(&[avail(v)]).unwrap();
    assert!(document.xml.is_none(), "nothing valid to write");
    document
        .rejected
        .into_iter()
        .map(|r| (r.pointer, r.reason))
        .collect()
}

#[test]
fn a_payload_mddf_cannot_take_is_named_with_every_reason() {
    let mut v = tvod_movie();
    v["Disposition"]["EntryType"] = json!("PartialExtract");
    v["Transaction"][0]["FormatProfile"]["value"] = json!("Max");
    v["Transaction"][0]["Start"] = json!("2024-01-01");
    v["Transaction"][1]["AssetLanguage"] = json!([{"value": "en fr"}]);
    v["Transaction"][0]["Terms"][4]["Duration"] = json!("48 hours");
    v.as_object_mut().unwrap().remove("Licensor");
    let found = refusals(v);
    let expect = [
        (
            "/Disposition/EntryType",
            "`PartialExtract` has no MDDF EntryType",
        ),
        (
            "/Licensor/DisplayName",
            "requires the Licensor's DisplayName",
        ),
        ("/Transaction/0/Start", "`2024-01-01` is not an xs:dateTime"),
        (
            "/Transaction/0/FormatProfile/value",
            "FormatProfile `Max` is none of MDDF's",
        ),
        (
            "/Transaction/0/Terms/4/Duration",
            "`48 hours` is not an xs:duration",
        ),
        (
            "/Transaction/1/AssetLanguage/0/value",
            "`en fr` is not an xs:language tag",
        ),
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for ((pointer, reason), (p, r)) in found.iter().zip(expect) {
        assert_eq!(pointer, p);
        assert!(reason.contains(r), "{pointer}: {reason}");
    }
}

#[test]
fn each_work_type_needs_the_metadata_mddf_requires_of_it() {
    let with_asset = |asset: Value| {
        let mut v = tvod_movie();
        v["Asset"] = json!([asset]);
        v
    };
    // A Volume (MovieLabs' own workbooks have them): not an API work type.
    let found = refusals(with_asset(json!({"_contentID": "v", "WorkType": "Volume"})));
    assert_eq!(found[0].0, "/Asset/0/WorkType");
    // A Season without its SeasonNumber, and without the series MDDF nests in it.
    let found = refusals(with_asset(json!({"_contentID": "s", "WorkType": "Season",
        "SeasonMetadata": {"SeasonContentID": "s", "NumberOfEpisodes": 8}})));
    let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/Asset/0/SeasonMetadata/SeasonNumber/Number",
            "/Asset/0/SeasonMetadata/SeriesMetadata"
        ]
    );
    // A Movie with no Metadata, an Episode with no number, a Collection with
    // nothing bundled.
    let found = refusals(with_asset(json!({"_contentID": "m", "WorkType": "Movie"})));
    assert_eq!(found[0].0, "/Asset/0/Metadata");
    let found = refusals(with_asset(json!({"_contentID": "e", "WorkType": "Episode",
        "EpisodeMetadata": {"TitleInternalAlias": ["Pilot"],
            "SeriesMetadata": {"SeriesContentID": "sr", "SeriesTitleInternalAlias": ["Show"]}}})));
    assert_eq!(found[0].0, "/Asset/0/EpisodeMetadata/EpisodeNumber/Number");
    let found = refusals(with_asset(
        json!({"_contentID": "c", "WorkType": "Collection",
        "Metadata": {"TitleInternalAlias": ["Box"]}}),
    ));
    assert_eq!(found[0].0, "/Asset/0/BundleAsset");
    // A FullDelete without transactions names no window MDDF can hold.
    let mut v = tvod_movie();
    v["Disposition"]["EntryType"] = json!("FullDelete");
    v.as_object_mut().unwrap().remove("Transaction");
    assert_eq!(refusals(v)[0].0, "/Transaction");
}

#[test]
fn a_payload_without_disposition_is_the_entry_type_a_missing_one_means() {
    // The reference's GET responses have no Disposition.
    let mut v = tvod_movie();
    v.as_object_mut().unwrap().remove("Disposition");
    let (doc, _, losses) = written(&[avail(v.clone())]);
    assert!(losses.is_empty(), "{losses:?}");
    assert_eq!(
        doc["AvailList"]["Avail"]["Disposition"]["EntryType"],
        "Full Extract"
    );
    // And in an EMA sheet, not an empty cell.
    let table = avails_export::build_table(&[avail(v)], &ExportOptions::default());
    let column = table.column("EntryType").unwrap();
    assert_eq!(
        table.rows[0][column],
        avails_export::CellValue::Text("Full Extract".into())
    );
}

#[test]
fn a_non_svod_window_is_written_once_per_language() {
    let mut v = tvod_movie();
    v["Transaction"][0]["AssetLanguage"] = json!([
        {"value": "en-US"}, {"value": "fr-FR", "_asset": "dub"}, {"value": "en-US"}
    ]);
    let (doc, _, losses) = written(&[avail(v)]);
    let t = &doc["AvailList"]["Avail"]["Transaction"];
    // en-US (with the TransactionID), fr-FR as MDDF's audio; the second
    // en-US is the first window again. Then the VOD window.
    assert_eq!(t.as_array().unwrap().len(), 3);
    assert_eq!(t[0]["AssetLanguage"], "en-US");
    assert_eq!(t[0]["_TransactionID"], "t1");
    assert_eq!(
        t[1]["AssetLanguage"],
        json!({"_asset": "audio", "value": "fr-FR"})
    );
    assert!(t[1].get("_TransactionID").is_none());
    assert_eq!(t[0]["Term"], t[1]["Term"]);
    let found: Vec<(&str, &str)> = losses
        .iter()
        .map(|l| (l.pointer.as_str(), l.reason.as_str()))
        .collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].0 == "/Transaction/0/AssetLanguage"
            && found[0].1.contains("written as 2 transactions")
    );
    assert!(found
        .iter()
        .any(|(p, r)| *p == "/Transaction/0/AssetLanguage/1/_asset"
            && r.contains("`dub` is written as MDDF's `audio`")));
    assert!(found
        .iter()
        .any(|(p, _)| *p == "/Transaction/0/AssetLanguage/2"));
}

#[test]
fn a_term_holds_one_value_and_a_term_without_one_is_left_out() {
    let mut v = tvod_movie();
    v["Transaction"][0]["Terms"] = json!([
        {"_termName": "Tier", "Text": "CAT EST", "Money": {"_currency": "USD"}},
        {"_termName": "ExclusiveAttributes"},
        {"_termName": "Download", "Text": "Yes"}
    ]);
    let (doc, _, losses) = written(&[avail(v)]);
    assert_eq!(
        doc["AvailList"]["Avail"]["Transaction"][0]["Term"],
        json!([{"_termName": "Tier", "Text": "CAT EST"}, {"_termName": "Download", "Text": "Yes"}])
    );
    let found: Vec<(&str, &str)> = losses
        .iter()
        .map(|l| (l.pointer.as_str(), l.reason.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, "/Transaction/0/Terms/0/Money");
    assert!(found[0]
        .1
        .contains("an MDDF Term holds one value: its `Text` is written"));
    assert_eq!(found[1].0, "/Transaction/0/Terms/1");
    assert!(found[1]
        .1
        .contains("a Term without a value has no MDDF form"));
}

#[test]
fn a_supplement_names_its_title_and_a_series_its_id() {
    let trailer = complete(json!({
        "ALID": "trailer", "Disposition": {"EntryType": "FullExtract"},
        "Asset": [{"_contentID": "trailer", "WorkType": "Supplemental",
            "Metadata": {"TitleInternalAlias": ["Movie: Trailer"]}}],
        "Transaction": [{"LicenseType": "SVOD", "Territory": [{"country": "US"}]}]
    }));
    let series = complete(json!({
        "ALID": "series", "Disposition": {"EntryType": "FullExtract"},
        "Asset": [{"_contentID": "series-cid", "WorkType": "Series",
            "SeriesMetadata": {"SeriesTitleInternalAlias": ["Show"], "NumberOfSeasons": 2}}],
        "Transaction": [{"LicenseType": "EST", "Territory": [{"country": "US"}]}]
    }));
    let (doc, _, losses) = written(&[avail(trailer), avail(series)]);
    assert!(losses.is_empty(), "{losses:?}");
    let list = &doc["AvailList"]["Avail"];
    // MovieLabs' rule "supplement-AvailType" requires a RefALID.
    assert_eq!(list[0]["AvailType"], "supplement");
    assert_eq!(list[0]["Transaction"]["RefALID"], "trailer");
    // AvailSeriesMetadata-type requires SeriesContentID: the series asset's own.
    assert_eq!(list[1]["AvailType"], "series");
    assert_eq!(
        list[1]["Asset"]["SeriesMetadata"]["SeriesContentID"],
        "series-cid"
    );
}

#[test]
fn export_file_writes_what_mddf_takes_and_names_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.xml");
    let mut bad = tvod_movie();
    bad["ALID"] = json!("md:alid:eidr-s:9");
    bad["Transaction"][0]["FormatProfile"]["value"] = json!("Max");
    let payloads = [avail(bad), avail(tvod_movie())];
    let err = export_file(&payloads, &ExportOptions::default(), &out).unwrap_err();
    let avails_export::ExportError::Rejected {
        written, rejected, ..
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(*written, 1);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].avail, 0);
    assert!(err
        .to_string()
        .contains("1 payload(s) cannot be written as valid MDDF"));
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.contains("md:alid:eidr-s:1") && !xml.contains("md:alid:eidr-s:9"));
    // Nothing to write: no file, an error saying so.
    let none = dir.path().join("none.xml");
    let err = export_file(&payloads[..1], &ExportOptions::default(), &none).unwrap_err();
    assert!(matches!(
        err,
        avails_export::ExportError::Rejected { written: 0, .. }
    ));
    assert!(!none.exists());
    let err = export_file(&[], &ExportOptions::default(), &none).unwrap_err();
    assert!(
        matches!(err, avails_export::ExportError::Empty { .. }),
        "{err}"
    );
    assert!(!none.exists());
}
