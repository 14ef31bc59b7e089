//! Shared helpers of the end-to-end tests: a sandbox in the test process, a
//! temp dir with an `avails.toml` profile pointing at it, and the real
//! `avails` binary run in that dir.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use avails_sandbox::{RunningSandbox, SandboxConfig};
use serde_json::Value;

/// Licensor of the test profiles.
pub const LICENSOR: &str = "e2elicensor";
/// Profile name of the test profiles.
pub const PROFILE: &str = "e2e";

/// A sandbox running on a runtime owned by the test.
pub struct Sandbox {
    pub rt: tokio::runtime::Runtime,
    pub server: Option<RunningSandbox>,
}

impl Sandbox {
    /// Starts `config` on 127.0.0.1:0.
    pub fn start(mut config: SandboxConfig) -> Self {
        config.listen = "127.0.0.1:0".parse().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(avails_sandbox::start(config)).unwrap();
        Self {
            rt,
            server: Some(server),
        }
    }

    pub fn base_url(&self) -> String {
        self.server.as_ref().unwrap().base_url()
    }

    pub fn counters(&self) -> avails_sandbox::CountersSnapshot {
        self.server.as_ref().unwrap().counters()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

/// A sandbox config with one licensor and `key`, in memory.
pub fn sandbox_config(key: &str) -> SandboxConfig {
    SandboxConfig::default().with_licensor(LICENSOR, key)
}

/// A fresh API key.
pub fn random_key(tag: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}-{n:x}-{:x}", std::process::id())
}

/// Writes `key` to `dir/api-key` with `mode`.
pub fn write_key_file(dir: &Path, key: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("api-key");
    std::fs::write(&path, key).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// Writes `dir/avails.toml` with profile [`PROFILE`] at `base_url`, its key
/// in `api-key` (mode 0600), plus `extra` TOML lines of the profile.
pub fn write_profile(dir: &Path, base_url: &str, key: &str, extra: &str) {
    write_key_file(dir, key, 0o600);
    write_profile_only(dir, base_url, extra);
}

/// Writes `dir/avails.toml` only (the key file is the caller's business).
pub fn write_profile_only(dir: &Path, base_url: &str, extra: &str) {
    let toml = format!(
        "default_profile = \"{PROFILE}\"\n\n[profiles.{PROFILE}]\nbase_url = \"{base_url}\"\nlicensor = \"{LICENSOR}\"\napi_key_file = \"api-key\"\n{extra}\n"
    );
    std::fs::write(dir.join("avails.toml"), toml).unwrap();
}

/// The `avails` binary, run in `dir`, with no AVAILS_* variable of ours.
pub fn avails(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_avails"));
    cmd.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("AVAILS_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    // The user's config dir must not be found either.
    cmd.env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join(".config"));
    cmd
}

/// Runs a command to the end.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("cannot run avails")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Describes an output for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        tail(&text(&out.stdout)),
        tail(&text(&out.stderr))
    )
}

fn tail(s: &str) -> &str {
    let max = 6000;
    if s.len() <= max {
        s
    } else {
        let mut i = s.len() - max;
        while !s.is_char_boundary(i) {
            i += 1;
        }
        &s[i..]
    }
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
