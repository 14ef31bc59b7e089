//! The route table (every API path comes from [`avails_model::api`], shared
//! with the client), the router, and the gate every request passes: API key,
//! limits, faults, latency, logging.

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, RawPathParams, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

use crate::api::{codes, Failure};
use crate::auth::API_KEY_HEADER;
use crate::handlers;
use crate::state::AppState;
use avails_model::api;

/// Path of the sandbox-only delivery recorder (not part of Prime Video's API).
pub const SANDBOX_DELIVERIES: &str = "/sandbox/{licensor}/deliveries/{alid}";

/// Largest request body accepted (a batch of 100 avails fits many times).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Every operation the sandbox serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// Full-extract PUT.
    FullExtractPut,
    /// Full-extract GET.
    FullExtractGet,
    /// Full-extract DELETE.
    FullExtractDelete,
    /// Full-extract validate.
    FullExtractValidate,
    /// Partial-extract PUT.
    PartialExtractPut,
    /// Partial-extract GET.
    PartialExtractGet,
    /// Partial-extract DELETE.
    PartialExtractDelete,
    /// Partial-extract validate.
    PartialExtractValidate,
    /// Batch put.
    BatchPut,
    /// Batch get.
    BatchGet,
    /// Batch delete.
    BatchDelete,
    /// Batch validate.
    BatchValidate,
    /// Asset Status GET.
    AssetStatus,
    /// Sandbox-only delivery recorder.
    SandboxDelivery,
}

/// One row of the route table.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    /// The operation.
    pub endpoint: Endpoint,
    /// HTTP method.
    pub method: &'static str,
    /// axum path pattern; `{licensor}` is checked against the API key.
    pub path: &'static str,
}

/// The route table.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec {
        endpoint: Endpoint::FullExtractPut,
        method: "PUT",
        path: api::FULL_EXTRACT_PUT,
    },
    RouteSpec {
        endpoint: Endpoint::FullExtractGet,
        method: "GET",
        path: api::FULL_EXTRACT,
    },
    RouteSpec {
        endpoint: Endpoint::FullExtractDelete,
        method: "DELETE",
        path: api::FULL_EXTRACT,
    },
    RouteSpec {
        endpoint: Endpoint::FullExtractValidate,
        method: "POST",
        path: api::FULL_EXTRACT_VALIDATE,
    },
    RouteSpec {
        endpoint: Endpoint::PartialExtractPut,
        method: "PUT",
        path: api::PARTIAL_EXTRACT,
    },
    RouteSpec {
        endpoint: Endpoint::PartialExtractGet,
        method: "GET",
        path: api::PARTIAL_EXTRACT,
    },
    RouteSpec {
        endpoint: Endpoint::PartialExtractDelete,
        method: "DELETE",
        path: api::PARTIAL_EXTRACT,
    },
    RouteSpec {
        endpoint: Endpoint::PartialExtractValidate,
        method: "POST",
        path: api::PARTIAL_EXTRACT_VALIDATE,
    },
    RouteSpec {
        endpoint: Endpoint::BatchPut,
        method: "POST",
        path: api::BATCH_PUT,
    },
    RouteSpec {
        endpoint: Endpoint::BatchGet,
        method: "POST",
        path: api::BATCH_GET,
    },
    RouteSpec {
        endpoint: Endpoint::BatchDelete,
        method: "POST",
        path: api::BATCH_DELETE,
    },
    RouteSpec {
        endpoint: Endpoint::BatchValidate,
        method: "POST",
        path: api::BATCH_VALIDATE,
    },
    RouteSpec {
        endpoint: Endpoint::AssetStatus,
        method: "GET",
        path: api::ASSET_STATUS,
    },
    RouteSpec {
        endpoint: Endpoint::SandboxDelivery,
        method: "POST",
        path: SANDBOX_DELIVERIES,
    },
];

impl Endpoint {
    /// Name used in counters and logs, e.g. `full-extract.put`.
    pub fn name(self) -> &'static str {
        match self {
            Self::FullExtractPut => "full-extract.put",
            Self::FullExtractGet => "full-extract.get",
            Self::FullExtractDelete => "full-extract.delete",
            Self::FullExtractValidate => "full-extract.validate",
            Self::PartialExtractPut => "partial-extract.put",
            Self::PartialExtractGet => "partial-extract.get",
            Self::PartialExtractDelete => "partial-extract.delete",
            Self::PartialExtractValidate => "partial-extract.validate",
            Self::BatchPut => "batch.put",
            Self::BatchGet => "batch.get",
            Self::BatchDelete => "batch.delete",
            Self::BatchValidate => "batch.validate",
            Self::AssetStatus => "asset-status.get",
            Self::SandboxDelivery => "sandbox.delivery",
        }
    }

    /// Whether limits, faults and latency apply (all but the sandbox-only endpoint).
    pub fn is_api(self) -> bool {
        self != Self::SandboxDelivery
    }

    /// The endpoint of a matched path; HEAD is served (and gated) as GET.
    fn lookup(method: &Method, path: &str) -> Option<Self> {
        let method = if method == Method::HEAD {
            "GET"
        } else {
            method.as_str()
        };
        ROUTES
            .iter()
            .find(|r| r.path == path && r.method == method)
            .map(|r| r.endpoint)
    }

    fn handler(self, filter: MethodFilter) -> MethodRouter<AppState> {
        match self {
            Self::FullExtractPut => on(filter, handlers::full_put),
            Self::FullExtractGet => on(filter, handlers::full_get),
            Self::FullExtractDelete => on(filter, handlers::full_delete),
            Self::FullExtractValidate => on(filter, handlers::full_validate),
            Self::PartialExtractPut => on(filter, handlers::partial_put),
            Self::PartialExtractGet => on(filter, handlers::partial_get),
            Self::PartialExtractDelete => on(filter, handlers::partial_delete),
            Self::PartialExtractValidate => on(filter, handlers::partial_validate),
            Self::BatchPut => on(filter, handlers::batch_put),
            Self::BatchGet => on(filter, handlers::batch_get),
            Self::BatchDelete => on(filter, handlers::batch_delete),
            Self::BatchValidate => on(filter, handlers::batch_validate),
            Self::AssetStatus => on(filter, handlers::asset_status),
            Self::SandboxDelivery => on(filter, handlers::record_delivery),
        }
    }
}

fn method_filter(method: &str) -> MethodFilter {
    match method {
        "GET" => MethodFilter::GET,
        "PUT" => MethodFilter::PUT,
        "DELETE" => MethodFilter::DELETE,
        "PATCH" => MethodFilter::PATCH,
        _ => MethodFilter::POST,
    }
}

/// Builds the router of a sandbox.
pub fn router(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for spec in ROUTES {
        router = router.route(spec.path, spec.endpoint.handler(method_filter(spec.method)));
    }
    router
        .route_layer(middleware::from_fn_with_state(state.clone(), gate))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(read_body))
        .layer(middleware::map_response(json_errors))
        .with_state(state)
}

/// Reads every request's body before anything answers it.
///
/// A refusal sent with the body unread (a 429 of the limits, a 401, an
/// injected failure, a path rejected before its body was parsed) makes
/// hyper close the connection with the rest of the body unread; the kernel
/// then resets it, and the client sees a broken pipe or a reset instead of
/// the answer (5,715 broken pipes next to 10,274 429s with 8 unpaced
/// clients). Read first, every request gets its answer and the connection
/// stays open. A body over [`MAX_BODY_BYTES`] is answered 413.
async fn read_body(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(e) => {
            // A failed read of the connection itself is hyper's; any other
            // failure is the length limit.
            let connection = std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<hyper::Error>())
                .is_some();
            if !connection {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("request body larger than {MAX_BODY_BYTES} bytes"),
                )
                    .into_response()
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the request body: {e}"),
                )
                    .into_response()
            }
        }
    }
}

/// Turns axum's plain-text rejections (body too large, bad path encoding)
/// into the API's JSON error body.
async fn json_errors(res: Response) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let text = axum::body::to_bytes(res.into_body(), 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => codes::PAYLOAD_TOO_LARGE,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => codes::UNSUPPORTED_MEDIA_TYPE,
        s if s.is_server_error() => codes::INTERNAL_ERROR,
        _ => codes::INVALID_PARAMETER,
    };
    let message = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    Failure::new(status, code, message).into_response()
}

async fn not_found() -> Response {
    Failure::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such resource").into_response()
}

async fn method_not_allowed() -> Response {
    Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        codes::METHOD_NOT_ALLOWED,
        "method not allowed on this resource",
    )
    .into_response()
}

fn throttled(retry_after: u64, concurrency: bool) -> Response {
    let message = if concurrency {
        "too many concurrent requests"
    } else {
        "rate limit exceeded"
    };
    let mut res =
        Failure::new(StatusCode::TOO_MANY_REQUESTS, codes::THROTTLED, message).into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Counts an admitted request in flight until dropped (even if the client
/// goes away mid-answer).
struct InFlight(AppState);

impl InFlight {
    fn new(st: &AppState) -> Self {
        st.counters.started();
        Self(st.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.counters.finished();
    }
}

/// Auth, then limits, then fault injection, then latency, then the handler.
async fn gate(
    State(st): State<AppState>,
    params: RawPathParams,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let endpoint = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|m| Endpoint::lookup(&method, m.as_str()));
    let Some(endpoint) = endpoint else {
        return next.run(req).await;
    };
    let caller = req
        .headers()
        .get(API_KEY_HEADER)
        .and_then(|k| st.auth.licensor_for(k.as_bytes()))
        .map(str::to_string);
    let Some(licensor) = caller else {
        st.counters.auth_failure();
        tracing::warn!(%method, %path, status = 401, "refused: missing or unknown x-api-key");
        return Failure::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHORIZED,
            "missing or invalid x-api-key",
        )
        .into_response();
    };
    let path_licensor = params
        .iter()
        .find(|(k, _)| *k == "licensor")
        .map(|(_, v)| v);
    if path_licensor != Some(licensor.as_str()) {
        st.counters.auth_failure();
        tracing::warn!(%licensor, %method, %path, status = 403, "refused: key used on another licensor's path");
        return Failure::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "this x-api-key does not give access to this licensor",
        )
        .into_response();
    }
    let mut _admission = None;
    let mut _in_flight = None;
    if endpoint.is_api() {
        match st.limits.admit(&st.counters, endpoint.name()) {
            Ok(a) => {
                _admission = Some(a);
                _in_flight = Some(InFlight::new(&st));
            }
            Err(t) => {
                st.counters.throttled();
                tracing::info!(%licensor, %method, %path, status = 429, endpoint = endpoint.name(), "throttled");
                return throttled(t.retry_after_secs, t.concurrency);
            }
        }
        if !st.latency.is_zero() {
            tokio::time::sleep(st.latency).await;
        }
        if let Some(status) = st.faults.roll() {
            st.counters.injected_failure();
            tracing::info!(%licensor, %method, %path, status = status.as_u16(), endpoint = endpoint.name(), "injected failure");
            let code = if status == StatusCode::SERVICE_UNAVAILABLE {
                codes::SERVICE_UNAVAILABLE
            } else {
                codes::INTERNAL_ERROR
            };
            return Failure::new(status, code, "injected failure (sandbox fail_rate)")
                .into_response();
        }
    }
    let res = next.run(req).await;
    tracing::info!(
        %licensor,
        %method,
        %path,
        status = res.status().as_u16(),
        endpoint = endpoint.name(),
        elapsed_us = started.elapsed().as_micros() as u64,
        "request"
    );
    res
}
