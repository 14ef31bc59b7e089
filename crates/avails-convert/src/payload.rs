//! A converted payload, a payload held back, and the sources of their parts.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Defined in avails-model, shared with the client's fetches.
pub use avails_model::Scope;
use avails_model::{AvailRequest, BusinessLine, EntryType, Location};
use serde::Serialize;

/// Where one transaction (or the avail's attributes) came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The row (EMA) or element (XML, JSON) location.
    pub location: Location,
    /// EMA: canonical column name → column letter of the row's sheet.
    pub columns: Option<Arc<BTreeMap<String, String>>>,
    /// XML: JSON pointer relative to this part → line of the element.
    pub lines: Option<Arc<BTreeMap<String, u32>>>,
}

impl Source {
    /// A source that is only a location.
    pub fn at(location: Location) -> Self {
        Self {
            location,
            columns: None,
            lines: None,
        }
    }
}

/// One payload ready to send: `{"avail": {...}}` plus its grouping key and
/// the sources of its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// The request body.
    pub request: AvailRequest,
    /// The title.
    pub alid: String,
    /// The territory (ISO 3166-1 alpha-2).
    pub territory: String,
    /// The business line.
    pub business_line: BusinessLine,
    /// `FullExtract`, `FullDelete` or `PartialExtract`.
    pub entry_type: EntryType,
    /// Where the avail and asset attributes came from (the group's first row).
    pub avail_source: Source,
    /// Where each transaction came from, in order.
    pub transaction_sources: Vec<Source>,
    /// The payload exactly as an input gave it (payload JSON), validated as
    /// given; `None` for payloads built from rows.
    pub given: Option<serde_json::Value>,
}

impl Payload {
    /// A stable key: `{ALID}|{territory}|{businessLine}|{entryType}`, plus
    /// the TransactionID for a partial extract.
    pub fn key(&self) -> String {
        let mut key = format!(
            "{}|{}|{}|{}",
            self.alid, self.territory, self.business_line, self.entry_type
        );
        if self.entry_type == EntryType::PartialExtract {
            if let Some(id) = self.transaction_id() {
                key.push('|');
                key.push_str(id);
            }
        }
        key
    }

    /// The scope this payload replaces.
    pub fn scope(&self) -> Scope {
        Scope {
            alid: self.alid.clone(),
            territory: self.territory.clone(),
            business_line: self.business_line,
        }
    }

    /// Term `k` of transaction `i`.
    pub fn term(&self, i: usize, k: usize) -> Option<&avails_model::Term> {
        self.request
            .avail
            .transaction
            .get(i)?
            .terms
            .as_ref()?
            .get(k)
    }

    /// The TransactionID of a single-transaction (partial) payload.
    pub fn transaction_id(&self) -> Option<&str> {
        match self.request.avail.transaction.as_slice() {
            [t] => t.transaction_id.as_deref(),
            _ => None,
        }
    }

    /// A readable file name stem, e.g. `md_alid_x_US_TVOD`: characters
    /// outside `[A-Za-z0-9.-]` become `_`. Not unique on its own (two ALIDs
    /// may differ only by such characters) and not bounded; writers of
    /// files shorten and deduplicate it.
    pub fn file_stem(&self) -> String {
        let mut stem = format!("{}_{}_{}", self.alid, self.territory, self.business_line);
        if self.entry_type != EntryType::FullExtract {
            stem.push('_');
            stem.push_str(self.entry_type.as_str());
        }
        if self.entry_type == EntryType::PartialExtract {
            if let Some(id) = self.transaction_id() {
                stem.push('_');
                stem.push_str(id);
            }
        }
        stem.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }

    /// Distinct source locations of the payload's rows, in order.
    pub fn source_locations(&self) -> Vec<Location> {
        let mut seen = Vec::new();
        for s in std::iter::once(&self.avail_source).chain(&self.transaction_sources) {
            if !seen.contains(&s.location) {
                seen.push(s.location.clone());
            }
        }
        seen
    }
}

/// A group not converted because one of its rows is rejected: a full
/// extract without that row would delete the window on the server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldBack {
    /// What it would have replaced.
    #[serde(flatten)]
    pub scope: Scope,
    /// `FullExtract`, `FullDelete` or `PartialExtract`.
    #[serde(rename = "entryType")]
    pub entry_type: EntryType,
    /// Rows (or transactions) read for it that are not rejected themselves.
    pub rows: usize,
    /// The rows that block it, with why.
    pub blocking: Vec<Blocking>,
    /// The rows it holds back that are fine themselves (when known: those
    /// of a group held back while open), for a report per row.
    #[serde(skip)]
    pub held_rows: Vec<Location>,
}

/// A rejected row holding a group back.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Blocking {
    /// The row or cell (`file.xlsx:Movies!Q12`).
    #[serde(serialize_with = "as_text", deserialize_with = "location_of_text")]
    pub location: Location,
    /// The first error found on it.
    pub reason: String,
}

fn as_text<S: serde::Serializer>(l: &Location, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(l)
}

/// Blocking locations are kept as text once written (messages only).
fn location_of_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Location, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    Ok(Location::file(text))
}
