//! One transaction read from any input, with what it says about its payload.

use std::sync::Arc;

use avails_ema::{Candidate, EndMarker, RowKey};
use avails_model::AvailTrans;
use serde_json::{Map, Value};

use crate::Source;

/// One transaction with the avail and asset attributes it was given with.
#[derive(Debug, Clone)]
pub struct Item {
    /// Which payload it belongs to, as its source says (read even when the
    /// rest of the row is rejected, so the payloads it could belong to are
    /// held back).
    pub key: RowKey,
    /// Avail-level attributes (ALID, Disposition, Licensor, SharedEntitlement...).
    pub avail: Arc<Map<String, Value>>,
    /// The asset.
    pub asset: Arc<Map<String, Value>>,
    /// Values of paths with fallbacks, resolved for the whole payload.
    pub candidates: Arc<Vec<Candidate>>,
    /// The transaction.
    pub transaction: AvailTrans,
    /// An End still to resolve (`ESTStart`).
    pub end_marker: Option<EndMarker>,
    /// Where it came from.
    pub source: Source,
    /// Why it is rejected (its first error), if it is: its payload is held
    /// back whole.
    pub rejected: Option<String>,
    /// The cells where its errors were reported (a rejected row's other
    /// cells are still checked, once each).
    pub error_cells: Vec<avails_model::Location>,
}

impl Item {
    /// The key of a payload-shaped item: ALID from the avail, territory,
    /// license type and channel from the transaction, entry type from the
    /// avail's Disposition.
    pub fn key_of(avail: &Map<String, Value>, transaction: &AvailTrans) -> RowKey {
        let channel = transaction.terms.as_ref().and_then(|terms| {
            terms
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case("ChannelIdentity"))
                .and_then(|t| t.text.clone())
        });
        RowKey {
            alid: avail
                .get("ALID")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string),
            territories: transaction
                .territory
                .iter()
                .map(|r| r.country.clone())
                .collect(),
            license_type: transaction.license_type.clone(),
            channel,
            entry_type: avail
                .get("Disposition")
                .and_then(|d| d.get("EntryType"))
                .and_then(Value::as_str)
                .map(avails_model::EntryType::from_wire),
        }
    }
}
