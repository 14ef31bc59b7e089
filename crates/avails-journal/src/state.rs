//! The state directory of `avails`: one journal per profile, the database of
//! the `--sandbox` server, and the lock that lets one process write there at
//! a time.
//!
//! A real profile's journal lives in the user's data directory
//! ([`user_state_dir`]), wherever the command is run from, so one profile
//! has one audit trail and re-runs from another folder send nothing twice;
//! the `--sandbox` runs keep theirs beside the sheet ([`DEFAULT_STATE_DIR`]).
//!
//! Every path in it comes from the functions here: [`journal_path`] is the
//! one place a profile's journal file is named.
//!
//! The lock is an advisory exclusive lock (`flock`, through `fs4`) on
//! `avails.lock` in the directory, taken for a whole command that writes
//! (submit, delete) and released when the process ends, even by a crash or
//! `kill -9`. While it holds the lock the process writes its pid, command and
//! start time into the file, so a second one can say who is running.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::JournalError;

/// The state directory of the `--sandbox` runs (relative to the current
/// folder), and of a profile's when the user has no data directory.
pub const DEFAULT_STATE_DIR: &str = ".avails";
/// The profile name of runs against the in-process sandbox (`--sandbox`).
pub const SANDBOX_PROFILE: &str = "sandbox";
/// The lock file's name.
pub const LOCK_FILE: &str = "avails.lock";
/// The sandbox database's name.
pub const SANDBOX_DB_FILE: &str = "sandbox.sqlite";

/// The journal of `profile` in `state_dir`: `journal-{profile}.sqlite`.
///
/// A name with characters other than ASCII letters, digits, `-` and `_` has
/// them replaced by `_` and gets the start of its SHA-256 appended, so two
/// profiles never share a journal (`my prod` and `my_prod` differ).
pub fn journal_path(state_dir: &Path, profile: &str) -> PathBuf {
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = if safe == profile && !profile.is_empty() {
        format!("journal-{profile}.sqlite")
    } else {
        let digest = hex::encode(Sha256::digest(profile.as_bytes()));
        format!("journal-{safe}-{}.sqlite", &digest[..8])
    };
    state_dir.join(name)
}

/// The state directory of a real profile: `avails` in the user's data
/// directory (`directories`: `$XDG_DATA_HOME/avails`, else
/// `~/.local/share/avails` on Linux; `~/Library/Application Support/avails`
/// on macOS; `%APPDATA%\avails\data` on Windows), `None` when the system
/// names no home for the user.
pub fn user_state_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "avails").map(|d| d.data_dir().to_path_buf())
}

/// The database of the in-process sandbox (`--sandbox`) in `state_dir`.
pub fn sandbox_db_path(state_dir: &Path) -> PathBuf {
    state_dir.join(SANDBOX_DB_FILE)
}

/// The exclusive right to write in a state directory, held until dropped.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
    path: PathBuf,
}

impl WriterLock {
    /// Takes the lock of `state_dir` (created if needed) for `command`, or
    /// says which process holds it ([`JournalError::Busy`]) without waiting.
    pub fn acquire(state_dir: &Path, command: &str) -> Result<Self, JournalError> {
        std::fs::create_dir_all(state_dir).map_err(|error| JournalError::Io {
            path: state_dir.to_path_buf(),
            error,
        })?;
        let path = state_dir.join(LOCK_FILE);
        let io = |error| JournalError::Io {
            path: path.clone(),
            error,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                // The holder writes who it is just after taking the lock:
                // give it a moment to have said so.
                let mut holder = String::new();
                for _ in 0..20 {
                    holder.clear();
                    let _ = file.seek(SeekFrom::Start(0));
                    let _ = file.read_to_string(&mut holder);
                    if !holder.trim().is_empty() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
                return Err(JournalError::Busy {
                    dir: state_dir.to_path_buf(),
                    holder: holder.trim().to_string(),
                });
            }
            Err(fs4::TryLockError::Error(error)) => return Err(io(error)),
        }
        let stamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let text = format!(
            "pid {}, `avails {command}`, running since {stamp}\n",
            std::process::id()
        );
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(Self { file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        // Say nobody holds it, then release (closing the file would too).
        let _ = self.file.set_len(0);
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_names_are_safe_and_distinct() {
        let dir = Path::new("/s");
        assert_eq!(
            journal_path(dir, "prod"),
            PathBuf::from("/s/journal-prod.sqlite")
        );
        let spaced = journal_path(dir, "my prod");
        let underscored = journal_path(dir, "my_prod");
        assert_ne!(spaced, underscored);
        let name = spaced.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("journal-my_prod-"), "{name}");
        assert!(name.ends_with(".sqlite") && !name.contains(' '), "{name}");
        let sneaky = journal_path(dir, "../../etc/x");
        assert_eq!(sneaky.parent(), Some(dir));
        assert_eq!(journal_path(dir, "my prod"), spaced, "stable");
    }

    #[test]
    fn a_second_writer_is_told_who_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = WriterLock::acquire(dir.path(), "submit").unwrap();
        let e = WriterLock::acquire(dir.path(), "delete").unwrap_err();
        let message = e.to_string();
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains("`avails submit`"), "{message}");
        assert!(message.contains("running since 20"), "{message}");
        assert!(message.contains("--state-dir"), "{message}");
        drop(first);
        let again = WriterLock::acquire(dir.path(), "delete").unwrap();
        assert_eq!(again.path(), dir.path().join(LOCK_FILE));
    }
}
