//! EMA Avails spreadsheets: read XLSX (streamed), XLS and CSV, find the
//! header rows and version, and map each data row to Avails API JSON with
//! the table of `avails-mapping`. Every row and value keeps its origin
//! (file, sheet, row, column) so messages can point at a cell.

pub mod cell;
mod contain;
mod delimited;
pub mod error;
pub mod header;
pub mod record;
mod repair;
pub mod source;
pub mod values;

pub use cell::Cell;
pub use error::{CellProblem, EmaError};
pub use header::Header;
pub use record::{EndMarker, RowMapper, RowRecord};
pub use source::{read_rows, SheetEvent};
