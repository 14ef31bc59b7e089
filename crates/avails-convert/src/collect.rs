//! What every reader shares: the options of a conversion, the kinds of
//! input, what a reader says of a file, and where what it finds goes. The
//! readers (`input`, `ema_rows`, `json`) depend on this module, never on
//! each other's vocabulary.

use std::path::Path;

use avails_mapping::{ColumnStatus, Mapping};
use avails_model::Diagnostic;
use serde::Serialize;

use crate::Item;

/// Options of a conversion.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// The EMA mapping table.
    pub mapping: Mapping,
    /// Offset appended to date-times without one (`Z`, `+02:00`); `None`
    /// uses the mapping's default (keep them local).
    pub timezone: Option<String>,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        Self {
            mapping: Mapping::default_table(),
            timezone: None,
        }
    }
}

/// What kind of file an input is, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// EMA workbook or CSV.
    Ema,
    /// MDDF Avails XML.
    Mddf,
    /// Payload JSON.
    Json,
}

impl InputKind {
    /// The kind of a path, by extension.
    pub fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "xlsx" | "xlsm" | "xls" | "csv" => Self::Ema,
            "xml" => Self::Mddf,
            "json" | "ndjson" => Self::Json,
            _ => return None,
        })
    }
}

/// One column of a sheet and what the mapping does with it.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnAccount {
    /// Its letter.
    pub column: String,
    /// Its header as written.
    pub header: String,
    /// Mapped, ignored (with why) or unknown (with the nearest known name).
    #[serde(flatten)]
    pub status: ColumnStatus,
}

/// One sheet read from a workbook.
#[derive(Debug, Clone, Serialize)]
pub struct SheetSummary {
    /// Sheet name (empty for CSV).
    pub sheet: String,
    /// EMA version the sheet declares, if any.
    pub version: Option<String>,
    /// Data rows read.
    pub rows: usize,
    /// Every header and what the mapping does with it.
    pub columns: Vec<ColumnAccount>,
}

/// One input file read.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    /// The file as given.
    pub file: String,
    /// Its kind.
    pub kind: InputKind,
    /// EMA sheets read (empty for XML and JSON).
    pub sheets: Vec<SheetSummary>,
    /// Rows (EMA) or transactions (XML, JSON) read.
    pub items: usize,
}

/// Where what a reader finds goes.
pub(crate) trait Collect {
    /// A transaction to group.
    fn item(&mut self, item: Item);
    /// A payload taken as given (payload JSON).
    fn given(&mut self, payload: crate::Payload);
    /// A finding not tied to a payload being built.
    fn finding(&mut self, d: Diagnostic);
    /// Rows read so far, for progress.
    fn progress(&mut self, rows: usize);
    /// Whether nothing more is wanted: the reader may end early.
    fn stopped(&self) -> bool {
        false
    }
}

/// The message of the first error, or `otherwise`.
pub(crate) fn first_error(findings: &[Diagnostic], otherwise: &str) -> String {
    findings
        .iter()
        .find(|d| d.is_error())
        .map_or_else(|| otherwise.to_string(), |d| d.message.clone())
}
