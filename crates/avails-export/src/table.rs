//! The in-memory sheet: header rows, data rows, and what could not be carried.

use serde::Serialize;

/// One cell to write.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum CellValue {
    /// Nothing.
    #[default]
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A calendar date (written as a real date cell in XLSX).
    Date(chrono::NaiveDate),
}

impl CellValue {
    /// The cell as CSV text: numbers without a needless `.0`, dates ISO.
    pub fn to_text(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Text(s) => s.clone(),
            Self::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    format!("{n}")
                }
            }
            Self::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// Whether the cell holds nothing.
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }
}

/// A value of a payload the EMA sheet cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loss {
    /// Index of the avail in the exported list.
    pub avail: usize,
    /// The title.
    pub alid: String,
    /// 1-based data row of the sheet (4 is the first), when row-specific.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// JSON pointer inside the avail (`/Transaction/0/Terms/3`).
    pub pointer: String,
    /// Why it is lost.
    pub reason: String,
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.alid, self.pointer)?;
        if let Some(r) = self.row {
            write!(f, " (row {r})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// The sheet to write: three header rows and the data rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Row 1: section per column (`Avail`, `AvailTrans`, ...).
    pub sections: Vec<String>,
    /// Row 2: column names.
    pub names: Vec<String>,
    /// Row 3: comments; the first holds the version from 1.8 on.
    pub comments: Vec<String>,
    /// Data rows (row 4 on), one per transaction, as wide as `names`.
    pub rows: Vec<Vec<CellValue>>,
    /// Values that could not be carried.
    pub losses: Vec<Loss>,
}

impl Table {
    /// The 0-based index of a column by name (case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }
}
