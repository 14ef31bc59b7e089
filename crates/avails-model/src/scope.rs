//! The scope of a full extract: the one definition the converter (what a
//! payload replaces), the client (what to fetch) and the commands share.

use serde::{Deserialize, Serialize};

use crate::BusinessLine;

/// The scope a full extract replaces on the server: one title in one
/// territory for one business line (the reference, Type Avail: `ALID`,
/// the transactions' `Territory`, and the business line of the URL).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Scope {
    /// The title.
    pub alid: String,
    /// The territory (ISO 3166-1 alpha-2).
    pub territory: String,
    /// The business line.
    #[serde(rename = "businessLine")]
    pub business_line: BusinessLine,
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.alid, self.territory, self.business_line)
    }
}
