//! Groups closed before the end of the input, kept on disk until the rare
//! row that reopens one (a sheet not sorted by title): memory stays bounded
//! by the groups still open, whatever the size of the catalog. Used on the
//! second read of an unsorted input, or on the only read of one that cannot
//! be read twice (see [`crate::pipeline`]). Records are MessagePack with
//! named fields: every closed group is written, so the format must be cheap
//! to write (strings are copied, not escaped as in
//! JSON), and self-describing, as the groups hold JSON values.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use avails_ema::{Candidate, EndMarker};
use avails_model::{AvailTrans, Location};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Group, Transaction};
use crate::Source;

/// Where a spilled group is in the spill file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpillRef {
    offset: u64,
    len: u64,
}

/// A sheet's column map, shared by every source of that sheet.
type Columns = Arc<BTreeMap<String, String>>;

/// The spill file, and the sheets' column maps its sources point at.
pub(crate) struct Spill {
    file: BufWriter<std::fs::File>,
    end: u64,
    columns: HashMap<usize, Columns>,
    /// The record being written, reused from group to group.
    buffer: Vec<u8>,
}

impl std::fmt::Debug for Spill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Spill({} bytes)", self.end)
    }
}

/// Errors of the spill file: the run cannot go on without it.
#[derive(Debug, thiserror::Error)]
#[error("the temporary file that holds groups closed early failed: {0}")]
pub struct SpillError(#[from] std::io::Error);

impl Spill {
    /// A new, anonymous temporary file (removed when dropped).
    pub fn new() -> Result<Self, SpillError> {
        Ok(Self {
            file: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            end: 0,
            columns: HashMap::new(),
            buffer: Vec::new(),
        })
    }

    /// Writes a group; where it is.
    pub fn put(&mut self, group: &Group) -> Result<SpillRef, SpillError> {
        let mut bytes = std::mem::take(&mut self.buffer);
        bytes.clear();
        let record = self.record(group);
        rmp_serde::encode::write_named(&mut bytes, &record).map_err(std::io::Error::other)?;
        self.file.write_all(&bytes)?;
        let at = SpillRef {
            offset: self.end,
            len: bytes.len() as u64,
        };
        self.buffer = bytes;
        self.end += at.len;
        Ok(at)
    }

    /// Reads a group back.
    pub fn get(&mut self, at: SpillRef) -> Result<Group, SpillError> {
        self.file.flush()?;
        let file = self.file.get_mut();
        file.seek(SeekFrom::Start(at.offset))?;
        let mut bytes = vec![0; at.len as usize];
        file.read_exact(&mut bytes)?;
        file.seek(SeekFrom::Start(self.end))?;
        let record: Record = rmp_serde::from_slice(&bytes).map_err(std::io::Error::other)?;
        Ok(self.group(record))
    }

    fn source<'g>(&mut self, s: &'g Source) -> SpilledSourceRef<'g> {
        let columns = s.columns.as_ref().map(|c| {
            let id = Arc::as_ptr(c) as usize;
            self.columns.entry(id).or_insert_with(|| c.clone());
            id
        });
        SpilledSourceRef {
            location: &s.location,
            columns,
            lines: s.lines.as_deref(),
        }
    }

    /// A group as written: borrowed, nothing cloned but the sources' keys.
    fn record<'g>(&mut self, g: &'g Group) -> RecordRef<'g> {
        RecordRef {
            avail: g.avail.as_ref(),
            asset: g.asset.as_ref(),
            origins: &g.origins,
            first_origins: g.first_origins,
            origin_rows: g.origin_rows.iter().map(|s| self.source(s)).collect(),
            candidates: &g.candidates,
            avail_source: self.source(&g.avail_source),
            transactions: g
                .transactions
                .iter()
                .map(|t| SpilledTransactionRef {
                    body: &t.body,
                    source: self.source(&t.source),
                    end_marker: t.end_marker,
                })
                .collect(),
        }
    }

    fn back(&self, s: SpilledSource) -> Source {
        Source {
            location: s.location,
            columns: s.columns.and_then(|id| self.columns.get(&id).cloned()),
            lines: s.lines.map(Arc::new),
        }
    }

    fn group(&self, r: Record) -> Group {
        Group {
            avail: Arc::new(r.avail),
            asset: Arc::new(r.asset),
            origins: r.origins,
            first_origins: r.first_origins,
            origin_rows: r.origin_rows.into_iter().map(|s| self.back(s)).collect(),
            candidates: r.candidates,
            avail_source: self.back(r.avail_source),
            transactions: r
                .transactions
                .into_iter()
                .map(|t| Transaction {
                    body: t.body,
                    source: self.back(t.source),
                    end_marker: t.end_marker,
                })
                .collect(),
            given: None,
            last_avail: None,
            last_asset: None,
            last_candidates: None,
        }
    }
}

#[derive(Deserialize)]
struct SpilledSource {
    location: Location,
    columns: Option<usize>,
    lines: Option<BTreeMap<String, u32>>,
}

/// [`SpilledSource`] as written.
#[derive(Serialize)]
struct SpilledSourceRef<'g> {
    location: &'g Location,
    columns: Option<usize>,
    lines: Option<&'g BTreeMap<String, u32>>,
}

#[derive(Deserialize)]
struct SpilledTransaction {
    body: AvailTrans,
    source: SpilledSource,
    end_marker: Option<EndMarker>,
}

/// [`SpilledTransaction`] as written.
#[derive(Serialize)]
struct SpilledTransactionRef<'g> {
    body: &'g AvailTrans,
    source: SpilledSourceRef<'g>,
    end_marker: Option<EndMarker>,
}

#[derive(Deserialize)]
struct Record {
    avail: Map<String, Value>,
    asset: Map<String, Value>,
    origins: HashMap<String, u32>,
    first_origins: [Option<u32>; 2],
    origin_rows: Vec<SpilledSource>,
    candidates: Vec<(Candidate, Location)>,
    avail_source: SpilledSource,
    transactions: Vec<SpilledTransaction>,
}

/// [`Record`] as written.
#[derive(Serialize)]
struct RecordRef<'g> {
    avail: &'g Map<String, Value>,
    asset: &'g Map<String, Value>,
    origins: &'g HashMap<String, u32>,
    first_origins: [Option<u32>; 2],
    origin_rows: Vec<SpilledSourceRef<'g>>,
    candidates: &'g Vec<(Candidate, Location)>,
    avail_source: SpilledSourceRef<'g>,
    transactions: Vec<SpilledTransactionRef<'g>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(row: u32, columns: &Columns) -> Source {
        Source {
            location: Location {
                file: "catalogue été.xlsx".into(),
                sheet: Some("Movies".into()),
                row: Some(row),
                ..Location::default()
            },
            columns: Some(columns.clone()),
            lines: Some(Arc::new(BTreeMap::from([("/avail/ALID".into(), 7)]))),
        }
    }

    /// A group with what a messy sheet gives: nulls, a decimal, a negative
    /// number, quotes and accents, nested values and attributes the model
    /// does not name.
    fn messy_group() -> Group {
        let columns: Columns = Arc::new(BTreeMap::from([("Title".into(), "B".into())]));
        let avail: Value = serde_json::json!({
            "ALID": "md:alid:eidr-s:\"quoted\" Amélie",
            "Disposition": {"EntryType": "FullExtract"},
            "Licensor": null,
            "Odd": [1.5, -3, true, {"nested": ["x", null]}],
        });
        // Every field of a transaction and of its terms set, with attributes
        // the model does not name.
        let trans: AvailTrans = serde_json::from_value(serde_json::json!({
            "_TransactionID": "a-hd",
            "LicenseType": "EST",
            "Territory": [{"country": "FR", "_region": "x"}],
            "FormatProfile": {"value": "HD", "_hdr": "HDR10"},
            "Start": "2026-01-01T00:00:00",
            "End": "2027-01-01T23:59:59",
            "LicenseRightsDescription": "New Release",
            "ContractID": "C-1",
            "AssetLanguage": [{"value": "fr", "_asset": "audio", "_x": 1}],
            "AllowedLanguage": [{"value": "en"}, {"value": "de", "_asset": "sub"}],
            "HoldbackLanguage": [],
            "Terms": [
                {"_termName": "SRP", "Money": {"value": 4.99, "_currency": "EUR", "_tax": "incl"}},
                {"_termName": "WSP", "Money": {"_currency": "EUR"}},
                {"_termName": "Tier", "Text": "Gold \"1\"", "_note": null},
                {"_termName": "AnnounceDate", "Event": "2025-12-01T00:00:00"},
                {"_termName": "Exclusive", "Boolean": false},
                {"_termName": "RentalDuration", "Duration": "PT48H"},
                {"_termName": "CompleteYourBundleDiscountPercentage", "Number": -3},
            ],
            "OtherInstructions": "été",
            "Unnamed": {"k": "v"},
        }))
        .unwrap();
        Group {
            avail: Arc::new(avail.as_object().unwrap().clone()),
            asset: Arc::new(
                serde_json::json!({"_contentID": "t1", "WorkType": "Movie"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            origins: HashMap::from([("Asset.Metadata.TitleInternalAlias".into(), 0)]),
            first_origins: [None, Some(0)],
            origin_rows: vec![source(3, &columns)],
            avail_source: source(3, &columns),
            transactions: vec![Transaction {
                body: trans,
                source: source(4, &columns),
                end_marker: Some(EndMarker::EstStart),
            }],
            ..Group::default()
        }
    }

    /// What a group holds, in a form that compares.
    fn held(g: &Group) -> String {
        let bodies: Vec<Value> = g
            .transactions
            .iter()
            .map(|t| serde_json::to_value(&t.body).unwrap())
            .collect();
        format!(
            "{:?}",
            (
                &g.avail,
                &g.asset,
                &g.origins,
                g.first_origins,
                &g.origin_rows,
                &g.candidates,
                &g.avail_source,
                bodies,
                g.transactions
                    .iter()
                    .map(|t| (&t.source, t.end_marker))
                    .collect::<Vec<_>>(),
            )
        )
    }

    #[test]
    fn a_group_reads_back_as_it_was_written_among_others() {
        let mut spill = Spill::new().unwrap();
        let group = messy_group();
        let first = spill.put(&Group::default()).unwrap();
        let at = spill.put(&group).unwrap();
        let last = spill.put(&Group::default()).unwrap();
        assert_eq!(held(&spill.get(at).unwrap()), held(&group));
        assert_eq!(held(&spill.get(first).unwrap()), held(&Group::default()));
        assert_eq!(held(&spill.get(last).unwrap()), held(&Group::default()));
        // Read back again after more writes: the file's end is kept.
        let again = spill.put(&group).unwrap();
        assert_eq!(
            held(&spill.get(again).unwrap()),
            held(&spill.get(at).unwrap())
        );
    }
}
