//! The SQLite journal: one row per payload key (its latest state) and an
//! append-only event list (its history).
//!
//! Protocol per payload: [`Journal::should_send`], then [`Journal::mark_sending`]
//! (committed before the request leaves), then [`Journal::mark_result`] with the
//! server's answer. A row still `sending` when a journal is opened belongs to a
//! run that stopped between the two: its outcome is unknown, so it goes back to
//! `pending` (noted `interrupted`) and is sent again; PUT is idempotent. A row
//! only becomes `acknowledged` through `mark_result`, i.e. with an answer.
//!
//! One process writes a journal at a time: writers hold the state
//! directory's [`crate::WriterLock`]. Nothing here stores the API key or
//! any HTTP header: only keys, hashes, states, statuses and the server's error
//! list.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};

use avails_model::ApiError;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::Value;

use crate::JournalError;

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS entries (
    key         TEXT PRIMARY KEY NOT NULL,
    hash        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending','sending','acknowledged','rejected','failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_status INTEGER,
    answer      TEXT,
    note        TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_state ON entries(state);
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL,
    hash        TEXT NOT NULL,
    state       TEXT NOT NULL,
    http_status INTEGER,
    answer      TEXT,
    note        TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_key ON events(key);
CREATE TABLE IF NOT EXISTS titles (
    key         TEXT PRIMARY KEY NOT NULL,
    title       TEXT,
    source      TEXT
);
";

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

/// Note left on a row that was `sending` when the journal was opened.
pub const INTERRUPTED: &str = "interrupted";
/// Note left on a row whose content was deleted on the server (`avails delete`).
pub const DELETED: &str = "deleted";

/// Where a payload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Planned, or to be sent again.
    Pending,
    /// A request is (or was, if the run stopped) on its way.
    Sending,
    /// The server answered success.
    Acknowledged,
    /// The server refused the payload (4xx or `success: false`).
    Rejected,
    /// No usable answer (retries exhausted, connection, 5xx).
    Failed,
}

impl State {
    /// Every state.
    pub const ALL: [State; 5] = [
        Self::Pending,
        Self::Sending,
        Self::Acknowledged,
        Self::Rejected,
        Self::Failed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Acknowledged => "acknowledged",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }

    /// Whether it ends an attempt (acknowledged, rejected, failed).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Acknowledged | Self::Rejected | Self::Failed)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = JournalError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| JournalError::UnknownState(s.to_string()))
    }
}

/// Whether to send a payload, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", content = "reason", rename_all = "lowercase")]
pub enum Decision {
    /// Send it.
    Send(SendReason),
    /// Do not: identical content was already acknowledged.
    Skip,
}

/// Why a payload is to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SendReason {
    /// Never sent.
    New,
    /// Content differs from what the journal last recorded.
    Changed,
    /// Planned and not sent yet.
    Pending,
    /// A previous run stopped without an answer: outcome unknown.
    Interrupted,
    /// What had landed was deleted on the server since.
    Deleted,
    /// Same content was rejected before (the caller may choose to skip).
    PreviouslyRejected,
    /// Same content failed before (no usable answer).
    PreviouslyFailed,
}

/// The result of one send, for [`Journal::mark_result`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// `Acknowledged`, `Rejected` or `Failed`.
    pub state: State,
    /// HTTP status of the answer, if there was one.
    pub http_status: Option<u16>,
    /// The server's answer (its error list) as JSON.
    pub answer: Option<Value>,
}

impl Outcome {
    /// The server acknowledged the payload.
    pub fn acknowledged(http_status: u16) -> Self {
        Self {
            state: State::Acknowledged,
            http_status: Some(http_status),
            answer: None,
        }
    }

    /// The server refused the payload with these errors.
    pub fn rejected(http_status: u16, errors: &[ApiError]) -> Self {
        Self {
            state: State::Rejected,
            http_status: Some(http_status),
            answer: serde_json::to_value(errors).ok(),
        }
    }

    /// The answer of a 2xx: acknowledged when `success`, else rejected with its errors.
    pub fn from_status(http_status: u16, answer: &avails_model::StatusResponse) -> Self {
        if answer.success {
            Self::acknowledged(http_status)
        } else {
            Self::rejected(http_status, &answer.errors)
        }
    }

    /// No usable answer; `message` says what happened (it must not contain secrets).
    pub fn failed(http_status: Option<u16>, message: &str) -> Self {
        Self {
            state: State::Failed,
            http_status,
            answer: Some(Value::String(message.to_string())),
        }
    }
}

/// A payload's latest record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Payload key.
    pub key: String,
    /// Hash of the content last recorded.
    pub hash: String,
    /// Current state.
    pub state: State,
    /// Sends so far.
    pub attempts: u32,
    /// HTTP status of the last answer.
    pub last_status: Option<u16>,
    /// The server's last answer (error list).
    pub answer: Option<Value>,
    /// `interrupted` after a crash recovery.
    pub note: Option<String>,
    /// First recorded (UTC, RFC 3339).
    pub created_at: String,
    /// Last changed (UTC, RFC 3339).
    pub updated_at: String,
}

/// One transition in a payload's history; `avails journal --format json`
/// prints these (camelCase keys, as every `--format json` output).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Sequence number.
    pub id: i64,
    /// Payload key.
    pub key: String,
    /// Content hash at that time.
    pub hash: String,
    /// State entered.
    pub state: State,
    /// HTTP status, for results.
    pub http_status: Option<u16>,
    /// The server's answer, for results.
    pub answer: Option<Value>,
    /// `interrupted` for crash recoveries.
    pub note: Option<String>,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// The title, as the last submit of the key named it
    /// ([`Journal::describe_all`]): its TitleInternalAlias, else its ALID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where the last submit of the key read it: the sheet row (or file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What [`Journal::describe_all`] records of a key: its title and where it
/// was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Description<'a> {
    /// The journal key.
    pub key: &'a str,
    /// TitleInternalAlias, else ALID (or the transaction for a partial extract).
    pub title: &'a str,
    /// The sheet row or file it was read from.
    pub source: &'a str,
}

/// Which events [`Journal::history`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Exactly this key.
    pub key: Option<String>,
    /// Keys starting with this (e.g. `full:mgm:`).
    pub key_prefix: Option<String>,
    /// Only events entering this state.
    pub state: Option<State>,
    /// Only the most recent N (returned newest first, like every history).
    pub limit: Option<usize>,
}

/// The submission journal.
#[derive(Debug)]
pub struct Journal {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
    recovered: Vec<String>,
}

impl Journal {
    /// Opens (creating directories, file and tables) a journal in WAL mode, and recovers interrupted sends.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|error| JournalError::Io {
                path: dir.to_path_buf(),
                error,
            })?;
        }
        let conn = Connection::open(path).map_err(|e| JournalError::sqlite("opening", e))?;
        conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
            .map_err(|e| JournalError::sqlite("switching to WAL", e))?;
        Self::init(conn, Some(path.to_path_buf()))
    }

    /// A journal in memory (tests, dry runs).
    pub fn open_in_memory() -> Result<Self, JournalError> {
        let conn = Connection::open_in_memory().map_err(|e| JournalError::sqlite("opening", e))?;
        Self::init(conn, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Self, JournalError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| JournalError::sqlite("setting busy timeout", e))?;
        // FULL: a `sending` mark is on disk before the request leaves, even on power loss.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| JournalError::sqlite("setting synchronous", e))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| JournalError::sqlite("reading schema version", e))?;
        if version > SCHEMA_VERSION {
            return Err(JournalError::NewerSchema {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        conn.execute_batch(SCHEMA)
            .map_err(|e| JournalError::sqlite("creating tables", e))?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(|e| JournalError::sqlite("writing schema version", e))?;
        let recovered = recover(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path,
            recovered,
        })
    }

    /// The file, unless in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Keys found `sending` at open: their outcome is unknown and they will be re-sent.
    pub fn recovered(&self) -> &[String] {
        &self.recovered
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (transactions roll back), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `key` with content `hash` must be sent: skipped only when that exact content was acknowledged.
    pub fn should_send(&self, key: &str, hash: &str) -> Result<Decision, JournalError> {
        let Some(e) = self.entry(key)? else {
            return Ok(Decision::Send(SendReason::New));
        };
        if e.hash != hash {
            return Ok(Decision::Send(SendReason::Changed));
        }
        Ok(match e.state {
            State::Acknowledged => Decision::Skip,
            State::Rejected => Decision::Send(SendReason::PreviouslyRejected),
            State::Failed => Decision::Send(SendReason::PreviouslyFailed),
            // `sending` is only seen here if another caller of this process is
            // sending the same key; its outcome is unknown, like a crash.
            State::Sending => Decision::Send(SendReason::Interrupted),
            State::Pending if e.note.as_deref() == Some(INTERRUPTED) => {
                Decision::Send(SendReason::Interrupted)
            }
            State::Pending if e.note.as_deref() == Some(DELETED) => {
                Decision::Send(SendReason::Deleted)
            }
            State::Pending => Decision::Send(SendReason::Pending),
        })
    }

    /// Records a payload as planned; an entry already acknowledged with the same hash is left alone.
    pub fn mark_pending(&self, key: &str, hash: &str) -> Result<(), JournalError> {
        self.mark_pending_all([(key, hash)])
    }

    /// [`Journal::mark_pending`] for many payloads, in one transaction: one
    /// disk sync instead of one per payload (with `synchronous=FULL` each
    /// commit is an fsync, which for thousands of partial-extract
    /// transactions took longer than sending them at 250 per second).
    pub fn mark_pending_all<'a>(
        &self,
        units: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction()
            .map_err(|e| JournalError::sqlite("starting a transaction", e))?;
        for (key, hash) in units {
            check_args(key, hash)?;
            pending_in(&tx, key, hash)?;
        }
        tx.commit()
            .map_err(|e| JournalError::sqlite("committing", e))
    }

    /// Records each key's title and source (replacing what an earlier run
    /// said), for [`Journal::history`] to show; in one transaction.
    pub fn describe_all<'a>(
        &self,
        items: impl IntoIterator<Item = Description<'a>>,
    ) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction()
            .map_err(|e| JournalError::sqlite("starting a transaction", e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO titles (key, title, source) VALUES (?1, ?2, ?3) \
                     ON CONFLICT(key) DO UPDATE SET title = excluded.title, source = excluded.source",
                )
                .map_err(|e| JournalError::sqlite("describing titles", e))?;
            for d in items {
                stmt.execute(rusqlite::params![d.key, d.title, d.source])
                    .map_err(|e| JournalError::sqlite("describing titles", e))?;
            }
        }
        tx.commit()
            .map_err(|e| JournalError::sqlite("committing", e))
    }

    /// Records that `key` with content `hash` is about to be sent (committed before returning).
    pub fn mark_sending(&self, key: &str, hash: &str) -> Result<(), JournalError> {
        self.mark_sending_all([(key, hash)])
    }

    /// [`Journal::mark_sending`] for the payloads of one request (a batch),
    /// in one transaction: one disk sync, committed before the request leaves.
    pub fn mark_sending_all<'a>(
        &self,
        units: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction()
            .map_err(|e| JournalError::sqlite("starting a transaction", e))?;
        for (key, hash) in units {
            check_args(key, hash)?;
            sending_in(&tx, key, hash)?;
        }
        tx.commit()
            .map_err(|e| JournalError::sqlite("committing", e))
    }

    /// Records that what these keys sent was deleted on the server (by
    /// `avails delete`, answered `http_status`): each existing entry goes
    /// back to `pending`, noted [`DELETED`], so the next submit sends it
    /// again. Keys the journal never saw are ignored; returns how many
    /// entries changed. One transaction.
    pub fn mark_deleted<'a>(
        &self,
        keys: impl IntoIterator<Item = &'a str>,
        http_status: Option<u16>,
    ) -> Result<usize, JournalError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction()
            .map_err(|e| JournalError::sqlite("starting a transaction", e))?;
        let mut changed = 0;
        for key in keys {
            let hash: Option<String> =
                query_row_cached(&tx, "SELECT hash FROM entries WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|e| JournalError::sqlite("reading an entry", e))?;
            let Some(hash) = hash else { continue };
            execute_cached(
                &tx,
                &format!(
                    "UPDATE entries SET state = 'pending', note = '{DELETED}', last_status = ?2, answer = NULL, updated_at = {NOW} WHERE key = ?1"
                ),
                params![key, http_status],
            )
            .map_err(|e| JournalError::sqlite("marking deleted", e))?;
            insert_event(
                &tx,
                key,
                &hash,
                State::Pending,
                http_status,
                None,
                Some(DELETED),
            )?;
            changed += 1;
        }
        tx.commit()
            .map_err(|e| JournalError::sqlite("committing", e))?;
        Ok(changed)
    }

    /// The keys of every entry starting with `prefix` (e.g. `full:mgm:a1:US:TVOD`).
    pub fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT key FROM entries WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key")
            .map_err(|e| JournalError::sqlite("listing keys", e))?;
        let rows = stmt
            .query_map([prefix], |r| r.get(0))
            .map_err(|e| JournalError::sqlite("listing keys", e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| JournalError::sqlite("listing keys", e))
    }

    /// Records the server's answer for a payload marked `sending` with the same hash.
    pub fn mark_result(
        &self,
        key: &str,
        hash: &str,
        outcome: &Outcome,
    ) -> Result<(), JournalError> {
        self.mark_results([(key, hash, outcome)])
    }

    /// [`Journal::mark_result`] for the payloads of one request (a batch),
    /// in one transaction: one disk sync.
    pub fn mark_results<'a>(
        &self,
        results: impl IntoIterator<Item = (&'a str, &'a str, &'a Outcome)>,
    ) -> Result<(), JournalError> {
        let mut conn = self.conn();
        let tx = conn
            .transaction()
            .map_err(|e| JournalError::sqlite("starting a transaction", e))?;
        for (key, hash, outcome) in results {
            result_in(&tx, key, hash, outcome)?;
        }
        tx.commit()
            .map_err(|e| JournalError::sqlite("committing", e))
    }

    /// The latest record of one key.
    pub fn entry(&self, key: &str) -> Result<Option<Entry>, JournalError> {
        let conn = self.conn();
        query_row_cached(
            &conn,
            "SELECT key, hash, state, attempts, last_status, answer, note, created_at, updated_at FROM entries WHERE key = ?1",
            [key],
            read_entry,
        )
        .optional()
        .map_err(|e| JournalError::sqlite("reading an entry", e))?
        .transpose()
    }

    /// Every entry, by key.
    pub fn entries(&self) -> Result<Vec<Entry>, JournalError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT key, hash, state, attempts, last_status, answer, note, created_at, updated_at FROM entries ORDER BY key",
            )
            .map_err(|e| JournalError::sqlite("listing entries", e))?;
        let rows = stmt
            .query_map([], read_entry)
            .map_err(|e| JournalError::sqlite("listing entries", e))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(|e| JournalError::sqlite("listing entries", e))??);
        }
        Ok(out)
    }

    /// Number of entries in each state (every state listed).
    pub fn counts(&self) -> Result<Vec<(State, u64)>, JournalError> {
        let conn = self.conn();
        let mut out = Vec::new();
        for st in State::ALL {
            let n: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM entries WHERE state = ?1",
                    [st.as_str()],
                    |r| r.get(0),
                )
                .map_err(|e| JournalError::sqlite("counting entries", e))?;
            out.push((st, n.max(0) as u64));
        }
        Ok(out)
    }

    /// Events matching `filter`, newest first.
    pub fn history(&self, filter: &HistoryFilter) -> Result<Vec<Event>, JournalError> {
        let mut sql = String::from(
            "SELECT e.id, e.key, e.hash, e.state, e.http_status, e.answer, e.note, e.at, \
             t.title, t.source FROM events e LEFT JOIN titles t ON t.key = e.key WHERE 1 = 1",
        );
        let mut args: Vec<String> = Vec::new();
        if let Some(k) = &filter.key {
            args.push(k.clone());
            sql.push_str(&format!(" AND e.key = ?{}", args.len()));
        }
        if let Some(p) = &filter.key_prefix {
            args.push(p.clone());
            sql.push_str(&format!(
                " AND substr(e.key, 1, length(?{0})) = ?{0}",
                args.len()
            ));
        }
        if let Some(s) = filter.state {
            args.push(s.as_str().to_string());
            sql.push_str(&format!(" AND e.state = ?{}", args.len()));
        }
        sql.push_str(" ORDER BY e.id DESC");
        if let Some(n) = filter.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&sql)
            .map_err(|e| JournalError::sqlite("reading history", e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), read_event)
            .map_err(|e| JournalError::sqlite("reading history", e))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(|e| JournalError::sqlite("reading history", e))??);
        }
        Ok(out)
    }
}

/// The hash and state `key` has now, if it has an entry.
fn hash_and_state(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
) -> Result<Option<(String, String)>, JournalError> {
    query_row_cached(
        tx,
        "SELECT hash, state FROM entries WHERE key = ?1",
        [key],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .map_err(|e| JournalError::sqlite("reading an entry", e))
}

/// Marks one payload pending inside `tx` (see [`Journal::mark_pending`]).
fn pending_in(tx: &rusqlite::Transaction<'_>, key: &str, hash: &str) -> Result<(), JournalError> {
    let current = hash_and_state(tx, key)?;
    match current {
        Some((h, s)) if h == hash && (s == "acknowledged" || s == "pending") => return Ok(()),
        Some(_) => {
            execute_cached(
                tx,
                &format!(
                    "UPDATE entries SET hash = ?2, state = 'pending', note = NULL, updated_at = {NOW} WHERE key = ?1"
                ),
                params![key, hash],
            )
            .map_err(|e| JournalError::sqlite("marking pending", e))?;
        }
        None => {
            execute_cached(
                tx,
                &format!(
                    "INSERT INTO entries (key, hash, state, attempts, created_at, updated_at) VALUES (?1, ?2, 'pending', 0, {NOW}, {NOW})"
                ),
                params![key, hash],
            )
            .map_err(|e| JournalError::sqlite("marking pending", e))?;
        }
    }
    insert_event(tx, key, hash, State::Pending, None, None, None)
}

/// Marks one payload sending inside `tx` (see [`Journal::mark_sending`]).
fn sending_in(tx: &rusqlite::Transaction<'_>, key: &str, hash: &str) -> Result<(), JournalError> {
    execute_cached(
        tx,
        &format!(
            "INSERT INTO entries (key, hash, state, attempts, created_at, updated_at)
                 VALUES (?1, ?2, 'sending', 1, {NOW}, {NOW})
                 ON CONFLICT(key) DO UPDATE SET hash = excluded.hash, state = 'sending',
                     attempts = attempts + 1, note = NULL, updated_at = excluded.updated_at"
        ),
        params![key, hash],
    )
    .map_err(|e| JournalError::sqlite("marking sending", e))?;
    insert_event(tx, key, hash, State::Sending, None, None, None)
}

/// Records one answer inside `tx` (see [`Journal::mark_result`]).
fn result_in(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    hash: &str,
    outcome: &Outcome,
) -> Result<(), JournalError> {
    check_args(key, hash)?;
    if !outcome.state.is_final() {
        return Err(JournalError::NotFinal(outcome.state));
    }
    let answer = outcome
        .answer
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| JournalError::Json {
            context: "serializing the answer",
            error: e,
        })?;
    let current = hash_and_state(tx, key)?;
    match current {
        None => {
            return Err(JournalError::NotSending {
                key: key.to_string(),
                state: None,
            })
        }
        Some((_, s)) if s != "sending" => {
            return Err(JournalError::NotSending {
                key: key.to_string(),
                state: Some(s),
            })
        }
        Some((h, _)) if h != hash => {
            return Err(JournalError::HashMismatch {
                key: key.to_string(),
            })
        }
        Some(_) => {}
    }
    execute_cached(
        tx,
        &format!(
            "UPDATE entries SET state = ?2, last_status = ?3, answer = ?4, updated_at = {NOW} WHERE key = ?1"
        ),
        params![key, outcome.state.as_str(), outcome.http_status, answer],
    )
    .map_err(|e| JournalError::sqlite("recording a result", e))?;
    insert_event(
        tx,
        key,
        hash,
        outcome.state,
        outcome.http_status,
        answer.as_deref(),
        None,
    )?;
    Ok(())
}

/// Moves every `sending` row back to `pending`, noted `interrupted`, and returns their keys.
fn recover(conn: &mut Connection) -> Result<Vec<String>, JournalError> {
    let tx = conn
        .transaction()
        .map_err(|e| JournalError::sqlite("starting recovery", e))?;
    let stuck: Vec<(String, String)> = {
        let mut stmt = tx
            .prepare("SELECT key, hash FROM entries WHERE state = 'sending' ORDER BY key")
            .map_err(|e| JournalError::sqlite("finding interrupted sends", e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| JournalError::sqlite("finding interrupted sends", e))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| JournalError::sqlite("finding interrupted sends", e))?
    };
    for (key, hash) in &stuck {
        tx.execute(
            &format!(
                "UPDATE entries SET state = 'pending', note = '{INTERRUPTED}', updated_at = {NOW} WHERE key = ?1"
            ),
            [key],
        )
        .map_err(|e| JournalError::sqlite("recovering an interrupted send", e))?;
        insert_event(
            &tx,
            key,
            hash,
            State::Pending,
            None,
            None,
            Some(INTERRUPTED),
        )?;
    }
    tx.commit()
        .map_err(|e| JournalError::sqlite("committing recovery", e))?;
    Ok(stuck.into_iter().map(|(k, _)| k).collect())
}

fn insert_event(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    hash: &str,
    state: State,
    http_status: Option<u16>,
    answer: Option<&str>,
    note: Option<&str>,
) -> Result<(), JournalError> {
    execute_cached(
        tx,
        &format!(
            "INSERT INTO events (key, hash, state, http_status, answer, note, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW})"
        ),
        params![key, hash, state.as_str(), http_status, answer, note],
    )
    .map(|_| ())
    .map_err(|e| JournalError::sqlite("recording an event", e))
}

/// Runs `sql` through the connection's statement cache: a statement run
/// for every unit of a plan is parsed once, not once per unit.
fn execute_cached(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// [`execute_cached`] for a query of one row.
fn query_row_cached<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    read: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, read)
}

fn check_args(key: &str, hash: &str) -> Result<(), JournalError> {
    if key.trim().is_empty() {
        return Err(JournalError::EmptyKey);
    }
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(JournalError::BadHash(hash.chars().take(80).collect()));
    }
    Ok(())
}

fn parse_answer(text: Option<String>) -> Option<Value> {
    text.map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

type RowResult<T> = rusqlite::Result<Result<T, JournalError>>;

fn read_entry(r: &Row<'_>) -> RowResult<Entry> {
    let state: String = r.get(2)?;
    let attempts: i64 = r.get(3)?;
    let last_status: Option<i64> = r.get(4)?;
    let entry = Entry {
        key: r.get(0)?,
        hash: r.get(1)?,
        state: State::Pending,
        attempts: attempts.clamp(0, u32::MAX as i64) as u32,
        last_status: last_status.and_then(|s| u16::try_from(s).ok()),
        answer: parse_answer(r.get(5)?),
        note: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    };
    Ok(state.parse().map(|state| Entry { state, ..entry }))
}

fn read_event(r: &Row<'_>) -> RowResult<Event> {
    let state: String = r.get(3)?;
    let http_status: Option<i64> = r.get(4)?;
    let event = Event {
        id: r.get(0)?,
        key: r.get(1)?,
        hash: r.get(2)?,
        state: State::Pending,
        http_status: http_status.and_then(|s| u16::try_from(s).ok()),
        answer: parse_answer(r.get(5)?),
        note: r.get(6)?,
        at: r.get(7)?,
        title: r.get(8)?,
        source: r.get(9)?,
    };
    Ok(state.parse().map(|state| Event { state, ..event }))
}
