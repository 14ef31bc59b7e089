//! The client: one method per operation, each going through the limiter and
//! the retry loop.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use avails_model::{
    ApiError, AvailRequest, BatchRequest, BatchResponse, BusinessLine, GetResponse, StatusResponse,
    MAX_BATCH_ITEMS,
};
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::config::Profile;
use crate::endpoints::{self, BatchOp};
use crate::errors::ClientError;
use crate::limiter::Limiter;
use crate::retry::{parse_retry_after, CounterSnapshot, Counters, RetryPolicy};
use crate::secret::ApiKey;
use crate::tls::{self, TlsFailure, TlsFiles};

/// The API key header.
pub const API_KEY_HEADER: &str = "x-api-key";

/// Connection attempts in a row that may fail (refused, reset, no route,
/// connect timeout), with no answer from the server in between, before every
/// call of the client gives up at once with [`ClientError::Unreachable`]
/// instead of retrying: against a server that is not there, a submission of
/// 105 payloads made 630 attempts over 179 s before this limit.
pub const MAX_CONSECUTIVE_CONNECTION_FAILURES: u32 = 5;

/// Builds an [`AvailsClient`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    licensor: String,
    api_key: ApiKey,
    tls: TlsFiles,
    tps: u32,
    max_concurrency: u32,
    retry: RetryPolicy,
    timeout: Duration,
    connect_timeout: Duration,
}

impl ClientBuilder {
    /// A builder with the partner defaults (10 requests/s, 5 concurrent, 6 attempts, 60 s timeout).
    pub fn new(base_url: impl Into<String>, licensor: impl Into<String>, api_key: ApiKey) -> Self {
        Self {
            base_url: base_url.into(),
            licensor: licensor.into(),
            api_key,
            tls: TlsFiles::default(),
            tps: crate::config::DEFAULT_TPS,
            max_concurrency: crate::config::DEFAULT_MAX_CONCURRENCY,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(crate::config::DEFAULT_TIMEOUT_SECS),
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// Client certificate, key and extra CA.
    pub fn tls(mut self, files: TlsFiles) -> Self {
        self.tls = files;
        self
    }

    /// Requests per second.
    pub fn tps(mut self, tps: u32) -> Self {
        self.tps = tps;
        self
    }

    /// Concurrent requests.
    pub fn max_concurrency(mut self, n: u32) -> Self {
        self.max_concurrency = n;
        self
    }

    /// Retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Per-attempt timeout (whole request and answer).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connection (TCP + TLS) timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Reads the PEM files and builds the client.
    pub fn build(self) -> Result<AvailsClient, ClientError> {
        let mut base =
            Url::parse(self.base_url.trim()).map_err(|e| ClientError::InvalidBaseUrl {
                url: self.base_url.clone(),
                reason: e.to_string(),
            })?;
        if !matches!(base.scheme(), "https" | "http") || base.cannot_be_a_base() {
            return Err(ClientError::InvalidBaseUrl {
                url: self.base_url.clone(),
                reason: "expected an http(s) URL such as https://partnerapi.primevideo.com"
                    .to_string(),
            });
        }
        if base.scheme() == "http" && !is_loopback(&base) {
            return Err(ClientError::PlainHttp {
                url: self.base_url.clone(),
            });
        }
        base.set_query(None);
        base.set_fragment(None);
        avails_model::api::check_path_segment(&self.licensor).map_err(|problem| {
            ClientError::InvalidPathSegment {
                name: "licensor".to_string(),
                value: self.licensor.clone(),
                problem,
            }
        })?;
        if self.api_key.is_empty() {
            return Err(ClientError::InvalidApiKey);
        }
        let mut key_header =
            HeaderValue::from_str(self.api_key.expose()).map_err(|_| ClientError::InvalidApiKey)?;
        key_header.set_sensitive(true);
        let builder = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .pool_max_idle_per_host(self.max_concurrency.max(1) as usize)
            // A redirect would carry `x-api-key` to wherever it points: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("avails/", env!("CARGO_PKG_VERSION")));
        let builder = tls::configure(builder, &self.tls)?;
        let http = builder.build().map_err(|e| {
            let detail = tls::chain(&e);
            let reason = if tls::is_key_mismatch(&e) {
                format!("the private key does not match the client certificate ({detail})")
            } else {
                detail
            };
            ClientError::TlsSetup {
                reason: self.api_key.redact(&reason),
            }
        })?;
        Ok(AvailsClient {
            inner: Arc::new(Inner {
                http,
                base,
                licensor: self.licensor,
                key: self.api_key,
                key_header,
                limiter: Limiter::new(self.tps, self.max_concurrency),
                retry: RetryPolicy {
                    max_attempts: self.retry.max_attempts.max(1),
                    ..self.retry
                },
                counters: Counters::default(),
                connection_failures: AtomicU32::new(0),
            }),
        })
    }
}

/// Async client of the Avails and Asset Status APIs; clones share limits and counters.
#[derive(Clone)]
pub struct AvailsClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    licensor: String,
    key: ApiKey,
    key_header: HeaderValue,
    limiter: Limiter,
    retry: RetryPolicy,
    counters: Counters,
    /// Connection attempts that failed since the server last answered.
    connection_failures: AtomicU32,
}

impl fmt::Debug for AvailsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AvailsClient")
            .field("base_url", &self.inner.base.as_str())
            .field("licensor", &self.inner.licensor)
            .field("api_key", &self.inner.key)
            .field("tps", &self.inner.limiter.tps())
            .field("max_concurrency", &self.inner.limiter.max_concurrency())
            .field("retry", &self.inner.retry)
            .finish()
    }
}

/// A failed attempt and the server's `Retry-After`, if any.
struct Failure {
    error: ClientError,
    retry_after: Option<Duration>,
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Self {
        Self {
            error,
            retry_after: None,
        }
    }
}

/// An error body in any of the shapes seen: `errors`, `validationErrors`, or `message`.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default, alias = "validationErrors")]
    errors: Vec<ApiError>,
    #[serde(default, alias = "Message")]
    message: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

impl AvailsClient {
    /// A builder (see [`ClientBuilder`]).
    pub fn builder(
        base_url: impl Into<String>,
        licensor: impl Into<String>,
        api_key: ApiKey,
    ) -> ClientBuilder {
        ClientBuilder::new(base_url, licensor, api_key)
    }

    /// A client configured from a resolved profile.
    pub fn from_profile(p: &Profile) -> Result<Self, ClientError> {
        ClientBuilder::new(p.base_url.clone(), p.licensor.clone(), p.api_key.clone())
            .tls(TlsFiles {
                cert: p.cert.clone(),
                key: p.key.clone(),
                ca: p.ca.clone(),
            })
            .tps(p.tps)
            .max_concurrency(p.max_concurrency)
            .retry(RetryPolicy::default().with_max_attempts(p.max_attempts))
            .timeout(p.timeout)
            .build()
    }

    /// The licensor used in URLs.
    pub fn licensor(&self) -> &str {
        &self.inner.licensor
    }

    /// The API root.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// Requests allowed in flight at once (the profile's `max_concurrency`).
    pub fn max_concurrency(&self) -> u32 {
        self.inner.limiter.max_concurrency()
    }

    /// Requests sent, retries, 429s seen, failed calls.
    pub fn counters(&self) -> CounterSnapshot {
        self.inner.counters.snapshot()
    }

    /// Full-extract PUT ([`endpoints::FULL_EXTRACT_PUT`], a path the reference does not show).
    pub async fn put_full_extract(
        &self,
        alid: &str,
        body: &AvailRequest,
    ) -> Result<StatusResponse, ClientError> {
        let url = self.url(endpoints::FULL_EXTRACT_PUT, &[("alid", alid)])?;
        self.call(Method::PUT, url, Some(json(body)?)).await
    }

    /// Full-extract GET ([`endpoints::FULL_EXTRACT`] `?territory=&businessLine=`).
    pub async fn get_full_extract(
        &self,
        alid: &str,
        territory: &str,
        business_line: BusinessLine,
    ) -> Result<GetResponse, ClientError> {
        let mut url = self.url(endpoints::FULL_EXTRACT, &[("alid", alid)])?;
        require("territory", territory)?;
        url.query_pairs_mut()
            .append_pair("territory", territory)
            .append_pair("businessLine", business_line.as_str());
        self.call(Method::GET, url, None).await
    }

    /// Full-extract DELETE ([`endpoints::FULL_EXTRACT`] `?territory=&businessLine=[&contractId=]`).
    pub async fn delete_full_extract(
        &self,
        alid: &str,
        territory: &str,
        business_line: BusinessLine,
        contract_id: Option<&str>,
    ) -> Result<StatusResponse, ClientError> {
        let mut url = self.url(endpoints::FULL_EXTRACT, &[("alid", alid)])?;
        require("territory", territory)?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("territory", territory)
                .append_pair("businessLine", business_line.as_str());
            if let Some(c) = contract_id.filter(|c| !c.is_empty()) {
                q.append_pair("contractId", c);
            }
        }
        self.call(Method::DELETE, url, None).await
    }

    /// Full-extract validate ([`endpoints::FULL_EXTRACT_VALIDATE`]).
    pub async fn validate_full_extract(
        &self,
        alid: &str,
        body: &AvailRequest,
    ) -> Result<StatusResponse, ClientError> {
        let url = self.url(endpoints::FULL_EXTRACT_VALIDATE, &[("alid", alid)])?;
        self.call(Method::POST, url, Some(json(body)?)).await
    }

    /// Partial-extract PUT ([`endpoints::PARTIAL_EXTRACT`]).
    pub async fn put_partial_extract(
        &self,
        transaction_id: &str,
        body: &AvailRequest,
    ) -> Result<StatusResponse, ClientError> {
        let url = self.url(
            endpoints::PARTIAL_EXTRACT,
            &[("transaction_id", transaction_id)],
        )?;
        self.call(Method::PUT, url, Some(json(body)?)).await
    }

    /// Partial-extract GET ([`endpoints::PARTIAL_EXTRACT`]).
    pub async fn get_partial_extract(
        &self,
        transaction_id: &str,
    ) -> Result<GetResponse, ClientError> {
        let url = self.url(
            endpoints::PARTIAL_EXTRACT,
            &[("transaction_id", transaction_id)],
        )?;
        self.call(Method::GET, url, None).await
    }

    /// Partial-extract DELETE ([`endpoints::PARTIAL_EXTRACT`]).
    pub async fn delete_partial_extract(
        &self,
        transaction_id: &str,
    ) -> Result<StatusResponse, ClientError> {
        let url = self.url(
            endpoints::PARTIAL_EXTRACT,
            &[("transaction_id", transaction_id)],
        )?;
        self.call(Method::DELETE, url, None).await
    }

    /// Partial-extract validate ([`endpoints::PARTIAL_EXTRACT_VALIDATE`]).
    pub async fn validate_partial_extract(
        &self,
        transaction_id: &str,
        body: &AvailRequest,
    ) -> Result<StatusResponse, ClientError> {
        let url = self.url(
            endpoints::PARTIAL_EXTRACT_VALIDATE,
            &[("transaction_id", transaction_id)],
        )?;
        self.call(Method::POST, url, Some(json(body)?)).await
    }

    /// A batch call ([`BatchOp::path`]) with 1 to 100 items of unique ids.
    pub async fn batch(
        &self,
        op: BatchOp,
        request: &BatchRequest,
    ) -> Result<BatchResponse, ClientError> {
        let n = request.request_items.len();
        if n == 0 || n > MAX_BATCH_ITEMS {
            return Err(ClientError::InvalidInput {
                reason: format!("a batch carries 1 to {MAX_BATCH_ITEMS} items, not {n}"),
            });
        }
        let mut ids: Vec<&str> = request
            .request_items
            .iter()
            .map(|i| i.request_item_id.as_str())
            .collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(ClientError::InvalidInput {
                reason: format!("requestItemId `{}` appears twice in the batch", w[0]),
            });
        }
        if let Some(item) = request
            .request_items
            .iter()
            .find(|i| op.needs_body() && i.body.is_none())
        {
            return Err(ClientError::InvalidInput {
                reason: format!(
                    "batch {} item `{}` has no body",
                    op.as_str(),
                    item.request_item_id
                ),
            });
        }
        let url = self.url(op.path(), &[])?;
        self.call(Method::POST, url, Some(json(request)?)).await
    }

    /// A batch item for this client's licensor (see [`endpoints::batch_item`]).
    pub fn batch_item(
        &self,
        op: BatchOp,
        request_item_id: &str,
        transaction_id: &str,
        body: Option<AvailRequest>,
    ) -> Result<avails_model::BatchRequestItem, ClientError> {
        endpoints::batch_item(
            &self.inner.licensor,
            op,
            request_item_id,
            transaction_id,
            body,
        )
    }

    /// Asset Status ([`endpoints::ASSET_STATUS`] `[?marketplace=]`): the ProductStatus document as JSON.
    pub async fn asset_status(
        &self,
        alid: &str,
        marketplace: Option<&str>,
    ) -> Result<serde_json::Value, ClientError> {
        let mut url = self.url(endpoints::ASSET_STATUS, &[("alid", alid)])?;
        if let Some(m) = marketplace.filter(|m| !m.is_empty()) {
            url.query_pairs_mut().append_pair("marketplace", m);
        }
        self.call(Method::GET, url, None).await
    }

    fn url(&self, template: &str, vars: &[(&str, &str)]) -> Result<Url, ClientError> {
        let mut all: Vec<(&str, &str)> = vec![("licensor", self.inner.licensor.as_str())];
        all.extend_from_slice(vars);
        endpoints::url(&self.inner.base, template, &all)
    }

    /// Sends with retries; the body is serialized once and re-sent as is.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<T, ClientError> {
        let path = url.path().to_string();
        let policy = self.inner.retry;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            match self.attempt(&method, &url, body.as_deref(), &path).await {
                Ok(v) => return Ok(v),
                Err(Failure { error, retry_after }) => {
                    if let Some(failures) = self.unanswered(&error) {
                        self.inner.counters.failed();
                        return Err(ClientError::Unreachable {
                            url: self.inner.base.to_string(),
                            failures,
                            last: Box::new(error),
                        });
                    }
                    if !error.is_retryable() || attempt >= policy.max_attempts {
                        self.inner.counters.failed();
                        tracing::debug!(
                            method = %method,
                            path = %path,
                            attempt,
                            error = %error,
                            "avails request failed"
                        );
                        return Err(if attempt > 1 && error.is_retryable() {
                            ClientError::GaveUp {
                                attempts: attempt,
                                last: Box::new(error),
                            }
                        } else {
                            error
                        });
                    }
                    let delay = policy.delay(attempt, retry_after);
                    self.inner.counters.retry();
                    crate::retry::note_retry(&error);
                    // One line per retry at debug level only: callers
                    // summarise (see `retry::track`).
                    tracing::debug!(
                        method = %method,
                        path = %path,
                        attempt,
                        max_attempts = policy.max_attempts,
                        delay_ms = delay.as_millis() as u64,
                        retry_after_s = retry_after.map(|d| d.as_secs_f64()),
                        error = %error,
                        "retrying avails request"
                    );
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// Counts a failed attempt: a connection failure adds one to the
    /// failures in a row, anything else but a timeout (the server answered)
    /// starts them again. The count once it reaches
    /// [`MAX_CONSECUTIVE_CONNECTION_FAILURES`].
    fn unanswered(&self, error: &ClientError) -> Option<u32> {
        let failures = &self.inner.connection_failures;
        match error {
            ClientError::Connection { .. } => {
                let n = failures.fetch_add(1, Ordering::SeqCst) + 1;
                (n >= MAX_CONSECUTIVE_CONNECTION_FAILURES).then_some(n)
            }
            ClientError::Timeout { .. } => None,
            _ => {
                failures.store(0, Ordering::SeqCst);
                None
            }
        }
    }

    /// One attempt: a limiter slot, the request, the whole answer read, then classified.
    async fn attempt<T: DeserializeOwned>(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        path: &str,
    ) -> Result<T, Failure> {
        let inner = &self.inner;
        let slot = inner.limiter.acquire().await;
        inner.counters.sent();
        let mut req = inner
            .http
            .request(method.clone(), url.clone())
            .header(API_KEY_HEADER, inner.key_header.clone())
            .header(ACCEPT, "application/json");
        if let Some(b) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| self.transport(e, method, path))?;
        // The server answered: connection failures before were not its absence.
        inner.connection_failures.store(0, Ordering::SeqCst);
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport(e, method, path))?;
        if status == 429 {
            slot.throttled();
        } else {
            slot.answered();
        }
        drop(slot);
        tracing::debug!(method = %method, path = %path, status, "avails answer");
        let m = method.to_string();
        let p = path.to_string();
        let error = match status {
            200..=299 => {
                let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
                    // An empty 2xx answer (e.g. 204) is a success without details.
                    br#"{"success":true}"#
                } else {
                    &bytes
                };
                return serde_json::from_slice(text).map_err(|e| {
                    ClientError::Decode {
                        status,
                        method: m,
                        path: p,
                        detail: format!("{e}; body starts with: {}", self.snippet(&bytes)),
                    }
                    .into()
                });
            }
            401 => ClientError::Unauthorized {
                licensor: inner.licensor.clone(),
                errors: self.errors_of(status, &bytes),
            },
            403 => ClientError::Forbidden {
                licensor: inner.licensor.clone(),
                errors: self.errors_of(status, &bytes),
            },
            404 => ClientError::NotFound {
                method: m,
                path: p,
                errors: self.errors_of(status, &bytes),
            },
            300..=399 => ClientError::Server {
                status,
                method: m,
                path: p,
                errors: vec![ApiError {
                    code: format!("HTTP_{status}"),
                    message: format!(
                        "redirect to {} not followed: check base_url",
                        location.as_deref().unwrap_or("(no Location)")
                    ),
                }],
            },
            429 => {
                inner.counters.throttled();
                ClientError::Throttled { method: m, path: p }
            }
            400..=499 => ClientError::Rejected {
                status,
                method: m,
                path: p,
                errors: self.errors_of(status, &bytes),
            },
            _ => ClientError::Server {
                status,
                method: m,
                path: p,
                errors: self.errors_of(status, &bytes),
            },
        };
        Err(Failure { error, retry_after })
    }

    /// Maps a reqwest failure: certificate problems first, then timeouts, then connection errors.
    fn transport(&self, e: reqwest::Error, method: &Method, path: &str) -> Failure {
        let detail = self.inner.key.redact(&tls::chain(&e));
        let method = method.to_string();
        let path = path.to_string();
        let error = match tls::classify(&e) {
            Some(TlsFailure::ClientCertRefused) => ClientError::ClientCertRefused {
                method,
                path,
                detail,
            },
            Some(TlsFailure::ServerCertUntrusted) => ClientError::ServerCertUntrusted {
                method,
                path,
                detail,
            },
            // A connect timeout is a connection failure (nothing answered);
            // other timeouts are an answer too slow.
            None if e.is_timeout() && !e.is_connect() => ClientError::Timeout { method, path },
            None if e.is_connect() || e.is_request() || e.is_body() => ClientError::Connection {
                method,
                path,
                detail,
            },
            None => ClientError::Http {
                method,
                path,
                detail,
            },
        };
        error.into()
    }

    /// The server's error list, from `errors`/`validationErrors`, a `message`, or the raw body.
    fn errors_of(&self, status: u16, bytes: &[u8]) -> Vec<ApiError> {
        if let Ok(b) = serde_json::from_slice::<ErrorBody>(bytes) {
            if !b.errors.is_empty() {
                return b
                    .errors
                    .into_iter()
                    .map(|e| ApiError {
                        code: self.inner.key.redact(&e.code),
                        message: self.inner.key.redact(&e.message),
                    })
                    .collect();
            }
            if let Some(message) = b.message {
                return vec![ApiError {
                    code: b.code.unwrap_or_else(|| format!("HTTP_{status}")),
                    message: self.inner.key.redact(&message),
                }];
            }
        }
        let s = self.snippet(bytes);
        if s.is_empty() {
            Vec::new()
        } else {
            vec![ApiError {
                code: format!("HTTP_{status}"),
                message: s,
            }]
        }
    }

    /// The first 300 characters of a body, the key redacted.
    fn snippet(&self, bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes);
        let t: String = text.trim().chars().take(300).collect();
        self.inner.key.redact(&t)
    }
}

/// Whether `url`'s host is a loopback address: 127.0.0.0/8, `::1` or `localhost`.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

fn json<T: serde::Serialize>(body: &T) -> Result<Vec<u8>, ClientError> {
    serde_json::to_vec(body).map_err(|e| ClientError::InvalidInput {
        reason: format!("payload cannot be serialized: {e}"),
    })
}

fn require(name: &str, value: &str) -> Result<(), ClientError> {
    if value.trim().is_empty() {
        return Err(ClientError::InvalidInput {
            reason: format!("`{name}` is empty"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection() -> ClientError {
        ClientError::Connection {
            method: "PUT".into(),
            path: "/p".into(),
            detail: "refused".into(),
        }
    }

    #[test]
    fn only_failures_in_a_row_count() {
        let c = AvailsClient::builder("http://127.0.0.1:9", "lic", ApiKey::new("k"))
            .build()
            .unwrap();
        for _ in 1..MAX_CONSECUTIVE_CONNECTION_FAILURES {
            assert_eq!(c.unanswered(&connection()), None);
        }
        // A timeout is neither an answer nor a refused connection.
        assert_eq!(
            c.unanswered(&ClientError::Timeout {
                method: "PUT".into(),
                path: "/p".into(),
            }),
            None
        );
        // An answer (a 503) between them starts the count again.
        let answered = ClientError::Server {
            status: 503,
            method: "PUT".into(),
            path: "/p".into(),
            errors: Vec::new(),
        };
        assert_eq!(c.unanswered(&answered), None);
        for _ in 1..MAX_CONSECUTIVE_CONNECTION_FAILURES {
            assert_eq!(c.unanswered(&connection()), None);
        }
        assert_eq!(
            c.unanswered(&connection()),
            Some(MAX_CONSECUTIVE_CONNECTION_FAILURES)
        );
        assert_eq!(
            c.unanswered(&connection()),
            Some(MAX_CONSECUTIVE_CONNECTION_FAILURES + 1)
        );
    }
}
