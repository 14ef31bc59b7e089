//! What the tests expect MDDF to make of a payload, written from the MDDF
//! Avails schema and MovieLabs' structure rules, never from the writer.

use avails_convert::Conversion;
use avails_model::Avail;
use serde_json::{json, Value};

/// The avails of a conversion's payloads, in order: what an export is given.
pub fn avails_of(conversion: &Conversion) -> Vec<Avail> {
    conversion
        .payloads
        .iter()
        .map(|p| p.request.avail.clone())
        .collect()
}

/// What a payload becomes through MDDF:
/// - a non-SVOD transaction holds one AssetLanguage (structure rule
///   "SVOD-AssetLanguage"): one with several is one transaction per
///   distinct language, its TransactionID on the first (one ID names one
///   window);
/// - a language's `asset` is one of subtitle, audio, subdub: the API's
///   `sub` is `subtitle`, `dub` is `audio`, and other kinds are dropped;
/// - a Term holds one value (`AvailTerms-type` is a choice): a Tier's or
///   Category's Money currency beside its Text is dropped;
/// - a Series asset's SeriesContentID, required, is the asset's contentID.
pub fn mddf_form(avail: &Value) -> Value {
    let mut a = avail.clone();
    let asset = &mut a["Asset"][0];
    if asset["WorkType"] == "Series" && asset["SeriesMetadata"].get("SeriesContentID").is_none() {
        let id = asset["_contentID"].clone();
        asset["SeriesMetadata"]["SeriesContentID"] = id;
    }
    let mut transactions = Vec::new();
    for t in a["Transaction"].as_array().unwrap() {
        let mut t = t.clone();
        for key in ["AllowedLanguage", "AssetLanguage", "HoldbackLanguage"] {
            for lang in t
                .get_mut(key)
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                let kind = match lang.get("_asset").and_then(Value::as_str) {
                    Some("sub" | "subtitle") => Some("subtitle"),
                    Some("dub" | "audio") => Some("audio"),
                    Some("subdub") => Some("subdub"),
                    _ => None,
                };
                let lang = lang.as_object_mut().unwrap();
                match kind {
                    Some(k) => lang.insert("_asset".into(), json!(k)),
                    None => lang.remove("_asset"),
                };
            }
        }
        for term in t
            .get_mut("Terms")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if term.get("Text").is_some() {
                term.as_object_mut().unwrap().remove("Money");
            }
        }
        let all = t
            .get("AssetLanguage")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut languages: Vec<Value> = Vec::new();
        for lang in &all {
            if !languages.contains(lang) {
                languages.push(lang.clone());
            }
        }
        if t["LicenseType"] != "SVOD" && all.len() > 1 {
            for (k, lang) in languages.into_iter().enumerate() {
                let mut one = t.clone();
                one["AssetLanguage"] = json!([lang]);
                if k > 0 {
                    one.as_object_mut().unwrap().remove("_TransactionID");
                }
                transactions.push(one);
            }
        } else {
            transactions.push(t);
        }
    }
    a["Transaction"] = Value::Array(transactions);
    a
}
