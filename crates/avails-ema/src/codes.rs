//! Stable codes of what reading a sheet finds, one per kind of finding:
//! names for the codes `avails_model::diagnostic::codes` defines.

use avails_model::diagnostic::{codes, Code};

/// A cell whose value cannot be converted: the row is rejected.
pub const CV_CELL: Code = codes::CV001;
/// A Start or End holds a condition (`Theatrical`, `Immediate`...): the API
/// has no conditional dates, so the row is rejected.
pub const CV_CONDITION: Code = codes::CV009;
/// A header the mapping does not know: its column is not read.
pub const CV_UNKNOWN_COLUMN: Code = codes::CV010;
/// A required column is missing from a sheet: none of its rows is converted.
pub const CV_MISSING_COLUMN: Code = codes::CV011;
/// A known column the mapping does not carry holds values.
pub const CV_IGNORED_COLUMN: Code = codes::CV012;
/// A price placeholder (`TBD`): the term is sent without an amount.
pub const CV_PLACEHOLDER: Code = codes::CV019;
/// A sheet without an ALID column (EMA 1.6) takes the ALID from another.
pub const CV_SHEET_FALLBACK: Code = codes::CV020;
/// A header repeated in one sheet: only its first column is read.
pub const CV_DUPLICATE_COLUMN: Code = codes::CV021;
