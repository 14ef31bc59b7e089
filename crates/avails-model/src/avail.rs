//! The `Avail` payload and everything nested in it.

use serde::{Deserialize, Serialize};

use crate::{Extra, Term};

/// One title's availability in one territory and business line.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Avail {
    /// Title identifier; must match the ALID of the metadata delivery.
    #[serde(rename = "ALID")]
    pub alid: String,
    /// Granularity of the extract (`FullExtract`, `FullDelete`, `PartialExtract`).
    #[serde(rename = "Disposition", skip_serializing_if = "Option::is_none")]
    pub disposition: Option<Disposition>,
    /// The partner licensing the title to Prime Video.
    #[serde(rename = "Licensor", skip_serializing_if = "Option::is_none")]
    pub licensor: Option<Licensor>,
    /// The asset being licensed (exactly one).
    #[serde(rename = "Asset", default, skip_serializing_if = "Vec::is_empty")]
    pub asset: Vec<AvailAsset>,
    /// The license windows.
    #[serde(rename = "Transaction", default, skip_serializing_if = "Vec::is_empty")]
    pub transaction: Vec<AvailTrans>,
    /// Rights in other ecosystems such as DMA.
    #[serde(rename = "SharedEntitlement", skip_serializing_if = "Option::is_none")]
    pub shared_entitlement: Option<Vec<SharedEntitlement>>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AvailDisposition`: full extract, full delete or partial extract.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Disposition {
    /// `FullExtract`, `FullDelete` or `PartialExtract`.
    #[serde(rename = "EntryType")]
    pub entry_type: crate::EntryType,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Publisher`: the licensor's display name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Licensor {
    /// Partner name given by Prime Video.
    #[serde(rename = "DisplayName")]
    pub display_name: String,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AvailSharedEntitlement`: an identifier in another ecosystem.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SharedEntitlement {
    /// Ecosystem name; only `DMA` is allowed.
    #[serde(rename = "_ecosystem")]
    pub ecosystem: String,
    /// Title identifier in that ecosystem.
    #[serde(rename = "EcosystemID")]
    pub ecosystem_id: String,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AvailAsset`: the licensed content and its metadata by work type.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AvailAsset {
    /// Content identifier, usually the ALID.
    #[serde(rename = "_contentID", skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
    /// `Movie`, `Short`, `Episode`, `Season`, `Series`, `Supplemental`, `Collection`.
    #[serde(rename = "WorkType", skip_serializing_if = "Option::is_none")]
    pub work_type: Option<String>,
    /// Metadata of a movie, short, supplemental or collection.
    #[serde(rename = "Metadata", skip_serializing_if = "Option::is_none")]
    pub metadata: Option<UnitMetadata>,
    /// Metadata of an episode.
    #[serde(rename = "EpisodeMetadata", skip_serializing_if = "Option::is_none")]
    pub episode_metadata: Option<EpisodeMetadata>,
    /// Metadata of a season.
    #[serde(rename = "SeasonMetadata", skip_serializing_if = "Option::is_none")]
    pub season_metadata: Option<SeasonMetadata>,
    /// Metadata of a series (series bundles).
    #[serde(rename = "SeriesMetadata", skip_serializing_if = "Option::is_none")]
    pub series_metadata: Option<SeriesMetadata>,
    /// Titles bundled in a collection.
    #[serde(rename = "BundleAsset", skip_serializing_if = "Option::is_none")]
    pub bundle_asset: Option<Vec<BundleAsset>>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AvailUnitMetadata`: metadata of a stand-alone work.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UnitMetadata {
    /// Title name; exactly one entry.
    #[serde(rename = "TitleInternalAlias", default)]
    pub title_internal_alias: Vec<String>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AvailEpisodeMetadata`: an episode and its season and series.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EpisodeMetadata {
    /// Episode title; exactly one entry.
    #[serde(rename = "TitleInternalAlias", default)]
    pub title_internal_alias: Vec<String>,
    /// Episode number in its season.
    #[serde(rename = "EpisodeNumber", skip_serializing_if = "Option::is_none")]
    pub episode_number: Option<ContentSequenceInfo>,
    /// The season the episode belongs to.
    #[serde(rename = "SeasonMetadata", skip_serializing_if = "Option::is_none")]
    pub season_metadata: Option<SeasonMetadata>,
    /// The series the episode belongs to.
    #[serde(rename = "SeriesMetadata", skip_serializing_if = "Option::is_none")]
    pub series_metadata: Option<SeriesMetadata>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AvailSeasonMetadata`: a season and its series.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SeasonMetadata {
    /// ALID of the season.
    #[serde(rename = "SeasonContentID", skip_serializing_if = "Option::is_none")]
    pub season_content_id: Option<String>,
    /// Season title; one entry.
    #[serde(
        rename = "SeasonTitleInternalAlias",
        skip_serializing_if = "Option::is_none"
    )]
    pub season_title_internal_alias: Option<Vec<String>>,
    /// Season number in the series.
    #[serde(rename = "SeasonNumber", skip_serializing_if = "Option::is_none")]
    pub season_number: Option<ContentSequenceInfo>,
    /// Number of episodes in the season.
    #[serde(rename = "NumberOfEpisodes", skip_serializing_if = "Option::is_none")]
    pub number_of_episodes: Option<i64>,
    /// The series the season belongs to.
    #[serde(rename = "SeriesMetadata", skip_serializing_if = "Option::is_none")]
    pub series_metadata: Option<SeriesMetadata>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AvailSeriesMetadata`: top-level series information.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SeriesMetadata {
    /// ALID of the series.
    #[serde(rename = "SeriesContentID", skip_serializing_if = "Option::is_none")]
    pub series_content_id: Option<String>,
    /// Series title; one entry.
    #[serde(
        rename = "SeriesTitleInternalAlias",
        skip_serializing_if = "Option::is_none"
    )]
    pub series_title_internal_alias: Option<Vec<String>>,
    /// Number of seasons in the series.
    #[serde(rename = "NumberOfSeasons", skip_serializing_if = "Option::is_none")]
    pub number_of_seasons: Option<i64>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ContentSequenceInfo`: an episode or season number.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ContentSequenceInfo {
    /// The sequence number.
    #[serde(rename = "Number")]
    pub number: i64,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `BundleAsset`: one title inside a collection.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BundleAsset {
    /// ALID of the bundled title.
    #[serde(rename = "BundledALID")]
    pub bundled_alid: String,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AvailTrans`: one license window.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AvailTrans {
    /// Window identifier (EMA `AvailID`); optional in a full extract.
    #[serde(rename = "_TransactionID", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// `SVOD`, `FVOD`, `EST`, `POEST` or `VOD`.
    #[serde(rename = "LicenseType", skip_serializing_if = "Option::is_none")]
    pub license_type: Option<String>,
    /// Territory; exactly one region.
    #[serde(rename = "Territory", default, skip_serializing_if = "Vec::is_empty")]
    pub territory: Vec<Region>,
    /// Video quality of the window.
    #[serde(rename = "FormatProfile", skip_serializing_if = "Option::is_none")]
    pub format_profile: Option<FormatProfile>,
    /// Window start, ISO 8601.
    #[serde(rename = "Start", skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Window end, ISO 8601; absent means open-ended.
    #[serde(rename = "End", skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Release priority description.
    #[serde(
        rename = "LicenseRightsDescription",
        skip_serializing_if = "Option::is_none"
    )]
    pub license_rights_description: Option<String>,
    /// Contract reference.
    #[serde(rename = "ContractID", skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// Languages the partner intends to deliver.
    #[serde(rename = "AssetLanguage", skip_serializing_if = "Option::is_none")]
    pub asset_language: Option<Vec<AssetLanguage>>,
    /// Languages allowed for the window.
    #[serde(rename = "AllowedLanguage", skip_serializing_if = "Option::is_none")]
    pub allowed_language: Option<Vec<AssetLanguage>>,
    /// Languages held back for the window.
    #[serde(rename = "HoldbackLanguage", skip_serializing_if = "Option::is_none")]
    pub holdback_language: Option<Vec<AssetLanguage>>,
    /// Commercial terms.
    #[serde(rename = "Terms", skip_serializing_if = "Option::is_none")]
    pub terms: Option<Vec<Term>>,
    /// Extra processing instructions.
    #[serde(rename = "OtherInstructions", skip_serializing_if = "Option::is_none")]
    pub other_instructions: Option<String>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Region`: an ISO 3166-1 alpha-2 country.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Region {
    /// Two-letter country code.
    pub country: String,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AvailFormatProfile`: `SD`, `HD` or `UHD`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FormatProfile {
    /// The quality level.
    pub value: String,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `AssetLanguage`: an RFC 5646 tag with an optional asset kind.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssetLanguage {
    /// RFC 5646 language tag.
    pub value: String,
    /// Asset kind (`audio`, `subtitle`, `sub`, `dub`, `subdub`, ...).
    #[serde(rename = "_asset", skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Avail {
    /// The single territory code of the first transaction, if any.
    pub fn territory(&self) -> Option<&str> {
        self.transaction
            .iter()
            .flat_map(|t| t.territory.first())
            .map(|r| r.country.as_str())
            .next()
    }

    /// The entry type of the disposition, if present.
    pub fn entry_type(&self) -> Option<&str> {
        self.disposition.as_ref().map(|d| d.entry_type.as_str())
    }
}

impl AvailTrans {
    /// The JSON names of the attributes modelled as fields (everything else
    /// lands in `extra`), in declaration order: the list a direct build of a
    /// transaction (the converter's fast path) checks itself against. A test
    /// below fails when a field is added without its name here.
    pub const FIELDS: &'static [&'static str] = &[
        "_TransactionID",
        "LicenseType",
        "Territory",
        "FormatProfile",
        "Start",
        "End",
        "LicenseRightsDescription",
        "ContractID",
        "AssetLanguage",
        "AllowedLanguage",
        "HoldbackLanguage",
        "Terms",
        "OtherInstructions",
    ];

    /// The first term with this name (case-insensitive, as the reference says).
    pub fn term(&self, name: &str) -> Option<&Term> {
        self.terms
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// The country of the window's territory, if present.
    pub fn country(&self) -> Option<&str> {
        self.territory.first().map(|r| r.country.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avail_trans_fields_name_every_modelled_attribute() {
        // Every field given (no `..Default::default()`): a new field does not
        // compile here until it is added, and then fails below until
        // `FIELDS` names it.
        fn some<T: Default>() -> Option<T> {
            Some(T::default())
        }
        let full = AvailTrans {
            transaction_id: some(),
            license_type: some(),
            territory: vec![Region::default()],
            format_profile: some(),
            start: some(),
            end: some(),
            license_rights_description: some(),
            contract_id: some(),
            asset_language: some(),
            allowed_language: some(),
            holdback_language: some(),
            terms: some(),
            other_instructions: some(),
            extra: Extra::new(),
        };
        let serde_json::Value::Object(json) = serde_json::to_value(&full).unwrap() else {
            panic!("a transaction serializes as an object");
        };
        let keys: Vec<&str> = json.keys().map(String::as_str).collect();
        let mut fields = AvailTrans::FIELDS.to_vec();
        let mut sorted_keys = keys.clone();
        fields.sort_unstable();
        sorted_keys.sort_unstable();
        assert_eq!(sorted_keys, fields);
    }
}
