//! EMA Avails export: payloads (`Avail`s) written back as an EMA workbook
//! (`.xlsx`) or CSV, the inverse of `avails-convert`; and MDDF Avails XML
//! export ([`mddf`], `.xml`).
//!
//! The sheet has EMA's three header rows (section names, column names, the
//! `//REQ`/`//Opt` comment row whose first cell holds the version from 1.8
//! on) and one data row per transaction, from row 4. Columns come from
//! inverting the mapping table (`mappings/ema.toml`), placed in the column
//! order of the MovieLabs reference workbooks (the version's layout in
//! `mappings/ema-versions.toml`, [`EmaVersion::layout`]); mapping columns the
//! layout lacks (the avails extension terms such as `allowAds`) are appended
//! when used.
//!
//! What EMA cannot carry (reported per value as a [`Loss`], never silently):
//! - attributes the mapping has no column for (unknown `extra` attributes,
//!   a second Asset, a second Territory, a second TitleInternalAlias entry, a
//!   second SharedEntitlement, an ecosystem other than DMA: the reference
//!   allows only DMA and the mapping has no rule for EMA's UV_ID column);
//! - `_asset` on a language is carried only by the avails extension syntax
//!   `lang:asset` (`fr-CA:subtitle`), which other EMA readers do not know;
//! - one PriceCurrency per row: every Money term of a row gets the same
//!   currency back, and a Text price term (Tier, Category) gets it as
//!   `Money._currency`; a `Money` currency on any other non-Money term is lost;
//! - one price triple per row: a second price-like term that has no column
//!   of its own is lost;
//! - a term with no value is carried only as a PriceType with no PriceValue;
//! - an absent `_contentID` comes back as the ALID (EMA's fallback);
//! - text is trimmed and a cell starting with `//` is an EMA comment;
//! - a zero fraction of a date-time without offset (`…T00:00:00.000`, kept
//!   verbatim from MDDF) is dropped by the EMA reader's date formatter: the
//!   same local time, written without `.000`.

pub mod csv_out;
pub mod mddf;
mod rows;
mod table;
mod terms;
mod values;
pub mod xlsx;

pub use csv_out::{export_csv, write_csv};
pub use mddf::{export_mddf, mddf_xml, MddfDocument, Rejected};
pub use rows::build_table;
pub use table::{CellValue, Loss, Table};
pub use xlsx::{export_xlsx, xlsx_bytes};

use avails_mapping::{LayoutColumn, Mapping};

/// Errors writing an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The workbook could not be built or saved.
    #[error("cannot write workbook {file}: {source}")]
    Xlsx {
        /// The output file (or `buffer`).
        file: String,
        /// rust_xlsxwriter's error, or the system's.
        #[source]
        source: BoxedError,
    },
    /// The output's extension is none of `.xlsx`, `.csv`, `.xml`.
    #[error("cannot export to {file}: the extension must be .xlsx, .csv or .xml")]
    Unsupported {
        /// The output file.
        file: String,
    },
    /// The MDDF XML could not be built.
    #[error("cannot build MDDF XML: {source}")]
    Xml {
        /// What went wrong: serde_json's or the system's error.
        #[source]
        source: BoxedError,
    },
    /// The MDDF XML written does not read back as MDDF Avails.
    #[error("cannot build MDDF XML: the XML written does not read back: {source}")]
    ReadBack {
        /// What the MDDF reader said.
        #[source]
        source: avails_mddf::MddfError,
    },
    /// A file could not be written.
    #[error("cannot write {file}: {source}")]
    Write {
        /// The output file.
        file: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Payloads MDDF cannot take: left out of the file, which holds the
    /// others (or is not written when there are none).
    #[error(
        "{file}: {} payload(s) cannot be written as valid MDDF Avails and were left out \
         ({written} written)",
        distinct(rejected)
    )]
    Rejected {
        /// The output file.
        file: String,
        /// Payloads written to the file.
        written: usize,
        /// Every reason of every payload left out.
        rejected: Vec<mddf::Rejected>,
        /// What the payloads written cannot carry.
        losses: Vec<Loss>,
    },
    /// No payload to write: an MDDF `AvailList` needs at least one `Avail`.
    #[error("{file}: no payload to write (an MDDF AvailList needs at least one Avail)")]
    Empty {
        /// The output file.
        file: String,
    },
    /// The CSV could not be written.
    #[error("cannot write CSV {file}: {source}")]
    Csv {
        /// The output file (or `writer`).
        file: String,
        /// The csv writer's error, or the system's.
        #[source]
        source: BoxedError,
    },
}

/// A library's error, kept whole as the cause of an [`ExportError`].
pub type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// How many payloads a list of rejections names.
fn distinct(rejected: &[mddf::Rejected]) -> usize {
    let mut seen: Vec<usize> = rejected.iter().map(|r| r.avail).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Writes avails as `.xlsx`, `.csv` (EMA) or `.xml` (MDDF Avails 2.6) by the
/// path's extension; returns what the file cannot carry. `options` apply to
/// the EMA formats. MDDF refuses some payloads: [`ExportError::Rejected`]
/// names them (the file holds the others), [`ExportError::Empty`] says there
/// was nothing to write.
pub fn export_file(
    avails: &[avails_model::Avail],
    options: &ExportOptions,
    path: &std::path::Path,
) -> Result<Vec<Loss>, ExportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" => export_xlsx(avails, options, path),
        "csv" => export_csv(avails, options, path),
        "xml" => export_mddf(avails, path),
        _ => Err(ExportError::Unsupported {
            file: path.display().to_string(),
        }),
    }
}

/// The EMA spreadsheet version of the header rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmaVersion {
    /// EMA 1.7 (no version in the comment row).
    V1_7,
    /// EMA 1.8 (version `1.8` in A3).
    #[default]
    V1_8,
}

impl EmaVersion {
    /// The version text, e.g. `1.8`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1_7 => "1.7",
            Self::V1_8 => "1.8",
        }
    }

    /// The column layout (section, column name, comment per column), from
    /// the versions table the `--explain` checks read too.
    pub fn layout(self) -> &'static [LayoutColumn] {
        avails_mapping::export_layout(self.as_str())
            .expect("the embedded EMA versions table has a layout for every export version")
    }
}

impl std::str::FromStr for EmaVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "1.8" | "1.8.0" => Ok(Self::V1_8),
            "1.7" | "1.7.2" | "1.7.3" => Ok(Self::V1_7),
            other => Err(format!("unknown EMA version `{other}` (allowed: 1.7, 1.8)")),
        }
    }
}

/// Options of an export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The mapping table to invert (the default table unless the user's).
    pub mapping: Mapping,
    /// EMA version of the header rows.
    pub version: EmaVersion,
    /// Worksheet name (XLSX only).
    pub sheet_name: String,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            mapping: Mapping::default_table(),
            version: EmaVersion::default(),
            sheet_name: "Avails".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_export_version_has_its_layout() {
        // TV_v1.7.3 with the movie columns of Movies_v1.7.2: 102 columns;
        // Avails_noErrors_v2.3_v1.8: 109.
        assert_eq!(EmaVersion::V1_7.layout().len(), 102);
        assert_eq!(EmaVersion::V1_8.layout().len(), 109);
        // 1.7 spells the bundle column BundleALIDs, 1.8 BundledALIDs.
        let names = |v: EmaVersion| {
            v.layout()
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
        };
        assert!(names(EmaVersion::V1_7).contains(&"BundleALIDs"));
        assert!(names(EmaVersion::V1_8).contains(&"BundledALIDs"));
    }
}
