//! Mutual TLS against a loopback server that requires a client certificate.

use crate::common;

use std::time::Duration;

use avails_client::{ApiKey, AvailsClient, ClientError, RetryPolicy, TlsFiles};
use common::{sample_request, serve_mtls, Pki, Script};

fn client(base: &str, files: TlsFiles) -> AvailsClient {
    AvailsClient::builder(base, "testlicensor", ApiKey::new("mtls-test-key-123"))
        .tls(files)
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
        })
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_right_certificate_connects() {
    let pki = Pki::new();
    let script = Script::default();
    let base = serve_mtls(script.clone(), &pki).await;
    let c = client(
        &base,
        TlsFiles {
            cert: Some(pki.client_cert_file.clone()),
            key: Some(pki.client_key_file.clone()),
            ca: Some(pki.ca_file.clone()),
        },
    );
    let r = c
        .put_full_extract("a1", &sample_request("a1"))
        .await
        .unwrap();
    assert!(r.success);
    let seen = script.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].api_key.as_deref(), Some("mtls-test-key-123"));
}

#[tokio::test]
async fn no_client_certificate_is_refused_with_a_clear_error() {
    let pki = Pki::new();
    let script = Script::default();
    let base = serve_mtls(script.clone(), &pki).await;
    let c = client(
        &base,
        TlsFiles {
            cert: None,
            key: None,
            ca: Some(pki.ca_file.clone()),
        },
    );
    let e = c.get_partial_extract("tx").await.unwrap_err();
    assert!(matches!(e, ClientError::ClientCertRefused { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("the server refused the client certificate: check the profile's cert/key"),
        "{e}"
    );
    // A certificate problem is not retried.
    assert_eq!(c.counters().retries, 0);
    assert!(script.seen().is_empty());
}

#[tokio::test]
async fn a_certificate_from_another_ca_is_refused() {
    let pki = Pki::new();
    let script = Script::default();
    let base = serve_mtls(script.clone(), &pki).await;
    let c = client(
        &base,
        TlsFiles {
            cert: Some(pki.rogue_cert_file.clone()),
            key: Some(pki.rogue_key_file.clone()),
            ca: Some(pki.ca_file.clone()),
        },
    );
    let e = c.get_partial_extract("tx").await.unwrap_err();
    assert!(matches!(e, ClientError::ClientCertRefused { .. }), "{e:?}");
    assert!(script.seen().is_empty());
}

#[tokio::test]
async fn an_untrusted_server_is_not_accepted() {
    let pki = Pki::new();
    let script = Script::default();
    let base = serve_mtls(script.clone(), &pki).await;
    // No `ca`: the test CA is in no root store, and verification is never disabled.
    let c = client(
        &base,
        TlsFiles {
            cert: Some(pki.client_cert_file.clone()),
            key: Some(pki.client_key_file.clone()),
            ca: None,
        },
    );
    let e = c.get_partial_extract("tx").await.unwrap_err();
    assert!(
        matches!(e, ClientError::ServerCertUntrusted { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("check the profile's `ca`"), "{e}");
    assert!(script.seen().is_empty());
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_reported() {
    let pki = Pki::new();
    let e = AvailsClient::builder("https://127.0.0.1:1", "l", ApiKey::new("k-123456"))
        .tls(TlsFiles {
            cert: Some(pki.client_cert_file.clone()),
            key: Some(pki.rogue_key_file.clone()),
            ca: Some(pki.ca_file.clone()),
        })
        .build();
    let e = e.unwrap_err();
    assert!(
        e.to_string()
            .contains("the private key does not match the client certificate"),
        "{e}"
    );
}

/// The private key is a secret like the API key file: readable by group or
/// others, it is refused the same way, saying `chmod 600 FILE`.
#[cfg(unix)]
#[test]
fn a_private_key_readable_by_others_is_refused_like_the_api_key_file() {
    use std::os::unix::fs::PermissionsExt;
    let pki = Pki::new();
    let build = || {
        AvailsClient::builder("https://127.0.0.1:1", "l", ApiKey::new("k-123456"))
            .tls(TlsFiles {
                cert: Some(pki.client_cert_file.clone()),
                key: Some(pki.client_key_file.clone()),
                ca: Some(pki.ca_file.clone()),
            })
            .build()
    };
    let key = &pki.client_key_file;
    let chmod = format!("chmod 600 {}", key.display());
    for mode in [0o644, 0o640, 0o604] {
        std::fs::set_permissions(key, std::fs::Permissions::from_mode(mode)).unwrap();
        let e = build().unwrap_err();
        match &e {
            ClientError::PrivateKeyTooOpen { path, mode: m } => {
                assert_eq!(path, key);
                assert_eq!(*m, mode);
            }
            other => panic!("mode {mode:o}: {other:?}"),
        }
        assert!(e.to_string().contains(&chmod), "{e}");
        // The same wording as the API key file's refusal.
        let dir = tempfile::tempdir().unwrap();
        let api_key = dir.path().join("api-key");
        std::fs::write(&api_key, "k-123456").unwrap();
        std::fs::set_permissions(&api_key, std::fs::Permissions::from_mode(mode)).unwrap();
        let api = avails_client::config::read_key_file(&api_key).unwrap_err();
        let wording = format!("is readable by other users (mode {mode:o}): run `chmod 600");
        assert!(api.to_string().contains(&wording), "{api}");
        assert!(e.to_string().contains(&wording), "{e}");
    }
    std::fs::set_permissions(key, std::fs::Permissions::from_mode(0o600)).unwrap();
    build().unwrap();
    std::fs::set_permissions(key, std::fs::Permissions::from_mode(0o400)).unwrap();
    build().unwrap();
}
