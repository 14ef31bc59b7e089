//! A converted payload and the sources of its parts.

use std::collections::BTreeMap;
use std::sync::Arc;

use avails_model::{AvailRequest, BusinessLine, Location};

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
    /// `FullExtract` or `FullDelete`.
    pub entry_type: String,
    /// Where the avail and asset attributes came from (the group's first row).
    pub avail_source: Source,
    /// Where each transaction came from, in order.
    pub transaction_sources: Vec<Source>,
}

impl Payload {
    /// A stable key: `{ALID}|{territory}|{businessLine}|{entryType}`.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.alid, self.territory, self.business_line, self.entry_type
        )
    }

    /// A file name safe on every system, e.g. `md_alid_x_US_TVOD.json`.
    pub fn file_stem(&self) -> String {
        let mut stem = format!("{}_{}_{}", self.alid, self.territory, self.business_line);
        if self.entry_type != "FullExtract" {
            stem.push('_');
            stem.push_str(&self.entry_type);
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
