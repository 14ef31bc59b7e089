//! Errors of starting and running the sandbox.

use std::io;

/// Why the sandbox could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The configuration is inconsistent (duplicate key, bad fail rate, ...).
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address asked for.
        addr: std::net::SocketAddr,
        /// Underlying error.
        source: io::Error,
    },
    /// A certificate, key or CA could not be read or used.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// The SQLite database could not be opened or queried.
    #[error("sandbox database error: {0}")]
    Store(#[from] rusqlite::Error),
    /// Any other I/O error (runtime creation, signal handling).
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
}
