//! Every finding code this tool emits, each with its severity and title:
//! one constant per code, so an emit site names a code that exists or does
//! not compile. `AV...` are the validation rules (their source in the
//! reference is in `avails_rules`' catalogue), `CV...` the conversion
//! findings. Codes the server answers with are not here: they travel as the
//! server spells them ([`Diagnostic::server`](super::Diagnostic::server)).

use std::borrow::Cow;
use std::fmt;

use super::Severity;

/// One finding code: its identifier (`AV040`), the severity of its
/// findings and a one-line title. Only the constants of this module exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    id: &'static str,
    severity: Severity,
    title: &'static str,
}

impl Code {
    /// The identifier, as reports print it: `AV040`, `CV001`.
    pub const fn id(self) -> &'static str {
        self.id
    }

    /// The severity of this code's findings (a few conversion findings
    /// choose theirs case by case: [`Diagnostic::new`](super::Diagnostic::new)).
    pub const fn severity(self) -> Severity {
        self.severity
    }

    /// What the code checks or means, in one line.
    pub const fn title(self) -> &'static str {
        self.title
    }

    /// The code with identifier `id`, if this tool defines it.
    pub fn find(id: &str) -> Option<Code> {
        ALL.iter().copied().find(|c| c.id == id)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

impl From<Code> for Cow<'static, str> {
    fn from(code: Code) -> Self {
        Cow::Borrowed(code.id)
    }
}

/// A finding's code compared with a defined code: `d.code == AV002`.
impl PartialEq<Code> for Cow<'_, str> {
    fn eq(&self, code: &Code) -> bool {
        self.as_ref() == code.id
    }
}

/// Defines one constant per code (its name is its identifier) and [`ALL`].
macro_rules! codes {
    ($($id:ident $severity:ident $title:literal;)*) => {
        $(
            #[doc = $title]
            pub const $id: Code = Code {
                id: stringify!($id),
                severity: Severity::$severity,
                title: $title,
            };
        )*
        /// Every code, in code order, each once.
        pub const ALL: &[Code] = &[$($id),*];
    };
}

codes! {
    AV001 Error "The payload is an object with an `avail` object";
    AV002 Error "A required attribute is present and not empty";
    AV003 Error "An attribute has the JSON type its schema type requires";
    AV004 Error "Disposition is present";
    AV005 Warning "An attribute Prime Video does not support is ignored";
    AV010 Error "WorkType is an allowed value";
    AV011 Error "LicenseType is an allowed value";
    AV012 Error "Disposition/EntryType is an allowed value";
    AV013 Error "FormatProfile value is an allowed value";
    AV014 Error "SharedEntitlement `_ecosystem` is an allowed value";
    AV015 Error "AssetLanguage `_asset` is an allowed value";
    AV016 Error "AllowedLanguage/HoldbackLanguage `_asset` is an allowed value";
    AV017 Error "A `businessLine` query parameter is a BusinessLine value";
    AV020 Error "Asset has exactly one entry";
    AV021 Error "Each transaction has exactly one Territory";
    AV022 Error "All transactions of an avail share one territory";
    AV023 Error "A TitleInternalAlias list has exactly one entry";
    AV030 Error "Metadata is present for Movie, Short, Supplemental and Collection";
    AV031 Error "EpisodeMetadata is present for an Episode";
    AV032 Error "SeasonMetadata is present for an Episode (in EpisodeMetadata) and a Season";
    AV033 Error "SeriesMetadata is present for an Episode, a Season and a Series";
    AV034 Warning "Metadata that does not belong to the WorkType is ignored";
    AV040 Error "A country is an assigned ISO 3166-1 alpha-2 code";
    AV041 Error "A language is a valid RFC 5646 tag: well-formed, its subtags registered";
    AV042 Error "Start, End and Event are ISO 8601 date-times";
    AV043 Error "A Duration is an ISO 8601 duration";
    AV044 Error "Start is before End";
    AV045 Error "A Money `_currency` is an ISO 4217 code";
    AV046 Warning "RentalDuration and WatchDuration are given in hours";
    AV050 Warning "A term name is one of the supported terms";
    AV051 Error "A term carries the value kind the Supported Terms table gives it";
    AV052 Warning "A term carries no value kind other than its own";
    AV053 Error "Download is Yes or No";
    AV054 Error "allowedAdPlacement/prohibitedAdPlacement values are allowed placements";
    AV055 Error "cuepointDeliveryAndUsage is an allowed value";
    AV056 Error "blindBasisSelling is an allowed value";
    AV057 Error "sponsorships is an allowed value";
    AV058 Error "talentAndAmazonAdGuidelines is an allowed value";
    AV059 Error "adLoadLimit is an integer";
    AV060 Error "allowAds appears at most once per transaction";
    AV061 Warning "ExclusiveAttributes has an effect only with Exclusive true";
    AV062 Warning "BrandingRightsAttributes has an effect only with BrandingRights true";
    AV063 Warning "A restrictions text accompanies a with-restrictions value";
    AV064 Error "An SRP or WSP Money carries an amount";
    AV065 Error "CompleteYourBundleDiscountPercentage is between 0 and 100";
    AV070 Error "A POEST transaction has SRP, WSP and SuppressionLiftDate";
    AV071 Warning "A POEST transaction has Tier and Category";
    AV072 Error "An SVOD transaction has RentalDuration and WatchDuration";
    AV073 Error "Download Yes on SVOD has RentalDuration and WatchDuration";
    AV074 Error "An SVOD or FVOD transaction has a ChannelIdentity";
    AV075 Error "The license types of an avail belong to one business line";
    AV080 Error "A _TransactionID is used by only one avail of a file or batch";
    AV081 Warning "A _TransactionID appears once within an avail";
    AV082 Error "A partial-extract payload has exactly one transaction";
    AV083 Error "A partial-extract payload's _TransactionID equals the path's ID";
    AV084 Error "ALID equals the ALID of the full-extract path";
    AV085 Error "ALID and _TransactionID can each travel as one URL path segment";
    AV090 Error "A batch has at most 100 items";
    AV091 Error "requestItemId is unique within a batch";
    AV092 Error "A batch item path is a well-formed Avails resource path";
    CV001 Error "A cell cannot be converted with its column's EMA meaning: the row is rejected";
    CV002 Error "Rows of one payload disagree on an avail or asset attribute (a blank cell never conflicts)";
    CV003 Error "A LicenseType has no business line";
    CV004 Error "End `ESTStart` with no EST window of the same title, territory and FormatProfile";
    CV005 Error "A payload or element does not fit the API's schema";
    CV006 Warning "An MDDF element or attribute Prime Video does not process is left out";
    CV007 Error "A partial extract needs a TransactionID";
    CV008 Error "Two units of one run would address one resource; neither is sent";
    CV009 Error "Start or End holds a condition; the API has no conditional dates";
    CV010 Warning "A header the mapping does not know: its column is not read";
    CV011 Error "A required column is missing: none of the sheet's rows is converted";
    CV012 Warning "A known column Prime Video does not process holds values (an error where sending without it would grant more)";
    CV013 Error "A payload is held back whole because one of its rows is rejected: a full extract missing a row would delete that window";
    CV014 Warning "A term Prime Video does not process is left out of the payload";
    CV015 Warning "A window repeated verbatim is kept once";
    CV016 Error "One TransactionID names two different windows";
    CV017 Error "The rows of one window give different HoldbackLanguage lists (EMA: holdback languages cannot be spread across rows)";
    CV018 Warning "No row gives a content ID: the payload's ALID is used, as the reference says it usually is";
    CV019 Warning "A placeholder price (TBD): the term is sent without an amount";
    CV020 Warning "A sheet without an ALID column (EMA 1.6): the ALID is read from AltID, on a TV sheet from EpisodeAltID (Episode rows) and SeasonAltID (Season rows), else from AvailID, as MovieLabs' v1.6 translator does";
    CV021 Warning "A header appears twice: only its first column is read";
    CV022 Error "Two payloads replace the same title, territory and business line: neither is sent";
    CV023 Warning "A shared entitlement of an ecosystem other than DMA is left out";
    CV024 Error "A cell that says where a row goes (ALID, Territory, EntryType, LicenseType, channel) is wrong: the row cannot be placed, so every payload of its title is held back";
    CV025 Warning "A territory or LicenseType written in another case (`fr`, `est`) is read as its code (`FR`, `EST`)";
    CV026 Error "One title, territory and business line is given two EntryTypes (Full Extract and Full Delete): neither is sent";
    CV027 Error "Two ALIDs differ only by case or by characters a reader cannot see: neither title is sent";
    CV028 Warning "One TransactionID names windows of two payloads: both are sent as full extracts (the server keys a window by title, territory and business line first); `submit --partial` sends neither (CV008), whatever the row order";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_in_code_order() {
        let ids: Vec<&str> = ALL.iter().map(|c| c.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "ALL is in code order, each code once");
        assert_eq!(ids.iter().filter(|i| i.starts_with("AV")).count(), 60);
        assert_eq!(ids.iter().filter(|i| i.starts_with("CV")).count(), 28);
        for c in ALL {
            let (family, number) = c.id().split_at(2);
            assert!(matches!(family, "AV" | "CV"), "{c}");
            assert!(
                number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()),
                "{c}"
            );
            assert!(!c.title().is_empty() && !c.title().ends_with('.'), "{c}");
        }
    }

    #[test]
    fn a_code_carries_its_severity_and_is_found_by_its_identifier() {
        assert_eq!(AV005.severity(), Severity::Warning);
        assert_eq!(AV040.severity(), Severity::Error);
        assert_eq!(CV013.severity(), Severity::Error);
        assert_eq!(CV014.severity(), Severity::Warning);
        assert_eq!(Code::find("AV040"), Some(AV040));
        assert_eq!(Code::find("av040"), None);
        assert_eq!(Code::find("AV999"), None);
        assert!(Cow::Borrowed("CV012") == CV012);
        assert!(Cow::Borrowed("CV012") != CV011);
    }

    /// `docs/findings.md`'s table of codes: one row per code, saying what
    /// the code's constant says.
    #[test]
    fn the_documented_codes_are_the_defined_codes() {
        let doc = include_str!("../../../../docs/findings.md");
        let table = &doc[doc
            .find("## Codes")
            .expect("docs/findings.md has a Codes section")..];
        let documented: Vec<(&str, &str, &str)> = table
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line
                    .strip_prefix('|')?
                    .strip_suffix('|')?
                    .split(" | ")
                    .collect();
                match cells.as_slice() {
                    [code, severity, title] if code.trim().len() == 5 => {
                        Some((code.trim(), severity.trim(), title.trim()))
                    }
                    _ => None,
                }
            })
            .collect();
        let defined: Vec<(&str, &str, &str)> = ALL
            .iter()
            .map(|c| (c.id(), c.severity().as_str(), c.title()))
            .collect();
        assert_eq!(documented, defined);
    }
}
