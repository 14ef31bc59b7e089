//! The client against a scripted axum server over real loopback sockets.

use crate::common;

use std::time::{Duration, Instant};

use avails_client::{
    ApiKey, AvailsClient, BatchOp, ClientBuilder, ClientError, RetryPolicy, TlsFiles,
    MAX_CONSECUTIVE_CONNECTION_FAILURES,
};
use avails_model::{AvailRequest, BatchRequest, BusinessLine};
use common::{sample_request, serve_plain, Reply, Script};

const KEY: &str = "SECRET-KEY-7f3a9c1e55";

/// Quick retries so tests stay short.
fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

fn builder(base: &str) -> ClientBuilder {
    AvailsClient::builder(base, "testlicensor", ApiKey::new(KEY))
        .tps(1000)
        .max_concurrency(5)
        .retry(fast())
        .timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn every_operation_uses_its_url_method_headers_and_body() {
    let script = Script::default();
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    let req = sample_request("demoALID");

    assert!(c.put_full_extract("demoALID", &req).await.unwrap().success);
    c.get_full_extract("demoALID", "US", BusinessLine::PrimeSubscription)
        .await
        .unwrap();
    c.delete_full_extract(
        "demoALID",
        "US",
        BusinessLine::PrimeSubscription,
        Some("CPH"),
    )
    .await
    .unwrap();
    c.delete_full_extract("demoALID", "US", BusinessLine::Tvod, None)
        .await
        .unwrap();
    c.validate_full_extract("demoALID", &req).await.unwrap();
    c.put_partial_extract("demoTransactionId", &req)
        .await
        .unwrap();
    c.get_partial_extract("demoTransactionId").await.unwrap();
    c.delete_partial_extract("demoTransactionId").await.unwrap();
    c.validate_partial_extract("demoTransactionId", &req)
        .await
        .unwrap();
    let batch_answer = r#"{"responseItems":[
        {"requestItemId":"TestRequest1","success":true},
        {"requestItemId":"TestRequest2","success":false,
         "errors":[{"code":"INVALID","message":"bad End"}]}]}"#;
    script.push(Reply::new(200, batch_answer));
    let batch = BatchRequest {
        request_items: vec![
            c.batch_item(
                BatchOp::Put,
                "TestRequest1",
                "demoTransactionId1",
                Some(req.clone()),
            )
            .unwrap(),
            c.batch_item(
                BatchOp::Put,
                "TestRequest2",
                "demoTransactionId2",
                Some(req.clone()),
            )
            .unwrap(),
        ],
    };
    let answer = c.batch(BatchOp::Put, &batch).await.unwrap();
    assert_eq!(answer.response_items.len(), 2);
    assert_eq!(answer.response_items[1].errors[0].message, "bad End");
    let validate = BatchRequest {
        request_items: vec![c
            .batch_item(
                BatchOp::Validate,
                "v1",
                "demoTransactionId1",
                Some(req.clone()),
            )
            .unwrap()],
    };
    script.push(Reply::new(
        200,
        r#"{"responseItems":[{"requestItemId":"v1","success":true}]}"#,
    ));
    c.batch(BatchOp::Validate, &validate).await.unwrap();
    script.push(Reply::new(200, r#"{"OverallProgressCode":"Ready"}"#));
    let status = c.asset_status("demoALID", Some("US")).await.unwrap();
    assert_eq!(status["OverallProgressCode"], "Ready");

    let seen = script.seen();
    let got: Vec<(String, String, Option<String>)> = seen
        .iter()
        .map(|s| (s.method.clone(), s.path.clone(), s.query.clone()))
        .collect();
    let q = |s: &str| Some(s.to_string());
    let expected = vec![
        ("PUT", "/v1/avails/testlicensor/full-extract/demoALID", None),
        (
            "GET",
            "/v1/avails/testlicensor/full-extract/demoALID",
            q("territory=US&businessLine=PRIME_SUBSCRIPTION"),
        ),
        (
            "DELETE",
            "/v1/avails/testlicensor/full-extract/demoALID",
            q("territory=US&businessLine=PRIME_SUBSCRIPTION&contractId=CPH"),
        ),
        (
            "DELETE",
            "/v1/avails/testlicensor/full-extract/demoALID",
            q("territory=US&businessLine=TVOD"),
        ),
        (
            "POST",
            "/v1/avails/testlicensor/full-extract/demoALID/validate",
            None,
        ),
        (
            "PUT",
            "/v1/avails/testlicensor/partial-extract/transactions/demoTransactionId",
            None,
        ),
        (
            "GET",
            "/v1/avails/testlicensor/partial-extract/transactions/demoTransactionId",
            None,
        ),
        (
            "DELETE",
            "/v1/avails/testlicensor/partial-extract/transactions/demoTransactionId",
            None,
        ),
        (
            "POST",
            "/v1/avails/testlicensor/partial-extract/transactions/demoTransactionId/validate",
            None,
        ),
        (
            "POST",
            "/v1/avails/testlicensor/partial-extract/batch/put",
            None,
        ),
        (
            "POST",
            "/v1/avails/testlicensor/partial-extract/batch/validate",
            None,
        ),
        (
            "GET",
            "/v1/assets/testlicensor/status/demoALID",
            q("marketplace=US"),
        ),
    ];
    let expected: Vec<(String, String, Option<String>)> = expected
        .into_iter()
        .map(|(m, p, q)| (m.to_string(), p.to_string(), q))
        .collect();
    assert_eq!(got, expected);

    for s in &seen {
        assert_eq!(s.api_key.as_deref(), Some(KEY), "{} {}", s.method, s.path);
        let has_body = matches!(s.method.as_str(), "PUT" | "POST");
        assert_eq!(
            s.content_type.as_deref() == Some("application/json"),
            has_body,
            "{} {}",
            s.method,
            s.path
        );
    }
    let sent: avails_model::AvailRequest = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(sent, req);
    let batch_body: serde_json::Value = serde_json::from_str(&seen[9].body).unwrap();
    assert_eq!(
        batch_body["requestItems"][1]["path"],
        "/avails/testlicensor/partial-extract/transactions/demoTransactionId2"
    );
    let validate_body: serde_json::Value = serde_json::from_str(&seen[10].body).unwrap();
    assert_eq!(
        validate_body["requestItems"][0]["path"],
        "/avails/testlicensor/partial-extract/transactions/demoTransactionId1/validate"
    );
    assert_eq!(c.counters().requests_sent, 12);
    assert_eq!(c.counters().retries, 0);
}

#[tokio::test]
async fn retries_500_503_and_429_honouring_retry_after() {
    let script = Script::default();
    script.push(Reply::new(
        500,
        r#"{"success":false,"errors":[{"code":"INTERNAL","message":"boom"}]}"#,
    ));
    script.push(Reply::new(503, "dependency down"));
    script.push(Reply::new(429, "").header("Retry-After", "1"));
    script.push(Reply::ok());
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    let started = Instant::now();
    let r = c
        .put_partial_extract("tx1", &sample_request("a1"))
        .await
        .unwrap();
    assert!(r.success);
    let counters = c.counters();
    assert_eq!(counters.requests_sent, 4);
    assert_eq!(counters.retries, 3);
    assert_eq!(counters.throttled, 1);
    let seen = script.seen();
    assert_eq!(seen.len(), 4);
    // The wait after the 429 is the server's Retry-After, not the 50 ms backoff cap.
    let gap = seen[3].at - seen[2].at;
    assert!(gap >= Duration::from_millis(950), "waited {gap:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
    // Every attempt re-sent the same body.
    assert!(seen.windows(2).all(|w| w[0].body == w[1].body));
}

#[tokio::test]
async fn gives_up_after_max_attempts() {
    let script = Script::default();
    script.set_default(Reply::new(503, ""));
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    let e = c.get_partial_extract("tx1").await.unwrap_err();
    assert!(
        matches!(e, ClientError::GaveUp { attempts: 4, .. }),
        "{e:?}"
    );
    assert_eq!(e.status(), Some(503));
    assert_eq!(script.seen().len(), 4);
    assert_eq!(c.counters().retries, 3);
    assert_eq!(c.counters().failed, 1);
}

#[tokio::test]
async fn no_retry_on_400_and_the_error_list_is_surfaced() {
    let script = Script::default();
    script.push(Reply::new(
        400,
        r#"{"success":false,"errors":[
            {"code":"INVALID_TERRITORY","message":"Territory XX is not supported"},
            {"code":"MISSING_FIELD","message":"End is required"}]}"#,
    ));
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    let e = c
        .put_full_extract("a1", &sample_request("a1"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(!e.is_retryable());
    let errs = e.server_errors();
    assert_eq!(errs.len(), 2);
    assert_eq!(errs[0].code, "INVALID_TERRITORY");
    let msg = e.to_string();
    assert!(msg.contains("Territory XX is not supported"), "{msg}");
    assert!(msg.contains("MISSING_FIELD: End is required"), "{msg}");
    assert_eq!(script.seen().len(), 1);
    assert_eq!(c.counters().retries, 0);
}

#[tokio::test]
async fn errors_and_validation_errors_are_both_read() {
    let script = Script::default();
    script.push(Reply::new(
        200,
        r#"{"success":false,"validationErrors":[{"code":"RULE","message":"Start after End"}]}"#,
    ));
    script.push(Reply::new(
        200,
        r#"{"success":false,"errors":[{"code":"RULE2","message":"bad term"}]}"#,
    ));
    script.push(Reply::new(
        400,
        r#"{"success":false,"validationErrors":[{"code":"RULE3","message":"no asset"}]}"#,
    ));
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    let req = sample_request("a1");
    let a = c.validate_full_extract("a1", &req).await.unwrap();
    assert!(!a.success);
    assert_eq!(a.errors[0].code, "RULE");
    let b = c.validate_partial_extract("tx", &req).await.unwrap();
    assert_eq!(b.errors[0].message, "bad term");
    let e = c.validate_partial_extract("tx", &req).await.unwrap_err();
    assert_eq!(e.server_errors()[0].code, "RULE3");
}

#[tokio::test]
async fn auth_and_not_found_are_not_retried() {
    let script = Script::default();
    script.push(Reply::new(401, r#"{"message":"Unauthorized"}"#));
    script.push(Reply::new(403, r#"{"message":"Forbidden"}"#));
    script.push(Reply::new(
        404,
        r#"{"success":false,"errors":[{"code":"NOT_FOUND","message":"no such transaction"}]}"#,
    ));
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    let e = c.get_partial_extract("tx").await.unwrap_err();
    assert!(matches!(e, ClientError::Unauthorized { .. }));
    assert!(
        e.to_string()
            .contains("API key refused for licensor testlicensor"),
        "{e}"
    );
    let e = c.get_partial_extract("tx").await.unwrap_err();
    assert_eq!(e.status(), Some(403));
    let e = c.get_partial_extract("tx").await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.server_errors()[0].message, "no such transaction");
    assert_eq!(script.seen().len(), 3);
    assert_eq!(c.counters().retries, 0);
}

#[tokio::test]
async fn timeouts_and_dropped_connections_are_retried() {
    let script = Script::default();
    script.push(Reply::ok().delay(Duration::from_secs(3)));
    script.push(Reply::ok());
    let base = serve_plain(script.clone()).await;
    let c = builder(&base)
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    assert!(c.delete_partial_extract("tx").await.unwrap().success);
    assert_eq!(c.counters().retries, 1);

    // Nothing listens on this port once the listener is dropped.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = builder(&format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy {
            max_attempts: 2,
            ..fast()
        })
        .build()
        .unwrap();
    let e = c.get_partial_extract("tx").await.unwrap_err();
    match &e {
        ClientError::GaveUp { attempts: 2, last } => {
            assert!(matches!(**last, ClientError::Connection { .. }), "{last:?}")
        }
        other => panic!("expected GaveUp(Connection), got {other:?}"),
    }
    assert!(e.to_string().contains("check base_url"), "{e}");
}

/// A listener that accepts connections and closes them at once, counting
/// them: a server that is there but never answers.
fn closing_listener() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            count.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    (base, accepted)
}

#[tokio::test]
async fn a_server_that_does_not_answer_stops_every_call_after_a_few_failures() {
    use std::sync::atomic::Ordering;
    let (base, accepted) = closing_listener();
    let c = builder(&base)
        .retry(RetryPolicy {
            max_attempts: 50,
            ..fast()
        })
        .build()
        .unwrap();
    let e = c.get_partial_extract("tx").await.unwrap_err();
    match &e {
        ClientError::Unreachable { failures, last, .. } => {
            assert_eq!(*failures, MAX_CONSECUTIVE_CONNECTION_FAILURES);
            assert!(matches!(**last, ClientError::Connection { .. }), "{last:?}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert!(
        e.to_string().contains(&format!("the server at {base}")),
        "{e}"
    );
    assert!(!e.to_string().contains(KEY));
    assert!(!e.is_retryable());
    let after_first = accepted.load(Ordering::SeqCst);
    assert_eq!(after_first, MAX_CONSECUTIVE_CONNECTION_FAILURES as usize);
    // Ten more calls at once: each tries once and gives up, no retries.
    let calls = (0..10).map(|i| {
        let c = c.clone();
        async move { c.get_partial_extract(&format!("tx{i}")).await }
    });
    for r in futures::future::join_all(calls).await {
        assert!(matches!(r, Err(ClientError::Unreachable { .. })), "{r:?}");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), after_first + 10);
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let script = Script::default();
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    assert!(matches!(
        c.get_partial_extract("").await,
        Err(ClientError::InvalidPathSegment { .. })
    ));
    // `..` would address the collection (`DELETE .../full-extract?territory=`):
    // every call with an ID that cannot be one path segment is refused,
    // naming the ID, and nothing reaches the server.
    let body = AvailRequest::default();
    for bad in [
        "..",
        ".",
        "a/b",
        "x?territory=US",
        "x#y",
        "50%",
        "two\nlines",
    ] {
        let refused = |r: Result<(), ClientError>, what: &str| match r {
            Err(ClientError::InvalidPathSegment { value, .. }) => {
                assert_eq!(value, bad, "{what}")
            }
            other => panic!("{what} {bad:?}: {other:?}"),
        };
        refused(
            c.delete_full_extract(bad, "US", BusinessLine::Tvod, None)
                .await
                .map(drop),
            "delete_full_extract",
        );
        refused(
            c.get_full_extract(bad, "US", BusinessLine::Tvod)
                .await
                .map(drop),
            "get_full_extract",
        );
        refused(
            c.put_full_extract(bad, &body).await.map(drop),
            "put_full_extract",
        );
        refused(
            c.validate_full_extract(bad, &body).await.map(drop),
            "validate_full_extract",
        );
        refused(
            c.delete_partial_extract(bad).await.map(drop),
            "delete_partial_extract",
        );
        refused(
            c.put_partial_extract(bad, &body).await.map(drop),
            "put_partial_extract",
        );
        refused(c.asset_status(bad, None).await.map(drop), "asset_status");
        refused(
            c.batch_item(BatchOp::Put, "r1", bad, Some(body.clone()))
                .map(drop),
            "batch_item",
        );
    }
    let too_many = BatchRequest {
        request_items: (0..101)
            .map(|i| {
                c.batch_item(BatchOp::Delete, &format!("r{i}"), &format!("t{i}"), None)
                    .unwrap()
            })
            .collect(),
    };
    let e = c.batch(BatchOp::Delete, &too_many).await.unwrap_err();
    assert!(e.to_string().contains("1 to 100 items"), "{e}");
    let dup = BatchRequest {
        request_items: vec![
            c.batch_item(BatchOp::Get, "same", "t1", None).unwrap(),
            c.batch_item(BatchOp::Get, "same", "t2", None).unwrap(),
        ],
    };
    assert!(c.batch(BatchOp::Get, &dup).await.is_err());
    assert!(c
        .get_full_extract("a", " ", BusinessLine::Fvod)
        .await
        .is_err());
    assert!(script.seen().is_empty());
    assert!(AvailsClient::builder("ftp://x", "l", ApiKey::new("k"))
        .build()
        .is_err());
    assert!(AvailsClient::builder("not a url", "l", ApiKey::new("k"))
        .build()
        .is_err());
    assert!(matches!(
        AvailsClient::builder(&base, "l", ApiKey::new("bad\u{7f}key")).build(),
        Err(ClientError::InvalidApiKey)
    ));
}

#[tokio::test]
async fn the_rate_limiter_holds_ten_per_second() {
    let script = Script::default();
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).tps(10).max_concurrency(5).build().unwrap();
    let n = 16;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let c = c.clone();
        set.spawn(async move { c.get_partial_extract(&format!("t{i}")).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().unwrap();
    }
    let seen = script.seen();
    assert_eq!(seen.len(), n);
    let first = seen.iter().map(|s| s.at).min().unwrap();
    let last = seen.iter().map(|s| s.at).max().unwrap();
    let span = (last - first).as_secs_f64();
    let rate = (n - 1) as f64 / span;
    // An upper bound only: never faster than the quota (5 % for clock granularity).
    assert!(rate <= 10.5, "{rate:.2} requests/s over {span:.2}s");
    // And within any one-second window, at most 10 requests (plus the boundary one).
    for s in &seen {
        let in_window = seen
            .iter()
            .filter(|o| o.at >= s.at && o.at < s.at + Duration::from_secs(1))
            .count();
        assert!(in_window <= 11, "{in_window} requests in one second");
    }
}

#[tokio::test]
async fn concurrency_is_capped() {
    let script = Script::default();
    script.set_default(Reply::ok().delay(Duration::from_millis(150)));
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).tps(1000).max_concurrency(3).build().unwrap();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..9 {
        let c = c.clone();
        set.spawn(async move { c.get_partial_extract(&format!("t{i}")).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().unwrap();
    }
    assert!(script.max_in_flight() <= 3, "{}", script.max_in_flight());
    assert!(script.max_in_flight() >= 2, "the test did overlap requests");
}

#[test]
fn missing_pem_files_name_the_file_and_setting() {
    let e = AvailsClient::builder("https://127.0.0.1:1", "l", ApiKey::new(KEY))
        .tls(TlsFiles {
            cert: Some("/nonexistent/client.pem".into()),
            key: Some("/nonexistent/client.key".into()),
            ca: None,
        })
        .build()
        .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("/nonexistent/client.pem"), "{msg}");
    assert!(msg.contains("`cert`"), "{msg}");
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a pem").unwrap();
    let e = AvailsClient::builder("https://127.0.0.1:1", "l", ApiKey::new(KEY))
        .tls(TlsFiles {
            cert: None,
            key: None,
            ca: Some(junk.clone()),
        })
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("no CERTIFICATE block"), "{e}");
    let e = AvailsClient::builder("https://127.0.0.1:1", "l", ApiKey::new(KEY))
        .tls(TlsFiles {
            cert: Some(junk),
            key: None,
            ca: None,
        })
        .build()
        .unwrap_err();
    assert!(matches!(e, ClientError::HalfIdentity { .. }), "{e:?}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let script = Script::default();
    script.push(Reply::new(302, "").header("Location", "http://127.0.0.1:9/elsewhere"));
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    let e = c.get_partial_extract("tx").await.unwrap_err();
    assert_eq!(e.status(), Some(302));
    assert!(!e.is_retryable());
    assert!(
        e.to_string().contains("not followed: check base_url"),
        "{e}"
    );
    assert_eq!(script.seen().len(), 1);
}

#[test]
fn plain_http_is_refused_except_to_this_machine() {
    for url in [
        "http://partnerapi.primevideo.com",
        "http://192.168.1.10:8443",
        "http://[2001:db8::1]:8443",
        "http://localhost.example.com",
    ] {
        let e = builder(url).build().unwrap_err();
        assert!(matches!(e, ClientError::PlainHttp { .. }), "{url}: {e:?}");
        let message = e.to_string();
        assert!(
            message.contains("unencrypted") && message.contains("https://"),
            "{message}"
        );
    }
    for url in [
        "http://127.0.0.1:8443",
        "http://127.8.9.10:1",
        "http://[::1]:8443",
        "http://localhost:8443",
        "http://LOCALHOST",
        "https://partnerapi.primevideo.com",
    ] {
        assert!(builder(url).build().is_ok(), "{url}");
    }
}

#[tokio::test]
async fn retries_are_tracked_per_call_for_one_summary_line() {
    let script = Script::default();
    script.push(Reply::new(429, "").header("Retry-After", "0"));
    script.push(Reply::new(503, ""));
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    let req = sample_request("a1");
    let (result, retried) = avails_client::track(c.put_full_extract("a1", &req)).await;
    assert!(result.unwrap().success);
    assert_eq!(retried.retries, 2);
    assert_eq!(retried.to_string(), "2 retries (429 x1, 503 x1)");
    let (_, none) = avails_client::track(c.put_full_extract("a1", &req)).await;
    assert_eq!(none.retries, 0);
}

#[tokio::test]
async fn get_full_extracts_returns_each_scope_in_order_with_404_as_none() {
    let script = Script::default();
    script.push(Reply::new(
        200,
        r#"{"avail": {"ALID": "a1", "Transaction": []}, "success": true}"#,
    ));
    script.push(Reply::new(404, r#"{"success": false}"#));
    script.push(Reply::new(
        400,
        r#"{"success": false, "validationErrors": [{"code": "X", "message": "bad"}]}"#,
    ));
    let base = serve_plain(script.clone()).await;
    // One in flight so the scripted answers meet the scopes in order.
    let c = builder(&base).max_concurrency(1).build().unwrap();
    let scopes: Vec<avails_client::Scope> = ["a1", "a2", "a3"]
        .iter()
        .map(|a| avails_client::Scope {
            alid: a.to_string(),
            territory: "US".into(),
            business_line: BusinessLine::Tvod,
        })
        .collect();
    let fetched = c.get_full_extracts(scopes).await;
    assert_eq!(fetched.len(), 3);
    assert_eq!(fetched[0].scope.alid, "a1");
    assert_eq!(
        fetched[0].result.as_ref().unwrap().as_ref().unwrap().alid,
        "a1"
    );
    assert!(fetched[1].result.as_ref().unwrap().is_none());
    assert_eq!(fetched[2].result.as_ref().unwrap_err().status(), Some(400));
    let seen = script.seen();
    assert!(seen[1].path.ends_with("/full-extract/a2"), "{:?}", seen[1]);
    assert_eq!(
        seen[1].query.as_deref(),
        Some("territory=US&businessLine=TVOD")
    );
}
