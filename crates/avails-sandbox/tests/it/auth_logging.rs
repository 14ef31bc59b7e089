//! API keys: missing or wrong is 401, a key on another licensor's path is
//! 403, and no key string ever reaches a log line.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use avails_sandbox::{start, SandboxConfig};
use common::*;
use reqwest::Method;

const KEY_A: &str = "AKEY-alpha-5f2b9c1d7e3a";
const KEY_B: &str = "AKEY-bravo-8c4e0a6f2d1b";
const WRONG: &str = "AKEY-wrong-000000000000";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn keys_are_checked_and_never_logged() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let cfg = SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..SandboxConfig::default()
    }
    .with_licensor("alpha", KEY_A)
    .with_licensor("bravo", KEY_B)
    .without_limits();
    tracing::info!(config = ?cfg, "starting");
    let sandbox = start(cfg).await.unwrap();
    let base = sandbox.base_url();
    let c = client();
    let a_tx = format!("{base}/v1/avails/alpha/partial-extract/transactions/demoTransactionId");
    let b_tx = format!("{base}/v1/avails/bravo/partial-extract/transactions/demoTransactionId");
    let payload = fixture("003-put-partial-extract-request.json");

    let (status, body) = call_with_key(&c, Method::PUT, &a_tx, Some(&payload), None).await;
    assert_eq!(status, 401);
    assert_eq!(body["success"], false);
    assert_eq!(body["validationErrors"][0]["code"], "UNAUTHORIZED");
    let (status, _) = call_with_key(&c, Method::PUT, &a_tx, Some(&payload), Some(WRONG)).await;
    assert_eq!(status, 401);
    let (status, _) = call_with_key(&c, Method::PUT, &a_tx, Some(&payload), Some("")).await;
    assert_eq!(status, 401);
    // HEAD is gated like GET.
    let res = c.head(&a_tx).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    // A's key on B's paths: 403, nothing stored.
    let (status, body) = call_with_key(&c, Method::PUT, &b_tx, Some(&payload), Some(KEY_A)).await;
    assert_eq!(status, 403);
    assert_eq!(body["validationErrors"][0]["code"], "FORBIDDEN");
    let (status, _) = call_with_key(&c, Method::GET, &b_tx, None, Some(KEY_A)).await;
    assert_eq!(status, 403);
    let (status, _) = call_with_key(
        &c,
        Method::GET,
        &format!("{base}/v1/assets/bravo/status/demoAlid"),
        None,
        Some(KEY_A),
    )
    .await;
    assert_eq!(status, 403);
    // Each key on its own path works.
    let (status, _) = call_with_key(&c, Method::PUT, &a_tx, Some(&payload), Some(KEY_A)).await;
    assert_eq!(status, 200);
    let (status, _) = call_with_key(&c, Method::GET, &b_tx, None, Some(KEY_B)).await;
    assert_eq!(status, 404, "B sees nothing of A");
    let (status, _) = call_with_key(&c, Method::GET, &a_tx, None, Some(KEY_A)).await;
    assert_eq!(status, 200);
    let counters = sandbox.counters();
    assert_eq!(counters.auth_failures, 7);
    assert_eq!(counters.writes_for_transaction("demoTransactionId"), 1);
    sandbox.shutdown().await;

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    if std::env::var_os("SHOW_LOGS").is_some() {
        eprintln!("{logs}");
    }
    assert!(
        logs.contains("alpha"),
        "log lines name the licensor:\n{logs}"
    );
    assert!(logs.contains("status=401"), "{logs}");
    assert!(logs.contains("status=403"), "{logs}");
    for key in [KEY_A, KEY_B, WRONG, "AKEY"] {
        assert!(
            !logs.contains(key),
            "key `{key}` leaked into the logs:\n{logs}"
        );
    }
}
