//! Errors of the EMA reader: a file that cannot be read, or a cell that
//! cannot be converted. Every value and library message they quote is
//! capped (`avails_model::text`), so a 10 MB cell gives a short message.

use avails_model::text::{quote, shorten_to};
use avails_model::Location;

use crate::contain::Panic;

/// The most characters of a library's error message an error repeats.
const LIBRARY_MESSAGE_MAX_CHARS: usize = 300;

/// The file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum EmaError {
    /// The file could not be opened.
    #[error("{file}: cannot open: {source}")]
    Open {
        /// The file.
        file: String,
        /// The underlying error.
        #[source]
        source: Cause,
    },
    /// A sheet could not be read.
    #[error("{file}:{sheet}: cannot read sheet: {source}")]
    Sheet {
        /// The file.
        file: String,
        /// The sheet.
        sheet: String,
        /// The underlying error.
        #[source]
        source: Cause,
    },
    /// The spreadsheet library failed (panicked) on damaged content; the
    /// panic was contained.
    #[error("{}: damaged workbook: the spreadsheet reader failed on it ({message}); open it in Excel and save it again, or export the sheet as CSV UTF-8", place(.file, .sheet.as_deref()))]
    Damaged {
        /// The file.
        file: String,
        /// The sheet being read, when known.
        sheet: Option<String>,
        /// What the library's panic said, and where.
        message: String,
    },
    /// The file goes past one of the input limits
    /// (`avails_model::limits`): a decompression bomb, a cell or row too
    /// long to hold. The message names the limit and how to raise it.
    #[error("{file}: {message}")]
    Limit {
        /// The file.
        file: String,
        /// What is over which limit, and how to raise it.
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
    /// A CSV file is not a well-formed table at this place.
    #[error("{file}:{}: {message}", csv_place(*.row, *.line, .column.as_deref()))]
    Csv {
        /// The file.
        file: String,
        /// The 1-based row (record) the problem is in, as a spreadsheet
        /// program shows the file.
        row: u64,
        /// The 1-based physical line (differs from `row` after a cell that
        /// spans lines).
        line: u64,
        /// The column letter, when the problem is in one cell.
        column: Option<String>,
        /// What is wrong and what to do.
        message: String,
    },
}

impl EmaError {
    /// The file could not be opened: `why` is a library's error (or what
    /// is wrong with the file, in words).
    pub fn open(file: &str, why: impl Into<BoxedError>) -> Self {
        EmaError::Open {
            file: file.to_string(),
            source: Cause::Library(why.into()),
        }
    }

    /// A sheet could not be read: `why` is a library's error.
    pub fn sheet(file: &str, sheet: &str, why: impl Into<BoxedError>) -> Self {
        EmaError::Sheet {
            file: file.to_string(),
            sheet: sheet.to_string(),
            source: Cause::Library(why.into()),
        }
    }

    /// The library panicked on the file (or on one of its sheets).
    pub(crate) fn damaged(file: &str, sheet: Option<&str>, panic: Panic) -> Self {
        EmaError::Damaged {
            file: file.to_string(),
            sheet: sheet.map(str::to_string),
            message: panic.0,
        }
    }
}

/// Any error a library returns.
pub type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// Why a file or sheet cannot be read: a library's error (an `io::Error`,
/// calamine's, zip's...), kept whole and said on one line, capped (a
/// library that quotes a 10 MB value gives a short message); or what this
/// reader found wrong, in words. A library error's own causes are in its
/// text, so the chain of causes stops here; [`Cause::library`] gives the
/// error itself (to downcast it).
#[derive(Debug)]
pub enum Cause {
    /// A library's error.
    Library(BoxedError),
    /// What is wrong, found by this reader.
    Found(String),
}

impl Cause {
    /// The library's error, when the cause is one.
    pub fn library(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match self {
            Cause::Library(e) => Some(&**e),
            Cause::Found(_) => None,
        }
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Library(e) => {
                f.write_str(&shorten_to(&e.to_string(), LIBRARY_MESSAGE_MAX_CHARS))
            }
            Cause::Found(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for Cause {}

/// `file.xlsx:Movies` or `file.xlsx`.
fn place(file: &str, sheet: Option<&str>) -> String {
    match sheet {
        Some(s) => format!("{file}:{s}"),
        None => file.to_string(),
    }
}

/// `C15`, `C15 (line 17)` when the row is not the line, or `line 15`.
fn csv_place(row: u64, line: u64, column: Option<&str>) -> String {
    match column {
        Some(c) if row == line => format!("{c}{row}"),
        Some(c) => format!("{c}{row} (line {line})"),
        None if row == line => format!("line {line}"),
        None => format!("line {line} (row {row})"),
    }
}

/// A cell whose value cannot be converted, with what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {column} {}: {expected}", quote(.found))]
pub struct CellProblem {
    /// Where the cell is.
    pub location: Location,
    /// The column name.
    pub column: String,
    /// What the cell holds, whole (quote it with `avails_model::text::quote`).
    pub found: String,
    /// What is allowed.
    pub expected: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ten_megabyte_cell_gives_a_short_problem() {
        let problem = CellProblem {
            location: Location {
                file: "big.xlsx".into(),
                sheet: Some("Movies".into()),
                row: Some(4),
                column: Some("V".into()),
                ..Location::default()
            },
            column: "Start".into(),
            found: "2".repeat(10 * 1024 * 1024),
            expected: "a date".into(),
        };
        let line = problem.to_string();
        assert!(line.len() < 300, "{} bytes", line.len());
        assert!(line.contains("(10,485,760 characters)"), "{line}");
    }

    #[test]
    fn a_huge_library_message_is_capped() {
        let why = format!("bad value {}", "x".repeat(5_000_000));
        let line = EmaError::sheet("a.xlsx", "Movies", why).to_string();
        assert!(line.len() < 1024, "{} bytes", line.len());
    }

    #[test]
    fn the_library_error_is_kept_as_the_source() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = EmaError::open("a.xlsx", io);
        assert_eq!(e.to_string(), "a.xlsx: cannot open: no such file");
        let source = std::error::Error::source(&e).expect("the cause is kept");
        let kept = source
            .downcast_ref::<Cause>()
            .and_then(Cause::library)
            .and_then(|l| l.downcast_ref::<std::io::Error>())
            .expect("an io::Error");
        assert_eq!(kept.kind(), std::io::ErrorKind::NotFound);
        // Said once: the cause's text is the one in the message.
        assert!(e.to_string().ends_with(&source.to_string()));
    }

    #[test]
    fn csv_places_name_row_line_and_column() {
        let e = |row, line, column: Option<&str>| {
            EmaError::Csv {
                file: "a.csv".into(),
                row,
                line,
                column: column.map(str::to_string),
                message: "m".into(),
            }
            .to_string()
        };
        assert_eq!(e(15, 15, Some("C")), "a.csv:C15: m");
        assert_eq!(e(14, 17, Some("C")), "a.csv:C14 (line 17): m");
        assert_eq!(e(3, 3, None), "a.csv:line 3: m");
    }
}
