//! Drag and drop, in a real browser (headless Chromium through
//! chromedriver): a workbook dropped on the drop zone is uploaded and
//! checked, and the page names it as it was dropped, never by where the
//! server stored it. WebDriver cannot drag a file from the desktop: the
//! test builds the File in the page from the workbook's bytes and
//! dispatches `dragenter`, `dragover` and `drop` with a DataTransfer
//! holding it, as the browser does for a real drop. Screenshots go to
//! `target/tmp/serve-screenshots/` (`drop-*`).
//!
//! The workbook is MovieLabs' movie sheet with `UK` at Movies!C5 (no ISO
//! 3166-1 code, CV024); its row 28 repeats row 24's window (CV015). Its
//! name has characters no stored file name keeps (`:` and `?`).

use crate::support;

use base64::Engine;
use serde_json::{json, Value};
use support::{assert_no_stored_path, bad_workbook, browser, serve, Browser};

/// The name the file is dropped with.
const DROPPED: &str = "Avails: Q3 (final?).xlsx";

/// Builds the File from base64 bytes and drags it over the drop zone;
/// whether the zone shows it is ready for the drop.
const DRAG: &str = "const [b64, name] = arguments;
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const file = new File([bytes], name, {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    const dt = new DataTransfer();
    dt.items.add(file);
    window.avDrop = dt;
    const zone = document.getElementById('upload');
    for (const t of ['dragenter', 'dragover']) {
      zone.dispatchEvent(new DragEvent(t, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
    return zone.classList.contains('over');";

/// Drops what [`DRAG`] dragged.
const DROP: &str = "const zone = document.getElementById('upload');
    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: window.avDrop }));
    return zone.classList.contains('over');";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sheet_dropped_on_the_page_is_checked_under_its_own_name() {
    let Some((chromium, chromedriver)) =
        browser("a_sheet_dropped_on_the_page_is_checked_under_its_own_name")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sheet = bad_workbook(dir.path());
    let bytes = std::fs::read(&sheet).unwrap();
    let served = serve(&dir.path().join("state"), 0).await;
    let b = Browser::start(&chromium, &chromedriver).await;
    b.goto(&served.url).await;
    b.wait_for(
        "the drop zone",
        "return !!document.querySelector('#upload')",
    )
    .await;

    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let over = b.js_with(DRAG, json!([b64, DROPPED])).await;
    assert_eq!(over, Value::Bool(true), "the zone shows a file is over it");
    b.screenshot("drop-1-over").await;
    let after = b.js(DROP).await;
    assert_eq!(
        after,
        Value::Bool(false),
        "the zone is back to rest once dropped"
    );
    b.wait_for(
        "the check of the dropped workbook",
        "return location.pathname.endsWith('/check') && !!document.querySelector('table.findings')",
    )
    .await;
    b.screenshot("drop-2-check").await;

    // What arrived is the whole file, under the name dropped.
    let page = b.text().await;
    assert!(
        page.contains(DROPPED),
        "the page names the file as dropped: {page}"
    );
    // Every row of it was read (27 under the sheet's three header rows).
    let cards: Vec<String> = serde_json::from_value(
        b.js(
            "return Array.from(document.querySelectorAll('.cards .card')).map(c => c.textContent)",
        )
        .await,
    )
    .unwrap();
    assert!(cards.contains(&"27Rows read".to_string()), "{cards:?}");
    assert_no_stored_path(&page, &served, "the Check page");
    assert!(!page.contains("Avails_ Q3"), "not the stored name: {page}");

    let found: Vec<Vec<String>> = serde_json::from_value(
        b.js(
            "return Array.from(document.querySelectorAll('table.findings tbody tr'))\
              .map(r => Array.from(r.cells).map(c => c.textContent.trim()))",
        )
        .await,
    )
    .unwrap();
    assert!(
        found
            .iter()
            .any(|r| r[0] == "Movies!C5" && r[1] == "Territory" && r[3].contains("UK")),
        "the Territory finding at its cell: {found:?}"
    );
    let repeat = found
        .iter()
        .find(|r| r[0] == "Movies row 28" && r[3].contains("repeats"))
        .unwrap_or_else(|| panic!("CV015 at row 28: {found:?}"));
    assert!(
        repeat[3].contains(&format!("{DROPPED}:Movies!")),
        "CV015 names row 24's file as dropped: {repeat:?}"
    );

    // The home page lists the set by the name dropped.
    b.click("a.brand").await;
    b.wait_for(
        "the drop zone",
        "return !!document.querySelector('#upload')",
    )
    .await;
    let home = b.text().await;
    assert!(home.contains(DROPPED), "{home}");
    assert_no_stored_path(&home, &served, "the home page");

    b.quit().await;
    served.stop().await;
}
