//! The first sheet: every finding, one per row, with a link to its cell and
//! an autofilter, so it sorts and filters by code, severity and ALID.

use rust_xlsxwriter::{Color, Format, Url, Worksheet, XlsxError};

use crate::names::cell_ref;
use crate::place::Place;
use crate::style::{ERROR_FILL, WARNING_FILL};
use crate::{Mark, Severity};

/// Column titles of the findings table.
pub const COLUMNS: [&str; 9] = [
    "Severity",
    "Code",
    "Source",
    "Message",
    "Sheet",
    "Cell",
    "ALID",
    "Transaction",
    "File",
];
/// Widths of those columns, in characters.
const WIDTHS: [f64; 9] = [10.0, 16.0, 9.0, 90.0, 18.0, 9.0, 30.0, 24.0, 28.0];
/// 0-based row of the table's titles (rows above it say what the sheet is).
pub const HEADER_ROW: u32 = 3;
/// Characters of a message per line of its wrapped cell.
const MESSAGE_LINE_CHARS: usize = 110;
/// Height of a line of text, in points.
const LINE_HEIGHT: f64 = 15.0;
/// Most lines a message row grows to.
const MAX_LINES: usize = 12;
/// Most hyperlinks Excel keeps on one worksheet.
pub const MAX_LINKS: usize = 65_530;

const SEVERITY: u16 = 0;
const CODE: u16 = 1;
const SOURCE: u16 = 2;
const MESSAGE: u16 = 3;
const SHEET: u16 = 4;
const CELL: u16 = 5;
const ALID: u16 = 6;
const TRANSACTION: u16 = 7;
const FILE: u16 = 8;

/// What the sheet says above its table.
pub struct Header<'a> {
    /// First line, e.g. `avails validate: Movies.xlsx`.
    pub title: &'a str,
    /// The annotated input's file name, for the File column.
    pub input_name: &'a str,
    /// Sentences for the second and third lines (caveats, remote notes).
    pub notes: &'a [String],
}

/// Writes the title lines and the findings table.
pub fn write(
    ws: &mut Worksheet,
    header: &Header<'_>,
    marks: &[Mark],
    places: &[Place],
    sheet_names: &[String],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap();
    for (col, width) in WIDTHS.iter().enumerate() {
        ws.set_column_width(col as u16, *width)?;
    }
    let summary = summary_line(header.title, marks);
    ws.write_string_with_format(0, 0, &summary, &title)?;
    let legend = if marks.is_empty() {
        "Nothing is marked in this copy: every check passed. The other sheets are the input's values, unchanged.".to_string()
    } else {
        "Each finding is marked at its cell in the other sheets (red: error, amber: warning; \
         the cell's note says what is wrong and what is allowed). Click a Cell to go there; \
         sort or filter with the buttons of the titles below."
            .to_string()
    };
    ws.write_string(1, 0, &legend)?;
    let mut notes: Vec<String> = header.notes.to_vec();
    if marks.len() > MAX_LINKS {
        notes.push(format!(
            "Excel keeps at most {MAX_LINKS} links per sheet: findings after the first {MAX_LINKS} name their cell without a link."
        ));
    }
    ws.write_string(2, 0, notes.join(" "))?;
    for (col, name) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, col as u16, *name, &bold)?;
    }
    let fills = [
        Format::new().set_background_color(Color::RGB(ERROR_FILL)),
        Format::new().set_background_color(Color::RGB(WARNING_FILL)),
    ];
    let mut links = 0usize;
    for (i, (mark, place)) in marks.iter().zip(places).enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let fill = match mark.severity {
            Severity::Error => &fills[0],
            Severity::Warning => &fills[1],
        };
        ws.write_string_with_format(row, SEVERITY, mark.severity.as_str(), fill)?;
        ws.write_string(row, CODE, &mark.code)?;
        ws.write_string(row, SOURCE, mark.origin.as_str())?;
        ws.write_string_with_format(row, MESSAGE, clip(&mark.message), &wrap)?;
        // A spreadsheet does not grow a row for wrapped text by itself.
        let lines = mark.message.chars().count().div_ceil(MESSAGE_LINE_CHARS);
        if lines > 1 {
            ws.set_row_height(row, LINE_HEIGHT * lines.min(MAX_LINES) as f64)?;
        }
        write_opt(ws, row, ALID, mark.alid.as_deref())?;
        write_opt(ws, row, TRANSACTION, mark.transaction_id.as_deref())?;
        ws.write_string(
            row,
            FILE,
            mark.other_file.as_deref().unwrap_or(header.input_name),
        )?;
        let mut link = |ws: &mut Worksheet, col: u16, target: String, text: &str| {
            if links < MAX_LINKS {
                links += 1;
                ws.write_url(
                    row,
                    col,
                    Url::new(format!("internal:{target}")).set_text(text),
                )
                .map(|_| ())
            } else {
                ws.write_string(row, col, text).map(|_| ())
            }
        };
        match *place {
            Place::Cell { sheet, row: r, col } => {
                let name = &sheet_names[sheet];
                ws.write_string(row, SHEET, name)?;
                let text = format!("{}{}", crate::mark::column_letters(col), r + 1);
                link(ws, CELL, cell_ref(name, r, col), &text)?;
            }
            Place::Sheet { sheet } => {
                let name = &sheet_names[sheet];
                link(ws, SHEET, cell_ref(name, 0, 0), name)?;
            }
            Place::Listed => {
                // Not in this workbook: say where it is, without a link.
                write_opt(ws, row, SHEET, mark.sheet.as_deref())?;
                let cell = match (&mark.sheet, &mark.column, mark.row) {
                    (_, Some(c), Some(r)) => Some(format!("{c}{r}")),
                    (Some(_), None, Some(r)) => Some(format!("row {r}")),
                    // No sheet and no column: a line of an XML, JSON or CSV file.
                    (None, None, Some(r)) => Some(format!("line {r}")),
                    _ => None,
                };
                write_opt(ws, row, CELL, cell.as_deref())?;
            }
        }
    }
    let last = HEADER_ROW + marks.len() as u32;
    ws.autofilter(HEADER_ROW, 0, last, COLUMNS.len() as u16 - 1)?;
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    // Printed (or exported to PDF), the table fits the page's width.
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// `TITLE: 3 errors, 1 warning` (or `TITLE: no findings`), the first line
/// of the Findings sheet. A title held back is a consequence of another
/// error, not one more (as `avails validate` counts).
pub(crate) fn summary_line(title: &str, marks: &[Mark]) -> String {
    if marks.is_empty() {
        return format!("{title}: no findings");
    }
    let held_back = marks
        .iter()
        .filter(|m| m.code == avails_model::diagnostic::HELD_BACK_CODE)
        .count();
    let errors = marks
        .iter()
        .filter(|m| m.severity == Severity::Error)
        .count()
        - held_back;
    let warnings = marks.len() - errors - held_back;
    format!(
        "{title}: {errors} error{}, {warnings} warning{}",
        plural(errors),
        plural(warnings)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn write_opt(ws: &mut Worksheet, row: u32, col: u16, text: Option<&str>) -> Result<(), XlsxError> {
    if let Some(t) = text.filter(|t| !t.is_empty()) {
        ws.write_string(row, col, clip(t))?;
    }
    Ok(())
}

/// Text cut to what a cell holds.
pub fn clip(text: &str) -> &str {
    match text.char_indices().nth(crate::write::MAX_CELL_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}
