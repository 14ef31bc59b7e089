//! Network edges, end to end with the real binary:
//!
//! - an ALID or TransactionID that cannot travel as one URL path segment
//!   (`..` would turn `DELETE .../full-extract/..?territory=` into a call on
//!   another resource) is refused before any request: at its argument
//!   (exit 2, naming it), or at its cell (AV085, the payload not sent);
//! - a server that is not there stops a submission after a few connection
//!   failures in a row (exit 2), the journal left so the next run resumes.

use crate::support;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use support::*;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../samples/bundle-discount-exclusion.csv"
);

/// The sample CSV with three rows: a clean one (`SKU12345`), one whose ALID
/// is `..` (row 5) and one whose AvailID (the TransactionID) is `tx/3` (row 6).
fn csv_with_bad_ids(dir: &Path) -> std::path::PathBuf {
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    let lines: Vec<&str> = sample.lines().collect();
    let row = lines[3];
    assert!(row.contains("SKU12345") && row.contains("exclude_bundle_uhd_premium"));
    let mut text = lines[..3].join("\n");
    text.push('\n');
    text.push_str(row);
    text.push('\n');
    text.push_str(
        &row.replace("SKU12345", "..")
            .replace("exclude_bundle_uhd_premium", "tx2"),
    );
    text.push('\n');
    text.push_str(
        &row.replace("SKU12345", "SKU3")
            .replace("exclude_bundle_uhd_premium", "tx/3"),
    );
    text.push('\n');
    let path = dir.join("ids.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn get_and_delete_refuse_an_id_that_is_not_one_path_segment_naming_the_argument() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("ids");
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_profile(tmp.path(), &sandbox.base_url(), &key, "");
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "delete",
                "--alid",
                "..",
                "--territory",
                "US",
                "--business-line",
                "TVOD",
                "--yes",
            ],
            "--alid",
        ),
        (
            &[
                "delete",
                "--alid",
                ".",
                "--territory",
                "US",
                "--business-line",
                "TVOD",
                "--yes",
            ],
            "--alid",
        ),
        (
            &[
                "get",
                "--alid",
                "a/b",
                "--territory",
                "US",
                "--business-line",
                "TVOD",
            ],
            "--alid",
        ),
        (&["delete", "--transaction", "..", "--yes"], "--transaction"),
        (&["get", "--transaction", "x?territory=US"], "--transaction"),
        (&["get", "--transaction", "x#y"], "--transaction"),
        (&["get", "--transaction", "100%"], "--transaction"),
        (
            &["delete", "--transaction", "two\nlines", "--yes"],
            "--transaction",
        ),
    ];
    for (args, arg) in cases {
        let out = run(avails(tmp.path()).args(*args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        let err = text(&out.stderr);
        assert!(err.contains(&format!("{arg} ")), "{args:?}: {err}");
        assert!(err.contains("is not a usable ID"), "{args:?}: {err}");
        assert!(!err.contains("deleted"), "{args:?}: {err}");
    }
    let c = sandbox.counters();
    assert_eq!(c.accepted_total(), 0, "a request was made: {c:?}");
    assert_eq!(c.auth_failures, 0, "a request was made: {c:?}");
}

#[test]
fn ids_from_cells_that_are_not_one_path_segment_are_findings_and_not_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("ids");
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_profile(tmp.path(), &sandbox.base_url(), &key, "");
    let csv = csv_with_bad_ids(tmp.path());

    let out = run(avails(tmp.path()).arg("validate").arg(&csv));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stdout);
    // At their cells: ALID is column B, AvailID column R.
    assert!(err.contains("ids.csv:B5: error[AV085]: ALID `..`"), "{err}");
    assert!(
        err.contains("ids.csv:R6: error[AV085]") && err.contains("`tx/3`"),
        "{err}"
    );

    for partial in [false, true] {
        let mut cmd = avails(tmp.path());
        cmd.arg("submit").arg(&csv);
        if partial {
            cmd.arg("--partial");
        }
        let out = run(&mut cmd);
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        let err = text(&out.stderr);
        assert!(err.contains("AV085"), "{err}");
        let c = sandbox.counters();
        assert!(!c.writes_per_alid.contains_key(".."), "{c:?}");
        assert!(!c.writes_per_alid.contains_key("SKU3"), "{c:?}");
        assert!(
            !c.writes_per_transaction.keys().any(|t| t.contains('/')),
            "{c:?}"
        );
        assert!(!c.deletes_per_alid.keys().any(|t| t.is_empty()), "{c:?}");
    }
    assert_eq!(sandbox.counters().writes_for_alid("SKU12345"), 2);
}

/// A port on loopback where nothing listens.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn a_server_that_is_not_there_stops_the_submit_and_the_next_run_resumes() {
    const N: usize = 105;
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("gone");
    let url = format!("http://127.0.0.1:{}", closed_port());
    write_profile(tmp.path(), &url, &key, "tps = 50\nmax_concurrency = 5");
    let file = tmp.path().join("catalog.json");
    std::fs::write(&file, generated_payloads(N, "gone")).unwrap();

    // Bounded: before the limit, 105 payloads made 630 attempts over 179 s;
    // the harness kills the run and fails the test after 60 s.
    let out = bin(tmp.path()).limit(Duration::from_secs(60)).run_command({
        let mut c = avails(tmp.path());
        c.arg("submit").arg(&file);
        c
    });
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("the server at {url}/ does not answer")),
        "{err}"
    );
    assert!(
        err.contains("run the same command again to resume"),
        "{err}"
    );
    assert!(!err.contains(&key), "{err}");

    // Nothing is marked acknowledged; every payload is still to send.
    let states = latest_states(&journal_events(tmp.path()));
    assert!(states.values().all(|s| s != "acknowledged"), "{states:?}");

    // The server is back (same profile, now answering): the next run sends
    // every payload.
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_profile(
        tmp.path(),
        &sandbox.base_url(),
        &key,
        "tps = 50\nmax_concurrency = 5",
    );
    let out = run(avails(tmp.path())
        .args(["submit", "--format", "json"])
        .arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["report"]["sent"], N, "{report}");
    assert_eq!(sandbox.counters().writes_per_alid.len(), N);
}

#[test]
fn a_server_that_drops_every_connection_gets_a_few_attempts_not_six_per_payload() {
    const N: usize = 60;
    // Accepts each connection and closes it at once, counting them.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    {
        let accepted = accepted.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                accepted.fetch_add(1, Ordering::SeqCst);
                drop(conn);
            }
        });
    }
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("drop");
    write_profile(tmp.path(), &url, &key, "tps = 50\nmax_concurrency = 5");
    let file = tmp.path().join("catalog.json");
    std::fs::write(&file, generated_payloads(N, "drop")).unwrap();
    let out = run(avails(tmp.path()).arg("submit").arg(&file));
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("does not answer"),
        "{}",
        describe(&out)
    );
    // Five failures in a row stop every call; the calls already under way
    // (at most max_concurrency) try once more each. Without the limit:
    // 6 attempts x 60 payloads.
    let n = accepted.load(Ordering::SeqCst);
    assert!(
        (avails_client::MAX_CONSECUTIVE_CONNECTION_FAILURES as usize..=15).contains(&n),
        "{n} connection attempts"
    );
}
