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
pub(crate) fn channel_to_group(assets: &mut [Value], transactions: &mut [Value]) -> Option<String> {
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
/// open-ended, which MDDF says with `EndCondition` `Open`.
pub(crate) fn transaction(
    doc: &mut Doc,
    ptr: &str,
    mut t: Map<String, Value>,
    channel_in_group: bool,
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
            doc.unplaced.insert(rptr);
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
        languages(doc, &mut t, ptr, key)?;
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
                doc.unplaced.insert(tptr);
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
/// the `asset` attribute.
fn languages(doc: &mut Doc, t: &mut Map<String, Value>, ptr: &str, key: &str) -> io::Result<()> {
    let element = format!("avails:{key}");
    for (i, lang) in take_array(t, key)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let lptr = format!("{ptr}/{key}/{i}");
        let Value::Object(mut lang) = lang else {
            doc.unplaced.insert(lptr);
            continue;
        };
        let asset = attribute(doc, &mut lang, &lptr, "_asset");
        let attrs: Vec<(&str, &str)> = asset.iter().map(|v| ("asset", v.as_str())).collect();
        let text = take_scalar(&mut lang, "value").unwrap_or_default();
        let text = doc.text(&format!("{lptr}/value"), &text);
        doc.leaf(&element, &attrs, &text)?;
        doc.unplaced(&lptr, lang);
    }
    Ok(())
}

/// `AvailTerms-type`: `termName` and the value elements it carries, in the
/// schema's choice order (Money, Event, Text, Number, Boolean, Duration).
fn term(doc: &mut Doc, ptr: &str, mut term: Map<String, Value>) -> io::Result<()> {
    let name = attribute(doc, &mut term, ptr, "_termName");
    let attrs: Vec<(&str, &str)> = name.iter().map(|v| ("termName", v.as_str())).collect();
    doc.open("avails:Term", &attrs)?;
    if let Some(mut money) = take_object(&mut term, "Money") {
        let mptr = format!("{ptr}/Money");
        let currency = attribute(doc, &mut money, &mptr, "_currency");
        let attrs: Vec<(&str, &str)> = currency.iter().map(|v| ("currency", v.as_str())).collect();
        let amount = take_scalar(&mut money, "value").unwrap_or_default();
        let amount = doc.text(&format!("{mptr}/value"), &amount);
        doc.leaf("avails:Money", &attrs, &amount)?;
        doc.unplaced(&mptr, money);
    }
    for kind in ["Event", "Text", "Number", "Boolean", "Duration"] {
        scalar(doc, &mut term, ptr, kind, &format!("avails:{kind}"))?;
    }
    doc.unplaced(ptr, term);
    doc.close("avails:Term")
}
