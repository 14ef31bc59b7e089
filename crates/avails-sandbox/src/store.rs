//! State in SQLite: one row per license window, one per recorded delivery.
//!
//! A window is identified by its licensor, ALID, territory and business line
//! (its *scope*), then its `_TransactionID`: the same transaction ID may name
//! windows of different scopes (a title's TVOD and FVOD windows often reuse
//! one), and a write of one scope never touches another's windows.
//!
//! One connection behind a mutex; callers run on blocking threads. Every write
//! is one SQLite transaction, so a crash mid-request leaves the old or the new
//! state. File databases use WAL with `synchronous=NORMAL`.
//!
//! Schema versions (`PRAGMA user_version`): 0 is the first one, whose unique
//! index on (licensor, transaction ID) made a scope's PUT replace another
//! scope's window; [`Store::open`] migrates it to 2 by replacing that index
//! (every row it held is valid under the new one). A newer version is refused.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, TransactionBehavior};

use crate::SandboxError;

/// The schema version this code reads and writes.
pub const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS windows (
    id             INTEGER PRIMARY KEY,
    licensor       TEXT NOT NULL,
    alid           TEXT NOT NULL,
    territory      TEXT NOT NULL,
    business_line  TEXT NOT NULL,
    transaction_id TEXT,
    contract_id    TEXT,
    header         TEXT NOT NULL,
    trans          TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS windows_by_scope_transaction
    ON windows(licensor, alid, territory, business_line, transaction_id);
CREATE INDEX IF NOT EXISTS windows_by_transaction_id ON windows(licensor, transaction_id);
CREATE INDEX IF NOT EXISTS windows_by_scope ON windows(licensor, alid, territory, business_line);
CREATE TABLE IF NOT EXISTS deliveries (
    id       INTEGER PRIMARY KEY,
    licensor TEXT NOT NULL,
    alid     TEXT NOT NULL,
    record   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_by_alid ON deliveries(licensor, alid);
";

/// A license window to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWindow {
    /// ISO country of the window.
    pub territory: String,
    /// Business line wire name (`TVOD`, ...).
    pub business_line: String,
    /// `_TransactionID`, if the payload gave one.
    pub transaction_id: Option<String>,
    /// `ContractID`, if any.
    pub contract_id: Option<String>,
    /// The transaction object, JSON text as received.
    pub trans: String,
}

/// A stored license window.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredWindow {
    /// Title.
    pub alid: String,
    /// ISO country of the window.
    pub territory: String,
    /// Business line wire name.
    pub business_line: String,
    /// `_TransactionID`, if any.
    pub transaction_id: Option<String>,
    /// The avail without `Disposition` and `Transaction`, JSON text.
    pub header: String,
    /// The transaction object, JSON text.
    pub trans: String,
}

/// The sandbox database.
pub struct Store {
    conn: Mutex<Connection>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn window_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredWindow> {
    Ok(StoredWindow {
        alid: row.get(0)?,
        territory: row.get(1)?,
        business_line: row.get(2)?,
        transaction_id: row.get(3)?,
        header: row.get(4)?,
        trans: row.get(5)?,
    })
}

const WINDOW_COLUMNS: &str = "alid, territory, business_line, transaction_id, header, trans";

/// Narrows the windows a transaction ID names (sandbox-only query parameters
/// of the partial-extract GET and DELETE).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeFilter {
    /// Only windows of this title.
    pub alid: Option<String>,
    /// Only windows of this territory.
    pub territory: Option<String>,
    /// Only windows of this business line (wire name).
    pub business_line: Option<String>,
}

/// Brings a database of an older schema to [`SCHEMA_VERSION`], or refuses a newer one.
fn migrate(conn: &Connection, path: Option<&Path>) -> Result<(), SandboxError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(SandboxError::NewerDatabase {
            path: path.map(Path::to_path_buf).unwrap_or_default(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < 2 {
        // Version 0 kept one window per (licensor, transaction ID) across
        // every scope; its rows are unique under the new index too.
        conn.execute_batch("DROP INDEX IF EXISTS windows_by_transaction;")?;
    }
    conn.execute_batch(SCHEMA)?;
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    Ok(())
}

impl Store {
    /// Opens (creating or migrating if needed) the database at `path`, or an in-memory one.
    pub fn open(path: Option<&Path>) -> Result<Self, SandboxError> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        if path.is_some() {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let tx = conn.unchecked_transaction()?;
        migrate(&tx, path)?;
        tx.commit()?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        match self.conn.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Replaces every window of each (territory, business line) scope present
    /// in `windows` for this ALID by `windows`, in one transaction.
    pub fn replace_scopes(
        &self,
        licensor: &str,
        alid: &str,
        header: &str,
        windows: &[NewWindow],
    ) -> rusqlite::Result<()> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut del = tx.prepare_cached(
                "DELETE FROM windows WHERE licensor = ?1 AND alid = ?2 AND territory = ?3 AND business_line = ?4",
            )?;
            let mut seen: Vec<(&str, &str)> = Vec::new();
            for w in windows {
                let scope = (w.territory.as_str(), w.business_line.as_str());
                if !seen.contains(&scope) {
                    seen.push(scope);
                    del.execute(params![licensor, alid, scope.0, scope.1])?;
                }
            }
            let mut ins = tx.prepare_cached(
                "INSERT INTO windows
                 (licensor, alid, territory, business_line, transaction_id, contract_id, header, trans, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let stamp = now();
            // A `_TransactionID` repeated within one scope of one avail
            // (AV081, a warning: the spec's trailer examples do it) must not
            // make the later window replace the earlier one: the repeat is
            // stored without the ID column (its JSON keeps the ID), so
            // partial-extract calls by that ID reach the first window. The
            // same ID in two scopes names two windows, both kept with it.
            let mut ids: Vec<(&str, &str, &str)> = Vec::new();
            for w in windows {
                let id = w.transaction_id.as_deref().filter(|id| {
                    let key = (w.territory.as_str(), w.business_line.as_str(), *id);
                    let repeat = ids.contains(&key);
                    ids.push(key);
                    !repeat
                });
                ins.execute(params![
                    licensor,
                    alid,
                    w.territory,
                    w.business_line,
                    id,
                    w.contract_id,
                    header,
                    w.trans,
                    stamp
                ])?;
            }
        }
        tx.commit()
    }

    /// Creates or replaces the window with this transaction ID in its own
    /// scope (licensor, ALID, territory, business line), in one transaction;
    /// windows of other scopes sharing the ID are left alone.
    pub fn put_transaction(
        &self,
        licensor: &str,
        alid: &str,
        header: &str,
        window: &NewWindow,
    ) -> rusqlite::Result<()> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "INSERT INTO windows
             (licensor, alid, territory, business_line, transaction_id, contract_id, header, trans, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(licensor, alid, territory, business_line, transaction_id) DO UPDATE SET
                 contract_id = excluded.contract_id, header = excluded.header,
                 trans = excluded.trans, updated_at = excluded.updated_at",
        )?;
        stmt.execute(params![
            licensor,
            alid,
            window.territory,
            window.business_line,
            window.transaction_id,
            window.contract_id,
            header,
            window.trans,
            now()
        ])?;
        Ok(())
    }

    /// Deletes the windows of one scope (optionally of one contract); returns how many.
    pub fn delete_scope(
        &self,
        licensor: &str,
        alid: &str,
        territory: &str,
        business_line: &str,
        contract_id: Option<&str>,
    ) -> rusqlite::Result<usize> {
        let conn = self.lock();
        match contract_id {
            Some(c) => conn.execute(
                "DELETE FROM windows WHERE licensor = ?1 AND alid = ?2 AND territory = ?3
                 AND business_line = ?4 AND contract_id = ?5",
                params![licensor, alid, territory, business_line, c],
            ),
            None => conn.execute(
                "DELETE FROM windows WHERE licensor = ?1 AND alid = ?2 AND territory = ?3
                 AND business_line = ?4",
                params![licensor, alid, territory, business_line],
            ),
        }
    }

    /// Deletes the windows of several scopes in one transaction; returns how many.
    pub fn delete_scopes(
        &self,
        licensor: &str,
        alid: &str,
        scopes: &[(String, String)],
    ) -> rusqlite::Result<usize> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut n = 0;
        {
            let mut del = tx.prepare_cached(
                "DELETE FROM windows WHERE licensor = ?1 AND alid = ?2 AND territory = ?3 AND business_line = ?4",
            )?;
            for (t, b) in scopes {
                n += del.execute(params![licensor, alid, t, b])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Deletes every window of a title; returns how many.
    pub fn delete_title(&self, licensor: &str, alid: &str) -> rusqlite::Result<usize> {
        self.lock().execute(
            "DELETE FROM windows WHERE licensor = ?1 AND alid = ?2",
            params![licensor, alid],
        )
    }

    /// The windows of one scope, oldest first.
    pub fn scope(
        &self,
        licensor: &str,
        alid: &str,
        territory: &str,
        business_line: &str,
    ) -> rusqlite::Result<Vec<StoredWindow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {WINDOW_COLUMNS} FROM windows WHERE licensor = ?1 AND alid = ?2
             AND territory = ?3 AND business_line = ?4 ORDER BY id"
        ))?;
        let rows = stmt.query_map(
            params![licensor, alid, territory, business_line],
            window_from_row,
        )?;
        rows.collect()
    }

    /// Every window of a title, oldest first.
    pub fn title(&self, licensor: &str, alid: &str) -> rusqlite::Result<Vec<StoredWindow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {WINDOW_COLUMNS} FROM windows WHERE licensor = ?1 AND alid = ?2 ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![licensor, alid], window_from_row)?;
        rows.collect()
    }

    /// Every window carrying this transaction ID (in its ID column), narrowed
    /// by `filter`, oldest first: several when scopes share the ID.
    pub fn transactions(
        &self,
        licensor: &str,
        transaction_id: &str,
        filter: &ScopeFilter,
    ) -> rusqlite::Result<Vec<StoredWindow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {WINDOW_COLUMNS} FROM windows WHERE licensor = ?1 AND transaction_id = ?2
             AND (?3 IS NULL OR alid = ?3) AND (?4 IS NULL OR territory = ?4)
             AND (?5 IS NULL OR business_line = ?5) ORDER BY id"
        ))?;
        let rows = stmt.query_map(
            params![
                licensor,
                transaction_id,
                filter.alid,
                filter.territory,
                filter.business_line
            ],
            window_from_row,
        )?;
        rows.collect()
    }

    /// Deletes the one window of this scope with this transaction ID; returns whether there was one.
    pub fn delete_window(
        &self,
        licensor: &str,
        window: &StoredWindow,
        transaction_id: &str,
    ) -> rusqlite::Result<bool> {
        let n = self.lock().execute(
            "DELETE FROM windows WHERE licensor = ?1 AND alid = ?2 AND territory = ?3
             AND business_line = ?4 AND transaction_id = ?5",
            params![
                licensor,
                window.alid,
                window.territory,
                window.business_line,
                transaction_id
            ],
        )?;
        Ok(n > 0)
    }

    /// Records one delivery (a JSON record) of a title.
    pub fn add_delivery(&self, licensor: &str, alid: &str, record: &str) -> rusqlite::Result<()> {
        self.lock()
            .execute(
                "INSERT INTO deliveries (licensor, alid, record) VALUES (?1, ?2, ?3)",
                params![licensor, alid, record],
            )
            .map(|_| ())
    }

    /// The delivery records of a title, oldest first.
    pub fn deliveries(&self, licensor: &str, alid: &str) -> rusqlite::Result<Vec<String>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT record FROM deliveries WHERE licensor = ?1 AND alid = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![licensor, alid], |r| r.get(0))?;
        rows.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(id: &str, trans: &str) -> NewWindow {
        NewWindow {
            territory: "US".into(),
            business_line: "FVOD".into(),
            transaction_id: Some(id.into()),
            contract_id: None,
            trans: trans.into(),
        }
    }

    #[test]
    fn an_id_repeated_within_one_avail_keeps_both_windows() {
        let store = Store::open(None).unwrap();
        let both = [window("x", r#"{"n":1}"#), window("x", r#"{"n":2}"#)];
        store.replace_scopes("l", "a", "{}", &both).unwrap();
        let stored: Vec<String> = store
            .scope("l", "a", "US", "FVOD")
            .unwrap()
            .into_iter()
            .map(|w| w.trans)
            .collect();
        assert_eq!(stored, vec![r#"{"n":1}"#, r#"{"n":2}"#]);
        // A partial-extract call by the ID reaches the first window.
        let found = store
            .transactions("l", "x", &ScopeFilter::default())
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].trans, r#"{"n":1}"#);
        // Replacing the scope again still keeps both, not four.
        store.replace_scopes("l", "a", "{}", &both).unwrap();
        assert_eq!(store.scope("l", "a", "US", "FVOD").unwrap().len(), 2);
    }
}
