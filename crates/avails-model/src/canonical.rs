//! Canonical JSON: object keys sorted and `Terms` in a fixed order, so two
//! payloads that mean the same compare (and hash) equal.
//!
//! The API treats a transaction's Terms as a set keyed by `_termName`; the
//! reference's own examples list the same terms in different orders.

use serde_json::{Map, Value};

/// The canonical form of a JSON value.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                let mut v = canonical(&map[k]);
                if k == "Terms" {
                    if let Value::Array(items) = &mut v {
                        items.sort_by_cached_key(|t| t.to_string());
                    }
                }
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        Value::Number(n) => match n.as_f64() {
            // 1000 and 1000.0 are the same amount.
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => value.clone(),
        },
        other => other.clone(),
    }
}

/// Canonical JSON text, for hashing and stable output.
pub fn canonical_string(value: &Value) -> String {
    canonical(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn terms_order_and_key_order_do_not_matter() {
        let a = json!({"b": 1, "Terms": [{"_termName": "SRP"}, {"_termName": "Download", "Text": "No"}]});
        let b = json!({"Terms": [{"Text": "No", "_termName": "Download"}, {"_termName": "SRP"}], "b": 1.0});
        assert_eq!(canonical_string(&a), canonical_string(&b));
    }

    #[test]
    fn other_arrays_keep_their_order() {
        assert_ne!(
            canonical(&json!({"x": [1, 2]})),
            canonical(&json!({"x": [2, 1]}))
        );
    }
}
