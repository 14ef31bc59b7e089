//! rustls server configuration, with optional mutual TLS.
//!
//! With a client CA, the handshake requires a client certificate signed by
//! that CA (`WebPkiClientVerifier`); a client without one cannot connect.

use std::sync::Arc;

use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::{SandboxError, TlsConfig};

fn tls_err(what: &str, e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Tls(format!("{what}: {e}"))
}

fn certs(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, SandboxError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_err(what, e))?;
    if certs.is_empty() {
        return Err(SandboxError::Tls(format!("{what}: no certificate in PEM")));
    }
    Ok(certs)
}

fn key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, SandboxError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        pem::Error::NoItemsFound => SandboxError::Tls("server key: no private key in PEM".into()),
        e => tls_err("server key", e),
    })
}

/// Builds the TLS acceptor for a configuration.
pub fn acceptor(cfg: &TlsConfig) -> Result<TlsAcceptor, SandboxError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("protocol versions", e))?;
    let builder = match &cfg.client_ca_pem {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for c in certs(ca, "client CA")? {
                roots.add(c).map_err(|e| tls_err("client CA", e))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| tls_err("client verifier", e))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(
            certs(&cfg.cert_pem, "server certificate")?,
            key(&cfg.key_pem)?,
        )
        .map_err(|e| tls_err("server certificate", e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
