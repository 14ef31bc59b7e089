//! The API key never appears in an error, a debug print or a log line, even
//! when a server echoes it back.

use crate::common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use avails_client::{
    ApiKey, AvailsClient, ClientBuilder, ClientError, Config, ConfigError, RetryPolicy, TlsFiles,
};
use avails_model::ApiError;
use common::{sample_request, serve_mtls, serve_plain, LogBuf, Pki, Reply, Script};

const KEY: &str = "TOPSECRET-api-key-0d6f2b9a";

fn builder(base: &str) -> ClientBuilder {
    AvailsClient::builder(base, "testlicensor", ApiKey::new(KEY))
        .tps(1000)
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
        })
        .timeout(Duration::from_secs(1))
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(KEY), "{what} leaks the API key: {text}");
}

#[tokio::test]
async fn no_error_debug_output_or_log_line_contains_the_key() {
    let logs = LogBuf::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let script = Script::default();
    let echo =
        format!(r#"{{"success":false,"errors":[{{"code":"ECHO","message":"bad key {KEY}"}}]}}"#);
    script.push(Reply::new(400, &echo));
    script.push(Reply::new(
        401,
        &format!(r#"{{"message":"invalid api key {KEY}"}}"#),
    ));
    script.push(Reply::new(403, &format!("forbidden for {KEY}")));
    script.push(Reply::new(404, &format!("no route, key was {KEY}")));
    script.push(Reply::new(200, &format!("<html>{KEY}</html>")));
    for _ in 0..3 {
        script.push(Reply::new(500, &echo));
    }
    for _ in 0..2 {
        script.push(Reply::new(429, &echo).header("Retry-After", "0"));
    }
    script.push(Reply::ok().delay(Duration::from_secs(3)));
    script.push(Reply::ok().delay(Duration::from_secs(3)));
    script.push(Reply::ok().delay(Duration::from_secs(3)));
    let base = serve_plain(script.clone()).await;
    let c = builder(&base).build().unwrap();
    let req = sample_request("a1");

    let mut errors: Vec<ClientError> = Vec::new();
    for _ in 0..5 {
        errors.push(c.put_partial_extract("tx", &req).await.unwrap_err());
    }
    // 500 x3: gave up.
    errors.push(c.put_partial_extract("tx", &req).await.unwrap_err());
    // 429 x2 then a slow answer; then timeouts: gave up.
    errors.push(c.get_partial_extract("tx").await.unwrap_err());

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dead = builder(&format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    errors.push(dead.get_partial_extract("tx").await.unwrap_err());

    let pki = Pki::new();
    let tls_base = serve_mtls(Script::default(), &pki).await;
    let no_cert = builder(&tls_base)
        .tls(TlsFiles {
            ca: Some(pki.ca_file.clone()),
            ..Default::default()
        })
        .build()
        .unwrap();
    errors.push(no_cert.get_partial_extract("tx").await.unwrap_err());
    let untrusted = builder(&tls_base)
        .tls(TlsFiles {
            cert: Some(pki.client_cert_file.clone()),
            key: Some(pki.client_key_file.clone()),
            ca: None,
        })
        .build()
        .unwrap();
    errors.push(untrusted.get_partial_extract("tx").await.unwrap_err());
    errors.push(
        builder(&base)
            .tls(TlsFiles {
                cert: Some("/nope/c.pem".into()),
                key: Some("/nope/k.pem".into()),
                ca: None,
            })
            .build()
            .unwrap_err(),
    );

    let kinds: BTreeSet<&str> = errors.iter().map(variant).collect();
    for expected in [
        "Rejected",
        "Unauthorized",
        "Forbidden",
        "NotFound",
        "Decode",
        "GaveUp",
        "ClientCertRefused",
        "ServerCertUntrusted",
        "PemRead",
    ] {
        assert!(
            kinds.contains(expected),
            "no {expected} produced: {kinds:?}"
        );
    }
    for e in &errors {
        assert_clean("error", &e.to_string());
        assert_clean("error debug", &format!("{e:?}"));
        for se in e.server_errors() {
            assert_clean("server error", &se.message);
        }
    }
    // The echoed key was replaced, not dropped with the message.
    assert!(
        errors[0].to_string().contains("bad key ***"),
        "{}",
        errors[0]
    );

    assert_clean("client debug", &format!("{c:?}"));
    assert_clean("builder debug", &format!("{:?}", builder(&base)));
    assert_clean("counters", &format!("{:?}", c.counters()));

    let log = logs.text();
    assert!(
        log.contains("retrying avails request"),
        "logs were captured: {log}"
    );
    // Retries are logged one by one at debug level only (callers summarise).
    assert!(log.contains("DEBUG"), "{log}");
    assert!(!log.contains("WARN"), "{log}");
    assert_clean("log", &log);
}

#[test]
fn profiles_and_config_errors_do_not_contain_the_key() {
    let cfg = Config::parse(
        r#"
[profiles.p]
base_url = "https://x"
licensor = "l"
api_key_env = "MY_KEY_VAR"
"#,
    )
    .unwrap();
    let p = cfg
        .resolve_with(None, &|k| (k == "MY_KEY_VAR").then(|| KEY.to_string()))
        .unwrap();
    assert_eq!(p.api_key.expose(), KEY);
    assert_clean("profile debug", &format!("{p:?}"));
    assert_clean("profile list", &format!("{:?}", cfg.list_profiles()));
    let e = cfg.resolve_with(None, &|_| None).unwrap_err();
    assert_clean("config error", &e.to_string());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("key");
        std::fs::write(&f, KEY).unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = avails_client::config::read_key_file(&f).unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
        assert_clean("key file error", &format!("{e} {e:?}"));
    }
}

/// The name of a variant; the match has no wildcard, so a new variant must be added here.
fn variant(e: &ClientError) -> &'static str {
    match e {
        ClientError::Config(_) => "Config",
        ClientError::PemRead { .. } => "PemRead",
        ClientError::PemInvalid { .. } => "PemInvalid",
        ClientError::PrivateKeyTooOpen { .. } => "PrivateKeyTooOpen",
        ClientError::InvalidPathSegment { .. } => "InvalidPathSegment",
        ClientError::HalfIdentity { .. } => "HalfIdentity",
        ClientError::TlsSetup { .. } => "TlsSetup",
        ClientError::ClientCertRefused { .. } => "ClientCertRefused",
        ClientError::ServerCertUntrusted { .. } => "ServerCertUntrusted",
        ClientError::InvalidBaseUrl { .. } => "InvalidBaseUrl",
        ClientError::PlainHttp { .. } => "PlainHttp",
        ClientError::InvalidApiKey => "InvalidApiKey",
        ClientError::InvalidInput { .. } => "InvalidInput",
        ClientError::Unauthorized { .. } => "Unauthorized",
        ClientError::Forbidden { .. } => "Forbidden",
        ClientError::NotFound { .. } => "NotFound",
        ClientError::Rejected { .. } => "Rejected",
        ClientError::Server { .. } => "Server",
        ClientError::Throttled { .. } => "Throttled",
        ClientError::Timeout { .. } => "Timeout",
        ClientError::Connection { .. } => "Connection",
        ClientError::Decode { .. } => "Decode",
        ClientError::Http { .. } => "Http",
        ClientError::GaveUp { .. } => "GaveUp",
        ClientError::Unreachable { .. } => "Unreachable",
    }
}

/// The name of a config variant; no wildcard either.
fn config_variant(e: &ConfigError) -> &'static str {
    match e {
        ConfigError::Read { .. } => "Read",
        ConfigError::Parse { .. } => "Parse",
        ConfigError::UnknownProfile { .. } => "UnknownProfile",
        ConfigError::Missing { .. } => "Missing",
        ConfigError::Invalid { .. } => "Invalid",
        ConfigError::NoApiKey { .. } => "NoApiKey",
        ConfigError::ApiKeyEnvUnset { .. } => "ApiKeyEnvUnset",
        ConfigError::ApiKeyFileRead { .. } => "ApiKeyFileRead",
        ConfigError::ApiKeyFileTooOpen { .. } => "ApiKeyFileTooOpen",
        ConfigError::ApiKeyFileEmpty { .. } => "ApiKeyFileEmpty",
    }
}

/// A chain printed whole (`anyhow`'s `{:#}`, as the binary does) says each
/// cause once: no message already contains the text of its source.
fn assert_says_each_cause_once(e: &(dyn std::error::Error + 'static)) {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(source) = cur.source() {
        assert!(
            !cur.to_string().contains(&source.to_string()),
            "`{cur}` repeats its source `{source}`"
        );
        cur = source;
    }
}

#[test]
fn every_variant_formats_without_the_key() {
    let m = || "PUT".to_string();
    let p = || "/v1/avails/l/partial-extract/transactions/t".to_string();
    let errs = || {
        vec![ApiError {
            code: "C".into(),
            message: "m".into(),
        }]
    };
    let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
    let path = || PathBuf::from("/etc/avails/x.pem");
    let config = vec![
        ConfigError::Read {
            path: path(),
            error: io(),
        },
        ConfigError::Parse {
            path: path(),
            reason: "bad".into(),
        },
        ConfigError::UnknownProfile {
            name: "x".into(),
            source_desc: "f".into(),
            known: "a".into(),
        },
        ConfigError::Missing {
            profile: "x".into(),
            field: "licensor",
            env: "AVAILS_LICENSOR",
        },
        ConfigError::Invalid {
            profile: "x".into(),
            field: "tps",
            reason: "0".into(),
        },
        ConfigError::NoApiKey {
            profile: "x".into(),
        },
        ConfigError::ApiKeyEnvUnset {
            profile: "x".into(),
            var: "V".into(),
        },
        ConfigError::ApiKeyFileRead {
            path: path(),
            error: io(),
        },
        ConfigError::ApiKeyFileTooOpen {
            path: path(),
            mode: 0o644,
        },
        ConfigError::ApiKeyFileEmpty { path: path() },
    ];
    let names: BTreeSet<&str> = config.iter().map(config_variant).collect();
    assert_eq!(names.len(), 10, "every ConfigError variant is listed");
    let client = vec![
        ClientError::Config(ConfigError::NoApiKey {
            profile: "x".into(),
        }),
        ClientError::PemRead {
            what: "client certificate",
            field: "cert",
            path: path(),
            error: io(),
        },
        ClientError::PemInvalid {
            what: "private key",
            field: "key",
            path: path(),
            reason: "r".into(),
        },
        ClientError::PrivateKeyTooOpen {
            path: path(),
            mode: 0o644,
        },
        ClientError::InvalidPathSegment {
            name: "alid".into(),
            value: "..".into(),
            problem: avails_model::api::SegmentProblem::Dot(".."),
        },
        ClientError::HalfIdentity {
            given: "a",
            missing: "b",
        },
        ClientError::TlsSetup { reason: "r".into() },
        ClientError::ClientCertRefused {
            method: m(),
            path: p(),
            detail: "d".into(),
        },
        ClientError::ServerCertUntrusted {
            method: m(),
            path: p(),
            detail: "d".into(),
        },
        ClientError::InvalidBaseUrl {
            url: "u".into(),
            reason: "r".into(),
        },
        ClientError::PlainHttp { url: "u".into() },
        ClientError::InvalidApiKey,
        ClientError::InvalidInput { reason: "r".into() },
        ClientError::Unauthorized {
            licensor: "l".into(),
            errors: errs(),
        },
        ClientError::Forbidden {
            licensor: "l".into(),
            errors: errs(),
        },
        ClientError::NotFound {
            method: m(),
            path: p(),
            errors: errs(),
        },
        ClientError::Rejected {
            status: 400,
            method: m(),
            path: p(),
            errors: errs(),
        },
        ClientError::Server {
            status: 500,
            method: m(),
            path: p(),
            errors: errs(),
        },
        ClientError::Throttled {
            method: m(),
            path: p(),
        },
        ClientError::Timeout {
            method: m(),
            path: p(),
        },
        ClientError::Connection {
            method: m(),
            path: p(),
            detail: "d".into(),
        },
        ClientError::Decode {
            status: 200,
            method: m(),
            path: p(),
            detail: "d".into(),
        },
        ClientError::Http {
            method: m(),
            path: p(),
            detail: "d".into(),
        },
        ClientError::Unreachable {
            url: "http://127.0.0.1:9/".into(),
            failures: 5,
            last: Box::new(ClientError::Connection {
                method: m(),
                path: p(),
                detail: "d".into(),
            }),
        },
        ClientError::GaveUp {
            attempts: 3,
            last: Box::new(ClientError::Timeout {
                method: m(),
                path: p(),
            }),
        },
    ];
    let names: BTreeSet<&str> = client.iter().map(variant).collect();
    assert_eq!(names.len(), 25, "every ClientError variant is listed");
    for e in &config {
        assert_clean("config error", &format!("{e} {e:?}"));
        assert!(!e.to_string().is_empty());
        assert_says_each_cause_once(e);
    }
    for e in &client {
        assert_clean("client error", &format!("{e} {e:?}"));
        assert!(!e.to_string().is_empty());
        assert_says_each_cause_once(e);
    }
    let key = ApiKey::new(KEY);
    assert_eq!(format!("{key}"), "***");
    assert_clean("key debug", &format!("{key:?}"));
}
