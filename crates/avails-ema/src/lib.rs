//! EMA Avails spreadsheets: read XLSX (streamed), XLS and CSV, find the
//! header rows and version, and map each data row to Avails API values with
//! the table of `avails-mapping`. Every row and value keeps its origin
//! (file, sheet, row, column) so messages can point at a cell, and every
//! non-empty cell either reaches the payload with its EMA meaning or is
//! reported at its cell.

pub mod cell;
pub mod codes;
mod contain;
pub mod dates;
mod delimited;
pub mod error;
pub mod header;
pub mod numbers;
mod package;
mod plan;
pub mod record;
mod repair;
pub mod source;
pub mod values;

pub use cell::Cell;
pub use error::{Cause, CellProblem, EmaError};
pub use header::Header;
pub use record::{Candidate, EndMarker, RowKey, RowMapper, RowRecord};
pub use source::{read_csv_records, read_rows, read_rows_until, SheetEvent};
