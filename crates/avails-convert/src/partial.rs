//! `PartialExtract` payloads: one per transaction of a full payload, keyed
//! by its ID (`avails submit --partial`).

use avails_model::{AvailRequest, Diagnostic, Disposition, EntryType};

use crate::codes::CV_NO_TRANSACTION_ID;
use crate::Payload;

/// One transaction as a partial extract.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialPayload {
    /// The transaction ID (the resource path's last segment).
    pub transaction_id: String,
    /// The request body.
    pub request: AvailRequest,
    /// Index of the transaction in its full payload.
    pub index: usize,
}

/// Splits a payload into one partial extract per transaction. A
/// transaction without `_TransactionID` cannot be addressed and is reported.
pub fn partial_extracts(payload: &Payload) -> (Vec<PartialPayload>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (index, t) in payload.request.avail.transaction.iter().enumerate() {
        let Some(id) = t.transaction_id.clone().filter(|s| !s.is_empty()) else {
            problems.push(
                Diagnostic::of(
                    CV_NO_TRANSACTION_ID,
                    payload.transaction_sources[index].location.clone(),
                    format!(
                        "{}: a partial extract needs a TransactionID (EMA column AvailID)",
                        payload.alid
                    ),
                )
                .for_alid(payload.alid.clone()),
            );
            continue;
        };
        let mut request = payload.request.clone();
        request.avail.transaction = vec![t.clone()];
        request.avail.disposition = Some(Disposition {
            entry_type: EntryType::PartialExtract,
            ..Disposition::default()
        });
        out.push(PartialPayload {
            transaction_id: id,
            request,
            index,
        });
    }
    (out, problems)
}
