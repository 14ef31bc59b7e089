//! The reference's enumerations, as allowed-value lists, and `BusinessLine`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// `WorkType` values. The reference lists Movie, Short, Episode, Season and
/// Supplemental; its examples also use Collection and Series (bundles).
pub const WORK_TYPES: &[&str] = &[
    "Movie",
    "Short",
    "Episode",
    "Season",
    "Series",
    "Supplemental",
    "Collection",
];

/// `LicenseType` values.
pub const LICENSE_TYPES: &[&str] = &["SVOD", "FVOD", "EST", "POEST", "VOD"];

/// `EntryType` values. The reference lists FullExtract and FullDelete; its
/// partial-extract examples use PartialExtract.
pub const ENTRY_TYPES: &[&str] = &["FullExtract", "FullDelete", "PartialExtract"];

/// `FormatProfile` values. The reference lists SD, HD, UHD; its bundle
/// examples use Max.
pub const FORMAT_PROFILES: &[&str] = &["SD", "HD", "UHD", "Max"];

/// `_ecosystem` values of a shared entitlement.
pub const ECOSYSTEMS: &[&str] = &["DMA"];

/// The Prime Video business model a payload belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BusinessLine {
    /// Purchase or rental: EST, VOD, POEST.
    Tvod,
    /// Prime or Amazon Kids+ subscription: SVOD.
    PrimeSubscription,
    /// Third-party channel subscription: SVOD.
    Channels,
    /// Free content: FVOD.
    Fvod,
}

impl BusinessLine {
    /// Every business line, in the reference's order.
    pub const ALL: [BusinessLine; 4] = [
        Self::Tvod,
        Self::PrimeSubscription,
        Self::Channels,
        Self::Fvod,
    ];

    /// The wire name (`TVOD`, `PRIME_SUBSCRIPTION`, `CHANNELS`, `FVOD`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tvod => "TVOD",
            Self::PrimeSubscription => "PRIME_SUBSCRIPTION",
            Self::Channels => "CHANNELS",
            Self::Fvod => "FVOD",
        }
    }

    /// License types the reference associates with this business line.
    pub fn license_types(self) -> &'static [&'static str] {
        match self {
            Self::Tvod => &["EST", "VOD", "POEST"],
            Self::PrimeSubscription | Self::Channels => &["SVOD"],
            Self::Fvod => &["FVOD"],
        }
    }
}

impl fmt::Display for BusinessLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown business line name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownBusinessLine(pub String);

impl fmt::Display for UnknownBusinessLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown business line `{}` (allowed: TVOD, PRIME_SUBSCRIPTION, CHANNELS, FVOD)",
            self.0
        )
    }
}

impl std::error::Error for UnknownBusinessLine {}

impl FromStr for BusinessLine {
    type Err = UnknownBusinessLine;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownBusinessLine(s.to_string()))
    }
}
