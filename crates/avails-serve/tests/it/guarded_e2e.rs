//! What guards a run of `avails serve`, over plain HTTP: the token (401
//! without it, 403 for another Host), the upload limit and kinds, the
//! removal of uploads at the end, and one send at a time (in this server,
//! and beside an `avails submit` holding the state directory's lock).

use crate::support;

use std::time::Duration;

use support::{bad_workbook, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_the_token_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve(&dir.path().join("state"), 0).await;
    let http = served.http();
    let base = &served.base;

    for (method, path) in [
        ("GET", "/"),
        ("GET", "/static/app.js"),
        ("GET", "/history"),
        ("POST", "/api/sets"),
        ("GET", "/sets/1/check"),
    ] {
        let r = http
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{method} {path} without the token");
    }
    // A wrong token, in the URL, a header or a cookie, is no token.
    let wrong = "0".repeat(served.token.len());
    let r = http
        .get(format!("{base}/?token={wrong}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = http
        .get(format!("{base}/"))
        .bearer_auth(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let port = base.rsplit(':').next().unwrap();
    let r = http
        .get(format!("{base}/"))
        .header("cookie", format!("avails_serve_{port}={wrong}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Another site's name for this address (DNS rebinding) is refused.
    let r = http
        .get(format!("{base}/"))
        .bearer_auth(&served.token)
        .header("host", format!("attacker.example:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // The printed link: the token becomes a same-site cookie, and leaves the URL.
    let r = http.get(&served.url).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let r = http
        .get(format!("{base}/"))
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        !page.contains(&served.token),
        "the page never shows the token"
    );

    // Uploads: a file over the limit (5 MB here) is refused and not kept;
    // a file no reader takes is refused by its name.
    let set: serde_json::Value = http
        .post(format!("{base}/api/sets"))
        .bearer_auth(&served.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = set["id"].as_u64().unwrap();
    let r = http
        .post(format!("{base}/api/sets/{id}/files?name=huge.csv"))
        .bearer_auth(&served.token)
        .body(vec![b'x'; 6 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("larger than the limit of 5.0 MB"));
    let r = http
        .post(format!("{base}/api/sets/{id}/files?name=notes.txt"))
        .bearer_auth(&served.token)
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let kept: Vec<_> = walk(&served.uploads);
    assert!(kept.is_empty(), "nothing refused is kept: {kept:?}");
    // A file whose name tries to leave the uploads folder stays inside it.
    let r = http
        .post(format!("{base}/api/sets/{id}/files"))
        .query(&[("name", "../../../escape.csv")])
        .bearer_auth(&served.token)
        .body("ALID,Territory\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let kept = walk(&served.uploads);
    assert_eq!(kept.len(), 1);
    assert!(kept[0].starts_with(&served.uploads) && kept[0].ends_with("escape.csv"));
    assert!(
        served.uploads.starts_with(&served.state),
        "uploads live under the state directory"
    );

    let uploads = served.uploads.clone();
    served.stop().await;
    assert!(!uploads.exists(), "uploads are removed when the run ends");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_send_is_refused_clearly_while_one_runs() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    // Each sandbox answer takes 1.5 s: the first send is still running
    // when the second is confirmed.
    let served = serve(&state, 1500).await;
    let sheet = bad_workbook(dir.path());
    let first = served.upload(&[&sheet]).await;
    let second = served.upload(&[&sheet]).await;
    let plan_first = served.plan(first).await;
    let plan_second = served.plan(second).await;

    let r = served.confirm(first, &plan_first).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let r = served.confirm(second, &plan_second).await;
    assert_eq!(r.status(), 409);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("nothing sent: another send is running (sheet set 1"),
        "{text}"
    );
    let receipt = served.receipt(first).await;
    // First Dance ES; View from a Mountain is held back by its `UK` row.
    assert!(receipt["sent"].as_u64().unwrap() >= 1, "{receipt}");

    // The plan shown before the first send is not sent as it was.
    let r = served.confirm(second, &plan_second).await;
    assert_eq!(r.status(), 409);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("the plan changed since it was shown"));

    // `avails submit` on the same state directory holds its lock: refused.
    let plan_second = served.plan(second).await;
    let lock = avails_journal::WriterLock::acquire(&state, "submit").unwrap();
    let r = served.confirm(second, &plan_second).await;
    assert_eq!(r.status(), 409);
    let text = r.text().await.unwrap();
    assert!(text.contains("another avails is writing in"), "{text}");
    drop(lock);

    // And while a send runs, `avails submit` is refused the same way.
    let slow = served
        .upload(&[&support::root().join("tests/data/movielabs/TV_v1.8.xlsx")])
        .await;
    let r = served.confirm_send(slow).await;
    assert_eq!(r.status(), 303);
    let busy = avails_journal::WriterLock::acquire(&state, "submit");
    let receipt_slow = served.receipt(slow).await;
    match busy {
        Err(avails_journal::JournalError::Busy { holder, .. }) => {
            assert!(holder.contains("serve"), "{holder}")
        }
        other => panic!("a submit beside a running send must be refused: {other:?} {receipt_slow}"),
    }

    // Confirmed again on the current plan: everything is unchanged.
    let r = served.confirm(second, &plan_second).await;
    assert_eq!(r.status(), 303);
    let receipt = served.receipt(second).await;
    assert_eq!(receipt["sent"], 0, "{receipt}");
    // First Dance ES; View from a Mountain stays held back by its `UK` row.
    assert!(receipt["unchanged"].as_u64().unwrap() >= 1, "{receipt}");
    tokio::time::sleep(Duration::from_millis(10)).await;
    served.stop().await;
}
