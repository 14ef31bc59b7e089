//! Asset Status: required deliveries are Missing until the sandbox-only
//! endpoint records them; every ProgressCode and ActionType can be produced.

use crate::common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn part<'a>(status: &'a Value, primary: &str, secondary: &str, locale: Option<&str>) -> &'a Value {
    status["TitlePartStatus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["PrimaryType"] == primary
                && p["SecondaryType"] == secondary
                && locale.is_none_or(|l| p["Locale"] == l)
        })
        .unwrap_or_else(|| panic!("no {primary}/{secondary}/{locale:?} in {status:#}"))
}

fn detail(status: &Value, progress: &str) -> (u64, u64) {
    let d = status["ProgressDetail"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["Progress"] == progress)
        .unwrap();
    (
        d["Total"].as_u64().unwrap(),
        d["ActionNeeded"].as_u64().unwrap(),
    )
}

/// Checks the required fields of the ProductStatus schema (000).
fn assert_schema(s: &Value) {
    assert_eq!(s["Source"]["Platform"], "Prime Video");
    assert!(s["Destination"]["Publisher"].is_string());
    assert!(s["Scope"]["ALID"].is_string() && s["Scope"]["Marketplace"].is_string());
    assert!(s["PlatformIDs"]["GTI"]
        .as_str()
        .unwrap()
        .starts_with("amzn1.dv.gti."));
    for p in s["PlatformIDs"]["PublisherIDs"].as_array().unwrap() {
        assert!(p["ALID"].is_string() && p["Marketplace"].is_string());
    }
    let codes = ["Ready", "Issue", "In-Process", "Missing"];
    assert!(codes.contains(&s["OverallProgressCode"].as_str().unwrap()));
    for d in s["ProgressDetail"].as_array().unwrap() {
        assert!(codes.contains(&d["Progress"].as_str().unwrap()));
        assert!(d["Total"].is_u64() && d["ActionNeeded"].is_u64());
    }
    for p in s["TitlePartStatus"].as_array().unwrap() {
        for key in [
            "PrimaryType",
            "SecondaryType",
            "RuleType",
            "ActionType",
            "Progress",
        ] {
            assert!(p[key].is_string(), "{key} in {p}");
        }
        assert!(p["OfferContexts"].as_array().is_some_and(|a| !a.is_empty()));
        assert!(p["RuleSources"].is_array());
        assert!(
            ["required", "recommended", "conditional"].contains(&p["RuleType"].as_str().unwrap())
        );
        assert!(codes.contains(&p["Progress"].as_str().unwrap()));
        for c in p["OfferContexts"].as_array().unwrap() {
            assert!(c["ALID"].is_string() && c["Marketplace"].is_string());
        }
    }
}

#[tokio::test]
async fn missing_until_deliveries_are_recorded() {
    let sandbox = sandbox().await;
    let c = client();
    let base = sandbox.base_url();
    let status_url = format!("{base}/v1/assets/{LICENSOR}/status/demoALID");
    let deliver = |body: Value| {
        let c = c.clone();
        let url = format!("{base}/sandbox/{LICENSOR}/deliveries/demoALID");
        async move {
            let (status, answer) = call(&c, Method::POST, &url, Some(&body)).await;
            assert_eq!(status, 201, "{answer}");
        }
    };
    let (status, _) = call(&c, Method::GET, &status_url, None).await;
    assert_eq!(status, 404, "no title yet");

    // TVOD movie: languages en-US, fr-FR, fr-CA; fr-CA held back (audio and subtitle).
    let (status, _) = call(
        &c,
        Method::PUT,
        &format!("{base}/v1/avails/{LICENSOR}/full-extract/demoALID"),
        Some(&fixture("003-put-full-tvod-movie.json")),
    )
    .await;
    assert_eq!(status, 200);

    let (status, s) = call(&c, Method::GET, &status_url, None).await;
    assert_eq!(status, 200, "{s}");
    assert_schema(&s);
    assert_eq!(s["OverallProgressCode"], "Missing");
    assert_eq!(s["Scope"]["Marketplace"], "GLOBAL");
    assert_eq!(s["Scope"]["Region"], "US");
    assert_eq!(s["Destination"]["Publisher"], LICENSOR);
    let video = part(&s, "VIDEO", "FEATURE", None);
    assert_eq!(video["FormatProfile"], "UHD");
    assert_eq!(video["RuleType"], "required");
    assert_eq!(video["ActionType"], "ACTION_NEEDED");
    assert_eq!(video["Progress"], "Missing");
    assert_eq!(video["OfferContexts"].as_array().unwrap().len(), 3);
    assert_eq!(video["EarliestStartDate"], "2023-03-14T09:00:00Z");
    assert!(video.get("LastDelivery").is_none());
    assert_eq!(
        part(&s, "METADATA", "DESCRIPTIVE", Some("en-US"))["Progress"],
        "Missing"
    );
    assert_eq!(
        part(&s, "AUDIO", "PRIMARY", Some("en-US"))["RuleType"],
        "required"
    );
    let poster = part(&s, "IMAGE", "2:3", None);
    assert_eq!(poster["RuleType"], "recommended");
    assert_eq!(poster["ActionType"], "ACTION_RECOMMENDED");
    let fr_audio = part(&s, "AUDIO", "DUB", Some("fr-FR"));
    assert_eq!(fr_audio["RuleType"], "conditional");
    assert_eq!(fr_audio["ConditionalTitleParts"][0]["RuleType"], "SINGLE");
    assert_eq!(
        fr_audio["ConditionalTitleParts"][0]["TitleParts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        fr_audio["ConditionalTitleParts"][0]["Regions"],
        json!(["US"])
    );
    // fr-CA is held back for audio and subtitles: not required.
    assert!(s["TitlePartStatus"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["Locale"] != "fr-CA"));
    let parts = s["TitlePartStatus"].as_array().unwrap().len() as u64;
    assert_eq!(detail(&s, "Missing").0, parts);
    assert_eq!(detail(&s, "Ready"), (0, 0));
    assert!(s["Instructions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["TitlePartStatus"] == "NOT_DELIVERED"));

    // Deliveries: success, in process, error.
    deliver(json!({"primaryType": "METADATA", "locale": "en-US"})).await;
    deliver(
        json!({"kind": "VIDEO", "secondaryType": "FEATURE", "formatProfile": "UHD",
                   "status": "SUCCESS", "fileName": "movie.mov", "hash": "abc123"}),
    )
    .await;
    deliver(json!({"kind": "AUDIO", "language": "en-US", "status": "IN_PROCESS"})).await;
    deliver(json!({"kind": "IMAGE", "secondaryType": "16:9", "errorCode": "IMAGE_TOO_SMALL"}))
        .await;
    deliver(json!({"kind": "TIMED_TEXT", "secondaryType": "SUBTITLE", "language": "fr-FR"})).await;

    let (_, s) = call(&c, Method::GET, &status_url, None).await;
    assert_schema(&s);
    assert_eq!(s["OverallProgressCode"], "Issue");
    let video = part(&s, "VIDEO", "FEATURE", None);
    assert_eq!(video["Progress"], "Ready");
    assert_eq!(video["ActionType"], "NO_ACTION_NEEDED");
    assert_eq!(video["LastDelivery"]["Status"], "SUCCESSFULLY_DELIVERED");
    assert_eq!(video["LastDelivery"]["FileName"], "movie.mov");
    assert!(video["FirstDeliveryDate"].is_string());
    let audio = part(&s, "AUDIO", "PRIMARY", Some("en-US"));
    assert_eq!(audio["Progress"], "In-Process");
    assert_eq!(audio["ActionType"], "NO_ACTION_NEEDED");
    let image = part(&s, "IMAGE", "16:9", None);
    assert_eq!(image["Progress"], "Issue");
    assert_eq!(image["ActionType"], "ACTION_NEEDED");
    assert_eq!(image["LastDelivery"]["Status"], "NOT_DELIVERED");
    assert_eq!(
        image["LastDelivery"]["Instructions"][0]["ErrorCode"],
        "IMAGE_TOO_SMALL"
    );
    assert!(s["Instructions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["ErrorCode"] == "IMAGE_TOO_SMALL"));
    // fr-FR subtitles delivered: the fr-FR dub is no longer needed.
    assert_eq!(
        part(&s, "TIMED_TEXT", "SUBTITLE", Some("fr-FR"))["Progress"],
        "Ready"
    );
    let fr_audio = part(&s, "AUDIO", "DUB", Some("fr-FR"));
    assert_eq!(fr_audio["Progress"], "Missing");
    assert_eq!(fr_audio["ActionType"], "NO_ACTION_NEEDED");
    assert_eq!(detail(&s, "Issue"), (1, 1));
    assert_eq!(detail(&s, "In-Process"), (1, 0));

    // A full delete is no longer allowed once something was delivered.
    let mut delete = fixture("003-put-full-tvod-movie.json");
    delete["avail"]["Disposition"]["EntryType"] = json!("FullDelete");
    let (status, body) = call(
        &c,
        Method::PUT,
        &format!("{base}/v1/avails/{LICENSOR}/full-extract/demoALID"),
        Some(&delete),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["validationErrors"][0]["code"],
        "FULL_DELETE_NOT_ALLOWED"
    );

    // Fix the image, finish the audio: In-Process, then Ready.
    deliver(json!({"kind": "IMAGE", "secondaryType": "16:9"})).await;
    let (_, s) = call(&c, Method::GET, &status_url, None).await;
    assert_eq!(s["OverallProgressCode"], "In-Process");
    deliver(json!({"kind": "AUDIO", "language": "en-US"})).await;
    deliver(json!({"kind": "IMAGE", "secondaryType": "16:9", "fileName": "key-art-v2.jpg"})).await;
    let (_, s) = call(&c, Method::GET, &status_url, None).await;
    assert_schema(&s);
    assert_eq!(s["OverallProgressCode"], "Ready");
    assert!(s.get("Instructions").is_none());
    let image = part(&s, "IMAGE", "16:9", None);
    assert_eq!(image["LastDelivery"]["FileName"], "key-art-v2.jpg");
    assert_eq!(
        image["PriorSuccessfulDelivery"]["Status"],
        "SUCCESSFULLY_DELIVERED"
    );
    // The recommended poster is still missing but does not block Ready.
    assert_eq!(
        part(&s, "IMAGE", "2:3", None)["ActionType"],
        "ACTION_RECOMMENDED"
    );

    // Marketplaces.
    let (status, s) = call(
        &c,
        Method::GET,
        &format!("{status_url}?marketplace=US"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(s["Scope"]["Marketplace"], "US");
    assert_eq!(s["PlatformIDs"]["PublisherIDs"][0]["Marketplace"], "US");
    let (status, _) = call(
        &c,
        Method::GET,
        &format!("{status_url}?marketplace=DE"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = call(
        &c,
        Method::GET,
        &format!("{status_url}?marketplace=FR"),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["validationErrors"][0]["code"], "INVALID_PARAMETER");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn languages_with_an_asset_kind_are_required_and_seasons_need_no_video() {
    let sandbox = sandbox().await;
    let c = client();
    let base = sandbox.base_url();
    let mut payload = fixture("003-avail-prime-subscription-season.json");
    payload["avail"]["Transaction"][0]["AssetLanguage"] = json!([{"value": "en-US"}]);
    let (status, _) = call(
        &c,
        Method::PUT,
        &format!("{base}/v1/avails/{LICENSOR}/partial-extract/transactions/demoTransactionId"),
        Some(&payload),
    )
    .await;
    assert_eq!(status, 200);
    let (_, s) = call(
        &c,
        Method::GET,
        &format!("{base}/v1/assets/{LICENSOR}/status/demoAlid"),
        None,
    )
    .await;
    assert_schema(&s);
    let parts = s["TitlePartStatus"].as_array().unwrap();
    assert!(parts.iter().all(|p| p["PrimaryType"] != "VIDEO"), "{s:#}");
    assert_eq!(s["Scope"]["BenefitID"], "prime");
    assert_eq!(s["Scope"]["LicenseType"], "SVOD");

    let mut movie = fixture("003-avail-tvod-movie.json");
    movie["avail"]["ALID"] = json!("movie2");
    movie["avail"]["Asset"][0]["_contentID"] = json!("movie2");
    movie["avail"]["Transaction"][0]["_TransactionID"] = json!("movie2-tx");
    movie["avail"]["Transaction"][0]["AssetLanguage"] = json!([{"value": "de-DE"}, {"value": "es-ES", "_asset": "subtitle"}, {"value": "it-IT", "_asset": "audio"}]);
    movie["avail"]["Transaction"][0]["AllowedLanguage"] = json!([{"value": "ja-JP"}]);
    movie["avail"]["Transaction"][0]
        .as_object_mut()
        .unwrap()
        .remove("HoldbackLanguage");
    let (status, body) = call(
        &c,
        Method::PUT,
        &format!("{base}/v1/avails/{LICENSOR}/partial-extract/transactions/movie2-tx"),
        Some(&movie),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, s) = call(
        &c,
        Method::GET,
        &format!("{base}/v1/assets/{LICENSOR}/status/movie2"),
        None,
    )
    .await;
    assert_schema(&s);
    assert_eq!(
        part(&s, "AUDIO", "PRIMARY", Some("de-DE"))["RuleType"],
        "required"
    );
    assert_eq!(
        part(&s, "TIMED_TEXT", "SUBTITLE", Some("es-ES"))["RuleType"],
        "required"
    );
    assert_eq!(
        part(&s, "AUDIO", "DUB", Some("it-IT"))["RuleType"],
        "required"
    );
    assert_eq!(
        part(&s, "TIMED_TEXT", "SUBTITLE", Some("ja-JP"))["RuleType"],
        "recommended"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn bad_delivery_bodies_are_refused() {
    let sandbox = sandbox().await;
    let c = client();
    let url = format!(
        "{}/sandbox/{LICENSOR}/deliveries/demoALID",
        sandbox.base_url()
    );
    let (status, body) = call(&c, Method::POST, &url, Some(&json!({"kind": "SMELL"}))).await;
    assert_eq!(status, 400);
    assert_eq!(body["success"], false);
    let (status, _) = call(&c, Method::POST, &url, Some(&json!({"locale": "en-US"}))).await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &c,
        Method::POST,
        &url,
        Some(&json!({"kind": "VIDEO", "status": "MAYBE"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call_with_key(
        &c,
        Method::POST,
        &url,
        Some(&json!({"kind": "VIDEO"})),
        None,
    )
    .await;
    assert_eq!(status, 401);
    sandbox.shutdown().await;
}
