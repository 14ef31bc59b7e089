//! Faults, end to end: against a sandbox answering 20% of requests with 500
//! or 503, limited to 10 requests per second and 5 in flight, `avails submit`
//! lands 2,000 partial extracts (25 per batch) and ~100 full extracts, each
//! exactly once as counted by the server, exits 0, and summarises its
//! retries: at most one line per payload (or batch), without colour codes
//! when stderr is not a terminal, and none at all when told to be quiet
//! (`AVAILS_LOG=error`).

use crate::support;

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

/// Submits `file` at the default log level (or `log`), returns the JSON
/// summary and stderr.
fn submit_logged(dir: &Path, file: &Path, partial: bool, log: Option<&str>) -> (Value, String) {
    let mut cmd = avails(dir);
    if let Some(level) = log {
        cmd.env("AVAILS_LOG", level);
    }
    cmd.args(["submit", "--format", "json"]);
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

fn submit(dir: &Path, file: &Path, partial: bool) -> (Value, String) {
    submit_logged(dir, file, partial, None)
}

/// The retries a summary line counts: `retried: KEY: 3 retries (500 x2, 503 x1), then landed`.
fn retries_in(line: &str) -> u64 {
    let at = line
        .find(" retries (")
        .or_else(|| line.find(" retry ("))
        .unwrap_or_else(|| panic!("not a summary line: {line}"));
    line[..at]
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in: {line}"))
}

/// Retries summarised: one line per retried unit (`units` at most), adding
/// up to the report's retries, no per-retry line, no colour codes.
fn assert_retried(summary: &Value, stderr: &str, sandbox: &Sandbox, units: usize) {
    let c = sandbox.counters();
    assert!(c.injected_failures > 0, "no fault was injected: {c:?}");
    let retries = summary["report"]["retries"].as_u64().unwrap();
    assert!(
        retries >= c.injected_failures,
        "{} injected failures but {retries} retries",
        c.injected_failures
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("retried: ")).collect();
    assert!(!lines.is_empty(), "no retry summary:\n{stderr}");
    assert!(
        lines.len() <= units,
        "{} summary lines for {units} units:\n{stderr}",
        lines.len()
    );
    assert_eq!(
        lines.iter().map(|l| retries_in(l)).sum::<u64>(),
        retries,
        "the summary lines add up to the retries:\n{stderr}"
    );
    let keys: std::collections::BTreeSet<&str> = lines
        .iter()
        .map(|l| {
            l.split("retried: ")
                .nth(1)
                .unwrap()
                .split(": ")
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(keys.len(), lines.len(), "one line per unit:\n{stderr}");
    assert!(
        !stderr.contains("retrying avails request"),
        "a line per retry:\n{stderr}"
    );
    assert!(stderr.contains("500") || stderr.contains("503"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a piped stderr:\n{stderr}"
    );
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
    assert_retried(&summary, &stderr, &sandbox, N / 25);

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
    assert_retried(&summary, &stderr, &sandbox, N);

    // Quiet: the same faults, no retry line at all.
    let quiet_file = tmp.path().join("quiet.json");
    std::fs::write(&quiet_file, generated_payloads(20, "quiet")).unwrap();
    let (quiet, stderr) = submit_logged(tmp.path(), &quiet_file, false, Some("error"));
    assert_eq!(quiet["report"]["sent"], 20, "{quiet:#}");
    assert!(
        quiet["report"]["retries"].as_u64().unwrap() > 0,
        "{quiet:#}"
    );
    assert!(!stderr.contains("retried"), "{stderr}");
}
