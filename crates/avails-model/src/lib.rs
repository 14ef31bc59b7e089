//! Types for the Prime Video Avails API: the `Avail` payload, its parts, and
//! the request/response envelopes, serialized with the reference's exact
//! field names.
//!
//! Enumerated attributes (`WorkType`, `LicenseType`, `FormatProfile`, ...) are
//! kept as strings so a value the reference does not list is preserved when a
//! payload is read and reported by the validator instead of failing to parse;
//! the allowed values live in [`enums`]. Every struct keeps attributes it does
//! not know in an `extra` map so nothing read from a payload vanishes.

pub mod api;
pub mod avail;
pub mod canonical;
pub mod diagnostic;
pub mod doc;
pub mod enums;
pub mod envelope;
pub mod limits;
pub mod location;
pub mod scope;
pub mod term;
pub mod text;
pub mod time;

#[cfg(test)]
mod test_json;

pub use api::MAX_BATCH_ITEMS;
pub use avail::*;
pub use diagnostic::{Diagnostic, Origin, Severity};
pub use enums::{BusinessLine, EntryType};
pub use envelope::*;
pub use location::Location;
pub use scope::Scope;
pub use term::{Money, Term, TermValueKind};

/// Attributes a payload carried that the model has no field for.
pub type Extra = serde_json::Map<String, serde_json::Value>;
