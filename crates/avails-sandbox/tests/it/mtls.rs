//! TLS and mutual TLS with rcgen-made certificates: without a client
//! certificate, or with one from another CA, a client cannot connect.

use crate::common;

use avails_sandbox::{start, TlsConfig};
use avails_test_support::{Ca, Leaf, Usage};
use common::*;

fn tls_client(ca: &Ca, identity: Option<&Leaf>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.pem().as_bytes()).unwrap())
        .timeout(std::time::Duration::from_secs(10));
    if let Some(leaf) = identity {
        let pem = format!("{}\n{}", leaf.cert_pem, leaf.key_pem);
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn mutual_tls_requires_a_client_certificate_of_the_configured_ca() {
    let server_ca = Ca::new("sandbox server CA");
    let client_ca = Ca::new("partner client CA");
    let other_ca = Ca::new("someone else's CA");
    let server = server_ca.leaf(&["localhost", "127.0.0.1"], Usage::Server);
    let good = client_ca.leaf(&["partner"], Usage::Client);
    let foreign = other_ca.leaf(&["partner"], Usage::Client);

    let mut cfg = config();
    cfg.tls = Some(TlsConfig {
        cert_pem: server.cert_pem.into_bytes(),
        key_pem: server.key_pem.into_bytes(),
        client_ca_pem: Some(client_ca.pem().into_bytes()),
    });
    let sandbox = start(cfg).await.unwrap();
    let base = sandbox.base_url();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let url = format!("{base}/v1/avails/{LICENSOR}/partial-extract/transactions/demoTransactionId");
    let payload = fixture("003-put-partial-extract-request.json");

    // No client certificate: the handshake fails, no HTTP answer.
    let res = tls_client(&server_ca, None)
        .put(&url)
        .header("x-api-key", KEY)
        .json(&payload)
        .send()
        .await;
    assert!(
        res.is_err(),
        "no client certificate must not connect: {res:?}"
    );

    // A client certificate from another CA: refused as well.
    let res = tls_client(&server_ca, Some(&foreign))
        .put(&url)
        .header("x-api-key", KEY)
        .json(&payload)
        .send()
        .await;
    assert!(
        res.is_err(),
        "a foreign client certificate must not connect: {res:?}"
    );
    assert!(sandbox.counters().accepted_per_endpoint.is_empty());

    // The right one connects, and the API key is still required.
    let c = tls_client(&server_ca, Some(&good));
    let (status, body) = call(&c, reqwest::Method::PUT, &url, Some(&payload)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&c, reqwest::Method::GET, &url, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["avail"]["ALID"], "demoAlid");
    let (status, _) = call_with_key(&c, reqwest::Method::GET, &url, None, None).await;
    assert_eq!(status, 401);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn tls_without_client_ca_accepts_any_client() {
    let ca = Ca::new("sandbox server CA");
    let server = ca.leaf(&["localhost", "127.0.0.1"], Usage::Server);
    let mut cfg = config();
    cfg.tls = Some(TlsConfig {
        cert_pem: server.cert_pem.into_bytes(),
        key_pem: server.key_pem.into_bytes(),
        client_ca_pem: None,
    });
    let sandbox = start(cfg).await.unwrap();
    let url = format!(
        "{}/v1/avails/{LICENSOR}/partial-extract/transactions/none",
        sandbox.base_url()
    );
    let (status, body) = call(&tls_client(&ca, None), reqwest::Method::GET, &url, None).await;
    assert_eq!(status, 404, "{body}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn bad_pem_is_a_start_error() {
    let mut cfg = config();
    cfg.tls = Some(TlsConfig {
        cert_pem: b"not a certificate".to_vec(),
        key_pem: b"not a key".to_vec(),
        client_ca_pem: None,
    });
    let err = start(cfg).await.unwrap_err();
    assert!(matches!(err, avails_sandbox::SandboxError::Tls(_)), "{err}");
}
