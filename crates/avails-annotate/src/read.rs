//! Reading the input cell by cell, in row order: XLSX and XLSM streamed
//! with calamine's cell reader (a large sheet is never held whole), XLS a
//! sheet at a time, CSV record by record through `avails-ema`'s reader (the
//! encoding, delimiter, syntax checks and row numbers validate reads it
//! with; ragged rows allowed), each record one row.

use crate::BoxedError;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use calamine::{
    open_workbook, Data, DataRef, Dimensions, Reader, SheetType, SheetVisible, Xls, Xlsx,
};

use avails_ema::Cell;
use avails_mapping::Mapping;

use crate::package::{self, Package, SheetLayout};
use crate::AnnotateError;

/// A cell value as it is copied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Text (CSV fields are always text).
    Text(&'a str),
    /// A number.
    Number(f64),
    /// TRUE or FALSE.
    Bool(bool),
    /// A date or date-time serial number (1900 date system).
    Date(f64),
    /// A duration in days (`[h]:mm:ss`).
    Duration(f64),
    /// An error value such as `#N/A`, copied as its text.
    ErrorText(&'a str),
}

/// One worksheet of the input.
#[derive(Debug, Clone)]
pub struct SheetInfo {
    /// Its name in the input.
    pub name: String,
    /// Hidden in the input.
    pub hidden: bool,
    /// Column widths, hidden columns and formula count (XLSX only).
    pub layout: SheetLayout,
    /// Merged ranges.
    pub merges: Vec<Dimensions>,
}

/// An opened input.
pub enum Input {
    /// XLSX or XLSM.
    Xlsx {
        /// The workbook.
        book: Box<Xlsx<BufReader<File>>>,
        /// What calamine does not say.
        package: Package,
    },
    /// Legacy XLS.
    Xls(Box<Xls<BufReader<File>>>),
    /// CSV: one sheet named after the file.
    Csv(PathBuf),
}

/// Days between the 1904 and the 1900 date systems.
const DAYS_1900_TO_1904: f64 = 1462.0;

impl Input {
    /// Opens `path` by extension.
    pub fn open(path: &Path) -> Result<Self, AnnotateError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let read_err = |source: BoxedError| AnnotateError::Read {
            input: path.to_path_buf(),
            source,
        };
        match ext.as_str() {
            "xlsx" | "xlsm" => {
                let book: Xlsx<_> =
                    open_workbook(path).map_err(|e: calamine::XlsxError| read_err(e.into()))?;
                Ok(Self::Xlsx {
                    book: Box::new(book),
                    package: package::read(path),
                })
            }
            "xls" => {
                let book: Xls<_> =
                    open_workbook(path).map_err(|e: calamine::XlsError| read_err(e.into()))?;
                Ok(Self::Xls(Box::new(book)))
            }
            "csv" => {
                File::open(path).map_err(|e| read_err(e.into()))?;
                Ok(Self::Csv(path.to_path_buf()))
            }
            _ => Err(AnnotateError::Unsupported {
                input: path.to_path_buf(),
            }),
        }
    }

    /// The worksheets, in workbook order, and the names of other sheets
    /// (charts, dialogs, macros), which are not copied.
    pub fn sheets(&mut self, input: &Path) -> (Vec<SheetInfo>, Vec<String>) {
        let mut sheets = Vec::new();
        let mut skipped = Vec::new();
        match self {
            Self::Xlsx { book, package } => {
                let meta = book.sheets_metadata().to_vec();
                for s in meta {
                    if s.typ != SheetType::WorkSheet {
                        skipped.push(s.name);
                        continue;
                    }
                    let merges = book.merge_cells_by_sheet_name(&s.name).unwrap_or_default();
                    sheets.push(SheetInfo {
                        layout: package.sheets.get(&s.name).cloned().unwrap_or_default(),
                        hidden: s.visible != SheetVisible::Visible,
                        merges,
                        name: s.name,
                    });
                }
            }
            Self::Xls(book) => {
                let meta = book.sheets_metadata().to_vec();
                for s in meta {
                    if s.typ != SheetType::WorkSheet {
                        skipped.push(s.name);
                        continue;
                    }
                    sheets.push(SheetInfo {
                        merges: book.merge_cells_by_sheet_name(&s.name).unwrap_or_default(),
                        hidden: s.visible != SheetVisible::Visible,
                        layout: SheetLayout::default(),
                        name: s.name,
                    });
                }
            }
            Self::Csv(_) => sheets.push(SheetInfo {
                name: csv_sheet_name(input),
                hidden: false,
                layout: SheetLayout::default(),
                merges: Vec::new(),
            }),
        }
        (sheets, skipped)
    }

    /// Calls `sink(row, column, value)` (0-based) for every non-empty cell
    /// of a sheet, rows in increasing order.
    pub fn read_sheet(
        &mut self,
        input: &Path,
        sheet: &str,
        sink: &mut dyn FnMut(u32, u16, Value<'_>) -> Result<(), AnnotateError>,
    ) -> Result<(), AnnotateError> {
        let sheet_err = |source: BoxedError| AnnotateError::Sheet {
            input: input.to_path_buf(),
            sheet: sheet.to_string(),
            source,
        };
        let too_large = |row: u64, column: u64| AnnotateError::TooLarge {
            input: input.to_path_buf(),
            row: row + 1,
            column: column + 1,
        };
        match self {
            Self::Xlsx { book, package } => {
                let shift = if package.date1904 {
                    DAYS_1900_TO_1904
                } else {
                    0.0
                };
                let mut cells = book
                    .worksheet_cells_reader(sheet)
                    .map_err(|e| sheet_err(e.into()))?;
                while let Some(cell) = cells.next_cell().map_err(|e| sheet_err(e.into()))? {
                    let (r, c) = cell.get_position();
                    let col = u16::try_from(c).map_err(|_| too_large(r.into(), c.into()))?;
                    let error_text;
                    let value = match cell.get_value() {
                        DataRef::Empty => continue,
                        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                            Value::Text(s)
                        }
                        DataRef::SharedString(s) => Value::Text(s),
                        DataRef::Float(f) => Value::Number(*f),
                        DataRef::Int(i) => Value::Number(*i as f64),
                        DataRef::Bool(b) => Value::Bool(*b),
                        DataRef::DateTime(d) if d.is_duration() => Value::Duration(d.as_f64()),
                        DataRef::DateTime(d) => Value::Date(d.as_f64() + shift),
                        DataRef::Error(e) => {
                            error_text = e.to_string();
                            Value::ErrorText(&error_text)
                        }
                    };
                    sink(r, col, value)?;
                }
                Ok(())
            }
            Self::Xls(book) => {
                let range = book
                    .worksheet_range(sheet)
                    .map_err(|e| sheet_err(e.into()))?;
                let (r0, c0) = range.start().unwrap_or((0, 0));
                for (r, c, data) in range.used_cells() {
                    let (r, c) = (r0 + r as u32, c0 as usize + c);
                    let col = u16::try_from(c).map_err(|_| too_large(r.into(), c as u64))?;
                    let error_text;
                    let value = match data {
                        Data::Empty => continue,
                        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                            Value::Text(s)
                        }
                        Data::Float(f) => Value::Number(*f),
                        Data::Int(i) => Value::Number(*i as f64),
                        Data::Bool(b) => Value::Bool(*b),
                        Data::DateTime(d) if d.is_duration() => Value::Duration(d.as_f64()),
                        Data::DateTime(d) => Value::Date(d.as_f64()),
                        Data::Error(e) => {
                            error_text = e.to_string();
                            Value::ErrorText(&error_text)
                        }
                    };
                    sink(r, col, value)?;
                }
                Ok(())
            }
            Self::Csv(path) => {
                // The EMA reader's records (its decoding, delimiter, syntax
                // checks and row numbers), so a mark lands on the row
                // validate named.
                let mapping = Mapping::default_table();
                let label = input.display().to_string();
                let mut failed = None;
                avails_ema::read_csv_records(path, &label, &mapping, &mut |row, cells| {
                    let r = row.saturating_sub(1);
                    for (c, cell) in cells.iter().enumerate() {
                        let Cell::Text(field) = cell else { continue };
                        let col = match u16::try_from(c) {
                            Ok(col)
                                if r < crate::mark::MAX_ROWS && col < crate::mark::MAX_COLUMNS =>
                            {
                                col
                            }
                            _ => {
                                failed = Some(too_large(r.into(), c as u64));
                                return false;
                            }
                        };
                        if let Err(e) = sink(r, col, Value::Text(field)) {
                            failed = Some(e);
                            return false;
                        }
                    }
                    true
                })
                .map_err(|e| sheet_err(e.into()))?;
                failed.map_or(Ok(()), Err)
            }
        }
    }
}

/// The sheet name of a CSV input: its file stem, made a valid sheet name.
pub fn csv_sheet_name(input: &Path) -> String {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::names::valid_sheet_name(&stem)
}
