//! A direct build of a typed transaction from the JSON map a row maps to.
//!
//! `serde_json::from_value` into the model goes through serde's buffering
//! for `#[serde(flatten)]` fields, once per object of every row. The maps
//! EMA rows give have a small set of shapes; [`transaction`] builds those
//! directly and gives the map back for anything else, which then takes the
//! serde path. For the shapes it accepts, the result is what serde gives.

use avails_model::{AssetLanguage, AvailTrans, FormatProfile, Money, Region, Term};
use serde_json::{Map, Value};

/// The typed transaction: built directly when its shape allows, else by
/// serde; the serde error when it does not fit the model at all.
pub(crate) fn transaction_or_serde(
    map: Map<String, Value>,
) -> Result<AvailTrans, serde_json::Error> {
    match transaction(map) {
        Ok(t) => Ok(t),
        Err(map) => serde_json::from_value(Value::Object(map)),
    }
}

/// The typed transaction, or the untouched map when its shape is not one
/// built here.
pub(crate) fn transaction(map: Map<String, Value>) -> Result<AvailTrans, Map<String, Value>> {
    if !transaction_fits(&map) {
        return Err(map);
    }
    let mut t = AvailTrans::default();
    for (key, value) in map {
        match key.as_str() {
            "_TransactionID" => t.transaction_id = Some(string(value)),
            "LicenseType" => t.license_type = Some(string(value)),
            "Territory" => {
                t.territory = array(value)
                    .map(|r| Region {
                        country: string(field(r, "country")),
                        ..Region::default()
                    })
                    .collect()
            }
            "FormatProfile" => {
                t.format_profile = Some(FormatProfile {
                    value: string(field(value, "value")),
                    ..FormatProfile::default()
                })
            }
            "Start" => t.start = Some(string(value)),
            "End" => t.end = Some(string(value)),
            "LicenseRightsDescription" => t.license_rights_description = Some(string(value)),
            "ContractID" => t.contract_id = Some(string(value)),
            "AssetLanguage" => t.asset_language = Some(languages(value)),
            "AllowedLanguage" => t.allowed_language = Some(languages(value)),
            "HoldbackLanguage" => t.holdback_language = Some(languages(value)),
            "OtherInstructions" => t.other_instructions = Some(string(value)),
            "Terms" => t.terms = Some(array(value).map(term).collect()),
            _ => {}
        }
    }
    Ok(t)
}

fn transaction_fits(map: &Map<String, Value>) -> bool {
    map.iter().all(|(key, value)| match key.as_str() {
        "_TransactionID"
        | "LicenseType"
        | "Start"
        | "End"
        | "LicenseRightsDescription"
        | "ContractID"
        | "OtherInstructions" => value.is_string(),
        "Territory" => all_objects(value, |o| {
            o.contains_key("country") && only(o, &[("country", Value::is_string)])
        }),
        "FormatProfile" => value
            .as_object()
            .is_some_and(|o| o.contains_key("value") && only(o, &[("value", Value::is_string)])),
        "AssetLanguage" | "AllowedLanguage" | "HoldbackLanguage" => all_objects(value, |o| {
            o.get("value").is_some_and(Value::is_string)
                && only(
                    o,
                    &[("value", Value::is_string), ("_asset", Value::is_string)],
                )
        }),
        "Terms" => all_objects(value, term_fits),
        _ => false,
    })
}

fn term_fits(o: &Map<String, Value>) -> bool {
    o.get("_termName").is_some_and(Value::is_string)
        && only(
            o,
            &[
                ("_termName", Value::is_string),
                ("Text", Value::is_string),
                ("Money", money_fits),
                ("Event", Value::is_string),
                ("Boolean", Value::is_boolean),
                ("Duration", Value::is_string),
                ("Number", |v| v.as_i64().is_some()),
            ],
        )
}

fn money_fits(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        only(
            o,
            &[
                ("value", |v| v.as_f64().is_some()),
                ("_currency", Value::is_string),
            ],
        )
    })
}

/// Whether a value has the shape a field needs.
type Check = fn(&Value) -> bool;

/// Every key of `o` is one of `allowed`, with a value its check accepts.
fn only(o: &Map<String, Value>, allowed: &[(&str, Check)]) -> bool {
    o.iter().all(|(k, v)| {
        allowed
            .iter()
            .find(|(name, _)| name == k)
            .is_some_and(|(_, ok)| ok(v))
    })
}

fn all_objects(v: &Value, ok: impl Fn(&Map<String, Value>) -> bool) -> bool {
    v.as_array()
        .is_some_and(|a| a.iter().all(|e| e.as_object().is_some_and(&ok)))
}

fn string(v: Value) -> String {
    match v {
        Value::String(s) => s,
        _ => String::new(),
    }
}

fn array(v: Value) -> impl Iterator<Item = Value> {
    match v {
        Value::Array(a) => a,
        _ => Vec::new(),
    }
    .into_iter()
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(o) => o,
        _ => Map::new(),
    }
}

fn field(v: Value, name: &str) -> Value {
    object(v).remove(name).unwrap_or(Value::Null)
}

fn languages(v: Value) -> Vec<AssetLanguage> {
    array(v)
        .map(|l| {
            let mut o = object(l);
            AssetLanguage {
                value: string(o.remove("value").unwrap_or(Value::Null)),
                asset: o.remove("_asset").map(string),
                ..AssetLanguage::default()
            }
        })
        .collect()
}

fn term(v: Value) -> Term {
    let mut t = Term::default();
    for (key, value) in object(v) {
        match key.as_str() {
            "_termName" => t.name = string(value),
            "Text" => t.text = Some(string(value)),
            "Money" => {
                let mut o = object(value);
                t.money = Some(Money {
                    value: o.remove("value").and_then(|n| n.as_f64()),
                    currency: o.remove("_currency").map(string),
                    ..Money::default()
                });
            }
            "Event" => t.event = Some(string(value)),
            "Boolean" => t.boolean = value.as_bool(),
            "Duration" => t.duration = Some(string(value)),
            "Number" => t.number = value.as_i64(),
            _ => {}
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn both(v: Value) -> (Result<AvailTrans, Map<String, Value>>, AvailTrans) {
        let serde: AvailTrans = serde_json::from_value(v.clone()).unwrap();
        let Value::Object(map) = v else { panic!() };
        (transaction(map), serde)
    }

    #[test]
    fn direct_build_equals_serde() {
        let (direct, serde) = both(json!({
            "_TransactionID": "t1", "LicenseType": "VOD",
            "Territory": [{"country": "US"}], "FormatProfile": {"value": "HD"},
            "Start": "2024-01-01T00:00:00", "End": "2025-01-01T00:00:00",
            "LicenseRightsDescription": "DAB", "ContractID": "c",
            "AssetLanguage": [{"value": "en"}, {"value": "fr", "_asset": "subtitle"}],
            "AllowedLanguage": [], "HoldbackLanguage": [{"value": "de"}],
            "OtherInstructions": "x",
            "Terms": [
                {"_termName": "WSP", "Money": {"value": 7.99, "_currency": "USD"}},
                {"_termName": "Tier", "Text": "A", "Money": {"_currency": "USD"}},
                {"_termName": "SRP", "Money": {"value": 8}},
                {"_termName": "RentalDuration", "Duration": "PT48H"},
                {"_termName": "Exclusive", "Boolean": false},
                {"_termName": "AnnounceDate", "Event": "2024-01-01T00:00:00"},
                {"_termName": "Count", "Number": -3},
                {"_termName": "Empty"}
            ]
        }));
        assert_eq!(direct.unwrap(), serde);
    }

    #[test]
    fn other_shapes_take_the_serde_path() {
        for v in [
            json!({"Start": 5}),
            json!({"Territory": [{"country": "US", "region": "x"}]}),
            json!({"Terms": [{"_termName": "N", "Number": 1.5}]}),
            json!({"Unknown": "x"}),
            json!({"End": null}),
            json!({"Territory": [{}]}),
            json!({"FormatProfile": {}}),
            json!({"Terms": [{"Text": "no name"}]}),
        ] {
            let Value::Object(map) = v.clone() else {
                panic!()
            };
            assert_eq!(transaction(map).unwrap_err(), *v.as_object().unwrap());
        }
    }
}
