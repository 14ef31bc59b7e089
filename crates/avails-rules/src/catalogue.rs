//! The rule catalogue: every validation code (its severity and summary
//! as `avails_model::diagnostic::codes` defines them) and its source.
//!
//! `001` is the Avails API reference, `002` the French payload examples and
//! `003` the English request/response examples (the reference's README of authentication and limits).
//! Where the reference's tables and its own examples disagree the examples
//! win; the `spec` text of the rule says so.

use avails_model::diagnostic::codes::*;

use crate::Rule;

/// Builds a [`Rule`] in a `const` context: the code's identifier, severity
/// and title as `avails_model::diagnostic::codes` defines them, and where in
/// the reference the rule comes from.
const fn r(code: Code, spec: &'static str) -> Rule {
    Rule {
        code: code.id(),
        severity: code.severity(),
        summary: code.title(),
        spec,
    }
}

/// Every rule, in code order.
pub static RULES: &[Rule] = &[
    // Structure and schema
    r(AV001, "001 Type PutAvailsAPIRequest / ValidateAvailsAPIRequest: `avail` (disponibilité), required"),
    r(AV002, "001 Types de données de base: every attribute marked Oui (Avail, Publisher, AvailAsset, AvailUnitMetadata, AvailEpisodeMetadata, AvailSeasonMetadata, AvailSeriesMetadata, AvailTrans, Region, AssetLanguage, AvailFormatProfile, AvailTerms, Money, ContentSequenceInfo, AvailSharedEntitlement; batch item types). AvailTrans `Terms` is required. `_TransactionID` is required for PartialExtract payloads and partial-extract calls (the table makes it optional with FullExtract; FullDelete addresses a whole title and keeps it optional); batch items need requestItemId and path, and a body on /validate paths or when other items of the batch carry one. Exception from 002 example 7: the asset-level SeriesMetadata of a `Series` bundle has no SeriesContentID"),
    r(AV003, "001 Types de données de schéma courants (Booléen, Nombre entier, Valeur décimale, Chaîne, Struct, Array) and each type table"),
    r(AV004, "001 Type de disponibilité: Disposition required (EntryType FullExtract or FullDelete). The 002/003 validate examples omit it; a payload without one is still refused, since what it would replace on the server would be a guess"),
    r(AV005, "001 Schémas API: MDDF v2.6 attributes outside the supported schema are ignored. `BundleAsset`/`BundledALID` and an asset-level `SeriesMetadata` are supported because 002 examples 6 and 7 use them"),
    // Enumerations
    r(AV010, "001 Type AvailAsset, WorkType: Movie, Short, Episode, Season, Supplemental; plus Collection and Series, which 002 examples 6 and 7 (bundles) use"),
    r(AV011, "001 Type AvailTrans, LicenseType: SVOD, FVOD, EST, POEST, VOD"),
    r(AV012, "001 Type AvailDisposition, EntryType: FullExtract, FullDelete; plus PartialExtract, which the 003 partial-extract examples use"),
    r(AV013, "001 Type AvailFormatProfile: SD, HD, UHD; plus Max, which 002 examples 6 and 7 (bundles) use"),
    r(AV014, "001 Type AvailSharedEntitlement, _ecosystem: DMA"),
    r(AV015, "001 Type AvailTrans, AssetLanguage: subtitle, audio, subdub, sub, dub, ov, mta, any"),
    r(AV016, "001 Type AvailTrans, AllowedLanguage and HoldbackLanguage: subtitle, audio, sub, dub, subdub, any (no ov, no mta)"),
    r(AV017, "001 Énumération BusinessLine: TVOD, PRIME_SUBSCRIPTION, CHANNELS, FVOD; used in 003 full-extract paths"),
    // Cardinality
    r(AV020, "001 Type de disponibilité, Asset: a single asset must be given in the list"),
    r(AV021, "001 Type AvailTrans, Territory: a single territory element must be given"),
    r(AV022, "001 Type AvailTrans, Territory: all transactions of one Avail must have the same territory"),
    r(AV023, "001 Types AvailUnitMetadata, AvailEpisodeMetadata (TitleInternalAlias), AvailSeasonMetadata (SeasonTitleInternalAlias), AvailSeriesMetadata (SeriesTitleInternalAlias): a single title name"),
    // Conditional metadata
    r(AV030, "001 Type AvailAsset, Metadata: required for a movie or short; 002 examples 4, 5 (Supplemental) and 6 (Collection) carry it too"),
    r(AV031, "001 Type AvailAsset, EpisodeMetadata: required when WorkType is Episode"),
    r(AV032, "001 Types AvailAsset and AvailEpisodeMetadata, SeasonMetadata: required when WorkType is Episode or Season"),
    r(AV033, "001 Types AvailEpisodeMetadata and AvailSeasonMetadata, SeriesMetadata: required when WorkType is Episode or Season; 002 example 7 gives a Series bundle its SeriesMetadata on the asset"),
    r(AV034, "001 Type AvailAsset: Metadata is for movies and shorts, EpisodeMetadata for episodes, SeasonMetadata for seasons"),
    // Formats
    r(AV040, "001 Type Region, country: ISO 3166-1 two-letter country code"),
    r(AV041, "001 Type AssetLanguage, value: RFC 5646 language code (checked case-insensitively, so `EN` of 002 example 7 is fine); RFC 5646 section 2.2.9: a valid tag's subtags are in the IANA Language Subtag Registry (language: ISO 639, no subtag of 4 to 8 letters; script: ISO 15924; region: ISO 3166-1 or the registry's UN M.49 areas; extlang and variants)"),
    r(AV042, "001 Type AvailTrans, Start/End: ISO format, time zone optional; AvailTerms Event: DateTime"),
    r(AV043, "001 Type AvailTerms, Duration; Supported Terms RentalDuration/WatchDuration (002 uses PT720H)"),
    r(AV044, "001 Type AvailTrans, Start and End: the distribution window; compared as instants when both carry an offset, else as local times"),
    r(AV045, "001 Type Money, _currency: ISO currency code"),
    r(AV046, "001 Supported Terms, RentalDuration and WatchDuration: duration in hours (every example uses PTnH, e.g. PT720H)"),
    // Terms
    r(AV050, "001 Conditions d'utilisation prises en charge: the supported term names (compared case-insensitively per AvailTerms `_termName`)"),
    r(AV051, "001 Conditions d'utilisation prises en charge, Attribut column (Money for SRP/WSP, Duration for RentalDuration/WatchDuration, Event for AnnounceDate/SuppressionLiftDate, Boolean for Exclusive/BrandingRights/allowAds/ExcludedFromBundleDiscount, Number for CompleteYourBundleDiscountPercentage, Text otherwise). ExclusiveAttributes and BrandingRightsAttributes may carry no value (a default is used; 002/003 GET and validate examples)"),
    r(AV052, "001 AvailTerms: one value of the appropriate type per term; a currency-only Money next to the Text of Tier or Category is accepted silently because 002 examples 6 and 8 do that"),
    r(AV053, "001 Supported Terms, Download: valid values are Yes and No"),
    r(AV054, "001 Supported Terms, allowedAdPlacement and prohibitedAdPlacement: PreRoll, MidRoll, PostRoll, Overlays, PauseAds, Squeezebacks (a comma-separated list of them is accepted)"),
    r(AV055, "001 Supported Terms, cuepointDeliveryAndUsage: PartnerWillDeliverAndPrimeVideoMustUse, PrimeVideoWillUseIfDelivered, NoDeliveryOrUsageObligations, TalentObligated"),
    r(AV056, "001 Supported Terms, blindBasisSelling: GuaranteedImpressions, NoGuaranteedImpressions"),
    r(AV057, "001 Supported Terms, sponsorships (parrainages): Permitted, Prohibited, PermittedWithRestrictions"),
    r(AV058, "001 Supported Terms, talentAndAmazonAdGuidelines: NoRestrictions, ConsultationRequired"),
    r(AV059, "001 Supported Terms, adLoadLimit: minutes of ads per hour, must be a valid integer (given as Text)"),
    r(AV060, "001 Supported Terms, allowAds: this term can appear only once"),
    r(AV061, "001 Supported Terms, ExclusiveAttributes: only considered when Exclusive is true (003 FVOD avail example sends it with Exclusive false)"),
    r(AV062, "001 Supported Terms, BrandingRightsAttributes: only considered when BrandingRights is true"),
    r(AV063, "001 Supported Terms, sponsorshipsRestrictions and talentRestrictions are conditional; read as: expected when sponsorships is PermittedWithRestrictions or talentAndAmazonAdGuidelines is ConsultationRequired"),
    r(AV064, "001 Type Money, value: required for some price types; SRP and WSP are prices and every example gives them a value (currency-only Money appears only next to Tier/Category Text)"),
    r(AV065, "001 Supported Terms, CompleteYourBundleDiscountPercentage: a discount percentage (002 examples 6 and 7: 20, 50)"),
    // Terms required by license type, business line
    r(AV070, "001 Supported Terms, SRP, WSP, SuppressionLiftDate: required if the license type is POEST (002/003 TVOD examples carry all three)"),
    r(AV071, "001 Supported Terms, Tier and Category: required if the license type is POEST; but the POEST transaction of 002 example 3 and 003 TVOD example has neither, so only a warning"),
    r(AV072, "001 Supported Terms, RentalDuration and WatchDuration: required if the license type is SVOD; not for a Supplemental asset, because the SVOD trailers of 002 examples 4 and 5 have none"),
    r(AV073, "001 Supported Terms, Download: when the license type is SVOD, RentalDuration and WatchDuration must be given (also checked for Supplemental assets, which AV072 exempts)"),
    r(AV074, "001 Supported Terms, ChannelIdentity: identifies the channel or subscription; every SVOD/FVOD example carries it, TVOD examples do not (SVOD trailers in 002 examples 4 and 5 carry `FVOD`)"),
    r(AV075, "001 Énumération BusinessLine (TVOD: EST, VOD, POEST; PRIME_SUBSCRIPTION/CHANNELS: SVOD; FVOD: FVOD), inferred per transaction with ChannelIdentity by BusinessLine::infer; an avail is stored per ALID, territory and business line (003 GET path)"),
    // Identity and context
    r(AV080, "001 Type AvailTrans, _TransactionID: unique identifier of the availability window"),
    r(AV081, "001 Type AvailTrans, _TransactionID: unique identifier; 002 trailer examples 4 and 5 repeat one ID across their HD and SD transactions, so this is a warning: a partial-extract call by that ID cannot tell them apart"),
    r(AV082, "003 Put Avails Partial-Extract: the path names one transaction (/partial-extract/transactions/{id}); its examples carry one"),
    r(AV083, "003 Put Avails Partial-Extract: path /transactions/demoTransactionId, body _TransactionID demoTransactionId"),
    r(AV084, "003 Validate Avails Full-Extract: path /full-extract/demoAlid, body ALID demoAlid; 001 Avail ALID identifies the title"),
    r(AV085, "003 request URLs: the ALID is a path segment (/full-extract/{ALID}), the TransactionID too (/partial-extract/transactions/{TransactionID}); RFC 3986 section 3.3: `.` and `..` are dot-segments that URL resolution removes, `/`, `?` and `#` end a segment, `%` starts an escape, control characters cannot be written. Such an ID would address another resource (`DELETE .../full-extract`), so the payload is not sent"),
    // Batch
    r(AV090, "001 Types de données de schéma courants, note: at most 100 elements in batch requests"),
    r(AV091, "001 Type PutAvailsBatchAPIRequestItem, requestItemId: unique identifier of the item in the batch"),
    r(AV092, "001 batch item `path` (chemin); 003 batch examples: /avails/{licensor}/partial-extract/transactions/{id}[/validate], full extract /avails/{licensor}/full-extract/{ALID}[/validate]"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_validation_code_has_one_rule_in_code_order() {
        let codes: Vec<&str> = ALL
            .iter()
            .map(|c| c.id())
            .filter(|id| id.starts_with("AV"))
            .collect();
        let rules: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        assert_eq!(rules, codes);
    }
}
