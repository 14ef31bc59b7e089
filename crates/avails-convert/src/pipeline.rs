//! The streamed conversion: one thread reads each input (calamine's
//! streaming reader or the CSV reader, then each row mapped and typed)
//! while the calling thread groups the rows and hands each group to a
//! [`Sink`] as soon as it closes; a bounded channel between them keeps
//! memory flat whatever the size of the input.
//!
//! The sink is called on the grouping thread, unless it waits on the disk
//! ([`Sink::waits_on_disk`]). A third thread for checking and writing
//! payloads cost more than it gave on two cores: the payloads crossed
//! cores (their memory cold in the other core's cache, freed on another
//! thread than the one that allocated it). 300,000 rows to standard
//! output: 10.1-10.6 s and 18.4-19.4 CPU-seconds with it, 9.0-9.6 s and
//! 16.8-17.5 without (three alternated runs).
//!
//! A group closed early can be reopened by a later row of an unsorted
//! sheet: the sink is told ([`Sink::reopened`]) and gets the group again
//! when it closes for good. A sink that sends or prints must therefore wait
//! for the end of [`run`]; one that writes files may write as groups close.
//!
//! Files are first read without keeping closed groups (writing each to the
//! spill file cost 5-6 % of a sorted sheet's conversion time). A row
//! whose group was already closed ends that read: every group it gave the
//! sink is withdrawn ([`Sink::reopened`]) and the files are read again by a
//! grouper that spills closed groups and reopens them. Standard input and
//! other streams, which cannot be read again, get that grouper at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};

use avails_ema::EmaError;
use avails_model::Diagnostic;

use crate::codes::CV_HELD_BACK;
use crate::collect::{Collect, FileSummary};
use crate::ema_rows::EmaRows;
use crate::group::{Closed, Event, GroupId, Grouper, Outcome};
use crate::input::read_input;
use crate::packed::{Batch, Unpacker};
use crate::{ConvertError, ConvertOptions, HeldBack, InputKind, Item, Payload, RowCounts};

/// An error a sink cannot recover from (a full disk, a closed journal):
/// the run stops.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Where the payloads of a run go, as their groups close.
pub trait Sink {
    /// A payload of a group that closed. A group closed again after
    /// [`Sink::reopened`] replaces what it gave before.
    fn payload(&mut self, group: GroupId, payload: Payload) -> Result<(), SinkError>;
    /// A group held back (nothing of it may be sent).
    fn held_back(&mut self, held: &HeldBack) -> Result<(), SinkError>;
    /// What was given for this group no longer stands: it takes another
    /// row, and will close again.
    fn reopened(&mut self, group: GroupId) -> Result<(), SinkError>;
    /// Rows read so far, for a progress bar.
    fn progress(&mut self, _rows: usize) {}
    /// Whether the sink waits on the disk for each payload (a file per
    /// payload): it then gets a thread of its own, so grouping goes on
    /// while it waits. Any other sink is called on the grouping thread,
    /// while the payload it is given is still in that core's cache.
    fn waits_on_disk(&self) -> bool {
        false
    }
}

/// What a sink keeps per group: which of its records (payloads, units,
/// findings: numbered in the order they came) each group gave, so that a
/// reopened group's can be dropped. Eight bytes per group: the records of
/// one close are consecutive, since a group's outcomes come together and a
/// group closes again only after [`Sink::reopened`].
#[derive(Debug, Default)]
pub struct ByGroup {
    /// Per group number: its records, `start..end`.
    ranges: Vec<(u32, u32)>,
}

impl ByGroup {
    /// Record `index` is the group's (the latest record of the sink).
    pub fn add(&mut self, group: GroupId, index: usize) {
        let g = group.0 as usize;
        if self.ranges.len() <= g {
            self.ranges.resize(g + 1, (0, 0));
        }
        let index = index as u32;
        let range = &mut self.ranges[g];
        if range.0 == range.1 {
            *range = (index, index + 1);
        } else {
            // By construction (see above); were it ever not so, dropping
            // this range on a reopen would drop another group's records:
            // the run stops instead (the sink's thread ends, exit 2).
            assert_eq!(range.1, index, "records of one close are consecutive");
            range.1 = index + 1;
        }
    }

    /// The group's records, forgotten here (its group reopened).
    pub fn take(&mut self, group: GroupId) -> std::ops::Range<usize> {
        match self.ranges.get_mut(group.0 as usize) {
            Some(range) => {
                let (start, end) = std::mem::take(range);
                start as usize..end as usize
            }
            None => 0..0,
        }
    }
}

/// What a run did besides the payloads its sink received.
#[derive(Debug, Default)]
pub struct Run {
    /// Every finding, located: reading, grouping, building, and one per
    /// group held back.
    pub diagnostics: Vec<Diagnostic>,
    /// Groups held back, in the order they closed for good.
    pub held_back: Vec<HeldBack>,
    /// Inputs that could not be read (to their end).
    pub unreadable: Vec<ConvertError>,
    /// What was read from each input.
    pub files: Vec<FileSummary>,
    /// How the rows read were accounted for.
    pub rows: RowCounts,
    /// Groups reopened (rows of one group far apart in an unsorted input).
    pub reopened: usize,
    /// Whether the inputs were read a second time, keeping closed groups,
    /// because a row came after its group had closed.
    pub read_twice: bool,
}

/// What the latest close of a group said, replaced if it closes again.
#[derive(Debug, Default)]
struct Ledger {
    findings: Vec<Diagnostic>,
    rejected: usize,
    held: Option<HeldBack>,
    /// Close order, for a stable report.
    order: usize,
}

/// The run's state on the calling thread.
struct Driver<'m, 's> {
    grouper: Grouper<'m>,
    sink: &'s mut dyn Sink,
    findings: Vec<Diagnostic>,
    ledger: HashMap<GroupId, Ledger>,
    closes: usize,
    read: usize,
    rejected_before: usize,
    input: u32,
    failed: Option<SinkError>,
    /// The progress shown: rows read so far by the run, over its inputs
    /// and passes, so a second input or a second read never counts down.
    progress: Progress,
}

/// Rows read so far for the progress bar: a reader counts the rows of its
/// own input; earlier inputs and an abandoned pass are added to it.
#[derive(Debug, Default, Clone, Copy)]
struct Progress {
    /// Rows of the inputs (and passes) already read to their end.
    before: usize,
    /// Rows of the input being read.
    current: usize,
}

impl Progress {
    /// Rows read by the run so far.
    fn shown(self) -> usize {
        self.before + self.current
    }

    /// The input being read is done with: its rows join the earlier ones.
    fn input_done(&mut self) {
        self.before += std::mem::take(&mut self.current);
    }
}

impl Driver<'_, '_> {
    fn events(&mut self) {
        let events: Vec<Event> = self.grouper.drain_events().collect();
        self.findings.extend(self.grouper.drain_findings());
        for event in events {
            if self.failed.is_some() {
                return;
            }
            let result = match event {
                Event::Reopened(group) => self.sink.reopened(group),
                Event::Closed(closed) => self.closed(closed),
            };
            if let Err(e) = result {
                self.failed = Some(e);
            }
        }
    }

    fn closed(&mut self, closed: Closed) -> Result<(), SinkError> {
        let Closed {
            id,
            outcomes,
            findings,
            rejected,
        } = closed;
        self.closes += 1;
        let mut entry = Ledger {
            findings,
            rejected,
            held: None,
            order: self.closes,
        };
        for outcome in outcomes {
            match outcome {
                Outcome::Payload(p) => self.sink.payload(id, *p)?,
                Outcome::HeldBack(h) => {
                    self.sink.held_back(&h)?;
                    entry.held = Some(h);
                }
            }
        }
        // Only what a report needs is kept: memory grows with the findings,
        // not with the catalog.
        if entry.findings.is_empty() && entry.rejected == 0 && entry.held.is_none() {
            self.ledger.remove(&id);
        } else {
            entry.findings.shrink_to_fit();
            self.ledger.insert(id, entry);
        }
        Ok(())
    }
}

impl Collect for Driver<'_, '_> {
    fn item(&mut self, item: Item) {
        if self.grouper.found_unsorted() {
            return;
        }
        self.read += 1;
        if item.rejected.is_some() {
            self.rejected_before += 1;
        }
        if let Err(e) = self.grouper.add(item, self.input) {
            self.failed.get_or_insert(Box::new(e));
        }
        self.events();
    }

    fn given(&mut self, payload: Payload) {
        if self.grouper.found_unsorted() {
            return;
        }
        self.read += payload.request.avail.transaction.len();
        if let Err(e) = self.grouper.add_given(payload, self.input) {
            self.failed.get_or_insert(Box::new(e));
        }
        self.events();
    }

    fn finding(&mut self, d: Diagnostic) {
        self.findings.push(d);
    }

    fn progress(&mut self, rows: usize) {
        self.progress.current = rows;
        self.sink.progress(self.progress.shown());
    }
}

/// Converts every input, handing payloads to `sink` as their groups close.
/// An error of the sink (or of the spill file) stops the run.
pub fn run(
    paths: &[PathBuf],
    options: &ConvertOptions,
    sink: &mut (dyn Sink + Send),
) -> Result<Run, SinkError> {
    if !sink.waits_on_disk() {
        return group_inputs(paths, options, sink);
    }
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Vec<Call>>(IN_FLIGHT);
        let serving = move || serve(rx, sink);
        let server = std::thread::Builder::new()
            .name("avails-sink".to_string())
            .spawn_scoped(scope, serving)?;
        let mut handoff = Handoff {
            tx: Some(tx),
            batch: Vec::with_capacity(CALLS),
        };
        let grouped = group_inputs(paths, options, &mut handoff);
        handoff.close();
        let served = server
            .join()
            .unwrap_or_else(|_| Err("the thread writing the payloads stopped".into()));
        // The sink's own error says more than the hand-off's "it stopped".
        served?;
        grouped
    })
}

/// Reads every input and groups its rows, the sink's calls handed on.
/// Inputs that can be read again (files) are first grouped without keeping
/// closed groups; if a row then reaches a group already closed (a sheet not
/// sorted by title), what that pass gave the sink is withdrawn and every
/// input is read again by a grouper that spills closed groups and reopens
/// them.
fn group_inputs(
    paths: &[PathBuf],
    options: &ConvertOptions,
    sink: &mut dyn Sink,
) -> Result<Run, SinkError> {
    let stamps: Option<Vec<Stamp>> = paths.iter().map(|p| Stamp::of(p)).collect();
    let mut read_twice = false;
    let mut progress = Progress::default();
    if let Some(stamps) = stamps {
        match one_pass(paths, options, sink, false, progress)? {
            Pass::Done(run) => return Ok(run),
            Pass::Unsorted { groups, rows_read } => {
                read_twice = true;
                progress.before = rows_read;
                for g in 0..groups {
                    sink.reopened(GroupId(g as u32))?;
                }
                for (path, stamp) in paths.iter().zip(stamps) {
                    if Stamp::of(path) != Some(stamp) {
                        return Err(format!(
                            "{} changed while it was read; run again",
                            path.display()
                        )
                        .into());
                    }
                }
            }
        }
    }
    match one_pass(paths, options, sink, true, progress)? {
        Pass::Done(run) => Ok(Run { read_twice, ..run }),
        Pass::Unsorted { .. } => Err("a grouper that keeps closed groups stopped".into()),
    }
}

/// What identifies a file's content between two reads: its length and
/// when it was last written. None for what cannot be read again (standard
/// input, a pipe).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        meta.is_file().then(|| Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// How one pass over the inputs ended.
enum Pass {
    /// Every input grouped.
    Done(Run),
    /// A row reached a dropped group; `groups` were numbered before it,
    /// and the run had read `rows_read` rows (for the progress bar).
    Unsorted { groups: usize, rows_read: usize },
}

/// Reads every input once; `keep_closed` spills closed groups (else they
/// are dropped and the pass stops at the first row that needs one). The
/// progress shown goes on from `progress`.
fn one_pass(
    paths: &[PathBuf],
    options: &ConvertOptions,
    sink: &mut dyn Sink,
    keep_closed: bool,
    progress: Progress,
) -> Result<Pass, SinkError> {
    let grouper = Grouper::new(&options.mapping);
    let mut driver = Driver {
        grouper: match keep_closed {
            true => grouper,
            false => grouper.keeping_no_closed(),
        },
        sink,
        findings: Vec::new(),
        ledger: HashMap::new(),
        closes: 0,
        read: 0,
        rejected_before: 0,
        input: 0,
        failed: None,
        progress,
    };
    let mut run = Run::default();
    for (i, path) in paths.iter().enumerate() {
        driver.input = i as u32;
        let read_before = driver.read;
        let read = read_beside(path, options, &mut driver);
        if driver.grouper.found_unsorted() {
            return Ok(Pass::Unsorted {
                groups: driver.grouper.groups(),
                rows_read: driver.progress.shown(),
            });
        }
        driver.progress.input_done();
        match read {
            Ok(summary) => run.files.push(summary),
            Err(e) => {
                // Rows read before the failure: their groups may lack rows.
                if driver.read > read_before {
                    let label = path.display().to_string();
                    if let Err(err) = driver.grouper.fail_input(i as u32, &label, &e.to_string()) {
                        driver.failed.get_or_insert(Box::new(err));
                    }
                    driver.events();
                }
                run.unreadable.push(e);
            }
        }
        if let Some(e) = driver.failed.take() {
            return Err(e);
        }
    }
    if let Err(e) = driver.grouper.finish() {
        return Err(Box::new(e));
    }
    driver.events();
    if let Some(e) = driver.failed.take() {
        return Err(e);
    }
    Ok(Pass::Done(driver.into_run(run)))
}

/// Sink calls handed to the sink's thread at a time.
const CALLS: usize = 32;

/// One call of [`Sink`], made on the sink's thread.
enum Call {
    Payload(GroupId, Box<Payload>),
    HeldBack(Box<HeldBack>),
    Reopened(GroupId),
    Progress(usize),
}

/// The grouping thread's side of the sink: calls go, in order and in
/// batches, to the thread that checks and writes payloads.
struct Handoff {
    tx: Option<SyncSender<Vec<Call>>>,
    batch: Vec<Call>,
}

impl Handoff {
    fn push(&mut self, call: Call) -> Result<(), SinkError> {
        self.batch.push(call);
        if self.batch.len() >= CALLS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(CALLS));
        match &self.tx {
            Some(tx) if tx.send(full).is_ok() => Ok(()),
            // The sink failed: its own error is reported once joined.
            _ => Err("the thread writing the payloads stopped".into()),
        }
    }

    /// Hands on what is left and hangs up, so the sink's thread ends.
    fn close(&mut self) {
        let _ = self.flush();
        self.tx = None;
    }
}

impl Sink for Handoff {
    fn payload(&mut self, group: GroupId, payload: Payload) -> Result<(), SinkError> {
        self.push(Call::Payload(group, Box::new(payload)))
    }
    fn held_back(&mut self, held: &HeldBack) -> Result<(), SinkError> {
        self.push(Call::HeldBack(Box::new(held.clone())))
    }
    fn reopened(&mut self, group: GroupId) -> Result<(), SinkError> {
        self.push(Call::Reopened(group))
    }
    fn progress(&mut self, rows: usize) {
        let _ = self.push(Call::Progress(rows));
    }
}

/// The sink's thread: makes every call in order; stops at the first error.
fn serve(rx: Receiver<Vec<Call>>, sink: &mut (dyn Sink + Send)) -> Result<(), SinkError> {
    for batch in rx {
        for call in batch {
            match call {
                Call::Payload(group, payload) => sink.payload(group, *payload)?,
                Call::HeldBack(held) => sink.held_back(&held)?,
                Call::Reopened(group) => sink.reopened(group)?,
                Call::Progress(rows) => sink.progress(rows),
            }
        }
    }
    Ok(())
}

impl Driver<'_, '_> {
    /// The run's findings and counts, from what each group said last.
    fn into_run(mut self, mut run: Run) -> Run {
        let mut groups: Vec<(GroupId, Ledger)> = self.ledger.drain().collect();
        groups.sort_by_key(|(_, l)| l.order);
        let mut diagnostics = std::mem::take(&mut self.findings);
        let mut rejected_building = 0;
        for (_, l) in &mut groups {
            rejected_building += l.rejected;
            diagnostics.append(&mut l.findings);
        }
        // The cell of each row's first error, so a held-back title names the
        // cell that causes it (built only when a title is held back).
        let mut cells: std::collections::HashMap<(&str, Option<&str>, u32), usize> =
            std::collections::HashMap::new();
        if groups.iter().any(|(_, l)| l.held.is_some()) {
            for (i, d) in diagnostics.iter().enumerate() {
                if let (true, Some(row), Some(_)) =
                    (d.is_error(), d.location.row, &d.location.column)
                {
                    let key = (d.location.file.as_str(), d.location.sheet.as_deref(), row);
                    cells.entry(key).or_insert(i);
                }
            }
        }
        let mut held_findings = Vec::new();
        for (_, l) in groups {
            let Some(h) = l.held else { continue };
            if h.rows == 0 {
                // Every row of the title is rejected itself, and each says
                // so at its cell: nothing more is held back.
                run.held_back.push(h);
                continue;
            }
            let row = h
                .blocking
                .first()
                .map(|b| b.location.clone())
                .unwrap_or_default();
            // A consequence, reported once at the cell that causes it
            // (its error is reported there too): the title, and why.
            let cause = row.row.and_then(|r| {
                let key = (row.file.as_str(), row.sheet.as_deref(), r);
                cells.get(&key).map(|&i| &diagnostics[i])
            });
            let (at, column) = match cause {
                Some(d) if row.column.is_none() || row.column == d.location.column => {
                    (d.location.clone(), d.column.clone())
                }
                _ => (row, None),
            };
            let what = match &column {
                Some(c) => format!("the {c} error at this cell"),
                None => "the error at this row".to_string(),
            };
            let because = match h.blocking.len() {
                0 => String::new(),
                1 => format!(" because of {what}"),
                n => format!(" because of {what} and {} other row(s)", n - 1),
            };
            let mut finding = Diagnostic::of(
                    CV_HELD_BACK,
                    at,
                    format!(
                        "{} ({}): not converted, {} row(s) held back{because}: a full extract without the rejected row(s) would delete their windows on the server",
                        h.scope, h.entry_type, h.rows
                    ),
                )
            .for_alid(h.scope.alid.clone());
            finding.column = column;
            held_findings.push(finding);
            run.held_back.push(h);
        }
        diagnostics.append(&mut held_findings);
        let rejected = self.rejected_before + self.grouper.rejected() + rejected_building;
        let held: usize = run.held_back.iter().map(|h| h.rows).sum();
        run.rows = RowCounts {
            read: self.read,
            converted: self.read.saturating_sub(rejected + held),
            rejected,
            held_back: held,
        };
        run.reopened = self.grouper.reopened();
        run.diagnostics = diagnostics;
        run
    }
}

/// Messages a reading thread sends at a time.
const BATCH: usize = 256;
/// Batches in flight between the reading thread and the grouping one.
const IN_FLIGHT: usize = 8;
/// Packed batches of a workbook's cells in flight (256 rows or 1 MiB of
/// text each, see `packed`): enough that neither thread waits on the other
/// when one is briefly slower, which costs a sleep and a wake-up each time.
/// 300,000 rows converted, alternated runs: 8.4-9.5 s with 8 (mean 9.1 s
/// over six), 8.6-8.8 s with 32, 7.1-9.7 s with 64 (8.4 s over nine); peak
/// memory about 10 MB more.
const BATCHES_IN_FLIGHT: usize = 32;

/// What a reader found, sent to the grouping thread. Nearly every message
/// is an item: boxing it would cost an allocation per row for nothing.
#[allow(clippy::large_enum_variant)]
enum Found {
    Item(Item),
    Given(Box<Payload>),
    Finding(Diagnostic),
    Progress(usize),
}

/// The reading thread's side of [`Collect`]: everything found goes to the
/// grouping thread in batches.
struct Forward {
    tx: SyncSender<Vec<Found>>,
    batch: Vec<Found>,
    /// Whether the grouping thread stopped taking batches.
    hung_up: bool,
}

impl Forward {
    fn push(&mut self, found: Found) {
        self.batch.push(found);
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            // The grouping thread hangs up when the run or the pass stops.
            self.hung_up |= self.tx.send(full).is_err();
        }
    }
}

impl Collect for Forward {
    fn item(&mut self, item: Item) {
        self.push(Found::Item(item));
    }
    fn given(&mut self, payload: Payload) {
        self.push(Found::Given(Box::new(payload)));
    }
    fn finding(&mut self, d: Diagnostic) {
        self.push(Found::Finding(d));
    }
    fn progress(&mut self, rows: usize) {
        self.push(Found::Progress(rows));
    }
    fn stopped(&self) -> bool {
        self.hung_up
    }
}

/// Reads one input on a thread of its own while this one groups, builds
/// and hands payloads to the sink: the two halves of a conversion on the
/// two cores. A workbook's reader only reads cells (the mapping is done
/// here, see [`read_sheets_beside`]); the reader of CSV text, XML or JSON
/// also makes the items, its reading alone being the smaller half.
fn read_beside(
    path: &Path,
    options: &ConvertOptions,
    driver: &mut Driver<'_, '_>,
) -> Result<FileSummary, ConvertError> {
    if InputKind::of(path) == Some(InputKind::Ema) && !is_csv(path) {
        return read_sheets_beside(path, options, driver);
    }
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Vec<Found>>(IN_FLIGHT);
        let reading = move || {
            let mut forward = Forward {
                tx,
                batch: Vec::with_capacity(BATCH),
                hung_up: false,
            };
            let result = read_input(path, options, &mut forward);
            forward.flush();
            result
        };
        let reader = std::thread::Builder::new()
            .name("avails-read".to_string())
            .spawn_scoped(scope, reading)
            .map_err(|e| no_thread(path, &e))?;
        for batch in rx {
            // The pass is to start again: the reader hangs up on its next
            // batch ([`Collect::stopped`]).
            if driver.grouper.found_unsorted() {
                break;
            }
            for found in batch {
                match found {
                    Found::Item(item) => driver.item(item),
                    Found::Given(payload) => driver.given(*payload),
                    Found::Finding(d) => driver.finding(d),
                    Found::Progress(rows) => driver.progress(rows),
                }
            }
        }
        reader
            .join()
            .unwrap_or_else(|_| Err(reader_stopped(path).into()))
    })
}

/// Reads an EMA file's cells on a thread of its own, packed in batches,
/// while this one maps each row and groups it. Reading the cells is the
/// larger half of the work and cannot be split; everything after it is
/// done here and on the sink's thread, so the reader has a core of its own.
fn read_sheets_beside(
    path: &Path,
    options: &ConvertOptions,
    driver: &mut Driver<'_, '_>,
) -> Result<FileSummary, ConvertError> {
    let label = path.display().to_string();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Batch>(BATCHES_IN_FLIGHT);
        // Unpacked batches go back to be packed again: their buffers stay
        // warm in the caches, and no block is freed on a thread other than
        // the one that allocated it.
        let (spare_tx, spare_rx) = channel::<Batch>();
        let reader_label = label.as_str();
        let stop_reading = &stop;
        let reading = move || {
            let mut batch = Batch::default();
            let mapping = &options.mapping;
            let read = avails_ema::read_rows_until(
                path,
                reader_label,
                mapping,
                stop_reading,
                &mut |event| {
                    batch.push(event);
                    if batch.is_full() {
                        // The mapping thread hangs up when the run stops, or
                        // the pass (then `stop` is set too).
                        let _ = tx.send(batch.take(spare_rx.try_recv().ok()));
                    }
                },
            );
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            read
        };
        let reader = std::thread::Builder::new()
            .name("avails-read".to_string())
            .spawn_scoped(scope, reading)
            .map_err(|e| no_thread(path, &e))?;
        let mut rows = EmaRows::new(&label, options);
        let mut unpacker = Unpacker::default();
        for mut batch in rx {
            // The pass is to start again: the reader stops, and what it sent
            // is dropped with the channel.
            if driver.grouper.found_unsorted() {
                stop.store(true, Ordering::Relaxed);
                break;
            }
            unpacker.unpack(&mut batch, &mut |event| rows.event(event, driver));
            // The reader may be done: the batch is then dropped here.
            let _ = spare_tx.send(batch);
        }
        reader
            .join()
            .unwrap_or_else(|_| Err(reader_stopped(path)))?;
        Ok(rows.finish(driver))
    })
}

/// Whether a file is named as CSV text. Only where the mapping runs
/// depends on it: a workbook named `.csv` is still read as a workbook.
fn is_csv(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// The reading thread could not be started.
fn no_thread(path: &Path, e: &std::io::Error) -> ConvertError {
    ConvertError::Ema(EmaError::Damaged {
        file: path.display().to_string(),
        sheet: None,
        message: format!("no thread to read it: {e}"),
    })
}

/// The reading thread stopped without saying why.
fn reader_stopped(path: &Path) -> EmaError {
    EmaError::Damaged {
        file: path.display().to_string(),
        sheet: None,
        message: "the reading thread stopped".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reopened_group_gives_back_exactly_its_records() {
        let (a, b) = (GroupId(3), GroupId(0));
        let mut by = ByGroup::default();
        by.add(a, 0);
        by.add(a, 1);
        by.add(b, 2);
        assert_eq!(by.take(a), 0..2);
        // Taken once: nothing more to drop; another group is untouched.
        assert_eq!(by.take(a), 0..0);
        // Closed again after reopening: only its new records.
        by.add(a, 3);
        assert_eq!(by.take(a), 3..4);
        assert_eq!(by.take(b), 2..3);
        assert_eq!(by.take(GroupId(99)), 0..0);
    }

    /// Only a regular file is read twice, and a file written between the
    /// two reads is seen to have changed.
    #[test]
    fn a_file_can_be_read_again_and_a_change_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("avails.csv");
        std::fs::write(&path, "ALID,Territory\n").unwrap();
        let before = Stamp::of(&path).expect("a regular file");
        assert_eq!(Stamp::of(&path), Some(before.clone()));
        std::fs::write(&path, "ALID,Territory\nmd:alid:org:a,US\n").unwrap();
        assert_ne!(Stamp::of(&path), Some(before));
        assert_eq!(Stamp::of(dir.path()), None, "a folder");
        assert_eq!(Stamp::of(&dir.path().join("missing.csv")), None);
        #[cfg(unix)]
        assert_eq!(Stamp::of(Path::new("/dev/null")), None, "a device");
    }

    #[test]
    #[should_panic(expected = "consecutive")]
    fn records_of_one_close_that_are_not_consecutive_stop_the_run() {
        let mut by = ByGroup::default();
        by.add(GroupId(0), 0);
        by.add(GroupId(1), 1);
        by.add(GroupId(0), 2);
    }
}
