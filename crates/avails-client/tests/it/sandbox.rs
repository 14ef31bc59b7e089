//! End to end against `avails-sandbox` (the local Avails API): a profile, mutual
//! TLS, the API key, a full-extract PUT and the GET that reads it back.

use crate::common;

use avails_client::{AvailsClient, ClientError, Config};
use avails_model::{AvailRequest, BusinessLine};
use avails_sandbox::{start, SandboxConfig};
use common::Pki;

const KEY: &str = "k-sandbox-roundtrip-0123456789";

/// The reference's "FVOD Movie" full-extract example (003), licensor renamed to the URL's.
fn fvod_movie() -> AvailRequest {
    serde_json::from_value(serde_json::json!({
      "avail": {
        "ALID": "demoALID",
        "SharedEntitlement": [{"_ecosystem": "DMA", "EcosystemID": "DemoDMA_Title_ID"}],
        "Disposition": {"EntryType": "FullExtract"},
        "Licensor": {"DisplayName": "testlicensor"},
        "Asset": [{"_contentID": "demoALID", "WorkType": "Movie",
                   "Metadata": {"TitleInternalAlias": ["Harry Potter and Marge Simpson"]}}],
        "Transaction": [
          {"_TransactionID": "availId123movie", "LicenseType": "FVOD",
           "Territory": [{"country": "US"}], "FormatProfile": {"value": "UHD"},
           "Start": "2023-03-14T09:00:00Z", "End": "2029-05-22T10:00:00Z",
           "LicenseRightsDescription": "DAB",
           "AssetLanguage": [{"value": "en-US"}, {"value": "fr-FR"}, {"value": "fr-CA"}],
           "HoldbackLanguage": [{"value": "fr-CA", "_asset": "subtitle"},
                                {"value": "fr-CA", "_asset": "audio"}],
           "Terms": [{"_termName": "ChannelIdentity", "Text": "FVOD"},
                     {"_termName": "Category", "Text": "sub"},
                     {"_termName": "Download", "Text": "No"},
                     {"_termName": "Exclusive", "Boolean": true},
                     {"_termName": "ExclusiveAttributes", "Text": "SECOND_RUN_EXCLUSIVE"}]},
          {"_TransactionID": "availId456movie", "LicenseType": "FVOD",
           "Territory": [{"country": "US"}], "FormatProfile": {"value": "HD"},
           "Start": "2023-03-14T09:00:00Z", "End": "2029-05-22T10:00:00Z",
           "LicenseRightsDescription": "DAB",
           "AssetLanguage": [{"value": "en-US"}, {"value": "fr-FR"}, {"value": "fr-CA"}],
           "HoldbackLanguage": [{"value": "fr-CA", "_asset": "subtitle"},
                                {"value": "fr-CA", "_asset": "audio"}],
           "Terms": [{"_termName": "ChannelIdentity", "Text": "FVOD"},
                     {"_termName": "Category", "Text": "sub"},
                     {"_termName": "Download", "Text": "No"},
                     {"_termName": "Exclusive", "Boolean": false}]}
        ]
      }
    }))
    .unwrap()
}

#[tokio::test]
async fn put_then_get_round_trip_over_mutual_tls() {
    let pki = Pki::new();
    let sandbox = start(
        SandboxConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            tls: Some(pki.sandbox_tls(true)),
            ..SandboxConfig::default()
        }
        .with_licensor("testlicensor", KEY),
    )
    .await
    .unwrap();
    let base = sandbox.base_url();

    // A profile file as a user would write it; the key comes from a variable.
    let dir = tempfile::tempdir().unwrap();
    let cfg_path = dir.path().join("avails.toml");
    std::fs::write(
        &cfg_path,
        format!(
            "[profiles.local]\nbase_url = \"{base}\"\nlicensor = \"testlicensor\"\ncert = \"{}\"\nkey = \"{}\"\nca = \"{}\"\napi_key_env = \"SANDBOX_TEST_KEY\"\n",
            pki.client_cert_file.display(),
            pki.client_key_file.display(),
            pki.ca_file.display()
        ),
    )
    .unwrap();
    let cfg = Config::load(Some(&cfg_path)).unwrap();
    let profile = cfg
        .resolve_with(Some("local"), &|k| {
            (k == "SANDBOX_TEST_KEY").then(|| KEY.to_string())
        })
        .unwrap();
    let client = AvailsClient::from_profile(&profile).unwrap();

    let payload = fvod_movie();
    let put = client.put_full_extract("demoALID", &payload).await.unwrap();
    assert!(put.success, "{put:?}");
    let got = client
        .get_full_extract("demoALID", "US", BusinessLine::Fvod)
        .await
        .unwrap();
    assert!(got.success);
    let avail = got.avail.expect("the stored avail");
    assert_eq!(avail.alid, "demoALID");
    let mut ids: Vec<String> = avail
        .transaction
        .iter()
        .filter_map(|t| serde_json::to_value(t).ok())
        .filter_map(|v| v["_TransactionID"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    assert_eq!(ids, ["availId123movie", "availId456movie"]);

    // The same sandbox refuses a wrong key with the client's 401 message.
    let wrong = AvailsClient::builder(
        &base,
        "testlicensor",
        avails_client::ApiKey::new("nope-nope"),
    )
    .tls(avails_client::TlsFiles {
        cert: profile.cert.clone(),
        key: profile.key.clone(),
        ca: profile.ca.clone(),
    })
    .build()
    .unwrap();
    let e = wrong
        .get_full_extract("demoALID", "US", BusinessLine::Fvod)
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Unauthorized { .. }), "{e:?}");
    sandbox.shutdown().await;
}
