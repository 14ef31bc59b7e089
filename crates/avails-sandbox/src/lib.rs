//! A local server that behaves like the Prime Video Avails API and Asset
//! Status API, closely enough that a client cannot tell the difference except
//! by the URL.
//!
//! ```no_run
//! # async fn demo() -> Result<(), avails_sandbox::SandboxError> {
//! use avails_sandbox::{start, SandboxConfig};
//! let config = SandboxConfig {
//!     listen: "127.0.0.1:0".parse().unwrap(),
//!     ..SandboxConfig::default()
//! }
//! .with_licensor("testlicensor", "secret-key");
//! let sandbox = start(config).await?;
//! println!("{}", sandbox.base_url());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Endpoints
//!
//! All need `x-api-key` of a configured licensor and reach only that
//! licensor's paths. Bodies need `Content-Type: application/json`.
//!
//! The paths are those of [`avails_model::api`], defined there once for the
//! sandbox and the client ([`ROUTES`] lists them with their methods):
//!
//! | method | path | answer |
//! | --- | --- | --- |
//! | PUT | [`FULL_EXTRACT_PUT`](avails_model::api::FULL_EXTRACT_PUT) (see below) | 200 `{"success": true, "validationErrors": []}` |
//! | GET | [`FULL_EXTRACT`](avails_model::api::FULL_EXTRACT) `?territory=&businessLine=` | 200 `{"avail": {...}, "success": true}` (no Disposition) |
//! | DELETE | [`FULL_EXTRACT`](avails_model::api::FULL_EXTRACT) `?territory=&businessLine=[&contractId=]` | 200 `{"success": true}` |
//! | POST | [`FULL_EXTRACT_VALIDATE`](avails_model::api::FULL_EXTRACT_VALIDATE) | 200 `{"success": bool, "validationErrors": [...]}` |
//! | PUT | [`PARTIAL_EXTRACT`](avails_model::api::PARTIAL_EXTRACT) | 200 `{"success": true, "validationErrors": []}` |
//! | GET | [`PARTIAL_EXTRACT`](avails_model::api::PARTIAL_EXTRACT) | 200 `{"avail": {...}, "success": true}` (Disposition PartialExtract) |
//! | DELETE | [`PARTIAL_EXTRACT`](avails_model::api::PARTIAL_EXTRACT) | 200 `{"success": true}` |
//! | POST | [`PARTIAL_EXTRACT_VALIDATE`](avails_model::api::PARTIAL_EXTRACT_VALIDATE) | 200 `{"success": bool, "validationErrors": [...]}` |
//! | POST | [`BATCH_PUT`](avails_model::api::BATCH_PUT), get, delete, validate | 200 `{"responseItems": [...]}` |
//! | GET | [`ASSET_STATUS`](avails_model::api::ASSET_STATUS) `?marketplace=` | 200 `ProductStatus` |
//! | POST | [`SANDBOX_DELIVERIES`] | 201, sandbox only (below) |
//!
//! The spec shows no URL for the full-extract PUT; the sandbox and the client
//! use the resource URL of its GET and DELETE.
//!
//! # Semantics
//!
//! * A window is keyed by licensor, ALID, territory and business line (its
//!   *scope*), then its `_TransactionID`. One ID may name windows of several
//!   scopes (the reference's TVOD and FVOD movie examples reuse theirs); a
//!   write of one scope never touches another scope's windows.
//! * A full-extract PUT replaces every window of its ALID in each (territory,
//!   business line) its transactions name, and only those; the business line
//!   comes from [`avails_model::BusinessLine::infer`] (LicenseType and
//!   ChannelIdentity). `Disposition.EntryType: FullDelete` deletes those
//!   scopes (every window of the ALID when it has no transaction).
//! * A partial-extract PUT creates or replaces the window of its own scope
//!   with that transaction ID; a payload without `_TransactionID` is stored
//!   under the path's ID.
//! * A partial-extract GET or DELETE (single or batch item) reaches the one
//!   window carrying the ID. When the ID names windows of several scopes the
//!   sandbox picks none: it answers 409 `AMBIGUOUS_TRANSACTION` naming every
//!   scope, and deletes nothing. The sandbox-only query parameters
//!   `?alid=&territory=&businessLine=` narrow the call to one scope; the
//!   full-extract GET and DELETE always name one.
//! * Invalid payloads get 400 `{"success": false, "validationErrors": [{"code", "message"}]}`
//!   from `avails-rules` (Error severity only) plus the sandbox's own checks
//!   (one territory per window, known LicenseType, ALID / transaction ID of
//!   the path). `/validate` never stores and answers 200.
//! * The server sends the error list as **`validationErrors`**, as every
//!   answer in the reference's examples (002, 003) does; its schema tables
//!   call it `errors`, so clients read both (`avails_model::StatusResponse`
//!   does).
//! * Malformed JSON is a 400 `INVALID_JSON` naming the parse error; a body
//!   without `Content-Type: application/json` is a 415.
//! * GET or DELETE of nothing stored is a 404 with an error body (so is a
//!   FullDelete of nothing).
//! * A full delete (FullDelete payload or full-extract DELETE) after a
//!   successful delivery was recorded for the title is a 400
//!   `FULL_DELETE_NOT_ALLOWED` (Prime Video only allows it before assets or
//!   metadata were delivered).
//! * Batch items use paths without `/v1`, as in the spec
//!   (`/avails/{licensor}/partial-extract/transactions/{id}`, plus `/validate`
//!   for validate); more than 100 items or duplicate `requestItemId`s are a
//!   400; each item answers `success` and, when it failed, `validationErrors`.
//!
//! # Security
//!
//! * A missing or unknown `x-api-key` is a **401**; a valid key on another
//!   licensor's path is a **403** (`FORBIDDEN`). Keys are never logged: log
//!   lines name the licensor the key belongs to.
//! * With [`TlsConfig::client_ca_pem`], the TLS handshake requires a client
//!   certificate signed by that CA; a client without one cannot connect.
//!
//! # Limits and faults
//!
//! Checked after authentication, in this order: at most `max_concurrency`
//! requests in flight, then at most `tps` requests admitted in any sliding
//! one-second window, both answering 429 `THROTTLED` with `Retry-After`.
//! Admitted requests are counted per second in [`RunningSandbox::counters`]
//! (a sliding window rather than `governor`'s GCRA, which with a burst of N
//! admits up to 2N-1 requests in one second and so could not keep the
//! "at most N per second" promise the counters check). Limits are global to
//! the sandbox, not per licensor.
//! Then `latency_ms` is waited and `fail_rate` of requests are answered 500
//! or 503 before touching state. The sandbox-only endpoint is exempt.
//!
//! # Asset Status and the sandbox-only delivery endpoint
//!
//! `GET /v1/assets/{licensor}/status/{ALID}` answers the full `ProductStatus`
//! schema; the required deliveries are derived from the stored windows (see
//! [`asset_status`]). Each is `Missing` until recorded with
//!
//! ```text
//! POST /sandbox/{licensor}/deliveries/{ALID}
//! {"primaryType": "VIDEO", "secondaryType": "FEATURE", "locale": "en-US",
//!  "formatProfile": "UHD", "status": "SUCCESS" | "IN_PROCESS" | "ERROR",
//!  "errorCode": "BAD_AUDIO_SYNC", "fileName": "movie.mov"}
//! ```
//!
//! (`kind` and `language` are accepted for `primaryType` and `locale`;
//! `status` defaults to `ERROR` when `errorCode` is given, else `SUCCESS`).
//! A success makes the part `Ready`, `IN_PROCESS` `In-Process`, an error
//! `Issue` with the error code in `Instructions`.
//!
//! # State
//!
//! SQLite (WAL, `synchronous=NORMAL`) in [`SandboxConfig::db_path`], or in
//! memory when `None`; each write is one transaction, and a sandbox restarted
//! on the same file serves what was stored. A database of the first schema
//! (windows unique per licensor and transaction ID) is migrated when opened;
//! one written by a newer sandbox is refused ([`SandboxError::NewerDatabase`]).
//!
//! # Listening beyond loopback
//!
//! Serving plain HTTP on an address other than loopback logs a warning
//! ([`SandboxConfig::plain_http_warning`]): API keys would cross the network
//! unencrypted.

pub mod api;
pub mod asset_status;
mod auth;
mod batch;
mod config;
mod counters;
mod error;
mod handlers;
mod limits;
mod ops;
mod payload;
mod routes;
mod server;
pub mod server_rules;
mod state;
mod store;
mod tls;

pub use auth::API_KEY_HEADER;
pub use config::{SandboxConfig, TlsConfig, DEFAULT_LISTEN, DEFAULT_MAX_CONCURRENCY, DEFAULT_TPS};
pub use counters::CountersSnapshot;
pub use error::SandboxError;
pub use routes::{Endpoint, RouteSpec, ROUTES, SANDBOX_DELIVERIES};
pub use server::{run_blocking, start, RunningSandbox};
pub use server_rules::KnownAlids;
