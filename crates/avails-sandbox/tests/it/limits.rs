//! Rate limit, concurrency limit and fault injection, checked through the
//! counters.

use crate::common;

use std::time::{Duration, Instant};

use avails_sandbox::start;
use common::*;
use reqwest::Method;
use serde_json::Value;

async fn burst(c: &reqwest::Client, url: &str, n: usize) -> Vec<(u16, Option<String>)> {
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let c = c.clone();
            let url = url.to_string();
            tokio::spawn(async move {
                let res = c.get(&url).header("x-api-key", KEY).send().await.unwrap();
                let retry = res
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_string());
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                if status == 429 {
                    assert_eq!(body["validationErrors"][0]["code"], "THROTTLED");
                }
                (status, retry)
            })
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tps_limit_throttles_a_burst_and_never_admits_more_than_n_per_second() {
    let mut cfg = config();
    cfg.tps = Some(10);
    let sandbox = start(cfg).await.unwrap();
    let c = client();
    let url = format!(
        "{}/v1/avails/{LICENSOR}/partial-extract/transactions/none",
        sandbox.base_url()
    );
    let t0 = Instant::now();
    let answers = burst(&c, &url, 50).await;
    let burst_took = t0.elapsed();
    let throttled: Vec<_> = answers.iter().filter(|(s, _)| *s == 429).collect();
    let admitted = answers.iter().filter(|(s, _)| *s == 404).count();
    assert_eq!(throttled.len() + admitted, 50, "{answers:?}");
    if burst_took < Duration::from_secs(1) {
        assert_eq!(
            admitted, 10,
            "a burst of 50 within one second admitted {admitted}"
        );
    }
    assert!(
        admitted <= 20,
        "a burst of 50 admitted {admitted} in {burst_took:?}"
    );
    assert!(throttled.len() >= 30, "{answers:?}");
    assert!(throttled.iter().all(|(_, r)| r.as_deref() == Some("1")));

    // Hammer sequentially for 2.5 s: still at most 10 per second.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2500) {
        let _ = c.get(&url).header("x-api-key", KEY).send().await.unwrap();
    }
    let counters = sandbox.counters();
    assert!(
        counters.max_accepted_in_one_second() <= 10,
        "{:?}",
        counters.accepted_per_second
    );
    assert!(
        counters.accepted_total() >= 20,
        "{:?}",
        counters.accepted_per_second
    );
    assert!(counters.throttled >= 30);
    assert_eq!(
        counters
            .accepted_per_endpoint
            .get("partial-extract.get")
            .copied(),
        Some(counters.accepted_total())
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_limit_throttles_requests_beyond_the_in_flight_cap() {
    let mut cfg = config();
    cfg.max_concurrency = Some(5);
    cfg.latency_ms = 400;
    let sandbox = start(cfg).await.unwrap();
    let url = format!(
        "{}/v1/avails/{LICENSOR}/partial-extract/transactions/none",
        sandbox.base_url()
    );
    let answers = burst(&client(), &url, 10).await;
    let throttled = answers.iter().filter(|(s, _)| *s == 429).count();
    assert_eq!(throttled, 5, "{answers:?}");
    let counters = sandbox.counters();
    assert_eq!(counters.throttled, 5);
    // Five were handled at once (the 400 ms latency overlaps them), never more.
    assert_eq!(counters.max_in_flight, 5, "{counters:?}");
    assert_eq!(counters.in_flight, 0);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_rate_answers_500_or_503_without_storing() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config();
    cfg.db_path = Some(dir.path().join("faults.sqlite"));
    cfg.fail_rate = 0.5;
    cfg.seed = Some(42);
    let sandbox = start(cfg.clone()).await.unwrap();
    let c = client();
    let base_payload = fixture("003-put-partial-extract-request.json");
    let mut outcomes = Vec::new();
    for i in 0..40 {
        let tid = format!("fault{i}");
        let mut p = base_payload.clone();
        p["avail"]["Transaction"][0]["_TransactionID"] = tid.clone().into();
        let url = format!(
            "{}/v1/avails/{LICENSOR}/partial-extract/transactions/{tid}",
            sandbox.base_url()
        );
        let (status, body) = call(&c, Method::PUT, &url, Some(&p)).await;
        assert!(matches!(status, 200 | 500 | 503), "{status} {body}");
        if status != 200 {
            assert_eq!(body["success"], false);
            let code = body["validationErrors"][0]["code"].as_str().unwrap();
            assert!(code == "INTERNAL_ERROR" || code == "SERVICE_UNAVAILABLE");
        }
        outcomes.push((tid, status));
    }
    let counters = sandbox.counters();
    let failed = outcomes.iter().filter(|(_, s)| *s != 200).count() as u64;
    assert!(failed > 5 && failed < 35, "{outcomes:?}");
    assert!(outcomes.iter().any(|(_, s)| *s == 500) && outcomes.iter().any(|(_, s)| *s == 503));
    assert_eq!(counters.injected_failures, failed);
    for (tid, status) in &outcomes {
        let expected = u64::from(*status == 200);
        assert_eq!(counters.writes_for_transaction(tid), expected, "{tid}");
    }
    sandbox.shutdown().await;

    // The same database without faults: failed PUTs left nothing behind.
    cfg.fail_rate = 0.0;
    let sandbox = start(cfg).await.unwrap();
    for (tid, status) in &outcomes {
        let url = format!(
            "{}/v1/avails/{LICENSOR}/partial-extract/transactions/{tid}",
            sandbox.base_url()
        );
        let (got, _) = call(&c, Method::GET, &url, None).await;
        assert_eq!(got, if *status == 200 { 200 } else { 404 }, "{tid}");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn invalid_configurations_are_refused() {
    let mut cfg = config();
    cfg.fail_rate = 1.5;
    assert!(start(cfg).await.is_err());
    let cfg = config().with_licensor("other", KEY);
    assert!(start(cfg).await.is_err(), "one key for two licensors");
    let mut cfg = config();
    cfg.tps = Some(0);
    assert!(start(cfg).await.is_err());
}

#[tokio::test]
async fn latency_delays_answers() {
    let mut cfg = config();
    cfg.latency_ms = 250;
    let sandbox = start(cfg).await.unwrap();
    let url = format!(
        "{}/v1/avails/{LICENSOR}/partial-extract/transactions/none",
        sandbox.base_url()
    );
    let t0 = Instant::now();
    let (status, _) = call(&client(), Method::GET, &url, None).await;
    assert_eq!(status, 404);
    assert!(
        t0.elapsed() >= Duration::from_millis(250),
        "{:?}",
        t0.elapsed()
    );
    sandbox.shutdown().await;
}
