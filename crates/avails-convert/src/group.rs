//! Grouping transactions into payloads by ALID, territory, business line
//! and entry type, all or nothing: a group with any rejected row is held
//! back whole, because a full extract missing one of its windows would
//! delete that window on the server.

use std::collections::HashMap;

use avails_ema::EndMarker;
use avails_mapping::{Mapping, CONTENT_ID};
use avails_model::{
    Avail, AvailAsset, AvailRequest, AvailTrans, BusinessLine, Diagnostic, EntryType, Location,
};
use serde_json::{Map, Value};

use crate::codes::{
    CV_BUSINESS_LINE, CV_CONFLICT, CV_CONTENT_ID_DEFAULT, CV_DUPLICATE_WINDOW, CV_EST_START,
    CV_HOLDBACK_SPREAD, CV_NO_TRANSACTION_ID, CV_SHAPE, CV_TRANSACTION_ID_CONFLICT,
};
use crate::locate::column_location;
use crate::merge::{self, Relation, Resolved, Windows};
use crate::{Blocking, HeldBack, Item, Payload, Scope, Source};

/// What identifies a group: the scope it replaces and how.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupKey {
    /// Title, territory and business line.
    pub scope: Scope,
    /// Full extract, full delete or partial extract.
    pub entry_type: EntryType,
}

/// What a finished group gives.
#[derive(Debug)]
pub enum Outcome {
    /// A payload to write or send, with the findings its building made.
    Payload(Box<Payload>),
    /// A group that is not sent, with why.
    HeldBack(HeldBack),
}

#[derive(Debug)]
struct Transaction {
    body: AvailTrans,
    source: Source,
    end_marker: Option<EndMarker>,
}

#[derive(Debug)]
struct Group {
    key: GroupKey,
    avail: Map<String, Value>,
    asset: Map<String, Value>,
    /// Where each avail/asset attribute came from (`Asset.WorkType` → cell).
    origins: HashMap<String, Location>,
    /// The avail and asset maps last merged (rows of a title share them).
    last_avail: Option<std::sync::Arc<Map<String, Value>>>,
    last_asset: Option<std::sync::Arc<Map<String, Value>>>,
    last_candidates: Option<std::sync::Arc<Vec<avails_ema::Candidate>>>,
    candidates: Vec<(avails_ema::Candidate, Location)>,
    avail_source: Source,
    transactions: Vec<Transaction>,
    blocked: Vec<Blocking>,
    /// Items accepted into it.
    rows: usize,
}

/// A rejected row whose payload is only partly known (no single
/// territory or business line): it holds back every group it could be in.
#[derive(Debug)]
struct PartialBlock {
    territories: Vec<String>,
    business_line: Option<BusinessLine>,
    blocking: Blocking,
}

/// Accumulates items and builds payloads in order of first appearance.
#[derive(Debug)]
pub struct Grouper<'m> {
    mapping: &'m Mapping,
    groups: Vec<Group>,
    index: HashMap<GroupKey, usize>,
    partial_blocks: HashMap<String, Vec<PartialBlock>>,
    findings: Vec<Diagnostic>,
    rejected: usize,
}

/// What grouping produced.
#[derive(Debug)]
pub struct Grouped {
    /// Payloads and held-back groups, in order of first appearance.
    pub outcomes: Vec<Outcome>,
    /// Findings of grouping (conflicts, duplicates, defaults), located.
    pub findings: Vec<Diagnostic>,
    /// Items rejected while grouping (not counting those rejected before).
    pub rejected: usize,
}

impl<'m> Grouper<'m> {
    /// An empty grouper using the mapping's business-line rule.
    pub fn new(mapping: &'m Mapping) -> Self {
        Self {
            mapping,
            groups: Vec::new(),
            index: HashMap::new(),
            partial_blocks: HashMap::new(),
            findings: Vec::new(),
            rejected: 0,
        }
    }

    /// Adds one transaction; returns false when it is rejected here (an
    /// item rejected before is recorded as blocking its groups, and counted
    /// by whoever rejected it).
    pub fn add(&mut self, item: Item) -> bool {
        let business_line = item
            .key
            .license_type
            .as_deref()
            .and_then(|lt| self.mapping.business_line(lt, item.key.channel.as_deref()));
        if let Some(reason) = &item.rejected {
            self.block(&item, business_line, reason.clone());
            return false;
        }
        let Some(business_line) = business_line else {
            let lt = item.key.license_type.clone().unwrap_or_default();
            let message = format!(
                "LicenseType `{lt}` has no business line (allowed: SVOD, FVOD, EST, POEST, VOD)"
            );
            return self.reject(
                &item,
                None,
                CV_BUSINESS_LINE,
                "Transaction.LicenseType",
                message,
            );
        };
        let (Some(alid), [territory]) = (&item.key.alid, item.key.territories.as_slice()) else {
            let message = match (&item.key.alid, item.key.territories.len()) {
                (None, _) => "the avail has no ALID: it cannot be grouped into a payload".to_string(),
                (_, 0) => "the transaction has no Territory: it cannot be grouped into a payload".to_string(),
                (_, n) => format!(
                    "the transaction names {n} territories; the API takes exactly one per transaction"
                ),
            };
            let path = if item.key.alid.is_none() {
                "Avail.ALID"
            } else {
                "Transaction.Territory"
            };
            return self.reject(&item, Some(business_line), CV_SHAPE, path, message);
        };
        let key = GroupKey {
            scope: Scope {
                alid: alid.clone(),
                territory: territory.clone(),
                business_line,
            },
            entry_type: item.key.entry_type.clone().unwrap_or_default(),
        };
        let index = self.group_index(key, &item);
        if let Err(message) = self.merge(index, &item) {
            let path = message.0;
            return self.reject(&item, Some(business_line), CV_CONFLICT, &path, message.1);
        }
        self.groups[index].rows += 1;
        self.groups[index].transactions.push(Transaction {
            body: item.transaction,
            source: item.source,
            end_marker: item.end_marker,
        });
        true
    }

    /// Rejects an item here: reported at the cell of `path`, blocking its groups.
    fn reject(
        &mut self,
        item: &Item,
        business_line: Option<BusinessLine>,
        code: &'static str,
        path: &str,
        message: String,
    ) -> bool {
        self.rejected += 1;
        let location = column_location(&item.source, self.mapping, path);
        self.findings
            .push(Diagnostic::error(code, location, message.clone()));
        self.block(item, business_line, message);
        false
    }

    /// Records a rejected item against every group it could belong to.
    fn block(&mut self, item: &Item, business_line: Option<BusinessLine>, reason: String) {
        let Some(alid) = item.key.alid.clone() else {
            return;
        };
        let blocking = Blocking {
            location: item.source.location.clone(),
            reason,
        };
        if let (Some(line), [territory]) = (business_line, item.key.territories.as_slice()) {
            let key = GroupKey {
                scope: Scope {
                    alid,
                    territory: territory.clone(),
                    business_line: line,
                },
                entry_type: item.key.entry_type.clone().unwrap_or_default(),
            };
            let index = self.group_index(key, item);
            self.groups[index].blocked.push(blocking);
            return;
        }
        self.partial_blocks
            .entry(alid)
            .or_default()
            .push(PartialBlock {
                territories: item.key.territories.clone(),
                business_line,
                blocking,
            });
    }

    fn group_index(&mut self, key: GroupKey, item: &Item) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.groups.len();
        self.index.insert(key.clone(), i);
        self.groups.push(Group {
            key,
            avail: Map::new(),
            asset: Map::new(),
            origins: HashMap::new(),
            last_avail: None,
            last_asset: None,
            last_candidates: None,
            candidates: Vec::new(),
            avail_source: item.source.clone(),
            transactions: Vec::new(),
            blocked: Vec::new(),
            rows: 0,
        });
        i
    }

    /// Merges an item's avail, asset and candidates into its group, or
    /// says which attribute conflicts (path, message).
    fn merge(&mut self, index: usize, item: &Item) -> Result<(), (String, String)> {
        let mapping = self.mapping;
        let group = &mut self.groups[index];
        let parts = [
            (
                "Avail",
                &item.avail,
                &mut group.avail,
                &mut group.last_avail,
            ),
            (
                "Asset",
                &item.asset,
                &mut group.asset,
                &mut group.last_asset,
            ),
        ];
        for (level, incoming, into, last) in parts {
            if last
                .as_ref()
                .is_some_and(|l| std::sync::Arc::ptr_eq(l, incoming))
            {
                continue;
            }
            match merge::merge_into(into, incoming) {
                Ok(added) => {
                    for path in added {
                        let full = format!("{level}.{path}");
                        let at = column_location(&item.source, mapping, &full);
                        group.origins.insert(full, at);
                    }
                    *last = Some(incoming.clone());
                }
                Err(conflict) => {
                    let merge::Conflict { path, here, there } = *conflict;
                    let full = format!("{level}.{path}");
                    let there_at = group.origins.get(&full).map_or_else(
                        || group.avail_source.location.to_string(),
                        ToString::to_string,
                    );
                    let message = format!(
                        "{}: {full} is {} here but {} at {there_at}; the rows of one payload must agree",
                        group.key.scope,
                        show(&here),
                        show(&there)
                    );
                    return Err((full, message));
                }
            }
        }
        let same_candidates = group
            .last_candidates
            .as_ref()
            .is_some_and(|l| std::sync::Arc::ptr_eq(l, &item.candidates));
        if !same_candidates {
            for c in item.candidates.iter() {
                let known = group.candidates.iter().any(|(k, _)| {
                    k.priority == c.priority && k.segments == c.segments && k.value == c.value
                });
                if !known {
                    let at = item.source.location.with_column(c.letter.clone());
                    group.candidates.push((c.clone(), at));
                }
            }
            group.last_candidates = Some(item.candidates.clone());
        }
        Ok(())
    }

    /// Findings so far.
    pub fn findings(&self) -> &[Diagnostic] {
        &self.findings
    }

    /// Builds every group, in order of first appearance.
    pub fn finish(mut self) -> Grouped {
        let mut outcomes = Vec::with_capacity(self.groups.len());
        let groups = std::mem::take(&mut self.groups);
        for mut group in groups {
            if let Some(blocks) = self.partial_blocks.get(&group.key.scope.alid) {
                for b in blocks {
                    let territory = b.territories.is_empty()
                        || b.territories.contains(&group.key.scope.territory);
                    let line = b
                        .business_line
                        .is_none_or(|l| l == group.key.scope.business_line);
                    if territory && line {
                        group.blocked.push(b.blocking.clone());
                    }
                }
            }
            outcomes.extend(self.build(group));
        }
        Grouped {
            outcomes,
            findings: self.findings,
            rejected: self.rejected,
        }
    }

    /// Builds one group: payloads, or the group held back.
    fn build(&mut self, mut group: Group) -> Vec<Outcome> {
        self.resolve_candidates(&mut group);
        self.resolve_est_start(&mut group);
        let transactions = self.distinct_windows(&mut group);
        if !group.blocked.is_empty() {
            return vec![Outcome::HeldBack(held_back(&group))];
        }
        let built = match group.key.entry_type {
            EntryType::PartialExtract => self.partial_payloads(&group, transactions),
            _ => self.payload(&group, transactions).map(|p| vec![p]),
        };
        match built {
            Ok(payloads) => payloads
                .into_iter()
                .map(|p| Outcome::Payload(Box::new(p)))
                .collect(),
            Err(blocking) => {
                group.blocked.push(*blocking);
                vec![Outcome::HeldBack(held_back(&group))]
            }
        }
    }

    /// Sets each path with fallbacks from the best priority any row gives;
    /// the content ID defaults to the ALID, which is reported.
    fn resolve_candidates(&mut self, group: &mut Group) {
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
                        avails_mapping::Level::Avail => &mut group.avail,
                        _ => &mut group.asset,
                    };
                    avails_ema::record::set_path(target, &c.segments, c.value.clone());
                }
                Resolved::Conflict(a, b) => {
                    let (at_a, at_b) = (at(a), at(b));
                    let message = format!(
                        "{}: {} is {} here but {} at {at_a}; the rows of one payload must agree",
                        group.key.scope,
                        b.column,
                        show(&b.value),
                        show(&a.value)
                    );
                    self.findings.push(
                        Diagnostic::error(CV_CONFLICT, at_b.clone(), message.clone())
                            .in_column(b.column.clone()),
                    );
                    group.blocked.push(Blocking {
                        location: at_b,
                        reason: message,
                    });
                }
            }
        }
        if !group.asset.contains_key(CONTENT_ID) && group.blocked.is_empty() {
            let alid = group.key.scope.alid.clone();
            group
                .asset
                .insert(CONTENT_ID.into(), Value::String(alid.clone()));
            // Located where the value comes from: the ALID cell.
            let at = column_location(&group.avail_source, self.mapping, "Avail.ALID");
            self.findings.push(
                Diagnostic::warning(
                    CV_CONTENT_ID_DEFAULT,
                    at,
                    format!(
                        "{}: no row gives a content ID; the ALID `{alid}` is used, as the reference says it usually is",
                        group.key.scope
                    ),
                )
                .for_alid(alid),
            );
        }
    }

    /// Ends each `ESTStart` pre-order at the earliest Start of the group's
    /// EST windows with the same FormatProfile; none is an error at the End.
    fn resolve_est_start(&mut self, group: &mut Group) {
        let format = |t: &AvailTrans| {
            t.format_profile
                .as_ref()
                .map(|f| f.value.clone())
                .unwrap_or_default()
        };
        let mut earliest: HashMap<String, String> = HashMap::new();
        for t in &group.transactions {
            if t.body
                .license_type
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case("EST"))
            {
                if let Some(start) = &t.body.start {
                    let e = earliest
                        .entry(format(&t.body))
                        .or_insert_with(|| start.clone());
                    if start < e {
                        *e = start.clone();
                    }
                }
            }
        }
        for t in &mut group.transactions {
            if t.end_marker != Some(EndMarker::EstStart) {
                continue;
            }
            let fp = format(&t.body);
            match earliest.get(&fp) {
                Some(start) => t.body.end = Some(start.clone()),
                None => {
                    let at = column_location(&t.source, self.mapping, "Transaction.End");
                    let message = format!(
                        "End `ESTStart`: no EST window for {} in {} with FormatProfile `{fp}` to end this pre-order at; give an End date",
                        group.key.scope.alid, group.key.scope.territory
                    );
                    self.findings.push(
                        Diagnostic::error(CV_EST_START, at.clone(), message.clone())
                            .in_column("End"),
                    );
                    group.blocked.push(Blocking {
                        location: at,
                        reason: message,
                    });
                }
            }
        }
    }

    /// The group's distinct windows, by the merging rules.
    fn distinct_windows(&mut self, group: &mut Group) -> Vec<Transaction> {
        let mut kept: Vec<Transaction> = Vec::with_capacity(group.transactions.len());
        let mut windows = Windows::default();
        let mut ids: HashMap<(String, String), usize> = HashMap::new();
        for mut t in std::mem::take(&mut group.transactions) {
            let relation = {
                let kept_ref = &kept;
                windows.relate(&mut t.body, |k| &kept_ref[k].body)
            };
            match relation {
                Relation::New => {}
                Relation::Duplicate(k) => {
                    let message = format!(
                        "{}: this window repeats the one at {} (everything sent is the same); it is sent once",
                        group.key.scope, kept[k].source.location
                    );
                    self.findings.push(Diagnostic::warning(
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
                        group.key.scope, kept[k].source.location
                    );
                    self.findings.push(
                        Diagnostic::error(CV_HOLDBACK_SPREAD, at.clone(), message.clone())
                            .in_column("HoldbackLanguage"),
                    );
                    group.blocked.push(Blocking {
                        location: at,
                        reason: message,
                    });
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
                if let Some(&k) = ids.get(&(id.clone(), format.clone())) {
                    let at = column_location(&t.source, self.mapping, "Transaction._TransactionID");
                    let message = format!(
                        "{}: TransactionID `{id}` also names a different window of the same FormatProfile at {}; one ID names one window",
                        group.key.scope, kept[k].source.location
                    );
                    self.findings.push(Diagnostic::error(
                        CV_TRANSACTION_ID_CONFLICT,
                        at.clone(),
                        message.clone(),
                    ));
                    group.blocked.push(Blocking {
                        location: at,
                        reason: message,
                    });
                    continue;
                }
                ids.insert((id, format), kept.len());
            }
            windows.keep(kept.len());
            kept.push(t);
        }
        kept
    }

    /// The avail, typed, without transactions.
    fn avail(&self, group: &Group) -> Result<Avail, Box<Blocking>> {
        let fail = |e: serde_json::Error| {
            Box::new(Blocking {
                location: group.avail_source.location.clone(),
                reason: format!("the payload does not fit the API schema: {e}"),
            })
        };
        let mut avail: Avail =
            serde_json::from_value(Value::Object(group.avail.clone())).map_err(fail)?;
        let asset: AvailAsset =
            serde_json::from_value(Value::Object(group.asset.clone())).map_err(fail)?;
        avail.asset = vec![asset];
        Ok(avail)
    }

    fn payload(
        &mut self,
        group: &Group,
        transactions: Vec<Transaction>,
    ) -> Result<Payload, Box<Blocking>> {
        let mut avail = self.avail(group).map_err(|b| self.shape(group, b))?;
        let mut sources = Vec::with_capacity(transactions.len());
        avail.transaction = transactions
            .into_iter()
            .map(|t| {
                sources.push(t.source);
                t.body
            })
            .collect();
        Ok(Payload {
            request: AvailRequest {
                avail,
                ..AvailRequest::default()
            },
            alid: group.key.scope.alid.clone(),
            territory: group.key.scope.territory.clone(),
            business_line: group.key.scope.business_line,
            entry_type: group.key.entry_type.clone(),
            avail_source: group.avail_source.clone(),
            transaction_sources: sources,
            given: None,
        })
    }

    /// A partial-extract group: one payload per transaction, each needing
    /// its TransactionID.
    fn partial_payloads(
        &mut self,
        group: &Group,
        transactions: Vec<Transaction>,
    ) -> Result<Vec<Payload>, Box<Blocking>> {
        let avail = self.avail(group).map_err(|b| self.shape(group, b))?;
        let mut out = Vec::with_capacity(transactions.len());
        for t in transactions {
            if t.body.transaction_id.as_deref().is_none_or(str::is_empty) {
                let at = column_location(&t.source, self.mapping, "Transaction._TransactionID");
                let message = format!(
                    "{}: a Partial Extract row needs a TransactionID (EMA column AvailID): the API addresses the window by it",
                    group.key.scope
                );
                self.findings.push(Diagnostic::error(
                    CV_NO_TRANSACTION_ID,
                    at.clone(),
                    message.clone(),
                ));
                return Err(Box::new(Blocking {
                    location: at,
                    reason: message,
                }));
            }
            let mut a = avail.clone();
            a.transaction = vec![t.body];
            out.push(Payload {
                request: AvailRequest {
                    avail: a,
                    ..AvailRequest::default()
                },
                alid: group.key.scope.alid.clone(),
                territory: group.key.scope.territory.clone(),
                business_line: group.key.scope.business_line,
                entry_type: EntryType::PartialExtract,
                avail_source: group.avail_source.clone(),
                transaction_sources: vec![t.source],
                given: None,
            });
        }
        Ok(out)
    }

    fn shape(&mut self, group: &Group, b: Box<Blocking>) -> Box<Blocking> {
        self.findings.push(Diagnostic::error(
            CV_SHAPE,
            group.avail_source.location.clone(),
            format!("{}: {}", group.key.scope, b.reason),
        ));
        b
    }
}

fn held_back(group: &Group) -> HeldBack {
    let mut blocking: Vec<Blocking> = Vec::new();
    for b in &group.blocked {
        if !blocking.iter().any(|k| k.location == b.location) {
            blocking.push(b.clone());
        }
    }
    HeldBack {
        scope: group.key.scope.clone(),
        entry_type: group.key.entry_type.clone(),
        rows: group.rows,
        blocking,
    }
}

/// A value as a message shows it: strings in backticks, capped.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => avails_model::text::quote(s),
        Value::Array(a) if a.len() == 1 => show(&a[0]),
        other => avails_model::text::quote(&other.to_string()),
    }
}
