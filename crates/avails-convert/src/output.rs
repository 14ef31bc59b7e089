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
    used: HashSet<String>,
    /// The name given to each payload key: written again, it keeps it.
    names: std::collections::HashMap<String, String>,
    finished: bool,
}

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
            names: std::collections::HashMap::new(),
            finished: false,
        })
    }

    /// Writes one payload (over its earlier file, if it was written
    /// before); returns its file name.
    pub fn write(&mut self, payload: &Payload) -> Result<String, OutputError> {
        let key = payload.key();
        let name = match self.names.get(&key) {
            Some(n) => n.clone(),
            None => {
                let n = self.file_name(payload);
                self.names.insert(key, n.clone());
                n
            }
        };
        let bytes = serde_json::to_vec_pretty(&payload.request).unwrap_or_default();
        write_atomic(&self.dir.join(&name), &bytes, false)?;
        Ok(name)
    }

    /// Removes a payload file written earlier in this run.
    pub fn remove(&mut self, name: &str) -> Result<(), OutputError> {
        let path = self.dir.join(name);
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
        if !self.used.insert(name.to_ascii_lowercase()) {
            let cut = name[..name.len().min(MAX_STEM - 13)].to_string();
            name = hashed(&cut);
            let mut n = 2;
            while !self.used.insert(name.to_ascii_lowercase()) {
                name = format!("{}-{n}", hashed(&cut));
                n += 1;
            }
        }
        format!("{name}.json")
    }
}

impl Drop for PayloadDir {
    /// A run that did not finish removes what it wrote: payloads without a
    /// manifest would look like a conversion that never happened.
    fn drop(&mut self) {
        if !self.finished {
            // Every file written has a name here (a rewrite keeps its name).
            for name in self.names.values() {
                let _ = std::fs::remove_file(self.dir.join(name));
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
#[derive(Debug, Clone, serde::Serialize)]
pub struct Manifest {
    /// The payloads written, in order.
    pub payloads: Vec<ManifestEntry>,
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
    target: Target,
    checker: crate::check::Checker<'m>,
    entries: Vec<Option<ManifestEntry>>,
    by_key: std::collections::HashMap<crate::GroupKey, Vec<usize>>,
    progress: Option<Box<dyn FnMut(usize) + Send + 'm>>,
}

enum Target {
    Dir(PayloadDir),
    /// NDJSON kept in a temporary file until the end; no manifest, so
    /// only where each payload's line is is kept, and whether validation
    /// refuses it (None once replaced).
    Lines {
        spill: SpanFile,
        lines: Vec<Option<(Span, bool)>>,
    },
}

impl<'m> PayloadSink<'m> {
    /// Payload files in `dir` (see [`PayloadDir::create`]).
    pub fn dir(
        dir: &Path,
        force: bool,
        mapping: &'m avails_mapping::Mapping,
    ) -> Result<Self, OutputError> {
        Ok(Self::with(
            Target::Dir(PayloadDir::create(dir, force)?),
            mapping,
        ))
    }

    /// NDJSON, written by [`PayloadSink::finish_lines`].
    pub fn lines(mapping: &'m avails_mapping::Mapping) -> Result<Self, OutputError> {
        let spill = SpanFile::new().map_err(|source| OutputError::Write {
            path: "a temporary file".into(),
            source,
        })?;
        let target = Target::Lines {
            spill,
            lines: Vec::new(),
        };
        Ok(Self::with(target, mapping))
    }

    fn with(target: Target, mapping: &'m avails_mapping::Mapping) -> Self {
        Self {
            target,
            checker: crate::check::Checker::new(mapping),
            entries: Vec::new(),
            by_key: std::collections::HashMap::new(),
            progress: None,
        }
    }

    /// Calls `progress` with the rows read so far.
    pub fn with_progress(mut self, progress: impl FnMut(usize) + Send + 'm) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// The manifest entries of the payloads given for good, in order,
    /// moved out (a folder's manifest is built from them once, at the end).
    pub fn take_entries(&mut self) -> Vec<ManifestEntry> {
        std::mem::take(&mut self.entries)
            .into_iter()
            .flatten()
            .collect()
    }

    /// Payloads given for good, and how many of them validation refuses.
    pub fn counts(&self) -> (usize, usize) {
        let (mut live, mut fail) = (0, 0);
        let mut tally = |fails: bool| {
            live += 1;
            fail += usize::from(fails);
        };
        match &self.target {
            Target::Dir(_) => self
                .entries
                .iter()
                .flatten()
                .for_each(|e| tally(e.validation_errors > 0)),
            Target::Lines { lines, .. } => lines.iter().flatten().for_each(|(_, f)| tally(*f)),
        }
        (live, fail)
    }

    /// Writes the manifest last: the folder is a finished conversion.
    pub fn finish_dir(self, manifest: &Manifest) -> Result<(), OutputError> {
        match self.target {
            Target::Dir(dir) => dir.finish(manifest),
            Target::Lines { .. } => Ok(()),
        }
    }

    /// Writes every payload given for good, one JSON line each, in order.
    pub fn finish_lines(self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let Target::Lines { spill, lines } = self.target else {
            return Ok(());
        };
        for line in spill.read_back(lines.into_iter().flatten().map(|(span, _)| span))? {
            out.write_all(&line?)?;
        }
        out.flush()
    }
}

impl crate::pipeline::Sink for PayloadSink<'_> {
    fn payload(
        &mut self,
        key: &crate::GroupKey,
        payload: Payload,
    ) -> Result<(), crate::pipeline::SinkError> {
        let errors = self
            .checker
            .check(&payload)
            .iter()
            .filter(|d| d.is_error())
            .count();
        let index = match &mut self.target {
            Target::Dir(dir) => {
                let file = dir.write(&payload)?;
                let entry = ManifestEntry::new(&payload, Some(file), errors);
                self.entries.push(Some(entry));
                self.entries.len() - 1
            }
            Target::Lines { spill, lines } => {
                let mut bytes = serde_json::to_vec(&payload.request)?;
                bytes.push(b'\n');
                lines.push(Some((spill.put(&bytes)?, errors > 0)));
                lines.len() - 1
            }
        };
        self.by_key.entry(key.clone()).or_default().push(index);
        Ok(())
    }

    fn held_back(&mut self, _held: &crate::HeldBack) -> Result<(), crate::pipeline::SinkError> {
        Ok(())
    }

    fn reopened(&mut self, key: &crate::GroupKey) -> Result<(), crate::pipeline::SinkError> {
        for i in self.by_key.remove(key).unwrap_or_default() {
            match &mut self.target {
                Target::Dir(dir) => {
                    if let Some(file) = self.entries[i].take().and_then(|e| e.file) {
                        dir.remove(&file)?;
                    }
                }
                Target::Lines { lines, .. } => lines[i] = None,
            }
        }
        Ok(())
    }

    fn progress(&mut self, rows: usize) {
        if let Some(p) = self.progress.as_mut() {
            p(rows);
        }
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
        let name = out.write(&p[0]).unwrap();
        // Written again (its group reopened): the same file.
        assert_eq!(out.write(&p[0]).unwrap(), name);
        assert!(dir.join(&name).is_file());
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        drop(out);
        let left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(left, ["notes.txt"]);

        let mut out = PayloadDir::create(&tmp.path().join("done"), false).unwrap();
        let name = out.write(&p[0]).unwrap();
        out.finish(&serde_json::json!({"payloads": [{"file": name}]}))
            .unwrap();
        assert!(tmp.path().join("done").join(&name).is_file());
        assert!(tmp.path().join("done").join(MANIFEST).is_file());
    }
}
