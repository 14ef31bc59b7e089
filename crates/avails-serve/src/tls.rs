//! HTTPS for a page listened on beyond loopback: the certificate and key
//! given (PEM), served with rustls through `tokio-rustls`.
//!
//! **Why tokio-rustls and not axum-server.** The workspace already builds
//! rustls and tokio-rustls (the client's mutual TLS, the sandbox's
//! server), both maintained by the rustls project; axum 0.8 serves any
//! [`axum::serve::Listener`], so a listener that hands out finished TLS
//! streams is all axum needs, with its graceful shutdown unchanged.
//! axum-server would add a crate and its own server loop for the same
//! handshake.
//!
//! Handshakes run in their own tasks, each bounded in time: a client that
//! connects and says nothing holds up no one else.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::error::ServeError;

/// How long a client has to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Handshaken connections waiting for the server to take them.
const READY_QUEUE: usize = 64;

/// The certificate chain and private key files (PEM) the page is served with.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// Its private key; refused when group or others may read it.
    pub key: PathBuf,
}

/// Refuses a private key file that others may read, as the client refuses
/// its own keys (`avails_client::secret::too_open`, the one owner of
/// that rule).
pub fn check_key_private(key: &Path) -> Result<(), ServeError> {
    let open = avails_client::secret::too_open(key).map_err(|source| ServeError::TlsRead {
        what: "private key",
        path: key.to_path_buf(),
        source,
    })?;
    match open {
        Some(mode) => Err(ServeError::KeyTooOpen {
            path: key.to_path_buf(),
            mode,
        }),
        None => Ok(()),
    }
}

/// Reads the certificate and key and builds the acceptor.
pub fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, ServeError> {
    check_key_private(&files.key)?;
    let read = |what: &'static str, path: &Path| {
        std::fs::read(path).map_err(|source| ServeError::TlsRead {
            what,
            path: path.to_path_buf(),
            source,
        })
    };
    let invalid = |what: &'static str, path: &Path, reason: String| ServeError::TlsInvalid {
        what,
        path: path.to_path_buf(),
        reason,
    };
    let cert_pem = read("certificate", &files.cert)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid("certificate", &files.cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(invalid(
            "certificate",
            &files.cert,
            "no CERTIFICATE block found".into(),
        ));
    }
    let key_pem = read("private key", &files.key)?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        invalid(
            "private key",
            &files.key,
            match e {
                rustls_pki_types::pem::Error::NoItemsFound => "no PRIVATE KEY block found".into(),
                // Never the key's text: only what kind of problem it is.
                other => other.to_string(),
            },
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("certificate", &files.cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid("certificate and key", &files.cert, e.to_string()))?;
    // HTTP/1.1 only: what axum serves here (server-sent events included).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A listener that gives axum connections whose TLS handshake is done.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accepting: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `tcp`, handshaking with `acceptor`.
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(READY_QUEUE);
        let accepting = tokio::spawn(accept_loop(tcp, acceptor, tx));
        Ok(Self {
            ready,
            local,
            accepting,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (stream, peer) = match tcp.accept().await {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: wait, as axum does.
                tracing::warn!("accepting a connection failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (acceptor, ready) = (acceptor.clone(), ready.clone());
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = ready.send((tls, peer)).await;
                }
                Ok(Err(e)) => tracing::info!(%peer, "TLS handshake refused: {e}"),
                Err(_) => tracing::info!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(pair) => pair,
            // The accepting task holds a sender until it is aborted (when
            // this listener is dropped): no connection will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
