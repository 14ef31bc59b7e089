//! Conversion: read every input (EMA XLSX/XLS/CSV, MDDF XML, payload JSON)
//! and build the payloads it says, all or nothing per full extract.
//!
//! EMA rows and MDDF transactions become [`Item`]s; the [`Grouper`] builds
//! one `FullExtract` (or `FullDelete`, or one `PartialExtract` per window)
//! per ALID, territory and business line, following one set of merging
//! rules (module `merge`) for both readers. A group with any
//! rejected row is held back whole ([`HeldBack`]): a full extract missing a
//! row would delete that window on the server. Payload JSON is taken as
//! given. Every finding is a located [`Diagnostic`].

pub mod check;
pub mod codes;
mod collect;
mod conversion;
mod ema_rows;
pub mod error;
pub mod group;
mod input;
mod item;
mod json;
pub mod locate;
mod merge;
pub mod output;
mod packed;
pub mod partial;
pub mod payload;
pub mod pipeline;
mod policy;
pub mod spans;
mod typed;
mod wording;

pub use avails_mapping::ColumnStatus;
pub use avails_model::{Diagnostic, Severity};
pub use check::{check, check_payload};
pub use collect::{ColumnAccount, ConvertOptions, FileSummary, InputKind, SheetSummary};
pub use conversion::{convert_inputs, Conversion, RowCounts};
pub use error::ConvertError;
pub use group::{Closed, Event, GroupId, GroupKey, Grouper, Outcome, SpillError};
pub use item::Item;
pub use payload::{Blocking, HeldBack, Payload, Scope, Source};

/// A 64-bit hash of a text, for sets that must stay small on a million
/// entries: two different texts share one about once in 10^19 pairs.
pub(crate) fn hash_of(text: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(text)
}
