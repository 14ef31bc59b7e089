//! Inputs that cannot be read at all (exit code 2).

/// A library's error (I/O, JSON, the MDDF reader), or this crate's own
/// words where no library error is behind it; kept as the source.
pub type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// An input that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The extension is not one `avails` reads.
    #[error("{file}: unsupported input type (allowed: .xlsx, .xls, .csv, .xml, .json, .ndjson)")]
    Unsupported {
        /// The file.
        file: String,
    },
    /// The file could not be opened or read.
    #[error("{file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// What went wrong.
        #[source]
        source: BoxedError,
    },
    /// An EMA workbook could not be read.
    #[error(transparent)]
    Ema(#[from] avails_ema::EmaError),
}
