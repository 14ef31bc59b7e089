//! Async client of the Prime Video Avails API and Asset Status API.
//!
//! - Mutual TLS from PEM files (client certificate + key, extra CA), rustls,
//!   verification always on; `x-api-key` on every request.
//! - A limiter holding requests per second and requests in flight (defaults
//!   [`avails_model::api::DEFAULT_TPS`] and
//!   [`avails_model::api::DEFAULT_MAX_CONCURRENCY`], the partner limits),
//!   lowering its concurrency to the server's when throttled.
//! - Retries with exponential backoff and full jitter on 429, 500, 502, 503,
//!   504, timeouts and dropped connections, honouring `Retry-After`; other
//!   4xx answers are returned at once with the server's error list. Each
//!   retry is logged at debug level; [`track`] lets a caller summarise them.
//!   After [`MAX_CONSECUTIVE_CONNECTION_FAILURES`] connection failures in a
//!   row with no answer between them, every call gives up at once
//!   ([`ClientError::Unreachable`]): a server that is not there is not
//!   retried six times per request.
//! - An ALID, TransactionID or licensor goes into a URL as one
//!   percent-encoded path segment; one that cannot
//!   ([`avails_model::api::check_path_segment`]: `..`, `/`, `?`...) is
//!   refused before any request ([`ClientError::InvalidPathSegment`]).
//! - The API key file and the TLS private key must be readable by their
//!   owner only ([`secret::too_open`]).
//! - Plain `http://` only to a loopback address: elsewhere the API key would
//!   travel unencrypted.
//! - Named profiles from `avails.toml` with environment overrides ([`mod@env`]).
//!
//! The API key lives in [`ApiKey`], which prints as `***`; no error, debug
//! output or log line carries it.
//!
//! A 200 answer whose `success` is false is returned as `Ok`: the caller reads
//! `success` and `errors`, as the reference asks.

#![warn(missing_docs)]

pub mod asset_status;
pub mod client;
pub mod config;
pub mod endpoints;
pub mod errors;
pub mod fetch;
pub mod limiter;
pub mod retry;
pub mod secret;
pub mod tls;

/// The environment variables' names (owned by `avails-env`).
pub use avails_env as env;

pub use client::{
    AvailsClient, ClientBuilder, API_KEY_HEADER, MAX_CONSECUTIVE_CONNECTION_FAILURES,
};
pub use config::{list_profiles, Config, Profile, ProfileSpec, ProfileSummary};
pub use endpoints::BatchOp;
pub use errors::{ClientError, ConfigError};
pub use fetch::{FetchFailed, Fetched, Scope};
pub use limiter::Limiter;
pub use retry::{track, CounterSnapshot, Retried, RetryPolicy};
pub use secret::ApiKey;
pub use tls::TlsFiles;
