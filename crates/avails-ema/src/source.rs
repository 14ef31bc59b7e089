//! Streams the rows of every EMA sheet of an XLSX, XLS or CSV file.
//!
//! XLSX sheets are streamed cell by cell (calamine's cell reader), so a
//! million-row sheet is never held in memory. XLS has no streaming reader in
//! calamine and is read a sheet at a time.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use avails_mapping::Mapping;
use calamine::{open_workbook, DataRef, Reader, Xls, Xlsx};

use crate::contain::contain;
pub use crate::delimited::read_csv_records;
use crate::error::Cause;
use crate::{Cell, EmaError, Header};

/// The most rows a sheet can have (Excel's limit, row 1048576).
pub(crate) const MAX_ROWS: u32 = 1_048_576;
/// The most columns a sheet can have (Excel's limit, column XFD). A cell
/// past it is damage, and would make a row's cells a huge allocation.
pub(crate) const MAX_COLUMNS: u32 = 16_384;

/// What the reader reports while streaming a file.
#[derive(Debug)]
pub enum SheetEvent<'a> {
    /// A sheet with an EMA header starts.
    Sheet(&'a Header),
    /// A sheet has no EMA header and was skipped.
    Skipped {
        /// The sheet name.
        sheet: &'a str,
    },
    /// A data row of the current sheet (1-based row number).
    Row {
        /// The current sheet's header.
        header: &'a Header,
        /// The 1-based row number.
        row: u32,
        /// The cells, indexed like the header.
        cells: &'a [Cell],
    },
}

/// Reads every sheet of a file, calling `sink` for each sheet and data row.
/// Returns how many sheets had an EMA header.
///
/// A file the spreadsheet library cannot read, or panics on, is an
/// [`EmaError`] naming it (and the sheet, where known): a panic inside
/// calamine or zip is contained (module `contain`).
pub fn read_rows(
    path: &Path,
    file_label: &str,
    mapping: &Mapping,
    sink: &mut dyn FnMut(SheetEvent<'_>),
) -> Result<usize, EmaError> {
    read_rows_until(path, file_label, mapping, &AtomicBool::new(false), sink)
}

/// [`read_rows`], ending at the next row once `stop` is set (by the sink or
/// another thread): the sink then gets no more rows, and the result says
/// nothing about the rest of the file.
pub fn read_rows_until(
    path: &Path,
    file_label: &str,
    mapping: &Mapping,
    stop: &AtomicBool,
    sink: &mut dyn FnMut(SheetEvent<'_>),
) -> Result<usize, EmaError> {
    let found = match format_of(path, file_label)? {
        Format::Csv => crate::delimited::read_csv(path, file_label, mapping, stop, sink)?,
        Format::Xls => read_xls(path, file_label, mapping, stop, sink)?,
        Format::Xlsx => {
            let checking = crate::package::Checking::start(path, file_label)?;
            let read = checking.reader().and_then(|file| {
                let mut wb = open_xlsx(file_label, || Xlsx::new(file))?;
                read_xlsx(&mut wb, file_label, mapping, stop, sink)
            });
            // A part over a limit wins over what calamine made of it.
            checking.finish(stop.load(Ordering::Relaxed))?;
            match read {
                Err(EmaError::Sheet { source, .. })
                    if crate::repair::is_dimension_error(&source.to_string()) =>
                {
                    let file =
                        std::fs::File::open(path).map_err(|e| EmaError::open(file_label, e))?;
                    let file = std::io::BufReader::new(file);
                    let repaired = contain(|| crate::repair::without_dimensions(file))
                        .map_err(|p| EmaError::damaged(file_label, None, p))?
                        .map_err(|e| EmaError::open(file_label, e))?;
                    let mut wb =
                        open_xlsx(file_label, || Xlsx::new(std::io::Cursor::new(repaired)))?;
                    read_xlsx(&mut wb, file_label, mapping, stop, sink)?
                }
                other => other?,
            }
        }
    };
    if found == 0 {
        return Err(EmaError::NoHeader {
            file: file_label.to_string(),
            min: mapping.sheet.min_markers,
            markers: mapping.sheet.markers.join(", "),
        });
    }
    Ok(found)
}

/// Every tab `--sheet` names (the mapping's `sheet.only`) is one of the
/// workbook's `tabs`, or an error naming the missing ones and the tabs.
fn check_tabs(file_label: &str, mapping: &Mapping, tabs: &[String]) -> Result<(), EmaError> {
    let missing = mapping.sheet.missing(tabs);
    if missing.is_empty() {
        return Ok(());
    }
    Err(EmaError::Sheet {
        file: file_label.to_string(),
        sheet: missing.join(", "),
        source: Cause::Found(format!(
            "no such tab; the workbook's tabs are: {}",
            tabs.iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    })
}

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xls,
    Csv,
}

/// The format of a file from its first bytes, which win over its
/// extension: a zip is an XLSX workbook, an OLE2 compound file an XLS
/// workbook (an `.xls` saved as `.xlsx`, or a workbook named `.csv`, is read
/// for what it is); other content is CSV text when the extension says so,
/// else an error naming what the file starts with.
fn format_of(path: &Path, file_label: &str) -> Result<Format, EmaError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64);
    std::fs::File::open(path)
        .and_then(|f| f.take(64).read_to_end(&mut head))
        .map_err(|e| EmaError::open(file_label, e))?;
    if head.starts_with(b"PK\x03\x04") {
        return Ok(Format::Xlsx);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(Format::Xls);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "csv" || ext == "txt" {
        return Ok(Format::Csv);
    }
    let why = if head.is_empty() {
        "the file is empty".to_string()
    } else {
        let start = String::from_utf8_lossy(&head);
        format!(
            "not an Excel workbook: the file starts with {}; if it is CSV text, name it .csv",
            avails_model::text::quote(start.trim_start_matches('\u{feff}'))
        )
    };
    Err(EmaError::open(file_label, why))
}

/// Opens an XLSX workbook (reading its shared strings and styles), with
/// panics contained.
fn open_xlsx<RS: std::io::Read + std::io::Seek>(
    file_label: &str,
    open: impl FnOnce() -> Result<Xlsx<RS>, calamine::XlsxError>,
) -> Result<Xlsx<RS>, EmaError> {
    contain(open)
        .map_err(|p| EmaError::damaged(file_label, None, p))?
        .map_err(|e| EmaError::open(file_label, e))
}

fn read_xls(
    path: &Path,
    file_label: &str,
    mapping: &Mapping,
    stop: &AtomicBool,
    sink: &mut dyn FnMut(SheetEvent<'_>),
) -> Result<usize, EmaError> {
    let mut wb: Xls<_> = contain(|| open_workbook(path))
        .map_err(|p| EmaError::damaged(file_label, None, p))?
        .map_err(|e: calamine::XlsError| EmaError::open(file_label, e))?;
    let mut found = 0;
    let names = wb.sheet_names();
    check_tabs(file_label, mapping, &names)?;
    for name in names {
        if !mapping.sheet.selects(&name) {
            continue;
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let range = contain(|| wb.worksheet_range(&name))
            .map_err(|p| EmaError::damaged(file_label, Some(&name), p))?
            .map_err(|e| EmaError::sheet(file_label, &name, e))?;
        let mut scan = SheetScanner::new(mapping, Some(&name), stop);
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let (r1, c1) = range.end().unwrap_or((0, 0));
        if r1 >= MAX_ROWS || c1 >= MAX_COLUMNS {
            return Err(EmaError::Sheet {
                file: file_label.to_string(),
                sheet: name.clone(),
                source: Cause::Found(
                    "the sheet reaches beyond the last cell a sheet can have \
                          (XFD1048576): it is damaged; open it in Excel and save it again"
                        .into(),
                ),
            });
        }
        for (i, row) in range.rows().enumerate() {
            let mut cells = vec![Cell::Empty; c0 as usize];
            cells.extend(row.iter().map(Cell::from_data));
            if !scan.push(r0 + i as u32 + 1, &cells, sink) {
                break;
            }
        }
        found += scan.finish(sink) as usize;
    }
    Ok(found)
}

fn read_xlsx<RS: std::io::Read + std::io::Seek>(
    wb: &mut Xlsx<RS>,
    file_label: &str,
    mapping: &Mapping,
    stop: &AtomicBool,
    sink: &mut dyn FnMut(SheetEvent<'_>),
) -> Result<usize, EmaError> {
    let mut found = 0;
    let names = wb.sheet_names();
    check_tabs(file_label, mapping, &names)?;
    for name in names {
        if !mapping.sheet.selects(&name) {
            continue;
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
        found += read_xlsx_sheet(wb, &name, file_label, mapping, stop, sink)? as usize;
    }
    Ok(found)
}

fn read_xlsx_sheet<RS: std::io::Read + std::io::Seek>(
    wb: &mut Xlsx<RS>,
    name: &str,
    file_label: &str,
    mapping: &Mapping,
    stop: &AtomicBool,
    sink: &mut dyn FnMut(SheetEvent<'_>),
) -> Result<bool, EmaError> {
    let sheet_err = |e: calamine::XlsxError| EmaError::sheet(file_label, name, e);
    let damaged = |p| EmaError::damaged(file_label, Some(name), p);
    let mut reader = contain(|| wb.worksheet_cells_reader(name))
        .map_err(damaged)?
        .map_err(sheet_err)?;
    let mut scan = SheetScanner::new(mapping, Some(name), stop);
    let mut current_row: Option<u32> = None;
    let mut cells: Vec<Cell> = Vec::new();
    // Text buffers of the previous rows, reused so a row allocates nothing.
    let mut spare: Vec<String> = Vec::new();
    while let Some(cell) = contain(|| reader.next_cell())
        .map_err(damaged)?
        .map_err(sheet_err)?
    {
        let (r, c) = cell.get_position();
        // A new row: the previous one is whole, and is handed on even if
        // this cell turns out to be damage.
        if current_row != Some(r) {
            if let Some(prev) = current_row {
                if !scan.push(prev + 1, &cells, sink) {
                    return Ok(scan.finish(sink));
                }
            }
            current_row = Some(r);
            for old in cells.drain(..) {
                if let Cell::Text(s) = old {
                    spare.push(s);
                }
            }
        }
        if r >= MAX_ROWS || c >= MAX_COLUMNS {
            return Err(EmaError::Sheet {
                file: file_label.to_string(),
                sheet: name.to_string(),
                source: Cause::Found(format!(
                    "a cell at row {}, column {} is beyond the last cell a sheet can have \
                     (XFD1048576): the sheet is damaged; open it in Excel and save it again",
                    u64::from(r) + 1,
                    u64::from(c) + 1
                )),
            });
        }
        let c = c as usize;
        let value = match cell.get_value() {
            DataRef::String(s) => reuse(&mut spare, s),
            DataRef::SharedString(s) => reuse(&mut spare, s),
            other => Cell::from_data_ref(other),
        };
        if cells.len() <= c {
            // Nearly always the cell right after the previous one: the
            // resize is then nothing. A gap is filled with empty cells.
            cells.resize(c, Cell::Empty);
            cells.push(value);
        } else {
            // A cell given twice: the later one wins, as before.
            cells[c] = value;
        }
    }
    if let Some(prev) = current_row {
        scan.push(prev + 1, &cells, sink);
    }
    Ok(scan.finish(sink))
}

/// A text cell in a spare buffer (same as [`Cell::from_data_ref`]).
fn reuse(spare: &mut Vec<String>, text: &str) -> Cell {
    let mut s = spare.pop().unwrap_or_default();
    s.clear();
    s.push_str(text);
    Cell::Text(s)
}

/// Per-sheet state: header search, comment row, then data rows.
pub(crate) struct SheetScanner<'m> {
    mapping: &'m Mapping,
    /// Set to end the reading (see [`read_rows_until`]).
    stop: &'m AtomicBool,
    sheet: Option<String>,
    header: Option<Header>,
    announced: bool,
    after_header: bool,
}

impl<'m> SheetScanner<'m> {
    pub(crate) fn new(mapping: &'m Mapping, sheet: Option<&str>, stop: &'m AtomicBool) -> Self {
        Self {
            mapping,
            stop,
            sheet: sheet.map(str::to_string),
            header: None,
            announced: false,
            after_header: false,
        }
    }

    /// Whether the sheet's header row was found.
    pub(crate) fn has_header(&self) -> bool {
        self.header.is_some()
    }

    /// Feeds one row; returns false when the sheet should not be read
    /// further (no header near its top, or the reading is to stop).
    pub(crate) fn push(
        &mut self,
        row: u32,
        cells: &[Cell],
        sink: &mut dyn FnMut(SheetEvent<'_>),
    ) -> bool {
        if self.stop.load(Ordering::Relaxed) {
            return false;
        }
        let Some(header) = self.header.as_mut() else {
            if row > self.mapping.sheet.search_rows {
                return false;
            }
            self.header = Header::detect(self.mapping, self.sheet.as_deref(), row, cells);
            self.after_header = self.header.is_some();
            return true;
        };
        if cells.iter().all(Cell::is_blank) {
            return true;
        }
        if self.after_header {
            self.after_header = false;
            if header.absorb_comment_row(self.mapping, cells) {
                return true;
            }
        }
        let prefix = self.mapping.sheet.comment_prefix.as_str();
        let comment = match cells.iter().find(|c| !c.is_blank()) {
            Some(Cell::Text(t)) => avails_model::text::trim(t).starts_with(prefix),
            Some(other) => other.display().starts_with(prefix),
            None => false,
        };
        if comment {
            return true;
        }
        if !self.announced {
            self.announced = true;
            sink(SheetEvent::Sheet(header));
        }
        sink(SheetEvent::Row { header, row, cells });
        true
    }

    /// Ends the sheet; returns whether it had an EMA header.
    pub(crate) fn finish(self, sink: &mut dyn FnMut(SheetEvent<'_>)) -> bool {
        match &self.header {
            Some(h) => {
                if !self.announced {
                    sink(SheetEvent::Sheet(h));
                }
                true
            }
            None => {
                sink(SheetEvent::Skipped {
                    sheet: self.sheet.as_deref().unwrap_or(""),
                });
                false
            }
        }
    }
}
