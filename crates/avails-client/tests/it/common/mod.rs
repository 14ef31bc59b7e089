//! A scripted axum server on a loopback port, plain or with mutual TLS
//! (certificates of `avails_test_support::Pki`), recording what it receives.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn ok() -> Self {
        Self::new(200, r#"{"success":true,"validationErrors":[]}"#)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub api_key: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
    pub at: Instant,
}

/// The script and the record, shared with the handler.
#[derive(Clone, Default)]
pub struct Script {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    default: Arc<Mutex<Option<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
}

impl Script {
    /// Queues answers, used in order; then the default one.
    pub fn push(&self, r: Reply) {
        self.replies.lock().unwrap().push_back(r);
    }

    /// The answer once the queue is empty (200 success otherwise).
    pub fn set_default(&self, r: Reply) {
        *self.default.lock().unwrap() = Some(r);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

async fn handle(
    State(s): State<Script>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    s.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let h = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    s.seen.lock().unwrap().push(Seen {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        api_key: h("x-api-key"),
        content_type: h("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    });
    let reply = {
        let next = s.replies.lock().unwrap().pop_front();
        next.or_else(|| s.default.lock().unwrap().clone())
            .unwrap_or_else(Reply::ok)
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    s.in_flight.fetch_sub(1, Ordering::SeqCst);
    let mut resp = (
        StatusCode::from_u16(reply.status).unwrap(),
        [("content-type", "application/json")],
        reply.body,
    )
        .into_response();
    for (n, v) in reply.headers {
        resp.headers_mut().insert(
            axum::http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    resp
}

fn router(script: Script) -> Router {
    Router::new().fallback(handle).with_state(script)
}

/// A plain-HTTP server; returns its base URL.
pub async fn serve_plain(script: Script) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(script)).await;
    });
    format!("http://{addr}")
}

pub use avails_test_support::Pki;

/// A rustls server for the PKI's server certificate, requiring client
/// certificates of its CA.
fn server_config(pki: &Pki) -> rustls::ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(pki.ca.der())).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(pki.server.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server.key_der.clone())),
        )
        .unwrap()
}

/// Accepts TCP, completes TLS handshakes in their own tasks, hands over the good ones.
struct TlsListener {
    rx: mpsc::Receiver<(tokio_rustls::server::TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

/// A server requiring a client certificate from the PKI's CA; returns its base URL.
pub async fn serve_mtls(script: Script, pki: &Pki) -> String {
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config(pki)));
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = tcp.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(stream).await {
                    let _ = tx.send((tls, peer)).await;
                }
            });
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(TlsListener { rx, addr }, router(script)).await;
    });
    format!("https://127.0.0.1:{}", addr.port())
}

/// A captured log buffer usable as a tracing writer.
#[derive(Clone, Default)]
pub struct LogBuf(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuf {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A minimal full-extract payload.
pub fn sample_request(alid: &str) -> avails_model::AvailRequest {
    serde_json::from_value(serde_json::json!({
        "avail": {
            "ALID": alid,
            "Disposition": {"EntryType": "FullExtract"},
            "Licensor": {"DisplayName": "testlicensor"},
            "Asset": [{"_contentID": alid, "WorkType": "Movie",
                       "Metadata": {"TitleInternalAlias": ["Example Movie Title"]}}],
            "Transaction": [{
                "_TransactionID": "tx1", "LicenseType": "VOD",
                "Territory": [{"country": "US"}],
                "FormatProfile": {"value": "HD"},
                "Start": "2023-03-14T09:00:00Z", "End": "2029-05-22T10:00:00Z",
                "LicenseRightsDescription": "DAB",
                "Terms": [{"_termName": "Download", "Text": "No"}]
            }]
        }
    }))
    .unwrap()
}
