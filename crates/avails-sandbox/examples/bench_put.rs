//! PUTs per second with limits off, over loopback HTTP/1.1 with keep-alive.
//!
//! `cargo run --release -p avails-sandbox --example bench_put [-- TOTAL CONCURRENCY]`
//!
//! Sends TOTAL (default 20000) partial-extract PUTs of the spec's example
//! payload, each with its own transaction ID, from CONCURRENCY (default 32)
//! tasks, to a sandbox whose state is a SQLite file (WAL) in a temp dir.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use avails_sandbox::{start, SandboxConfig};
use serde_json::Value;

const PAYLOAD: &str =
    include_str!("../../../tests/fixtures/spec/003-put-partial-extract-request.json");
const KEY: &str = "bench-key";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let total: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20_000);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(32);
    let dir = tempfile::tempdir()?;
    let config = SandboxConfig {
        listen: "127.0.0.1:0".parse()?,
        db_path: Some(dir.path().join("bench.sqlite")),
        ..SandboxConfig::default()
    }
    .with_licensor("bench", KEY)
    .without_limits();
    let sandbox = start(config).await?;
    let template: Value = serde_json::from_str(PAYLOAD)?;
    let base = format!(
        "{}/v1/avails/bench/partial-extract/transactions",
        sandbox.base_url()
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    // Bodies are built up front so the client side costs as little as possible.
    let bodies: Arc<Vec<(String, Vec<u8>)>> = Arc::new(
        (0..total)
            .map(|i| {
                let tid = format!("bench-{i}");
                let mut p = template.clone();
                p["avail"]["Transaction"][0]["_TransactionID"] = Value::String(tid.clone());
                (
                    format!("{base}/{tid}"),
                    serde_json::to_vec(&p).unwrap_or_default(),
                )
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, bodies, next, failures) = (
                client.clone(),
                bodies.clone(),
                next.clone(),
                failures.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((url, body)) = bodies.get(i) else {
                        break;
                    };
                    let ok = client
                        .put(url)
                        .header("x-api-key", KEY)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .map(|r| r.status().is_success())
                        .unwrap_or(false);
                    if !ok {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await?;
    }
    let elapsed = started.elapsed();
    let counters = sandbox.counters();
    let stored = counters.writes_per_transaction.len();
    sandbox.shutdown().await;
    println!(
        "{total} PUTs, concurrency {concurrency}: {:.2} s, {:.0} PUTs/s, {} failed, {stored} transactions stored",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        failures.load(Ordering::Relaxed),
    );
    Ok(())
}
