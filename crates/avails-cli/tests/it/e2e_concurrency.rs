//! Concurrency, end to end: one writer per state directory, and the
//! profile's `max_concurrency` honoured up to the server's limit.

use crate::support;

use std::time::Duration;

use serde_json::Value;
use support::*;

/// Two `avails submit` started together on one state directory: one sends,
/// the other refuses with exit 2 naming the first (pid, since when) and what
/// to do; the server receives each payload exactly once.
#[test]
fn two_submits_on_one_state_directory_send_each_payload_once() {
    const N: usize = 30;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = random_key("lock");
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_profile(dir, &sandbox.base_url(), &key, "");
    std::fs::write(dir.join("catalog.json"), generated_payloads(N, "lock")).unwrap();

    let args = ["submit", "--format", "json", "catalog.json"];
    let first = bin(dir).spawn(args);
    let second = bin(dir).spawn(args);
    let outs = [first.wait(), second.wait()];

    let c = sandbox.counters();
    assert_eq!(c.writes_per_alid.len(), N, "every payload landed: {c:?}");
    for i in 0..N {
        assert_eq!(
            c.writes_for_alid(&format!("lock-{i}")),
            1,
            "lock-{i}: {c:?}"
        );
    }
    assert_eq!(
        c.accepted_per_endpoint.get("full-extract.put").copied(),
        Some(N as u64),
        "PUTs counted by the server: {c:?}"
    );
    let sent: Vec<&std::process::Output> =
        outs.iter().filter(|o| o.status.code() == Some(0)).collect();
    let refused: Vec<&std::process::Output> =
        outs.iter().filter(|o| o.status.code() == Some(2)).collect();
    assert_eq!(
        (sent.len(), refused.len()),
        (1, 1),
        "{}\n{}",
        describe(&outs[0]),
        describe(&outs[1])
    );
    let report: Value = serde_json::from_slice(&sent[0].stdout).unwrap();
    assert_eq!(report["report"]["sent"], N);
    let err = text(&refused[0].stderr);
    for needle in [
        "another avails is writing in",
        "pid ",
        "`avails submit`",
        "running since",
        "--state-dir",
    ] {
        assert!(err.contains(needle), "`{needle}` not in: {err}");
    }
    assert!(!err.contains("mark_sending"), "an internal error: {err}");
    assert!(refused[0].stdout.is_empty(), "{}", describe(refused[0]));
}

/// A sandbox allowing `server` requests in flight, each answered after
/// 300 ms, and a profile asking for 8.
fn run_with(server: u32, n: usize) -> (avails_sandbox::CountersSnapshot, Value) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = random_key("conc");
    let mut cfg = sandbox_config(&key);
    cfg.tps = Some(100);
    cfg.max_concurrency = Some(server);
    cfg.latency_ms = 300;
    let sandbox = Sandbox::start(cfg);
    write_profile(
        dir,
        &sandbox.base_url(),
        &key,
        "tps = 100\nmax_concurrency = 8",
    );
    std::fs::write(dir.join("catalog.json"), generated_payloads(n, "conc")).unwrap();
    let out = bin(dir).limit(Duration::from_secs(120)).run([
        "submit",
        "--format",
        "json",
        "catalog.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["report"]["sent"], n, "{report:#}");
    (sandbox.counters(), report)
}

#[test]
fn max_concurrency_8_reaches_8_in_flight_on_a_server_allowing_8() {
    let (c, _) = run_with(8, 40);
    assert_eq!(c.max_in_flight, 8, "measured by the server: {c:?}");
    assert_eq!(c.throttled, 0, "{c:?}");
}

#[test]
fn max_concurrency_8_on_a_server_allowing_5_costs_a_few_429s_not_a_storm() {
    let (c, report) = run_with(5, 80);
    assert!(c.max_in_flight <= 5, "{c:?}");
    // One burst of at most 8 - 5 = 3 throttled before the client keeps to 5
    // (a few more if requests of a burst overlap a retry); without adapting,
    // bursts keep being throttled (15 for these 80 payloads in a run with the
    // client's adaptation switched off).
    assert!(
        c.throttled <= 6,
        "a 429 storm: {} throttled: {c:?}",
        c.throttled
    );
    assert_eq!(report["report"]["throttled"], c.throttled, "{report:#}");
    assert_eq!(c.writes_per_alid.len(), 80);
}
