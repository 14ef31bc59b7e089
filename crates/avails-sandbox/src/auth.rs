//! `x-api-key` checks. Keys are compared in constant time and never logged:
//! only the licensor name a key belongs to appears in logs.

/// Header carrying the API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The configured licensors and their keys.
pub struct Auth {
    keys: Vec<(String, Vec<u8>)>,
}

/// Compares two byte strings without stopping at the first difference.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Auth {
    /// Builds the key table from `(licensor, key)` pairs.
    pub fn new(licensors: &[(String, String)]) -> Self {
        Self {
            keys: licensors
                .iter()
                .map(|(n, k)| (n.clone(), k.as_bytes().to_vec()))
                .collect(),
        }
    }

    /// The licensor a key belongs to; every configured key is compared.
    pub fn licensor_for(&self, key: &[u8]) -> Option<&str> {
        let mut found = None;
        for (name, k) in &self.keys {
            if ct_eq(k, key) && found.is_none() {
                found = Some(name.as_str());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_licensor_of_a_key() {
        let auth = Auth::new(&[("a".into(), "key-a".into()), ("b".into(), "key-b".into())]);
        assert_eq!(auth.licensor_for(b"key-b"), Some("b"));
        assert_eq!(auth.licensor_for(b"key-"), None);
        assert_eq!(auth.licensor_for(b""), None);
    }
}
