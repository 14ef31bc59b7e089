//! Faults, end to end: against a sandbox answering 20% of requests with 500
//! or 503, limited to 10 requests per second and 5 in flight, `avails submit`
//! lands 2,000 partial extracts (25 per batch) and ~100 full extracts, each
//! exactly once as counted by the server, exits 0, and logs its retries.

mod support;

use std::path::Path;
use std::time::Instant;

use serde_json::Value;
use support::*;

fn faulty_sandbox(key: &str, seed: u64) -> Sandbox {
    let mut cfg = sandbox_config(key);
    cfg.fail_rate = 0.2;
    cfg.tps = Some(10);
    cfg.max_concurrency = Some(5);
    cfg.seed = Some(seed);
    Sandbox::start(cfg)
}

/// Submits `file` at info level, returns the JSON summary and stderr.
fn submit(dir: &Path, file: &Path, partial: bool) -> (Value, String) {
    let mut cmd = avails(dir);
    cmd.env("AVAILS_LOG", "info")
        .args(["submit", "--format", "json"]);
    if partial {
        cmd.args(["--partial", "--batch-size", "25"]);
    }
    let started = Instant::now();
    let out = run(cmd.arg(file));
    eprintln!(
        "submit (partial: {partial}) took {:.1}s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    (summary, text(&out.stderr))
}

fn assert_retried(summary: &Value, stderr: &str, sandbox: &Sandbox) {
    let c = sandbox.counters();
    assert!(c.injected_failures > 0, "no fault was injected: {c:?}");
    let retries = summary["report"]["retries"].as_u64().unwrap();
    assert!(
        retries >= c.injected_failures,
        "{} injected failures but {retries} retries",
        c.injected_failures
    );
    let logged = stderr
        .lines()
        .filter(|l| l.contains("retrying avails request"))
        .count() as u64;
    assert_eq!(
        logged, retries,
        "each retry is logged at info level:\n{stderr}"
    );
    assert!(stderr.contains("500") || stderr.contains("503"), "{stderr}");
}

#[test]
fn two_thousand_partial_extracts_land_once_each_through_faults() {
    const N: usize = 2000;
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("faults");
    let sandbox = faulty_sandbox(&key, 7);
    write_profile(
        tmp.path(),
        &sandbox.base_url(),
        &key,
        "tps = 10\nmax_concurrency = 5\nmax_attempts = 12",
    );
    let file = tmp.path().join("catalog.json");
    std::fs::write(&file, generated_payloads(N, "partial")).unwrap();

    let (summary, stderr) = submit(tmp.path(), &file, true);
    let report = &summary["report"];
    assert_eq!(report["sent"], N, "{summary:#}");
    assert_eq!(report["rejected"], serde_json::json!([]));
    assert_eq!(report["failed"], serde_json::json!([]));

    let c = sandbox.counters();
    assert_eq!(
        c.writes_per_transaction.len(),
        N,
        "every transaction landed"
    );
    for i in 0..N {
        let t = format!("partial-tx-{i}");
        assert_eq!(
            c.writes_for_transaction(&t),
            1,
            "{t} written {} times",
            c.writes_for_transaction(&t)
        );
    }
    assert_eq!(c.writes_per_transaction.values().sum::<u64>(), N as u64);
    assert!(
        c.accepted_per_endpoint.keys().all(|e| e == "batch.put"),
        "partial extracts go through the batch endpoint: {:?}",
        c.accepted_per_endpoint
    );
    assert!(c.max_accepted_in_one_second() <= 10);
    assert_retried(&summary, &stderr, &sandbox);

    // Run again: nothing is sent, the journal knows it all landed.
    let (again, _) = submit(tmp.path(), &file, true);
    assert_eq!(again["report"]["sent"], 0, "{again:#}");
    assert_eq!(again["report"]["unchanged"], N, "{again:#}");
    assert_eq!(
        sandbox.counters().writes_per_transaction,
        c.writes_per_transaction
    );
}

#[test]
fn a_hundred_full_extracts_land_once_each_through_faults() {
    const N: usize = 100;
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("faults-full");
    let sandbox = faulty_sandbox(&key, 11);
    write_profile(
        tmp.path(),
        &sandbox.base_url(),
        &key,
        "tps = 10\nmax_concurrency = 5\nmax_attempts = 12",
    );
    let file = tmp.path().join("catalog.json");
    std::fs::write(&file, generated_payloads(N, "full")).unwrap();

    let (summary, stderr) = submit(tmp.path(), &file, false);
    let report = &summary["report"];
    assert_eq!(report["sent"], N, "{summary:#}");
    assert_eq!(report["rejected"], serde_json::json!([]));
    assert_eq!(report["failed"], serde_json::json!([]));

    let c = sandbox.counters();
    assert_eq!(c.writes_per_alid.len(), N, "every title landed");
    for i in 0..N {
        let alid = format!("full-{i}");
        assert_eq!(
            c.writes_for_alid(&alid),
            1,
            "{alid} written {} times",
            c.writes_for_alid(&alid)
        );
    }
    assert!(c.max_accepted_in_one_second() <= 10);
    assert_retried(&summary, &stderr, &sandbox);
}
