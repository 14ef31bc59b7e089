//! Binding, the accept loop (plain or TLS), and the running handle.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::auth::Auth;
use crate::counters::{Counters, CountersSnapshot};
use crate::limits::{Faults, Limits};
use crate::state::{AppState, Shared};
use crate::store::Store;
use crate::{routes, tls, SandboxConfig, SandboxError};

/// Time a client has to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Time open connections get to finish on shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A sandbox serving requests; stop it with [`RunningSandbox::shutdown`].
#[derive(Debug)]
pub struct RunningSandbox {
    addr: SocketAddr,
    tls: bool,
    counters: Arc<Counters>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningSandbox {
    /// Base URL, e.g. `https://127.0.0.1:8443` (no trailing slash, no `/v1`).
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A copy of the counters.
    pub fn counters(&self) -> CountersSnapshot {
        self.counters.snapshot()
    }

    /// Stops accepting, lets open connections finish (5 s at most), and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts a sandbox: opens the database, binds, and serves in the background.
pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
    config.check()?;
    if let Some(warning) = config.plain_http_warning() {
        tracing::warn!("{warning}");
    }
    let acceptor = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let store = Store::open(config.db_path.as_deref())?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|error| SandboxError::Bind {
            addr: config.listen,
            error,
        })?;
    let addr = listener.local_addr()?;
    let counters = Arc::new(Counters::default());
    let state = AppState(Arc::new(Shared {
        store,
        counters: Arc::clone(&counters),
        auth: Auth::new(&config.licensors),
        limits: Limits::new(config.tps, config.max_concurrency),
        faults: Faults::new(config.fail_rate, config.seed),
        latency: Duration::from_millis(config.latency_ms),
        known_alids: config.known_alids.clone(),
    }));
    let router = routes::router(state);
    let (stop, stopped) = watch::channel(false);
    let tls = acceptor.is_some();
    let task = tokio::spawn(serve(listener, acceptor, router, stopped));
    let names: Vec<&str> = config.licensors.iter().map(|(n, _)| n.as_str()).collect();
    tracing::info!(
        %addr,
        tls,
        mutual_tls = config.tls.as_ref().is_some_and(|t| t.client_ca_pem.is_some()),
        licensors = ?names,
        tps = ?config.tps,
        max_concurrency = ?config.max_concurrency,
        fail_rate = config.fail_rate,
        latency_ms = config.latency_ms,
        db = ?config.db_path,
        "sandbox listening"
    );
    Ok(RunningSandbox {
        addr,
        tls,
        counters,
        stop,
        task,
    })
}

async fn serve(
    listener: TcpListener,
    acceptor: Option<TlsAcceptor>,
    router: Router,
    mut stopped: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let builder = Builder::new(TokioExecutor::new());
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = stopped.changed() => break,
        };
        let _ = tcp.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let builder = builder.clone();
        let watcher = graceful.watcher();
        match &acceptor {
            None => {
                tokio::spawn(async move {
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(tcp), service);
                    if let Err(e) = watcher.watch(conn.into_owned()).await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let stream =
                        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                            Ok(Ok(s)) => s,
                            Ok(Err(e)) => {
                                tracing::info!(%peer, error = %e, "TLS handshake refused");
                                return;
                            }
                            Err(_) => {
                                tracing::info!(%peer, "TLS handshake timed out");
                                return;
                            }
                        };
                    let conn =
                        builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                    if let Err(e) = watcher.watch(conn.into_owned()).await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
        }
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown grace period");
    }
    tracing::info!("sandbox stopped");
}

/// Runs a sandbox on its own Tokio runtime until Ctrl-C, for a non-async CLI;
/// `on_ready` gets the running handle (to print its URL) once it listens.
pub fn run_blocking(
    config: SandboxConfig,
    on_ready: impl FnOnce(&RunningSandbox),
) -> Result<(), SandboxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let sandbox = start(config).await?;
        on_ready(&sandbox);
        tokio::signal::ctrl_c().await?;
        tracing::info!("Ctrl-C received, stopping");
        sandbox.shutdown().await;
        Ok(())
    })
}
