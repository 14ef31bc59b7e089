//! The value walk: every difference between two JSON values under the
//! comparison rules (sets, Terms by name, instants, numbers).

use serde_json::{Map, Value};

use crate::values::same_scalar;

/// Arrays whose order carries no meaning: compared as sets.
pub const SET_ARRAYS: &[&str] = &[
    "AssetLanguage",
    "AllowedLanguage",
    "HoldbackLanguage",
    "Territory",
    "BundleAsset",
    "SharedEntitlement",
];

/// A difference found by the value walk, before it is located.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawChange {
    pub pointer: String,
    pub server_pointer: String,
    pub sheet: Option<Value>,
    pub server: Option<Value>,
}

fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Walks two values and records every difference.
pub(crate) fn compare_values(
    key: &str,
    ptr: &str,
    server_ptr: &str,
    sheet: Option<&Value>,
    server: Option<&Value>,
    out: &mut Vec<RawChange>,
) {
    let change = |out: &mut Vec<RawChange>| {
        out.push(RawChange {
            pointer: ptr.to_string(),
            server_pointer: server_ptr.to_string(),
            sheet: sheet.filter(|v| !v.is_null()).cloned(),
            server: server.filter(|v| !v.is_null()).cloned(),
        })
    };
    match (present(sheet), present(server)) {
        (None, None) => {}
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            compare_objects(ptr, server_ptr, a, b, out)
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if key == "Terms" => {
            compare_terms(ptr, server_ptr, a, b, out)
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if SET_ARRAYS.contains(&key) => {
            if !same_set(key, a, b) {
                change(out)
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                compare_values(
                    key,
                    &format!("{ptr}/{i}"),
                    &format!("{server_ptr}/{i}"),
                    a.get(i),
                    b.get(i),
                    out,
                );
            }
        }
        (Some(a), Some(b)) if same_scalar(key, a, b) => {}
        _ => change(out),
    }
}

fn compare_objects(
    ptr: &str,
    server_ptr: &str,
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    out: &mut Vec<RawChange>,
) {
    let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
    for k in keys {
        compare_values(
            k,
            &format!("{ptr}/{}", escape(k)),
            &format!("{server_ptr}/{}", escape(k)),
            a.get(k),
            b.get(k),
            out,
        );
    }
}

/// Whether two values mean the same (no difference under the rules).
pub(crate) fn equivalent(key: &str, a: &Value, b: &Value) -> bool {
    let mut out = Vec::new();
    compare_values(key, "", "", Some(a), Some(b), &mut out);
    out.is_empty()
}

fn same_set(key: &str, a: &[Value], b: &[Value]) -> bool {
    // Items of a set compared as multisets: each item of one side consumes
    // one equivalent item of the other.
    let item_key = format!("{key}[]");
    let mut used = vec![false; b.len()];
    let all_found = a.iter().all(|x| {
        match (0..b.len()).find(|&j| !used[j] && equivalent(&item_key, x, &b[j])) {
            Some(j) => {
                used[j] = true;
                true
            }
            None => false,
        }
    });
    all_found && used.iter().all(|u| *u)
}

fn term_name(t: &Value) -> String {
    t.get("_termName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn compare_terms(ptr: &str, server_ptr: &str, a: &[Value], b: &[Value], out: &mut Vec<RawChange>) {
    let mut used = vec![false; b.len()];
    for (i, x) in a.iter().enumerate() {
        let name = term_name(x);
        let found = (0..b.len()).find(|&j| !used[j] && term_name(&b[j]) == name);
        let p = format!("{ptr}/{i}");
        match found {
            Some(j) => {
                used[j] = true;
                let sp = format!("{server_ptr}/{j}");
                // The name matched case-insensitively: compare the rest.
                let strip = |v: &Value| match v {
                    Value::Object(m) => {
                        let mut m = m.clone();
                        m.remove("_termName");
                        Value::Object(m)
                    }
                    other => other.clone(),
                };
                compare_values("Term", &p, &sp, Some(&strip(x)), Some(&strip(&b[j])), out);
            }
            None => out.push(RawChange {
                pointer: p,
                server_pointer: server_ptr.to_string(),
                sheet: Some(x.clone()),
                server: None,
            }),
        }
    }
    for (j, y) in b.iter().enumerate().filter(|(j, _)| !used[*j]) {
        out.push(RawChange {
            pointer: ptr.to_string(),
            server_pointer: format!("{server_ptr}/{j}"),
            sheet: None,
            server: Some(y.clone()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(a: Value, b: Value) -> Vec<RawChange> {
        let mut out = Vec::new();
        compare_values("Transaction", "/t", "/t", Some(&a), Some(&b), &mut out);
        out
    }

    #[test]
    fn languages_and_territory_are_sets() {
        let a = json!({"AssetLanguage": [{"value": "en"}, {"value": "fr", "_asset": "sub"}],
                       "Territory": [{"country": "US"}]});
        let b = json!({"AssetLanguage": [{"_asset": "sub", "value": "fr"}, {"value": "en"}],
                       "Territory": [{"country": "US"}]});
        assert!(changes(a.clone(), b).is_empty());
        let c = json!({"AssetLanguage": [{"value": "en"}, {"value": "en"}],
                       "Territory": [{"country": "US"}]});
        let found = changes(a, c);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "/t/AssetLanguage");
    }

    #[test]
    fn other_arrays_keep_their_order() {
        let a = json!({"TitleInternalAlias": ["a", "b"]});
        let b = json!({"TitleInternalAlias": ["b", "a"]});
        assert_eq!(changes(a, b).len(), 2);
    }

    #[test]
    fn terms_match_by_name_case_insensitively_and_typed_value() {
        let a = json!({"Terms": [
            {"_termName": "WSP", "Money": {"value": 1000, "_currency": "USD"}},
            {"_termName": "WatchDuration", "Duration": "PT48H"},
            {"_termName": "ExclusiveAttributes"}
        ]});
        let b = json!({"Terms": [
            {"_termName": "ExclusiveAttributes"},
            {"_termName": "watchduration", "Duration": "P2D"},
            {"_currency": "x", "_termName": "wsp", "Money": {"_currency": "USD", "value": 1000.0}}
        ]});
        let found = changes(a.clone(), b);
        // Only the unknown attribute on the server's WSP differs.
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/t/Terms/0/_currency");
        assert_eq!(found[0].server_pointer, "/t/Terms/2/_currency");

        let c = json!({"Terms": [
            {"_termName": "WSP", "Money": {"value": 999.0, "_currency": "USD"}},
            {"_termName": "WatchDuration", "Text": "PT48H"}
        ]});
        let found = changes(a, c);
        let pointers: Vec<&str> = found.iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/t/Terms/0/Money/value",
                "/t/Terms/1/Duration",
                "/t/Terms/1/Text",
                "/t/Terms/2"
            ]
        );
    }

    #[test]
    fn instants_and_numbers_are_not_differences() {
        let a = json!({"Start": "2023-03-14T09:00:00Z", "End": "2029-01-01T00:00:00",
                       "Terms": [{"_termName": "SRP", "Money": {"value": 15.99}}]});
        let b = json!({"Start": "2023-03-14T10:00:00+01:00", "End": "2029-01-01T00:00:00",
                       "Terms": [{"_termName": "SRP", "Money": {"value": 15.990}}]});
        assert!(changes(a, b).is_empty());
        let a = json!({"End": "2029-01-01T00:00:00"});
        let b = json!({"End": "2029-01-01T00:00:00Z"});
        assert_eq!(changes(a, b).len(), 1);
    }

    #[test]
    fn absent_and_null_are_the_same() {
        let a = json!({"End": null, "ContractID": "x"});
        let b = json!({"ContractID": "x"});
        assert!(changes(a, b).is_empty());
        let found = changes(json!({"End": "2030-01-01T00:00:00Z"}), json!({}));
        assert_eq!(found[0].server, None);
        assert_eq!(found[0].sheet, Some(json!("2030-01-01T00:00:00Z")));
    }
}
