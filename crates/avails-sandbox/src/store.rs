//! State in SQLite: one row per license window, one per recorded delivery.
//!
//! One connection behind a mutex; callers run on blocking threads. Every write
//! is one SQLite transaction, so a crash mid-request leaves the old or the new
//! state. File databases use WAL with `synchronous=NORMAL`.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

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
CREATE UNIQUE INDEX IF NOT EXISTS windows_by_transaction ON windows(licensor, transaction_id);
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

impl Store {
    /// Opens (creating if needed) the database at `path`, or an in-memory one.
    pub fn open(path: Option<&Path>) -> rusqlite::Result<Self> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        if path.is_some() {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
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
                "INSERT OR REPLACE INTO windows
                 (licensor, alid, territory, business_line, transaction_id, contract_id, header, trans, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let stamp = now();
            // A `_TransactionID` repeated within one avail (AV081, a warning:
            // the spec's trailer examples do it) must not make the later
            // window replace the earlier one: the repeat is stored without
            // the ID column (its JSON keeps the ID), so partial-extract calls
            // by that ID reach the first window.
            let mut ids: Vec<&str> = Vec::new();
            for w in windows {
                let id = w.transaction_id.as_deref().filter(|id| {
                    let repeat = ids.contains(id);
                    ids.push(id);
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

    /// Creates or replaces the window with this transaction ID, in one transaction.
    pub fn put_transaction(
        &self,
        licensor: &str,
        alid: &str,
        header: &str,
        window: &NewWindow,
    ) -> rusqlite::Result<()> {
        self.replace_transactions(licensor, alid, header, std::slice::from_ref(window))
    }

    /// Creates or replaces windows by transaction ID without touching others.
    fn replace_transactions(
        &self,
        licensor: &str,
        alid: &str,
        header: &str,
        windows: &[NewWindow],
    ) -> rusqlite::Result<()> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT OR REPLACE INTO windows
                 (licensor, alid, territory, business_line, transaction_id, contract_id, header, trans, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let stamp = now();
            for w in windows {
                ins.execute(params![
                    licensor,
                    alid,
                    w.territory,
                    w.business_line,
                    w.transaction_id,
                    w.contract_id,
                    header,
                    w.trans,
                    stamp
                ])?;
            }
        }
        tx.commit()
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

    /// The window with this transaction ID.
    pub fn transaction(
        &self,
        licensor: &str,
        transaction_id: &str,
    ) -> rusqlite::Result<Option<StoredWindow>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {WINDOW_COLUMNS} FROM windows WHERE licensor = ?1 AND transaction_id = ?2"
        ))?;
        stmt.query_row(params![licensor, transaction_id], window_from_row)
            .optional()
    }

    /// Deletes the window with this transaction ID; returns its ALID if there was one.
    pub fn delete_transaction(
        &self,
        licensor: &str,
        transaction_id: &str,
    ) -> rusqlite::Result<Option<String>> {
        let conn = self.lock();
        conn.query_row(
            "DELETE FROM windows WHERE licensor = ?1 AND transaction_id = ?2 RETURNING alid",
            params![licensor, transaction_id],
            |r| r.get(0),
        )
        .optional()
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
        let first = store.transaction("l", "x").unwrap().unwrap();
        assert_eq!(first.trans, r#"{"n":1}"#);
        // Replacing the scope again still keeps both, not four.
        store.replace_scopes("l", "a", "{}", &both).unwrap();
        assert_eq!(store.scope("l", "a", "US", "FVOD").unwrap().len(), 2);
    }
}
