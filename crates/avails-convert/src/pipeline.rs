//! The streamed conversion: one thread reads cells (calamine's streaming
//! reader, the CSV reader) while the calling thread maps rows, groups them
//! and hands each group to a [`Sink`] as soon as it closes; a bounded
//! channel between them keeps memory flat whatever the size of the input.
//!
//! A group closed early can be reopened by a later row of an unsorted
//! sheet: the sink is told ([`Sink::reopened`]) and gets the group again
//! when it closes for good. A sink that sends or prints must therefore wait
//! for the end of [`run`]; one that writes files may write as groups close.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver};

use avails_ema::{Cell, EmaError, Header, SheetEvent};
use avails_model::{Diagnostic, Severity};

use crate::codes::CV_HELD_BACK;
use crate::group::{Closed, Event, GroupKey, Grouper, Outcome};
use crate::input::{read_input, Collect, FileSummary};
use crate::{ConvertError, ConvertOptions, HeldBack, Item, Payload, RowCounts};

/// An error a sink cannot recover from (a full disk, a closed journal):
/// the run stops.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Where the payloads of a run go, as their groups close.
pub trait Sink {
    /// A payload of a group that closed. A group closed again after
    /// [`Sink::reopened`] replaces what it gave before.
    fn payload(&mut self, key: &GroupKey, payload: Payload) -> Result<(), SinkError>;
    /// A group held back (nothing of it may be sent).
    fn held_back(&mut self, held: &HeldBack) -> Result<(), SinkError>;
    /// What was given for this group no longer stands: it takes another
    /// row, and will close again.
    fn reopened(&mut self, key: &GroupKey) -> Result<(), SinkError>;
    /// Rows read so far, for a progress bar.
    fn progress(&mut self, _rows: usize) {}
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
    ledger: HashMap<GroupKey, Ledger>,
    closes: usize,
    read: usize,
    rejected_before: usize,
    input: u32,
    failed: Option<SinkError>,
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
                Event::Reopened(key) => self.sink.reopened(&key),
                Event::Closed(closed) => self.closed(closed),
            };
            if let Err(e) = result {
                self.failed = Some(e);
            }
        }
    }

    fn closed(&mut self, closed: Closed) -> Result<(), SinkError> {
        let Closed {
            key,
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
                Outcome::Payload(p) => self.sink.payload(&key, *p)?,
                Outcome::HeldBack(h) => {
                    self.sink.held_back(&h)?;
                    entry.held = Some(h);
                }
            }
        }
        self.ledger.insert(key, entry);
        Ok(())
    }
}

impl Collect for Driver<'_, '_> {
    fn item(&mut self, item: Item) {
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
        self.sink.progress(rows);
    }
}

/// Converts every input, handing payloads to `sink` as their groups close.
/// An error of the sink (or of the spill file) stops the run.
pub fn run(
    paths: &[PathBuf],
    options: &ConvertOptions,
    sink: &mut dyn Sink,
) -> Result<Run, SinkError> {
    let mut driver = Driver {
        grouper: Grouper::new(&options.mapping),
        sink,
        findings: Vec::new(),
        ledger: HashMap::new(),
        closes: 0,
        read: 0,
        rejected_before: 0,
        input: 0,
        failed: None,
    };
    let mut run = Run::default();
    for (i, path) in paths.iter().enumerate() {
        driver.input = i as u32;
        let read_before = driver.read;
        match read_input(path, options, &mut driver, &read_ahead) {
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
    Ok(driver.into_run(run))
}

impl Driver<'_, '_> {
    /// The run's findings and counts, from what each group said last.
    fn into_run(mut self, mut run: Run) -> Run {
        let mut groups: Vec<(GroupKey, Ledger)> = self.ledger.drain().collect();
        groups.sort_by_key(|(_, l)| l.order);
        let mut diagnostics = std::mem::take(&mut self.findings);
        let mut rejected_building = 0;
        for (_, l) in &mut groups {
            rejected_building += l.rejected;
            diagnostics.append(&mut l.findings);
        }
        for (_, l) in groups {
            let Some(h) = l.held else { continue };
            let at = h
                .blocking
                .first()
                .map(|b| b.location.clone())
                .unwrap_or_default();
            diagnostics.push(
                Diagnostic::new(
                    CV_HELD_BACK,
                    Severity::Error,
                    at,
                    format!(
                        "{} ({}): not converted, {} row(s) held back: a full extract without the rejected row(s) would delete their windows on the server",
                        h.scope, h.entry_type, h.rows
                    ),
                )
                .for_alid(h.scope.alid.clone()),
            );
            run.held_back.push(h);
        }
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

/// Rows a reader thread sends at a time.
const BATCH: usize = 256;
/// Batches in flight between the reader thread and the converting one.
const IN_FLIGHT: usize = 8;

/// What the reader thread sends.
enum Message {
    Sheet(Box<Header>),
    Rows(Vec<(u32, Vec<Cell>)>),
}

/// Reads a spreadsheet on its own thread while `consume` maps its rows on
/// this one; the reader's result is returned once both are done.
fn read_ahead(
    path: &std::path::Path,
    label: &str,
    mapping: &avails_mapping::Mapping,
    consume: &mut dyn FnMut(SheetEvent<'_>),
) -> Result<usize, EmaError> {
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Message>(IN_FLIGHT);
        let reader = scope.spawn(move || {
            let mut batch: Vec<(u32, Vec<Cell>)> = Vec::with_capacity(BATCH);
            let mut sink = |event: SheetEvent<'_>| match event {
                SheetEvent::Sheet(header) => {
                    if !batch.is_empty() {
                        let _ = tx.send(Message::Rows(std::mem::take(&mut batch)));
                    }
                    let _ = tx.send(Message::Sheet(Box::new(header.clone())));
                }
                SheetEvent::Skipped { .. } => {}
                SheetEvent::Row { row, cells, .. } => {
                    batch.push((row, cells.to_vec()));
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        let _ = tx.send(Message::Rows(full));
                    }
                }
            };
            let result = avails_ema::read_rows(path, label, mapping, &mut sink);
            if !batch.is_empty() {
                let _ = tx.send(Message::Rows(batch));
            }
            result
        });
        drain(&rx, consume);
        reader.join().unwrap_or_else(|_| {
            Err(EmaError::Damaged {
                file: label.to_string(),
                sheet: None,
                message: "the reading thread stopped".to_string(),
            })
        })
    })
}

/// Hands every message to `consume` until the reader hangs up.
fn drain(rx: &Receiver<Message>, consume: &mut dyn FnMut(SheetEvent<'_>)) {
    let mut header: Option<Box<Header>> = None;
    for message in rx {
        match message {
            Message::Sheet(h) => {
                consume(SheetEvent::Sheet(&h));
                header = Some(h);
            }
            Message::Rows(rows) => {
                let Some(h) = header.as_deref() else { continue };
                for (row, cells) in &rows {
                    consume(SheetEvent::Row {
                        header: h,
                        row: *row,
                        cells,
                    });
                }
            }
        }
    }
}
