//! `avails serve` over HTTPS: a real TLS handshake with a certificate made
//! for the test (a throwaway authority), the token required over TLS as
//! over plain HTTP, and what is refused: a private key others may read, a
//! non-loopback address with neither TLS nor the acknowledgement, a client
//! that does not trust the certificate, plain HTTP on the HTTPS port.

use crate::support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use avails_serve::{check_listen, ServeError, TlsFiles};
use avails_test_support::{Ca, Usage};
use support::{bad_workbook, serve_tls};

/// Writes a server certificate for 127.0.0.1 and localhost and its key
/// (with permission bits `key_mode`) into `dir`; the files and the
/// authority's certificate (PEM).
fn certificate(dir: &Path, key_mode: u32) -> (TlsFiles, String) {
    let ca = Ca::new("avails serve test CA");
    let leaf = ca.leaf(&["127.0.0.1", "localhost"], Usage::Server);
    let cert = dir.join("page.pem");
    let key = dir.join("page.key");
    std::fs::write(&cert, &leaf.cert_pem).unwrap();
    std::fs::write(&key, &leaf.key_pem).unwrap();
    set_mode(&key, key_mode);
    (TlsFiles { cert, key }, ca.pem())
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_served_over_tls_and_still_needs_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let (files, ca) = certificate(dir.path(), 0o600);
    let served = serve_tls(&dir.path().join("state"), 0, Some((files, ca))).await;
    assert!(
        served.url.starts_with("https://127.0.0.1:"),
        "the printed link is https: {}",
        served.url
    );
    let http = served.http();
    let base = &served.base;

    // Without the token, over TLS: refused.
    for (method, path) in [("GET", "/"), ("POST", "/api/sets"), ("GET", "/history")] {
        let r = http
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            401,
            "{method} {path} over TLS without the token"
        );
    }
    let wrong = "0".repeat(served.token.len());
    let r = http
        .get(format!("{base}/"))
        .bearer_auth(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "a wrong token over TLS");
    // The refusal page points at the link as printed: https.
    let page = r.text().await.unwrap();
    assert!(page.contains("<code>https://127.0.0.1:PORT/"), "{page}");

    // The printed link: the cookie it gives is Secure (never sent over
    // plain HTTP).
    let r = http.get(&served.url).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let r = http
        .get(format!("{base}/"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.version(), reqwest::Version::HTTP_11);

    // The whole way over TLS: an upload, its check with the finding at its
    // cell.
    let sheet = bad_workbook(dir.path());
    let id = served.upload(&[&sheet]).await;
    let check = served.get(&format!("/sets/{id}/check")).await;
    assert_eq!(check.status(), 200);
    let page = check.text().await.unwrap();
    assert!(page.contains("Movies!C5"), "the finding at its cell");

    // A client that does not trust the certificate cannot talk to it.
    let untrusting = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let refused = untrusting
        .get(format!("{base}/"))
        .bearer_auth(&served.token)
        .send()
        .await;
    assert!(
        refused.is_err(),
        "the handshake needs the certificate trusted"
    );

    // Plain HTTP on the HTTPS port gets no page.
    let plain = format!("http://{}/", base.trim_start_matches("https://"));
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .get(&plain)
        .bearer_auth(&served.token)
        .send()
        .await;
    assert!(
        r.is_err(),
        "plain HTTP on the HTTPS port: {:?}",
        r.map(|r| r.status())
    );

    served.stop().await;
}

#[tokio::test]
async fn a_private_key_others_may_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = certificate(dir.path(), 0o644);
    let loopback: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let refused = check_listen(loopback, Some(&files), false);
    if cfg!(unix) {
        let e = refused.unwrap_err();
        assert!(
            matches!(e, ServeError::KeyTooOpen { mode: 0o644, .. }),
            "{e:?}"
        );
        let text = e.to_string();
        assert!(text.contains("chmod 600"), "{text}");
        assert!(text.contains("page.key"), "names the file: {text}");
        let key = std::fs::read_to_string(&files.key).unwrap();
        let body = key.lines().nth(1).unwrap();
        assert!(!text.contains(body), "never the key's content");
        // Group-readable is as open as world-readable.
        set_mode(&files.key, 0o640);
        assert!(check_listen(loopback, Some(&files), false).is_err());
    }
    set_mode(&files.key, 0o600);
    check_listen(loopback, Some(&files), false).unwrap();
}

#[tokio::test]
async fn beyond_loopback_needs_tls_or_the_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = certificate(dir.path(), 0o600);
    for listen in ["0.0.0.0:8470", "192.0.2.10:8470", "[::]:8470"] {
        let listen: SocketAddr = listen.parse().unwrap();
        let e = check_listen(listen, None, false).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, ServeError::NotLoopback(_)), "{e:?}");
        assert!(
            text.contains("--tls-cert FILE --tls-key FILE") && text.contains("--allow-remote"),
            "says what to add: {text}"
        );
        check_listen(listen, Some(&files), false).unwrap();
        check_listen(listen, None, true).unwrap();
    }
    for listen in ["127.0.0.1:8470", "[::1]:8470", "127.0.0.2:0"] {
        check_listen(listen.parse().unwrap(), None, false).unwrap();
    }
}

#[tokio::test]
async fn a_certificate_that_is_not_pem_is_reported_without_starting() {
    let dir = tempfile::tempdir().unwrap();
    let (mut files, _) = certificate(dir.path(), 0o600);
    let garbage: PathBuf = dir.path().join("notes.pem");
    std::fs::write(&garbage, "this is not a certificate\n").unwrap();
    files.cert = garbage;
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let Err(e) = bind_with(&state, files).await else {
        panic!("a certificate file without a certificate was accepted");
    };
    assert!(
        matches!(
            e,
            ServeError::TlsInvalid {
                what: "certificate",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("notes.pem"), "{e}");
}

/// Binds a server on loopback with `files` (no sandbox needed: it fails first).
async fn bind_with(state: &Path, files: TlsFiles) -> Result<avails_serve::Bound, ServeError> {
    let client = avails_client::AvailsClient::builder(
        "http://127.0.0.1:9",
        "sandbox",
        avails_client::ApiKey::new("k".repeat(32)),
    )
    .build()
    .unwrap();
    avails_serve::bind(avails_serve::ServeConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        state_dir: state.to_path_buf(),
        profile: "sandbox".into(),
        client,
        journal_path: avails_journal::journal_path(state, "sandbox"),
        options: avails_convert::ConvertOptions {
            mapping: avails_mapping::Mapping::default_table(),
            timezone: None,
        },
        upload_limit: 1024,
        jobs: 1,
        token: None,
        allow_remote: false,
        tls: Some(files),
    })
    .await
}
