//! The units of a streamed conversion, kept on disk until the run ends.
//!
//! [`Spool`] is the conversion's sink for `submit`: each payload is checked
//! as its group closes, planned into units, and each unit's body written to
//! an anonymous temporary file; memory keeps only what deciding needs (key,
//! content hash, where the body is). Nothing may be sent before the
//! conversion ends, since a later row of an unsorted sheet can reopen a
//! group; then [`crate::submit_spooled`] decides every unit from the
//! journal and reads bodies back a chunk at a time as they are sent.

use std::collections::HashMap;

use avails_convert::check::Checker;
use avails_convert::pipeline::{ByGroup, Sink, SinkError};
use avails_convert::spans::{Span, SpanFile};
use avails_convert::{Diagnostic, GroupId, HeldBack, Payload};
use avails_journal::content_hash_node;
use avails_mapping::Mapping;
use avails_model::{AvailRequest, Location};

use crate::plan::{duplicate_key, plan_owned, unique_keys, UnitKind};
use crate::Unit;

/// One unit whose body is in the spool file.
#[derive(Debug, Clone)]
pub struct SpooledUnit {
    /// Journal key.
    pub key: String,
    /// SHA-256 of the canonical body.
    pub hash: String,
    /// How it is sent.
    pub kind: UnitKind,
    /// The title: its TitleInternalAlias (the episode's, season's or
    /// series' for those), else its ALID.
    pub title: String,
    /// Where it was read: the first row of its title (or its file).
    pub source: String,
    /// Where its body is in the spool's file.
    span: Span,
    /// The payload it came from (index into the spool's payloads).
    payload: u32,
    /// The rows it was built from, each with its TransactionID (kept only
    /// by a spool made [`Spool::with_sources`]).
    sources: Vec<RowSource>,
}

/// A row a unit was built from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowSource {
    /// The row (or XML element).
    pub location: Location,
    /// The row's TransactionID, when it has one.
    #[serde(rename = "transactionId", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

impl SpooledUnit {
    /// The rows it was built from (empty unless the spool keeps them).
    pub fn sources(&self) -> &[RowSource] {
        &self.sources
    }
}

/// What the spool remembers of a payload: enough to name it in a finding
/// (kept on disk: it is read back only for a key two units share).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct PayloadNote {
    alid: String,
    location: Location,
}

/// What one group's payloads found, replaced if it is reopened (kept only
/// for groups that found something).
#[derive(Debug, Default)]
struct GroupEntry {
    refused: usize,
    unsendable: usize,
    findings: Vec<Diagnostic>,
}

/// Errors of the spool file: the run cannot go on without it.
#[derive(Debug, thiserror::Error)]
#[error("the temporary file that holds the payloads to send failed: {0}")]
pub struct SpoolError(#[from] std::io::Error);

/// Payloads checked and planned as their groups close, their bodies on disk.
pub struct Spool<'m> {
    checker: Checker<'m>,
    licensor: String,
    partial: bool,
    /// Each unit's body, to send once the run ends.
    bodies: SpanFile,
    units: Vec<Option<SpooledUnit>>,
    /// Per payload planned: where its [`PayloadNote`] is in `notes`.
    payloads: Vec<Span>,
    notes: SpanFile,
    /// Which units each group gave.
    by_group: ByGroup,
    groups: HashMap<GroupId, GroupEntry>,
    progress: Option<Box<dyn FnMut(usize) + Send + 'm>>,
    /// Whether units keep the rows they came from.
    keep_sources: bool,
}

impl std::fmt::Debug for Spool<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Spool({} units)", self.units.len())
    }
}

impl<'m> Spool<'m> {
    /// A spool in a new anonymous temporary file (removed when dropped).
    /// `partial` sends full extracts as partial-extract batches too.
    pub fn new(mapping: &'m Mapping, licensor: &str, partial: bool) -> Result<Self, SpoolError> {
        Ok(Self {
            checker: Checker::new(mapping),
            licensor: licensor.to_string(),
            partial,
            bodies: SpanFile::new()?,
            units: Vec::new(),
            payloads: Vec::new(),
            notes: SpanFile::new()?,
            by_group: ByGroup::default(),
            groups: HashMap::new(),
            progress: None,
            keep_sources: false,
        })
    }

    /// Keeps, for each unit, the rows it was built from and their
    /// TransactionIDs (for a report per row; costs memory per row).
    pub fn with_sources(mut self) -> Self {
        self.keep_sources = true;
        self
    }

    /// Calls `progress` with the rows read so far.
    pub fn with_progress(mut self, progress: impl FnMut(usize) + Send + 'm) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Payloads validation refuses (never sent).
    pub fn refused(&self) -> usize {
        self.groups.values().map(|g| g.refused).sum()
    }

    /// Transactions planning could not make a unit of (a partial extract
    /// without a TransactionID).
    pub fn unsendable(&self) -> usize {
        self.groups.values().map(|g| g.unsendable).sum()
    }

    /// What validation and planning found: errors of refused payloads and
    /// transactions that cannot be sent.
    pub fn findings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.groups.values().flat_map(|g| &g.findings)
    }

    /// Units to send, and units refused because two share one key (two
    /// rows addressing one resource in a run: neither is sent).
    pub fn finish(mut self) -> Result<(Spooled, Vec<Diagnostic>), SpoolError> {
        let units = self.units.into_iter().flatten().collect();
        let mut shared = Vec::new();
        let keep = unique_keys(
            units,
            |u: &SpooledUnit| &u.key,
            |u, n| shared.push((u.payload, n, u.key.clone())),
        );
        // The notes of the payloads named, read back in file order.
        let mut named: Vec<u32> = shared.iter().map(|(p, _, _)| *p).collect();
        named.sort_unstable();
        named.dedup();
        let spans = named.iter().map(|&p| self.payloads[p as usize]);
        let mut notes = std::collections::HashMap::new();
        for (&p, record) in named.iter().zip(self.notes.read(spans)?) {
            let note: PayloadNote =
                serde_json::from_slice(&record?).map_err(std::io::Error::from)?;
            notes.insert(p, note);
        }
        // Every payload named was read back above (or the read failed).
        let problems = shared
            .iter()
            .map(|(p, n, key)| {
                let note = &notes[p];
                duplicate_key(&note.alid, &note.location, *n, key)
            })
            .collect();
        Ok((
            Spooled {
                bodies: self.bodies,
                units: keep,
            },
            problems,
        ))
    }

    fn write(&mut self, request: &AvailRequest) -> Result<Span, SpoolError> {
        let bytes = serde_json::to_vec(request).map_err(std::io::Error::other)?;
        Ok(self.bodies.put(&bytes)?)
    }
}

impl Sink for Spool<'_> {
    fn payload(&mut self, group: GroupId, payload: Payload) -> Result<(), SinkError> {
        let found = self.checker.check(&payload);
        let errors: Vec<Diagnostic> = found.into_iter().filter(|d| d.is_error()).collect();
        if !errors.is_empty() {
            let entry = self.groups.entry(group).or_default();
            entry.refused += 1;
            entry.findings.extend(errors);
            return Ok(());
        }
        // The request as sent (not a payload file taken as given) is hashed
        // from the document the rules have just read, when the plan sends
        // it whole (a partial extract hashes each transaction's own body).
        let given = payload.given.is_some();
        let checker = &self.checker;
        let hash = || (!given).then(|| content_hash_node(checker.checked()));
        let note = PayloadNote {
            alid: payload.alid.clone(),
            location: payload.avail_source.location.clone(),
        };
        let rows = match self.keep_sources {
            true => payload_rows(&payload),
            false => Vec::new(),
        };
        let title = title_of(&payload);
        let source = payload.avail_source.location.to_string();
        let (units, problems) = plan_owned(payload, &self.licensor, self.partial, hash);
        let ordinal = self.payloads.len() as u32;
        let note = self.notes.put(&serde_json::to_vec(&note)?)?;
        self.payloads.push(note);
        // A payload sent whole is the request just checked: its body is
        // written from the checker's document when that is exact.
        let whole = matches!(units.as_slice(), [u] if matches!(u.kind, UnitKind::Full { .. }));
        for unit in units {
            let mut body = Vec::new();
            let span = match whole && !given && self.checker.write_checked(&mut body) {
                true => self.bodies.put(&body)?,
                false => self.write(&unit.request)?,
            };
            let sources = unit_rows(&rows, &unit.kind);
            self.by_group.add(group, self.units.len());
            self.units.push(Some(SpooledUnit {
                sources,
                key: unit.key,
                hash: unit.hash,
                kind: unit.kind,
                title: title.clone(),
                source: source.clone(),
                span,
                payload: ordinal,
            }));
        }
        if !problems.is_empty() {
            let entry = self.groups.entry(group).or_default();
            entry.unsendable += problems.len();
            entry.findings.extend(problems);
        }
        Ok(())
    }

    fn held_back(&mut self, _held: &HeldBack) -> Result<(), SinkError> {
        Ok(())
    }

    fn reopened(&mut self, group: GroupId) -> Result<(), SinkError> {
        self.groups.remove(&group);
        for i in self.by_group.take(group) {
            self.units[i] = None;
        }
        Ok(())
    }

    fn progress(&mut self, rows: usize) {
        if let Some(p) = &mut self.progress {
            p(rows);
        }
    }
}

/// Of a payload's rows ([`payload_rows`]), those a unit of it was built
/// from: all of them for a full extract, the transaction's for a partial
/// one.
pub fn unit_rows(rows: &[RowSource], kind: &UnitKind) -> Vec<RowSource> {
    match kind {
        UnitKind::Partial { transaction_id } => rows
            .iter()
            .filter(|r| r.transaction_id.as_ref() == Some(transaction_id))
            .cloned()
            .collect(),
        UnitKind::Full { .. } => rows.to_vec(),
    }
}

/// The rows of a payload, each once, with the TransactionID of the
/// transaction it gave (the avail's own row first when no transaction
/// names it): what `avails submit --report` and the page's receipt give a
/// status.
pub fn payload_rows(payload: &Payload) -> Vec<RowSource> {
    let mut out: Vec<RowSource> = Vec::new();
    for (i, source) in payload.transaction_sources.iter().enumerate() {
        if out.iter().any(|r| r.location == source.location) {
            continue;
        }
        out.push(RowSource {
            location: source.location.clone(),
            transaction_id: payload
                .request
                .avail
                .transaction
                .get(i)
                .and_then(|t| t.transaction_id.clone()),
        });
    }
    if !out
        .iter()
        .any(|r| r.location == payload.avail_source.location)
    {
        out.insert(
            0,
            RowSource {
                location: payload.avail_source.location.clone(),
                transaction_id: None,
            },
        );
    }
    out
}

/// A payload's title for people: the first TitleInternalAlias of its asset
/// (a work's, else an episode's, season's or series'), else its ALID.
fn title_of(payload: &Payload) -> String {
    let first = |v: Option<&Vec<String>>| {
        v.and_then(|v| v.first())
            .filter(|t| !t.trim().is_empty())
            .cloned()
    };
    payload
        .request
        .avail
        .asset
        .first()
        .and_then(|a| {
            first(a.metadata.as_ref().map(|m| &m.title_internal_alias))
                .or_else(|| first(a.episode_metadata.as_ref().map(|m| &m.title_internal_alias)))
                .or_else(|| {
                    first(
                        a.season_metadata
                            .as_ref()
                            .and_then(|m| m.season_title_internal_alias.as_ref()),
                    )
                })
                .or_else(|| {
                    first(
                        a.series_metadata
                            .as_ref()
                            .and_then(|m| m.series_title_internal_alias.as_ref()),
                    )
                })
        })
        .unwrap_or_else(|| payload.alid.clone())
}

/// The units of a finished conversion, their bodies on disk.
#[derive(Debug)]
pub struct Spooled {
    bodies: SpanFile,
    units: Vec<SpooledUnit>,
}

impl Spooled {
    /// The units, in the order their groups closed.
    pub fn units(&self) -> &[SpooledUnit] {
        &self.units
    }

    /// The units at `indices` of [`Spooled::units`], with their bodies read
    /// back (in one pass over the file when the indices ascend).
    pub fn load(&mut self, indices: &[usize]) -> Result<Vec<Unit>, SpoolError> {
        let units = &self.units;
        let spans = indices.iter().map(|&i| units[i].span);
        let mut loaded = Vec::with_capacity(indices.len());
        for (&i, bytes) in indices.iter().zip(self.bodies.read(spans)?) {
            let request: AvailRequest =
                serde_json::from_slice(&bytes?).map_err(std::io::Error::other)?;
            let unit = &units[i];
            loaded.push(Unit {
                key: unit.key.clone(),
                hash: unit.hash.clone(),
                kind: unit.kind.clone(),
                request,
                payload: unit.payload as usize,
            });
        }
        Ok(loaded)
    }
}
