//! The loop closed on random payloads: a valid payload written as MDDF
//! Avails XML (this crate's `mddf_xml`) and read back by `avails-mddf`, or
//! written as an EMA workbook (`export_xlsx`) and converted back by
//! `avails-convert`, is exactly the payload it was (compared canonically:
//! key order and Terms order carry no meaning).
//!
//! "Valid" is checked, not assumed: every generated payload passes the
//! project's validator (`avails-rules`) without an error. The generator
//! covers every WorkType the API takes, every business line, one to four
//! transactions, every term of the reference's supported-terms table with
//! its value kind, languages with and without `_asset`, and date-times with
//! and without an offset.

use std::path::PathBuf;

use avails_convert::{convert_inputs, ConvertOptions};
use avails_export::{export_xlsx, mddf_xml, ExportOptions};
use avails_model::canonical::canonical;
use avails_model::Avail;
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};

use crate::support::mddf_form;

// ------------------------------------------------------------- generator ---

/// Words of titles and free text: XML's special characters, accents and
/// digits included (never a `//` comment, never TRUE/FALSE).
const WORDS: &[&str] = &[
    "Tom",
    "&",
    "Jerry",
    "<3>",
    "\"Quoted\"",
    "l'été",
    "Zürich",
    "Ça",
    "Part",
    "2",
    "Night",
    "東京",
];
const COUNTRIES: &[&str] = &["US", "FR", "DE", "GB", "JP", "BR", "CA"];
const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "JPY", "BRL"];
const LANGUAGES: &[&str] = &["en", "fr", "de", "es-419", "pt-BR", "ja", "zh-Hans"];
const ASSET_LANGUAGE_KINDS: &[&str] = &[
    "subtitle", "audio", "subdub", "sub", "dub", "ov", "mta", "any",
];
const ALLOWED_LANGUAGE_KINDS: &[&str] = &["subtitle", "audio", "sub", "dub", "subdub", "any"];
const OFFSETS: &[&str] = &["", "Z", "+02:00", "-05:00"];

/// The business lines of the reference's BusinessLine enumeration.
#[derive(Debug, Clone, Copy)]
enum Line {
    Tvod,
    Prime,
    Channels,
    Fvod,
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(WORDS), 1..4).prop_map(|w| w.join(" "))
}

fn id(prefix: &'static str) -> impl Strategy<Value = String> {
    (0u32..100_000).prop_map(move |n| format!("md:{prefix}:org:studio:{n}"))
}

/// A date-time `YYYY-MM-DDTHH:MM:SS[offset]` `days` after 2020-01-01.
fn date_time(days: i64, seconds: i64, offset: &str) -> String {
    let base = NaiveDate::from_ymd_opt(2020, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let t = base + Duration::days(days) + Duration::seconds(seconds);
    format!("{}{offset}", t.format("%Y-%m-%dT%H:%M:%S"))
}

fn sequence(n: i64) -> Value {
    json!({ "Number": n })
}

fn series(with_id: bool) -> impl Strategy<Value = Value> {
    (
        id("cid"),
        prop::option::of(text()),
        prop::option::of(1i64..20),
    )
        .prop_map(move |(cid, title, seasons)| {
            let mut m = Map::new();
            if with_id {
                m.insert("SeriesContentID".into(), json!(cid));
            }
            if let Some(t) = title {
                m.insert("SeriesTitleInternalAlias".into(), json!([t]));
            }
            if let Some(n) = seasons {
                m.insert("NumberOfSeasons".into(), json!(n));
            }
            Value::Object(m)
        })
}

fn season(nested_series: bool) -> impl Strategy<Value = Value> {
    (
        id("cid"),
        prop::option::of(text()),
        1i64..30,
        1i64..40,
        series(true),
    )
        .prop_map(move |(cid, title, number, episodes, series)| {
            let mut m = Map::new();
            m.insert("SeasonContentID".into(), json!(cid));
            if let Some(t) = title {
                m.insert("SeasonTitleInternalAlias".into(), json!([t]));
            }
            m.insert("SeasonNumber".into(), sequence(number));
            m.insert("NumberOfEpisodes".into(), json!(episodes));
            if nested_series {
                m.insert("SeriesMetadata".into(), series);
            }
            Value::Object(m)
        })
}

/// One asset of a work type, with the metadata the reference requires for it.
fn asset(work_type: &'static str) -> BoxedStrategy<Value> {
    let head = (id("cid"), text());
    match work_type {
        "Episode" => (head, 1i64..100, season(false), series(true))
            .prop_map(|((cid, title), n, season, series)| {
                json!({"_contentID": cid, "WorkType": "Episode", "EpisodeMetadata": {
                    "TitleInternalAlias": [title], "EpisodeNumber": sequence(n),
                    "SeasonMetadata": season, "SeriesMetadata": series}})
            })
            .boxed(),
        "Season" => (head, season(true))
            .prop_map(|((cid, _), season)| {
                json!({"_contentID": cid, "WorkType": "Season", "SeasonMetadata": season})
            })
            .boxed(),
        "Series" => (head, series(false))
            .prop_map(|((cid, title), mut series)| {
                // An empty SeriesMetadata says nothing a sheet can carry.
                if series.as_object().is_some_and(|m| m.is_empty()) {
                    series["SeriesTitleInternalAlias"] = json!([title]);
                }
                json!({"_contentID": cid, "WorkType": "Series", "SeriesMetadata": series})
            })
            .boxed(),
        "Collection" => (head, prop::collection::vec(id("alid"), 1..4))
            .prop_map(|((cid, title), bundled)| {
                let bundle: Vec<Value> = bundled.into_iter().map(|b| json!({"BundledALID": b})).collect();
                json!({"_contentID": cid, "WorkType": "Collection",
                    "Metadata": {"TitleInternalAlias": [title]}, "BundleAsset": bundle})
            })
            .boxed(),
        other => head
            .prop_map(move |(cid, title)| {
                json!({"_contentID": cid, "WorkType": other, "Metadata": {"TitleInternalAlias": [title]}})
            })
            .boxed(),
    }
}

/// Languages of one kind: `value`, sometimes with `_asset`.
fn languages(kinds: &'static [&'static str]) -> impl Strategy<Value = Option<Value>> {
    prop::option::of(prop::collection::vec(
        (select(LANGUAGES), prop::option::of(select(kinds))),
        1..3,
    ))
    .prop_map(|list| {
        list.map(|items| {
            Value::Array(
                items
                    .into_iter()
                    .map(|(value, asset)| match asset {
                        Some(a) => json!({"value": value, "_asset": a}),
                        None => json!({"value": value}),
                    })
                    .collect(),
            )
        })
    })
}

/// What every term's value is made from.
#[derive(Debug, Clone)]
struct TermSeed {
    n: u32,
    currency: &'static str,
    when: String,
}

type MakeTerm = fn(&TermSeed) -> Value;

/// The optional terms of the reference's supported-terms table, each with
/// its value kind (prices and the SVOD/POEST requirements are added apart).
const OPTIONAL_TERMS: &[MakeTerm] = &[
    |s| json!({"_termName": "AnnounceDate", "Event": s.when}),
    |s| json!({"_termName": "Download", "Text": if s.n % 2 == 0 { "Yes" } else { "No" }}),
    |s| json!({"_termName": "BrandingRights", "Boolean": s.n % 3 != 0}),
    |s| json!({"_termName": "allowAds", "Boolean": s.n % 2 == 1}),
    |s| json!({"_termName": "allowedAdPlacement", "Text": (["PreRoll", "MidRoll", "PostRoll"][s.n as usize % 3])}),
    |s| json!({"_termName": "cuepointDeliveryAndUsage", "Text": (["PartnerWillDeliverAndPrimeVideoMustUse", "PrimeVideoWillUseIfDelivered", "NoDeliveryOrUsageObligations", "TalentObligated"][s.n as usize % 4])}),
    |s| json!({"_termName": "blindBasisSelling", "Text": (["GuaranteedImpressions", "NoGuaranteedImpressions"][s.n as usize % 2])}),
    |s| json!({"_termName": "talentAndAmazonAdGuidelines", "Text": (["NoRestrictions", "ConsultationRequired"][s.n as usize % 2])}),
    |s| json!({"_termName": "adLoadLimit", "Text": (s.n % 20).to_string()}),
    |s| json!({"_termName": "CompleteYourBundleDiscountPercentage", "Number": s.n % 101}),
    |s| json!({"_termName": "ExcludedFromBundleDiscount", "Boolean": s.n % 2 == 0}),
];

fn money(name: &str, s: &TermSeed, k: u32) -> Value {
    let cents = 99 + (s.n.wrapping_mul(k + 7) % 5000);
    json!({"_termName": name, "Money": {"value": f64::from(cents) / 100.0, "_currency": s.currency}})
}

/// One transaction of a business line in a territory.
fn transaction(
    line: Line,
    country: &'static str,
    channel: &'static str,
    k: usize,
) -> impl Strategy<Value = Value> {
    let license = match line {
        Line::Tvod => select(vec!["EST", "VOD", "POEST"]).boxed(),
        Line::Prime | Line::Channels => Just("SVOD").boxed(),
        Line::Fvod => Just("FVOD").boxed(),
    };
    (
        (license, any::<bool>(), select(vec!["SD", "HD", "UHD"])),
        (0i64..2000, 0i64..86_400, select(OFFSETS), prop::option::of((2i64..900, select(OFFSETS)))),
        (
            languages(ASSET_LANGUAGE_KINDS),
            languages(ALLOWED_LANGUAGE_KINDS),
            languages(ALLOWED_LANGUAGE_KINDS),
        ),
        (prop::option::of(text()), prop::option::of(text()), prop::option::of(text())),
        (
            prop::collection::vec(any::<bool>(), OPTIONAL_TERMS.len()),
            any::<u32>(),
            select(CURRENCIES),
            0u8..4,
            (any::<bool>(), any::<bool>(), any::<bool>()),
        ),
    )
        .prop_map(
            move |(
                (license, with_id, profile),
                (start_day, start_second, start_offset, end),
                (asset_langs, allowed, holdback),
                (rights, contract, instructions),
                (mask, n, currency, price, (srp, exclusive, attributes)),
            )| {
                let mut t = Map::new();
                if with_id {
                    t.insert("_TransactionID".into(), json!(format!("T{k}-{n}")));
                }
                t.insert("LicenseType".into(), json!(license));
                t.insert("Territory".into(), json!([{"country": country}]));
                t.insert("FormatProfile".into(), json!({"value": profile}));
                t.insert("Start".into(), json!(date_time(start_day, start_second, start_offset)));
                if let Some((days, offset)) = end {
                    t.insert("End".into(), json!(date_time(start_day + days, 86_399, offset)));
                }
                for (key, v) in [("LicenseRightsDescription", rights), ("ContractID", contract), ("OtherInstructions", instructions)] {
                    if let Some(v) = v {
                        t.insert(key.into(), json!(v));
                    }
                }
                for (key, v) in [("AssetLanguage", asset_langs), ("AllowedLanguage", allowed), ("HoldbackLanguage", holdback)] {
                    if let Some(v) = v {
                        t.insert(key.into(), v);
                    }
                }
                let seed = TermSeed {
                    n,
                    currency,
                    when: date_time(i64::from(n % 1000), 0, "Z"),
                };
                let mut terms: Vec<Value> = OPTIONAL_TERMS
                    .iter()
                    .zip(&mask)
                    .filter(|(_, on)| **on)
                    .map(|(make, _)| make(&seed))
                    .collect();
                if exclusive {
                    terms.push(json!({"_termName": "Exclusive", "Boolean": true}));
                    if attributes {
                        terms.push(json!({"_termName": "ExclusiveAttributes", "Text": "Territory"}));
                    }
                }
                match license {
                    "POEST" => {
                        terms.push(money("SRP", &seed, 1));
                        terms.push(money("WSP", &seed, 2));
                        terms.push(json!({"_termName": "SuppressionLiftDate", "Event": seed.when}));
                    }
                    "SVOD" | "FVOD" => {
                        terms.push(json!({"_termName": "ChannelIdentity", "Text": channel}));
                    }
                    _ => {
                        // EMA has one PriceCurrency per row: beside an SRP, a
                        // Tier or Category carries the row's currency, as the
                        // reference's bundle examples write it.
                        let srp_term = money("SRP", &seed, 1);
                        let with_currency = |mut t: Value| {
                            if srp {
                                t["Money"] = json!({"_currency": srp_term["Money"]["_currency"].clone()});
                            }
                            t
                        };
                        if srp {
                            terms.push(srp_term.clone());
                        }
                        match price {
                            1 => terms.push(money("WSP", &seed, 2)),
                            2 => terms.push(with_currency(json!({"_termName": "Tier", "Text": format!("Tier {}", n % 4)}))),
                            3 => terms.push(with_currency(json!({"_termName": "Category", "Text": "NR"}))),
                            _ => {}
                        }
                    }
                }
                if license == "SVOD" || (license == "VOD" && price == 0) {
                    terms.push(json!({"_termName": "RentalDuration", "Duration": format!("PT{}H", 24 + n % 200)}));
                    terms.push(json!({"_termName": "WatchDuration", "Duration": format!("PT{}H", 24 + n % 48)}));
                }
                if terms.is_empty() {
                    // The reference requires Terms on every transaction.
                    terms.push(OPTIONAL_TERMS[1](&seed));
                }
                t.insert("Terms".into(), Value::Array(terms));
                Value::Object(t)
            },
        )
}

/// A valid FullExtract payload body (`Avail`).
fn valid_avail() -> impl Strategy<Value = Value> {
    (
        select(vec![
            "Movie",
            "Short",
            "Episode",
            "Season",
            "Series",
            "Supplemental",
            "Collection",
        ]),
        select(vec![Line::Tvod, Line::Prime, Line::Channels, Line::Fvod]),
        select(COUNTRIES),
        id("alid"),
        text(),
        prop::option::of(id("dma")),
    )
        .prop_flat_map(|(work_type, line, country, alid, licensor, dma)| {
            let channel = match line {
                Line::Prime => "prime",
                Line::Channels => "mgm_plus_subscription",
                Line::Fvod => "FVOD",
                Line::Tvod => "",
            };
            (
                asset(work_type),
                prop::collection::vec(Just(()), 1..5).prop_flat_map(move |slots| {
                    slots
                        .iter()
                        .enumerate()
                        .map(|(k, _)| transaction(line, country, channel, k))
                        .collect::<Vec<_>>()
                }),
                Just((alid, licensor, dma)),
            )
        })
        .prop_map(|(asset, transactions, (alid, licensor, dma))| {
            let mut a = json!({
                "ALID": alid,
                "Disposition": {"EntryType": "FullExtract"},
                "Licensor": {"DisplayName": licensor},
                "Asset": [asset],
                "Transaction": transactions
            });
            if let Some(d) = dma {
                a["SharedEntitlement"] = json!([{"_ecosystem": "DMA", "EcosystemID": d}]);
            }
            a
        })
}

/// A generated avail, checked valid by the project's validator.
fn checked(avail: &Value) -> Avail {
    let payload = json!({ "avail": avail });
    let errors: Vec<String> = avails_rules::validate_payload(&payload, &Default::default())
        .into_iter()
        .filter(|d| d.severity == avails_rules::Severity::Error)
        .map(|d| d.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "the generator made an invalid payload: {errors:#?}\n{avail:#}"
    );
    serde_json::from_value(avail.clone()).expect("an Avail")
}

fn canonical_payload(avail: &Avail) -> Value {
    canonical(&json!({ "avail": serde_json::to_value(avail).unwrap() }))
}

// ------------------------------------------------------------ properties ---

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Payload → MDDF XML → `avails convert` gives the payload back in its
    /// MDDF form ([`mddf_form`]: what the MDDF schema and MovieLabs'
    /// structure rules make of it, each change reported as a loss), and a
    /// payload MDDF cannot take at all (a required series without its title,
    /// [`mddf_refuses`]) is left out and named, never written invalid.
    #[test]
    fn a_valid_payload_survives_mddf_xml(mut avails in prop::collection::vec(valid_avail(), 1..4)) {
        // Each avail its own title: two avails of one scope whose licensors
        // differ are a conflict the conversion rightly refuses.
        for (i, a) in avails.iter_mut().enumerate() {
            let alid = format!("{}-{i}", a["ALID"].as_str().unwrap_or("md:alid:org:x"));
            a["ALID"] = Value::String(alid);
        }
        let typed: Vec<Avail> = avails.iter().map(checked).collect();
        let document = mddf_xml(&typed).unwrap();
        let refused: Vec<usize> = (0..avails.len()).filter(|&i| mddf_refuses(&avails[i])).collect();
        let mut named: Vec<usize> = document.rejected.iter().map(|r| r.avail).collect();
        named.dedup();
        prop_assert_eq!(&named, &refused, "{:#?}", document.rejected);
        prop_assert!(document.rejected.iter().all(|r| r.pointer.ends_with("/SeriesTitleInternalAlias")));
        let Some(xml) = document.xml else {
            prop_assert_eq!(refused.len(), avails.len());
            return Ok(());
        };
        // Every loss is one of the changes the MDDF form makes.
        for loss in &document.losses {
            let documented = loss.pointer.contains("/AssetLanguage")
                || loss.pointer.ends_with("/_asset")
                || (loss.pointer.ends_with("/Money") && loss.reason.contains("holds one value"));
            prop_assert!(documented, "{}", loss);
        }
        let back = avails_mddf::read_avails(&xml).unwrap();
        prop_assert_eq!(back.len(), avails.len() - refused.len());
        for parsed in &back {
            prop_assert!(parsed.invalid.is_empty(), "{:?}", parsed.invalid);
            prop_assert!(parsed.conditions.iter().all(|c| c.is_empty()));
        }
        // Through the whole conversion (grouping, one policy for both
        // readers), as `avails convert avails.xml` reads it.
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().join("avails.xml");
        std::fs::write(&path, &xml).unwrap();
        let conversion = convert_inputs(&[path], &ConvertOptions::default(), &mut |_| {});
        let problems: Vec<String> = conversion.diagnostics.iter().map(ToString::to_string).collect();
        prop_assert!(!conversion.has_errors(), "{:#?}", problems);
        let mut got: Vec<Value> = conversion
            .payloads
            .iter()
            .map(|p| canonical(&serde_json::to_value(&p.request).unwrap()))
            .collect();
        let mut want: Vec<Value> = avails
            .iter()
            .enumerate()
            .filter(|(i, _)| !refused.contains(i))
            .map(|(_, a)| canonical(&json!({ "avail": mddf_form(a) })))
            .collect();
        // A transaction written once per language is several windows: their
        // order among the payload's others carries no meaning.
        // Two equal windows are one: the conversion keeps one.
        for v in got.iter_mut().chain(want.iter_mut()) {
            if let Some(list) = v["avail"]["Transaction"].as_array_mut() {
                list.sort_by_key(|t| t.to_string());
                list.dedup();
            }
        }
        got.sort_by_key(|v| v.to_string());
        want.sort_by_key(|v| v.to_string());
        prop_assert_eq!(got, want, "{}", xml);
    }
}

/// Whether MDDF cannot take the payload: the schema requires a
/// SeriesTitleInternalAlias in every AvailSeriesMetadata, where the API
/// makes it optional (the series of an episode, of a season, a series).
fn mddf_refuses(avail: &Value) -> bool {
    let asset = &avail["Asset"][0];
    let series = match asset["WorkType"].as_str() {
        Some("Episode") => &asset["EpisodeMetadata"]["SeriesMetadata"],
        Some("Season") => &asset["SeasonMetadata"]["SeriesMetadata"],
        Some("Series") => &asset["SeriesMetadata"],
        _ => return false,
    };
    series.get("SeriesTitleInternalAlias").is_none()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Payload → EMA workbook (`export_xlsx`) → `avails_convert::convert_inputs`
    /// is the identity.
    ///
    /// The generator stays within what one EMA row can say: a Tier or
    /// Category beside an SRP carries the row's currency (EMA has one
    /// PriceCurrency per row), and a Series has something in its
    /// SeriesMetadata (`{}` has no cell; the export reports it as a loss).
    #[test]
    fn a_valid_payload_survives_an_ema_workbook(avail in valid_avail()) {
        let typed = checked(&avail);
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().join("avails.xlsx");
        let losses = export_xlsx(std::slice::from_ref(&typed), &ExportOptions::default(), &path).unwrap();
        prop_assert!(losses.is_empty(), "losses: {:#?}", losses);
        let conversion = convert_inputs(&[path], &ConvertOptions::default(), &mut |_| {});
        let problems: Vec<String> = conversion.diagnostics.iter().map(ToString::to_string).collect();
        prop_assert!(!conversion.has_errors(), "{:#?}", problems);
        prop_assert_eq!(conversion.payloads.len(), 1, "{:#?}", problems);
        let got = canonical(&serde_json::to_value(&conversion.payloads[0].request).unwrap());
        prop_assert_eq!(got, canonical_payload(&typed));
    }
}
