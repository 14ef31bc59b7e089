//! `avails serve`'s refusals at start, through the binary: a listening
//! address beyond loopback with neither TLS nor the acknowledgement, and a
//! TLS private key others may read. Both are the tool not doing its job as
//! asked (exit 2), with a message that says what to add or run; neither
//! prints a link. Serving over TLS itself is tested in avails-serve
//! (tests/tls_e2e.rs).

use avails_test_support::{avails_bin, describe, text, Avails, Ca, Usage};

#[test]
fn beyond_loopback_without_tls_or_the_acknowledgement_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let avails = Avails::new(avails_bin!(), dir.path());
    let out = avails.run([
        "serve",
        "--sandbox",
        "--state-dir",
        "state",
        "--listen",
        "0.0.0.0:0",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("0.0.0.0:0 is not a loopback address")
            && err.contains("--tls-cert FILE --tls-key FILE")
            && err.contains("--allow-remote"),
        "says what to add: {err}"
    );
    assert!(text(&out.stdout).is_empty(), "no link printed");
}

#[cfg(unix)]
#[test]
fn a_tls_key_others_may_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("serve CLI test CA");
    let leaf = ca.leaf(&["127.0.0.1"], Usage::Server);
    std::fs::write(dir.path().join("page.pem"), &leaf.cert_pem).unwrap();
    let key = dir.path().join("page.key");
    std::fs::write(&key, &leaf.key_pem).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let avails = Avails::new(avails_bin!(), dir.path());
    let out = avails.run([
        "serve",
        "--sandbox",
        "--state-dir",
        "state",
        "--listen",
        "0.0.0.0:0",
        "--tls-cert",
        "page.pem",
        "--tls-key",
        "page.key",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("page.key") && err.contains("mode 644") && err.contains("chmod 600"),
        "{err}"
    );
    let body = leaf.key_pem.lines().nth(1).unwrap();
    assert!(!err.contains(body), "never the key's content");
    assert!(text(&out.stdout).is_empty(), "no link printed");

    // A certificate without its key is a usage error, before anything else.
    let out = avails.run([
        "serve",
        "--sandbox",
        "--state-dir",
        "state",
        "--tls-cert",
        "page.pem",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("--tls-key"),
        "{}",
        describe(&out)
    );
}
