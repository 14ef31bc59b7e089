//! Errors of starting and running the sandbox.
//!
//! Each message carries its cause's text and the cause is not also given as
//! the error's `source`: a caller printing the whole chain (`anyhow`'s `{:#}`)
//! would otherwise say it twice.

use std::io;
use std::path::PathBuf;

/// Why the sandbox could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The configuration is inconsistent (duplicate key, bad fail rate, ...).
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// The listen address could not be bound.
    #[error(
        "cannot listen on {addr}: {error}: choose another --listen address or stop what uses it"
    )]
    Bind {
        /// Address asked for.
        addr: std::net::SocketAddr,
        /// Underlying error.
        error: io::Error,
    },
    /// A certificate, key or CA could not be read or used.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// The SQLite database could not be opened or queried.
    #[error("sandbox database error: {0}")]
    Store(rusqlite::Error),
    /// The database was written by a newer sandbox.
    #[error(
        "sandbox database {path} has schema version {found}, newer than this program's {supported}: upgrade avails or use another --db"
    )]
    NewerDatabase {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: i64,
        /// Version understood.
        supported: i64,
    },
    /// Any other I/O error (runtime creation, signal handling).
    #[error("I/O error: {0}")]
    Io(io::Error),
}

impl From<rusqlite::Error> for SandboxError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e)
    }
}

impl From<io::Error> for SandboxError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}
