//! On-demand benchmark of `avails diff` against a server at Prime Video's
//! partner limits (10 requests/s, 5 in flight). Never run by `cargo test`.
//!
//! `cargo bench -p avails-cli --bench diff` (titles: `-- 500`; default 2000).
//!
//! 1. Generates N titles from `samples/tvod-movie.expected.json` (unique
//!    ALIDs, content IDs and TransactionIDs) into one JSON input.
//! 2. Seeds a sandbox database: a sandbox without limits takes the N
//!    full-extract PUTs, then stops (its SQLite file keeps them).
//! 3. Restarts the sandbox on that file at its default limits (10 TPS, 5
//!    connections) and writes an `avails.toml` profile for it.
//! 4. Times `avails diff --profile bench` of the N titles (N GETs), checks
//!    every title compares the same, and prints the time next to the ideal
//!    (N / 10 s) and the ratio; the goal is within 10% of the ideal.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use avails_client::{ApiKey, AvailsClient};
use avails_model::AvailRequest;
use avails_sandbox::SandboxConfig;
use futures::stream::{self, StreamExt};
use serde_json::{json, Value};

type BoxError = Box<dyn std::error::Error>;

const LICENSOR: &str = "benchlicensor";
const KEY: &str = "bench-diff-key";
const TPS: u32 = 10;

fn main() -> Result<(), BoxError> {
    // `cargo bench` passes `--bench`; the first bare number is the size.
    let n: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(2000);
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("titles.json");
    let payloads = generate(n)?;
    std::fs::write(&input, serde_json::to_vec(&payloads)?)?;
    let db = dir.path().join("server.sqlite");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;

    // Seed without limits: the database, not the API's pace, is set up.
    let t = Instant::now();
    rt.block_on(seed(&db, &payloads))?;
    eprintln!("seeded {n} titles in {:.1}s", t.elapsed().as_secs_f64());

    // Serve them at the partner limits.
    let sandbox = rt.block_on(avails_sandbox::start(
        SandboxConfig {
            listen: "127.0.0.1:0".parse()?,
            db_path: Some(db.clone()),
            ..SandboxConfig::default()
        }
        .with_licensor(LICENSOR, KEY),
    ))?;
    let key_file = dir.path().join("api-key");
    std::fs::write(&key_file, KEY)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::write(
        dir.path().join("avails.toml"),
        format!(
            "default_profile = \"bench\"\n\n[profiles.bench]\nbase_url = \"{}\"\nlicensor = \"{LICENSOR}\"\napi_key_file = \"api-key\"\ntps = {TPS}\nmax_concurrency = 5\n",
            sandbox.base_url()
        ),
    )?;

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_avails"));
    cmd.current_dir(dir.path())
        .args(["diff", "--profile", "bench", "--format", "json"])
        .arg(&input)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("AVAILS_") {
            cmd.env_remove(k);
        }
    }
    let t = Instant::now();
    let out = cmd.output()?;
    let elapsed = t.elapsed();
    let counters = sandbox.counters();
    rt.block_on(sandbox.shutdown());

    let report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("diff printed no JSON report ({e}); exit {:?}", out.status))?;
    let summary = &report["summary"];
    if out.status.code() != Some(0) || summary["same"].as_u64() != Some(n as u64) {
        return Err(format!("expected {n} identical titles, exit 0: {summary}").into());
    }
    let ideal = Duration::from_secs_f64(n as f64 / f64::from(TPS));
    let ratio = elapsed.as_secs_f64() / ideal.as_secs_f64();
    println!(
        "avails diff of {n} titles: {:.1}s; ideal {:.1}s ({n} GETs at {TPS}/s); ratio {ratio:.3} (goal <= 1.10) — {}",
        elapsed.as_secs_f64(),
        ideal.as_secs_f64(),
        if ratio <= 1.10 { "met" } else { "MISSED" },
    );
    println!(
        "server: {} requests admitted, {} throttled (429), at most {} in one second",
        counters.accepted_total(),
        counters.throttled,
        counters.max_accepted_in_one_second()
    );
    Ok(())
}

/// N copies of the TVOD movie sample, each its own title.
fn generate(n: usize) -> Result<Vec<Value>, BoxError> {
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/tvod-movie.expected.json");
    let template: Value = serde_json::from_str(&std::fs::read_to_string(sample)?)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut p = template.clone();
        let alid = format!("benchDiff{i:05}");
        let avail = &mut p["avail"];
        avail["ALID"] = json!(alid);
        for asset in avail["Asset"].as_array_mut().ok_or("no Asset")? {
            asset["_contentID"] = json!(alid);
        }
        for (j, t) in avail["Transaction"]
            .as_array_mut()
            .ok_or("no Transaction")?
            .iter_mut()
            .enumerate()
        {
            t["_TransactionID"] = json!(format!("{alid}-{j}"));
        }
        out.push(p);
    }
    Ok(out)
}

/// PUTs every payload into a sandbox without limits on `db`, then stops it.
async fn seed(db: &Path, payloads: &[Value]) -> Result<(), BoxError> {
    let sandbox = avails_sandbox::start(
        SandboxConfig {
            listen: "127.0.0.1:0".parse()?,
            db_path: Some(db.to_path_buf()),
            ..SandboxConfig::default()
        }
        .without_limits()
        .with_licensor(LICENSOR, KEY),
    )
    .await?;
    let client = AvailsClient::builder(sandbox.base_url(), LICENSOR, ApiKey::new(KEY))
        .tps(100_000)
        .max_concurrency(16)
        .build()?;
    let results: Vec<Result<(), String>> = stream::iter(payloads)
        .map(|p| {
            let client = &client;
            async move {
                let body: AvailRequest =
                    serde_json::from_value(p.clone()).map_err(|e| e.to_string())?;
                let r = client
                    .put_full_extract(&body.avail.alid, &body)
                    .await
                    .map_err(|e| e.to_string())?;
                if r.success {
                    Ok(())
                } else {
                    Err(format!("{}: {:?}", body.avail.alid, r.errors))
                }
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    sandbox.shutdown().await;
    if let Some(e) = results.into_iter().find_map(Result::err) {
        return Err(format!("seeding failed: {e}").into());
    }
    Ok(())
}
