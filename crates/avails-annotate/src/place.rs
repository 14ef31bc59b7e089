//! Where each mark goes in the copy: a cell, a sheet, or the Findings
//! sheet only.

use crate::mark::{column_index, MAX_ROWS};
use crate::read::SheetInfo;
use crate::Mark;

/// Where a mark is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// At a cell (0-based row and column) of a copied sheet.
    Cell {
        /// Index of the sheet among the copied ones.
        sheet: usize,
        /// 0-based row.
        row: u32,
        /// 0-based column.
        col: u16,
    },
    /// About a whole sheet: listed with a link to the sheet.
    Sheet {
        /// Index of the sheet among the copied ones.
        sheet: usize,
    },
    /// Listed on the Findings sheet only (another file, a file-level
    /// finding, or a place this workbook does not have).
    Listed,
}

/// The place of `mark` among `sheets`; a CSV's one sheet takes the marks
/// that name no sheet.
pub fn place(mark: &Mark, sheets: &[SheetInfo], csv: bool) -> Place {
    if mark.other_file.is_some() {
        return Place::Listed;
    }
    let sheet = match &mark.sheet {
        Some(name) => sheets.iter().position(|s| &s.name == name).or_else(|| {
            sheets
                .iter()
                .position(|s| s.name.to_lowercase() == name.to_lowercase())
        }),
        None if csv => Some(0),
        None => None,
    };
    let Some(sheet) = sheet else {
        return Place::Listed;
    };
    let Some(row) = mark.row.filter(|r| (1..=MAX_ROWS).contains(r)) else {
        return match mark.row {
            None => Place::Sheet { sheet },
            Some(_) => Place::Listed,
        };
    };
    let col = match &mark.column {
        None => 0,
        Some(letters) => match column_index(letters) {
            Some(c) => c,
            None => return Place::Listed,
        },
    };
    Place::Cell {
        sheet,
        row: row - 1,
        col,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::SheetLayout;

    fn sheets(names: &[&str]) -> Vec<SheetInfo> {
        names
            .iter()
            .map(|n| SheetInfo {
                name: n.to_string(),
                hidden: false,
                layout: SheetLayout::default(),
                merges: Vec::new(),
            })
            .collect()
    }

    fn mark(sheet: Option<&str>, row: Option<u32>, column: Option<&str>) -> Mark {
        Mark {
            sheet: sheet.map(str::to_string),
            row,
            column: column.map(str::to_string),
            ..Mark::default()
        }
    }

    #[test]
    fn cells_rows_sheets_and_the_rest() {
        let book = sheets(&["Notes", "Movies"]);
        assert_eq!(
            place(&mark(Some("Movies"), Some(12), Some("C")), &book, false),
            Place::Cell {
                sheet: 1,
                row: 11,
                col: 2
            }
        );
        // A row-level finding marks the row's first cell.
        assert_eq!(
            place(&mark(Some("movies"), Some(5), None), &book, false),
            Place::Cell {
                sheet: 1,
                row: 4,
                col: 0
            }
        );
        assert_eq!(
            place(&mark(Some("Movies"), None, None), &book, false),
            Place::Sheet { sheet: 1 }
        );
        for listed in [
            mark(None, Some(3), Some("A")),
            mark(Some("TV"), Some(3), Some("A")),
            mark(Some("Movies"), Some(3), Some("A1")),
            mark(Some("Movies"), Some(0), None),
            Mark {
                other_file: Some("other.xlsx".into()),
                ..mark(Some("Movies"), Some(3), Some("A"))
            },
        ] {
            assert_eq!(place(&listed, &book, false), Place::Listed, "{listed:?}");
        }
        let csv = sheets(&["bundle"]);
        assert_eq!(
            place(&mark(None, Some(4), Some("B")), &csv, true),
            Place::Cell {
                sheet: 0,
                row: 3,
                col: 1
            }
        );
    }
}
