//! The package check run beside calamine's read instead of before it.
//!
//! Checking a package first and reading it afterwards inflates it twice
//! one after the other: on a 100,000-row workbook the conversion took 1.57x
//! the bare read instead of 1.05x. Here the check runs on a thread of its
//! own while calamine reads the file through a [`GatedFile`]: calamine may
//! read the compressed bytes of a part only up to where the check has
//! inflated and checked it ([`LAG`] behind the check's reading position, so
//! that what the check's buffers hold unchecked is never handed on). What
//! calamine inflates is therefore always inside the bounds the check has
//! seen; a part over a bound fails the check, the gate then refuses every
//! read, and [`Checking::finish`] reports the limit instead of calamine's
//! error. The parts calamine holds whole are checked first, as it reads them
//! when it opens the workbook.
//!
//! A package whose parts' compressed bytes overlap (a hand-made zip) cannot
//! be gated part by part and is checked whole before the read, as before.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use zip::ZipArchive;

use super::{check_part, known_within_bounds, plan, remember, Bounds, Part, Stamp, CHUNK};
use crate::contain::{contain, Panic};
use crate::EmaError;

/// How far behind the check's reading position calamine is held: more than
/// every buffer between the file and the check's inflater (8 KiB each for
/// the check's reader and the zip library's), so every compressed byte
/// calamine gets has been inflated and checked.
const LAG: u64 = 256 * 1024;

/// What the check's thread ends with: whether it checked every part (false:
/// cancelled), or the limit a part is over, or a panic of the zip library.
type Outcome = Result<Result<bool, String>, Panic>;

/// The check of one XLSX package, running beside its read.
pub(crate) struct Checking {
    gate: Arc<Gate>,
    checker: Option<JoinHandle<Outcome>>,
    stamp: Option<Stamp>,
    path: std::path::PathBuf,
    file_label: String,
}

impl Checking {
    /// Starts checking the package at `path`: a part whose declared size is
    /// over its bound is refused here, before any read.
    pub(crate) fn start(path: &Path, file_label: &str) -> Result<Self, EmaError> {
        let bounds = Bounds::in_force(file_label)?;
        let open =
            |path: &Path| std::fs::File::open(path).map_err(|e| EmaError::open(file_label, e));
        let file = open(path)?;
        let stamp = super::stamp_of(path, &file);
        let mut checking = Checking {
            gate: Arc::new(Gate::open()),
            checker: None,
            stamp: None,
            path: path.to_path_buf(),
            file_label: file_label.to_string(),
        };
        if known_within_bounds(stamp.as_ref()) {
            return Ok(checking);
        }
        let position = Arc::new(AtomicU64::new(0));
        let counted = BufReader::new(CountingFile {
            file,
            position: Arc::clone(&position),
        });
        let limit_err = |message| EmaError::Limit {
            file: file_label.to_string(),
            message,
        };
        let damaged = |panic| EmaError::damaged(file_label, None, panic);
        // A package the zip library cannot open is left to calamine, which
        // says why in its own words.
        let Ok(Ok(mut zip)) = contain(|| ZipArchive::new(counted)) else {
            return Ok(checking);
        };
        let parts = contain(|| plan(&mut zip, &bounds))
            .map_err(damaged)?
            .map_err(limit_err)?;
        let Some(gate) = Gate::over(&parts) else {
            // Overlapping parts: checked whole, then read.
            super::check(path, file_label)?;
            return Ok(checking);
        };
        checking.gate = Arc::new(gate);
        checking.stamp = stamp;
        let gate = Arc::clone(&checking.gate);
        let checker = std::thread::Builder::new()
            .name("xlsx-check".into())
            .spawn(move || run_check(zip, &parts, &bounds, &gate, &position))
            .map_err(|e| EmaError::open(file_label, e))?;
        checking.checker = Some(checker);
        Ok(checking)
    }

    /// The file for calamine to read, through the gate.
    pub(crate) fn reader(&self) -> Result<BufReader<GatedFile>, EmaError> {
        let file =
            std::fs::File::open(&self.path).map_err(|e| EmaError::open(&self.file_label, e))?;
        Ok(BufReader::new(GatedFile {
            file,
            position: 0,
            gate: Arc::clone(&self.gate),
        }))
    }

    /// Waits for the check to end (at once when `stop`: the read ended
    /// early and the rest of the package is not read) and says whether the
    /// package is within bounds. A limit found wins over whatever calamine
    /// made of the gate refusing to read on.
    pub(crate) fn finish(mut self, stop: bool) -> Result<(), EmaError> {
        if stop {
            self.gate.cancel.store(true, Ordering::Relaxed);
        }
        let Some(checker) = self.checker.take() else {
            return Ok(());
        };
        let outcome = checker
            .join()
            .unwrap_or_else(|_| Err(Panic("the package check stopped".to_string())));
        match outcome {
            Ok(Ok(complete)) => {
                if complete {
                    remember(self.stamp.take());
                }
                Ok(())
            }
            Ok(Err(message)) => Err(EmaError::Limit {
                file: self.file_label.clone(),
                message,
            }),
            Err(panic) => Err(EmaError::damaged(&self.file_label, None, panic)),
        }
    }
}

impl Drop for Checking {
    /// A check nobody waits for stops at its next chunk.
    fn drop(&mut self) {
        self.gate.cancel.store(true, Ordering::Relaxed);
    }
}

/// The check's thread: every part in turn, the gate moved on after each
/// chunk checked, then opened (or failed, so calamine stops waiting).
fn run_check<R: Read + Seek>(
    mut zip: ZipArchive<R>,
    parts: &[Part],
    bounds: &Bounds,
    gate: &Gate,
    position: &AtomicU64,
) -> Outcome {
    let mut buffer = vec![0u8; CHUNK];
    let outcome = contain(|| {
        for part in parts {
            if gate.cancel.load(Ordering::Relaxed) {
                return Ok(false);
            }
            // A part the zip library cannot inflate is left to calamine.
            if let Ok(entry) = zip.by_index(part.index) {
                check_part(entry, part, bounds, &mut buffer, || {
                    let read = position.load(Ordering::Relaxed);
                    gate.advance(part, read.saturating_sub(LAG));
                    !gate.cancel.load(Ordering::Relaxed)
                })?;
            }
            gate.advance(part, u64::MAX);
        }
        Ok(!gate.cancel.load(Ordering::Relaxed))
    });
    gate.end(matches!(outcome, Ok(Ok(_))));
    outcome
}

/// How far calamine may read each part's compressed bytes.
struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
    /// Set when nobody reads on: the check stops at its next chunk.
    cancel: AtomicBool,
}

struct GateState {
    /// The parts' compressed bytes, in file order, none overlapping, each
    /// with how far it is checked.
    guarded: Vec<Guarded>,
    /// The check ended within bounds (or was cancelled): every read passes.
    open: bool,
    /// The check found a part over a bound: every read fails.
    failed: bool,
}

struct Guarded {
    data: Range<u64>,
    checked_to: u64,
}

impl Gate {
    /// A gate that lets every read pass.
    fn open() -> Self {
        Self::with(Vec::new(), true)
    }

    /// A gate holding back each part's compressed bytes until checked, or
    /// None when two parts' bytes overlap.
    fn over(parts: &[Part]) -> Option<Self> {
        let mut guarded: Vec<Guarded> = parts
            .iter()
            .filter_map(|p| p.data.clone())
            .filter(|data| !data.is_empty())
            .map(|data| Guarded {
                checked_to: data.start,
                data,
            })
            .collect();
        guarded.sort_by_key(|g| g.data.start);
        let overlapping = guarded.windows(2).any(|w| w[1].data.start < w[0].data.end);
        (!overlapping).then(|| Self::with(guarded, false))
    }

    fn with(guarded: Vec<Guarded>, open: bool) -> Self {
        Gate {
            state: Mutex::new(GateState {
                guarded,
                open,
                failed: false,
            }),
            changed: Condvar::new(),
            cancel: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The part's bytes before `to` are checked.
    fn advance(&self, part: &Part, to: u64) {
        let Some(data) = &part.data else {
            return;
        };
        let mut state = self.lock();
        let at = state.guarded.partition_point(|g| g.data.start < data.start);
        if let Some(g) = state.guarded.get_mut(at).filter(|g| g.data == *data) {
            let to = to.clamp(g.data.start, g.data.end);
            if to > g.checked_to {
                g.checked_to = to;
                self.changed.notify_all();
            }
        }
    }

    /// The check ended: within bounds (every read passes) or not (every
    /// read fails).
    fn end(&self, within_bounds: bool) {
        let mut state = self.lock();
        state.open = within_bounds;
        state.failed = !within_bounds;
        self.changed.notify_all();
    }

    /// How many of `want` bytes at `position` may be read now, waiting
    /// until at least one may; an error once the check has failed.
    fn allowed(&self, position: u64, want: usize) -> std::io::Result<usize> {
        let mut state = self.lock();
        loop {
            if state.failed {
                return Err(std::io::Error::other(
                    "a part of the workbook is over a limit",
                ));
            }
            if state.open || want == 0 {
                return Ok(want);
            }
            let at = state.guarded.partition_point(|g| g.data.end <= position);
            let room = match state.guarded.get(at) {
                None => return Ok(want),
                Some(g) if position < g.data.start => g.data.start - position,
                Some(g) => g.checked_to.saturating_sub(position),
            };
            if room > 0 {
                return Ok(want.min(usize::try_from(room).unwrap_or(usize::MAX)));
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The package file as calamine reads it: each read waits for the check.
pub(crate) struct GatedFile {
    file: std::fs::File,
    position: u64,
    gate: Arc<Gate>,
}

impl Read for GatedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let allowed = self.gate.allowed(self.position, buf.len())?;
        let n = self.file.read(&mut buf[..allowed])?;
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for GatedFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.position = self.file.seek(to)?;
        Ok(self.position)
    }
}

/// The package file as the check reads it, telling how far it has read.
struct CountingFile {
    file: std::fs::File,
    position: Arc<AtomicU64>,
}

impl Read for CountingFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.position.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Seek for CountingFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let at = self.file.seek(to)?;
        self.position.store(at, Ordering::Relaxed);
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    const MIB: usize = 1024 * 1024;

    fn package_file(sheet: &[u8]) -> tempfile::NamedTempFile {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/styles.xml", options).unwrap();
        zip.write_all(b"<styleSheet/>").unwrap();
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        zip.write_all(sheet).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(&bytes).unwrap();
        file
    }

    /// The sheet part inflated through the gate, as calamine would.
    /// The check may have failed before the reader opens the archive or
    /// the part: then nothing at all is inflated.
    fn read_sheet_through(checking: &Checking) -> (Vec<u8>, Result<usize, String>) {
        let mut out = Vec::new();
        let read = ZipArchive::new(checking.reader().unwrap())
            .map_err(|e| e.to_string())
            .and_then(|mut zip| {
                let mut part = zip
                    .by_name("xl/worksheets/sheet1.xml")
                    .map_err(|e| e.to_string())?;
                part.read_to_end(&mut out).map_err(|e| e.to_string())
            });
        (out, read)
    }

    #[test]
    fn a_package_within_bounds_reads_whole_through_the_gate() {
        let sheet = [
            b"<worksheet><sheetData>".as_slice(),
            &b"<row r=\"1\"><c t=\"inlineStr\"><is><t>Full Extract</t></is></c></row>"
                .repeat(200_000),
            b"</sheetData></worksheet>",
        ]
        .concat();
        let file = package_file(&sheet);
        let checking = Checking::start(file.path(), "big.xlsx").unwrap();
        let (out, read) = read_sheet_through(&checking);
        assert_eq!(read.unwrap(), sheet.len());
        assert_eq!(out, sheet);
        checking.finish(false).unwrap();
    }

    #[test]
    fn the_read_stops_where_the_check_finds_a_run_over_the_limit() {
        // 1 MiB of ordinary cells, then 6 MiB of white space between two
        // tags (over the 4 MiB default of one value), then more cells.
        let cells = b"<row><c><v>1</v></c></row>".repeat(MIB / 26);
        let sheet = [
            b"<worksheet><sheetData>".as_slice(),
            &cells,
            &vec![b' '; 6 * MIB],
            &cells,
            b"</sheetData></worksheet>",
        ]
        .concat();
        let file = package_file(&sheet);
        let checking = Checking::start(file.path(), "bomb.xlsx").unwrap();
        let (out, read) = read_sheet_through(&checking);
        assert!(read.is_err(), "the gate refuses to read on");
        // Nothing past the run's first 4 MiB (and the chunks the check and
        // the zip library buffer) ever reached the reader.
        let before_run = 22 + cells.len();
        assert!(
            out.len() <= before_run + 4 * MIB + 512 * 1024,
            "{} bytes inflated",
            out.len()
        );
        let err = checking.finish(false).unwrap_err().to_string();
        assert!(
            err.contains("bomb.xlsx") && err.contains("AVAILS_MAX_VALUE_MIB"),
            "{err}"
        );
    }

    #[test]
    fn a_read_that_ends_early_cancels_the_check() {
        let sheet = b"<row><c><v>1</v></c></row>".repeat(400_000);
        let file = package_file(&sheet);
        let checking = Checking::start(file.path(), "early.xlsx").unwrap();
        drop(ZipArchive::new(checking.reader().unwrap()).unwrap());
        checking.finish(true).unwrap();
    }
}
