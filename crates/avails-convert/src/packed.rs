//! A sheet's events packed for the trip from the reading thread to the
//! mapping one: a batch is one text buffer and one list of cells, not a
//! `String` per cell, and the receiving side unpacks each row into buffers
//! it reuses. The row it unpacks is the row the reader saw, cell for cell
//! (blank cells and the row's length included).

use avails_ema::{Cell, Header, SheetEvent};
use chrono::NaiveDateTime;

/// Rows packed per batch.
const ROWS_PER_BATCH: usize = 256;
/// Text packed per batch before it is sent, whatever its rows: a sheet of
/// huge cells does not hold 256 rows of them at a time.
const TEXT_PER_BATCH: usize = 1 << 20;

/// A run of a sheet's events, packed.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// The text of every text cell of the batch, one after another.
    text: String,
    /// The non-empty cells of every row (column, value), row after row.
    cells: Vec<(u32, Value)>,
    events: Vec<Event>,
    rows: usize,
}

/// A cell's value, its text a range of the batch's text.
#[derive(Debug, Clone, Copy)]
enum Value {
    Text(usize, usize),
    Number(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
    Duration(usize, usize),
    Error(usize, usize),
}

#[derive(Debug)]
enum Event {
    Sheet(Box<Header>),
    Skipped(String),
    /// A data row: its number, its length in cells, and where its cells end
    /// in the batch's list.
    Row {
        row: u32,
        len: usize,
        end: usize,
    },
}

impl Batch {
    /// Packs one event of a sheet's reader.
    pub(crate) fn push(&mut self, event: SheetEvent<'_>) {
        match event {
            SheetEvent::Sheet(header) => self.events.push(Event::Sheet(Box::new(header.clone()))),
            SheetEvent::Skipped { sheet } => self.events.push(Event::Skipped(sheet.to_string())),
            SheetEvent::Row { row, cells, .. } => self.push_row(row, cells),
        }
    }

    fn push_row(&mut self, row: u32, cells: &[Cell]) {
        for (column, cell) in cells.iter().enumerate() {
            let value = match cell {
                Cell::Empty => continue,
                Cell::Text(s) => {
                    let (start, end) = self.add_text(s);
                    Value::Text(start, end)
                }
                Cell::Number(n) => Value::Number(*n),
                Cell::Bool(b) => Value::Bool(*b),
                Cell::DateTime(dt) => Value::DateTime(*dt),
                Cell::Duration(s) => {
                    let (start, end) = self.add_text(s);
                    Value::Duration(start, end)
                }
                Cell::Error(s) => {
                    let (start, end) = self.add_text(s);
                    Value::Error(start, end)
                }
            };
            // A column index fits: a sheet has at most 16,384 columns, and
            // a CSV row with more than u32::MAX fields cannot be held.
            self.cells.push((column as u32, value));
        }
        self.events.push(Event::Row {
            row,
            len: cells.len(),
            end: self.cells.len(),
        });
        self.rows += 1;
    }

    fn add_text(&mut self, s: &str) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(s);
        (start, self.text.len())
    }

    /// Whether the batch should be sent now.
    pub(crate) fn is_full(&self) -> bool {
        self.rows >= ROWS_PER_BATCH || self.text.len() >= TEXT_PER_BATCH
    }

    /// The batch packed so far, to be sent; this one starts again as
    /// `spare` (a batch the other side has unpacked, its buffers kept and
    /// still in the caches) or, without one, empty with the room it had.
    pub(crate) fn take(&mut self, spare: Option<Batch>) -> Batch {
        let next = match spare {
            Some(mut spare) => {
                spare.clear();
                spare
            }
            None => Batch {
                text: String::with_capacity(self.text.capacity()),
                cells: Vec::with_capacity(self.cells.capacity()),
                events: Vec::with_capacity(self.events.capacity()),
                rows: 0,
            },
        };
        std::mem::replace(self, next)
    }

    /// Empties the batch, keeping its buffers.
    fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
        self.events.clear();
        self.rows = 0;
    }

    /// Whether nothing was packed.
    pub(crate) fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

/// The receiving side: unpacks batches, in the order they were packed,
/// into the events the reader gave.
#[derive(Debug, Default)]
pub(crate) struct Unpacker {
    /// The header of the sheet being read (the latest sheet event).
    header: Option<Header>,
    /// The row being given, reused from row to row.
    cells: Vec<Cell>,
    /// Text buffers of the previous rows, so a row allocates nothing.
    spare: Vec<String>,
}

impl Unpacker {
    /// Gives each event of `batch` to `each`, in order, and leaves the
    /// batch empty (its buffers kept, to be packed again).
    pub(crate) fn unpack(&mut self, batch: &mut Batch, each: &mut dyn FnMut(SheetEvent<'_>)) {
        let Batch {
            text,
            cells,
            events,
            ..
        } = batch;
        let mut start = 0;
        for event in events.drain(..) {
            match event {
                Event::Sheet(header) => {
                    let header = self.header.insert(*header);
                    each(SheetEvent::Sheet(header));
                }
                Event::Skipped(sheet) => each(SheetEvent::Skipped { sheet: &sheet }),
                Event::Row { row, len, end } => {
                    self.fill(text, &cells[start..end], len);
                    start = end;
                    // A reader announces a sheet before its first row; a
                    // row without one is not mapped on either side.
                    if let Some(header) = &self.header {
                        each(SheetEvent::Row {
                            header,
                            row,
                            cells: &self.cells,
                        });
                    }
                }
            }
        }
        batch.clear();
    }

    /// Makes `self.cells` the row of `len` cells whose non-empty ones are
    /// `packed`, their text in `text`.
    fn fill(&mut self, text: &str, packed: &[(u32, Value)], len: usize) {
        for old in self.cells.drain(..) {
            if let Cell::Text(s) | Cell::Duration(s) | Cell::Error(s) = old {
                self.spare.push(s);
            }
        }
        self.cells.resize(len, Cell::Empty);
        let spare = &mut self.spare;
        let mut owned = |start: usize, end: usize| {
            let mut s = spare.pop().unwrap_or_default();
            s.clear();
            s.push_str(&text[start..end]);
            s
        };
        for &(column, value) in packed {
            self.cells[column as usize] = match value {
                Value::Text(start, end) => Cell::Text(owned(start, end)),
                Value::Number(n) => Cell::Number(n),
                Value::Bool(b) => Cell::Bool(b),
                Value::DateTime(dt) => Cell::DateTime(dt),
                Value::Duration(start, end) => Cell::Duration(owned(start, end)),
                Value::Error(start, end) => Cell::Error(owned(start, end)),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn header() -> Header {
        let mapping = avails_mapping::Mapping::default_table();
        let names = [
            "ALID",
            "Territory",
            "LicenseType",
            "Start",
            "End",
            "WorkType",
        ];
        let cells: Vec<Cell> = names.iter().map(|n| Cell::Text(n.to_string())).collect();
        Header::detect(&mapping, Some("Movies"), 3, &cells).expect("an EMA header")
    }

    /// What a reader gave, owned, to compare with what was unpacked.
    #[derive(Debug, PartialEq)]
    enum Seen {
        Sheet(Option<String>, u32),
        Skipped(String),
        Row(u32, Vec<Cell>),
    }

    fn seen(event: SheetEvent<'_>) -> Seen {
        match event {
            SheetEvent::Sheet(h) => Seen::Sheet(h.sheet.clone(), h.row),
            SheetEvent::Skipped { sheet } => Seen::Skipped(sheet.to_string()),
            SheetEvent::Row { row, cells, .. } => Seen::Row(row, cells.to_vec()),
        }
    }

    #[test]
    fn unpacked_rows_are_the_rows_read_cell_for_cell_across_batches() {
        let header = header();
        let date = NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let rows: Vec<(u32, Vec<Cell>)> = vec![
            // Blank cells between filled ones, a trailing empty cell, text
            // with spaces and non-ASCII kept as typed.
            (
                5,
                vec![
                    Cell::Text(" 12345 ".into()),
                    Cell::Empty,
                    Cell::Text("Électronique ".into()),
                    Cell::DateTime(date),
                    Cell::Number(4.5),
                    Cell::Empty,
                ],
            ),
            // A shorter row after a longer one: no cell of the previous row
            // may survive into it.
            (6, vec![Cell::Bool(true), Cell::Text(String::new())]),
            (
                7,
                vec![
                    Cell::Error("#N/A".into()),
                    Cell::Duration("PT48H".into()),
                    Cell::Number(f64::NAN),
                ],
            ),
            (9, vec![]),
        ];
        let mut sent = Vec::new();
        let mut batch = Batch::default();
        batch.push(SheetEvent::Skipped { sheet: "Notes" });
        batch.push(SheetEvent::Sheet(&header));
        for (i, (row, cells)) in rows.iter().enumerate() {
            batch.push(SheetEvent::Row {
                header: &header,
                row: *row,
                cells,
            });
            // A new batch in the middle, as when a batch fills.
            if i == 1 {
                sent.push(batch.take(None));
            }
        }
        sent.push(batch);

        let mut unpacker = Unpacker::default();
        let mut got = Vec::new();
        for mut batch in sent {
            unpacker.unpack(&mut batch, &mut |e| got.push(seen(e)));
            // Left empty, and packed again as a new batch would be.
            assert!(batch.is_empty() && batch.text.is_empty() && batch.cells.is_empty());
        }
        let mut want = vec![
            Seen::Skipped("Notes".into()),
            Seen::Sheet(Some("Movies".into()), 3),
        ];
        want.extend(rows.iter().map(|(r, c)| Seen::Row(*r, c.clone())));
        // NaN is not equal to itself: compare it apart.
        let nan_at = |s: &[Seen]| match &s[4] {
            Seen::Row(_, c) => matches!(c[2], Cell::Number(n) if n.is_nan()),
            _ => false,
        };
        assert!(nan_at(&got) && nan_at(&want));
        for s in [&mut got, &mut want] {
            if let Seen::Row(_, c) = &mut s[4] {
                c[2] = Cell::Number(0.0);
            }
        }
        assert_eq!(got, want);
    }

    #[test]
    fn a_batch_fills_by_rows_or_by_text() {
        let header = header();
        let mut batch = Batch::default();
        assert!(batch.is_empty() && !batch.is_full());
        let big = vec![Cell::Text("x".repeat(TEXT_PER_BATCH))];
        batch.push(SheetEvent::Row {
            header: &header,
            row: 5,
            cells: &big,
        });
        assert!(batch.is_full());
        let mut batch = Batch::default();
        for row in 0..ROWS_PER_BATCH as u32 {
            assert!(!batch.is_full());
            batch.push(SheetEvent::Row {
                header: &header,
                row,
                cells: &[],
            });
        }
        assert!(batch.is_full());
    }
}
