//! The annotated workbook: a copy of the user's workbook (or CSV, as an
//! XLSX) with each finding marked where it is, so a rights team fixes its
//! own sheet in Excel.
//!
//! ```no_run
//! use avails_annotate::{annotate, Mark, Options, Severity};
//! let marks = vec![Mark {
//!     sheet: Some("Movies".into()),
//!     row: Some(12),
//!     column: Some("Q".into()),
//!     severity: Severity::Error,
//!     code: "AV040".into(),
//!     message: "country `UK` is not an assigned ISO 3166-1 alpha-2 code".into(),
//!     ..Mark::default()
//! }];
//! let done = annotate("avails.xlsx".as_ref(), "avails-checked.xlsx".as_ref(), &marks, &Options::default())?;
//! println!("{} cells marked", done.cells_marked);
//! # Ok::<(), avails_annotate::AnnotateError>(())
//! ```
//!
//! # What the copy holds
//!
//! An XLSX or XLSM input is **copied, not rebuilt**: its package is copied
//! part by part and only what the marks need is changed (see the `inplace`
//! module), so the team can fix the copy and send it on.
//!
//! * Every part the marks do not touch is the same bytes (copied without
//!   even being decompressed): shared strings, other tabs, the theme,
//!   images, macros. In a marked sheet everything but the marked cells'
//!   style index is the XML it was: values, formulas (MovieLabs'
//!   `=TRUE()` stay formulas), data validation dropdowns, conditional
//!   formats, freeze panes, filters, widths, merges, hyperlinks.
//! * Each marked cell's style is a copy of its own (font, borders, number
//!   format, alignment, protection) with the fill red (an error) or amber
//!   (warnings only), appended to the styles part, whose existing entries
//!   keep their indexes. A mark on an empty cell adds the cell, styled as
//!   its row or column, filled.
//! * Each marked cell gets a note giving each finding's severity, code,
//!   `[server]` when the API found it, and message (which says what is
//!   allowed); a cell that already has a comment keeps it, its author and
//!   text, with the findings appended. A sheet without comments gets the
//!   comments part, VML drawing, relationships and content types notes
//!   need.
//! * A last sheet, **Findings** (`Findings 2`... if the workbook has a
//!   sheet of that name; last so that the input's sheets keep the
//!   positions its defined names and active tab refer to): one row per
//!   finding, errors first, grouped by code (severity, code, source,
//!   message, sheet, cell, ALID, transaction, file) under an autofilter,
//!   each cell reference a link to the marked cell (Excel keeps at most
//!   65,530 links per sheet; findings beyond that name their cell without
//!   a link). A finding with a row and no column marks the row's first cell
//!   (column A); one with a sheet and no row is listed with a link to the
//!   sheet; one about another file, or naming a sheet or cell this workbook
//!   does not have, is listed there only. A workbook without findings says
//!   so there.
//! * An XLSM input written to an `.xlsx` name is declared a macro-free
//!   workbook (Excel refuses an `.xlsx` that says it holds macros); its
//!   macro part is kept, unused.
//!
//! A CSV (or legacy XLS) input has no package to keep: its copy is a new
//! workbook of its cells (a first sheet Findings, then the values, marks
//! filled and noted the same way). CSV fields are copied as text, exactly
//! as written (a CSV has no types; `007` stays `007`); texts longer than a
//! cell holds (32,767 characters) are cut and counted. An XLS's formulas
//! become their cached values, and the Findings sheet says so.
//!
//! # Decisions
//!
//! * **The input is never written.** [`ensure_distinct`] refuses an output
//!   that is the input by path, by symbolic or hard link, or by a name
//!   differing only in letter case; the copy is written to a temporary file
//!   beside the output and renamed into place, so a failed run leaves no
//!   half-written workbook.
//! * **Memory stays flat.** A marked sheet's XML is streamed event by
//!   event from the input package into the output package; only the small
//!   parts (workbook, styles, comments, relationships) are held whole.

#![warn(missing_docs)]

mod error;
mod findings;
mod inplace;
mod mark;
mod names;
mod package;
mod paths;
mod place;
mod read;
pub mod status;
mod style;
mod styles;
mod write;
mod xml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Workbook, XlsxError};

pub use error::{AnnotateError, BoxedError};
pub use findings::{COLUMNS as FINDINGS_COLUMNS, HEADER_ROW as FINDINGS_HEADER_ROW};
pub use mark::{column_index, column_letters, Mark, Origin, Severity};
pub use paths::ensure_distinct;
pub use style::{ERROR_FILL, NOTE_AUTHOR, WARNING_FILL};

use place::Place;

/// What the Findings sheet says besides the findings, and columns added
/// at the right of the rows.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// First line of the Findings sheet (default: `avails findings: FILE`).
    pub title: Option<String>,
    /// Sentences shown under it, e.g. which payloads the server validated.
    pub notes: Vec<String>,
    /// Texts written in new columns at the right of given rows, e.g. what
    /// `submit` did with each row.
    pub columns: Option<RowColumns>,
}

/// New columns at the right of a sheet's cells: after its last used
/// column (as an XLSX sheet's dimension says; for a CSV or XLS, the
/// rightmost cell read), the titles on the row above the first row given,
/// then each row's texts.
#[derive(Debug, Clone, Default)]
pub struct RowColumns {
    /// Column titles.
    pub titles: Vec<String>,
    /// Texts by sheet name and 1-based row; the first text filled red (an
    /// error) or amber (a warning) when a severity is given. A CSV's one
    /// sheet takes the rows keyed by no name (`""`) as well as by its
    /// sheet's name in the copy.
    pub rows: BTreeMap<(String, u32), RowTexts>,
}

/// One row's texts in [`RowColumns`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowTexts {
    /// One text per column.
    pub texts: Vec<String>,
    /// How the first cell is filled.
    pub severity: Option<Severity>,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotated {
    /// The output file.
    pub output: PathBuf,
    /// Name of the Findings sheet.
    pub findings_sheet: String,
    /// Worksheets copied.
    pub sheets: usize,
    /// Cells filled and noted.
    pub cells_marked: usize,
    /// Findings listed on the Findings sheet (all of them).
    pub findings: usize,
    /// Findings listed there without a place in the copy (other files,
    /// file-level findings, places the workbook does not have).
    pub listed_only: usize,
    /// Formulas whose cached values were copied instead (an XLS input; an
    /// XLSX keeps its formulas).
    pub formulas: usize,
    /// Texts cut to what a cell holds.
    pub truncated: usize,
}

/// Writes the annotated copy of `input` to `output` (an `.xlsx` file).
///
/// A panic in the readers (a damaged workbook can make calamine or zip
/// panic) is an [`AnnotateError::Damaged`], and nothing is written.
pub fn annotate(
    input: &Path,
    output: &Path,
    marks: &[Mark],
    options: &Options,
) -> Result<Annotated, AnnotateError> {
    ensure_distinct(input, output)?;
    // Nothing the closure touches outlives a panic: the readers and the
    // workbook it builds are dropped, and the output is only renamed into
    // place at its very end.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if is_package(input) {
            write_package(input, output, marks, options)
        } else {
            write_copy(input, output, marks, options)
        }
    }))
    .unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a reader failed".to_string());
        Err(AnnotateError::Damaged {
            input: input.to_path_buf(),
            message,
        })
    })
}

/// Whether `input` is an XLSX or XLSM package (copied part by part).
fn is_package(input: &Path) -> bool {
    input
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// The XLSX or XLSM copy, its package edited in place (see `inplace`).
fn write_package(
    input: &Path,
    output: &Path,
    marks: &[Mark],
    options: &Options,
) -> Result<Annotated, AnnotateError> {
    let macro_free = input
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsm"));
    let temp = temp_beside(output)?;
    let done = inplace::write(input, output, temp.as_file(), marks, options, macro_free)?;
    temp.persist(output).map_err(|e| AnnotateError::Write {
        output: output.to_path_buf(),
        source: e.error.into(),
    })?;
    Ok(done)
}

/// A temporary file beside `output`, to be renamed into place.
fn temp_beside(output: &Path) -> Result<tempfile::NamedTempFile, AnnotateError> {
    let dir = match output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".avails-annotate-").suffix(".xlsx");
    // The mode of any new file (the umask applies), not a temporary file's 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir).map_err(|e| AnnotateError::Write {
        output: output.to_path_buf(),
        source: e.into(),
    })
}

/// The CSV or XLS copy, rebuilt from its values.
fn write_copy(
    input: &Path,
    output: &Path,
    marks: &[Mark],
    options: &Options,
) -> Result<Annotated, AnnotateError> {
    let write_err = |e: XlsxError| AnnotateError::Write {
        output: output.to_path_buf(),
        source: e.into(),
    };
    let mut source = read::Input::open(input)?;
    let csv = matches!(source, read::Input::Csv(_));
    let (sheets, skipped) = source.sheets(input);
    let mut names: Vec<String> = Vec::with_capacity(sheets.len());
    for s in &sheets {
        let name = names::unique(&names::valid_sheet_name(&s.name), &names);
        names.push(name);
    }
    let findings_sheet = names::unique(names::FINDINGS, &names);
    let places: Vec<Place> = marks
        .iter()
        .map(|m| place::place(m, &sheets, csv))
        .collect();

    let mut workbook = Workbook::new();
    workbook
        .add_worksheet()
        .set_name(&findings_sheet)
        .map_err(write_err)?;
    let styles = style::Styles::new();
    let mut cells_marked = 0;
    let mut truncated = 0;
    for (index, sheet) in sheets.iter().enumerate() {
        let mut cells: BTreeMap<(u32, u16), Vec<&Mark>> = BTreeMap::new();
        for (mark, place) in marks.iter().zip(&places) {
            if let Place::Cell {
                sheet: s, row, col, ..
            } = *place
            {
                if s == index {
                    cells.entry((row, col)).or_default().push(mark);
                }
            }
        }
        let ws = workbook
            .add_worksheet_with_constant_memory()
            .map_err(write_err)?;
        ws.set_name(&names[index]).map_err(write_err)?;
        if sheet.hidden {
            ws.set_hidden(true);
        }
        let columns = match options.columns.as_ref() {
            Some(c) => new_columns(c, &mut source, input, sheet, &names[index], csv)?,
            None => write::NewColumns::default(),
        };
        let mut copy = write::SheetCopy::new(
            ws,
            &styles,
            cells,
            &sheet.merges,
            &sheet.layout,
            !is_xlsx(&source),
            columns,
        )
        .map_err(write_err)?;
        source.read_sheet(input, &sheet.name, &mut |r, c, v| {
            copy.cell(r, c, v).map_err(write_err)
        })?;
        let (marked, cut) = copy.finish().map_err(write_err)?;
        cells_marked += marked;
        truncated += cut;
    }

    let formulas: usize = sheets.iter().map(|s| s.layout.formulas).sum();
    let mut notes = options.notes.clone();
    notes.extend(caveats(&sheets, &skipped, truncated, &names));
    let input_name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| input.display().to_string());
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| format!("avails findings: {input_name}"));
    let ws = workbook.worksheet_from_index(0).map_err(write_err)?;
    findings::write(
        ws,
        &findings::Header {
            title: &title,
            input_name: &input_name,
            notes: &notes,
        },
        marks,
        &places,
        &names,
    )
    .map_err(write_err)?;
    save(&mut workbook, output)?;
    Ok(Annotated {
        output: output.to_path_buf(),
        findings_sheet,
        sheets: sheets.len(),
        cells_marked,
        findings: marks.len(),
        listed_only: places.iter().filter(|p| **p == Place::Listed).count(),
        formulas,
        truncated,
    })
}

/// The rows of `columns` that go to `sheet` of a copy (by its name in the
/// input or in the copy; a CSV's also by no name), right of its last used
/// column, which takes a first reading of the sheet to know.
fn new_columns<'a>(
    columns: &'a RowColumns,
    source: &mut read::Input,
    input: &Path,
    sheet: &read::SheetInfo,
    copy_name: &str,
    csv: bool,
) -> Result<write::NewColumns<'a>, AnnotateError> {
    let ours = |name: &str| {
        name == sheet.name
            || name == copy_name
            || name.to_lowercase() == sheet.name.to_lowercase()
            || (csv && name.is_empty())
    };
    let rows: BTreeMap<u32, &RowTexts> = columns
        .rows
        .iter()
        .filter(|((name, row), _)| ours(name) && (1..=mark::MAX_ROWS).contains(row))
        .map(|((_, row), texts)| (row - 1, texts))
        .collect();
    if rows.is_empty() {
        return Ok(write::NewColumns::default());
    }
    let mut last: Option<u16> = None;
    source.read_sheet(input, &sheet.name, &mut |_, c, _| {
        last = Some(last.map_or(c, |l| l.max(c)));
        Ok(())
    })?;
    let title_row = rows
        .keys()
        .next()
        .and_then(|r| r.checked_sub(1))
        .filter(|_| !columns.titles.is_empty());
    Ok(write::NewColumns {
        base: last.map_or(0, |c| c.saturating_add(1)),
        titles: &columns.titles,
        title_row,
        rows,
    })
}

fn is_xlsx(source: &read::Input) -> bool {
    matches!(source, read::Input::Xlsx { .. })
}

/// What the copy does not carry over, in sentences for the Findings sheet.
fn caveats(
    sheets: &[read::SheetInfo],
    skipped: &[String],
    truncated: usize,
    names: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    let with_formulas: Vec<String> = sheets
        .iter()
        .filter(|s| s.layout.formulas > 0)
        .map(|s| format!("{} ({})", s.name, s.layout.formulas))
        .collect();
    if !with_formulas.is_empty() {
        out.push(format!(
            "Formulas became values: each formula cell holds the value Excel last computed, not the formula ({}).",
            with_formulas.join(", ")
        ));
    }
    let renamed: Vec<String> = sheets
        .iter()
        .zip(names)
        .filter(|(s, n)| &s.name != *n)
        .map(|(s, n)| format!("`{}` is `{n}`", s.name))
        .collect();
    if !renamed.is_empty() {
        out.push(format!(
            "Sheet names Excel does not accept were changed: {}.",
            renamed.join(", ")
        ));
    }
    if !skipped.is_empty() {
        out.push(format!(
            "Sheets that are not worksheets were not copied: {}.",
            skipped.join(", ")
        ));
    }
    if truncated > 0 {
        out.push(format!(
            "{truncated} values longer than a cell holds (32,767 characters) were cut."
        ));
    }
    out
}

/// Saves through a temporary file beside `output`, renamed into place.
fn save(workbook: &mut Workbook, output: &Path) -> Result<(), AnnotateError> {
    let write_err = |source: BoxedError| AnnotateError::Write {
        output: output.to_path_buf(),
        source,
    };
    let temp = temp_beside(output)?;
    workbook
        .save(temp.path())
        .map_err(|e| write_err(e.into()))?;
    temp.persist(output)
        .map_err(|e| write_err(e.error.into()))?;
    Ok(())
}
