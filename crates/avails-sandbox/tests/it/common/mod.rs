//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use avails_sandbox::{start, RunningSandbox, SandboxConfig};
use serde_json::Value;

/// Licensor of the spec's URLs.
pub const LICENSOR: &str = "testlicensor";
/// Its API key in the tests.
pub const KEY: &str = "k-testlicensor-0123456789abcdef";

/// Reads the spec example `tests/fixtures/spec/{name}` (at the top level,
/// shared with the model and rules tests; responses under `responses/`).
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A config on a free loopback port with `testlicensor` and limits off.
pub fn config() -> SandboxConfig {
    SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..SandboxConfig::default()
    }
    .with_licensor(LICENSOR, KEY)
    .without_limits()
}

/// Starts a sandbox with [`config`].
pub async fn sandbox() -> RunningSandbox {
    start(config()).await.expect("sandbox starts")
}

/// A plain reqwest client.
pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// Sends `method url` with the test key and an optional JSON body; returns status and JSON.
pub async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    call_with_key(client, method, url, body, Some(KEY)).await
}

/// Like [`call`] with a chosen key (or none).
pub async fn call_with_key(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<&Value>,
    key: Option<&str>,
) -> (u16, Value) {
    let mut req = client.request(method, url);
    if let Some(k) = key {
        req = req.header("x-api-key", k);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.expect("request sent");
    let status = res.status().as_u16();
    let text = res.text().await.expect("body read");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}
