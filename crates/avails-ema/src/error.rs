//! Errors of the EMA reader: a file that cannot be read, or a cell that
//! cannot be converted.

use avails_model::Location;

/// The file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum EmaError {
    /// The file could not be opened.
    #[error("{file}: cannot open: {message}")]
    Open {
        /// The file.
        file: String,
        /// The underlying error.
        message: String,
    },
    /// A sheet could not be read.
    #[error("{file}:{sheet}: cannot read sheet: {message}")]
    Sheet {
        /// The file.
        file: String,
        /// The sheet.
        sheet: String,
        /// The underlying error.
        message: String,
    },
    /// No sheet of the file has an EMA column-name row.
    #[error("{file}: no sheet has an EMA header row (looked for a row naming at least {min} of: {markers})")]
    NoHeader {
        /// The file.
        file: String,
        /// How many marker columns were needed.
        min: usize,
        /// The marker column names.
        markers: String,
    },
    /// A CSV record could not be parsed.
    #[error("{file}:{line}: malformed CSV: {message}")]
    Csv {
        /// The file.
        file: String,
        /// The line.
        line: u64,
        /// What the CSV parser said.
        message: String,
    },
}

/// A cell whose value cannot be converted, with what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {column} `{found}`: {expected}")]
pub struct CellProblem {
    /// Where the cell is.
    pub location: Location,
    /// The column name.
    pub column: String,
    /// What the cell holds.
    pub found: String,
    /// What is allowed.
    pub expected: String,
}
