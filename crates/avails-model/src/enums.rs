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

/// `Disposition.EntryType`: how a payload replaces what the server holds.
///
/// Read exactly from JSON (a value outside the reference is kept in
/// [`EntryType::Other`] for the validator to report); the spreadsheet and
/// MDDF spellings (`Full Extract`) go through [`EntryType::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum EntryType {
    /// Replaces every window of the ALID, territory and business line.
    #[default]
    FullExtract,
    /// Removes every window of the ALID, territory and business line.
    FullDelete,
    /// Creates or replaces one window, addressed by its TransactionID.
    PartialExtract,
    /// A value the reference does not list, kept as given.
    Other(String),
}

impl EntryType {
    /// The wire value (`FullExtract`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            Self::FullExtract => "FullExtract",
            Self::FullDelete => "FullDelete",
            Self::PartialExtract => "PartialExtract",
            Self::Other(s) => s,
        }
    }

    /// The wire value exactly, else [`EntryType::Other`].
    pub fn from_wire(s: &str) -> Self {
        match s {
            "FullExtract" => Self::FullExtract,
            "FullDelete" => Self::FullDelete,
            "PartialExtract" => Self::PartialExtract,
            other => Self::Other(other.to_string()),
        }
    }

    /// A spreadsheet or MDDF spelling: `Full Extract`, `full extract`,
    /// `FullExtract`... (spaces and case ignored); anything else is kept.
    pub fn parse(s: &str) -> Self {
        // Most cells are spelled without spaces: compared as they are.
        let compact = match s.contains(char::is_whitespace) {
            true => std::borrow::Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).collect()),
            false => std::borrow::Cow::Borrowed(s),
        };
        [Self::FullExtract, Self::FullDelete, Self::PartialExtract]
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(&compact))
            .unwrap_or_else(|| Self::Other(s.trim().to_string()))
    }
}

impl fmt::Display for EntryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EntryType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EntryType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Self::from_wire(&s))
    }
}

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

/// ChannelIdentity values that mean Prime Video's own subscriptions
/// (Prime, Amazon Kids+ as `A4K`) rather than a third-party channel.
pub const PRIME_CHANNELS: &[&str] = &["prime", "A4K"];

/// ChannelIdentity values that mean free viewing (trailers on SVOD rows in the
/// reference's examples carry `FVOD`).
pub const FREE_CHANNELS: &[&str] = &["FVOD"];

impl BusinessLine {
    /// The default rule: EST/VOD/POEST are TVOD, FVOD is FVOD, SVOD is
    /// PRIME_SUBSCRIPTION for Prime channels or no channel, FVOD for a free
    /// channel, CHANNELS otherwise. `avails-mapping` can override it.
    pub fn infer(license_type: &str, channel_identity: Option<&str>) -> Option<Self> {
        let lt = license_type.trim();
        if ["EST", "VOD", "POEST"]
            .iter()
            .any(|t| t.eq_ignore_ascii_case(lt))
        {
            return Some(Self::Tvod);
        }
        if lt.eq_ignore_ascii_case("FVOD") {
            return Some(Self::Fvod);
        }
        if !lt.eq_ignore_ascii_case("SVOD") {
            return None;
        }
        let channel = channel_identity.map(str::trim).filter(|c| !c.is_empty());
        Some(match channel {
            None => Self::PrimeSubscription,
            Some(c) if PRIME_CHANNELS.iter().any(|p| p.eq_ignore_ascii_case(c)) => {
                Self::PrimeSubscription
            }
            Some(c) if FREE_CHANNELS.iter().any(|p| p.eq_ignore_ascii_case(c)) => Self::Fvod,
            Some(_) => Self::Channels,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_business_lines_of_the_reference() {
        assert_eq!(BusinessLine::infer("EST", None), Some(BusinessLine::Tvod));
        assert_eq!(BusinessLine::infer("POEST", None), Some(BusinessLine::Tvod));
        assert_eq!(
            BusinessLine::infer("FVOD", Some("FVOD")),
            Some(BusinessLine::Fvod)
        );
        assert_eq!(
            BusinessLine::infer("SVOD", Some("mgm_plus_subscription")),
            Some(BusinessLine::Channels)
        );
        assert_eq!(
            BusinessLine::infer("SVOD", Some("prime")),
            Some(BusinessLine::PrimeSubscription)
        );
        assert_eq!(
            BusinessLine::infer("SVOD", Some("FVOD")),
            Some(BusinessLine::Fvod)
        );
        assert_eq!(BusinessLine::infer("Rental", None), None);
    }

    #[test]
    fn entry_types_read_with_any_spacing_and_case() {
        assert_eq!(EntryType::parse("FullExtract"), EntryType::FullExtract);
        assert_eq!(EntryType::parse("full extract"), EntryType::FullExtract);
        assert_eq!(EntryType::parse(" Full\tDelete "), EntryType::FullDelete);
        assert_eq!(
            EntryType::parse("PARTIALEXTRACT"),
            EntryType::PartialExtract
        );
        assert_eq!(
            EntryType::parse(" Full Refresh "),
            EntryType::Other("Full Refresh".into())
        );
    }

    #[test]
    fn parses_wire_names() {
        assert_eq!("channels".parse(), Ok(BusinessLine::Channels));
        assert!("TV".parse::<BusinessLine>().is_err());
    }
}
