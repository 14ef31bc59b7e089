//! Errors of the server: starting it, and what a request could not do.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the server could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A non-loopback address without TLS or the acknowledgement.
    #[error(
        "{0} is not a loopback address: the page and its token would travel unencrypted; \
         add --tls-cert FILE --tls-key FILE to serve HTTPS, or acknowledge plain HTTP with \
         --allow-remote (or listen on 127.0.0.1)"
    )]
    NotLoopback(SocketAddr),
    /// The TLS private key file may be read by group or others.
    #[error(
        "the TLS private key {} may be read by other users (mode {mode:03o}): run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    KeyTooOpen {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The TLS certificate or key file cannot be read.
    #[error("cannot read the TLS {what} {}: {source}", path.display())]
    TlsRead {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TLS certificate or key file is not usable PEM.
    #[error("the TLS {what} {} is not usable: {reason}", path.display())]
    TlsInvalid {
        /// `certificate`, `private key`, or both.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What is wrong (never the key's content).
        reason: String,
    },
    /// A socket, file or folder operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Why one request failed: shown to the user on an error page or as text.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// No such sheet set, file or page.
    #[error("{0}")]
    NotFound(String),
    /// The request is not acceptable as made (too large, bad name...).
    #[error("{0}")]
    Bad(String),
    /// An upload over the size limit.
    #[error("{0}")]
    TooLarge(String),
    /// Another send is running, or the state directory is busy.
    #[error("{0}")]
    Conflict(String),
    /// The engine could not do its job (journal, disk, server unreachable).
    #[error("{0}")]
    Failed(String),
}

impl RequestError {
    /// The HTTP status.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Bad(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A failure with its cause chain (for errors that keep a source).
    pub fn failed(what: &str, e: &dyn std::error::Error) -> Self {
        let mut text = format!("{what}: {e}");
        let mut source = e.source();
        while let Some(s) = source {
            let shown = s.to_string();
            if !text.contains(&shown) {
                text.push_str(": ");
                text.push_str(&shown);
            }
            source = s.source();
        }
        Self::Failed(text)
    }
}
