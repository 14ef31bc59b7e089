//! What a sandbox is started with.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::SandboxError;

/// Address the sandbox listens on unless told otherwise.
pub const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8443);
pub use avails_model::api::{DEFAULT_MAX_CONCURRENCY, DEFAULT_TPS};

/// Everything a sandbox is started with; `Debug` never prints API keys or private keys.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// SQLite file holding the state; `None` keeps it in memory for this run only.
    pub db_path: Option<PathBuf>,
    /// Licensors and their API keys: `(licensor name, x-api-key value)`.
    pub licensors: Vec<(String, String)>,
    /// TLS (and mutual TLS) settings; `None` serves plain HTTP.
    pub tls: Option<TlsConfig>,
    /// Requests accepted in any one-second window; `None` turns the limit off.
    pub tps: Option<u32>,
    /// Requests in flight at once; `None` turns the limit off.
    pub max_concurrency: Option<u32>,
    /// Share of accepted requests answered 500 or 503 before touching state (0.0..=1.0).
    pub fail_rate: f64,
    /// Delay added before every answer of the API, in milliseconds.
    pub latency_ms: u64,
    /// Seed of the fault-injection random generator; `None` seeds from entropy.
    pub seed: Option<u64>,
    /// Per licensor, the ALIDs of its metadata contributions (see [`crate::server_rules`]).
    pub known_alids: crate::KnownAlids,
}

/// Certificate, key and optional client CA, all PEM.
#[derive(Clone)]
pub struct TlsConfig {
    /// Server certificate chain, PEM.
    pub cert_pem: Vec<u8>,
    /// Server private key (PKCS#8, PKCS#1 or SEC1), PEM.
    pub key_pem: Vec<u8>,
    /// CA whose certificates clients must present (mutual TLS); `None` asks for none.
    pub client_ca_pem: Option<Vec<u8>>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN,
            db_path: None,
            licensors: Vec::new(),
            tls: None,
            tps: Some(DEFAULT_TPS),
            max_concurrency: Some(DEFAULT_MAX_CONCURRENCY),
            fail_rate: 0.0,
            latency_ms: 0,
            seed: None,
            known_alids: crate::KnownAlids::default(),
        }
    }
}

impl SandboxConfig {
    /// Adds a licensor and its API key.
    pub fn with_licensor(mut self, name: impl Into<String>, api_key: impl Into<String>) -> Self {
        self.licensors.push((name.into(), api_key.into()));
        self
    }

    /// Turns the rate and concurrency limits off.
    pub fn without_limits(mut self) -> Self {
        self.tps = None;
        self.max_concurrency = None;
        self
    }

    /// A warning when the sandbox would serve plain HTTP beyond the loopback
    /// interface: API keys would cross the network unencrypted.
    pub fn plain_http_warning(&self) -> Option<String> {
        (self.tls.is_none() && !self.listen.ip().is_loopback()).then(|| {
            format!(
                "listening on {} without TLS: API keys sent to this sandbox from other machines \
                 travel unencrypted; give --tls-cert and --tls-key, or listen on 127.0.0.1",
                self.listen
            )
        })
    }

    /// Checks the configuration for contradictions.
    pub fn check(&self) -> Result<(), SandboxError> {
        if !(0.0..=1.0).contains(&self.fail_rate) || self.fail_rate.is_nan() {
            return Err(SandboxError::Config(format!(
                "fail_rate must be between 0 and 1, got {}",
                self.fail_rate
            )));
        }
        if self.tps == Some(0) {
            return Err(SandboxError::Config("tps must be at least 1".into()));
        }
        if self.max_concurrency == Some(0) {
            return Err(SandboxError::Config(
                "max_concurrency must be at least 1".into(),
            ));
        }
        for (i, (name, key)) in self.licensors.iter().enumerate() {
            if name.is_empty() || name.contains('/') {
                return Err(SandboxError::Config(format!(
                    "licensor #{} has an empty name or one with `/`",
                    i + 1
                )));
            }
            if key.is_empty() {
                return Err(SandboxError::Config(format!(
                    "licensor `{name}` has an empty API key"
                )));
            }
            for (other, other_key) in &self.licensors[..i] {
                if other == name {
                    return Err(SandboxError::Config(format!(
                        "licensor `{name}` is configured twice"
                    )));
                }
                if other_key == key {
                    return Err(SandboxError::Config(format!(
                        "licensors `{other}` and `{name}` share one API key"
                    )));
                }
            }
        }
        Ok(())
    }
}

impl TlsConfig {
    /// Reads the certificate, key and optional client CA from PEM files.
    pub fn from_files(
        cert: &Path,
        key: &Path,
        client_ca: Option<&Path>,
    ) -> Result<Self, SandboxError> {
        let read = |p: &Path| {
            std::fs::read(p)
                .map_err(|e| SandboxError::Tls(format!("cannot read {}: {e}", p.display())))
        };
        Ok(Self {
            cert_pem: read(cert)?,
            key_pem: read(key)?,
            client_ca_pem: client_ca.map(read).transpose()?,
        })
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.licensors.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("SandboxConfig")
            .field("listen", &self.listen)
            .field("db_path", &self.db_path)
            .field("licensors", &names)
            .field("tls", &self.tls)
            .field("tps", &self.tps)
            .field("max_concurrency", &self.max_concurrency)
            .field("fail_rate", &self.fail_rate)
            .field("latency_ms", &self.latency_ms)
            .field("seed", &self.seed)
            .field("known_alids", &self.known_alids)
            .finish()
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("cert_pem", &format_args!("<{} bytes>", self.cert_pem.len()))
            .field("key_pem", &"<redacted>")
            .field("mutual_tls", &self.client_ca_pem.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_beyond_loopback_is_warned_about() {
        let mut config = SandboxConfig::default();
        assert_eq!(config.plain_http_warning(), None, "loopback is fine");
        config.listen = "0.0.0.0:8443".parse().unwrap();
        let warning = config.plain_http_warning().expect("a warning");
        assert!(warning.contains("0.0.0.0:8443"), "{warning}");
        assert!(warning.contains("unencrypted"), "{warning}");
        config.listen = "[::1]:8443".parse().unwrap();
        assert_eq!(config.plain_http_warning(), None);
        config.listen = "192.0.2.7:8443".parse().unwrap();
        config.tls = Some(TlsConfig {
            cert_pem: Vec::new(),
            key_pem: Vec::new(),
            client_ca_pem: None,
        });
        assert_eq!(config.plain_http_warning(), None, "TLS is fine anywhere");
    }
}
