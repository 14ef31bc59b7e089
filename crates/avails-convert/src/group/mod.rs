//! Grouping transactions into payloads by ALID, territory, business line
//! and entry type, all or nothing: a group with any rejected row is held
//! back whole, because a full extract missing one of its windows would
//! delete that window on the server.
//!
//! Streamed: a group no row has reached for a while (a window of rows,
//! which grows each time a sheet proves unsorted) is closed and built, and
//! its state goes to a spill file; a later row of the same group reopens it
//! ([`Event::Reopened`]: what was emitted for it no longer stands) and it is
//! closed again. Memory holds only the open groups; sorted sheets never
//! reopen one.

mod build;
pub(crate) use build::gives_content_id;
mod index;
mod placing;
mod slots;
mod spill;

use std::collections::HashMap;
use std::sync::Arc;

use avails_ema::EndMarker;
use avails_mapping::Mapping;
use avails_model::{AvailTrans, BusinessLine, Diagnostic, EntryType, Location};
use serde_json::{Map, Value};

use crate::codes::{
    Code, CV_ALID_LOOKALIKE, CV_BUSINESS_LINE, CV_CONFLICT, CV_DISPOSITION_CONFLICT,
    CV_DUPLICATE_SCOPE, CV_SHAPE,
};
use crate::locate::column_location;
use crate::merge;
use crate::{Blocking, HeldBack, Item, Payload, Scope, Source};

pub use spill::SpillError;
use spill::{Spill, SpillRef};

/// What identifies a group: the scope it replaces and how.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    /// Title, territory and business line.
    pub scope: Scope,
    /// Full extract, full delete or partial extract.
    pub entry_type: EntryType,
}

/// A group's number in a run: the same each time the group closes, so a
/// sink can keep what a group gave by number instead of by key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId(pub u32);

/// What a closed group gives.
#[derive(Debug)]
pub enum Outcome {
    /// A payload to write or send.
    Payload(Box<Payload>),
    /// A group that is not sent, with why.
    HeldBack(HeldBack),
}

/// A group closed: what it gives now, replacing anything emitted for its
/// key before.
#[derive(Debug)]
pub struct Closed {
    /// The group.
    pub id: GroupId,
    /// Its payloads, or the group held back.
    pub outcomes: Vec<Outcome>,
    /// What building it found.
    pub findings: Vec<Diagnostic>,
    /// Rows refused while building it.
    pub rejected: usize,
}

/// What the grouper tells its caller, in order.
#[derive(Debug)]
pub enum Event {
    /// A group is closed (again, if it was reopened).
    Closed(Closed),
    /// A group closed earlier takes another row: what was emitted for it
    /// no longer stands; it will be closed again.
    Reopened(GroupId),
}

#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub body: AvailTrans,
    pub source: Source,
    pub end_marker: Option<EndMarker>,
}

/// The rows of one group, as merged so far.
#[derive(Debug, Default)]
pub(crate) struct Group {
    pub avail: Arc<Map<String, Value>>,
    pub asset: Arc<Map<String, Value>>,
    /// Which row first gave each avail/asset attribute a later row added
    /// (`Asset.Metadata.TitleInternalAlias` → index in `origin_rows`), for
    /// a conflict to name the other cell.
    pub origins: HashMap<String, u32>,
    /// The rows that gave the group its avail and its asset (index in
    /// `origin_rows`): every top-level attribute not in `origins` is theirs
    /// (not written out per attribute: most groups never look them up).
    pub first_origins: [Option<u32>; 2],
    /// The rows `origins` point at.
    pub origin_rows: Vec<Source>,
    pub candidates: Vec<(avails_ema::Candidate, Location)>,
    pub avail_source: Source,
    pub transactions: Vec<Transaction>,
    /// A payload taken as given (payload JSON): the group is it.
    pub given: Option<Payload>,
    /// The avail, asset and candidates last merged (rows of a title share them).
    pub last_avail: Option<Arc<Map<String, Value>>>,
    pub last_asset: Option<Arc<Map<String, Value>>>,
    pub last_candidates: Option<Arc<Vec<avails_ema::Candidate>>>,
}

impl Default for Source {
    fn default() -> Self {
        Source::at(Location::default())
    }
}

#[derive(Debug)]
enum State {
    Open(Box<Group>),
    /// Built and emitted; its rows on disk (none for a given payload).
    Closed(Option<SpillRef>),
    /// Built and emitted, its rows not kept ([`Grouper::keeping_no_closed`]):
    /// a row for it means the input must be read again.
    Dropped,
}

/// One group ever seen, open or closed.
#[derive(Debug)]
struct Slot {
    key: GroupKey,
    state: State,
    /// Rows that hold it back.
    blocked: Vec<Blocking>,
    /// Rows accepted into it.
    rows: usize,
    /// When a row last reached it (items added so far).
    last_seen: u64,
    /// Its WorkType, for rejected rows without an ALID (interned: a
    /// catalog has a handful).
    work_type: Option<Arc<str>>,
    /// The last input its rows came from (inputs are read in order).
    last_input: u32,
    /// Another group of its scope has another EntryType: each row that
    /// joins it is reported at its EntryType cell.
    disposition_conflict: bool,
}

/// A rejected row whose payload is only partly known: it holds back every
/// group it could be in. Without an ALID, a group could be its own if its
/// territory, business line and WorkType could be.
#[derive(Debug, Clone)]
struct Block {
    alid: Option<String>,
    territories: Vec<String>,
    business_line: Option<BusinessLine>,
    work_type: Option<String>,
    blocking: Blocking,
}

impl Block {
    fn covers(&self, slot: &Slot) -> bool {
        let scope = &slot.key.scope;
        let alid = match &self.alid {
            Some(a) => *a == scope.alid,
            None => self
                .work_type
                .as_deref()
                .zip(slot.work_type.as_deref())
                .is_none_or(|(a, b)| a.eq_ignore_ascii_case(b)),
        };
        alid && (self.territories.is_empty() || self.territories.contains(&scope.territory))
            && self.business_line.is_none_or(|l| l == scope.business_line)
    }
}

/// No input yet.
const NO_INPUT: u32 = u32::MAX;

/// Rows between two checks for groups to close.
const CLOSE_EVERY: u64 = 32;
/// Rows a group may go without one of its own before it is closed; doubled
/// each time a closed group is reopened. Small, so that a group of a sorted
/// sheet is built while its rows are still in the processor's cache (64
/// rows against 1,024: 300,000 rows converted about a tenth faster); a
/// sheet whose groups interleave further apart reopens a few of them, and
/// the window grows to fit it.
const FIRST_WINDOW: u64 = 64;
/// The most the window grows to.
const MAX_WINDOW: u64 = 1 << 24;
/// The window of a grouper that drops closed groups: a row coming later
/// than this after its group's last one means reading the input again, so
/// it is wider, to cover a title whose rows interleave (sorted by title,
/// then format, then territory). 300,000 rows converted 2 % slower than
/// with 64, 9 % slower with 4,096.
const DROPPING_WINDOW: u64 = 1024;

/// Accumulates items and closes groups as they complete.
#[derive(Debug)]
pub struct Grouper<'m> {
    mapping: &'m Mapping,
    slots: slots::Chunked<Slot>,
    index: index::SlotIndex,
    /// The slots the input being read gave rows to, for [`Grouper::fail_input`].
    touched: Vec<u32>,
    /// The input `touched` is of.
    touched_input: u32,
    /// Every WorkType seen, once.
    work_types: std::collections::HashSet<Arc<str>>,
    open: Vec<usize>,
    blocks: Vec<Block>,
    blocks_by_alid: HashMap<String, Vec<usize>>,
    orphan_blocks: Vec<usize>,
    /// Every ALID seen, by its folded form (lower case, without characters a
    /// reader cannot see): its spelling and the cell it was first read from.
    alids: HashMap<String, (String, Location)>,
    events: Vec<Event>,
    findings: Vec<Diagnostic>,
    rejected: usize,
    seen: u64,
    window: u64,
    reopened: usize,
    spill: Option<Spill>,
    /// Whether closed groups are spilled (else dropped, see [`State::Dropped`]).
    keep_closed: bool,
    /// Whether a row came for a dropped group; nothing is added after it.
    unsorted: bool,
}

impl<'m> Grouper<'m> {
    /// An empty grouper using the mapping's business-line rule.
    pub fn new(mapping: &'m Mapping) -> Self {
        Self {
            mapping,
            slots: slots::Chunked::default(),
            index: index::SlotIndex::default(),
            touched: Vec::new(),
            touched_input: NO_INPUT,
            work_types: std::collections::HashSet::new(),
            open: Vec::new(),
            blocks: Vec::new(),
            blocks_by_alid: HashMap::new(),
            orphan_blocks: Vec::new(),
            alids: HashMap::new(),
            events: Vec::new(),
            findings: Vec::new(),
            rejected: 0,
            seen: 0,
            window: FIRST_WINDOW,
            reopened: 0,
            spill: None,
            keep_closed: true,
            unsorted: false,
        }
    }

    /// Drops each closed group instead of spilling it, for an input that can
    /// be read again: a sorted sheet is converted without writing its groups
    /// to disk, and the first row that reaches a dropped group stops the
    /// grouping ([`Grouper::found_unsorted`]), so the input is read again
    /// with a grouper that keeps them.
    pub fn keeping_no_closed(mut self) -> Self {
        self.keep_closed = false;
        self.window = self.window.max(DROPPING_WINDOW);
        self
    }

    /// Whether a row came for a group already dropped: what was grouped is
    /// incomplete, and the caller must start again with a grouper that keeps
    /// closed groups.
    pub fn found_unsorted(&self) -> bool {
        self.unsorted
    }

    /// Groups numbered so far (every [`GroupId`] is below it).
    pub fn groups(&self) -> usize {
        self.slots.len()
    }

    /// Closes groups after `rows` rows without one of theirs (tests use a
    /// small window to close and reopen often).
    pub fn with_window(mut self, rows: u64) -> Self {
        self.window = rows.max(1);
        self
    }

    /// Groups reopened so far (rows of a group far apart in an input).
    pub fn reopened(&self) -> usize {
        self.reopened
    }

    /// Rows rejected while grouping (not counting those rejected before,
    /// nor those refused while building, which [`Closed`] counts).
    pub fn rejected(&self) -> usize {
        self.rejected
    }

    /// What happened since the last call, in order.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, Event> {
        self.events.drain(..)
    }

    /// Findings of grouping since the last call (conflicts, rows that
    /// cannot be grouped), located.
    pub fn drain_findings(&mut self) -> std::vec::Drain<'_, Diagnostic> {
        self.findings.drain(..)
    }

    /// Adds one transaction of input `input`. Its scope cells are checked
    /// first (module `placing`): a row that cannot be placed holds back
    /// every payload of its title.
    pub fn add(&mut self, mut item: Item, input: u32) -> Result<(), SpillError> {
        if self.unsorted {
            return Ok(());
        }
        self.seen += 1;
        let placing = placing::check(&mut item, self.mapping);
        let wrong_cells: Vec<Location> = placing
            .findings
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.location.clone())
            .collect();
        self.findings.extend(placing.findings);
        let business_line = item
            .key
            .license_type
            .as_deref()
            .and_then(|lt| self.mapping.business_line(lt, item.key.channel.as_deref()));
        // A row that is not sent is still checked, at every cell not
        // already reported, so that one run gives every finding of a sheet.
        if !wrong_cells.is_empty() || !item.error_cells.is_empty() {
            self.check_alone(&item, business_line, &wrong_cells);
        }
        if let Some(reason) = placing.unplaced {
            if item.rejected.is_none() {
                self.rejected += 1;
            }
            let business_line = business_line.filter(|_| !placing.unknown_business_line);
            let at = wrong_cells.first().cloned();
            self.block_title(&item, business_line, reason, at)?;
        } else if let Some(reason) = &item.rejected {
            let at = item.error_cells.first().cloned();
            self.block(&item, business_line, reason.clone(), at)?;
        } else if let Some(key) = self.key_of(&item, business_line) {
            self.accept(key, item, input)?;
        }
        if self.seen.is_multiple_of(CLOSE_EVERY) {
            self.close_idle()?;
        }
        Ok(())
    }

    /// The rules' findings about a row that is not sent, checked as the one
    /// window of a payload of its own, except at the cells where its errors
    /// were already reported (`wrong_cells` and the row's own).
    fn check_alone(
        &mut self,
        item: &Item,
        business_line: Option<BusinessLine>,
        wrong_cells: &[Location],
    ) {
        let Some(alid) = item.key.alid.clone() else {
            return;
        };
        let territory = item
            .transaction
            .territory
            .first()
            .map(|r| r.country.clone())
            .unwrap_or_default();
        let key = GroupKey {
            scope: Scope {
                alid,
                territory,
                business_line: business_line.unwrap_or(BusinessLine::Tvod),
            },
            entry_type: EntryType::FullExtract,
        };
        let mut group = Group {
            avail: item.avail.clone(),
            asset: item.asset.clone(),
            avail_source: item.source.clone(),
            ..Group::default()
        };
        for c in item.candidates.iter() {
            let at = item.source.location.with_column(c.letter.clone());
            group.candidates.push((c.clone(), at));
        }
        group.transactions.push(Transaction {
            body: item.transaction.clone(),
            source: item.source.clone(),
            end_marker: item.end_marker,
        });
        let reported = |d: &Diagnostic| {
            wrong_cells
                .iter()
                .chain(&item.error_cells)
                .any(|at| build::same_place(at, &d.location))
        };
        let built = build::build(self.mapping, &key, group, &[], 1);
        for outcome in built.outcomes {
            if let Outcome::Payload(payload) = outcome {
                let found = crate::check::check_payload(&payload, self.mapping);
                self.findings
                    .extend(found.into_iter().filter(|d| !reported(d)));
            }
        }
    }

    /// The group key of an accepted item, or None when it is rejected here.
    fn key_of(&mut self, item: &Item, business_line: Option<BusinessLine>) -> Option<GroupKey> {
        let Some(business_line) = business_line else {
            let lt = item.key.license_type.clone().unwrap_or_default();
            let message = format!(
                "LicenseType `{lt}` has no business line (allowed: SVOD, FVOD, EST, POEST, VOD)"
            );
            self.reject(
                item,
                None,
                CV_BUSINESS_LINE,
                "Transaction.LicenseType",
                message,
            );
            return None;
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
                placing::ALID_PATH
            } else {
                placing::TERRITORY_PATH
            };
            self.reject(item, Some(business_line), CV_SHAPE, path, message);
            return None;
        };
        Some(GroupKey {
            scope: Scope {
                alid: alid.clone(),
                territory: territory.clone(),
                business_line,
            },
            entry_type: item.key.entry_type.clone().unwrap_or_default(),
        })
    }

    /// An accepted item joins its group (opened, or reopened).
    fn accept(&mut self, key: GroupKey, item: Item, input: u32) -> Result<(), SpillError> {
        let index = self.slot_for(key, &item.source, &item.asset)?;
        let given = matches!(&self.slots[index].state, State::Open(g) if g.given.is_some());
        if given {
            let message = format!(
                "{}: rows beside a payload taken as given replace the same windows; neither is sent",
                self.slots[index].key.scope
            );
            self.findings.push(Diagnostic::of(
                CV_DUPLICATE_SCOPE,
                item.source.location.clone(),
                message.clone(),
            ));
            self.push_block(index, item.source.location.clone(), message)?;
            return Ok(());
        }
        if let Err((path, message)) = self.merge(index, &item) {
            self.reject(
                &item,
                Some(self.slots[index].key.scope.business_line),
                CV_CONFLICT,
                &path,
                message,
            );
            return Ok(());
        }
        if self.slots[index].disposition_conflict {
            let message = self.disposition_message(index);
            let at = column_location(&item.source, self.mapping, placing::ENTRY_TYPE_PATH);
            self.findings
                .push(Diagnostic::of(CV_DISPOSITION_CONFLICT, at, message));
        }
        self.touch(index, input);
        let slot = &mut self.slots[index];
        slot.rows += 1;
        if let State::Open(group) = &mut slot.state {
            group.transactions.push(Transaction {
                body: item.transaction,
                source: item.source,
                end_marker: item.end_marker,
            });
        }
        Ok(())
    }

    /// A payload taken as given (payload JSON) is a group of its own,
    /// closed at once; two for one scope replace each other's windows, so
    /// neither is sent.
    pub fn add_given(&mut self, payload: Payload, input: u32) -> Result<(), SpillError> {
        if self.unsorted {
            return Ok(());
        }
        self.seen += payload.request.avail.transaction.len().max(1) as u64;
        let key = GroupKey {
            scope: payload.scope(),
            entry_type: payload.entry_type.clone(),
        };
        if let Some(index) = self.index.get(&self.slots, &key) {
            let message = format!(
                "{}: two payloads of this run replace the same windows ({}); neither is sent",
                key.scope, key.entry_type
            );
            self.findings.push(Diagnostic::of(
                CV_DUPLICATE_SCOPE,
                payload.avail_source.location.clone(),
                message.clone(),
            ));
            self.slots[index].rows += payload.request.avail.transaction.len();
            return self.push_block(index, payload.avail_source.location.clone(), message);
        }
        let index = self.slot_for(key, &payload.avail_source, &Arc::default())?;
        self.touch(index, input);
        let work_type = payload
            .request
            .avail
            .asset
            .first()
            .and_then(|a| a.work_type.as_deref())
            .map(|w| self.intern(w));
        let slot = &mut self.slots[index];
        slot.rows += payload.request.avail.transaction.len();
        slot.work_type = work_type;
        if let State::Open(group) = &mut slot.state {
            group.given = Some(payload);
        }
        self.close(index, false)
    }

    /// An input could not be read to its end: what its unread rows would
    /// have added is unknown, so every group it gave rows to is held back.
    pub fn fail_input(&mut self, input: u32, file: &str, reason: &str) -> Result<(), SpillError> {
        let mut hit: Vec<usize> = match self.touched_input == input {
            true => self.touched.iter().map(|&i| i as usize).collect(),
            false => Vec::new(),
        };
        hit.sort_unstable();
        for index in hit {
            self.push_block(
                index,
                Location::file(file),
                format!(
                    "{file} could not be read to its end ({reason}): its other rows are unknown"
                ),
            )?;
        }
        Ok(())
    }

    /// Notes that a slot took a row of `input` (inputs are read one after
    /// the other, so only the current one's slots are kept).
    fn touch(&mut self, index: usize, input: u32) {
        if self.touched_input != input {
            self.touched.clear();
            self.touched_input = input;
        }
        let slot = &mut self.slots[index];
        if slot.last_input != input {
            slot.last_input = input;
            self.touched.push(index as u32);
        }
    }

    /// An asset's WorkType, interned.
    fn work_type_of(&mut self, asset: &Map<String, Value>) -> Option<Arc<str>> {
        let work_type = asset.get("WorkType").and_then(Value::as_str)?;
        Some(self.intern(work_type))
    }

    /// The one shared copy of a WorkType.
    fn intern(&mut self, work_type: &str) -> Arc<str> {
        match self.work_types.get(work_type) {
            Some(w) => w.clone(),
            None => {
                let w: Arc<str> = Arc::from(work_type);
                self.work_types.insert(w.clone());
                w
            }
        }
    }

    /// Rejects an item here: reported at the cell of `path`, holding back
    /// every group it could belong to.
    fn reject(
        &mut self,
        item: &Item,
        business_line: Option<BusinessLine>,
        code: Code,
        path: &str,
        message: String,
    ) {
        self.rejected += 1;
        let location = column_location(&item.source, self.mapping, path);
        self.findings
            .push(Diagnostic::of(code, location.clone(), message.clone()));
        // Never fails for want of a spill read: blocks reach closed groups
        // without reading them back. Without a business line the row's
        // LicenseType is wrong: it cannot be placed.
        let _ = match business_line {
            Some(_) => self.block(item, business_line, message, Some(location)),
            None => self.block_title(item, None, message, Some(location)),
        };
    }

    /// Records an item that cannot be placed (a wrong ALID, Territory,
    /// EntryType, LicenseType or channel) against every group of its title;
    /// without an ALID, against every group its territory and business line
    /// (where known) could be in.
    fn block_title(
        &mut self,
        item: &Item,
        business_line: Option<BusinessLine>,
        reason: String,
        at: Option<Location>,
    ) -> Result<(), SpillError> {
        let whole_title = item.key.alid.is_some();
        self.block_groups(Block {
            alid: item.key.alid.clone(),
            territories: match whole_title {
                true => Vec::new(),
                false => item.key.territories.clone(),
            },
            business_line: business_line.filter(|_| !whole_title),
            work_type: item
                .asset
                .get("WorkType")
                .and_then(Value::as_str)
                .map(str::to_string),
            blocking: Blocking {
                location: at.unwrap_or_else(|| item.source.location.clone()),
                reason,
            },
        })
    }

    /// Records a rejected item against every group it could belong to,
    /// blocked by the cell `at` that is wrong (else by the row).
    fn block(
        &mut self,
        item: &Item,
        business_line: Option<BusinessLine>,
        reason: String,
        at: Option<Location>,
    ) -> Result<(), SpillError> {
        let blocking = Blocking {
            location: at.unwrap_or_else(|| item.source.location.clone()),
            reason,
        };
        if let (Some(alid), Some(line), [territory]) = (
            &item.key.alid,
            business_line,
            item.key.territories.as_slice(),
        ) {
            let key = GroupKey {
                scope: Scope {
                    alid: alid.clone(),
                    territory: territory.clone(),
                    business_line: line,
                },
                entry_type: item.key.entry_type.clone().unwrap_or_default(),
            };
            let index = self.slot_for(key, &item.source, &item.asset)?;
            return self.push_block(index, blocking.location.clone(), blocking.reason);
        }
        self.block_groups(Block {
            alid: item.key.alid.clone(),
            territories: item.key.territories.clone(),
            business_line,
            work_type: item
                .asset
                .get("WorkType")
                .and_then(Value::as_str)
                .map(str::to_string),
            blocking,
        })
    }

    /// Holds back every group a block covers, now and to come.
    fn block_groups(&mut self, block: Block) -> Result<(), SpillError> {
        let b = self.blocks.len();
        let hit: Vec<usize> = match &block.alid {
            Some(alid) => {
                self.blocks_by_alid.entry(alid.clone()).or_default().push(b);
                self.index.of_alid(&self.slots, alid)
            }
            None => {
                self.orphan_blocks.push(b);
                (0..self.slots.len()).collect()
            }
        };
        self.blocks.push(block);
        for index in hit {
            if self.blocks[b].covers(&self.slots[index]) {
                let Blocking { location, reason } = self.blocks[b].blocking.clone();
                self.push_block(index, location, reason)?;
            }
        }
        Ok(())
    }

    /// Holds a group back; a closed one is emitted again, held back.
    fn push_block(
        &mut self,
        index: usize,
        location: Location,
        reason: String,
    ) -> Result<(), SpillError> {
        let slot = &mut self.slots[index];
        if slot.blocked.iter().any(|b| b.location == location) {
            return Ok(());
        }
        slot.blocked.push(Blocking { location, reason });
        if let State::Closed(_) | State::Dropped = slot.state {
            self.events.push(Event::Reopened(GroupId(index as u32)));
            let held = HeldBack {
                scope: slot.key.scope.clone(),
                entry_type: slot.key.entry_type.clone(),
                rows: slot.rows,
                blocking: slot.blocked.clone(),
                held_rows: Vec::new(),
            };
            self.events.push(Event::Closed(Closed {
                id: GroupId(index as u32),
                outcomes: vec![Outcome::HeldBack(held)],
                findings: Vec::new(),
                rejected: 0,
            }));
        }
        Ok(())
    }

    /// The slot of a key: existing (reopened if closed), or new.
    fn slot_for(
        &mut self,
        key: GroupKey,
        source: &Source,
        asset: &Arc<Map<String, Value>>,
    ) -> Result<usize, SpillError> {
        if let Some(i) = self.index.get(&self.slots, &key) {
            self.slots[i].last_seen = self.seen;
            match self.slots[i].state {
                State::Closed(at) => self.reopen(i, at)?,
                State::Dropped => self.unsorted = true,
                State::Open(_) => {}
            }
            return Ok(i);
        }
        let i = self.slots.len();
        let work_type = self.work_type_of(asset);
        let mut slot = Slot {
            key,
            state: State::Open(Box::new(Group {
                avail_source: source.clone(),
                ..Group::default()
            })),
            blocked: Vec::new(),
            rows: 0,
            last_seen: self.seen,
            work_type,
            last_input: NO_INPUT,
            disposition_conflict: false,
        };
        // Rows rejected earlier that could belong to it.
        let earlier = self
            .blocks_by_alid
            .get(&slot.key.scope.alid)
            .into_iter()
            .flatten()
            .chain(&self.orphan_blocks);
        for &b in earlier {
            let block = &self.blocks[b];
            if block.covers(&slot)
                && !slot
                    .blocked
                    .iter()
                    .any(|x| x.location == block.blocking.location)
            {
                slot.blocked.push(block.blocking.clone());
            }
        }
        let new_title = !self.index.has_alid(&self.slots, &slot.key.scope.alid);
        self.slots.push(slot);
        self.index.push(&self.slots);
        self.open.push(i);
        if new_title {
            self.check_alid_lookalike(i, source)?;
        }
        self.check_disposition(i, source)?;
        Ok(i)
    }

    /// A new title's ALID against every other of the run: two that differ
    /// only by case or by characters a reader cannot see are one title
    /// written two ways, or two titles a reader cannot tell apart; neither
    /// is sent.
    fn check_alid_lookalike(&mut self, index: usize, source: &Source) -> Result<(), SpillError> {
        let alid = self.slots[index].key.scope.alid.clone();
        let folded = avails_model::text::without_hidden(&alid).to_lowercase();
        let here = column_location(source, self.mapping, placing::ALID_PATH);
        let (other, there) = match self.alids.get(&folded) {
            None => {
                self.alids.insert(folded, (alid, here));
                return Ok(());
            }
            Some((other, _)) if *other == alid => return Ok(()),
            Some((other, there)) => (other.clone(), there.clone()),
        };
        for (this, that, at, other_at) in [
            (&alid, &other, &here, &there),
            (&other, &alid, &there, &here),
        ] {
            let message = format!(
                "ALID {} differs from ALID {} at {other_at} only by case or by characters a reader cannot see; write one title's ALID one way. Neither title is sent",
                avails_model::text::quote(this),
                avails_model::text::quote(that),
            );
            self.findings.push(Diagnostic::of(
                CV_ALID_LOOKALIKE,
                at.clone(),
                message.clone(),
            ));
            self.block_groups(Block {
                alid: Some(this.clone()),
                territories: Vec::new(),
                business_line: None,
                work_type: None,
                blocking: Blocking {
                    location: at.clone(),
                    reason: message,
                },
            })?;
        }
        Ok(())
    }

    /// A new group against the others of its scope: one title, territory
    /// and business line takes one EntryType (a full extract and a full
    /// delete of one scope would race on the server); neither is sent.
    fn check_disposition(&mut self, index: usize, source: &Source) -> Result<(), SpillError> {
        let scope = self.slots[index].key.scope.clone();
        let others: Vec<usize> = self
            .index
            .of_alid(&self.slots, &scope.alid)
            .into_iter()
            .filter(|&o| o != index && self.slots[o].key.scope == scope)
            .collect();
        if others.is_empty() {
            return Ok(());
        }
        let here = column_location(source, self.mapping, placing::ENTRY_TYPE_PATH);
        for &o in others.iter().chain([&index]) {
            self.slots[o].disposition_conflict = true;
        }
        // One scope, so one message for every group of it.
        let message = self.disposition_message(index);
        for &o in &others {
            let there = self
                .first_source(o)?
                .map(|s| column_location(&s, self.mapping, placing::ENTRY_TYPE_PATH));
            if let Some(there) = &there {
                self.findings.push(Diagnostic::of(
                    CV_DISPOSITION_CONFLICT,
                    there.clone(),
                    message.clone(),
                ));
            }
            self.push_block(o, here.clone(), message.clone())?;
            if let Some(there) = there {
                self.push_block(index, there, message.clone())?;
            }
        }
        self.findings.push(Diagnostic::of(
            CV_DISPOSITION_CONFLICT,
            here.clone(),
            message.clone(),
        ));
        self.push_block(index, here, message)
    }

    /// What a group in conflict over its EntryType is told.
    fn disposition_message(&self, index: usize) -> String {
        let scope = &self.slots[index].key.scope;
        let mut types: Vec<String> = self
            .index
            .of_alid(&self.slots, &scope.alid)
            .into_iter()
            .filter(|&o| self.slots[o].key.scope == *scope)
            .map(|o| self.slots[o].key.entry_type.to_string())
            .collect();
        types.sort();
        types.dedup();
        format!(
            "{scope} is given more than one EntryType ({}): a full extract and a full delete of one title, territory and business line cannot both be meant; give its rows one EntryType. Nothing of it is sent",
            types.join(", ")
        )
    }

    /// The first row of a group, when it can be had: open, or spilled.
    fn first_source(&mut self, index: usize) -> Result<Option<Source>, SpillError> {
        match &self.slots[index].state {
            State::Open(group) => Ok(Some(group.avail_source.clone())),
            State::Closed(Some(at)) => {
                let at = *at;
                match self.spill.as_mut() {
                    Some(spill) => Ok(Some(spill.get(at)?.avail_source)),
                    None => Ok(None),
                }
            }
            State::Closed(None) | State::Dropped => Ok(None),
        }
    }

    /// Reads a closed group back from the spill file.
    fn reopen(&mut self, index: usize, at: Option<SpillRef>) -> Result<(), SpillError> {
        let group = match (at, self.spill.as_mut()) {
            (Some(at), Some(spill)) => spill.get(at)?,
            // A payload taken as given has no rows to read back: it stays
            // alone, and what joins it is refused as a duplicate scope.
            _ => Group {
                given: None,
                ..Group::default()
            },
        };
        self.reopened += 1;
        self.window = (self.window * 2).min(MAX_WINDOW);
        self.slots[index].state = State::Open(Box::new(group));
        self.events.push(Event::Reopened(GroupId(index as u32)));
        self.open.push(index);
        Ok(())
    }

    /// Merges an item's avail, asset and candidates into its group, or
    /// says which attribute conflicts (path, message).
    fn merge(&mut self, index: usize, item: &Item) -> Result<(), (String, String)> {
        let mapping = self.mapping;
        if self.slots[index].work_type.is_none() {
            self.slots[index].work_type = self.work_type_of(&item.asset);
        }
        let slot = &mut self.slots[index];
        let State::Open(group) = &mut slot.state else {
            return Ok(());
        };
        let group = &mut **group;
        let [first_avail, first_asset] = &mut group.first_origins;
        let parts = [
            (
                "Avail",
                &item.avail,
                &mut group.avail,
                &mut group.last_avail,
                first_avail,
            ),
            (
                "Asset",
                &item.asset,
                &mut group.asset,
                &mut group.last_asset,
                first_asset,
            ),
        ];
        for (level, incoming, into, last, first_origin) in parts {
            if last.as_ref().is_some_and(|l| Arc::ptr_eq(l, incoming)) {
                continue;
            }
            // The group's first: shared with the row (and the title's other
            // groups), not copied; every attribute is its.
            if into.is_empty() {
                if !incoming.is_empty() {
                    *first_origin = Some(group.origin_rows.len() as u32);
                    group.origin_rows.push(item.source.clone());
                }
                *into = incoming.clone();
                *last = Some(incoming.clone());
                continue;
            }
            if **into == **incoming {
                *last = Some(incoming.clone());
                continue;
            }
            match merge::merge_into(Arc::make_mut(into), incoming) {
                Ok(added) => {
                    if !added.is_empty() {
                        let row = group.origin_rows.len() as u32;
                        group.origin_rows.push(item.source.clone());
                        for path in added {
                            group.origins.insert(format!("{level}.{path}"), row);
                        }
                    }
                    *last = Some(incoming.clone());
                }
                Err(conflict) => {
                    let merge::Conflict { path, here, there } = *conflict;
                    let full = format!("{level}.{path}");
                    // The other row: where the value's object was first
                    // added, narrowed to this attribute's column.
                    let mut there_at = prefixes(&full)
                        .find_map(|p| {
                            let origin = origin_of(&group.origins, *first_origin, into, p)?;
                            let row = group.origin_rows.get(origin as usize)?;
                            Some(column_location(row, mapping, p))
                        })
                        .unwrap_or_else(|| group.avail_source.location.clone());
                    let column = column_location(&item.source, mapping, &full).column;
                    if there_at.path.is_none() {
                        there_at.column = column.or(there_at.column);
                    }
                    let message = format!(
                        "{}: {full} is {} here but {} at {there_at}; the rows of one payload must agree",
                        slot.key.scope,
                        show(&here),
                        show(&there),
                    );
                    return Err((full, message));
                }
            }
        }
        let same_candidates = group
            .last_candidates
            .as_ref()
            .is_some_and(|l| Arc::ptr_eq(l, &item.candidates));
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

    /// Closes the groups no row has reached within the window.
    fn close_idle(&mut self) -> Result<(), SpillError> {
        let horizon = self.seen.saturating_sub(self.window);
        let mut idle: Vec<usize> = self
            .open
            .iter()
            .copied()
            .filter(|&i| self.slots[i].last_seen < horizon)
            .collect();
        if idle.is_empty() {
            return Ok(());
        }
        idle.sort_unstable();
        self.open.retain(|i| !idle.contains(i));
        for index in idle {
            self.close(index, true)?;
        }
        Ok(())
    }

    /// Closes every group still open, in order of first appearance.
    pub fn finish(&mut self) -> Result<(), SpillError> {
        let mut open = std::mem::take(&mut self.open);
        open.sort_unstable();
        for index in open {
            self.close(index, false)?;
        }
        Ok(())
    }

    /// Builds a group and emits it; `keep` spills its rows first, for a
    /// row that may still come (or drops them, see [`State::Dropped`]).
    fn close(&mut self, index: usize, keep: bool) -> Result<(), SpillError> {
        self.open.retain(|&i| i != index);
        let slot = &mut self.slots[index];
        let State::Open(group) = std::mem::replace(&mut slot.state, State::Closed(None)) else {
            return Ok(());
        };
        // Spilled first: building takes the group's rows.
        let state = match keep && group.given.is_none() {
            true if !self.keep_closed => State::Dropped,
            true => {
                let spill = match &mut self.spill {
                    Some(s) => s,
                    None => self.spill.insert(Spill::new()?),
                };
                State::Closed(Some(spill.put(&group)?))
            }
            false => State::Closed(None),
        };
        let slot = &self.slots[index];
        let built = build::build(self.mapping, &slot.key, *group, &slot.blocked, slot.rows);
        self.slots[index].state = state;
        self.events.push(Event::Closed(Closed {
            id: GroupId(index as u32),
            outcomes: built.outcomes,
            findings: built.findings,
            rejected: built.rejected,
        }));
        Ok(())
    }
}

/// The row (index in `origin_rows`) that first gave the attribute at
/// `path` (`Asset.Metadata`) of the level whose map is `map` and whose
/// first row is `first`.
fn origin_of(
    origins: &HashMap<String, u32>,
    first: Option<u32>,
    map: &Map<String, Value>,
    path: &str,
) -> Option<u32> {
    if let Some(&row) = origins.get(path) {
        return Some(row);
    }
    let (_level, key) = path.split_once('.')?;
    (!key.contains('.') && map.contains_key(key))
        .then_some(first)
        .flatten()
}

/// `Asset.Metadata.TitleInternalAlias`, `Asset.Metadata`, `Asset`.
fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(path), |p| p.rfind('.').map(|i| &p[..i]))
}

/// A value as a message shows it: strings in backticks, capped.
pub(crate) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => avails_model::text::quote(s),
        Value::Array(a) if a.len() == 1 => show(&a[0]),
        other => avails_model::text::quote(&other.to_string()),
    }
}
