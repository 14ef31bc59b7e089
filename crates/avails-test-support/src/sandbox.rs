//! A sandbox on a loopback port, on a runtime of its own, for synchronous
//! tests (the binary's); async tests call `avails_sandbox::start` with
//! [`loopback`] directly.

use avails_sandbox::{CountersSnapshot, RunningSandbox, SandboxConfig};

use crate::certs::Pki;

/// `config` on a free port of 127.0.0.1.
pub fn loopback(mut config: SandboxConfig) -> SandboxConfig {
    config.listen = "127.0.0.1:0".parse().expect("loopback address");
    config
}

/// A running sandbox and the runtime serving it; stopped when dropped.
pub struct TestSandbox {
    rt: tokio::runtime::Runtime,
    server: Option<RunningSandbox>,
}

impl TestSandbox {
    /// Starts `config` on a free loopback port (whatever its `listen` says).
    pub fn start(config: SandboxConfig) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for the sandbox");
        let server = rt
            .block_on(avails_sandbox::start(loopback(config)))
            .expect("the sandbox starts");
        Self {
            rt,
            server: Some(server),
        }
    }

    /// Starts `config` serving HTTPS with the PKI's server certificate and
    /// requiring client certificates of its CA (mutual TLS).
    pub fn start_mtls(mut config: SandboxConfig, pki: &Pki) -> Self {
        config.tls = Some(pki.sandbox_tls(true));
        Self::start(config)
    }

    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        self.running().base_url()
    }

    /// What the sandbox counted so far.
    pub fn counters(&self) -> CountersSnapshot {
        self.running().counters()
    }

    /// Records a delivery of `alid` through the sandbox-only endpoint
    /// (`avails_sandbox::SANDBOX_DELIVERIES`, see its docs for the body);
    /// returns the HTTP status.
    pub fn record_delivery(
        &self,
        licensor: &str,
        api_key: &str,
        alid: &str,
        delivery: &serde_json::Value,
    ) -> u16 {
        let path = avails_sandbox::SANDBOX_DELIVERIES
            .replace("{licensor}", licensor)
            .replace("{alid}", alid);
        let url = format!("{}{path}", self.base_url());
        self.rt.block_on(async {
            reqwest::Client::new()
                .post(url)
                .header(avails_sandbox::API_KEY_HEADER, api_key)
                .json(delivery)
                .send()
                .await
                .expect("the sandbox answers")
                .status()
                .as_u16()
        })
    }

    /// The runtime the sandbox runs on (to drive a client from a sync test).
    pub fn rt(&self) -> &tokio::runtime::Runtime {
        &self.rt
    }

    fn running(&self) -> &RunningSandbox {
        self.server
            .as_ref()
            .expect("the sandbox runs until dropped")
    }
}

impl Drop for TestSandbox {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}
