//! Semantic diff of what a sheet says (converted [`Payload`]s) against what
//! the Avails API holds (the [`Avail`]s a GET returns).
//!
//! Rules (each has a unit test in its module):
//! - transactions are matched by `_TransactionID`, else by the natural key
//!   (LicenseType, FormatProfile, ChannelIdentity term, Start);
//! - arrays whose order carries no meaning (languages, Terms, Territory,
//!   BundleAsset, SharedEntitlement) are compared as sets;
//! - Start, End and Event values are compared as instants when both carry an
//!   offset (`09:00:00Z` equals `10:00:00+01:00`); values without an offset
//!   compare as written; durations compare by length (`PT48H` equals `P2D`);
//! - numbers compare numerically (`1000` equals `1000.0`);
//! - Terms are matched by name (case-insensitive) and compared by typed value;
//! - the server's known normalizations ([`KNOWN_NORMALIZATIONS`]) are not
//!   differences.
//!
//! Renderers: [`render_text`] (a review, grouped per title), [`render_json`]
//! (stable, for scripts) and [`render_html`] (one self-contained page with a
//! timeline of availability windows per title).
//!
//! [`Payload`]: avails_convert::Payload
//! [`Avail`]: avails_model::Avail

mod compare;
mod html;
mod matching;
mod model;
mod normalize;
mod text;
mod timeline;
mod values;
mod walk;

pub use compare::{diff, diff_title, diff_with_refusals, server_key};
pub use html::render_html;
pub use model::{
    DiffReport, Difference, FieldChange, Side, Subject, Summary, TitleDiff, TitleKey, TitleStatus,
    Window,
};
pub use normalize::{Normalization, KNOWN_NORMALIZATIONS};
pub use text::{render_json, render_text};

/// Errors of the renderers.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The report could not be serialized.
    #[error("cannot serialize the diff report: {0}")]
    Json(#[from] serde_json::Error),
}
