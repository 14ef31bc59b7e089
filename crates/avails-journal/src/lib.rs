//! The submission journal of `avails`: per payload key, the SHA-256 of its
//! canonical JSON, its state (pending, sending, acknowledged, rejected,
//! failed), attempts, last HTTP status, the server's answer and timestamps, in
//! SQLite (WAL). It makes a migration resumable: identical content already
//! acknowledged is skipped, and a send interrupted by a crash is re-sent.
//!
//! ```no_run
//! use avails_journal::{content_hash, partial_key, Decision, Journal, Outcome};
//! # fn main() -> Result<(), avails_journal::JournalError> {
//! let journal = Journal::open("state/journal.sqlite")?;
//! let payload = serde_json::json!({"avail": {"ALID": "a1"}});
//! let (key, hash) = (partial_key("mgm", "tx1"), content_hash(&payload));
//! if let Decision::Send(_) = journal.should_send(&key, &hash)? {
//!     journal.mark_sending(&key, &hash)?;
//!     // ... send, then record the answer:
//!     journal.mark_result(&key, &hash, &Outcome::acknowledged(200))?;
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod hash;
mod journal;
pub mod state;

use std::path::PathBuf;

pub use hash::{
    canonical_json, content_hash, content_hash_node, content_hash_of, full_key, partial_key,
};
pub use journal::{
    Decision, Description, Entry, Event, HistoryFilter, Journal, Outcome, SendReason, State,
    DELETED, INTERRUPTED,
};
pub use state::{
    journal_path, sandbox_db_path, user_state_dir, WriterLock, DEFAULT_STATE_DIR, SANDBOX_PROFILE,
};

/// Errors of the journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A file or directory of the state directory could not be created or written.
    #[error("cannot write {path}: {error}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// Another process holds the state directory's writer lock.
    #[error("another avails is writing in {} ({}): wait for it to finish, or give this run another --state-dir", .dir.display(), if .holder.is_empty() { "it did not say which" } else { .holder.as_str() })]
    Busy {
        /// The state directory.
        dir: PathBuf,
        /// What the holder wrote: its pid, command and start time.
        holder: String,
    },
    /// SQLite failed.
    #[error("journal database error while {context}: {error}")]
    Sqlite {
        /// What was being done.
        context: &'static str,
        /// The SQLite error.
        error: rusqlite::Error,
    },
    /// JSON (de)serialization failed.
    #[error("JSON error while {context}: {error}")]
    Json {
        /// What was being done.
        context: &'static str,
        /// The serde error.
        error: serde_json::Error,
    },
    /// The file was written by a newer `avails`.
    #[error(
        "journal schema version {found} is newer than this program's {supported}: upgrade avails"
    )]
    NewerSchema {
        /// Version in the file.
        found: i64,
        /// Version understood.
        supported: i64,
    },
    /// A state name that is not one of the five.
    #[error("unknown journal state `{0}` (pending, sending, acknowledged, rejected, failed)")]
    UnknownState(String),
    /// `mark_result` without a matching `mark_sending`.
    #[error("`{key}` is not being sent (state: {}): call mark_sending before mark_result", .state.as_deref().unwrap_or("absent"))]
    NotSending {
        /// The key.
        key: String,
        /// Its state, if it exists.
        state: Option<String>,
    },
    /// `mark_result` for other content than was marked sending.
    #[error("`{key}` was marked sending with another content hash: record the result of the payload that was sent")]
    HashMismatch {
        /// The key.
        key: String,
    },
    /// `mark_result` with a non-final state.
    #[error("a result must be acknowledged, rejected or failed, not {0}")]
    NotFinal(State),
    /// Empty payload key.
    #[error("the payload key is empty")]
    EmptyKey,
    /// Not a SHA-256 hex digest.
    #[error("`{0}` is not a SHA-256 hex digest: use content_hash()")]
    BadHash(String),
}

impl JournalError {
    fn sqlite(context: &'static str, error: rusqlite::Error) -> Self {
        Self::Sqlite { context, error }
    }
}
