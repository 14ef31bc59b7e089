//! Crash and resume, end to end: `avails submit` of 60 full extracts at 5
//! requests per second is killed once some have landed; a second run sends
//! the rest, and nothing the journal marked acknowledged before the kill is
//! sent again (only payloads whose journal state was `sending` at the kill
//! may reach the server twice).

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use support::*;

const N: usize = 60;

fn alid_of(key: &str) -> String {
    // full:{licensor}:{ALID}:{territory}:{businessLine}
    key.split(':').nth(2).unwrap().to_string()
}

fn keys_in_state(events: &[Value], state: &str) -> BTreeSet<String> {
    events
        .iter()
        .filter(|e| e["state"] == state)
        .map(|e| e["key"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_killed_submit_resumes_without_resending_what_landed() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("crash");
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_profile(
        tmp.path(),
        &sandbox.base_url(),
        &key,
        "tps = 5\nmax_concurrency = 5",
    );
    let file = tmp.path().join("catalog.json");
    std::fs::write(&file, generated_payloads(N, "crash")).unwrap();

    let stderr_path = tmp.path().join("first-run.stderr");
    let mut child = avails(tmp.path())
        .args(["submit", "--format", "json"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let landed = wait_until(Duration::from_secs(60), || {
        sandbox.counters().writes_per_alid.len() >= 15
    });
    assert!(
        landed,
        "fewer than 15 payloads landed in 60 s: {:?}",
        sandbox.counters()
    );
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the first run finished before the kill");
    let at_kill = sandbox.counters();
    assert!(
        at_kill.writes_per_alid.len() < N,
        "everything landed before the kill: the test proves nothing"
    );

    // What the journal says before the second run.
    let before = journal_events(tmp.path());
    let acknowledged = keys_in_state(&before, "acknowledged");
    let sending: BTreeSet<String> = keys_in_state(&before, "sending")
        .difference(&acknowledged)
        .cloned()
        .collect();
    assert!(
        !acknowledged.is_empty(),
        "nothing acknowledged before the kill"
    );
    assert!(acknowledged.len() < N);
    for k in &acknowledged {
        // Acknowledged means the server stored it.
        assert_eq!(at_kill.writes_for_alid(&alid_of(k)), 1, "{k}");
    }
    // Anything the server stored was at least marked sending.
    for alid in at_kill.writes_per_alid.keys() {
        assert!(
            acknowledged
                .iter()
                .chain(&sending)
                .any(|k| &alid_of(k) == alid),
            "{alid} landed without a `sending` mark in the journal"
        );
    }

    // Resume.
    let out = run(avails(tmp.path())
        .args(["submit", "--format", "json"])
        .arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary["report"]["unchanged"],
        acknowledged.len(),
        "{summary:#}"
    );
    assert_eq!(
        summary["report"]["sent"],
        N - acknowledged.len(),
        "{summary:#}"
    );

    let after = sandbox.counters();
    assert_eq!(after.writes_per_alid.len(), N, "every title landed");
    for i in 0..N {
        let alid = format!("crash-{i}");
        let k = format!("full:{LICENSOR}:{alid}:US:TVOD");
        let writes = after.writes_for_alid(&alid);
        if acknowledged.contains(&k) {
            assert_eq!(
                writes, 1,
                "{k} was acknowledged before the kill and sent again"
            );
        } else if sending.contains(&k) {
            assert!(
                (1..=2).contains(&writes),
                "{k} (in flight at the kill) written {writes} times"
            );
        } else {
            assert_eq!(writes, 1, "{k} written {writes} times");
        }
    }

    // The journal: everything acknowledged now, and nothing acknowledged
    // before the kill was marked `sending` again.
    let events = journal_events(tmp.path());
    let latest = latest_states(&events);
    assert_eq!(latest.len(), N);
    assert!(latest.values().all(|s| s == "acknowledged"), "{latest:?}");
    let mut sends: BTreeMap<String, usize> = BTreeMap::new();
    for e in &events {
        if e["state"] == "sending" {
            *sends
                .entry(e["key"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    for k in &acknowledged {
        assert_eq!(sends.get(k), Some(&1), "{k} was sent again after the kill");
    }
}
