//! Under overload the sandbox answers every request it accepts: a 429 with
//! `Retry-After` beyond its rate or concurrency, never a dropped connection.
//!
//! Eight unpaced clients, each on its own connections, PUT full extracts as
//! fast as they can at a sandbox limited to 10 requests per second and 5 in
//! flight. Each request must get an HTTP answer (200 or 429); before the fix,
//! a refusal answered without reading the request body closed the connection
//! with the body unread, and the clients saw broken pipes and resets
//! (10,274 429s and 5,715 broken pipes in the run).

use crate::common;

use std::collections::BTreeMap;

use avails_sandbox::start;
use common::*;

const CLIENTS: usize = 8;
const REQUESTS_PER_CLIENT: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_gets_an_http_answer_under_overload() {
    let mut cfg = config();
    cfg.tps = Some(10);
    cfg.max_concurrency = Some(5);
    let sandbox = start(cfg).await.unwrap();
    let base = sandbox.base_url();

    // A real payload, padded with JSON whitespace to 256 KiB: a body larger
    // than what a socket buffers, as a batch of avails is.
    let mut payload = fixture("002-ex2-fvod-movie.json");
    let alid = payload["avail"]["ALID"].as_str().unwrap().to_string();
    payload["avail"]["ALID"] = serde_json::Value::String(alid.clone());
    let mut body = serde_json::to_vec(&payload).unwrap();
    body.resize(256 * 1024, b' ');
    let url = format!("{base}/v1/avails/{LICENSOR}/full-extract/{alid}");

    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let url = url.clone();
            let body = body.clone();
            tokio::spawn(async move {
                // Its own client: its own connections, no pacing, no retries.
                let c = reqwest::Client::new();
                let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                for _ in 0..REQUESTS_PER_CLIENT {
                    let answer = c
                        .put(&url)
                        .header("x-api-key", KEY)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                    let what = match answer {
                        Ok(res) => {
                            let status = res.status().as_u16();
                            let retry_after = res.headers().get("retry-after").is_some();
                            match res.bytes().await {
                                Ok(_) if status == 429 && !retry_after => {
                                    "429 without Retry-After".to_string()
                                }
                                Ok(_) => status.to_string(),
                                Err(e) => format!("body cut: {e}"),
                            }
                        }
                        Err(e) => format!("no answer: {e:?}"),
                    };
                    *seen.entry(what).or_default() += 1;
                }
                seen
            })
        })
        .collect();
    let mut all: BTreeMap<String, usize> = BTreeMap::new();
    for t in tasks {
        for (k, n) in t.await.unwrap() {
            *all.entry(k).or_default() += n;
        }
    }
    let total: usize = all.values().sum();
    assert_eq!(total, CLIENTS * REQUESTS_PER_CLIENT);
    let answered = all.get("200").copied().unwrap_or(0) + all.get("429").copied().unwrap_or(0);
    assert_eq!(answered, total, "every request gets 200 or 429: {all:?}");
    assert!(
        all.get("429").copied().unwrap_or(0) > 0,
        "no overload: {all:?}"
    );
    assert!(
        all.get("200").copied().unwrap_or(0) > 0,
        "nothing admitted: {all:?}"
    );
    let c = sandbox.counters();
    assert_eq!(c.throttled as usize, all["429"], "{c:?}");
    sandbox.shutdown().await;
}

/// The other refusals answered before the handler (a wrong key, a fault)
/// are answers too, with the body sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_before_the_handler_are_answered_with_a_large_body_sent() {
    let mut cfg = config();
    cfg.fail_rate = 1.0;
    cfg.seed = Some(3);
    let sandbox = start(cfg).await.unwrap();
    let url = format!(
        "{}/v1/avails/{LICENSOR}/full-extract/A1",
        sandbox.base_url()
    );
    let body = vec![b' '; 1024 * 1024];
    let c = reqwest::Client::new();
    for (key, expected) in [
        ("wrong-key-0123456789", &[401u16][..]),
        (KEY, &[500, 503][..]),
    ] {
        for _ in 0..20 {
            let res = c
                .put(&url)
                .header("x-api-key", key)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("no answer: {e:?}"));
            assert!(expected.contains(&res.status().as_u16()), "{res:?}");
            res.bytes().await.unwrap();
        }
    }
    sandbox.shutdown().await;
}
