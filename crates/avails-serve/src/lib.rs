//! `avails serve`: a local web page on which a rights team checks, compares
//! and sends its avails sheets itself, on the same engine as the CLI.
//!
//! Four screens, all server-rendered HTML with a little plain JavaScript:
//!
//! - **Check**: drop sheets (EMA XLSX/CSV, MDDF XML, payload JSON); the
//!   summary (titles, payloads, rows read, converted, rejected, held back)
//!   and the findings grouped by cause, errors first, each at its cell with
//!   the sheet's column name, filterable; the annotated workbook to download
//!   (`avails_annotate`, the code of `avails validate --annotate`).
//! - **Compare**: per title, by its name on the sheet and its ALID, the
//!   sheet's and the server's windows on a timeline, the changed fields by
//!   column name with both values (`avails_diff`).
//! - **Send**: the plan (new, changed, unchanged, refused, held back, what
//!   each full extract replaces), an explicit confirmation, live progress
//!   (server-sent events) and a receipt (`avails_submit`, the journal)
//!   with the per-row status workbook of `avails submit --report`
//!   (`avails_annotate::status`) and the JSON to download.
//! - **History**: the journal, newest first, searchable by title.
//!
//! Nothing here is a second implementation: reading, mapping, rules and
//! findings come from `avails_convert`, comparing from `avails_diff`,
//! planning, sending and skipping from `avails_submit` and
//! `avails_journal`. This crate only arranges their results on a page.
//!
//! **Templates: maud.** Pages are written with maud's `html!` macro: they
//! are Rust, compiled into the binary and checked by the compiler (a
//! misspelt variable does not wait for a user to find it), every value is
//! HTML-escaped unless marked otherwise, and there are no template files to
//! embed or load at run time. askama would add template files and a second
//! syntax; minijinja would parse templates at run time and report their
//! mistakes only then. The style sheet and the script are embedded with
//! `include_str!`: no CDN, no build step.
//!
//! **Safety.** Every request must carry the run's secret token (the URL
//! printed at start, as Jupyter does; the first visit trades it for a
//! same-site cookie); others get 401. The server listens on loopback unless
//! told otherwise, and then only with TLS (`--tls-cert`, `--tls-key`; see
//! the `tls` module) or the acknowledgement of plain HTTP
//! (`--allow-remote`). On loopback it refuses a `Host` header that is not
//! the address it listens on (a web page elsewhere cannot reach it by DNS
//! rebinding).
//! Uploads are written only under the state directory and removed when the
//! run ends; the page names each by the name the user gave it, never by
//! where it is stored (the `names` module); nothing leaves the machine but the requests to the configured
//! API.

mod app;
mod auth;
mod engine;
mod error;
mod format;
mod names;
mod pages;
mod status;
mod tls;
mod uploads;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use avails_client::AvailsClient;
use avails_convert::ConvertOptions;

pub use error::ServeError;
pub use tls::TlsFiles;

/// Default upload limit per file: 200 MiB (a very large workbook).
pub const DEFAULT_UPLOAD_LIMIT: u64 = 200 * 1024 * 1024;

/// Default number of conversions run at once (each may use a few hundred
/// MB on a large catalog; the rest wait their turn).
pub const DEFAULT_JOBS: usize = 2;

/// How the server runs: where, on which API, with which limits.
pub struct ServeConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// The CLI's state directory: journals, lock, and the uploads of the run.
    pub state_dir: PathBuf,
    /// The profile's name (`sandbox` for the local sandbox).
    pub profile: String,
    /// The API client of that profile.
    pub client: AvailsClient,
    /// The profile's journal (`avails_journal::journal_path`).
    pub journal_path: PathBuf,
    /// The mapping table and time zone, as the CLI's options give them.
    pub options: ConvertOptions,
    /// Largest file accepted, in bytes.
    pub upload_limit: u64,
    /// Conversions run at once.
    pub jobs: usize,
    /// The secret token; `None` draws a fresh random one.
    pub token: Option<String>,
    /// Listening on a non-loopback address without TLS was acknowledged.
    pub allow_remote: bool,
    /// Serve HTTPS with this certificate and key (PEM).
    pub tls: Option<TlsFiles>,
}

/// Whether the server may listen on `listen` as asked: loopback, or beyond
/// it with TLS or the acknowledgement of plain HTTP; and, with TLS, that
/// the private key is the owner's only. Cheap: the CLI asks before it
/// connects, [`bind`] asks again.
pub fn check_listen(
    listen: SocketAddr,
    tls: Option<&TlsFiles>,
    allow_remote: bool,
) -> Result<(), ServeError> {
    if let Some(files) = tls {
        tls::check_key_private(&files.key)?;
    }
    if listen.ip().is_loopback() || tls.is_some() || allow_remote {
        Ok(())
    } else {
        Err(ServeError::NotLoopback(listen))
    }
}

/// The bound socket: plain HTTP, or TLS handshaken before axum sees it.
enum Listening {
    Plain(tokio::net::TcpListener),
    Tls(tls::TlsListener),
}

/// A bound server, ready to run: its URL (with the token) is known.
pub struct Bound {
    listener: Listening,
    app: Arc<app::App>,
    url: String,
}

impl Bound {
    /// The URL to open, with the secret token.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The secret token of this run.
    pub fn token(&self) -> &str {
        &self.app.token
    }

    /// The folder of this run's uploads (removed when the run ends).
    pub fn uploads_dir(&self) -> &std::path::Path {
        self.app.uploads.root()
    }

    /// The address listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.app.addr
    }

    /// Serves until `shutdown` resolves, then removes the run's uploads.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let router = app::router(self.app.clone());
        let served = match self.listener {
            Listening::Plain(tcp) => {
                axum::serve(tcp, router)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            Listening::Tls(tls) => {
                axum::serve(tls, router)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
        };
        self.app.uploads.remove_all();
        served.map_err(|e| ServeError::Io {
            what: "serving".into(),
            source: e,
        })
    }
}

/// Binds the listening socket and prepares the run: the TLS certificate,
/// the uploads folder under the state directory and the token. A
/// non-loopback address needs [`ServeConfig::tls`] or
/// [`ServeConfig::allow_remote`] ([`check_listen`]).
pub async fn bind(config: ServeConfig) -> Result<Bound, ServeError> {
    check_listen(config.listen, config.tls.as_ref(), config.allow_remote)?;
    let acceptor = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| ServeError::Io {
            what: format!("listening on {}", config.listen),
            source: e,
        })?;
    let addr = listener.local_addr().map_err(|e| ServeError::Io {
        what: "reading the listening address".into(),
        source: e,
    })?;
    let (listener, scheme) = match acceptor {
        Some(acceptor) => {
            let tls = tls::TlsListener::new(listener, acceptor).map_err(|e| ServeError::Io {
                what: "reading the listening address".into(),
                source: e,
            })?;
            (Listening::Tls(tls), "https")
        }
        None => (Listening::Plain(listener), "http"),
    };
    let app = app::App::new(config, addr)?;
    let url = format!("{scheme}://{}/?token={}", addr, app.token);
    Ok(Bound {
        listener,
        app: Arc::new(app),
        url,
    })
}
