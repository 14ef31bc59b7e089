//! One test per rule: a payload that breaks it (and yields the rule's code at
//! the expected pointer) and one that passes (no diagnostic of that code, no
//! error). The same cases generate `docs/rules.md`; the doc test fails when
//! the committed file is out of date (`UPDATE_RULES_DOC=1` rewrites it).

use std::fmt::Write as _;
use std::path::PathBuf;

use avails_rules::{
    rules, validate_batch, validate_payload, validate_payloads, Context, Diagnostic, Severity,
};
use serde_json::Value;

const FVOD: &str = "002-ex2-fvod-movie.json";
const TVOD: &str = "002-ex3-tvod-movie.json";
const EPISODE: &str = "002-ex1-req1-episode-channels-svod.json";
const SEASON: &str = "002-ex1-req2-season-channels-svod.json";
const TRAILER: &str = "002-ex4-movie-trailer.json";
const BUNDLE: &str = "002-ex6-movie-bundle.json";
const PARTIAL: &str = "003-put-partial-extract-request.json";
const GET_BATCH: &str = "003-get-partial-batch-request.json";

/// An edit of a base fixture.
#[derive(Clone, Copy)]
enum Op {
    /// Sets the value at a pointer (inserting the key if needed) to JSON.
    Set(&'static str, &'static str),
    /// Removes the value at a pointer.
    Remove(&'static str),
    /// Appends JSON to the array at a pointer.
    Push(&'static str, &'static str),
    /// Fills the batch's requestItems with this many copies of item 0.
    Fill(usize),
}

/// How the edited fixture is validated.
#[derive(Clone, Copy)]
enum Mode {
    /// `validate_payload` with a default context.
    Payload,
    /// `validate_payload` as a partial-extract body for transaction `demoTransactionId`.
    Partial,
    /// `validate_payload` for a full-extract path of this ALID.
    FullPath(&'static str),
    /// `validate_payloads([base, edited])`.
    Pair,
    /// `validate_batch`.
    Batch,
}

struct Case {
    code: &'static str,
    base: &'static str,
    mode: Mode,
    fail: &'static [Op],
    /// Where the failing diagnostic points.
    pointer: &'static str,
    pass: &'static [Op],
}

use Mode::*;
use Op::*;

const fn c(
    code: &'static str,
    base: &'static str,
    mode: Mode,
    fail: &'static [Op],
    pointer: &'static str,
    pass: &'static [Op],
) -> Case {
    Case {
        code,
        base,
        mode,
        fail,
        pointer,
        pass,
    }
}

const CASES: &[Case] = &[
    c("AV001", FVOD, Payload, &[Remove("/avail")], "/avail", &[]),
    c(
        "AV002",
        FVOD,
        Payload,
        &[Remove("/avail/Transaction/0/Start")],
        "/avail/Transaction/0/Start",
        &[Remove("/avail/Transaction/0/End")],
    ),
    c(
        "AV003",
        TVOD,
        Payload,
        &[Set("/avail/Transaction/0/Terms/0/Money/value", r#""8.99""#)],
        "/avail/Transaction/0/Terms/0/Money/value",
        &[Set("/avail/Transaction/0/Terms/0/Money/value", "9.49")],
    ),
    c(
        "AV004",
        FVOD,
        Payload,
        &[Remove("/avail/Disposition")],
        "/avail/Disposition",
        &[],
    ),
    c(
        "AV005",
        FVOD,
        Payload,
        &[Set("/avail/Transaction/0/Rating", r#""PG""#)],
        "/avail/Transaction/0/Rating",
        &[Set(
            "/avail/Transaction/0/OtherInstructions",
            r#""Release at midnight""#,
        )],
    ),
    c(
        "AV010",
        FVOD,
        Payload,
        &[Set("/avail/Asset/0/WorkType", r#""Film""#)],
        "/avail/Asset/0/WorkType",
        &[Set("/avail/Asset/0/WorkType", r#""Short""#)],
    ),
    c(
        "AV011",
        FVOD,
        Payload,
        &[Set("/avail/Transaction/0/LicenseType", r#""Rental""#)],
        "/avail/Transaction/0/LicenseType",
        &[],
    ),
    c(
        "AV012",
        FVOD,
        Payload,
        &[Set("/avail/Disposition/EntryType", r#""Delta""#)],
        "/avail/Disposition/EntryType",
        &[Set("/avail/Disposition/EntryType", r#""FullDelete""#)],
    ),
    c(
        "AV013",
        FVOD,
        Payload,
        &[Set("/avail/Transaction/0/FormatProfile/value", r#""4K""#)],
        "/avail/Transaction/0/FormatProfile/value",
        &[Set("/avail/Transaction/0/FormatProfile/value", r#""Max""#)],
    ),
    c(
        "AV014",
        FVOD,
        Payload,
        &[Set("/avail/SharedEntitlement/0/_ecosystem", r#""UV""#)],
        "/avail/SharedEntitlement/0/_ecosystem",
        &[],
    ),
    c(
        "AV015",
        FVOD,
        Payload,
        &[Set(
            "/avail/Transaction/0/AssetLanguage/0/_asset",
            r#""subtitles""#,
        )],
        "/avail/Transaction/0/AssetLanguage/0/_asset",
        &[Set(
            "/avail/Transaction/0/AssetLanguage/0/_asset",
            r#""ov""#,
        )],
    ),
    c(
        "AV016",
        FVOD,
        Payload,
        &[Set(
            "/avail/Transaction/0/HoldbackLanguage/0/_asset",
            r#""ov""#,
        )],
        "/avail/Transaction/0/HoldbackLanguage/0/_asset",
        &[Set(
            "/avail/Transaction/0/HoldbackLanguage/0/_asset",
            r#""subdub""#,
        )],
    ),
    c(
        "AV017",
        GET_BATCH,
        Batch,
        &[Set(
            "/requestItems/0/path",
            r#""/avails/testlicensor/full-extract/demoAlid?territory=US&businessLine=SVOD""#,
        )],
        "/requestItems/0/path",
        &[Set(
            "/requestItems/0/path",
            r#""/avails/testlicensor/full-extract/demoAlid?territory=US&businessLine=CHANNELS""#,
        )],
    ),
    c(
        "AV020",
        FVOD,
        Payload,
        &[Push(
            "/avail/Asset",
            r#"{"_contentID": "demoALID", "WorkType": "Movie", "Metadata": {"TitleInternalAlias": ["Other"]}}"#,
        )],
        "/avail/Asset",
        &[],
    ),
    c(
        "AV021",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Territory",
            r#"{"country": "CA"}"#,
        )],
        "/avail/Transaction/0/Territory",
        &[],
    ),
    c(
        "AV022",
        FVOD,
        Payload,
        &[Set("/avail/Transaction/1/Territory/0/country", r#""CA""#)],
        "/avail/Transaction/1/Territory/0/country",
        &[
            Set("/avail/Transaction/0/Territory/0/country", r#""CA""#),
            Set("/avail/Transaction/1/Territory/0/country", r#""CA""#),
        ],
    ),
    c(
        "AV023",
        FVOD,
        Payload,
        &[Push(
            "/avail/Asset/0/Metadata/TitleInternalAlias",
            r#""Other title""#,
        )],
        "/avail/Asset/0/Metadata/TitleInternalAlias",
        &[],
    ),
    c(
        "AV030",
        FVOD,
        Payload,
        &[Remove("/avail/Asset/0/Metadata")],
        "/avail/Asset/0/Metadata",
        &[],
    ),
    c(
        "AV031",
        EPISODE,
        Payload,
        &[Remove("/avail/Asset/0/EpisodeMetadata")],
        "/avail/Asset/0/EpisodeMetadata",
        &[],
    ),
    c(
        "AV032",
        EPISODE,
        Payload,
        &[Remove("/avail/Asset/0/EpisodeMetadata/SeasonMetadata")],
        "/avail/Asset/0/EpisodeMetadata/SeasonMetadata",
        &[],
    ),
    c(
        "AV033",
        SEASON,
        Payload,
        &[Remove("/avail/Asset/0/SeasonMetadata/SeriesMetadata")],
        "/avail/Asset/0/SeasonMetadata/SeriesMetadata",
        &[],
    ),
    c(
        "AV034",
        FVOD,
        Payload,
        &[Set(
            "/avail/Asset/0/EpisodeMetadata",
            r#"{"TitleInternalAlias": ["Pilot"], "EpisodeNumber": {"Number": 1}}"#,
        )],
        "/avail/Asset/0/EpisodeMetadata",
        &[],
    ),
    c(
        "AV040",
        FVOD,
        Payload,
        &[
            Set("/avail/Transaction/0/Territory/0/country", r#""UK""#),
            Set("/avail/Transaction/1/Territory/0/country", r#""UK""#),
        ],
        "/avail/Transaction/0/Territory/0/country",
        &[
            Set("/avail/Transaction/0/Territory/0/country", r#""GB""#),
            Set("/avail/Transaction/1/Territory/0/country", r#""GB""#),
        ],
    ),
    c(
        "AV041",
        FVOD,
        Payload,
        &[Set(
            "/avail/Transaction/0/AssetLanguage/0/value",
            r#""en_US""#,
        )],
        "/avail/Transaction/0/AssetLanguage/0/value",
        &[Set("/avail/Transaction/0/AssetLanguage/0/value", r#""EN""#)],
    ),
    c(
        "AV042",
        FVOD,
        Payload,
        &[Set("/avail/Transaction/0/Start", r#""2023-03-14""#)],
        "/avail/Transaction/0/Start",
        &[Set(
            "/avail/Transaction/0/Start",
            r#""2023-03-14T09:00:00""#,
        )],
    ),
    c(
        "AV043",
        EPISODE,
        Payload,
        &[Set(
            "/avail/Transaction/0/Terms/4/Duration",
            r#""720 hours""#,
        )],
        "/avail/Transaction/0/Terms/4/Duration",
        &[Set("/avail/Transaction/0/Terms/4/Duration", r#""PT72H""#)],
    ),
    c(
        "AV044",
        FVOD,
        Payload,
        &[Set("/avail/Transaction/0/End", r#""2023-03-14T08:00:00Z""#)],
        "/avail/Transaction/0/End",
        &[Set(
            "/avail/Transaction/0/End",
            r#""2023-03-14T10:00:00+00:30""#,
        )],
    ),
    c(
        "AV045",
        TVOD,
        Payload,
        &[Set(
            "/avail/Transaction/0/Terms/0/Money/_currency",
            r#""US$""#,
        )],
        "/avail/Transaction/0/Terms/0/Money/_currency",
        &[Set(
            "/avail/Transaction/0/Terms/0/Money/_currency",
            r#""EUR""#,
        )],
    ),
    c(
        "AV046",
        EPISODE,
        Payload,
        &[Set("/avail/Transaction/0/Terms/4/Duration", r#""P30D""#)],
        "/avail/Transaction/0/Terms/4/Duration",
        &[Set("/avail/Transaction/0/Terms/4/Duration", r#""PT24H""#)],
    ),
    c(
        "AV050",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "PriceTier", "Text": "A"}"#,
        )],
        "/avail/Transaction/0/Terms/5/_termName",
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "ADKEY", "Text": "A"}"#,
        )],
    ),
    c(
        "AV051",
        TVOD,
        Payload,
        &[Set(
            "/avail/Transaction/0/Terms/0",
            r#"{"_termName": "SRP", "Text": "8.99"}"#,
        )],
        "/avail/Transaction/0/Terms/0",
        &[],
    ),
    c(
        "AV052",
        FVOD,
        Payload,
        &[Set(
            "/avail/Transaction/0/Terms/3",
            r#"{"_termName": "Exclusive", "Boolean": true, "Text": "yes"}"#,
        )],
        "/avail/Transaction/0/Terms/3/Text",
        &[],
    ),
    c(
        "AV053",
        FVOD,
        Payload,
        &[Set("/avail/Transaction/0/Terms/2/Text", r#""Y""#)],
        "/avail/Transaction/0/Terms/2/Text",
        &[Set("/avail/Transaction/0/Terms/2/Text", r#""Yes""#)],
    ),
    c(
        "AV054",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "allowedAdPlacement", "Text": "Banner"}"#,
        )],
        "/avail/Transaction/0/Terms/5/Text",
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "allowedAdPlacement", "Text": "PreRoll, MidRoll"}"#,
        )],
    ),
    c(
        "AV055",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "cuepointDeliveryAndUsage", "Text": "Always"}"#,
        )],
        "/avail/Transaction/0/Terms/5/Text",
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "cuepointDeliveryAndUsage", "Text": "TalentObligated"}"#,
        )],
    ),
    c(
        "AV056",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "blindBasisSelling", "Text": "Guaranteed"}"#,
        )],
        "/avail/Transaction/0/Terms/5/Text",
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "blindBasisSelling", "Text": "GuaranteedImpressions"}"#,
        )],
    ),
    c(
        "AV057",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "sponsorships", "Text": "Allowed"}"#,
        )],
        "/avail/Transaction/0/Terms/5/Text",
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "sponsorships", "Text": "Permitted"}"#,
        )],
    ),
    c(
        "AV058",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "talentAndAmazonAdGuidelines", "Text": "None"}"#,
        )],
        "/avail/Transaction/0/Terms/5/Text",
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "talentAndAmazonAdGuidelines", "Text": "NoRestrictions"}"#,
        )],
    ),
    c(
        "AV059",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "adLoadLimit", "Text": "8 min"}"#,
        )],
        "/avail/Transaction/0/Terms/5/Text",
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "adLoadLimit", "Text": "8"}"#,
        )],
    ),
    c(
        "AV060",
        FVOD,
        Payload,
        &[
            Push(
                "/avail/Transaction/0/Terms",
                r#"{"_termName": "allowAds", "Boolean": true}"#,
            ),
            Push(
                "/avail/Transaction/0/Terms",
                r#"{"_termName": "allowAds", "Boolean": false}"#,
            ),
        ],
        "/avail/Transaction/0/Terms/6",
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "allowAds", "Boolean": true}"#,
        )],
    ),
    c(
        "AV061",
        FVOD,
        Payload,
        &[Set("/avail/Transaction/0/Terms/3/Boolean", "false")],
        "/avail/Transaction/0/Terms",
        &[],
    ),
    c(
        "AV062",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "BrandingRightsAttributes", "Text": "Studio logo"}"#,
        )],
        "/avail/Transaction/0/Terms",
        &[
            Push(
                "/avail/Transaction/0/Terms",
                r#"{"_termName": "BrandingRightsAttributes", "Text": "Studio logo"}"#,
            ),
            Push(
                "/avail/Transaction/0/Terms",
                r#"{"_termName": "BrandingRights", "Boolean": true}"#,
            ),
        ],
    ),
    c(
        "AV063",
        FVOD,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "sponsorships", "Text": "PermittedWithRestrictions"}"#,
        )],
        "/avail/Transaction/0/Terms",
        &[
            Push(
                "/avail/Transaction/0/Terms",
                r#"{"_termName": "sponsorships", "Text": "PermittedWithRestrictions"}"#,
            ),
            Push(
                "/avail/Transaction/0/Terms",
                r#"{"_termName": "sponsorshipsRestrictions", "Text": "No alcohol brands"}"#,
            ),
        ],
    ),
    c(
        "AV064",
        TVOD,
        Payload,
        &[Set(
            "/avail/Transaction/0/Terms/0/Money",
            r#"{"_currency": "USD"}"#,
        )],
        "/avail/Transaction/0/Terms/0/Money",
        &[],
    ),
    c(
        "AV065",
        BUNDLE,
        Payload,
        &[Set("/avail/Transaction/0/Terms/2/Number", "120")],
        "/avail/Transaction/0/Terms/2/Number",
        &[Set("/avail/Transaction/0/Terms/2/Number", "100")],
    ),
    c(
        "AV070",
        TVOD,
        Payload,
        &[Remove("/avail/Transaction/2/Terms/5")],
        "/avail/Transaction/2/Terms",
        &[],
    ),
    c(
        "AV071",
        TVOD,
        Payload,
        &[],
        "/avail/Transaction/2/Terms",
        &[
            Push(
                "/avail/Transaction/2/Terms",
                r#"{"_termName": "Tier", "Text": "NR"}"#,
            ),
            Push(
                "/avail/Transaction/2/Terms",
                r#"{"_termName": "Category", "Text": "NR"}"#,
            ),
        ],
    ),
    c(
        "AV072",
        EPISODE,
        Payload,
        &[Remove("/avail/Transaction/0/Terms/5")],
        "/avail/Transaction/0/Terms",
        &[],
    ),
    c(
        "AV073",
        TRAILER,
        Payload,
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "Download", "Text": "Yes"}"#,
        )],
        "/avail/Transaction/0/Terms",
        &[Push(
            "/avail/Transaction/0/Terms",
            r#"{"_termName": "Download", "Text": "No"}"#,
        )],
    ),
    c(
        "AV074",
        FVOD,
        Payload,
        &[Remove("/avail/Transaction/0/Terms/0")],
        "/avail/Transaction/0/Terms",
        &[],
    ),
    c(
        "AV075",
        EPISODE,
        Payload,
        &[Set("/avail/Transaction/1/Terms/0/Text", r#""prime""#)],
        "/avail/Transaction/1/LicenseType",
        &[Set(
            "/avail/Transaction/1/Terms/0/Text",
            r#""another_channel""#,
        )],
    ),
    c(
        "AV080",
        FVOD,
        Pair,
        &[Set("/avail/ALID", r#""otherALID""#)],
        "/avail/Transaction/0/_TransactionID",
        &[
            Set("/avail/ALID", r#""otherALID""#),
            Set("/avail/Transaction/0/_TransactionID", r#""otherId1""#),
            Set("/avail/Transaction/1/_TransactionID", r#""otherId2""#),
        ],
    ),
    c(
        "AV081",
        FVOD,
        Payload,
        &[Set(
            "/avail/Transaction/1/_TransactionID",
            r#""availId123movie""#,
        )],
        "/avail/Transaction/1/_TransactionID",
        &[],
    ),
    c(
        "AV082",
        PARTIAL,
        Partial,
        &[Push(
            "/avail/Transaction",
            r#"{"_TransactionID": "demoTransactionId", "LicenseType": "SVOD", "Territory": [{"country": "US"}], "Start": "2023-03-14T09:00:00Z", "FormatProfile": {"value": "HD"}, "Terms": [{"_termName": "ChannelIdentity", "Text": "prime"}, {"_termName": "RentalDuration", "Duration": "PT720H"}, {"_termName": "WatchDuration", "Duration": "PT48H"}]}"#,
        )],
        "/avail/Transaction",
        &[],
    ),
    c(
        "AV083",
        PARTIAL,
        Partial,
        &[Set(
            "/avail/Transaction/0/_TransactionID",
            r#""otherTransactionId""#,
        )],
        "/avail/Transaction/0/_TransactionID",
        &[],
    ),
    c(
        "AV084",
        FVOD,
        FullPath("demoALID"),
        &[Set("/avail/ALID", r#""demoALID2""#)],
        "/avail/ALID",
        &[],
    ),
    c(
        "AV085",
        FVOD,
        Payload,
        &[Set("/avail/ALID", r#""..""#)],
        "/avail/ALID",
        &[Set("/avail/ALID", r#""md:cid:org:studio:Title 1 (été)""#)],
    ),
    c(
        "AV090",
        GET_BATCH,
        Batch,
        &[Fill(101)],
        "/requestItems",
        &[Fill(100)],
    ),
    c(
        "AV091",
        GET_BATCH,
        Batch,
        &[Set("/requestItems/1/requestItemId", r#""TestRequest1""#)],
        "/requestItems/1/requestItemId",
        &[],
    ),
    c(
        "AV092",
        GET_BATCH,
        Batch,
        &[Set(
            "/requestItems/0/path",
            r#""/v1/avails/testlicensor/partial-extract/demoTransactionId1""#,
        )],
        "/requestItems/0/path",
        &[Set(
            "/requestItems/0/path",
            r#""/avails/testlicensor/full-extract/demoAlid""#,
        )],
    ),
];

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn split(ptr: &str) -> (&str, String) {
    let (parent, last) = ptr.rsplit_once('/').unwrap();
    (parent, last.replace("~1", "/").replace("~0", "~"))
}

fn apply(value: &mut Value, ops: &[Op]) {
    for op in ops {
        match *op {
            Set(ptr, v) => {
                let (parent, key) = split(ptr);
                match value.pointer_mut(parent).unwrap() {
                    Value::Object(m) => {
                        m.insert(key, json(v));
                    }
                    Value::Array(a) => a[key.parse::<usize>().unwrap()] = json(v),
                    _ => panic!("{ptr}"),
                }
            }
            Remove(ptr) => {
                let (parent, key) = split(ptr);
                match value.pointer_mut(parent).unwrap() {
                    Value::Object(m) => {
                        m.shift_remove(&key).unwrap();
                    }
                    Value::Array(a) => {
                        a.remove(key.parse::<usize>().unwrap());
                    }
                    _ => panic!("{ptr}"),
                }
            }
            Push(ptr, v) => value
                .pointer_mut(ptr)
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(json(v)),
            Fill(n) => {
                let items = value["requestItems"].as_array_mut().unwrap();
                let first = items[0].clone();
                items.clear();
                for i in 0..n {
                    let mut item = first.clone();
                    item["requestItemId"] = Value::String(format!("TestRequest{i}"));
                    items.push(item);
                }
            }
        }
    }
}

fn run(case: &Case, ops: &[Op]) -> Vec<Diagnostic> {
    let base = fixture(case.base);
    let mut value = base.clone();
    apply(&mut value, ops);
    match case.mode {
        Payload => validate_payload(&value, &Context::default()),
        Partial => validate_payload(
            &value,
            &Context {
                partial: true,
                expected_transaction_id: Some("demoTransactionId".to_owned()),
                ..Context::default()
            },
        ),
        FullPath(alid) => validate_payload(
            &value,
            &Context {
                expected_alid: Some(alid.to_owned()),
                ..Context::default()
            },
        ),
        Pair => validate_payloads([&base, &value])
            .into_iter()
            .map(|(_, d)| d)
            .collect(),
        Batch => validate_batch(&value),
    }
}

fn case(code: &str) -> &'static Case {
    CASES
        .iter()
        .find(|c| c.code == code)
        .unwrap_or_else(|| panic!("no case for {code}"))
}

fn check(code: &str) {
    let case = case(code);
    let rule = rules().iter().find(|r| r.code == code).unwrap();
    let failing = run(case, case.fail);
    let hit = failing
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("{code}: failing payload gave {failing:#?}"));
    assert_eq!(hit.pointer(), case.pointer, "{code}: {hit:?}");
    assert_eq!(hit.severity, rule.severity, "{code}");
    assert!(!hit.message.contains('\n'), "{code}: message is one line");
    let passing = run(case, case.pass);
    assert!(
        !passing
            .iter()
            .any(|d| d.code == code || d.severity == Severity::Error),
        "{code}: passing payload gave {passing:#?}"
    );
}

macro_rules! rule_tests {
    ($($name:ident => $code:literal),* $(,)?) => {
        $(#[test] fn $name() { check($code); })*
        const TESTED: &[&str] = &[$($code),*];
    };
}

rule_tests! {
    av001 => "AV001", av002 => "AV002", av003 => "AV003", av004 => "AV004", av005 => "AV005",
    av010 => "AV010", av011 => "AV011", av012 => "AV012", av013 => "AV013", av014 => "AV014",
    av015 => "AV015", av016 => "AV016", av017 => "AV017",
    av020 => "AV020", av021 => "AV021", av022 => "AV022", av023 => "AV023",
    av030 => "AV030", av031 => "AV031", av032 => "AV032", av033 => "AV033", av034 => "AV034",
    av040 => "AV040", av041 => "AV041", av042 => "AV042", av043 => "AV043", av044 => "AV044",
    av045 => "AV045", av046 => "AV046",
    av050 => "AV050", av051 => "AV051", av052 => "AV052", av053 => "AV053", av054 => "AV054",
    av055 => "AV055", av056 => "AV056", av057 => "AV057", av058 => "AV058", av059 => "AV059",
    av060 => "AV060", av061 => "AV061", av062 => "AV062", av063 => "AV063", av064 => "AV064", av065 => "AV065",
    av070 => "AV070", av071 => "AV071", av072 => "AV072", av073 => "AV073", av074 => "AV074",
    av075 => "AV075",
    av080 => "AV080", av081 => "AV081", av082 => "AV082", av083 => "AV083", av084 => "AV084",
    av085 => "AV085",
    av090 => "AV090", av091 => "AV091", av092 => "AV092",
}

/// An impossible date is AV042 too, saying why and what was likely meant
/// (the time and offset as written); a date alone is still the form's error.
#[test]
fn av042_explains_an_impossible_date() {
    let case = case("AV042");
    let message = |start: &'static str| {
        let quoted: &'static str = format!("{start:?}").leak();
        let found = run(case, &[Set("/avail/Transaction/0/Start", quoted)]);
        found
            .into_iter()
            .find(|d| d.code == "AV042")
            .unwrap_or_else(|| panic!("{start}: no AV042"))
            .message
    };
    assert_eq!(
        message("2013-06-31T00:00:00Z"),
        "Start `2013-06-31T00:00:00Z` is not a date: June has 30 days; did you mean `2013-06-30T00:00:00Z`?"
    );
    assert_eq!(
        message("2023-02-29T09:00:00"),
        "Start `2023-02-29T09:00:00` is not a date: 2023 is not a leap year, so February has 28 days; did you mean `2023-02-28T09:00:00`?"
    );
    let month = message("2023-13-14T00:00:00");
    assert!(
        month.ends_with("there is no month 13 (months run from 01 to 12)"),
        "{month}"
    );
    let alone = message("2013-06-30");
    assert!(
        alone.contains("is not an ISO 8601 date-time (expected YYYY-MM-DDThh:mm:ss"),
        "{alone}"
    );
}

#[test]
fn every_rule_has_a_test_and_a_case() {
    let codes: Vec<&str> = rules().iter().map(|r| r.code).collect();
    assert_eq!(
        codes, TESTED,
        "rule_tests! must list every catalogue code in order"
    );
    let cased: Vec<&str> = CASES.iter().map(|c| c.code).collect();
    assert_eq!(
        codes, cased,
        "CASES must list every catalogue code in order"
    );
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, codes, "codes are unique and sorted");
}

fn describe_ops(ops: &[Op]) -> String {
    if ops.is_empty() {
        return "unchanged".to_owned();
    }
    ops.iter()
        .map(|op| match *op {
            Set(p, v) => format!("set `{p}` to `{v}`"),
            Remove(p) => format!("remove `{p}`"),
            Push(p, v) => format!("append `{v}` to `{p}`"),
            Fill(n) => format!("fill `/requestItems` with {n} items"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn how(mode: Mode) -> &'static str {
    match mode {
        Payload => "validate_payload",
        Partial => "validate_payload, partial extract for path transaction `demoTransactionId`",
        FullPath(_) => "validate_payload, full extract for path ALID `demoALID`",
        Pair => "validate_payloads, after the unchanged fixture",
        Batch => "validate_batch",
    }
}

fn render_doc() -> String {
    let mut s = String::new();
    s.push_str("# Validation rules\n\n");
    s.push_str(
        "Generated from `crates/avails-rules` (the rule catalogue and the failing case of each \
         rule in `tests/it/rules.rs`) by `UPDATE_RULES_DOC=1 cargo test -p avails-rules --test it rules::`. \
         Do not edit by hand.\n\n",
    );
    s.push_str(
        "Sources: `001` is Prime Video's Avails API reference, `002` and `003` its payload and \
         request/response examples (kept under `tests/fixtures/spec/`). Where the reference's tables and its own \
         examples disagree, the rules follow the examples and say so. Examples start from the \
         reference's own examples, kept under `tests/fixtures/spec/`.\n\n",
    );
    s.push_str("| code | severity | rule |\n| --- | --- | --- |\n");
    for r in rules() {
        let sev = match r.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(
            s,
            "| [{}](#{}) | {sev} | {} |",
            r.code,
            r.code.to_lowercase(),
            r.summary
        );
    }
    for r in rules() {
        let case = case(r.code);
        let sev = match r.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let d = run(case, case.fail)
            .into_iter()
            .find(|d| d.code == r.code)
            .unwrap();
        let _ = write!(
            s,
            "\n## {}\n\n**{sev}** — {}\n\nSource: {}\n\nFailing example ({}): `{}`, {}:\n\n```text\n{} {sev} at {}: {}\n```\n\nPassing example: `{}`, {}.\n",
            r.code,
            r.summary,
            r.spec,
            how(case.mode),
            case.base,
            describe_ops(case.fail),
            d.code,
            d.pointer(),
            d.message,
            case.base,
            describe_ops(case.pass)
        );
    }
    s
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let want = render_doc();
    if std::env::var_os("UPDATE_RULES_DOC").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is out of date: run UPDATE_RULES_DOC=1 cargo test -p avails-rules --test it rules::"
    );
}
