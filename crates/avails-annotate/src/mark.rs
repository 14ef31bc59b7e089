//! What the caller hands in: one [`Mark`] per finding, located by sheet,
//! row and column letter, independent of any conversion crate (only the
//! shared severity and origin come from `avails-model`).

/// Errors are filled red, warnings amber; a server's finding says so. The
/// one `Severity` and `Origin` of the project, from `avails-model`.
pub use avails_model::{Origin, Severity};

use avails_model::location::column_letter;

/// One finding to show in the annotated workbook.
///
/// With a row and a column it marks that cell; with a row only, the row's
/// first cell (column A); with a sheet only, it is a sheet-level finding
/// listed on the Findings sheet with a link to the sheet; with neither, or
/// with [`Mark::other_file`] set, it is listed on the Findings sheet only.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mark {
    /// Worksheet name as the input workbook spells it (`None` for CSV rows).
    pub sheet: Option<String>,
    /// 1-based row number.
    pub row: Option<u32>,
    /// Column letters (`A`, `Q`, `AF`).
    pub column: Option<String>,
    /// Error or warning.
    pub severity: Severity,
    /// Stable code (`AV040`, `CV001`, or the server's code).
    pub code: String,
    /// One line naming what was found and what is allowed.
    pub message: String,
    /// The title the finding is about.
    pub alid: Option<String>,
    /// The transaction the finding is about.
    pub transaction_id: Option<String>,
    /// Local rules or the server.
    pub origin: Origin,
    /// Set when the finding is about another input file than the annotated
    /// one: it is listed on the Findings sheet only, naming that file.
    pub other_file: Option<String>,
}

impl Mark {
    /// The mark of one finding, for the annotated copy of the input named
    /// `label`; a finding about another file is listed only, naming that
    /// file as `other_file` gives it.
    pub fn of_finding(
        label: &str,
        f: &avails_model::Diagnostic,
        other_file: impl Fn(&str) -> String,
    ) -> Mark {
        Mark {
            sheet: f.location.sheet.clone(),
            row: f.location.row,
            column: f.location.column.clone(),
            severity: f.severity,
            code: f.code.to_string(),
            message: f.message.clone(),
            alid: f.alid.clone(),
            transaction_id: f.transaction_id.clone(),
            origin: f.origin,
            other_file: (f.location.file != label).then(|| other_file(&f.location.file)),
        }
    }
}

/// Largest 1-based row number of an XLSX sheet.
pub const MAX_ROWS: u32 = 1_048_576;
/// Number of columns of an XLSX sheet (A to XFD).
pub const MAX_COLUMNS: u16 = 16_384;

/// The 0-based index of column letters (`A` → 0, `AA` → 26); `None` when
/// they are not letters or lie beyond column XFD.
pub fn column_index(letters: &str) -> Option<u16> {
    let letters = letters.trim();
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n: u32 = 0;
    for b in letters.bytes() {
        if !b.is_ascii_alphabetic() {
            return None;
        }
        n = n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    u16::try_from(n - 1).ok().filter(|&i| i < MAX_COLUMNS)
}

/// Column letters of a 0-based index (0 → `A`, 26 → `AA`): the model's
/// [`column_letter`], the one place letters are computed.
pub fn column_letters(index: u16) -> String {
    column_letter(usize::from(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_indexes_round_trip() {
        for (letters, index) in [("A", 0), ("Z", 25), ("AA", 26), ("AF", 31), ("XFD", 16_383)] {
            assert_eq!(column_index(letters), Some(index), "{letters}");
            assert_eq!(column_letters(index), letters);
        }
        assert_eq!(column_index("q"), Some(16));
        for bad in ["", "A1", "XFE", "ZZZZ", "-"] {
            assert_eq!(column_index(bad), None, "{bad}");
        }
    }
}
