//! Where a value came from: file, sheet, row, column or XML/JSON path.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A place in an input file, printed like `file.xlsx:Movies!Q12`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Location {
    /// Path of the input file as given by the user (empty for a finding
    /// about a payload alone).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file: String,
    /// Worksheet name (spreadsheets only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based row number (spreadsheets, CSV) or line number (XML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// Column letter (spreadsheets, CSV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Element or JSON path inside the file (XML, JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Location {
    /// A location naming only a file.
    pub fn file(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            ..Self::default()
        }
    }

    /// A JSON pointer inside a payload, with no file (a finding about a
    /// payload alone, before it is traced back to its source).
    pub fn pointer(pointer: impl Into<String>) -> Self {
        Self {
            path: Some(pointer.into()),
            ..Self::default()
        }
    }

    /// This location narrowed to a column.
    pub fn with_column(&self, column: impl Into<String>) -> Self {
        Self {
            column: Some(column.into()),
            ..self.clone()
        }
    }

    /// This location narrowed to a path inside the file.
    pub fn with_path(&self, path: impl Into<String>) -> Self {
        Self {
            path: Some(path.into()),
            ..self.clone()
        }
    }
}

/// Spreadsheet column letters for a 0-based index (0 → `A`, 26 → `AA`).
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        match (&self.sheet, self.row) {
            (Some(sheet), Some(row)) => {
                write!(f, ":{sheet}!{}{row}", self.column.as_deref().unwrap_or(""))?
            }
            (None, Some(row)) => match &self.column {
                Some(col) => write!(f, ":{col}{row}")?,
                None => write!(f, ":{row}")?,
            },
            (Some(sheet), None) => write!(f, ":{sheet}")?,
            (None, None) => {}
        }
        if let Some(path) = &self.path {
            write!(f, " ({path})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(16), "Q");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn display_names_the_cell() {
        let loc = Location {
            file: "file.xlsx".into(),
            sheet: Some("Movies".into()),
            row: Some(12),
            column: Some("Q".into()),
            path: None,
        };
        assert_eq!(loc.to_string(), "file.xlsx:Movies!Q12");
    }
}
