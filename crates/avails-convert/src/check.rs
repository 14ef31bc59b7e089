//! Validation of converted payloads with `avails-rules`, each finding
//! located at the cell or XML element its value came from.

use crate::group::GroupId;
use crate::pipeline::{ByGroup, Sink, SinkError};
use crate::spans::{Span, SpanFile};
use crate::HeldBack;

use avails_mapping::Mapping;
use avails_model::doc::{Doc, Node};
use avails_model::{Diagnostic, EntryType, Location};

use crate::codes::CV_SHARED_TRANSACTION_ID;
use crate::{Conversion, Payload, Source};

/// Fills `doc` with the JSON a payload is validated as: exactly what an
/// input gave, or the payload as it will be sent (straight from its typed
/// form, no `Value` built). True when `doc` then writes exactly the JSON
/// `serde_json` writes of the request (see [`Doc::fill`]).
fn fill_payload(doc: &mut Doc, payload: &Payload) -> bool {
    match &payload.given {
        Some(v) => {
            doc.fill_value(v);
            false
        }
        None => doc.fill(&payload.request),
    }
}

/// The rules context of a payload: a partial extract is checked as one.
fn context(payload: &Payload) -> avails_rules::Context {
    avails_rules::Context {
        partial: payload.entry_type == EntryType::PartialExtract,
        expected_transaction_id: match payload.entry_type {
            EntryType::PartialExtract => payload.transaction_id().map(str::to_string),
            _ => None,
        },
        ..avails_rules::Context::default()
    }
}

/// Every rule one payload breaks, located.
pub fn check_payload(payload: &Payload, mapping: &Mapping) -> Vec<Diagnostic> {
    let mut doc = Doc::new();
    fill_payload(&mut doc, payload);
    check_payload_node(payload, mapping, doc.root())
}

/// [`check_payload`] of a payload whose JSON the caller already holds.
fn check_payload_node(payload: &Payload, mapping: &Mapping, value: Node) -> Vec<Diagnostic> {
    avails_rules::validate_node(value, &context(payload))
        .into_iter()
        .map(|d| locate(payload, mapping, d))
        .collect()
}

/// A rule's finding about a payload, traced back to where its value came from.
pub fn locate(payload: &Payload, mapping: &Mapping, d: Diagnostic) -> Diagnostic {
    let pointer = d.pointer().to_string();
    let transaction_id = transaction_index(&pointer)
        .and_then(|i| payload.request.avail.transaction.get(i))
        .and_then(|t| t.transaction_id.clone());
    let location = match &payload.given {
        // Payload JSON: the file and the pointer inside it.
        Some(_) => {
            let base = payload.avail_source.location.clone();
            let prefix = base
                .path
                .as_deref()
                .and_then(|p| p.strip_suffix("/avail"))
                .unwrap_or("")
                .to_string();
            base.with_path(format!("{prefix}{pointer}"))
        }
        None => crate::locate::locate(payload, mapping, &pointer),
    };
    let mut column = location
        .column
        .as_ref()
        .and_then(|_| crate::locate::column_name(payload, mapping, &pointer));
    let mut location = location;
    // A term missing (or no term at all) is about the transaction's terms
    // as a whole: in a sheet, at the cell where the term would be, or at
    // the cell that requires it.
    if payload.given.is_none() && location.column.is_none() {
        let term = crate::locate::term_named(&d.message);
        if let Some((cell, name, _)) = crate::locate::terms_cell(payload, mapping, &pointer, term) {
            location = cell;
            column = Some(name);
        }
    }
    let message = match &payload.given {
        Some(_) => d.message.clone(),
        None => crate::wording::in_sheet_words(&d, column.as_deref(), payload, mapping),
    };
    let payload_path = (location.path.as_deref() != Some(pointer.as_str())).then_some(pointer);
    Diagnostic {
        location,
        column,
        message,
        payload_path,
        alid: Some(payload.alid.clone()),
        transaction_id,
        ..d
    }
}

fn transaction_index(pointer: &str) -> Option<usize> {
    let rest = pointer.strip_prefix("/avail/Transaction/")?;
    rest.split('/').next()?.parse().ok()
}

/// Conversion findings plus every rule each payload breaks, and the rule
/// across payloads of a run (a TransactionID shared by two payloads, CV028). The second
/// value lists, per payload, whether it has an error.
pub fn check(conversion: &Conversion, mapping: &Mapping) -> (Vec<Diagnostic>, Vec<bool>) {
    let mut findings = conversion.diagnostics.clone();
    let mut failing = vec![false; conversion.payloads.len()];
    let mut checker = Checker::new(mapping);
    for (i, payload) in conversion.payloads.iter().enumerate() {
        let found = checker.check(payload);
        failing[i] = found.iter().any(Diagnostic::is_error);
        findings.extend(found);
    }
    (findings, failing)
}

/// Checks payloads one by one as they come, with the rule across the
/// payloads of a run: one `_TransactionID` on windows of two payloads is
/// reported (CV028, a warning) at the later one's cell, naming the earlier
/// one's. What is sent never depends on which comes first: as full
/// extracts both are sent (the server keys a window by title, territory and
/// business line before its ID, and the reference makes the ID optional in
/// a full extract); as partial extracts both units address one resource
/// and `submit --partial` sends neither (CV008). `docs/transaction-ids.md`
/// says why. A payload checked again (its group reopened) is the same
/// payload, by its key.
#[derive(Debug)]
pub struct Checker<'m> {
    mapping: &'m Mapping,
    /// Each `_TransactionID` seen (its hash, for memory that stays small on
    /// a million rows) → the payload that first used it and the row (EMA)
    /// or transaction index (XML, JSON) of its window there.
    /// Its keys are hashes already: hashed again with foldhash, not SipHash.
    seen: hashbrown::HashMap<u64, (u32, u32)>,
    /// Per payload that used an ID: its key's hash, its scope and where its
    /// first window with an ID came from, for the message.
    users: Vec<User>,
    /// The payload being checked, refilled for each (its buffers kept).
    doc: Doc,
    /// Whether `doc` writes exactly the JSON of the request last checked.
    exact: bool,
}

/// A payload that used a `_TransactionID`, as a later finding names it.
#[derive(Debug)]
struct User {
    key: u64,
    scope: Box<str>,
    /// The source of its first window with an ID (its sheet and columns).
    source: Source,
}

impl User {
    /// Where the window at `at` (a row for a sheet, else a transaction
    /// index) gave its ID.
    fn cell(&self, mapping: &Mapping, at: u32) -> String {
        if self.source.columns.is_some() {
            let source = Source {
                location: Location {
                    row: Some(at),
                    ..self.source.location.clone()
                },
                ..self.source.clone()
            };
            crate::locate::column_location(&source, mapping, "Transaction._TransactionID")
                .to_string()
        } else {
            format!("its Transaction {at} ({})", self.source.location)
        }
    }
}

impl<'m> Checker<'m> {
    /// A checker for one run.
    pub fn new(mapping: &'m Mapping) -> Self {
        Self {
            mapping,
            seen: hashbrown::HashMap::default(),
            users: Vec::new(),
            doc: Doc::new(),
            exact: false,
        }
    }

    /// Every rule the payload breaks, located.
    pub fn check(&mut self, payload: &Payload) -> Vec<Diagnostic> {
        self.exact = fill_payload(&mut self.doc, payload);
        self.check_filled(payload)
    }

    /// Appends the request last checked as it is sent (compact JSON),
    /// written from the document the rules just read, when that is byte
    /// for byte the request's JSON; false, and nothing written, when it is
    /// not (a payload given as JSON, a key given twice): serialize it then.
    pub fn write_checked(&self, json: &mut Vec<u8>) -> bool {
        if self.exact {
            self.doc.write_json(json);
        }
        self.exact
    }

    /// [`Checker::check`], and the request as it is sent (compact JSON)
    /// appended to `json` ([`Checker::write_checked`], else serialized).
    pub fn check_writing(
        &mut self,
        payload: &Payload,
        json: &mut Vec<u8>,
    ) -> Result<Vec<Diagnostic>, serde_json::Error> {
        let found = self.check(payload);
        if !self.write_checked(json) {
            serde_json::to_writer(&mut *json, &payload.request)?;
        }
        Ok(found)
    }

    /// The JSON of the payload last checked, as the rules read it.
    pub fn checked(&self) -> Node<'_> {
        self.doc.root()
    }

    /// [`Checker::check`] of the payload `self.doc` holds.
    fn check_filled(&mut self, payload: &Payload) -> Vec<Diagnostic> {
        let mut out = check_payload_node(payload, self.mapping, self.doc.root());
        let key = crate::hash_of(&payload.key());
        let mut me: Option<u32> = None;
        for (t, tr) in payload.request.avail.transaction.iter().enumerate() {
            let Some(id) = tr.transaction_id.as_deref().filter(|s| !s.is_empty()) else {
                continue;
            };
            let source = payload.transaction_sources.get(t);
            // A window of a sheet is found again by its row, else by index.
            let at = match source {
                Some(s) if s.columns.is_some() => s.location.row.unwrap_or(0),
                _ => t as u32,
            };
            match self.seen.get(&crate::hash_of(id)) {
                Some(&(u, other_at)) if self.users[u as usize].key != key => {
                    let other = &self.users[u as usize];
                    let d = Diagnostic::of(
                        CV_SHARED_TRANSACTION_ID,
                        Location::pointer(format!("/avail/Transaction/{t}/_TransactionID")),
                        format!(
                            "_TransactionID {} also names a window of {} at {}: as full extracts both are sent (the server keys a window by title, territory and business line before its ID); `submit --partial` sends neither, whichever row comes first",
                            avails_model::text::quote(id),
                            other.scope,
                            other.cell(self.mapping, other_at)
                        ),
                    );
                    out.push(locate(payload, self.mapping, d));
                }
                Some(_) => {}
                None => {
                    let user = *me.get_or_insert_with(|| {
                        self.users.push(User {
                            key,
                            scope: payload.scope().to_string().into_boxed_str(),
                            source: source
                                .cloned()
                                .unwrap_or_else(|| payload.avail_source.clone()),
                        });
                        (self.users.len() - 1) as u32
                    });
                    self.seen.insert(crate::hash_of(id), (user, at));
                }
            }
        }
        out
    }
}

/// A sink that checks each payload as its group closes, replacing a
/// reopened group's findings. The findings wait in a temporary file (one
/// JSON line per finding), so a sheet with a warning on every row is
/// checked in bounded memory; [`Validating::findings`] reads them back.
pub struct Validating<'m> {
    checker: Checker<'m>,
    file: SpanFile,
    entries: Vec<Option<Checked>>,
    by_group: ByGroup,
}

/// One payload checked: where its findings are in the file, and how many
/// of them are errors.
#[derive(Debug, Clone, Copy)]
struct Checked {
    span: Span,
    errors: u32,
}

impl<'m> Validating<'m> {
    /// A validating sink, its findings in a new temporary file.
    pub fn new(mapping: &'m Mapping) -> std::io::Result<Self> {
        Ok(Self {
            checker: Checker::new(mapping),
            file: SpanFile::new()?,
            entries: Vec::new(),
            by_group: ByGroup::default(),
        })
    }

    /// Payloads checked, and how many of them validation refuses.
    pub fn counts(&self) -> (usize, usize) {
        let live = self.entries.iter().flatten();
        let refused = live.clone().filter(|c| c.errors > 0).count();
        (live.count(), refused)
    }

    /// Every finding of the payloads given for good, in the order their
    /// groups closed, read back one payload at a time.
    pub fn findings(self) -> std::io::Result<impl Iterator<Item = std::io::Result<Diagnostic>>> {
        let spans = self.entries.into_iter().flatten().map(|c| c.span);
        let records = self.file.read_back(spans)?;
        Ok(records.flat_map(|record| {
            let parsed: Vec<std::io::Result<Diagnostic>> = match record {
                Ok(bytes) => serde_json::Deserializer::from_slice(&bytes)
                    .into_iter()
                    .map(|d| d.map_err(std::io::Error::from))
                    .collect(),
                Err(e) => vec![Err(e)],
            };
            parsed
        }))
    }
}

impl Sink for Validating<'_> {
    fn payload(&mut self, group: GroupId, payload: Payload) -> Result<(), SinkError> {
        let findings = self.checker.check(&payload);
        let mut record = Vec::new();
        for f in &findings {
            serde_json::to_writer(&mut record, f)?;
            record.push(b'\n');
        }
        let span = self.file.put(&record)?;
        self.by_group.add(group, self.entries.len());
        self.entries.push(Some(Checked {
            span,
            errors: findings.iter().filter(|d| d.is_error()).count() as u32,
        }));
        Ok(())
    }

    fn held_back(&mut self, _held: &HeldBack) -> Result<(), SinkError> {
        Ok(())
    }

    fn reopened(&mut self, group: GroupId) -> Result<(), SinkError> {
        for i in self.by_group.take(group) {
            self.entries[i] = None;
        }
        Ok(())
    }
}
