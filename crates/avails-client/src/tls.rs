//! Mutual TLS from PEM files: client certificate + key as the identity, the CA
//! as an extra trusted root (the system and built-in roots stay trusted).
//! Certificate verification is never switched off.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};

use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::errors::ClientError;

/// The PEM files of a profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// Client certificate (chain) PEM.
    pub cert: Option<PathBuf>,
    /// Private key PEM of the client certificate.
    pub key: Option<PathBuf>,
    /// CA certificate(s) PEM to trust in addition to the system roots.
    pub ca: Option<PathBuf>,
}

/// Adds the identity and extra roots of `files` to a reqwest builder (rustls
/// backend). A private key readable by other users is refused, as the API
/// key file is ([`crate::secret::too_open`]).
pub fn configure(
    builder: reqwest::ClientBuilder,
    files: &TlsFiles,
) -> Result<reqwest::ClientBuilder, ClientError> {
    let mut builder = builder.use_rustls_tls();
    match (&files.cert, &files.key) {
        (Some(cert), Some(key)) => {
            let cert_pem = read_pem(cert, "client certificate", "cert")?;
            let n = certs(&cert_pem, cert, "client certificate", "cert")?.len();
            if n == 0 {
                return Err(ClientError::PemInvalid {
                    what: "client certificate",
                    field: "cert",
                    path: cert.clone(),
                    reason: "no CERTIFICATE block found".to_string(),
                });
            }
            let open = crate::secret::too_open(key).map_err(|error| ClientError::PemRead {
                what: "private key",
                field: "key",
                path: key.clone(),
                error,
            })?;
            if let Some(mode) = open {
                return Err(ClientError::PrivateKeyTooOpen {
                    path: key.clone(),
                    mode,
                });
            }
            let key_pem = read_pem(key, "private key", "key")?;
            check_key(&key_pem, key)?;
            let mut both = key_pem;
            both.push(b'\n');
            both.extend_from_slice(&cert_pem);
            let identity =
                reqwest::Identity::from_pem(&both).map_err(|e| ClientError::TlsSetup {
                    reason: format!(
                        "{} and {} do not form a usable identity: {}",
                        cert.display(),
                        key.display(),
                        chain(&e)
                    ),
                })?;
            builder = builder.identity(identity);
        }
        (Some(_), None) => {
            return Err(ClientError::HalfIdentity {
                given: "client certificate (`cert`)",
                missing: "private key (`key`)",
            })
        }
        (None, Some(_)) => {
            return Err(ClientError::HalfIdentity {
                given: "private key (`key`)",
                missing: "client certificate (`cert`)",
            })
        }
        (None, None) => {}
    }
    if let Some(ca) = &files.ca {
        let pem = read_pem(ca, "CA certificate", "ca")?;
        let ders = certs(&pem, ca, "CA certificate", "ca")?;
        if ders.is_empty() {
            return Err(ClientError::PemInvalid {
                what: "CA certificate",
                field: "ca",
                path: ca.clone(),
                reason: "no CERTIFICATE block found".to_string(),
            });
        }
        for der in ders {
            let cert = reqwest::Certificate::from_der(der.as_ref()).map_err(|e| {
                ClientError::PemInvalid {
                    what: "CA certificate",
                    field: "ca",
                    path: ca.clone(),
                    reason: chain(&e),
                }
            })?;
            builder = builder.add_root_certificate(cert);
        }
    }
    Ok(builder)
}

fn read_pem(path: &Path, what: &'static str, field: &'static str) -> Result<Vec<u8>, ClientError> {
    std::fs::read(path).map_err(|error| ClientError::PemRead {
        what,
        field,
        path: path.to_path_buf(),
        error,
    })
}

/// Every CERTIFICATE block of `pem` (other blocks skipped), through
/// rustls-pki-types' PEM reader.
fn certs(
    pem: &[u8],
    path: &Path,
    what: &'static str,
    field: &'static str,
) -> Result<Vec<CertificateDer<'static>>, ClientError> {
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ClientError::PemInvalid {
            what,
            field,
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

fn check_key(pem: &[u8], path: &Path) -> Result<(), ClientError> {
    let invalid = |reason: String| ClientError::PemInvalid {
        what: "private key",
        field: "key",
        path: path.to_path_buf(),
        reason,
    };
    match PrivateKeyDer::from_pem_slice(pem) {
        Ok(_) => Ok(()),
        Err(pem::Error::NoItemsFound) => Err(invalid(
            "no PRIVATE KEY block found (PKCS#8, PKCS#1 or SEC1 expected)".to_string(),
        )),
        Err(e) => Err(invalid(e.to_string())),
    }
}

/// What a transport failure means for TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsFailure {
    /// The server rejected (or demanded) our client certificate.
    ClientCertRefused,
    /// We do not trust the server's certificate.
    ServerCertUntrusted,
}

/// Finds a rustls error in `err`'s source chain and says whose certificate is at fault.
pub fn classify(err: &(dyn StdError + 'static)) -> Option<TlsFailure> {
    use rustls::AlertDescription as A;
    match find_rustls(err)? {
        rustls::Error::AlertReceived(
            A::CertificateRequired
            | A::BadCertificate
            | A::UnsupportedCertificate
            | A::CertificateRevoked
            | A::CertificateExpired
            | A::CertificateUnknown
            | A::UnknownCA
            | A::AccessDenied
            | A::HandshakeFailure
            | A::DecryptError,
        ) => Some(TlsFailure::ClientCertRefused),
        rustls::Error::InvalidCertificate(_) => Some(TlsFailure::ServerCertUntrusted),
        _ => None,
    }
}

/// Whether `err`'s source chain says the private key does not belong to the
/// client certificate.
pub fn is_key_mismatch(err: &(dyn StdError + 'static)) -> bool {
    matches!(find_rustls(err), Some(rustls::Error::InconsistentKeys(_)))
}

/// The rustls error in a source chain, looking inside (nested) `io::Error`s,
/// whose `source()` skips the error they wrap.
fn find_rustls<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    if let Some(t) = e.downcast_ref::<rustls::Error>() {
        return Some(t);
    }
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        if let Some(t) = find_rustls(inner as &(dyn StdError + 'static)) {
            return Some(t);
        }
    }
    e.source().and_then(find_rustls)
}

/// The error and its sources as `a: b: c`, repeated messages dropped.
pub fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}
