//! Building a closed group: fallbacks resolved for the whole payload, the
//! pre-orders' `ESTStart` ends, the merging rules over its windows, then
//! the payload (or one per window for a partial extract), or nothing when
//! a row holds it back.

use std::collections::HashMap;
use std::sync::Arc;

use avails_ema::EndMarker;
use avails_mapping::{Mapping, CONTENT_ID};
use avails_model::{Avail, AvailAsset, AvailRequest, AvailTrans, Diagnostic, EntryType};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{show, Group, GroupKey, Outcome, Transaction};
use crate::codes::{
    CV_CONFLICT, CV_CONTENT_ID_DEFAULT, CV_DUPLICATE_WINDOW, CV_EST_START, CV_HOLDBACK_SPREAD,
    CV_NO_TRANSACTION_ID, CV_SHAPE, CV_TRANSACTION_ID_CONFLICT,
};
use crate::locate::column_location;
use crate::merge::{self, Relation, Resolved, Windows};
use crate::{Blocking, HeldBack, Payload};

/// An avail's or asset's attributes, shared by the rows (and groups) that
/// give the same ones.
type SharedMap = Arc<Map<String, Value>>;

/// What building one group gives.
#[derive(Debug)]
pub(crate) struct Built {
    /// Its payloads, or the group held back.
    pub outcomes: Vec<Outcome>,
    /// What building found (defaults used, windows merged, rows refused).
    pub findings: Vec<Diagnostic>,
    /// Rows refused while building (their own error, not their group's).
    pub rejected: usize,
}

/// Builds a group, taking its transactions and given payload (a group
/// kept for a later row is spilled before it is built). `blocked` lists
/// the rows that already hold it back; `rows` counts the rows accepted
/// into it.
pub(crate) fn build(
    mapping: &Mapping,
    key: &GroupKey,
    mut group: Group,
    blocked: &[Blocking],
    rows: usize,
) -> Built {
    let mut b = Builder {
        mapping,
        key,
        findings: Vec::new(),
        blocked: blocked.to_vec(),
        rejected: 0,
    };
    if let Some(given) = group.given.take() {
        let outcome = match b.blocked.is_empty() {
            true => Outcome::Payload(Box::new(given)),
            false => Outcome::HeldBack(b.held_back(rows)),
        };
        return b.done(vec![outcome]);
    }
    let (avail, asset) = b.resolve_candidates(&mut group);
    let transactions = b.resolve_est_start(std::mem::take(&mut group.transactions));
    let windows = b.distinct_windows(transactions);
    if !b.blocked.is_empty() {
        // Not sent, but its rows are checked as if it were, so that every
        // finding of the title comes in this run.
        let held_rows: Vec<_> = windows.iter().map(|t| t.source.location.clone()).collect();
        // What building says of a payload that is not sent is left out.
        if rows > 0 && key.entry_type != EntryType::PartialExtract {
            let said = b.findings.len();
            let would_be = b.payload(&group, avail, asset, windows);
            b.findings.truncate(said);
            if let Ok(would_be) = would_be {
                b.check_as_sent(&would_be);
            }
        }
        let held = HeldBack {
            held_rows,
            ..b.held_back(rows)
        };
        return b.done(vec![Outcome::HeldBack(held)]);
    }
    let built = match key.entry_type {
        EntryType::PartialExtract => b.partial_payloads(&group, avail, asset, windows),
        _ => b.payload(&group, avail, asset, windows).map(|p| vec![p]),
    };
    let outcomes = match built {
        Ok(payloads) => payloads
            .into_iter()
            .map(|p| Outcome::Payload(Box::new(p)))
            .collect(),
        Err(blocking) => {
            b.blocked.push(*blocking);
            vec![Outcome::HeldBack(b.held_back(rows))]
        }
    };
    b.done(outcomes)
}

/// Whether two locations name one cell or line (whatever path each gives).
pub(crate) fn same_place(a: &avails_model::Location, b: &avails_model::Location) -> bool {
    a.file == b.file && a.sheet == b.sheet && a.row == b.row && a.column == b.column
}

/// Whether a sheet with these columns (`has`) can give a content ID at all.
pub(crate) fn gives_content_id(mapping: &Mapping, has: impl Fn(&str) -> bool) -> bool {
    mapping.columns_for(&format!("Asset.{CONTENT_ID}")).any(has)
}

struct Builder<'a> {
    mapping: &'a Mapping,
    key: &'a GroupKey,
    findings: Vec<Diagnostic>,
    blocked: Vec<Blocking>,
    rejected: usize,
}

impl Builder<'_> {
    fn done(self, outcomes: Vec<Outcome>) -> Built {
        Built {
            outcomes,
            findings: self.findings,
            rejected: self.rejected,
        }
    }

    /// The rules' findings about a payload that is not sent, except at the
    /// places that hold it back (already reported there).
    fn check_as_sent(&mut self, would_be: &Payload) {
        let blocked = &self.blocked;
        let found = crate::check::check_payload(would_be, self.mapping)
            .into_iter()
            .filter(|d| !blocked.iter().any(|b| same_place(&b.location, &d.location)));
        self.findings.extend(found);
    }

    /// The group held back, counting only the rows not refused themselves.
    fn held_back(&self, rows: usize) -> HeldBack {
        let mut blocking: Vec<Blocking> = Vec::new();
        for b in &self.blocked {
            if !blocking.iter().any(|k| k.location == b.location) {
                blocking.push(b.clone());
            }
        }
        HeldBack {
            scope: self.key.scope.clone(),
            entry_type: self.key.entry_type.clone(),
            rows: rows.saturating_sub(self.rejected),
            blocking,
            held_rows: Vec::new(),
        }
    }

    /// Refuses one row of the group: reported, counted, holding it back.
    fn refuse(&mut self, d: Diagnostic) {
        self.rejected += 1;
        self.blocked.push(Blocking {
            location: d.location.clone(),
            reason: d.message.clone(),
        });
        self.findings.push(d);
    }

    /// The avail and asset (taken from the group) with each path with
    /// fallbacks set from the best priority any row gives.
    fn resolve_candidates(&mut self, group: &mut Group) -> (SharedMap, SharedMap) {
        let mut avail = std::mem::take(&mut group.avail);
        let mut asset = std::mem::take(&mut group.asset);
        let candidates: Vec<avails_ema::Candidate> =
            group.candidates.iter().map(|(c, _)| c.clone()).collect();
        let at = |c: &avails_ema::Candidate| {
            group
                .candidates
                .iter()
                .find(|(k, _)| k == c)
                .map(|(_, l)| l.clone())
                .unwrap_or_default()
        };
        for resolved in merge::resolve(&candidates) {
            match resolved {
                Resolved::Value(c) => {
                    let target = match c.level {
                        avails_mapping::Level::Avail => &mut avail,
                        _ => &mut asset,
                    };
                    let target = Arc::make_mut(target);
                    avails_ema::record::set_path(target, &c.segments, c.value.clone());
                }
                Resolved::Conflict(a, b) => {
                    let message = format!(
                        "{}: {} is {} here but {} at {}; the rows of one payload must agree",
                        self.key.scope,
                        b.column,
                        show(&b.value),
                        show(&a.value),
                        at(a)
                    );
                    let d = Diagnostic::of(CV_CONFLICT, at(b), message)
                        .in_column(b.column.clone())
                        .for_alid(self.key.scope.alid.clone());
                    self.refuse(d);
                }
            }
        }
        (avail, asset)
    }

    /// Ends each `ESTStart` pre-order at the earliest Start of the group's
    /// EST windows with the same FormatProfile; none refuses the row.
    fn resolve_est_start(&mut self, transactions: Vec<Transaction>) -> Vec<Transaction> {
        let format = |t: &AvailTrans| {
            t.format_profile
                .as_ref()
                .map(|f| f.value.clone())
                .unwrap_or_default()
        };
        let mut earliest: HashMap<String, String> = HashMap::new();
        for t in &transactions {
            let est = t
                .body
                .license_type
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case("EST"));
            if let (true, Some(start)) = (est, &t.body.start) {
                let e = earliest
                    .entry(format(&t.body))
                    .or_insert_with(|| start.clone());
                if start < e {
                    *e = start.clone();
                }
            }
        }
        let mut out = Vec::with_capacity(transactions.len());
        for mut t in transactions {
            if t.end_marker == Some(EndMarker::EstStart) {
                let fp = format(&t.body);
                match earliest.get(&fp) {
                    Some(start) => t.body.end = Some(start.clone()),
                    None => {
                        let at = column_location(&t.source, self.mapping, "Transaction.End");
                        let message = format!(
                            "End `ESTStart`: no EST window for {} in {} with FormatProfile `{fp}` to end this pre-order at; give an End date",
                            self.key.scope.alid, self.key.scope.territory
                        );
                        self.refuse(Diagnostic::of(CV_EST_START, at, message).in_column("End"));
                        continue;
                    }
                }
            }
            out.push(t);
        }
        out
    }

    /// The group's distinct windows, by the merging rules.
    fn distinct_windows(&mut self, transactions: Vec<Transaction>) -> Vec<Transaction> {
        let mut kept: Vec<Transaction> = Vec::with_capacity(transactions.len());
        let mut windows = Windows::default();
        // Looked up once per window: hashed with foldhash, not SipHash.
        let mut ids: hashbrown::HashMap<(String, String), usize> = hashbrown::HashMap::default();
        for t in transactions {
            let relation = {
                let kept_ref = &kept;
                windows.relate(&t.body, |k| &kept_ref[k].body)
            };
            match relation {
                Relation::New => {}
                Relation::Duplicate(k) => {
                    let message = format!(
                        "{}: this window repeats the one at {} (everything sent is the same); it is sent once",
                        self.key.scope, kept[k].source.location
                    );
                    self.findings.push(Diagnostic::of(
                        CV_DUPLICATE_WINDOW,
                        t.source.location.clone(),
                        message,
                    ));
                    continue;
                }
                Relation::MoreLanguages(k) => {
                    merge::add_allowed_languages(&mut kept[k].body, &t.body);
                    continue;
                }
                Relation::HoldbackSpread(k) => {
                    let at =
                        column_location(&t.source, self.mapping, "Transaction.HoldbackLanguage");
                    let message = format!(
                        "{}: HoldbackLanguage differs from the same window at {}; EMA requires each row to list every holdback language (they cannot be spread across rows)",
                        self.key.scope, kept[k].source.location
                    );
                    self.refuse(
                        Diagnostic::of(CV_HOLDBACK_SPREAD, at, message)
                            .in_column("HoldbackLanguage"),
                    );
                    continue;
                }
            }
            if let Some(id) = t.body.transaction_id.clone().filter(|id| !id.is_empty()) {
                // A TransactionID names one window per FormatProfile.
                let format = t
                    .body
                    .format_profile
                    .as_ref()
                    .map(|f| f.value.to_ascii_uppercase())
                    .unwrap_or_default();
                match ids.entry((id, format)) {
                    hashbrown::hash_map::Entry::Occupied(named) => {
                        let (id, k) = (&named.key().0, *named.get());
                        let at =
                            column_location(&t.source, self.mapping, "Transaction._TransactionID");
                        let message = format!(
                            "{}: TransactionID `{id}` also names a different window of the same FormatProfile at {}; one ID names one window",
                            self.key.scope, kept[k].source.location
                        );
                        self.refuse(Diagnostic::of(CV_TRANSACTION_ID_CONFLICT, at, message));
                        continue;
                    }
                    hashbrown::hash_map::Entry::Vacant(free) => {
                        free.insert(kept.len());
                    }
                }
            }
            windows.keep(kept.len());
            kept.push(t);
        }
        kept
    }

    /// The avail, typed, with its asset and no transactions; the content
    /// ID defaults to the ALID, which is reported.
    fn avail(
        &mut self,
        group: &Group,
        avail: SharedMap,
        mut asset: SharedMap,
    ) -> Result<Avail, Box<Blocking>> {
        if !asset.contains_key(CONTENT_ID) {
            let alid = self.key.scope.alid.clone();
            Arc::make_mut(&mut asset).insert(CONTENT_ID.into(), Value::String(alid.clone()));
            // A sheet with no content ID column at all is told once, at its
            // header (see `input`); a payload is told when its rows could
            // have given one and did not.
            let sheet_has_none = group.avail_source.columns.as_ref().is_some_and(|columns| {
                !gives_content_id(self.mapping, |c| columns.contains_key(c))
            });
            if !sheet_has_none {
                // Located where the value comes from: the ALID cell.
                let at = column_location(&group.avail_source, self.mapping, "Avail.ALID");
                self.findings.push(
                    Diagnostic::of(
                        CV_CONTENT_ID_DEFAULT,
                        at,
                        format!(
                            "{}: no row gives a content ID; the ALID `{alid}` is used, as the reference says it usually is",
                            self.key.scope
                        ),
                    )
                    .for_alid(alid),
                );
            }
        }

        let typed = (|| -> Result<Avail, serde_json::Error> {
            // Read from the shared maps: only the typed values are allocated.
            let mut a = Avail::deserialize(avail.as_ref())?;
            a.asset = vec![AvailAsset::deserialize(asset.as_ref())?];
            Ok(a)
        })();
        typed.map_err(|e| {
            let reason = format!("the payload does not fit the API schema: {e}");
            self.findings.push(Diagnostic::of(
                CV_SHAPE,
                group.avail_source.location.clone(),
                format!("{}: {reason}", self.key.scope),
            ));
            Box::new(Blocking {
                location: group.avail_source.location.clone(),
                reason,
            })
        })
    }

    fn payload(
        &mut self,
        group: &Group,
        avail: SharedMap,
        asset: SharedMap,
        transactions: Vec<Transaction>,
    ) -> Result<Payload, Box<Blocking>> {
        let mut avail = self.avail(group, avail, asset)?;
        let mut sources = Vec::with_capacity(transactions.len());
        avail.transaction = transactions
            .into_iter()
            .map(|t| {
                sources.push(t.source);
                t.body
            })
            .collect();
        Ok(self.payload_of(group, avail, sources, self.key.entry_type.clone()))
    }

    fn payload_of(
        &self,
        group: &Group,
        avail: Avail,
        sources: Vec<crate::Source>,
        entry_type: EntryType,
    ) -> Payload {
        Payload {
            request: AvailRequest {
                avail,
                ..AvailRequest::default()
            },
            alid: self.key.scope.alid.clone(),
            territory: self.key.scope.territory.clone(),
            business_line: self.key.scope.business_line,
            entry_type,
            avail_source: group.avail_source.clone(),
            transaction_sources: sources,
            given: None,
        }
    }

    /// A partial-extract group: one payload per window, each needing its
    /// TransactionID.
    fn partial_payloads(
        &mut self,
        group: &Group,
        avail: SharedMap,
        asset: SharedMap,
        transactions: Vec<Transaction>,
    ) -> Result<Vec<Payload>, Box<Blocking>> {
        let avail = self.avail(group, avail, asset)?;
        let mut out = Vec::with_capacity(transactions.len());
        for t in transactions {
            if t.body.transaction_id.as_deref().is_none_or(str::is_empty) {
                let at = column_location(&t.source, self.mapping, "Transaction._TransactionID");
                let message = format!(
                    "{}: a Partial Extract row needs a TransactionID (EMA column AvailID): the API addresses the window by it",
                    self.key.scope
                );
                self.refuse(Diagnostic::of(CV_NO_TRANSACTION_ID, at, message));
                continue;
            }
            let mut a = avail.clone();
            a.transaction = vec![t.body];
            out.push(self.payload_of(group, a, vec![t.source], EntryType::PartialExtract));
        }
        if !self.blocked.is_empty() {
            let first = self.blocked[0].clone();
            return Err(Box::new(first));
        }
        Ok(out)
    }
}
