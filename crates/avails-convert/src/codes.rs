//! Stable codes of conversion findings (`CV...`), and their catalogue.
//!
//! Cell-level codes are owned by the reader that finds them
//! (`avails_ema::codes`); grouping codes are defined here. The catalogue
//! lists both, for messages and `avails validate --help`.

pub use avails_ema::codes::{
    CV_CELL, CV_CONDITION, CV_DUPLICATE_COLUMN, CV_IGNORED_COLUMN, CV_MISSING_COLUMN,
    CV_PLACEHOLDER, CV_SHEET_FALLBACK, CV_UNKNOWN_COLUMN,
};
use avails_model::Severity;

/// Rows of one payload disagree on an avail or asset attribute.
pub const CV_CONFLICT: &str = "CV002";
/// A LicenseType (with its channel) has no business line.
pub const CV_BUSINESS_LINE: &str = "CV003";
/// `ESTStart` with no matching EST window to end at.
pub const CV_EST_START: &str = "CV004";
/// A payload or element that does not fit the API's shapes.
pub const CV_SHAPE: &str = "CV005";
/// An MDDF element or attribute Prime Video does not process.
pub const CV_IGNORED: &str = "CV006";
/// A transaction without an ID cannot be a partial extract.
pub const CV_NO_TRANSACTION_ID: &str = "CV007";
/// Two units of one run would address one resource.
pub const CV_DUPLICATE_KEY: &str = "CV008";
/// A payload held back whole: one of its rows is rejected.
pub const CV_HELD_BACK: &str = avails_model::diagnostic::HELD_BACK_CODE;
/// A term Prime Video does not process is left out.
pub const CV_UNSUPPORTED_TERM: &str = "CV014";
/// A window repeated verbatim is kept once.
pub const CV_DUPLICATE_WINDOW: &str = "CV015";
/// One TransactionID on two different windows.
pub const CV_TRANSACTION_ID_CONFLICT: &str = "CV016";
/// HoldbackLanguage spread across the rows of one window.
pub const CV_HOLDBACK_SPREAD: &str = "CV017";
/// No row gives a content ID: the ALID is used.
pub const CV_CONTENT_ID_DEFAULT: &str = "CV018";
/// Two payloads of one input replace the same windows.
pub const CV_DUPLICATE_SCOPE: &str = "CV022";
/// A shared entitlement of an ecosystem the API does not take.
pub const CV_UNSUPPORTED_ENTITLEMENT: &str = "CV023";
/// A cell that says where a row goes (ALID, Territory, EntryType,
/// LicenseType, channel) is wrong: the row cannot be placed.
pub const CV_UNPLACED: &str = "CV024";
/// A territory or LicenseType written in another case is read as its code.
pub const CV_KEY_CASE: &str = "CV025";
/// One scope given two EntryTypes.
pub const CV_DISPOSITION_CONFLICT: &str = "CV026";
/// Two ALIDs that differ only by case or invisible characters.
pub const CV_ALID_LOOKALIKE: &str = "CV027";
/// One TransactionID on windows of two payloads (two titles, or two scopes
/// of one title): both are sent as full extracts; as partial extracts
/// neither is (CV008).
pub const CV_SHARED_TRANSACTION_ID: &str = "CV028";

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    /// The code.
    pub code: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// What it means and what happens.
    pub summary: &'static str,
}

const fn c(code: &'static str, severity: Severity, summary: &'static str) -> Code {
    Code {
        code,
        severity,
        summary,
    }
}

/// Every conversion code, in code order.
pub const CODES: &[Code] = &[
    c(CV_CELL, Severity::Error, "A cell cannot be converted with its column's EMA meaning: the row is rejected"),
    c(CV_CONFLICT, Severity::Error, "Rows of one payload disagree on an avail or asset attribute (a blank cell never conflicts)"),
    c(CV_BUSINESS_LINE, Severity::Error, "A LicenseType has no business line"),
    c(CV_EST_START, Severity::Error, "End `ESTStart` with no EST window of the same title, territory and FormatProfile"),
    c(CV_SHAPE, Severity::Error, "A payload or element does not fit the API's schema"),
    c(CV_IGNORED, Severity::Warning, "An MDDF element or attribute Prime Video does not process is left out"),
    c(CV_NO_TRANSACTION_ID, Severity::Error, "A partial extract needs a TransactionID"),
    c(CV_DUPLICATE_KEY, Severity::Error, "Two units of one run would address one resource; neither is sent"),
    c(CV_CONDITION, Severity::Error, "Start or End holds a condition; the API has no conditional dates"),
    c(CV_UNKNOWN_COLUMN, Severity::Warning, "A header the mapping does not know: its column is not read"),
    c(CV_MISSING_COLUMN, Severity::Error, "A required column is missing: none of the sheet's rows is converted"),
    c(CV_IGNORED_COLUMN, Severity::Warning, "A known column Prime Video does not process holds values (an error where sending without it would grant more)"),
    c(CV_HELD_BACK, Severity::Error, "A payload is held back whole because one of its rows is rejected: a full extract missing a row would delete that window"),
    c(CV_UNSUPPORTED_TERM, Severity::Warning, "A term Prime Video does not process is left out of the payload"),
    c(CV_DUPLICATE_WINDOW, Severity::Warning, "A window repeated verbatim is kept once"),
    c(CV_TRANSACTION_ID_CONFLICT, Severity::Error, "One TransactionID names two different windows"),
    c(CV_HOLDBACK_SPREAD, Severity::Error, "The rows of one window give different HoldbackLanguage lists (EMA: holdback languages cannot be spread across rows)"),
    c(CV_CONTENT_ID_DEFAULT, Severity::Warning, "No row gives a content ID: the payload's ALID is used, as the reference says it usually is"),
    c(CV_PLACEHOLDER, Severity::Warning, "A placeholder price (TBD): the term is sent without an amount"),
    c(CV_SHEET_FALLBACK, Severity::Warning, "A sheet without an ALID column (EMA 1.6): the ALID is read from AltID, on a TV sheet from EpisodeAltID (Episode rows) and SeasonAltID (Season rows), else from AvailID, as MovieLabs' v1.6 translator does"),
    c(CV_DUPLICATE_COLUMN, Severity::Warning, "A header appears twice: only its first column is read"),
    c(CV_DUPLICATE_SCOPE, Severity::Error, "Two payloads replace the same title, territory and business line: neither is sent"),
    c(CV_UNSUPPORTED_ENTITLEMENT, Severity::Warning, "A shared entitlement of an ecosystem other than DMA is left out"),
    c(CV_UNPLACED, Severity::Error, "A cell that says where a row goes (ALID, Territory, EntryType, LicenseType, channel) is wrong: the row cannot be placed, so every payload of its title is held back"),
    c(CV_KEY_CASE, Severity::Warning, "A territory or LicenseType written in another case (`fr`, `est`) is read as its code (`FR`, `EST`)"),
    c(CV_DISPOSITION_CONFLICT, Severity::Error, "One title, territory and business line is given two EntryTypes (Full Extract and Full Delete): neither is sent"),
    c(CV_ALID_LOOKALIKE, Severity::Error, "Two ALIDs differ only by case or by characters a reader cannot see: neither title is sent"),
    c(CV_SHARED_TRANSACTION_ID, Severity::Warning, "One TransactionID names windows of two payloads: both are sent as full extracts (the server keys a window by title, territory and business line first); `submit --partial` sends neither (CV008), whatever the row order"),
];

/// The catalogue entry of a code.
pub fn code(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

/// The one-line summary of any finding's code: a conversion code's from
/// this catalogue, a validation rule's (`AV...`) from the rules'.
pub fn summary(code: &str) -> Option<&'static str> {
    self::code(code)
        .map(|c| c.summary)
        .or_else(|| avails_rules::rule(code).map(|r| r.summary))
}
