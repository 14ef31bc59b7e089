//! Conversion: read every input (EMA XLSX/XLS/CSV, MDDF XML, payload JSON),
//! group their transactions by ALID, territory and business line into
//! `FullExtract` payloads (or `FullDelete`), and keep where each came from.
//!
//! Every input becomes a stream of [`Item`]s (one transaction with its avail
//! and asset attributes); the [`Grouper`] builds the payloads, so EMA rows,
//! XML avails and JSON payloads follow the same grouping rules.

pub mod check;
pub mod error;
pub mod group;
pub mod input;
pub mod locate;
pub mod partial;
pub mod payload;
mod typed;

pub use check::{check, Finding};
pub use error::{ConvertError, Problem, Severity};
pub use group::{Grouped, Grouper, Item};
pub use input::{convert_inputs, Conversion, ConvertOptions, InputKind};
pub use payload::{Payload, Source};
