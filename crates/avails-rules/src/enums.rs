//! Allowed-value lists the validator checks against. The payload-level
//! enumerations come from `avails-model`; term values and `_asset` sets are
//! listed here as the reference gives them.

pub use avails_model::enums::{
    ECOSYSTEMS, ENTRY_TYPES, FORMAT_PROFILES, LICENSE_TYPES, WORK_TYPES,
};

/// `_asset` values allowed on `AssetLanguage` (AvailTrans table).
pub const ASSET_LANGUAGE_ASSETS: &[&str] = &[
    "subtitle", "audio", "subdub", "sub", "dub", "ov", "mta", "any",
];

/// `_asset` values allowed on `AllowedLanguage` and `HoldbackLanguage`
/// (AvailTrans table: no `ov`, no `mta`).
pub const ALLOWED_LANGUAGE_ASSETS: &[&str] = &["subtitle", "audio", "sub", "dub", "subdub", "any"];

/// `BusinessLine` wire names.
pub const BUSINESS_LINES: &[&str] = &["TVOD", "PRIME_SUBSCRIPTION", "CHANNELS", "FVOD"];

/// `Download` term values.
pub const DOWNLOAD: &[&str] = &["Yes", "No"];

/// `allowedAdPlacement` / `prohibitedAdPlacement` term values.
pub const AD_PLACEMENTS: &[&str] = &[
    "PreRoll",
    "MidRoll",
    "PostRoll",
    "Overlays",
    "PauseAds",
    "Squeezebacks",
];

/// `cuepointDeliveryAndUsage` term values.
pub const CUEPOINT_USAGE: &[&str] = &[
    "PartnerWillDeliverAndPrimeVideoMustUse",
    "PrimeVideoWillUseIfDelivered",
    "NoDeliveryOrUsageObligations",
    "TalentObligated",
];

/// `blindBasisSelling` term values.
pub const BLIND_BASIS_SELLING: &[&str] = &["GuaranteedImpressions", "NoGuaranteedImpressions"];

/// `sponsorships` term values.
pub const SPONSORSHIPS: &[&str] = &["Permitted", "Prohibited", "PermittedWithRestrictions"];

/// `talentAndAmazonAdGuidelines` term values.
pub const TALENT_GUIDELINES: &[&str] = &["NoRestrictions", "ConsultationRequired"];

/// Whether `value` is one of `allowed` (exact match).
pub fn contains(allowed: &[&str], value: &str) -> bool {
    allowed.contains(&value)
}

/// `allowed` joined with `, ` for messages.
pub fn list(allowed: &[&str]) -> String {
    allowed.join(", ")
}
