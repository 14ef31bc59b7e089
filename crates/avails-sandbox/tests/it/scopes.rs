//! The sandbox keeps what it acknowledges: windows are keyed by licensor,
//! ALID, territory and business line, then transaction ID. The reference's
//! own TVOD and FVOD movie examples (003) use the same ALID and reuse the
//! transaction IDs `availId123movie` and `availId456movie`.

use crate::common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn url(base: &str, path: &str) -> String {
    format!("{base}/v1/avails/{LICENSOR}{path}")
}

fn ids(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body["avail"]["Transaction"]
        .as_array()
        .unwrap_or_else(|| panic!("no transactions in {body}"))
        .iter()
        .map(|t| t["_TransactionID"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

async fn get_scope(c: &reqwest::Client, base: &str, line: &str) -> (u16, Value) {
    let path = format!("/full-extract/demoALID?territory=US&businessLine={line}");
    call(c, Method::GET, &url(base, &path), None).await
}

async fn put_full(c: &reqwest::Client, base: &str, payload: &Value) {
    let (status, body) = call(
        c,
        Method::PUT,
        &url(base, "/full-extract/demoALID"),
        Some(payload),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn full_extracts_of_two_scopes_sharing_transaction_ids_both_stay() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url();
    let c = client();
    let tvod = fixture("003-put-full-tvod-movie.json");
    let fvod = fixture("003-put-full-fvod-movie.json");
    put_full(&c, &base, &tvod).await;
    put_full(&c, &base, &fvod).await;
    // The TVOD extract again: it replaces its own scope, and only that.
    put_full(&c, &base, &tvod).await;

    let (status, body) = get_scope(&c, &base, "TVOD").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        ids(&body),
        ["availId123movie", "availId456movie", "availId789movie"]
    );
    let (status, body) = get_scope(&c, &base, "FVOD").await;
    assert_eq!(status, 200, "the FVOD windows were lost: {body}");
    assert_eq!(ids(&body), ["availId123movie", "availId456movie"]);
    assert_eq!(body["avail"]["Transaction"][0]["LicenseType"], "FVOD");

    // A shorter TVOD extract drops exactly the TVOD window it no longer has.
    let mut shorter = tvod.clone();
    shorter["avail"]["Transaction"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    put_full(&c, &base, &shorter).await;
    let (_, body) = get_scope(&c, &base, "TVOD").await;
    assert_eq!(ids(&body), ["availId123movie"]);
    let (_, body) = get_scope(&c, &base, "FVOD").await;
    assert_eq!(ids(&body), ["availId123movie", "availId456movie"]);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_transaction_id_of_several_scopes_is_never_picked_silently() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url();
    let c = client();
    put_full(&c, &base, &fixture("003-put-full-tvod-movie.json")).await;
    put_full(&c, &base, &fixture("003-put-full-fvod-movie.json")).await;
    let tx = |q: &str| {
        url(
            &base,
            &format!("/partial-extract/transactions/availId123movie{q}"),
        )
    };

    // GET and DELETE by the shared ID: 409, naming both scopes.
    for method in [Method::GET, Method::DELETE] {
        let (status, body) = call(&c, method.clone(), &tx(""), None).await;
        assert_eq!(status, 409, "{method}: {body}");
        assert_eq!(
            body["validationErrors"][0]["code"], "AMBIGUOUS_TRANSACTION",
            "{body}"
        );
        let message = body["validationErrors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("demoALID US TVOD") && message.contains("demoALID US FVOD"),
            "{message}"
        );
    }
    // Nothing was deleted.
    assert_eq!(ids(&get_scope(&c, &base, "TVOD").await.1).len(), 3);
    assert_eq!(ids(&get_scope(&c, &base, "FVOD").await.1).len(), 2);

    // Narrowed to one scope (sandbox-only query parameters), the call works.
    let (status, body) = call(
        &c,
        Method::GET,
        &tx("?territory=US&businessLine=FVOD"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["avail"]["Transaction"][0]["LicenseType"], "FVOD");
    let (status, body) = call(
        &c,
        Method::DELETE,
        &tx("?alid=demoALID&businessLine=FVOD"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        ids(&get_scope(&c, &base, "FVOD").await.1),
        ["availId456movie"]
    );
    assert_eq!(ids(&get_scope(&c, &base, "TVOD").await.1).len(), 3);

    // Now the ID names one window: the plain partial-extract calls reach it.
    let (status, body) = call(&c, Method::GET, &tx(""), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["avail"]["Transaction"][0]["LicenseType"], "VOD");

    // In a batch, an ambiguous item fails alone.
    put_full(&c, &base, &fixture("003-put-full-fvod-movie.json")).await;
    let batch = json!({"requestItems": [
        {"requestItemId": "a", "path": format!("/avails/{LICENSOR}/partial-extract/transactions/availId123movie")},
        {"requestItemId": "b", "path": format!("/avails/{LICENSOR}/partial-extract/transactions/availId789movie")},
    ]});
    let (status, body) = call(
        &c,
        Method::POST,
        &url(&base, "/partial-extract/batch/delete"),
        Some(&batch),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let items = body["responseItems"].as_array().unwrap();
    assert_eq!(items[0]["success"], false);
    assert_eq!(
        items[0]["validationErrors"][0]["code"],
        "AMBIGUOUS_TRANSACTION"
    );
    assert_eq!(items[1]["success"], true, "{body}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_partial_put_replaces_the_window_of_its_own_scope_only() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url();
    let c = client();
    put_full(&c, &base, &fixture("003-put-full-tvod-movie.json")).await;
    put_full(&c, &base, &fixture("003-put-full-fvod-movie.json")).await;
    // The FVOD window availId456movie, changed (HD becomes SD), as a partial extract.
    let mut fvod = fixture("003-put-full-fvod-movie.json");
    let avail = fvod["avail"].as_object_mut().unwrap();
    avail.insert("Disposition".into(), json!({"EntryType": "PartialExtract"}));
    let trans = avail["Transaction"].as_array_mut().unwrap();
    trans.remove(0);
    trans[0]["FormatProfile"] = json!({"value": "SD"});
    let (status, body) = call(
        &c,
        Method::PUT,
        &url(&base, "/partial-extract/transactions/availId456movie"),
        Some(&fvod),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (_, body) = get_scope(&c, &base, "FVOD").await;
    let fvod_trans = body["avail"]["Transaction"].as_array().unwrap();
    assert_eq!(fvod_trans.len(), 2);
    let changed = fvod_trans
        .iter()
        .find(|t| t["_TransactionID"] == "availId456movie")
        .unwrap();
    assert_eq!(changed["FormatProfile"]["value"], "SD");
    let (_, body) = get_scope(&c, &base, "TVOD").await;
    let est = body["avail"]["Transaction"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["_TransactionID"] == "availId456movie")
        .unwrap()
        .clone();
    assert_eq!(est["LicenseType"], "EST", "the TVOD window was replaced");
    sandbox.shutdown().await;
}

/// The first schema (one unique index on licensor and transaction ID), as
/// an older sandbox created it.
const OLD_SCHEMA: &str = "
CREATE TABLE windows (
    id INTEGER PRIMARY KEY, licensor TEXT NOT NULL, alid TEXT NOT NULL,
    territory TEXT NOT NULL, business_line TEXT NOT NULL, transaction_id TEXT,
    contract_id TEXT, header TEXT NOT NULL, trans TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX windows_by_transaction ON windows(licensor, transaction_id);
CREATE INDEX windows_by_scope ON windows(licensor, alid, territory, business_line);
CREATE TABLE deliveries (id INTEGER PRIMARY KEY, licensor TEXT NOT NULL, alid TEXT NOT NULL, record TEXT NOT NULL);
CREATE INDEX deliveries_by_alid ON deliveries(licensor, alid);
";

#[tokio::test]
async fn a_database_of_the_first_schema_is_migrated_and_keeps_its_windows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(OLD_SCHEMA).unwrap();
        let fvod = fixture("003-put-full-fvod-movie.json");
        let mut header = fvod["avail"].as_object().unwrap().clone();
        header.remove("Disposition");
        header.remove("Transaction");
        for t in fvod["avail"]["Transaction"].as_array().unwrap() {
            conn.execute(
                "INSERT INTO windows (licensor, alid, territory, business_line, transaction_id, header, trans, updated_at)
                 VALUES (?1, 'demoALID', 'US', 'FVOD', ?2, ?3, ?4, '2024-01-01T00:00:00Z')",
                rusqlite::params![
                    LICENSOR,
                    t["_TransactionID"].as_str().unwrap(),
                    Value::Object(header.clone()).to_string(),
                    t.to_string()
                ],
            )
            .unwrap();
        }
    }
    let mut config = config();
    config.db_path = Some(db.clone());
    let sandbox = avails_sandbox::start(config.clone()).await.unwrap();
    let base = sandbox.base_url();
    let c = client();
    let (status, body) = get_scope(&c, &base, "FVOD").await;
    assert_eq!(status, 200, "the migrated windows are served: {body}");
    assert_eq!(ids(&body), ["availId123movie", "availId456movie"]);
    // The old unique index is gone: a TVOD extract reusing the IDs keeps FVOD.
    put_full(&c, &base, &fixture("003-put-full-tvod-movie.json")).await;
    assert_eq!(ids(&get_scope(&c, &base, "FVOD").await.1).len(), 2);
    assert_eq!(ids(&get_scope(&c, &base, "TVOD").await.1).len(), 3);
    sandbox.shutdown().await;

    // A database from a newer sandbox is refused, naming the file.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let e = avails_sandbox::start(config).await.unwrap_err();
    let message = e.to_string();
    assert!(
        message.contains("schema version 99") && message.contains("sandbox.sqlite"),
        "{message}"
    );
}
