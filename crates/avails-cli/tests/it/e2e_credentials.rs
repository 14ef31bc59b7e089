//! Credentials, end to end: a wrong API key, a missing key file, a key file
//! others can read, and a client without certificate against a sandbox that
//! requires mutual TLS each stop `avails submit` with exit code 2 and a
//! message naming the profile and what to fix; and at trace level the API
//! key appears nowhere: not on stdout, not on stderr, not in the journal.

use crate::support;

use std::path::Path;
use std::process::Output;

use avails_sandbox::TlsConfig;
use avails_test_support::{Ca, Usage};
use support::*;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/tvod-movie.xlsx");

fn submit(dir: &Path) -> Output {
    run(avails(dir).args(["submit", SAMPLE]))
}

/// Exit 2, the profile named, and `fix` (any of them) in the message.
fn assert_refused(out: &Output, fix: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", describe(out));
    assert!(
        err.contains(&format!("profile `{PROFILE}`")),
        "the message does not name the profile: {}",
        describe(out)
    );
    assert!(
        fix.iter().any(|f| err.contains(f)),
        "the message does not say what to fix ({fix:?}): {}",
        describe(out)
    );
}

#[test]
fn wrong_api_key_is_exit_2_naming_the_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("right");
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_profile(tmp.path(), &sandbox.base_url(), "not-the-right-key", "");
    let out = submit(tmp.path());
    assert_refused(&out, &["401", "API key", "api key", "x-api-key"]);
    assert!(sandbox.counters().auth_failures >= 1);
    assert!(sandbox.counters().writes_per_alid.is_empty());
}

#[test]
fn missing_key_file_is_exit_2_naming_the_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("k");
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_profile_only(tmp.path(), &sandbox.base_url(), "");
    let out = submit(tmp.path());
    assert_refused(&out, &["api-key"]);
    // The I/O error is said once, not once per layer of the error chain.
    let err = text(&out.stderr);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert_eq!(sandbox.counters().accepted_total(), 0);
    assert_eq!(sandbox.counters().auth_failures, 0, "nothing was sent");
}

#[test]
fn key_file_readable_by_others_is_exit_2_naming_the_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("k");
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_profile_only(tmp.path(), &sandbox.base_url(), "");
    write_key_file(tmp.path(), &key, 0o644);
    let out = submit(tmp.path());
    assert_refused(&out, &["chmod 600", "600", "0600"]);
    assert!(
        !text(&out.stderr).contains(&key),
        "the key is printed: {}",
        describe(&out)
    );
    assert_eq!(sandbox.counters().accepted_total(), 0);
    assert_eq!(sandbox.counters().auth_failures, 0, "nothing was sent");
}

/// A sandbox requiring client certificates of its own client CA; writes
/// `ca.pem` (the server's CA), `client.pem` and `client.key` in `dir`.
fn mtls_sandbox(dir: &Path, key: &str) -> Sandbox {
    let server_ca = Ca::new("e2e server CA");
    let client_ca = Ca::new("e2e client CA");
    let server = server_ca.leaf(&["127.0.0.1", "localhost"], Usage::Server);
    let client = client_ca.leaf(&["partner"], Usage::Client);
    std::fs::write(dir.join("ca.pem"), server_ca.pem()).unwrap();
    std::fs::write(dir.join("client.pem"), &client.cert_pem).unwrap();
    std::fs::write(dir.join("client.key"), &client.key_pem).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.join("client.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    let mut cfg = sandbox_config(key);
    cfg.tls = Some(TlsConfig {
        cert_pem: server.cert_pem.into_bytes(),
        key_pem: server.key_pem.into_bytes(),
        client_ca_pem: Some(client_ca.pem().into_bytes()),
    });
    Sandbox::start(cfg)
}

#[test]
fn no_client_certificate_against_mutual_tls_is_exit_2_naming_the_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("k");
    let sandbox = mtls_sandbox(tmp.path(), &key);
    assert!(sandbox.base_url().starts_with("https://127.0.0.1:"));
    write_profile(tmp.path(), &sandbox.base_url(), &key, "ca = \"ca.pem\"");
    let out = submit(tmp.path());
    assert_refused(&out, &["certificate", "cert", "TLS", "tls"]);
    assert_eq!(sandbox.counters().accepted_total(), 0);

    // The same profile with the certificate goes through: the failure above
    // was the missing certificate, nothing else.
    write_profile(
        tmp.path(),
        &sandbox.base_url(),
        &key,
        "ca = \"ca.pem\"\ncert = \"client.pem\"\nkey = \"client.key\"",
    );
    let out = submit(tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(sandbox.counters().writes_for_alid("demoALID"), 1);
}

/// Every file of the profile's state directory (the user's data directory,
/// inside `dir` for the tests) whose name starts with `journal-` (the
/// journal and its -wal / -shm).
fn journal_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let state = avails_test_support::profile_state_dir(dir);
    let mut files = Vec::new();
    for e in std::fs::read_dir(&state).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("journal-") {
            files.push((name, std::fs::read(&p).unwrap()));
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn at_trace_level_the_api_key_appears_nowhere() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("secret-trace-key");
    let sandbox = mtls_sandbox(tmp.path(), &key);
    write_profile(
        tmp.path(),
        &sandbox.base_url(),
        &key,
        "ca = \"ca.pem\"\ncert = \"client.pem\"\nkey = \"client.key\"",
    );
    let private_key = std::fs::read_to_string(tmp.path().join("client.key")).unwrap();
    let private_key_body: String = private_key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("");
    let mut outputs = Vec::new();
    for partial in [false, true] {
        let mut cmd = avails(tmp.path());
        cmd.env("AVAILS_LOG", "trace").args(["submit", "--force"]);
        if partial {
            cmd.arg("--partial");
        }
        let out = run(cmd.arg(SAMPLE));
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        assert!(
            text(&out.stderr).contains("TRACE") || text(&out.stderr).contains("DEBUG"),
            "trace logging is not on: {}",
            describe(&out)
        );
        outputs.push(out);
    }
    // A wrong key at trace level must not leak the wrong key either.
    let wrong_dir = tempfile::tempdir().unwrap();
    let wrong_key = random_key("wrong-trace-key");
    let plain = Sandbox::start(sandbox_config(&key));
    write_profile(wrong_dir.path(), &plain.base_url(), &wrong_key, "");
    let out = run(avails(wrong_dir.path())
        .env("AVAILS_LOG", "trace")
        .args(["submit", SAMPLE]));
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    for (k, out) in [(wrong_key.as_str(), &out)]
        .into_iter()
        .chain(outputs.iter().map(|o| (key.as_str(), o)))
    {
        for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(!contains(bytes, k.as_bytes()), "the API key is in {what}");
            assert!(
                !contains(bytes, &private_key_body.as_bytes()[..40]),
                "the private key is in {what}"
            );
        }
    }
    for (dir, k) in [(tmp.path(), &key), (wrong_dir.path(), &wrong_key)] {
        let files = journal_bytes(dir);
        assert!(
            files
                .iter()
                .any(|(n, _)| n == &format!("journal-{PROFILE}.sqlite")),
            "no journal written: {:?}",
            files.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for (name, bytes) in &files {
            assert!(!contains(bytes, k.as_bytes()), "the API key is in {name}");
        }
    }
    // The journal did record the runs (it is the file we looked into).
    let events = journal_events(tmp.path());
    assert!(events.iter().any(|e| e["state"] == "acknowledged"));
}
