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
    if !fits(&map, TRANSACTION) {
        return Err(map);
    }
    let mut t = AvailTrans::default();
    for (key, value) in map {
        if let Some(field) = TRANSACTION.iter().find(|f| f.name == key) {
            (field.set)(&mut t, value);
        }
    }
    Ok(t)
}

/// A field whose value is text, stored as `Some(text)`.
macro_rules! text_field {
    ($name:literal, $field:ident) => {
        Field {
            name: $name,
            fits: Value::is_string,
            set: |t, v| t.$field = Some(string(v)),
        }
    };
}

/// One attribute the fast path builds directly: its JSON name, the shape it
/// accepts, and where the value goes.
struct Field<T> {
    name: &'static str,
    fits: Check,
    set: fn(&mut T, Value),
}

/// Every key of `map` is a field of `fields`, with a value of its shape.
fn fits<T>(map: &Map<String, Value>, fields: &[Field<T>]) -> bool {
    map.iter().all(|(key, value)| {
        fields
            .iter()
            .find(|f| f.name == key)
            .is_some_and(|f| (f.fits)(value))
    })
}

/// The fast path's transaction attributes: one entry per name of
/// [`AvailTrans::FIELDS`] (a test checks it), so a field the model gains
/// cannot silently send every row down the serde path.
const TRANSACTION: &[Field<AvailTrans>] = &[
    text_field!("_TransactionID", transaction_id),
    text_field!("LicenseType", license_type),
    Field {
        name: "Territory",
        fits: |v| {
            all_objects(v, |o| {
                o.contains_key("country") && only(o, &[("country", Value::is_string)])
            })
        },
        set: |t, v| {
            t.territory = array(v)
                .map(|r| Region {
                    country: string(field(r, "country")),
                    ..Region::default()
                })
                .collect()
        },
    },
    Field {
        name: "FormatProfile",
        fits: |v| {
            v.as_object()
                .is_some_and(|o| o.contains_key("value") && only(o, &[("value", Value::is_string)]))
        },
        set: |t, v| {
            t.format_profile = Some(FormatProfile {
                value: string(field(v, "value")),
                ..FormatProfile::default()
            })
        },
    },
    text_field!("Start", start),
    text_field!("End", end),
    text_field!("LicenseRightsDescription", license_rights_description),
    text_field!("ContractID", contract_id),
    Field {
        name: "AssetLanguage",
        fits: languages_fit,
        set: |t, v| t.asset_language = Some(languages(v)),
    },
    Field {
        name: "AllowedLanguage",
        fits: languages_fit,
        set: |t, v| t.allowed_language = Some(languages(v)),
    },
    Field {
        name: "HoldbackLanguage",
        fits: languages_fit,
        set: |t, v| t.holdback_language = Some(languages(v)),
    },
    Field {
        name: "Terms",
        fits: |v| all_objects(v, term_fits),
        set: |t, v| t.terms = Some(array(v).map(term).collect()),
    },
    text_field!("OtherInstructions", other_instructions),
];

fn languages_fit(v: &Value) -> bool {
    all_objects(v, |o| {
        o.get("value").is_some_and(Value::is_string)
            && only(
                o,
                &[("value", Value::is_string), ("_asset", Value::is_string)],
            )
    })
}

/// The fast path's term attributes (a test checks them against every field
/// of [`Term`]).
const TERM: &[Field<Term>] = &[
    Field {
        name: "_termName",
        fits: Value::is_string,
        set: |t, v| t.name = string(v),
    },
    text_field!("Text", text),
    Field {
        name: "Money",
        fits: money_fits,
        set: |t, v| {
            let mut o = object(v);
            t.money = Some(Money {
                value: o.remove("value").and_then(|n| n.as_f64()),
                currency: o.remove("_currency").map(string),
                ..Money::default()
            });
        },
    },
    text_field!("Event", event),
    Field {
        name: "Boolean",
        fits: Value::is_boolean,
        set: |t, v| t.boolean = v.as_bool(),
    },
    text_field!("Duration", duration),
    Field {
        name: "Number",
        fits: |v| v.as_i64().is_some(),
        set: |t, v| t.number = v.as_i64(),
    },
];

fn term_fits(o: &Map<String, Value>) -> bool {
    o.get("_termName").is_some_and(Value::is_string) && fits(o, TERM)
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
        if let Some(field) = TERM.iter().find(|f| f.name == key) {
            (field.set)(&mut t, value);
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

    #[test]
    fn every_modelled_transaction_field_has_a_direct_build() {
        let mut direct: Vec<&str> = TRANSACTION.iter().map(|f| f.name).collect();
        let mut model = AvailTrans::FIELDS.to_vec();
        direct.sort_unstable();
        model.sort_unstable();
        assert_eq!(direct, model);
    }

    #[test]
    fn every_modelled_term_field_has_a_direct_build() {
        // Every field given: a field Term gains does not compile here until
        // it is added, and then fails below until TERM builds it.
        let full = Term {
            name: "n".into(),
            text: Some("t".into()),
            money: Some(Money::default()),
            event: Some("e".into()),
            boolean: Some(true),
            duration: Some("PT1H".into()),
            number: Some(1),
            extra: Default::default(),
        };
        let Value::Object(json) = serde_json::to_value(full).unwrap() else {
            panic!("a term serializes as an object");
        };
        let mut keys: Vec<&str> = json.keys().map(String::as_str).collect();
        let mut direct: Vec<&str> = TERM.iter().map(|f| f.name).collect();
        keys.sort_unstable();
        direct.sort_unstable();
        assert_eq!(direct, keys);
    }
}
