//! Why an annotated workbook could not be written.

use std::path::PathBuf;

/// A library's error (zip, calamine, the XLSX writer, I/O), or this crate's
/// own words where no library error is behind it; kept as the source.
pub type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// Errors of [`crate::annotate`]; each names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    /// The output is the input (same path, a link to it, or a name that
    /// differs only in letter case).
    #[error("{output}: refusing to write the annotated copy over the input {input} ({why}); choose another file name")]
    SameFile {
        /// The input.
        input: PathBuf,
        /// The output asked for.
        output: PathBuf,
        /// How they are the same.
        why: &'static str,
    },
    /// The output name is not an `.xlsx` file or is a folder.
    #[error("{output}: {reason}")]
    BadOutput {
        /// The output asked for.
        output: PathBuf,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The input's type cannot be annotated.
    #[error("{input}: cannot annotate this file type (allowed: .xlsx, .xlsm, .xls, .csv)")]
    Unsupported {
        /// The input.
        input: PathBuf,
    },
    /// The input could not be read.
    #[error("{input}: cannot read it: {source}")]
    Read {
        /// The input.
        input: PathBuf,
        /// What the reader said.
        #[source]
        source: BoxedError,
    },
    /// A sheet of the input could not be read.
    #[error("{input}: sheet `{sheet}`: cannot read it: {source}")]
    Sheet {
        /// The input.
        input: PathBuf,
        /// The sheet.
        sheet: String,
        /// What the reader said.
        #[source]
        source: BoxedError,
    },
    /// The input has more rows or columns than an XLSX sheet holds.
    #[error("{input}: row {row}, column {column} lies beyond what an XLSX sheet holds (1,048,576 rows, 16,384 columns)")]
    TooLarge {
        /// The input.
        input: PathBuf,
        /// 1-based row.
        row: u64,
        /// 1-based column.
        column: u64,
    },
    /// A reader panicked on the input (a damaged workbook).
    #[error("{input}: the file is damaged ({message}); no annotated copy was written")]
    Damaged {
        /// The input.
        input: PathBuf,
        /// What the reader said.
        message: String,
    },
    /// A submit report was asked for inputs none of which it can be
    /// written from.
    #[error("--report {output}: no workbook or CSV among the inputs to write the report into (allowed: .xlsx, .xlsm, .xls, .csv; use --format json for the rows of MDDF XML or JSON inputs)")]
    NoWorkbook {
        /// The report asked for.
        output: PathBuf,
    },
    /// The XLSX writer failed.
    #[error("{output}: cannot write the annotated workbook: {source}")]
    Write {
        /// The output.
        output: PathBuf,
        /// What the writer said.
        #[source]
        source: BoxedError,
    },
}
