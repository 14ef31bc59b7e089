//! MDDF Avails XML export: payloads (`Avail`s) written as an `AvailList` of
//! MDDF Avails 2.6 (`avails-v2.6.xsd`, the "MDDF API v2.6" the reference
//! names), the inverse of the reference's four XML→JSON rules and of
//! `avails-mddf`'s normalization, so `avails convert` of the file gives the
//! payloads back. Other platforms take MDDF too.
//!
//! How each part is written:
//! - `_name` properties become attributes (`_contentID` → `contentID`,
//!   `_asset` → `asset`, `_termName` → `termName`, `_currency` → `currency`),
//!   `value` the element's text, arrays repeated elements, in the schema's
//!   element order;
//! - `EntryType` takes MDDF's spelling (`Full Extract`, `Full Delete`);
//! - `BundleAsset` is MDDF's `BundledAsset`; an episode's `SeriesMetadata`
//!   goes back inside its `SeasonMetadata`, where MDDF has it;
//! - a window without `End` gets `<EndCondition>Open</EndCondition>` (the
//!   schema requires an End or a condition);
//! - a `ChannelIdentity` term that every transaction carries with the same
//!   name becomes the asset's `GroupingEntity` of type `channel` (where
//!   MovieLabs writes EMA's `GroupIdentity`); otherwise it stays a `Term`;
//! - `AvailType` (from the WorkType) and `ShortDescription`, required by the
//!   schema and absent from the API, are written for MDDF readers.
//!
//! What MDDF cannot carry is reported per value as a [`Loss`], never
//! silently: the written XML is read back with `avails-mddf` and compared
//! with each payload (Terms as a set), so any value that would not come
//! back (an attribute the schema has no place for, an empty string, a
//! language holding a space, characters XML 1.0 forbids, ...) is named with
//! its pointer and why. Values the API requires but a payload lacks stay
//! absent: the XML is then not schema-valid, as the payload is not valid.

mod avail;
mod check;
mod transaction;
mod write;

use std::path::Path;

use avails_model::Avail;

use crate::{ExportError, Loss};

/// The MDDF Avails schema version written.
pub const MDDF_AVAILS_VERSION: &str = "2.6";
/// Namespace of MDDF Avails 2.6 (prefix `avails`).
pub const AVAILS_NAMESPACE: &str = "http://www.movielabs.com/schema/avails/v2.6/avails";
/// Namespace of MovieLabs Common Metadata 2.10, which Avails 2.6 imports (prefix `md`).
pub const MD_NAMESPACE: &str = "http://www.movielabs.com/schema/md/v2.10/md";
/// Namespace of MovieLabs Media Entertainment Core 2.10 (prefix `mdmec`).
pub const MDMEC_NAMESPACE: &str = "http://www.movielabs.com/schema/mdmec/v2.10";

/// The avails as an MDDF Avails XML document, and what it cannot carry.
pub fn mddf_xml(avails: &[Avail]) -> Result<(String, Vec<Loss>), ExportError> {
    let io = |e: std::io::Error| ExportError::Xml {
        message: e.to_string(),
    };
    let mut doc = write::Doc::new().map_err(io)?;
    doc.open(
        "avails:AvailList",
        &[
            ("xmlns:avails", AVAILS_NAMESPACE),
            ("xmlns:md", MD_NAMESPACE),
            ("xmlns:mdmec", MDMEC_NAMESPACE),
        ],
    )
    .map_err(io)?;
    let mut expected = Vec::with_capacity(avails.len());
    let mut notes = Vec::with_capacity(avails.len());
    for avail in avails {
        let value = serde_json::to_value(avail).map_err(|e| ExportError::Xml {
            message: e.to_string(),
        })?;
        let map = value.as_object().cloned().unwrap_or_default();
        avail::avail(&mut doc, map).map_err(io)?;
        notes.push((
            std::mem::take(&mut doc.unplaced),
            std::mem::take(&mut doc.stripped),
        ));
        expected.push(value);
    }
    doc.close("avails:AvailList").map_err(io)?;
    let xml = doc.finish();
    let read = avails_mddf::read_avails(&xml).map_err(|e| ExportError::Xml {
        message: format!("the XML written does not read back: {e}"),
    })?;
    let mut losses = Vec::new();
    for (i, (value, (unplaced, stripped))) in expected.iter().zip(&notes).enumerate() {
        let got = read.get(i).and_then(|p| p.payload.get("avail"));
        let alid = avails[i].alid.clone();
        for change in check::changes(value, got) {
            losses.push(Loss {
                avail: i,
                alid: alid.clone(),
                row: None,
                reason: check::reason(&change, unplaced, stripped),
                pointer: change.pointer,
            });
        }
    }
    Ok((xml, losses))
}

/// Writes the avails as an MDDF Avails XML file; returns what it cannot carry.
pub fn export_mddf(avails: &[Avail], path: &Path) -> Result<Vec<Loss>, ExportError> {
    let (xml, losses) = mddf_xml(avails)?;
    std::fs::write(path, xml).map_err(|e| ExportError::Write {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(losses)
}
