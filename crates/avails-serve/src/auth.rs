//! The run's secret token (as Jupyter's): in the URL printed at start, then
//! in a same-site cookie; and the `Host` check that keeps pages of other
//! sites from reaching a loopback server by DNS rebinding.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::App;

/// A fresh token: 32 random bytes, hex.
pub fn new_token() -> String {
    (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// The cookie's name: per port, so two runs on one host keep theirs.
pub fn cookie_name(app: &App) -> String {
    format!("avails_serve_{}", app.addr.port())
}

/// Equal texts, compared in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The token a request carries: `?token=`, `Authorization: Bearer`, or the cookie.
fn carried(app: &App, req: &Request) -> (Option<String>, bool) {
    let from_query = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("token=").map(str::to_string))
    });
    if from_query.is_some() {
        return (from_query, true);
    }
    if let Some(auth) = req.headers().get(header::AUTHORIZATION) {
        if let Some(t) = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) {
            return (Some(t.trim().to_string()), false);
        }
    }
    let name = cookie_name(app);
    let cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        });
    (cookie, false)
}

/// Whether the `Host` header names this server (any host when listening
/// beyond loopback, where its names are the network's).
fn host_ok(app: &App, req: &Request) -> bool {
    if app.beyond_loopback {
        return true;
    }
    let Some(host) = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
    else {
        // HTTP/1.0 without Host: only the token protects; allow.
        return true;
    };
    let port = app.addr.port();
    [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        app.addr.to_string(),
    ]
    .iter()
    .any(|h| h.eq_ignore_ascii_case(host))
}

/// The middleware: refuses requests without the token (401) or for another
/// host (403); trades a token in the URL for the cookie.
pub async fn require_token(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if !host_ok(&app, &req) {
        return (
            StatusCode::FORBIDDEN,
            "avails serve answers only requests addressed to its own address",
        )
            .into_response();
    }
    let (token, in_query) = carried(&app, &req);
    let ok = token.as_deref().is_some_and(|t| same(t, &app.token));
    if !ok {
        return refused(&app);
    }
    if in_query && req.method() == axum::http::Method::GET {
        // Drop the token from the address bar (and from history).
        let rest: Vec<&str> = req
            .uri()
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.starts_with("token=") && !kv.is_empty())
            .collect();
        let target = match rest.is_empty() {
            true => req.uri().path().to_string(),
            false => format!("{}?{}", req.uri().path(), rest.join("&")),
        };
        let mut response = Redirect::to(&target).into_response();
        let cookie = format!(
            "{}={}; Path=/; HttpOnly; SameSite=Strict{}",
            cookie_name(&app),
            app.token,
            if app.https { "; Secure" } else { "" }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
        return response;
    }
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    response
}

/// The 401 page: says where the right link is (`https://` when the run
/// serves TLS).
fn refused(app: &App) -> Response {
    let scheme = if app.https { "https" } else { "http" };
    let body = format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>avails serve: link needed</title></head>\
        <body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; color: #1f2933\">\
        <h1 style=\"font-size: 1.4rem\">This page needs the link of its run</h1>\
        <p>avails serve printed a link with a secret token when it started (<code>{scheme}://127.0.0.1:PORT/?token=…</code>). \
        Open that link; other requests are refused.</p></body></html>");
    let mut response = (StatusCode::UNAUTHORIZED, axum::response::Html(body)).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"avails serve\""),
    );
    response
}
