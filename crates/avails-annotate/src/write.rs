//! Copying one sheet, cell by cell in row order, into a constant-memory
//! worksheet: values with their types, marked cells filled and noted,
//! merged ranges and column widths kept.
//!
//! A constant-memory worksheet cannot go back to an earlier row, so marks
//! on empty cells, merged ranges and the texts of new columns (see
//! [`NewColumns`]) are written when the input's cells reach their row, in
//! row order.

use std::collections::{BTreeMap, VecDeque};

use calamine::Dimensions;
use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use crate::package::SheetLayout;
use crate::read::Value;
use crate::style::{self, Kind, Styles};
use crate::{Mark, RowTexts};

/// Most characters a cell holds.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Pixels per character of the default font, to turn stored widths into pixels.
const PIXELS_PER_CHAR: f64 = 7.0;
/// Narrowest and widest estimated column (characters), for columns without widths.
const ESTIMATED_WIDTH: (f64, f64) = (8.43, 60.0);

/// Texts in new columns right of a sheet's cells (the copy's side of
/// [`crate::RowColumns`]).
#[derive(Debug, Default)]
pub struct NewColumns<'a> {
    /// 0-based first new column: right of the sheet's last used one.
    pub base: u16,
    /// Column titles, bold, on `title_row`.
    pub titles: &'a [String],
    /// 0-based row of the titles: the one above the first row of texts.
    pub title_row: Option<u32>,
    /// Texts by 0-based row.
    pub rows: BTreeMap<u32, &'a RowTexts>,
}

/// One sheet being copied.
pub struct SheetCopy<'a> {
    ws: &'a mut Worksheet,
    styles: &'a Styles,
    marks: BTreeMap<(u32, u16), Vec<&'a Mark>>,
    merges: VecDeque<Dimensions>,
    columns: NewColumns<'a>,
    /// Widest value per column, for columns the input gives no width.
    estimate: Vec<usize>,
    /// Columns whose width the input gives.
    sized: Vec<bool>,
    /// Whether texts count too (inputs without any widths: CSV, XLS);
    /// otherwise only numbers and dates, which Excel shows as `###` when
    /// they do not fit, while text runs over into the next cell.
    estimate_text: bool,
    /// Cells that received a fill and a note.
    pub cells_marked: usize,
    /// Texts cut to [`MAX_CELL_CHARS`].
    pub truncated: usize,
}

impl<'a> SheetCopy<'a> {
    /// Starts a copy into `ws` with the sheet's marks, merges and layout;
    /// `estimate_text` for inputs that carry no widths (CSV, XLS).
    pub fn new(
        ws: &'a mut Worksheet,
        styles: &'a Styles,
        marks: BTreeMap<(u32, u16), Vec<&'a Mark>>,
        merges: &[Dimensions],
        layout: &SheetLayout,
        estimate_text: bool,
        columns: NewColumns<'a>,
    ) -> Result<Self, XlsxError> {
        let mut sized = Vec::new();
        for run in &layout.columns {
            for col in run.first..=run.last {
                if run.width.is_some() || run.hidden {
                    let c = usize::from(col);
                    if sized.len() <= c {
                        sized.resize(c + 1, false);
                    }
                    sized[c] = true;
                }
                if let Some(width) = run.width {
                    let pixels = (width * PIXELS_PER_CHAR)
                        .round()
                        .clamp(0.0, f64::from(u16::MAX));
                    ws.set_column_width_pixels(col, pixels as u32)?;
                }
                if run.hidden {
                    ws.set_column_hidden(col)?;
                }
            }
        }
        let mut merges: Vec<Dimensions> = merges.to_vec();
        merges.sort();
        Ok(Self {
            ws,
            styles,
            marks,
            merges: merges.into(),
            columns,
            estimate: Vec::new(),
            sized,
            estimate_text,
            cells_marked: 0,
            truncated: 0,
        })
    }

    /// Copies one non-empty input cell (0-based), marking it if it has findings.
    pub fn cell(&mut self, row: u32, col: u16, value: Value<'_>) -> Result<(), XlsxError> {
        self.advance(row)?;
        let marks = self.marks.remove(&(row, col));
        let severity = marks.as_ref().and_then(|m| style::worst(m.iter().copied()));
        let styles = self.styles;
        let fmt = |kind| styles.get(kind, severity);
        match value {
            Value::Text(s) | Value::ErrorText(s) => {
                let text = crate::findings::clip(s);
                if text.len() < s.len() {
                    self.truncated += 1;
                }
                if self.estimate_text {
                    self.estimate(col, text.chars().count());
                }
                self.ws
                    .write_string_with_format(row, col, text, fmt(Kind::General))?;
            }
            Value::Number(n) => {
                self.estimate(col, n.to_string().len());
                self.ws
                    .write_number_with_format(row, col, n, fmt(Kind::General))?;
            }
            Value::Bool(b) => {
                self.ws
                    .write_boolean_with_format(row, col, b, fmt(Kind::General))?;
            }
            Value::Date(d) => {
                let kind = Kind::of_date(d);
                self.estimate(col, if kind == Kind::Date { 10 } else { 19 });
                self.ws.write_number_with_format(row, col, d, fmt(kind))?;
            }
            Value::Duration(d) => {
                self.ws
                    .write_number_with_format(row, col, d, fmt(Kind::Duration))?;
            }
        }
        if let Some(marks) = marks {
            self.ws.insert_note(row, col, &style::note(&marks))?;
            self.cells_marked += 1;
        }
        Ok(())
    }

    /// Writes the marks of empty cells, the new columns' texts and the
    /// merged ranges that come before `row` (merges starting on `row`
    /// too), in row order.
    fn advance(&mut self, row: u32) -> Result<(), XlsxError> {
        loop {
            let merge = self.merges.front().map(|m| m.start.0).filter(|&r| r <= row);
            let mark = self
                .marks
                .first_key_value()
                .map(|(&(r, _), _)| r)
                .filter(|&r| r < row);
            let texts = self.next_texts_row().filter(|&r| r < row);
            let first = [merge, mark, texts].into_iter().flatten().min();
            match first {
                None => return Ok(()),
                Some(r) if mark == Some(r) => self.blank_mark()?,
                Some(r) if texts == Some(r) => self.texts(r)?,
                Some(_) => self.merge()?,
            }
        }
    }

    /// The first row whose new columns' texts are not written yet.
    fn next_texts_row(&self) -> Option<u32> {
        let title = self
            .columns
            .title_row
            .filter(|_| !self.columns.titles.is_empty());
        let first = self.columns.rows.first_key_value().map(|(&r, _)| r);
        [title, first].into_iter().flatten().min()
    }

    /// Writes the new columns' texts of `row`: the titles bold, or a row's
    /// texts, the first filled as its severity says.
    fn texts(&mut self, row: u32) -> Result<(), XlsxError> {
        let base = self.columns.base;
        let put = |ws: &mut Worksheet, i: usize, text: &str, format: &Format| {
            let Some(col) = u16::try_from(i)
                .ok()
                .and_then(|i| base.checked_add(i))
                .filter(|c| *c < crate::mark::MAX_COLUMNS)
            else {
                return Ok(());
            };
            if text.is_empty() {
                return Ok(());
            }
            ws.write_string_with_format(row, col, crate::findings::clip(text), format)
                .map(drop)
        };
        if self.columns.title_row == Some(row) {
            self.columns.title_row = None;
            let bold = Format::new().set_bold();
            for (i, title) in self.columns.titles.iter().enumerate() {
                put(self.ws, i, title, &bold)?;
            }
        }
        if let Some(texts) = self.columns.rows.remove(&row) {
            for (i, text) in texts.texts.iter().enumerate() {
                let severity = if i == 0 { texts.severity } else { None };
                put(self.ws, i, text, self.styles.get(Kind::General, severity))?;
            }
        }
        Ok(())
    }

    /// Marks the first pending empty cell.
    fn blank_mark(&mut self) -> Result<(), XlsxError> {
        if let Some(((row, col), marks)) = self.marks.pop_first() {
            let severity = style::worst(marks.iter().copied());
            self.ws
                .write_blank(row, col, self.styles.get(Kind::General, severity))?;
            self.ws.insert_note(row, col, &style::note(&marks))?;
            self.cells_marked += 1;
        }
        Ok(())
    }

    /// Merges the next range; one Excel would refuse (overlapping another,
    /// a single cell, beyond the sheet) is left unmerged.
    fn merge(&mut self) -> Result<(), XlsxError> {
        let Some(m) = self.merges.pop_front() else {
            return Ok(());
        };
        let (Ok(first_col), Ok(last_col)) = (u16::try_from(m.start.1), u16::try_from(m.end.1))
        else {
            return Ok(());
        };
        match self
            .ws
            .merge_range(m.start.0, first_col, m.end.0, last_col, "", &Format::new())
        {
            Ok(_)
            | Err(
                XlsxError::MergeRangeOverlaps(..)
                | XlsxError::MergeRangeSingleCell
                | XlsxError::RowColumnLimitError
                | XlsxError::RowColumnOrderError,
            ) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn estimate(&mut self, col: u16, chars: usize) {
        let col = usize::from(col);
        if self.sized.get(col).copied().unwrap_or(false) {
            return;
        }
        if self.estimate.len() <= col {
            self.estimate.resize(col + 1, 0);
        }
        self.estimate[col] = self.estimate[col].max(chars);
    }

    /// Writes what is left (marks below the last cell) and estimated widths.
    pub fn finish(mut self) -> Result<(usize, usize), XlsxError> {
        self.advance(u32::MAX)?;
        while !self.marks.is_empty() {
            self.blank_mark()?;
        }
        for (col, chars) in std::mem::take(&mut self.estimate).into_iter().enumerate() {
            let width = (chars as f64 + 1.0).clamp(ESTIMATED_WIDTH.0, ESTIMATED_WIDTH.1);
            if chars > 0 && width > ESTIMATED_WIDTH.0 {
                self.ws.set_column_width(col as u16, width)?;
            }
        }
        Ok((self.cells_marked, self.truncated))
    }
}
