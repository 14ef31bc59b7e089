//! `AvailTrans` → `<avails:Transaction>`, and the channel it may share with
//! its avail.

use std::io;

use serde_json::{Map, Value};

use super::avail::{attribute, scalar};
use super::write::{take_array, take_object, take_scalar, Doc};

/// The term MDDF carries as the asset's `GroupingEntity` of type `channel`.
const CHANNEL_TERM: &str = "ChannelIdentity";

/// The channel to write as the first asset's `GroupingEntity`, when every
/// transaction names the same one in exactly one plain `ChannelIdentity`
/// Text term and the asset has the metadata the schema puts a
/// GroupingEntity in (`Metadata`, or `EpisodeMetadata` for an episode).
/// Otherwise each transaction keeps its term (MDDF takes any term name).
pub(crate) fn channel_to_group(
    assets: &[Value],
    transactions: &[&Map<String, Value>],
) -> Option<String> {
    let asset = assets.first()?.as_object()?;
    let place = match asset.get("WorkType").and_then(Value::as_str) {
        Some("Episode") => "EpisodeMetadata",
        _ => "Metadata",
    };
    asset.get(place)?.as_object()?;
    let mut channel: Option<&str> = None;
    for t in transactions.iter() {
        let terms = t.get("Terms")?.as_array()?;
        let mut named = terms.iter().filter(|term| {
            term.get("_termName")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(CHANNEL_TERM))
        });
        let term = named.next()?.as_object()?;
        if named.next().is_some()
            || term.get("_termName")?.as_str()? != CHANNEL_TERM
            || term.len() != 2
        {
            return None;
        }
        let text = term.get("Text")?.as_str()?;
        let plain =
            !text.is_empty() && text.split_whitespace().collect::<Vec<_>>().join(" ") == text;
        match channel {
            _ if !plain => return None,
            None => channel = Some(text),
            Some(c) if c == text => {}
            Some(_) => return None,
        }
    }
    channel.map(str::to_string)
}

/// `AvailTrans-type`, in its element order. Without `End` the window is
/// open-ended, which MDDF says with `EndCondition` `Open`. `ref_alid`: the
/// title a supplement belongs to. `only_language`: write this AssetLanguage
/// alone (a non-SVOD transaction is written once per AssetLanguage).
pub(crate) fn transaction(
    doc: &mut Doc,
    ptr: &str,
    mut t: Map<String, Value>,
    channel_in_group: bool,
    ref_alid: Option<&str>,
    only_language: Option<usize>,
) -> io::Result<()> {
    let id = attribute(doc, &mut t, ptr, "_TransactionID");
    let attrs: Vec<(&str, &str)> = id.iter().map(|v| ("TransactionID", v.as_str())).collect();
    doc.open("avails:Transaction", &attrs)?;
    scalar(doc, &mut t, ptr, "LicenseType", "avails:LicenseType")?;
    for (i, region) in take_array(&mut t, "Territory")
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let rptr = format!("{ptr}/Territory/{i}");
        let Value::Object(mut region) = region else {
            doc.place_none(rptr);
            continue;
        };
        doc.open("avails:Territory", &[])?;
        scalar(doc, &mut region, &rptr, "country", "md:country")?;
        doc.unplaced(&rptr, region);
        doc.close("avails:Territory")?;
    }
    scalar(doc, &mut t, ptr, "Start", "avails:Start")?;
    if t.get("End").is_some_and(|e| !e.is_null()) {
        scalar(doc, &mut t, ptr, "End", "avails:End")?;
    } else {
        doc.leaf("avails:EndCondition", &[], "Open")?;
    }
    for key in ["AllowedLanguage", "AssetLanguage", "HoldbackLanguage"] {
        let only = only_language.filter(|_| key == "AssetLanguage");
        languages(doc, &mut t, ptr, key, only)?;
    }
    scalar(
        doc,
        &mut t,
        ptr,
        "LicenseRightsDescription",
        "avails:LicenseRightsDescription",
    )?;
    if let Some(mut profile) = take_object(&mut t, "FormatProfile") {
        let fptr = format!("{ptr}/FormatProfile");
        let text = take_scalar(&mut profile, "value").unwrap_or_default();
        let text = doc.text(&format!("{fptr}/value"), &text);
        doc.leaf("avails:FormatProfile", &[], &text)?;
        doc.unplaced(&fptr, profile);
    }
    scalar(doc, &mut t, ptr, "ContractID", "avails:ContractID")?;
    if let Some(alid) = ref_alid {
        doc.leaf("avails:RefALID", &[], alid)?;
    }
    for (j, term_value) in take_array(&mut t, "Terms")
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let tptr = format!("{ptr}/Terms/{j}");
        match term_value {
            Value::Object(term_map) => {
                let is_channel =
                    term_map.get("_termName").and_then(Value::as_str) == Some(CHANNEL_TERM);
                if !(channel_in_group && is_channel) {
                    term(doc, &tptr, term_map)?;
                }
            }
            _ => {
                doc.place_none(tptr);
            }
        }
    }
    scalar(
        doc,
        &mut t,
        ptr,
        "OtherInstructions",
        "avails:OtherInstructions",
    )?;
    doc.unplaced(ptr, t);
    doc.close("avails:Transaction")
}

/// An `AssetLanguage` array as repeated elements: `value` the text, `_asset`
/// the `asset` attribute; with `only`, that entry alone.
fn languages(
    doc: &mut Doc,
    t: &mut Map<String, Value>,
    ptr: &str,
    key: &str,
    only: Option<usize>,
) -> io::Result<()> {
    let element = format!("avails:{key}");
    for (i, lang) in take_array(t, key)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o == *i))
    {
        let lptr = format!("{ptr}/{key}/{i}");
        let Value::Object(mut lang) = lang else {
            doc.place_none(lptr);
            continue;
        };
        let asset = attribute(doc, &mut lang, &lptr, "_asset").and_then(|a| {
            let mddf = mddf_language_asset(&a);
            let why = match mddf {
                Some(m) if m == a => return Some(a),
                Some(m) => {
                    format!("`{a}` is written as MDDF's `{m}` (its kinds: subtitle, audio, subdub)")
                }
                None => format!(
                    "`{a}` is none of MDDF's language asset kinds (subtitle, audio, subdub): \
                     the language is written without it"
                ),
            };
            doc.note(&format!("{lptr}/_asset"), why);
            mddf.map(str::to_string)
        });
        let attrs: Vec<(&str, &str)> = asset.iter().map(|v| ("asset", v.as_str())).collect();
        let text = take_scalar(&mut lang, "value").unwrap_or_default();
        let text = doc.text(&format!("{lptr}/value"), &text);
        doc.leaf(&element, &attrs, &text)?;
        doc.unplaced(&lptr, lang);
    }
    Ok(())
}

/// MDDF's `asset` of a language (`Language@asset`: subtitle, audio,
/// subdub; MovieLabs' validator rejects others) for the API's, which also
/// has `sub` (a subtitle) and `dub` (a dubbed audio), and kinds MDDF has
/// none for (`ov`, `any`...).
pub(crate) fn mddf_language_asset(asset: &str) -> Option<&'static str> {
    match asset {
        "subtitle" | "sub" => Some("subtitle"),
        "audio" | "dub" => Some("audio"),
        "subdub" => Some("subdub"),
        _ => None,
    }
}

/// `AvailTerms-type`: `termName` and one value, the schema's choice: the
/// first the term has in the schema's order (Money with an amount, Event,
/// Text, Number, Boolean, Duration). Another value has no place (a Tier's
/// or Category's `Money` currency, which the API may give beside its
/// Text); a term without value has no MDDF form and is left out.
fn term(doc: &mut Doc, ptr: &str, mut term: Map<String, Value>) -> io::Result<()> {
    let has_amount = term
        .get("Money")
        .and_then(|m| m.get("value"))
        .is_some_and(|v| !v.is_null());
    let mut chosen: Option<&str> = None;
    for kind in ["Money", "Event", "Text", "Number", "Boolean", "Duration"] {
        let blank = |v: &Value| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty());
        if term.get(kind).is_none_or(blank) || (kind == "Money" && !has_amount) {
            continue;
        }
        match chosen {
            None => chosen = Some(kind),
            Some(first) => doc.note(
                &format!("{ptr}/{kind}"),
                format!("an MDDF Term holds one value: its `{first}` is written, not its `{kind}`"),
            ),
        }
    }
    if !has_amount && term.get("Money").is_some_and(|m| !m.is_null()) {
        let why = match chosen {
            Some(first) => format!(
                "an MDDF Term holds one value: its `{first}` is written, and a Money needs an amount"
            ),
            None => "an MDDF Money needs an amount".to_string(),
        };
        doc.note(&format!("{ptr}/Money"), why);
    }
    let Some(chosen) = chosen else {
        // The schema's Term holds one value and MovieLabs' validator
        // rejects an empty one ("Text not specified"): no MDDF form.
        doc.note(
            ptr,
            "a Term without a value has no MDDF form (its one value is required): left out".into(),
        );
        return Ok(());
    };
    let name = attribute(doc, &mut term, ptr, "_termName");
    let attrs: Vec<(&str, &str)> = name.iter().map(|v| ("termName", v.as_str())).collect();
    doc.open("avails:Term", &attrs)?;
    match chosen {
        "Money" => {
            let mut money = take_object(&mut term, "Money").unwrap_or_default();
            let mptr = format!("{ptr}/Money");
            let currency = attribute(doc, &mut money, &mptr, "_currency");
            let attrs: Vec<(&str, &str)> =
                currency.iter().map(|v| ("currency", v.as_str())).collect();
            let amount = take_scalar(&mut money, "value").unwrap_or_default();
            let amount = doc.text(&format!("{mptr}/value"), &amount);
            doc.leaf("avails:Money", &attrs, &amount)?;
            doc.unplaced(&mptr, money);
        }
        kind => scalar(doc, &mut term, ptr, kind, &format!("avails:{kind}"))?,
    }
    // What was not written has its reason noted above.
    for kind in ["Money", "Event", "Text", "Number", "Boolean", "Duration"] {
        term.remove(kind);
    }
    doc.unplaced(ptr, term);
    doc.close("avails:Term")
}
