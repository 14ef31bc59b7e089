//! Throughput of `avails submit` against a sandbox at its default limits
//! (10 requests per second, 5 in flight), as Prime Video gives partners.
//!
//! * `--partial`, 25 transactions per batch call: content rights
//!   (transactions) per second; the ceiling is 10 × 25 = 250/s, the goal
//!   ≥ 95% of it with no 429 answer.
//! * full-extract PUTs: requests per second; the goal is ≥ 9.5.
//!
//! `cargo bench -p avails-cli --bench submit` (not run by `cargo test`).
//! Sizes: `AVAILS_BENCH_PARTIAL` transactions (default 2500) and
//! `AVAILS_BENCH_FULL` payloads (default 100).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use avails_sandbox::{RunningSandbox, SandboxConfig};
use serde_json::Value;

const LICENSOR: &str = "benchlicensor";

fn payloads(n: usize, prefix: &str) -> String {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../samples/tvod-movie.expected.json"
        ))
        .expect("samples/tvod-movie.expected.json"),
    )
    .expect("sample JSON");
    let mut out = String::new();
    for i in 0..n {
        let mut p = sample.clone();
        let avail = &mut p["avail"];
        let alid = format!("{prefix}-{i}");
        avail["ALID"] = Value::String(alid.clone());
        for asset in avail["Asset"].as_array_mut().expect("Asset") {
            asset["_contentID"] = Value::String(alid.clone());
        }
        let txs = avail["Transaction"].as_array_mut().expect("Transaction");
        txs.truncate(1);
        txs[0]["_TransactionID"] = Value::String(format!("{prefix}-tx-{i}"));
        out.push_str(&serde_json::to_string(&p).expect("JSON"));
        out.push('\n');
    }
    out
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Run {
    units: u64,
    requests: u64,
    seconds: f64,
    wall: f64,
    client_throttled: u64,
    server_throttled: u64,
    max_per_second: u64,
}

fn run(rt: &tokio::runtime::Runtime, n: usize, partial: bool) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = format!("bench-key-{}", std::process::id());
    let config = SandboxConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        ..SandboxConfig::default()
    }
    .with_licensor(LICENSOR, key.clone());
    let sandbox: RunningSandbox = rt.block_on(avails_sandbox::start(config)).expect("sandbox");
    write_profile(dir.path(), &sandbox.base_url(), &key);
    let file = dir.path().join("catalog.json");
    let prefix = if partial { "partial" } else { "full" };
    std::fs::write(&file, payloads(n, prefix)).expect("payload file");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_avails"));
    cmd.current_dir(dir.path())
        .env_remove("AVAILS_PROFILE")
        .args(["submit", "--format", "json"]);
    if partial {
        cmd.args(["--partial", "--batch-size", "25"]);
    }
    let started = Instant::now();
    let out = cmd.arg(&file).output().expect("avails");
    let wall = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "avails submit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Show why requests were retried (one summary line per retried payload).
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        if line.contains("retried: ") {
            eprintln!("{line}");
        }
    }
    let summary: Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    let report = &summary["report"];
    let counters = sandbox.counters();
    rt.block_on(sandbox.shutdown());
    assert_eq!(report["sent"].as_u64(), Some(n as u64), "{summary:#}");
    Run {
        units: n as u64,
        requests: report["requests"].as_u64().unwrap_or(0),
        seconds: report["seconds"].as_f64().unwrap_or(f64::NAN),
        wall,
        client_throttled: report["throttled"].as_u64().unwrap_or(0),
        server_throttled: counters.throttled,
        max_per_second: counters.max_accepted_in_one_second(),
    }
}

fn write_profile(dir: &Path, base_url: &str, key: &str) {
    use std::os::unix::fs::PermissionsExt;
    let key_path = dir.join("api-key");
    std::fs::write(&key_path, key).expect("key file");
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
    std::fs::write(
        dir.join("avails.toml"),
        format!(
            "[profiles.bench]\nbase_url = \"{base_url}\"\nlicensor = \"{LICENSOR}\"\napi_key_file = \"api-key\"\ntps = 10\nmax_concurrency = 5\n"
        ),
    )
    .expect("avails.toml");
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would not run us
    // with it, and a test run has no business waiting on rate limits.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let n = env_usize("AVAILS_BENCH_PARTIAL", 2500);
    let p = run(&rt, n, true);
    let rate = p.units as f64 / p.seconds;
    println!(
        "submit --partial (25 per batch): {} transactions in {} requests, {:.2}s ({:.2}s with process start and conversion): {:.1} transactions/s = {:.1}% of the 250/s ceiling; 429 answers: {} (client saw {}); most requests admitted in one second: {}  [goal: >= 95%, no 429] {}",
        p.units,
        p.requests,
        p.seconds,
        p.wall,
        rate,
        rate / 250.0 * 100.0,
        p.server_throttled,
        p.client_throttled,
        p.max_per_second,
        if rate >= 237.5 && p.server_throttled == 0 { "MET" } else { "MISSED" },
    );

    let n = env_usize("AVAILS_BENCH_FULL", 100);
    let f = run(&rt, n, false);
    let rate = f.requests as f64 / f.seconds;
    println!(
        "submit (full-extract PUTs): {} payloads in {} requests, {:.2}s ({:.2}s with process start and conversion): {:.2} requests/s; 429 answers: {} (client saw {}); most requests admitted in one second: {}  [goal: >= 9.5/s] {}",
        f.units,
        f.requests,
        f.seconds,
        f.wall,
        rate,
        f.server_throttled,
        f.client_throttled,
        f.max_per_second,
        if rate >= 9.5 { "MET" } else { "MISSED" },
    );
}
