//! The EMA header row of the tests' worksheets and the reader of what they
//! give; the packages are avails-test-support's `xlsx_package`, written from
//! XML text so a test can damage exactly the part it is about.

#![allow(dead_code)]

use std::path::Path;

use avails_ema::{read_rows, EmaError, SheetEvent};
use avails_mapping::Mapping;
use avails_test_support::xlsx_package::worksheet;
pub use avails_test_support::xlsx_package::{
    dated_workbook, shared_strings, workbook, write, zip_parts,
};

/// The EMA column names of the header row written by [`sheet_xml`].
pub const HEADER: [&str; 5] = ["ALID", "Territory", "LicenseType", "WorkType", "Start"];

/// A worksheet: the EMA header row (inline strings), then `rows`, each the
/// inner XML of one `<row>` (1-based row numbers from 2).
pub fn sheet_xml(rows: &[String]) -> String {
    let rows: String = rows
        .iter()
        .enumerate()
        .map(|(i, row)| format!(r#"<row r="{}">{row}</row>"#, i + 2))
        .collect();
    worksheet(&HEADER, &rows)
}

/// What reading a file gave: the data rows (row number, cell texts) and the
/// result.
pub struct Read {
    /// Each data row: its 1-based number and its cells as displayed.
    pub rows: Vec<(u32, Vec<String>)>,
    /// What `read_rows` returned.
    pub result: Result<usize, EmaError>,
}

/// Reads `path` with the built-in mapping, labelled by its file name.
pub fn read(path: &Path) -> Read {
    let mapping = Mapping::default_table();
    let label = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut rows = Vec::new();
    let result = read_rows(path, &label, &mapping, &mut |event| {
        if let SheetEvent::Row { row, cells, .. } = event {
            rows.push((row, cells.iter().map(|c| c.display()).collect()));
        }
    });
    Read { rows, result }
}
