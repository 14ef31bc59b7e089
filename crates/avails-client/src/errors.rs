//! Errors of the client and of profile loading; each says what to fix and none
//! ever contains the API key (it is only ever held in [`crate::ApiKey`]).
//!
//! An I/O cause is part of the message and not also the error's `source`, so
//! a caller printing the whole chain does not repeat it.

use std::path::PathBuf;

use avails_model::ApiError;

/// Errors reading `avails.toml` and resolving a profile.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The config file is not valid TOML for a profile list.
    #[error("config file {path} is invalid: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the TOML parser said.
        reason: String,
    },
    /// No profile of that name.
    #[error("no profile `{name}` in {source_desc} (known: {known})")]
    UnknownProfile {
        /// The requested name.
        name: String,
        /// Where profiles were looked for.
        source_desc: String,
        /// The profiles that exist, comma separated.
        known: String,
    },
    /// A required setting is missing.
    #[error("profile `{profile}` has no {field}: set `{field}` in the profile or {env}")]
    Missing {
        /// The profile.
        profile: String,
        /// The setting.
        field: &'static str,
        /// The environment variable that can supply it.
        env: &'static str,
    },
    /// A setting has a value that cannot work.
    #[error("profile `{profile}`: {field} is invalid: {reason}")]
    Invalid {
        /// The profile.
        profile: String,
        /// The setting.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// No API key source.
    #[error(
        "profile `{profile}` has no API key: set `api_key_env = \"NAME\"` or `api_key_file = \"PATH\"`, or export AVAILS_API_KEY"
    )]
    NoApiKey {
        /// The profile.
        profile: String,
    },
    /// The variable named by `api_key_env` is not set.
    #[error("profile `{profile}` reads its API key from ${var}, which is not set or empty")]
    ApiKeyEnvUnset {
        /// The profile.
        profile: String,
        /// The variable name.
        var: String,
    },
    /// The key file cannot be read.
    #[error("cannot read API key file {path}: {error}")]
    ApiKeyFileRead {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The key file is readable by group or others.
    #[error(
        "API key file {path} is readable by other users (mode {mode:o}): run `chmod 600 {path}`"
    )]
    ApiKeyFileTooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file is empty.
    #[error("API key file {path} is empty")]
    ApiKeyFileEmpty {
        /// The file.
        path: PathBuf,
    },
}

impl ConfigError {
    /// The profile the error is about, when it is about one.
    pub fn profile(&self) -> Option<&str> {
        match self {
            Self::Missing { profile, .. }
            | Self::Invalid { profile, .. }
            | Self::NoApiKey { profile }
            | Self::ApiKeyEnvUnset { profile, .. } => Some(profile),
            Self::UnknownProfile { .. }
            | Self::Read { .. }
            | Self::Parse { .. }
            | Self::ApiKeyFileRead { .. }
            | Self::ApiKeyFileTooOpen { .. }
            | Self::ApiKeyFileEmpty { .. } => None,
        }
    }
}

/// Errors of an API call or of building the client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Profile or config problem.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A PEM file could not be read.
    #[error("cannot read the {what} PEM file {path}: {error}: check the profile's `{field}`")]
    PemRead {
        /// `client certificate`, `private key` or `CA certificate`.
        what: &'static str,
        /// Profile setting naming the file.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// A PEM file holds no usable item.
    #[error("{path} is not a usable {what} PEM file ({reason}): check the profile's `{field}`")]
    PemInvalid {
        /// What was expected.
        what: &'static str,
        /// Profile setting naming the file.
        field: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The client certificate's private key is readable by other users.
    #[error("private key {path} is readable by other users (mode {mode:o}): run `chmod 600 {path}` (the profile's `key`)")]
    PrivateKeyTooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The client certificate was given without its key or the reverse.
    #[error("the profile gives a {given} but no {missing}: set both `cert` and `key`, or neither")]
    HalfIdentity {
        /// The one given.
        given: &'static str,
        /// The one missing.
        missing: &'static str,
    },
    /// The TLS client could not be built from the PEM files.
    #[error("cannot set up TLS from the profile's cert/key/ca: {reason}")]
    TlsSetup {
        /// What reqwest/rustls said.
        reason: String,
    },
    /// The TLS handshake failed because of our client certificate.
    #[error("the server refused the client certificate: check the profile's cert/key ({method} {path}: {detail})")]
    ClientCertRefused {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// The TLS alert or error.
        detail: String,
    },
    /// The server's certificate is not trusted.
    #[error("the server's certificate is not trusted: check the profile's `ca` and base_url ({method} {path}: {detail})")]
    ServerCertUntrusted {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// The TLS error.
        detail: String,
    },
    /// The base URL is unusable.
    #[error("base_url `{url}` is invalid: {reason}")]
    InvalidBaseUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Plain HTTP to a host that is not this machine.
    #[error("base_url `{url}` is plain HTTP to another machine: the API key would travel unencrypted; use https:// (plain http:// is allowed only to 127.0.0.1, ::1 or localhost)")]
    PlainHttp {
        /// The URL.
        url: String,
    },
    /// The API key cannot go into an HTTP header.
    #[error("the API key contains characters not allowed in an HTTP header: check the key file or variable")]
    InvalidApiKey,
    /// An ALID, TransactionID or licensor that cannot be one URL path
    /// segment (`..`, `/`, `?`...): the request would address another
    /// resource, so no URL is built.
    #[error("{name} {value:?} cannot go into the request URL: {problem}")]
    InvalidPathSegment {
        /// The template variable (`alid`, `transaction_id`, `licensor`).
        name: String,
        /// The value refused.
        value: String,
        /// Why.
        problem: avails_model::api::SegmentProblem,
    },
    /// A caller argument is unusable (empty ALID, batch too large...).
    #[error("invalid request: {reason}")]
    InvalidInput {
        /// Why.
        reason: String,
    },
    /// 401.
    #[error("API key refused for licensor {licensor} (401): check the profile's api_key_env/api_key_file and that the key belongs to this environment{}", list(.errors))]
    Unauthorized {
        /// The licensor of the client.
        licensor: String,
        /// The server's error list.
        errors: Vec<ApiError>,
    },
    /// 403.
    #[error("access denied for licensor {licensor} (403): the key or certificate is not allowed for this licensor or environment{}", list(.errors))]
    Forbidden {
        /// The licensor of the client.
        licensor: String,
        /// The server's error list.
        errors: Vec<ApiError>,
    },
    /// 404.
    #[error("not found (404): {method} {path}{}", list(.errors))]
    NotFound {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// The server's error list.
        errors: Vec<ApiError>,
    },
    /// 400 or another non-retryable 4xx: the payload must be fixed.
    #[error("request rejected ({status}) for {method} {path}: fix the payload{}", list(.errors))]
    Rejected {
        /// HTTP status.
        status: u16,
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// The server's error list.
        errors: Vec<ApiError>,
    },
    /// 5xx or another unexpected status.
    #[error("server error ({status}) for {method} {path}{}", list(.errors))]
    Server {
        /// HTTP status.
        status: u16,
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// The server's error list.
        errors: Vec<ApiError>,
    },
    /// 429.
    #[error("throttled (429) for {method} {path}: lower the profile's tps or max_concurrency")]
    Throttled {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
    },
    /// No answer in time.
    #[error("timed out: {method} {path}")]
    Timeout {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
    },
    /// The connection failed or dropped.
    #[error("connection failed for {method} {path}: {detail}: check base_url and the network")]
    Connection {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// The cause chain.
        detail: String,
    },
    /// A 2xx answer that is not the expected JSON.
    #[error("unexpected answer ({status}) to {method} {path}: {detail}")]
    Decode {
        /// HTTP status.
        status: u16,
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// What was wrong, with the start of the body.
        detail: String,
    },
    /// Any other transport error.
    #[error("HTTP error for {method} {path}: {detail}")]
    Http {
        /// HTTP method.
        method: String,
        /// Request path.
        path: String,
        /// The cause chain.
        detail: String,
    },
    /// [`crate::client::MAX_CONSECUTIVE_CONNECTION_FAILURES`] connection
    /// attempts in a row failed with no answer in between: the server is
    /// not there, and further calls would only wait for it.
    #[error("the server at {url} does not answer: {last} ({failures} connection attempts in a row failed)")]
    Unreachable {
        /// The API root.
        url: String,
        /// Connection attempts failed in a row.
        failures: u32,
        /// The last failure.
        last: Box<ClientError>,
    },
    /// Retryable failures until `max_attempts` ran out.
    #[error("gave up after {attempts} attempts: {last}")]
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<ClientError>,
    },
}

impl ClientError {
    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::Throttled { .. } => Some(429),
            Self::Rejected { status, .. }
            | Self::Server { status, .. }
            | Self::Decode { status, .. } => Some(*status),
            Self::GaveUp { last, .. } => last.status(),
            _ => None,
        }
    }

    /// The server's error list, empty when it gave none.
    pub fn server_errors(&self) -> &[ApiError] {
        match self {
            Self::Unauthorized { errors, .. }
            | Self::Forbidden { errors, .. }
            | Self::NotFound { errors, .. }
            | Self::Rejected { errors, .. }
            | Self::Server { errors, .. } => errors,
            Self::GaveUp { last, .. } => last.server_errors(),
            _ => &[],
        }
    }

    /// Whether another attempt may succeed (429, 500, 503, timeouts, dropped connections).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Throttled { .. } | Self::Timeout { .. } | Self::Connection { .. } => true,
            Self::Server { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }
}

/// Formats an error list as `: code: message; code: message`.
fn list(errors: &[ApiError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            if e.code.is_empty() {
                e.message.clone()
            } else {
                format!("{}: {}", e.code, e.message)
            }
        })
        .collect();
    format!(": {}", parts.join("; "))
}
