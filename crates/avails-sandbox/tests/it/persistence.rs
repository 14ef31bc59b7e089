//! A sandbox restarted on the same database still holds what was put.

use crate::common;

use common::*;
use reqwest::Method;

#[tokio::test]
async fn put_restart_get_on_the_same_db() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite");
    let mut cfg = config();
    cfg.db_path = Some(db.clone());
    let sandbox = avails_sandbox::start(cfg.clone()).await.unwrap();
    let c = client();
    let put = fixture("003-put-partial-extract-request.json");
    let url = format!(
        "{}/v1/avails/{LICENSOR}/partial-extract/transactions/demoTransactionId",
        sandbox.base_url()
    );
    let (status, body) = call(&c, Method::PUT, &url, Some(&put)).await;
    assert_eq!(status, 200, "{body}");
    let full = fixture("003-validate-full-extract-request.json");
    let full_url = format!(
        "{}/v1/avails/{LICENSOR}/full-extract/demoAlid2",
        sandbox.base_url()
    );
    let mut full2 = full.clone();
    full2["avail"]["ALID"] = "demoAlid2".into();
    let (status, body) = call(&c, Method::PUT, &full_url, Some(&full2)).await;
    assert_eq!(status, 200, "{body}");
    sandbox.shutdown().await;

    let sandbox = avails_sandbox::start(cfg).await.unwrap();
    let url = format!(
        "{}/v1/avails/{LICENSOR}/partial-extract/transactions/demoTransactionId",
        sandbox.base_url()
    );
    let (status, body) = call(&c, Method::GET, &url, None).await;
    assert_eq!(status, 200, "{body}");
    // The spec's partial GET example has no `success`; its schema requires it.
    assert_eq!(
        body["avail"],
        fixture("003-get-partial-extract-response.json")["avail"]
    );
    assert_eq!(body["success"], true);
    let full_url = format!(
        "{}/v1/avails/{LICENSOR}/full-extract/demoAlid2?territory=US&businessLine=PRIME_SUBSCRIPTION",
        sandbox.base_url()
    );
    let (status, body) = call(&c, Method::GET, &full_url, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["avail"]["Transaction"], full["avail"]["Transaction"]);
    sandbox.shutdown().await;
    assert!(db.exists());
}
