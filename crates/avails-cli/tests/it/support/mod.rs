//! Shared helpers of the end-to-end tests, on top of `avails-test-support`:
//! a sandbox in the test process, a temp dir with an `avails.toml` profile
//! pointing at it, and the real `avails` binary run in that dir with a
//! bounded wait.

#![allow(dead_code, unused_imports)]

pub mod messy;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use avails_sandbox::SandboxConfig;
pub use avails_test_support::{describe, random_key, text, write_key_file, Avails};
use serde_json::Value;

/// Licensor of the test profiles.
pub const LICENSOR: &str = "e2elicensor";
/// Profile name of the test profiles.
pub const PROFILE: &str = "e2e";

/// A sandbox running on a runtime owned by the test.
pub type Sandbox = avails_test_support::TestSandbox;

/// A sandbox config with one licensor and `key`, in memory.
pub fn sandbox_config(key: &str) -> SandboxConfig {
    SandboxConfig::default().with_licensor(LICENSOR, key)
}

/// Writes `dir/avails.toml` with profile [`PROFILE`] at `base_url`, its key
/// in `api-key` (mode 0600), plus `extra` TOML lines of the profile.
pub fn write_profile(dir: &Path, base_url: &str, key: &str, extra: &str) {
    write_key_file(dir, key, 0o600);
    write_profile_only(dir, base_url, extra);
}

/// Writes `dir/avails.toml` only (the key file is the caller's business).
pub fn write_profile_only(dir: &Path, base_url: &str, extra: &str) {
    avails_test_support::write_profile(dir, PROFILE, base_url, LICENSOR, extra);
}

/// The binary of this crate, run in `dir` (see [`Avails`]).
pub fn bin(dir: &Path) -> Avails {
    Avails::new(avails_test_support::avails_bin!(), dir)
}

/// The `avails` binary as a command in `dir`, with no AVAILS_* variable of ours.
pub fn avails(dir: &Path) -> Command {
    bin(dir).command()
}

/// Runs the binary in `dir` with `args` to the end (see [`run`]).
pub fn avails_with(dir: &Path, args: &[&str]) -> Output {
    run(avails(dir).args(args))
}

/// Runs a command made by [`avails`] to the end, within the default time limit.
pub fn run(cmd: &mut Command) -> Output {
    let dir = cmd
        .get_current_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::env::current_dir().unwrap());
    let mut owned = Command::new(cmd.get_program());
    owned.args(cmd.get_args()).current_dir(&dir);
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => owned.env(k, v),
            None => owned.env_remove(k),
        };
    }
    bin(&dir).run_command(owned)
}

/// Polls `f` every 20 ms until it is true or `timeout` passes.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    f()
}

/// `n` valid full-extract payloads, one transaction each (`{prefix}-{i}`
/// titles, `{prefix}-tx-{i}` transactions), as NDJSON of `{"avail": ...}`,
/// made from the reference's TVOD movie example.
pub fn generated_payloads(n: usize, prefix: &str) -> String {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../samples/tvod-movie.expected.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut out = String::new();
    for i in 0..n {
        let mut p = sample.clone();
        let avail = &mut p["avail"];
        let alid = format!("{prefix}-{i}");
        avail["ALID"] = Value::String(alid.clone());
        for asset in avail["Asset"].as_array_mut().unwrap() {
            asset["_contentID"] = Value::String(alid.clone());
            asset["Metadata"]["TitleInternalAlias"] =
                serde_json::json!([format!("Generated title {prefix} {i}")]);
        }
        let txs = avail["Transaction"].as_array_mut().unwrap();
        txs.truncate(1);
        txs[0]["_TransactionID"] = Value::String(format!("{prefix}-tx-{i}"));
        out.push_str(&serde_json::to_string(&p).unwrap());
        out.push('\n');
    }
    out
}

/// The journal's events, oldest first, as `avails journal --format json` gives them.
pub fn journal_events(dir: &Path) -> Vec<Value> {
    let out = run(avails(dir).args([
        "journal",
        "--profile",
        PROFILE,
        "--format",
        "json",
        "--limit",
        "1000000",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let mut events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    events.sort_by_key(|e| e["id"].as_i64().unwrap());
    events
}

/// Latest state of each key in `events` (oldest first).
pub fn latest_states(events: &[Value]) -> std::collections::BTreeMap<String, String> {
    let mut m = std::collections::BTreeMap::new();
    for e in events {
        m.insert(
            e["key"].as_str().unwrap().to_string(),
            e["state"].as_str().unwrap().to_string(),
        );
    }
    m
}
