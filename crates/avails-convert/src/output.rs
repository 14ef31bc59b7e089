//! Writing payloads to a folder: one file per payload, written atomically,
//! with names that cannot fail, and `manifest.json` written last, so a
//! folder with a manifest is a finished conversion. A run that fails
//! removes what it wrote.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::spans::{Span, SpanFile};
use crate::Payload;

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";

/// Longest file name stem written (bytes); longer stems are cut and get a
/// hash of the payload's key, well under every file system's limit.
const MAX_STEM: usize = 100;

/// Errors writing the output folder.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The folder holds files this tool did not write in this run.
    #[error("{dir} holds files a conversion did not write there ({found}); choose an empty folder, or pass --force to write beside them")]
    NotEmpty {
        /// The folder.
        dir: String,
        /// One file found there.
        found: String,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A folder being filled with payload files.
#[derive(Debug)]
pub struct PayloadDir {
    dir: PathBuf,
    /// The names in use, lower-cased, by hash: a million names cost eight
    /// bytes each; two names sharing a hash only make the second longer.
    used: HashSet<u64>,
    /// Every file written, by number; None once removed.
    files: Vec<Option<Box<str>>>,
    finished: bool,
}

/// A file [`PayloadDir::write`] wrote, by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId(u32);

impl PayloadDir {
    /// Opens `dir` for writing (creating it). What a previous conversion
    /// wrote there (the files its manifest lists, and the manifest) is
    /// removed first; any other file makes the folder refused, unless
    /// `force`, which writes beside it.
    pub fn create(dir: &Path, force: bool) -> Result<Self, OutputError> {
        let write_err = |source: std::io::Error| OutputError::Write {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(write_err)?;
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(write_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        if !entries.is_empty() {
            for owned in owned_by_previous_run(dir) {
                let _ = std::fs::remove_file(&owned);
            }
            entries.retain(|p| p.exists());
        }
        if let Some(found) = entries.first().filter(|_| !force) {
            return Err(OutputError::NotEmpty {
                dir: dir.display().to_string(),
                found: found
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
            });
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            used: HashSet::new(),
            files: Vec::new(),
            finished: false,
        })
    }

    /// Writes one payload to a file of its own; returns the file's number
    /// and name.
    pub fn write(&mut self, payload: &Payload) -> Result<(FileId, String), OutputError> {
        let name = self.file_name(payload);
        let bytes = serde_json::to_vec_pretty(&payload.request).unwrap_or_default();
        write_atomic(&self.dir.join(&name), &bytes, false)?;
        self.files.push(Some(name.clone().into_boxed_str()));
        Ok((FileId(self.files.len() as u32 - 1), name))
    }

    /// Removes a payload file written earlier in this run (its group
    /// reopened); its name is free again, so the payload written in its
    /// place gets it back.
    pub fn remove(&mut self, file: FileId) -> Result<(), OutputError> {
        let Some(name) = self.files.get_mut(file.0 as usize).and_then(Option::take) else {
            return Ok(());
        };
        self.used.remove(&name_hash(&name));
        let path = self.dir.join(&*name);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(OutputError::Write {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Writes the manifest, last; the folder is then a finished conversion.
    pub fn finish(mut self, manifest: &impl serde::Serialize) -> Result<(), OutputError> {
        write_atomic_with(&self.dir.join(MANIFEST), true, &mut |out| {
            serde_json::to_writer_pretty(out, manifest).map_err(std::io::Error::from)
        })?;
        self.finished = true;
        Ok(())
    }

    /// A unique, bounded, portable file name for a payload.
    fn file_name(&mut self, payload: &Payload) -> String {
        let stem = payload.file_stem();
        let key = payload.key();
        let hashed = |cut: &str| {
            format!(
                "{cut}-{}",
                &hex::encode(Sha256::digest(key.as_bytes()))[..12]
            )
        };
        let mut name = if stem.len() > MAX_STEM {
            hashed(&stem[..MAX_STEM - 13])
        } else {
            stem
        };
        // Names equal but for case collide on some file systems.
        if !self.used.insert(name_hash(&name)) {
            let cut = name[..name.len().min(MAX_STEM - 13)].to_string();
            name = hashed(&cut);
            let mut n = 2;
            while !self.used.insert(name_hash(&name)) {
                name = format!("{}-{n}", hashed(&cut));
                n += 1;
            }
        }
        format!("{name}.json")
    }
}

/// The hash of a file name (its stem or itself) as case-insensitive file
/// systems compare it.
fn name_hash(name: &str) -> u64 {
    let stem = name.strip_suffix(".json").unwrap_or(name);
    crate::hash_of(&stem.to_ascii_lowercase())
}

impl Drop for PayloadDir {
    /// A run that did not finish removes what it wrote: payloads without a
    /// manifest would look like a conversion that never happened.
    fn drop(&mut self) {
        if !self.finished {
            for name in self.files.iter().flatten() {
                let _ = std::fs::remove_file(self.dir.join(&**name));
            }
        }
    }
}

/// The files a previous conversion's manifest says it wrote.
fn owned_by_previous_run(dir: &Path) -> Vec<PathBuf> {
    let manifest = dir.join(MANIFEST);
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let mut owned: Vec<PathBuf> = value["payloads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["file"].as_str())
        // Only plain names inside the folder.
        .filter(|f| !f.contains(['/', '\\']) && !f.starts_with('.'))
        .map(|f| dir.join(f))
        .collect();
    owned.push(manifest);
    owned
}

/// Writes a file through a temporary file in the same folder renamed over
/// `path` once complete, so a crash or a full disk never leaves a
/// half-written file; the temporary file is removed on failure. `durable`
/// also waits for the data to reach the disk before the rename.
pub fn write_atomic(path: &Path, bytes: &[u8], durable: bool) -> Result<(), OutputError> {
    write_atomic_with(path, durable, &mut |out| out.write_all(bytes))
}

/// [`write_atomic`] of what `write` writes, buffered: a large file is
/// never held whole in memory.
pub fn write_atomic_with(
    path: &Path,
    durable: bool,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let result = (|| {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
            write(&mut out)?;
            out.flush()?;
        }
        if durable {
            tmp.as_file().sync_all()?;
        }
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    })();
    result.map_err(|source| OutputError::Write {
        path: path.display().to_string(),
        source,
    })
}

/// One payload in the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ManifestEntry {
    /// Its file in the folder (absent for NDJSON output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Title, territory, business line.
    #[serde(flatten)]
    pub scope: crate::Scope,
    /// Full extract, full delete or partial extract.
    #[serde(rename = "entryType")]
    pub entry_type: avails_model::EntryType,
    /// Windows in it.
    pub transactions: usize,
    /// Errors validation finds in it (it would be refused).
    #[serde(rename = "validationErrors")]
    pub validation_errors: usize,
    /// Where its rows came from.
    pub sources: Vec<String>,
}

impl ManifestEntry {
    /// The entry of a payload written to `file`.
    pub fn new(payload: &Payload, file: Option<String>, validation_errors: usize) -> Self {
        Self {
            file,
            scope: payload.scope(),
            entry_type: payload.entry_type.clone(),
            transactions: payload.request.avail.transaction.len(),
            validation_errors,
            sources: payload
                .source_locations()
                .iter()
                .map(ToString::to_string)
                .collect(),
        }
    }
}

/// Everything a conversion did, as `manifest.json` and `--format json` say it.
#[derive(Debug, serde::Serialize)]
pub struct Manifest {
    /// The payloads written, in order.
    pub payloads: ManifestPayloads,
    /// Groups not converted because one of their rows is rejected.
    #[serde(rename = "heldBack")]
    pub held_back: Vec<crate::HeldBack>,
    /// `read = converted + rejected + heldBack`.
    pub rows: crate::RowCounts,
    /// Payloads written, held back, and of those written, how many
    /// validation would refuse.
    pub counts: Counts,
    /// Error findings, located.
    pub errors: Vec<avails_model::Diagnostic>,
    /// Warning findings, located.
    pub warnings: Vec<avails_model::Diagnostic>,
    /// Inputs that could not be read.
    pub unreadable: Vec<String>,
    /// What was read from each input, with every sheet's column accounting.
    pub inputs: Vec<crate::FileSummary>,
}

/// The manifest's entry of every payload written, kept in a temporary file
/// (one entry lists every row's source: a million rows' worth is too much
/// to hold) and read back each time the manifest is written.
pub struct ManifestPayloads {
    file: std::cell::RefCell<SpanFile>,
    spans: Vec<Span>,
}

impl std::fmt::Debug for ManifestPayloads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ManifestPayloads({} entries)", self.spans.len())
    }
}

impl serde::Serialize for ManifestPayloads {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut file = self.file.borrow_mut();
        let records = file
            .read(self.spans.iter().copied())
            .map_err(S::Error::custom)?;
        let mut seq = serializer.serialize_seq(Some(self.spans.len()))?;
        for record in records {
            let bytes = record.map_err(S::Error::custom)?;
            let entry: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(S::Error::custom)?;
            seq.serialize_element(&entry)?;
        }
        seq.end()
    }
}

/// The payload counts of a conversion.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Counts {
    /// Payloads written.
    pub written: usize,
    /// Payloads held back.
    #[serde(rename = "heldBack")]
    pub held_back: usize,
    /// Payloads written that validation would refuse.
    #[serde(rename = "failValidation")]
    pub fail_validation: usize,
}

/// Where a conversion's payloads go: a folder (written as groups close) or
/// NDJSON on a writer (at the end, once no group can reopen). Each payload
/// is checked as it comes, so the summary can say how many would fail
/// validation.
pub struct PayloadSink<'m> {
    /// The folder, or None for NDJSON.
    dir: Option<PayloadDir>,
    checker: crate::check::Checker<'m>,
    /// Per payload: its manifest entry (folder) or NDJSON line, until the end.
    spill: SpanFile,
    /// Per payload given, in order; None once its group reopened.
    records: Vec<Option<Record>>,
    by_group: crate::pipeline::ByGroup,
    progress: Option<Box<dyn FnMut(usize) + Send + 'm>>,
}

/// One payload given: where its record is, whether validation refuses it,
/// and its file in the folder.
#[derive(Debug, Clone, Copy)]
struct Record {
    span: Span,
    fails: bool,
    file: Option<FileId>,
}

impl<'m> PayloadSink<'m> {
    /// Payload files in `dir` (see [`PayloadDir::create`]).
    pub fn dir(
        dir: &Path,
        force: bool,
        mapping: &'m avails_mapping::Mapping,
    ) -> Result<Self, OutputError> {
        Self::with(Some(PayloadDir::create(dir, force)?), mapping)
    }

    /// NDJSON, written by [`PayloadSink::finish_lines`].
    pub fn lines(mapping: &'m avails_mapping::Mapping) -> Result<Self, OutputError> {
        Self::with(None, mapping)
    }

    fn with(
        dir: Option<PayloadDir>,
        mapping: &'m avails_mapping::Mapping,
    ) -> Result<Self, OutputError> {
        let spill = SpanFile::new().map_err(|source| OutputError::Write {
            path: "a temporary file".into(),
            source,
        })?;
        Ok(Self {
            dir,
            checker: crate::check::Checker::new(mapping),
            spill,
            records: Vec::new(),
            by_group: crate::pipeline::ByGroup::default(),
            progress: None,
        })
    }

    /// Calls `progress` with the rows read so far.
    pub fn with_progress(mut self, progress: impl FnMut(usize) + Send + 'm) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Payloads given for good, and how many of them validation refuses.
    pub fn counts(&self) -> (usize, usize) {
        let live = self.records.iter().flatten();
        (live.clone().count(), live.filter(|r| r.fails).count())
    }

    /// The folder, and the manifest entries of the payloads given for good,
    /// in order; None for NDJSON.
    pub fn into_dir(self) -> Option<(PayloadDir, ManifestPayloads)> {
        let spans = self.records.iter().flatten().map(|r| r.span).collect();
        let payloads = ManifestPayloads {
            file: std::cell::RefCell::new(self.spill),
            spans,
        };
        self.dir.map(|dir| (dir, payloads))
    }

    /// Writes every payload given for good, one JSON line each, in order.
    pub fn finish_lines(mut self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        if self.dir.is_some() {
            return Ok(());
        }
        let spans = self.records.iter().flatten().map(|r| r.span);
        self.spill.write_to(spans, out)?;
        out.flush()
    }
}

impl crate::pipeline::Sink for PayloadSink<'_> {
    fn payload(
        &mut self,
        group: crate::GroupId,
        payload: Payload,
    ) -> Result<(), crate::pipeline::SinkError> {
        let errors =
            |found: Vec<avails_model::Diagnostic>| found.iter().filter(|d| d.is_error()).count();
        let (bytes, errors, file) = match &mut self.dir {
            Some(dir) => {
                let errors = errors(self.checker.check(&payload));
                let (file, name) = dir.write(&payload)?;
                let entry = ManifestEntry::new(&payload, Some(name), errors);
                (serde_json::to_vec(&entry)?, errors, Some(file))
            }
            None => {
                let mut bytes = Vec::new();
                let errors = errors(self.checker.check_writing(&payload, &mut bytes)?);
                bytes.push(b'\n');
                (bytes, errors, None)
            }
        };
        self.by_group.add(group, self.records.len());
        self.records.push(Some(Record {
            span: self.spill.put(&bytes)?,
            fails: errors > 0,
            file,
        }));
        Ok(())
    }

    fn held_back(&mut self, _held: &crate::HeldBack) -> Result<(), crate::pipeline::SinkError> {
        Ok(())
    }

    fn reopened(&mut self, group: crate::GroupId) -> Result<(), crate::pipeline::SinkError> {
        for i in self.by_group.take(group) {
            let file = self.records[i].take().and_then(|r| r.file);
            if let (Some(dir), Some(file)) = (&mut self.dir, file) {
                dir.remove(file)?;
            }
        }
        Ok(())
    }

    fn progress(&mut self, rows: usize) {
        if let Some(p) = self.progress.as_mut() {
            p(rows);
        }
    }

    fn waits_on_disk(&self) -> bool {
        self.dir.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payloads() -> Vec<Payload> {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/tvod-movie.xlsx");
        let c = crate::convert_inputs(&[sample], &crate::ConvertOptions::default(), &mut |_| {});
        assert!(!c.payloads.is_empty());
        c.payloads
    }

    #[test]
    fn a_run_that_does_not_finish_removes_every_file_it_wrote_and_only_those() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let p = payloads();
        let mut out = PayloadDir::create(&dir, false).unwrap();
        let (file, name) = out.write(&p[0]).unwrap();
        // Removed (its group reopened) and written again: the same name.
        out.remove(file).unwrap();
        assert!(!dir.join(&name).exists());
        assert_eq!(out.write(&p[0]).unwrap().1, name);
        // Written beside itself: a name of its own.
        let (_, other) = out.write(&p[0]).unwrap();
        assert_ne!(other, name);
        assert!(dir.join(&name).is_file() && dir.join(&other).is_file());
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        drop(out);
        let left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(left, ["notes.txt"]);

        let mut out = PayloadDir::create(&tmp.path().join("done"), false).unwrap();
        let (_, name) = out.write(&p[0]).unwrap();
        out.finish(&serde_json::json!({"payloads": [{"file": name}]}))
            .unwrap();
        assert!(tmp.path().join("done").join(&name).is_file());
        assert!(tmp.path().join("done").join(MANIFEST).is_file());
    }
}
