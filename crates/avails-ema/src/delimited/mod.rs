//! CSV files (and tab- or semicolon-separated text): encoding, delimiter,
//! strict syntax, and rows accounted for line by line.
//!
//! - **Encoding** ([`encoding`]): UTF-8 (with or without a byte-order
//!   mark), UTF-16LE/BE (Excel's "Unicode Text") and Windows-1252 (Excel's
//!   "CSV" in Western Europe) are read; anything else is an error saying to
//!   save as CSV UTF-8.
//! - **Delimiter**: the one of `,` `;` and tab that makes an EMA header row
//!   out of one of the first rows (European Excel writes `;`); a comma when
//!   none does (the error then says no header row was found). An Excel
//!   `sep=;` line before the header is just a row without a header.
//! - **Syntax** ([`syntax`]): strict, so an unbalanced quote is an error at
//!   the cell where the quote opens instead of rows silently merged.
//! - **Rows**: every physical line belongs to exactly one row. A quoted
//!   cell may span lines (a multi-line cell Excel writes), but only in a row
//!   with exactly as many cells as the header row: a quote that swallows the
//!   lines after it almost always breaks that count, and is reported at the
//!   line where it opens. A row's number is its record number, which is the
//!   row a spreadsheet program shows; it is the line number until a cell
//!   spans lines, and messages give both when they differ.

mod encoding;
mod syntax;

use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::atomic::AtomicBool;

use avails_mapping::Mapping;
use avails_model::limits;
use avails_model::location::column_letter;

use crate::error::BoxedError;
use crate::source::{SheetEvent, SheetScanner, MAX_COLUMNS};
use crate::{Cell, EmaError, Header};
use encoding::{detect, Detected, FieldDecoder, Utf16Reader};
use syntax::{RawRecord, SyntaxError, Tokenizer};

/// How much of the start of a file is read to find the delimiter.
const SNIFF_BYTES: u64 = 256 * 1024;
/// The delimiters tried, the usual one first.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Reads a CSV file's rows into `sink`; returns 1 if it has an EMA header.
pub(crate) fn read_csv(
    path: &Path,
    file_label: &str,
    mapping: &Mapping,
    stop: &AtomicBool,
    sink: &mut dyn FnMut(SheetEvent<'_>),
) -> Result<usize, EmaError> {
    let mut rows = EmaRows {
        scan: SheetScanner::new(mapping, None, stop),
        sink,
    };
    read_into(path, file_label, mapping, &mut rows)?;
    Ok(rows.scan.finish(rows.sink) as usize)
}

/// Every record of a CSV file, the rows around its EMA header too, as
/// [`crate::read_rows`] reads them: the same encoding, delimiter, syntax checks and
/// row numbers (1-based), so what is said of a row names the row the reader
/// read. `sink(row, cells)` returns false to end the reading.
pub fn read_csv_records(
    path: &Path,
    file_label: &str,
    mapping: &Mapping,
    sink: &mut dyn FnMut(u32, &[Cell]) -> bool,
) -> Result<(), EmaError> {
    let stop = AtomicBool::new(false);
    let mut records = EveryRecord {
        scan: SheetScanner::new(mapping, None, &stop),
        sink,
    };
    read_into(path, file_label, mapping, &mut records)
}

/// Where the records read go.
trait Records {
    /// Takes one record (its 1-based row); false ends the reading.
    fn take(&mut self, row: u32, cells: &[Cell]) -> bool;
    /// Whether the EMA header row has been read (from then on a cell may
    /// span lines only in a row as wide as the header).
    fn has_header(&self) -> bool;
}

/// The EMA rows of the sheet, as [`SheetEvent`]s.
struct EmaRows<'m, 's> {
    scan: SheetScanner<'m>,
    sink: &'s mut dyn FnMut(SheetEvent<'_>),
}

impl Records for EmaRows<'_, '_> {
    fn take(&mut self, row: u32, cells: &[Cell]) -> bool {
        self.scan.push(row, cells, self.sink)
    }

    fn has_header(&self) -> bool {
        self.scan.has_header()
    }
}

/// Every record; the header is still looked for, so the checks are the
/// ones [`EmaRows`] gets.
struct EveryRecord<'m, 's> {
    scan: SheetScanner<'m>,
    sink: &'s mut dyn FnMut(u32, &[Cell]) -> bool,
}

impl Records for EveryRecord<'_, '_> {
    fn take(&mut self, row: u32, cells: &[Cell]) -> bool {
        self.scan.push(row, cells, &mut |_| {});
        (self.sink)(row, cells)
    }

    fn has_header(&self) -> bool {
        self.scan.has_header()
    }
}

/// Opens the file, finds its encoding and delimiter, and reads its records
/// into `records`.
fn read_into(
    path: &Path,
    file_label: &str,
    mapping: &Mapping,
    records: &mut dyn Records,
) -> Result<(), EmaError> {
    let open_err = |e: BoxedError| EmaError::open(file_label, e);
    let max_row = limits::CSV_ROW.bytes().map_err(|e| EmaError::Limit {
        file: file_label.to_string(),
        message: e.to_string(),
    })?;
    let file = std::fs::File::open(path).map_err(|e| open_err(e.into()))?;
    let mut raw = BufReader::with_capacity(64 * 1024, file);
    let head = raw.fill_buf().map_err(|e| open_err(e.into()))?;
    let (detected, mark) = detect(head).map_err(|why| open_err(why.into()))?;
    raw.consume(mark);
    let mut input: Box<dyn BufRead> = match detected {
        Detected::Utf8 { .. } => Box::new(raw),
        Detected::Utf16 { big_endian } => Box::new(BufReader::with_capacity(
            64 * 1024,
            Utf16Reader::new(raw, big_endian),
        )),
    };
    let mut start = Vec::new();
    input
        .by_ref()
        .take(SNIFF_BYTES)
        .read_to_end(&mut start)
        .map_err(|e| open_err(e.into()))?;
    let delimiter = find_delimiter(&start, mapping);
    let input = Cursor::new(start).chain(input);
    read_records(
        // One field past the most columns is enough to say the row is too wide.
        Tokenizer::new(input, delimiter).with_limits(max_row, MAX_COLUMNS as usize + 1),
        delimiter,
        FieldDecoder::new(detected),
        file_label,
        records,
    )
}

/// The delimiter that makes an EMA header row out of one of the first rows.
fn find_delimiter(start: &[u8], mapping: &Mapping) -> u8 {
    let found = DELIMITERS.into_iter().find(|&delimiter| {
        let mut tokens = Tokenizer::new(start, delimiter);
        let mut rec = RawRecord::default();
        let mut cells = Vec::new();
        for row in 1..=mapping.sheet.search_rows {
            if !matches!(tokens.read(&mut rec), Ok(true)) {
                return false;
            }
            cells.clear();
            cells.extend(
                (0..rec.len())
                    .map(|i| Cell::Text(String::from_utf8_lossy(rec.field(i)).into_owned())),
            );
            if Header::detect(mapping, None, row, &cells).is_some() {
                return true;
            }
        }
        false
    });
    found.unwrap_or(DELIMITERS[0])
}

fn read_records<R: BufRead>(
    mut tokens: Tokenizer<R>,
    delimiter: u8,
    mut decoder: FieldDecoder,
    file_label: &str,
    records: &mut dyn Records,
) -> Result<(), EmaError> {
    let mut rec = RawRecord::default();
    let mut cells = Vec::new();
    let mut header_width: Option<usize> = None;
    let mut row: u64 = 0;
    loop {
        match tokens.read(&mut rec) {
            Ok(true) => row += 1,
            Ok(false) => break,
            Err(e) => return Err(syntax_error(e, file_label, row + 1)),
        }
        let at = |line: u64, field: usize, message: String| EmaError::Csv {
            file: file_label.to_string(),
            row,
            line,
            column: Some(column_letter(field)),
            message,
        };
        if let (Some(width), true) = (header_width, rec.last_line > rec.first_line) {
            if let Some((field, why)) = swallowed_rows(&rec, width, delimiter) {
                return Err(at(
                    rec.field_line(field),
                    field,
                    format!(
                        "unbalanced quote? the quoted cell that starts here spans lines {} to \
                         {}, and {why}; close the quote where the cell ends, or write \"\" for a \
                         quote inside it",
                        rec.field_line(field),
                        rec.last_line,
                    ),
                ));
            }
        }
        if rec.len() > MAX_COLUMNS as usize {
            return Err(at(
                rec.first_line,
                MAX_COLUMNS as usize,
                format!(
                    "the row has {} cells, more than the {} columns a sheet can have (A to \
                     XFD); check the delimiter",
                    avails_model::text::thousands(rec.len()),
                    avails_model::text::thousands(MAX_COLUMNS as usize),
                ),
            ));
        }
        cells.clear();
        for i in 0..rec.len() {
            let bytes = rec.field(i);
            let text = decoder.decode(bytes, rec.field_line(i)).map_err(|p| {
                let line = rec.field_line(i) + line_breaks(&bytes[..p.offset]);
                at(line, i, p.message)
            })?;
            cells.push(if text.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text)
            });
        }
        let had_header = records.has_header();
        if !records.take(row as u32, &cells) {
            break;
        }
        if !had_header && records.has_header() {
            header_width = Some(rec.len());
        }
    }
    Ok(())
}

/// Why a record with a cell spanning lines looks like rows swallowed by an
/// unbalanced quote, and that cell: the row does not have the header's
/// number of cells, or a line inside the cell holds as many delimiters as a
/// whole row (a multi-line text rarely holds that many, a swallowed row
/// always does).
fn swallowed_rows(rec: &RawRecord, width: usize, delimiter: u8) -> Option<(usize, String)> {
    let spans = |i: usize| rec.field(i).iter().any(|&b| b == b'\n' || b == b'\r');
    let first = (0..rec.len()).find(|&i| spans(i))?;
    if rec.len() != width {
        return Some((
            first,
            format!(
                "the row then has {} cells where the header row has {width} (a cell may span \
                 lines only in a row as wide as the header)",
                rec.len()
            ),
        ));
    }
    for i in (first..rec.len()).filter(|&i| spans(i)) {
        for (k, part) in split_lines(rec.field(i)).into_iter().enumerate().skip(1) {
            let cells = part.iter().filter(|&&b| b == delimiter).count() + 1;
            if cells >= width.max(2) {
                return Some((
                    i,
                    format!(
                        "line {} inside it has {cells} cells, as many as a whole row (a row \
                         swallowed by the quote)",
                        rec.field_line(i) + k as u64
                    ),
                ));
            }
        }
    }
    None
}

/// The message of a syntax error, at the row being read.
fn syntax_error(e: SyntaxError, file_label: &str, row: u64) -> EmaError {
    let (line, field, message) = match e {
        SyntaxError::Io(e) => return EmaError::open(file_label, e),
        SyntaxError::TooLong { line, limit } => {
            return EmaError::Csv {
                file: file_label.to_string(),
                row,
                line,
                column: None,
                message: format!(
                    "the row that starts here is {}",
                    limits::CSV_ROW.exceeded(limit)
                ),
            }
        }
        SyntaxError::TooWide { line, max } => {
            return EmaError::Csv {
                file: file_label.to_string(),
                row,
                line,
                column: None,
                message: format!(
                    "the row that starts here has more than {} cells, more than the columns a \
                     sheet can have (A to XFD); check the delimiter",
                    avails_model::text::thousands(max - 1),
                ),
            }
        }
        SyntaxError::Unclosed { line, field } => (
            line,
            field,
            "unbalanced quote: the quoted cell that starts here is never closed, so the rest \
             of the file would be this one cell; close the quote where the cell ends, or write \
             \"\" for a quote inside it"
                .to_string(),
        ),
        SyntaxError::TextAfterQuote {
            line,
            field,
            close_line,
            found,
        } => {
            let found = match found {
                b' '..=b'~' => format!("`{}`", char::from(found)),
                _ => format!("byte 0x{found:02X}"),
            };
            let closing = if close_line == line {
                String::new()
            } else {
                format!(" at line {close_line}")
            };
            (
                line,
                field,
                format!(
                    "unbalanced quote: the quoted cell that starts here has a quote{closing} \
                     followed by {found}, not by a delimiter or the end of the line; write \"\" \
                     for a quote inside a quoted cell, or remove the opening quote"
                ),
            )
        }
    };
    EmaError::Csv {
        file: file_label.to_string(),
        row,
        line,
        column: Some(column_letter(field)),
        message,
    }
}

/// How many line breaks (LF, CRLF or CR) `bytes` holds.
fn line_breaks(bytes: &[u8]) -> u64 {
    split_lines(bytes).len() as u64 - 1
}

/// The lines of `bytes`, split at LF, CRLF or CR.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' || bytes[i] == b'\r' {
            lines.push(&bytes[start..i]);
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    lines.push(&bytes[start..]);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_count_crlf_once() {
        assert_eq!(line_breaks(b"a\r\nb\nc\rd"), 3);
        assert_eq!(line_breaks(b""), 0);
        assert_eq!(
            split_lines(b"a\r\nb\n\rc"),
            vec![&b"a"[..], b"b", b"", b"c"]
        );
    }

    #[test]
    fn the_delimiter_is_the_one_that_makes_a_header() {
        let mapping = Mapping::default_table();
        assert_eq!(
            find_delimiter(b"x\nALID;Territory;WorkType\n", &mapping),
            b';'
        );
        assert_eq!(
            find_delimiter(b"ALID\tTerritory\tWorkType\n", &mapping),
            b'\t'
        );
        assert_eq!(
            find_delimiter(b"ALID,Territory,WorkType;x\n", &mapping),
            b','
        );
        assert_eq!(find_delimiter(b"nothing here\n", &mapping), b',');
    }
}
