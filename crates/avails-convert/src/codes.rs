//! Names of the conversion findings' codes (`CV...`).
//!
//! Every code, with its severity and title, is defined once in
//! `avails_model::diagnostic::codes`; cell-level codes are named by the
//! reader that finds them (`avails_ema::codes`), grouping codes here.

pub use avails_ema::codes::{
    CV_CELL, CV_CONDITION, CV_DUPLICATE_COLUMN, CV_IGNORED_COLUMN, CV_MISSING_COLUMN,
    CV_PLACEHOLDER, CV_SHEET_FALLBACK, CV_UNKNOWN_COLUMN,
};
use avails_model::diagnostic::codes;
pub use avails_model::diagnostic::Code;

/// Rows of one payload disagree on an avail or asset attribute.
pub const CV_CONFLICT: Code = codes::CV002;
/// A LicenseType (with its channel) has no business line.
pub const CV_BUSINESS_LINE: Code = codes::CV003;
/// `ESTStart` with no matching EST window to end at.
pub const CV_EST_START: Code = codes::CV004;
/// A payload or element that does not fit the API's shapes.
pub const CV_SHAPE: Code = codes::CV005;
/// An MDDF element or attribute Prime Video does not process.
pub const CV_IGNORED: Code = codes::CV006;
/// A transaction without an ID cannot be a partial extract.
pub const CV_NO_TRANSACTION_ID: Code = codes::CV007;
/// Two units of one run would address one resource.
pub const CV_DUPLICATE_KEY: Code = codes::CV008;
/// A payload held back whole: one of its rows is rejected.
pub const CV_HELD_BACK: Code = codes::CV013;
/// A term Prime Video does not process is left out.
pub const CV_UNSUPPORTED_TERM: Code = codes::CV014;
/// A window repeated verbatim is kept once.
pub const CV_DUPLICATE_WINDOW: Code = codes::CV015;
/// One TransactionID on two different windows.
pub const CV_TRANSACTION_ID_CONFLICT: Code = codes::CV016;
/// HoldbackLanguage spread across the rows of one window.
pub const CV_HOLDBACK_SPREAD: Code = codes::CV017;
/// No row gives a content ID: the ALID is used.
pub const CV_CONTENT_ID_DEFAULT: Code = codes::CV018;
/// Two payloads of one input replace the same windows.
pub const CV_DUPLICATE_SCOPE: Code = codes::CV022;
/// A shared entitlement of an ecosystem the API does not take.
pub const CV_UNSUPPORTED_ENTITLEMENT: Code = codes::CV023;
/// A cell that says where a row goes (ALID, Territory, EntryType,
/// LicenseType, channel) is wrong: the row cannot be placed.
pub const CV_UNPLACED: Code = codes::CV024;
/// A territory or LicenseType written in another case is read as its code.
pub const CV_KEY_CASE: Code = codes::CV025;
/// One scope given two EntryTypes.
pub const CV_DISPOSITION_CONFLICT: Code = codes::CV026;
/// Two ALIDs that differ only by case or invisible characters.
pub const CV_ALID_LOOKALIKE: Code = codes::CV027;
/// One TransactionID on windows of two payloads (two titles, or two scopes
/// of one title): both are sent as full extracts; as partial extracts
/// neither is (CV008).
pub const CV_SHARED_TRANSACTION_ID: Code = codes::CV028;

/// The conversion code (`CV...`) `id`: its severity and title.
pub fn code(id: &str) -> Option<Code> {
    Code::find(id).filter(|c| c.id().starts_with("CV"))
}

/// The one-line summary of any finding's code this tool defines
/// (`avails_model::diagnostic::codes`).
pub fn summary(id: &str) -> Option<&'static str> {
    Code::find(id).map(Code::title)
}
