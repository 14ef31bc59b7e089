//! Looking up an attribute of a JSON object.

use serde_json::{Map, Value};

/// Objects up to this many attributes are scanned rather than hashed: a
/// payload's objects have a handful of attributes, and comparing their
/// names costs less than hashing the one looked for.
const SCAN_UP_TO: usize = 16;

/// The value of the attribute `name` of `obj`, if present.
pub(crate) fn field<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if obj.len() > SCAN_UP_TO {
        return obj.get(name);
    }
    obj.iter().find_map(|(k, v)| (k == name).then_some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_an_attribute_in_small_and_large_objects() {
        let small: Map<String, Value> = serde_json::from_str(r#"{"a":1,"b":null}"#).unwrap();
        assert_eq!(field(&small, "a"), Some(&Value::from(1)));
        assert_eq!(field(&small, "b"), Some(&Value::Null));
        assert_eq!(field(&small, "c"), None);
        let large: Map<String, Value> =
            (0..40).map(|i| (format!("k{i}"), Value::from(i))).collect();
        assert_eq!(field(&large, "k33"), Some(&Value::from(33)));
        assert_eq!(field(&large, "k40"), None);
    }
}
