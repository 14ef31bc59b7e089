//! Canonical JSON, its SHA-256, and the journal's payload keys.

use avails_model::doc::{Doc, Node};
use avails_model::BusinessLine;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::JournalError;

/// The canonical JSON text of `value` (keys sorted, Terms as a set, numbers
/// by value): see [`avails_model::canonical`], shared with comparison.
pub fn canonical_json(value: &Value) -> String {
    avails_model::canonical::canonical_string(value)
}

/// Lower-case hex SHA-256 of the canonical JSON of `value`, the text
/// written straight into the hash.
pub fn content_hash(value: &Value) -> String {
    content_hash_node(Doc::from_value(value).root())
}

/// [`content_hash`] of a document node (a payload filled straight from its
/// typed form, as the rules checked it).
pub fn content_hash_node(value: Node) -> String {
    // The text is written out first and hashed in one go: the writer makes
    // a write per bracket, comma and string, each costly straight into a
    // hash. Writing into a vector cannot fail.
    let mut text = Vec::with_capacity(4096);
    let _ = avails_model::canonical::write_canonical_node(value, &mut text);
    hex::encode(Sha256::digest(&text))
}

/// [`content_hash`] of any serializable payload (e.g. an `AvailRequest`).
pub fn content_hash_of<T: Serialize>(payload: &T) -> Result<String, JournalError> {
    let value = serde_json::to_value(payload).map_err(|e| JournalError::Json {
        context: "serializing the payload to hash it",
        error: e,
    })?;
    Ok(content_hash(&value))
}

/// Key of a full-extract payload: `full:{licensor}:{ALID}:{territory}:{businessLine}`.
pub fn full_key(
    licensor: &str,
    alid: &str,
    territory: &str,
    business_line: BusinessLine,
) -> String {
    format!(
        "full:{licensor}:{alid}:{territory}:{}",
        business_line.as_str()
    )
}

/// Key of a partial-extract payload: `partial:{licensor}:{transactionId}`.
pub fn partial_key(licensor: &str, transaction_id: &str) -> String {
    format!("partial:{licensor}:{transaction_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The hash of a known payload, worked out by hand from the canonical
    /// text (keys sorted, Terms as a set, 1.0 written 1): journals written
    /// by earlier versions keep matching.
    #[test]
    fn a_known_payload_keeps_its_hash() {
        let value = json!({
            "b": 1.0,
            "a": "é\"",
            "Terms": [{"_termName": "SRP"}, {"_termName": "Download", "Text": "No"}],
        });
        let text = r#"{"Terms":[{"Text":"No","_termName":"Download"},{"_termName":"SRP"}],"a":"é\"","b":1}"#;
        assert_eq!(canonical_json(&value), text);
        assert_eq!(
            content_hash(&value),
            "9b0b8f85f759e26b875ae961e7148a6b43dec91056ee9e9dbbfd091e136a1e66"
        );
    }

    #[test]
    fn key_order_and_spacing_do_not_change_the_hash() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "é"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"é","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), r#"{"a":{"x":"é","y":[1,2]},"b":1}"#);
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_eq!(content_hash(&a).len(), 64);
        // Array order is content.
        assert_ne!(content_hash(&json!([1, 2])), content_hash(&json!([2, 1])));
        assert_ne!(
            content_hash(&json!({"a": 1})),
            content_hash(&json!({"a": 1.5}))
        );
    }

    #[test]
    fn keys_have_the_documented_shape() {
        assert_eq!(
            full_key("mgm", "demoALID", "US", BusinessLine::Channels),
            "full:mgm:demoALID:US:CHANNELS"
        );
        assert_eq!(partial_key("mgm", "tx1"), "partial:mgm:tx1");
    }
}
