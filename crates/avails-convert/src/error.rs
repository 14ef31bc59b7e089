//! What conversion reports: files it could not read, and located problems.

use avails_model::Location;
use serde::Serialize;

/// An input that could not be read at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The extension is not one `avails` reads.
    #[error("{file}: unsupported input type (allowed: .xlsx, .xls, .csv, .xml, .json)")]
    Unsupported {
        /// The file.
        file: String,
    },
    /// The file could not be opened or read.
    #[error("{file}: {message}")]
    Read {
        /// The file.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// An EMA workbook could not be read.
    #[error(transparent)]
    Ema(#[from] avails_ema::EmaError),
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A row or payload was rejected.
    Error,
    /// Something had no effect (e.g. an MDDF element Prime Video ignores).
    Warning,
}

/// A located problem met while converting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Where it is.
    pub location: Location,
    /// Error or warning.
    pub severity: Severity,
    /// Stable code (`CV001`...).
    pub code: &'static str,
    /// One line saying what was found and what is allowed.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}: {sev}[{}]: {}",
            self.location, self.code, self.message
        )
    }
}

/// A cell that could not be converted (the row is rejected).
pub const CV_CELL: &str = "CV001";
/// Rows of one payload disagree on avail or asset attributes.
pub const CV_CONFLICT: &str = "CV002";
/// A LicenseType with no business line.
pub const CV_BUSINESS_LINE: &str = "CV003";
/// `ESTStart` with no matching EST window.
pub const CV_EST_START: &str = "CV004";
/// A payload that does not fit the API's shapes.
pub const CV_SHAPE: &str = "CV005";
/// An MDDF element Prime Video does not process.
pub const CV_IGNORED: &str = "CV006";
/// A transaction without an ID cannot be a partial extract.
pub const CV_NO_TRANSACTION_ID: &str = "CV007";
