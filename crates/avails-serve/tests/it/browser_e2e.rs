//! `avails serve` in a real browser (headless Chromium through chromedriver):
//! a rights team drops MovieLabs' movie workbook with one bad cell, sees the
//! finding at its cell with its column, downloads the annotated workbook,
//! compares with the sandbox, sends after confirming, reads the receipt,
//! sends again and sees everything unchanged, and finds the sends in the
//! history. A screenshot of each screen is saved under
//! `target/tmp/serve-screenshots/`.
//!
//! Expected values come from the sheet and the reference, not from the
//! page: row 5's Territory `UK` is no ISO 3166-1 code (CV024, at Movies!C5,
//! column Territory): the row cannot be placed, so every payload of View from
//! a Mountain is held back (its US window too: a full extract without the
//! row could delete a live window); rows 6-7 (First Dance, CA, POEST) lack
//! the SRP and WSP terms the reference requires for POEST, so that title is
//! refused; First Dance ES is clean and new on an empty sandbox. Its rows
//! 26-29 repeat rows 22-25's windows (CV015: sent once, the warning naming
//! the first row's file by the name it was dropped with, never where the
//! server stored it).
//!
//! The receipt offers the per-row status workbook (`avails submit
//! --report`'s): read back, First Dance ES's rows are `sent`, then
//! `unchanged` after the second send; row 5 is refused, rows 26-29 not
//! sent on their own.

use crate::support;

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;
use support::{assert_no_stored_path, bad_workbook, browser, serve, Browser, Edit};

/// The rows of the findings tables: cell, column, title, message.
const FINDINGS: &str = "return Array.from(document.querySelectorAll('table.findings tbody tr'))\
    .map(r => Array.from(r.cells).map(c => c.textContent.trim()))";

/// Compare's titles: ALID, territory and status.
const TITLES: &str = "return Array.from(document.querySelectorAll('article.title'))\
    .map(a => [a.querySelector('.meta').textContent, a.dataset.status])";

/// The receipt's rows: title, ALID, territory, line, outcome.
const RECEIPT: &str = "return Array.from(document.querySelectorAll('table.receipt tbody tr'))\
    .map(r => Array.from(r.cells).map(c => c.textContent.trim()))";

/// The status column (`avails submit`, as `submit --report` titles it) of
/// a downloaded status workbook's Movies sheet: 1-based row → status.
async fn status_column(
    served: &support::Served,
    href: &str,
    saved: &std::path::Path,
) -> std::collections::BTreeMap<u32, String> {
    let response = served.get(href).await;
    assert_eq!(response.status(), 200, "{href}");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains("Movies Q3 (UK typo) (sent).xlsx"),
        "named after the sheet sent: {disposition}"
    );
    std::fs::write(saved, response.bytes().await.unwrap()).unwrap();
    let mut book: Xlsx<_> = open_workbook(saved).unwrap();
    let movies = book.worksheet_range("Movies").unwrap();
    let column = movies
        .rows()
        .find_map(|r| {
            r.iter()
                .position(|c| c == &Data::String("avails submit".into()))
        })
        .expect("a status column titled `avails submit`");
    let (first, _) = movies.start().unwrap();
    movies
        .rows()
        .enumerate()
        .filter_map(|(i, r)| {
            let text = r.get(column)?.to_string();
            (!text.is_empty()).then(|| (first + i as u32 + 1, text))
        })
        .collect()
}

fn rows(v: &Value) -> Vec<Vec<String>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rights_team_checks_compares_and_sends_in_a_browser() {
    let Some((chromium, chromedriver)) =
        browser("a_rights_team_checks_compares_and_sends_in_a_browser")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let sheet = bad_workbook(dir.path());
    let served = serve(&state, 0).await;
    let b = Browser::start(&chromium, &chromedriver).await;

    // The printed link: its token becomes a cookie, the address bar loses it.
    b.goto(&served.url).await;
    b.wait_for(
        "the drop zone",
        "return !!document.querySelector('#upload')",
    )
    .await;
    assert!(
        !b.url().await.contains("token="),
        "the token leaves the address bar"
    );
    b.screenshot("1-home").await;

    // Check: the file picker (the drop zone's input) takes the workbook.
    b.type_into("#files", &sheet.display().to_string()).await;
    b.wait_for(
        "the check of the workbook",
        "return location.pathname.endsWith('/check') && !!document.querySelector('table.findings')",
    )
    .await;
    b.screenshot("2-check").await;
    assert_no_stored_path(&b.text().await, &served, "the Check page");
    let found = rows(&b.js(FINDINGS).await);
    // Row 28 repeats row 24: the warning names row 24 in the file as the
    // user dropped it.
    let repeat = found
        .iter()
        .find(|r| r[0] == "Movies row 28" && r[3].contains("repeats"))
        .unwrap_or_else(|| panic!("a CV015 finding at row 28: {found:?}"));
    assert!(
        repeat[3].contains("Movies Q3 (UK typo).xlsx:Movies!") && repeat[3].contains("24"),
        "{repeat:?}"
    );
    // At C5: the Territory error, and the title it holds back (reported
    // at the cell that causes it).
    let territory: Vec<&Vec<String>> = found
        .iter()
        .filter(|r| r[0] == "Movies!C5" && r[3].contains("not an ISO 3166-1"))
        .collect();
    assert_eq!(
        territory.len(),
        1,
        "one Territory finding at Movies!C5: {found:?}"
    );
    assert_eq!(territory[0][1], "Territory", "named by the sheet's column");
    assert!(
        territory[0][2].contains("VIEW_MT_2006"),
        "{:?}",
        territory[0]
    );
    assert!(territory[0][3].contains("UK"), "{:?}", territory[0]);
    let cards = b
        .js("return Array.from(document.querySelectorAll('.cards .card')).map(c => c.textContent)")
        .await;
    let cards: Vec<String> = serde_json::from_value(cards).unwrap();
    assert!(cards.contains(&"27Rows read".to_string()), "{cards:?}");
    // Errors come first: the first group is an error.
    let first = b
        .js("return document.querySelector('section.group h3 .badge').textContent")
        .await;
    assert_eq!(first, "Error");

    // Filters: errors of the Territory column only.
    b.js("const s = document.querySelector('select[name=severity]'); s.value = 'error'; s.dispatchEvent(new Event('change'))")
        .await;
    b.wait_for(
        "the severity filter",
        "return location.search.includes('severity=error')",
    )
    .await;
    b.js("const s = document.querySelector('select[name=column]'); s.value = 'Territory'; s.dispatchEvent(new Event('change'))")
        .await;
    b.wait_for(
        "the column filter",
        "return location.search.includes('column=Territory')",
    )
    .await;
    let filtered = rows(&b.js(FINDINGS).await);
    assert!(!filtered.is_empty(), "{filtered:?}");
    assert!(filtered.iter().all(|r| r[0] == "Movies!C5"), "{filtered:?}");
    b.screenshot("3-check-filtered").await;

    // The annotated workbook: the link's file, read back.
    let href = b
        .js("return document.querySelector('a[href$=\"annotated.xlsx\"]').getAttribute('href')")
        .await;
    let response = served.get(href.as_str().unwrap()).await;
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("Movies Q3 (UK typo) (checked).xlsx"));
    let annotated = dir.path().join("downloaded.xlsx");
    std::fs::write(&annotated, response.bytes().await.unwrap()).unwrap();
    let mut book: Xlsx<_> = open_workbook(&annotated).unwrap();
    assert_eq!(
        book.sheet_names().last().map(String::as_str),
        Some("Findings")
    );
    let movies = book.worksheet_range("Movies").unwrap();
    assert_eq!(
        movies.get_value((4, 2)),
        Some(&Data::String("UK".into())),
        "the sheet's values are kept, C5 included"
    );
    let listed = book.worksheet_range("Findings").unwrap();
    let text: Vec<String> = listed
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    assert!(
        text.iter().any(|l| l.contains("CV024") && l.contains("C5")),
        "the Findings sheet lists CV024 at C5: {text:#?}"
    );
    assert_no_stored_path(&text.join("\n"), &served, "the annotated workbook");

    // Compare against the (empty) sandbox.
    b.click("nav a[href$='/compare']").await;
    b.wait_for(
        "the comparison",
        "return !!document.querySelector('article.title')",
    )
    .await;
    b.screenshot("4-compare").await;
    let titles: Vec<(String, String)> = rows(&b.js(TITLES).await)
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let status = |alid: &str, territory: &str| -> String {
        titles
            .iter()
            .find(|(meta, _)| {
                meta.contains(&format!("ALID {alid} "))
                    && meta.contains(&format!("· {territory} ·"))
            })
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("no {alid} {territory} on Compare: {titles:?}"))
    };
    assert_eq!(status("FIRSTDANCE_2012_ES", "ES"), "new");
    // Held back and refused locally: shown as such, never as missing on
    // the server.
    assert_eq!(status("VIEW_MT_2006", "US"), "held-back");
    assert_eq!(status("FIRSTDANCE_2012", "CA"), "refused");
    let bars = b
        .js("return document.querySelectorAll('article.status-new .lane.sheet .bar').length")
        .await;
    assert!(
        bars.as_u64().unwrap() >= 2,
        "the sheet's windows are on the timeline"
    );
    let ticks = b
        .js("return document.querySelectorAll('.timeline .tick').length")
        .await;
    assert!(ticks.as_u64().unwrap() > 0, "year ticks");
    let today = b
        .js("return document.querySelectorAll('.timeline .todayline').length")
        .await;
    assert!(today.as_u64().unwrap() > 0, "a today line");

    // Send: the plan first; nothing leaves without the confirmation.
    b.click("a.button.primary[href$='/send']").await;
    b.wait_for(
        "the plan",
        "return !!document.querySelector('form.confirm')",
    )
    .await;
    b.screenshot("5-plan").await;
    b.click("#send-button").await;
    // The box is required: the browser does not submit, the page stays.
    assert!(b.url().await.ends_with("/send"));
    assert!(
        b.js("return !!document.querySelector('form.confirm')")
            .await
            == Value::Bool(true)
    );
    b.click("form.confirm input[type=checkbox]").await;
    b.click("#send-button").await;
    b.wait_for(
        "the receipt",
        "return location.pathname.endsWith('/receipt')",
    )
    .await;
    b.screenshot("6-receipt").await;
    assert_no_stored_path(&b.text().await, &served, "the receipt");
    let receipt = rows(&b.js(RECEIPT).await);
    let outcome = |alid: &str, territory: &str| -> String {
        receipt
            .iter()
            .find(|r| r[1] == alid && r[2] == territory)
            .map(|r| r[4].clone())
            .unwrap_or_else(|| panic!("no {alid} {territory} on the receipt: {receipt:?}"))
    };
    assert_eq!(outcome("FIRSTDANCE_2012_ES", "ES"), "sent");
    assert_eq!(outcome("VIEW_MT_2006", "US"), "held back");
    assert_eq!(outcome("FIRSTDANCE_2012", "CA"), "refused locally");
    let json = b
        .js("return document.querySelector('a[href$=\"receipt.json\"]').getAttribute('href')")
        .await;
    let receipt_json: Value = served
        .get(json.as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receipt_json["profile"], "sandbox");
    assert!(
        receipt_json["sent"].as_u64().unwrap() >= 1,
        "{receipt_json}"
    );
    assert_no_stored_path(&receipt_json.to_string(), &served, "the receipt's JSON");
    // The JSON has each row's status too, its file by the name dropped.
    let row = |json: &Value, n: u64| -> String {
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["row"] == n && r["sheet"] == "Movies")
            .map(|r| {
                assert_eq!(r["file"], "Movies Q3 (UK typo).xlsx");
                r["status"].as_str().unwrap().to_string()
            })
            .unwrap_or_else(|| panic!("no row {n} in the receipt's JSON"))
    };
    assert_eq!(row(&receipt_json, 24), "sent");

    // The status workbook: each row's outcome beside it.
    let status_href = b
        .js("return document.querySelector('a[href$=\"status.xlsx\"]').getAttribute('href')")
        .await;
    let status_href = status_href.as_str().unwrap().to_string();
    let first = status_column(&served, &status_href, &dir.path().join("status-1.xlsx")).await;
    // First Dance ES: rows 22-25 sent; rows 26-29, which repeat them, not
    // on their own.
    for n in 22..=29 {
        let status = first
            .get(&n)
            .unwrap_or_else(|| panic!("no status for row {n}: {first:?}"));
        if n >= 26 {
            assert!(
                status.starts_with("not sent on its own:"),
                "row {n}: {status}"
            );
        } else {
            assert_eq!(status, "sent", "row {n}");
        }
    }
    // Row 5's Territory `UK`: refused, and it holds View from a Mountain back.
    assert!(
        first[&5].starts_with("refused:") && first[&5].contains("UK"),
        "row 5: {}",
        first[&5]
    );
    for (n, status) in &first {
        assert_no_stored_path(status, &served, &format!("row {n}'s status"));
    }

    // The same sheet again: everything sent before is unchanged.
    b.click("nav a[href$='/send']").await;
    b.wait_for(
        "the second plan",
        "return !!document.querySelector('form.confirm')",
    )
    .await;
    let planned = b
        .js("return Array.from(document.querySelectorAll('table.plan tbody tr')).map(r => r.cells[1].textContent + ' ' + r.cells[2].textContent + ' ' + r.cells[4].textContent)")
        .await;
    let planned: Vec<String> = serde_json::from_value(planned).unwrap();
    assert!(
        planned.contains(&"VIEW_MT_2006 US held back".to_string()),
        "{planned:?}"
    );
    assert!(
        planned.contains(&"FIRSTDANCE_2012_ES ES unchanged".to_string()),
        "{planned:?}"
    );
    b.screenshot("7-plan-again").await;
    b.click("form.confirm input[type=checkbox]").await;
    b.click("#send-button").await;
    b.wait_for(
        "the second receipt",
        "return location.pathname.endsWith('/receipt')",
    )
    .await;
    let receipt = rows(&b.js(RECEIPT).await);
    let again = |alid: &str, territory: &str| -> String {
        receipt
            .iter()
            .find(|r| r[1] == alid && r[2] == territory)
            .map(|r| r[4].clone())
            .unwrap()
    };
    assert_eq!(again("VIEW_MT_2006", "US"), "held back");
    assert_eq!(again("FIRSTDANCE_2012_ES", "ES"), "unchanged");
    let sent = b
        .js("return Array.from(document.querySelectorAll('.cards .card')).find(c => c.textContent.endsWith('Sent')).querySelector('.value').textContent")
        .await;
    assert_eq!(sent, "0");
    b.screenshot("8-receipt-unchanged").await;
    // The second send's status workbook: what was sent is unchanged now.
    let second = status_column(&served, &status_href, &dir.path().join("status-2.xlsx")).await;
    for n in 22..=25 {
        assert_eq!(second[&n], "unchanged", "row {n} after the second send");
    }
    assert!(second[&28].starts_with("not sent on its own:"));
    assert!(second[&5].starts_with("refused:"));

    // The next quarter's sheet: First Dance ES's VOD HD window (row 24,
    // repeated on row 28) now ends 2013-10-20 (Excel day 41567) instead of
    // 2013-09-20 (41537).
    let next = support::edited_workbook(
        dir.path(),
        "Movies Q4.xlsx",
        &[
            ("C5", Edit::Text("UK")),
            ("R24", Edit::Number("41567")),
            ("R28", Edit::Number("41567")),
        ],
    );
    b.click("a.brand").await;
    b.wait_for(
        "the drop zone",
        "return !!document.querySelector('#upload')",
    )
    .await;
    b.type_into("#files", &next.display().to_string()).await;
    b.wait_for(
        "the check of the next sheet",
        "return location.pathname.endsWith('/check') && !location.pathname.startsWith('/sets/1/')",
    )
    .await;
    b.click("nav a[href$='/compare']").await;
    b.wait_for(
        "the comparison",
        "return !!document.querySelector('article.title')",
    )
    .await;
    b.screenshot("9-compare-changed").await;
    let changed = rows(
        &b.js("return Array.from(document.querySelectorAll('article.status-changed')).map(a => [a.querySelector('.meta').textContent].concat(Array.from(a.querySelectorAll('table.changes tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent.trim()).join(' | '))))")
            .await,
    );
    assert_eq!(changed.len(), 1, "one title changed: {changed:?}");
    assert!(changed[0][0].contains("FIRSTDANCE_2012_ES") && changed[0][0].contains("ES"));
    let change: Vec<&str> = changed[0][1].split(" | ").collect();
    assert_eq!(change[1], "End", "named by the sheet's column: {change:?}");
    assert!(
        change[2].starts_with("2013-10-20"),
        "the sheet's value: {change:?}"
    );
    assert!(
        change[3].starts_with("2013-09-20"),
        "the server's value: {change:?}"
    );
    assert_eq!(change[4], "Movies!R24", "{change:?}");
    // View from a Mountain is still held back by its `UK` row: never sent,
    // so neither unchanged nor missing.
    let held = b
        .js("return document.querySelectorAll('article.status-held-back').length")
        .await;
    assert!(
        held.as_u64().unwrap() >= 1,
        "View from a Mountain US is held back"
    );
    b.click("a.button.primary[href$='/send']").await;
    b.wait_for(
        "the plan of the change",
        "return !!document.querySelector('form.confirm')",
    )
    .await;
    let plan_text = b
        .js("return document.querySelector('table.plan').innerText")
        .await;
    assert!(
        plan_text.as_str().unwrap().contains("Changed: End."),
        "{plan_text}"
    );
    b.screenshot("10-plan-changed").await;

    // History: the journal, newest first, searchable by title.
    b.click("nav a[href='/history']").await;
    b.wait_for(
        "the history",
        "return !!document.querySelector('table.history')",
    )
    .await;
    b.type_into("input[name=q]", "First Dance").await;
    b.click("form.filters button").await;
    b.wait_for("the search", "return location.search.includes('q=')")
        .await;
    let events = rows(
        &b.js("return Array.from(document.querySelectorAll('table.history tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent.trim()))")
            .await,
    );
    assert!(!events.is_empty());
    assert!(
        events.iter().all(|e| e[1] == "First Dance, The"
            || e[1] == "Last Dance, The"
            || e[2].starts_with("FIRSTDANCE")),
        "only First Dance's events: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e[2] == "FIRSTDANCE_2012_ES" && e[5] == "accepted"),
        "{events:?}"
    );
    b.screenshot("11-history").await;

    b.quit().await;
    let uploads = served.uploads.clone();
    assert!(uploads.exists());
    served.stop().await;
    assert!(
        !uploads.exists(),
        "the run's uploads are removed at its end"
    );
}
