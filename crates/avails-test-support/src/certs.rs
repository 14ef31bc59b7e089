//! A throwaway PKI made with rcgen: CAs, server and client certificates.

use std::path::PathBuf;

use avails_sandbox::TlsConfig;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// A certificate authority.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A certificate and its private key, PEM and DER (the key as PKCS#8).
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The private key, PEM.
    pub key_pem: String,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The private key, PKCS#8 DER.
    pub key_der: Vec<u8>,
}

/// What a leaf certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// TLS server authentication.
    Server,
    /// TLS client authentication.
    Client,
}

impl Ca {
    /// A self-signed CA named `name`.
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().expect("CA key");
        Self {
            issuer: CertifiedIssuer::self_signed(params, key).expect("CA certificate"),
        }
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// The CA certificate, DER.
    pub fn der(&self) -> Vec<u8> {
        self.issuer.der().to_vec()
    }

    /// A certificate for `names` (DNS names or IP addresses; the first is the common name).
    pub fn leaf(&self, names: &[&str], usage: Usage) -> Leaf {
        let sans: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(sans).expect("leaf params");
        params
            .distinguished_name
            .push(DnType::CommonName, names.first().copied().unwrap_or("leaf"));
        params.extended_key_usages = vec![match usage {
            Usage::Server => ExtendedKeyUsagePurpose::ServerAuth,
            Usage::Client => ExtendedKeyUsagePurpose::ClientAuth,
        }];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().expect("leaf key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("leaf certificate");
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        }
    }
}

/// A CA, a server certificate for 127.0.0.1 and localhost, a client
/// certificate, and a client certificate of another (rogue) CA; the client
/// side's PEM files written in a temporary folder, keys with mode 0600.
pub struct Pki {
    /// The folder of the files (removed when dropped).
    pub dir: tempfile::TempDir,
    /// The CA.
    pub ca: Ca,
    /// The server certificate.
    pub server: Leaf,
    /// The client certificate.
    pub client: Leaf,
    /// A client certificate of a CA nobody trusts.
    pub rogue_client: Leaf,
    /// `ca.pem`.
    pub ca_file: PathBuf,
    /// `client.pem`.
    pub client_cert_file: PathBuf,
    /// `client.key`.
    pub client_key_file: PathBuf,
    /// `rogue.pem`.
    pub rogue_cert_file: PathBuf,
    /// `rogue.key`.
    pub rogue_key_file: PathBuf,
}

impl Pki {
    /// Makes the certificates and writes the files.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a folder for the PKI");
        let ca = Ca::new("avails test CA");
        let server = ca.leaf(&["localhost", "127.0.0.1"], Usage::Server);
        let client = ca.leaf(&["testlicensor", "client.test"], Usage::Client);
        let rogue_client = Ca::new("rogue CA").leaf(&["intruder", "intruder.test"], Usage::Client);
        let write = |name: &str, text: &str, private: bool| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write a PEM file");
            #[cfg(unix)]
            if private {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                    .expect("chmod a key");
            }
            #[cfg(not(unix))]
            let _ = private;
            p
        };
        Self {
            ca_file: write("ca.pem", &ca.pem(), false),
            client_cert_file: write("client.pem", &client.cert_pem, false),
            client_key_file: write("client.key", &client.key_pem, true),
            rogue_cert_file: write("rogue.pem", &rogue_client.cert_pem, false),
            rogue_key_file: write("rogue.key", &rogue_client.key_pem, true),
            dir,
            ca,
            server,
            client,
            rogue_client,
        }
    }

    /// The sandbox's TLS settings: the server certificate, and with
    /// `mutual` the CA whose client certificates it requires.
    pub fn sandbox_tls(&self, mutual: bool) -> TlsConfig {
        TlsConfig {
            cert_pem: self.server.cert_pem.clone().into_bytes(),
            key_pem: self.server.key_pem.clone().into_bytes(),
            client_ca_pem: mutual.then(|| self.ca.pem().into_bytes()),
        }
    }
}

impl Default for Pki {
    fn default() -> Self {
        Self::new()
    }
}
