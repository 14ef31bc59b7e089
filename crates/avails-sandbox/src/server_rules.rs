//! Rules only the server can apply: what Prime Video knows and a payload
//! alone does not say, so `avails validate` cannot check them locally.
//!
//! The reference (001, type Avail, attribute ALID) says the ALID "must match
//! the ALID given in the metadata contribution". The sandbox sees no metadata
//! contribution; it can be given, per licensor, the ALIDs whose metadata was
//! contributed ([`KnownAlids`], `avails sandbox --known-alids LICENSOR=FILE`).
//! A payload (PUT or validate, single or batch item) whose ALID is not on its
//! licensor's list is refused with [`UNKNOWN_ALID`], at `/avail/ALID`. A
//! licensor without a list accepts every ALID, as before.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use avails_model::ApiError;
use serde_json::Value;

use crate::api::error;
use crate::SandboxError;

/// Code of a payload whose ALID is not one of its licensor's known ALIDs.
pub const UNKNOWN_ALID: &str = "UNKNOWN_ALID";

/// How many known ALIDs an [`UNKNOWN_ALID`] message quotes as examples.
const QUOTED: usize = 3;

/// Per licensor, the ALIDs given in its metadata contributions; a licensor
/// absent from the map has no list and every ALID is accepted for it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct KnownAlids {
    by_licensor: BTreeMap<String, BTreeSet<String>>,
}

impl KnownAlids {
    /// Adds `alids` to `licensor`'s list (creating the list: from then on
    /// only listed ALIDs are accepted for that licensor).
    pub fn with<I, S>(mut self, licensor: impl Into<String>, alids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.insert(licensor, alids);
        self
    }

    /// Adds `alids` to `licensor`'s list, creating it if needed.
    pub fn insert<I, S>(&mut self, licensor: impl Into<String>, alids: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.by_licensor
            .entry(licensor.into())
            .or_default()
            .extend(alids.into_iter().map(Into::into));
    }

    /// The ALIDs of a list file: one per line, surrounding blanks ignored,
    /// empty lines and lines starting with `#` skipped.
    pub fn parse_list(text: &str) -> BTreeSet<String> {
        text.lines()
            .map(|l| l.trim_start_matches('\u{feff}').trim())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    }

    /// Reads a list file (see [`KnownAlids::parse_list`]).
    pub fn read_list(path: &Path) -> Result<BTreeSet<String>, SandboxError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            SandboxError::Config(format!(
                "cannot read the known-ALID list {}: {e}",
                path.display()
            ))
        })?;
        Ok(Self::parse_list(&text))
    }

    /// `licensor`'s list, if it has one.
    pub fn of(&self, licensor: &str) -> Option<&BTreeSet<String>> {
        self.by_licensor.get(licensor)
    }

    /// Whether no licensor has a list (the rule is off).
    pub fn is_empty(&self) -> bool {
        self.by_licensor.is_empty()
    }
}

impl fmt::Debug for KnownAlids {
    /// Counts per licensor, not the lists (they can be long).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.by_licensor.iter().map(|(l, s)| (l, s.len())))
            .finish()
    }
}

/// The errors of the server-only rules for a payload of `licensor`.
pub(crate) fn errors(known: &KnownAlids, licensor: &str, payload: &Value) -> Vec<ApiError> {
    let Some(list) = known.of(licensor) else {
        return Vec::new();
    };
    let alid = payload
        .pointer("/avail/ALID")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // A missing or empty ALID is the rule engine's finding, not this one's.
    if alid.trim().is_empty() || list.contains(alid) {
        return Vec::new();
    }
    let examples: Vec<&str> = list.iter().take(QUOTED).map(String::as_str).collect();
    let known = if list.is_empty() {
        "no ALID is known for this licensor".to_string()
    } else {
        format!(
            "{} known, e.g. {}",
            list.len(),
            examples
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    vec![error(
        UNKNOWN_ALID,
        format!(
            "/avail/ALID: `{alid}` is not an ALID of licensor `{licensor}`'s metadata \
             contributions; the ALID must match the one given in the metadata contribution \
             ({known})"
        ),
    )]
}

/// `checked` (the payload checks' outcome) with the server-only rules'
/// errors added: a payload that passed them but breaks a server rule fails.
pub(crate) fn apply<T>(
    known: &KnownAlids,
    licensor: &str,
    payload: &Value,
    checked: Result<T, Vec<ApiError>>,
) -> Result<T, Vec<ApiError>> {
    let extra = errors(known, licensor, payload);
    match checked {
        Ok(_) if !extra.is_empty() => Err(extra),
        Ok(t) => Ok(t),
        Err(mut list) => {
            list.extend(extra);
            Err(list)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload(alid: &str) -> Value {
        json!({ "avail": { "ALID": alid } })
    }

    #[test]
    fn a_licensor_without_a_list_accepts_every_alid() {
        let known = KnownAlids::default().with("other", ["md:alid:1"]);
        assert!(errors(&known, "lic", &payload("anything")).is_empty());
        assert!(KnownAlids::default().is_empty());
    }

    #[test]
    fn an_unlisted_alid_is_refused_at_the_alid() {
        let known = KnownAlids::default().with("lic", ["md:alid:1", "md:alid:2"]);
        assert!(errors(&known, "lic", &payload("md:alid:1")).is_empty());
        let e = errors(&known, "lic", &payload("md:alid:9"));
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, UNKNOWN_ALID);
        assert!(e[0].message.starts_with("/avail/ALID: `md:alid:9`"));
        assert!(e[0]
            .message
            .contains("2 known, e.g. `md:alid:1`, `md:alid:2`"));
        // An empty ALID is left to the rule engine.
        assert!(errors(&known, "lic", &payload("")).is_empty());
    }

    #[test]
    fn apply_turns_a_pass_into_a_failure_and_adds_to_failures() {
        let known = KnownAlids::default().with("lic", ["a"]);
        assert_eq!(apply(&known, "lic", &payload("a"), Ok(1)), Ok(1));
        assert_eq!(
            apply::<()>(&known, "lic", &payload("b"), Ok(()))
                .unwrap_err()
                .len(),
            1
        );
        let before = vec![error("AV040", "x")];
        let after = apply::<()>(&known, "lic", &payload("b"), Err(before)).unwrap_err();
        assert_eq!(after.len(), 2);
        assert_eq!(after[1].code, UNKNOWN_ALID);
    }

    #[test]
    fn list_files_skip_comments_and_blanks() {
        let list = KnownAlids::parse_list("\u{feff}# titles\nmd:alid:1\n\n  md:alid:2  \r\n#x\n");
        assert_eq!(
            list.into_iter().collect::<Vec<_>>(),
            vec!["md:alid:1".to_string(), "md:alid:2".to_string()]
        );
    }

    #[test]
    fn debug_prints_counts_not_lists() {
        let known = KnownAlids::default().with("lic", ["secret-title"]);
        let text = format!("{known:?}");
        assert_eq!(text, r#"{"lic": 1}"#);
    }
}
