//! A full extract is whole or not sent, end to end (issue 9): the real
//! `avails` binary, `--sandbox` over loopback with its state (journal and
//! sandbox database) in a temp dir, on small sheets these tests write.
//! Also: what `validate` and `submit` say about payload JSON, batch files,
//! Partial Extract rows and a missing Disposition; that the summary, the
//! manifest and `--format json` count the same rows; and (issue 10) that
//! `convert --explain` knows every column of every corpus workbook.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Output;

use avails_model::canonical::canonical;
use serde_json::{json, Value};
use support::{avails, describe, run, text};

const A: &str = "md:alid:org:studio:a";
const B: &str = "md:alid:org:studio:b";

/// The columns the test sheets use (an EMA 1.8 Movies export).
const COLUMNS: &[&str] = &[
    "DisplayName",
    "ALID",
    "EntryType",
    "ContentID",
    "WorkType",
    "TitleInternalAlias",
    "AvailID",
    "LicenseType",
    "Territory",
    "FormatProfile",
    "Start",
    "End",
    "PriceType",
    "PriceValue",
    "PriceCurrency",
];

/// One window of a movie: (AvailID, FormatProfile, Start, End, WSP).
type Window = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The five windows of title A in the US: HD and SD over two periods, and
/// an open-ended HD catalogue window.
const FIVE: [Window; 5] = [
    ("a-hd-1", "HD", "2024-01-01", "2024-12-31", "14.99"),
    ("a-sd-1", "SD", "2024-01-01", "2024-12-31", "9.99"),
    ("a-hd-2", "HD", "2025-01-01", "2025-12-31", "12.99"),
    ("a-sd-2", "SD", "2025-01-01", "2025-12-31", "7.99"),
    ("a-hd-3", "HD", "2026-01-01", "Open", "9.99"),
];

fn csv_row(alid: &str, title: &str, w: &Window) -> Vec<String> {
    let (id, format, start, end, wsp) = *w;
    [
        "Studio",
        alid,
        "Full Extract",
        "",
        "Movie",
        title,
        id,
        "EST",
        "US",
        format,
        start,
        end,
        "WSP",
        wsp,
        "USD",
    ]
    .map(str::to_string)
    .to_vec()
}

/// One CSV line, fields quoted as Excel saves them when they need it.
fn csv_line(fields: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let quoted: Vec<String> = fields
        .into_iter()
        .map(|f| {
            let f = f.as_ref();
            if f.contains([',', '"', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.to_string()
            }
        })
        .collect();
    quoted.join(",") + "\r\n"
}

fn write_csv(dir: &Path, name: &str, rows: &[Vec<String>]) -> PathBuf {
    let path = dir.join(name);
    let mut text = csv_line(COLUMNS);
    for r in rows {
        text.push_str(&csv_line(r));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// The sheet of title A's windows.
fn sheet_of(windows: &[Window]) -> Vec<Vec<String>> {
    windows
        .iter()
        .map(|w| csv_row(A, "First Dance, The", w))
        .collect()
}

/// `avails <args>` run in `dir` with `--sandbox` and the state in `dir/state`.
fn sandboxed(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = avails(dir);
    cmd.args(args).args(["--sandbox", "--state-dir", "state"]);
    run(&mut cmd)
}

/// The windows the sandbox holds for a scope, canonical, or `None` (404).
fn held(dir: &Path, alid: &str, territory: &str, line: &str) -> Option<Vec<Value>> {
    let out = sandboxed(
        dir,
        &[
            "get",
            "--alid",
            alid,
            "--territory",
            territory,
            "--business-line",
            line,
        ],
    );
    match out.status.code() {
        Some(0) => {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            Some(
                v["avail"]["Transaction"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(canonical)
                    .collect(),
            )
        }
        Some(1) => None,
        _ => panic!("get failed: {}", describe(&out)),
    }
}

/// The transaction the standard gives for one of A's windows: a date-only
/// Start begins at T00:00:00, a date-only End ends at T23:59:59 (MovieLabs'
/// data dictionary), `Open` is no End.
fn expected_window(w: &Window) -> Value {
    let (id, format, start, end, wsp) = *w;
    let mut t = json!({
        "_TransactionID": id,
        "LicenseType": "EST",
        "Territory": [{"country": "US"}],
        "FormatProfile": {"value": format},
        "Start": format!("{start}T00:00:00"),
        "Terms": [{"_termName": "WSP", "Money": {"value": wsp.parse::<f64>().unwrap(), "_currency": "USD"}}]
    });
    if end != "Open" {
        t["End"] = json!(format!("{end}T23:59:59"));
    }
    canonical(&t)
}

fn submit_json(dir: &Path, file: &str) -> (Option<i32>, Value, Output) {
    let out = sandboxed(dir, &["submit", "--format", "json", file]);
    let summary: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON summary ({e}): {}", describe(&out)));
    (out.status.code(), summary, out)
}

#[test]
fn a_broken_cell_leaves_what_the_server_holds_untouched_until_it_is_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // 1. The sandbox holds the title's five windows.
    write_csv(dir, "a.csv", &sheet_of(&FIVE));
    let (code, summary, out) = submit_json(dir, "a.csv");
    assert_eq!(code, Some(0), "{}", describe(&out));
    assert_eq!(summary["report"]["sent"], 1, "{summary:#}");
    let original: Vec<Value> = FIVE.iter().map(expected_window).collect();
    assert_eq!(held(dir, A, "US", "TVOD"), Some(original.clone()));

    // 2. The sheet changes one window (a-sd-1 now 6.99) and breaks another
    //    (a-hd-2's Start is not a date).
    let mut changed = FIVE;
    changed[1].4 = "6.99";
    let mut broken = changed;
    broken[2].2 = "2025-13-01";
    write_csv(dir, "a.csv", &sheet_of(&broken));
    let out = sandboxed(dir, &["submit", "a.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stderr);
    // Start is column K; a-hd-2 is the third avail, row 4.
    assert!(
        err.contains("a.csv:K4: error[CV001]"),
        "names the broken cell: {}",
        describe(&out)
    );
    assert!(
        err.contains(&format!("protected: {A} US TVOD")),
        "says which windows it protected: {}",
        describe(&out)
    );
    assert!(err.contains("sent 0,"), "{}", describe(&out));
    // The server still holds the five original windows, a-sd-1 at 9.99.
    assert_eq!(held(dir, A, "US", "TVOD"), Some(original));

    // 3. Fixed, the next submit sends the group whole, the change included.
    write_csv(dir, "a.csv", &sheet_of(&changed));
    let (code, summary, out) = submit_json(dir, "a.csv");
    assert_eq!(code, Some(0), "{}", describe(&out));
    assert_eq!(summary["report"]["sent"], 1, "{summary:#}");
    assert_eq!(
        held(dir, A, "US", "TVOD"),
        Some(changed.iter().map(expected_window).collect())
    );
}

#[test]
fn the_issue_reproducer_sends_nothing_for_a_title_whose_rows_disagree() {
    // Two rows of one title and territory whose titles differ, beside a
    // title that converts.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_csv(
        dir,
        "titles.csv",
        &[
            csv_row(A, "The First Dance", &FIVE[0]),
            csv_row(A, "First Dance, The", &FIVE[1]),
            csv_row(
                B,
                "Second Film",
                &("b-hd", "HD", "2024-01-01", "Open", "9.99"),
            ),
        ],
    );
    let out = sandboxed(dir, &["submit", "titles.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("titles.csv:F3: error[CV002]"),
        "names the conflicting cell: {}",
        describe(&out)
    );
    assert!(
        err.contains(&format!("protected: {A} US TVOD (FullExtract) is not sent")),
        "names the protected windows: {}",
        describe(&out)
    );
    assert!(
        err.contains("sent 1,"),
        "only B is sent: {}",
        describe(&out)
    );
    assert_eq!(held(dir, A, "US", "TVOD"), None, "nothing of A was sent");
    assert!(held(dir, B, "US", "TVOD").is_some());
    // The same with --format json.
    let (code, summary, out) = submit_json(dir, "titles.csv");
    assert_eq!(code, Some(1), "{}", describe(&out));
    assert_eq!(summary["heldBack"][0]["alid"], A, "{summary:#}");
    // The blocking row (or its cell).
    let blocking = summary["heldBack"][0]["blocking"][0]["location"]
        .as_str()
        .unwrap();
    assert!(
        ["titles.csv:3", "titles.csv:F3"].contains(&blocking),
        "{summary:#}"
    );
    assert_eq!(
        summary["report"]["sent"], 0,
        "B already landed: {summary:#}"
    );
}

#[test]
fn a_partial_extract_row_is_validated_and_sent_as_a_partial_extract() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut row = csv_row(A, "First Dance, The", &FIVE[0]);
    row[2] = "Partial Extract".into();
    write_csv(dir, "partial.csv", &[row]);
    let out = run(avails(dir).args(["validate", "partial.csv"]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let (code, summary, out) = submit_json(dir, "partial.csv");
    assert_eq!(
        code,
        Some(0),
        "validate passed it, submit sends it: {}",
        describe(&out)
    );
    assert_eq!(summary["report"]["sent"], 1, "{summary:#}");
    assert_eq!(summary["report"]["rejected"], json!([]), "{summary:#}");
    // It is the window of that TransactionID, by the partial-extract endpoint.
    let out = sandboxed(dir, &["get", "--transaction", "a-hd-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        canonical(&got["avail"]["Transaction"][0]),
        expected_window(&FIVE[0]),
        "{got:#}"
    );
}

#[test]
fn partial_and_full_extracts_of_one_sheet_each_go_by_their_own_endpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Title A: one Partial Extract row; title B: two full-extract windows.
    let mut partial = csv_row(A, "First Dance, The", &FIVE[0]);
    partial[2] = "Partial Extract".into();
    let b_hd = csv_row(
        B,
        "Second Wind",
        &("b-hd-1", "HD", "2024-01-01", "2024-12-31", "14.99"),
    );
    let b_sd = csv_row(
        B,
        "Second Wind",
        &("b-sd-1", "SD", "2024-01-01", "2024-12-31", "9.99"),
    );
    write_csv(dir, "mixed.csv", &[b_hd, partial, b_sd]);
    let (code, summary, out) = submit_json(dir, "mixed.csv");
    assert_eq!(code, Some(0), "{}", describe(&out));
    assert_eq!(summary["report"]["sent"], 2, "{summary:#}");
    assert_eq!(summary["report"]["failed"], json!([]), "{summary:#}");
    // B's payload is whole (both windows); A's window is there by its ID.
    assert_eq!(held(dir, B, "US", "TVOD").map(|w| w.len()), Some(2));
    let out = sandboxed(dir, &["get", "--transaction", "a-hd-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn a_dry_run_of_an_unsorted_sheet_plans_each_payload_once_and_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Title A's first window, then 1,500 one-row titles (more than a group
    // stays open without a row of its own), then A's other four windows:
    // A's group is closed, then reopened; it must be planned once, whole.
    let mut rows = vec![csv_row(A, "First Dance, The", &FIVE[0])];
    for i in 0..1500 {
        let alid = format!("md:alid:org:studio:filler-{i}");
        let mut row = csv_row(&alid, "Filler", &FIVE[0]);
        row[6] = format!("filler-{i}-hd");
        rows.push(row);
    }
    rows.extend(FIVE[1..].iter().map(|w| csv_row(A, "First Dance, The", w)));
    write_csv(dir, "unsorted.csv", &rows);
    let out = sandboxed(
        dir,
        &["submit", "--dry-run", "--format", "json", "unsorted.csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["report"]["planned"], 1501, "{summary:#}");
    assert_eq!(summary["report"]["sent"], 0, "{summary:#}");
    // Nothing was sent, and A's payload as converted holds all five windows.
    assert_eq!(held(dir, A, "US", "TVOD"), None);
    let out = run(avails(dir).args(["convert", "unsorted.csv", "-o", "-"]));
    let a: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|p| p["avail"]["ALID"] == A)
        .collect();
    assert_eq!(a.len(), 1, "{}", describe(&out));
    assert_eq!(
        a[0]["avail"]["Transaction"].as_array().map(Vec::len),
        Some(5)
    );
    // The user is told why it took two reads, and how to save one.
    assert!(
        text(&out.stderr).contains("read twice"),
        "{}",
        describe(&out)
    );

    // To a folder: A's first file is replaced by its whole payload, not
    // left beside it, and the folder holds exactly what the manifest lists.
    let out = run(avails(dir).args([
        "convert",
        "unsorted.csv",
        "-o",
        "folder",
        "--format",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let written: Value =
        serde_json::from_slice(&std::fs::read(dir.join("folder/manifest.json")).unwrap()).unwrap();
    assert_eq!(printed, written);
    let entries = written["payloads"].as_array().unwrap();
    let mut listed: Vec<String> = entries
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(dir.join("folder"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n != "manifest.json")
        .collect();
    on_disk.sort();
    assert_eq!(listed.len(), 1501);
    assert_eq!(listed, on_disk);
    let a: Vec<&Value> = entries.iter().filter(|e| e["alid"] == A).collect();
    assert_eq!(a.len(), 1, "{written:#}");
    assert_eq!(a[0]["transactions"], 5);
    assert_eq!(a[0]["sources"].as_array().map(Vec::len), Some(5));
    let file = dir.join("folder").join(a[0]["file"].as_str().unwrap());
    let payload: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    assert_eq!(
        payload["avail"]["Transaction"].as_array().map(Vec::len),
        Some(5)
    );
}

#[test]
fn a_missing_disposition_is_never_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // An empty EntryType cell: an error at that cell, nothing sent.
    let mut row = csv_row(A, "First Dance, The", &FIVE[0]);
    row[2] = String::new();
    write_csv(dir, "entry.csv", &[row]);
    let out = sandboxed(dir, &["submit", "entry.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("entry.csv:C2: error[CV001]"),
        "{}",
        describe(&out)
    );
    assert_eq!(held(dir, A, "US", "TVOD"), None);
    // A payload without Disposition: AV004, refused by validate and submit.
    let payload = json!({"avail": {
        "ALID": B,
        "Licensor": {"DisplayName": "Studio"},
        "Asset": [{"_contentID": B, "WorkType": "Movie", "Metadata": {"TitleInternalAlias": ["Second Film"]}}],
        "Transaction": [expected_window(&("b-hd", "HD", "2024-01-01", "Open", "9.99"))]
    }});
    std::fs::write(dir.join("no-disposition.json"), payload.to_string()).unwrap();
    let out = run(avails(dir).args(["validate", "--format", "json", "no-disposition.json"]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let findings: Vec<Value> = findings_of(&out);
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "AV004" && f["severity"] == "error"),
        "{findings:#?}"
    );
    let (code, summary, out) = submit_json(dir, "no-disposition.json");
    assert_eq!(code, Some(1), "{}", describe(&out));
    assert_eq!(summary["report"]["sent"], 0, "{summary:#}");
    assert_eq!(held(dir, B, "US", "TVOD"), None);
}

fn codes_at(findings: &[Value], code: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["path"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn validate_checks_payload_json_and_batch_files_as_given() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let payload = |alid: &str, territories: &[&str]| {
        let transactions: Vec<Value> = territories
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut w = expected_window(&FIVE[0]);
                w["_TransactionID"] = json!(format!("{alid}-{i}"));
                w["Territory"] = json!([{ "country": t }]);
                w
            })
            .collect();
        json!({"avail": {
            "ALID": alid,
            "Disposition": {"EntryType": "FullExtract"},
            "Licensor": {"DisplayName": "Studio"},
            "Asset": [{"_contentID": alid, "WorkType": "Movie", "Metadata": {"TitleInternalAlias": ["T"]}}],
            "Transaction": transactions
        }})
    };
    // A full extract naming two territories: refused, not regrouped.
    std::fs::write(dir.join("two.json"), payload(A, &["US", "CA"]).to_string()).unwrap();
    let out = run(avails(dir).args(["validate", "--format", "json", "two.json"]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let findings: Vec<Value> = findings_of(&out);
    assert_eq!(codes_at(&findings, "AV022").len(), 1, "{findings:#?}");
    // A batch of 120 items, one ID reused, one path repeated, one malformed.
    let mut items: Vec<Value> = (0..120)
        .map(|i| {
            let alid = format!("batch-{i}");
            json!({
                "requestItemId": format!("item-{i}"),
                "path": format!("/avails/lic/full-extract/{alid}"),
                "body": payload(&alid, &["US"]),
            })
        })
        .collect();
    items[7]["requestItemId"] = json!("item-3");
    items[10]["path"] = items[9]["path"].clone();
    items[10]["body"] = items[9]["body"].clone();
    items[20]["path"] = json!("/avails/lic/full-extrakt/batch-20");
    std::fs::write(
        dir.join("batch.json"),
        json!({ "requestItems": items }).to_string(),
    )
    .unwrap();
    let out = run(avails(dir).args(["validate", "--format", "json", "batch.json"]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let findings: Vec<Value> = findings_of(&out);
    assert_eq!(
        codes_at(&findings, "AV090"),
        vec!["/requestItems"],
        "{findings:#?}"
    );
    assert_eq!(
        codes_at(&findings, "AV091"),
        vec!["/requestItems/7/requestItemId"]
    );
    assert_eq!(codes_at(&findings, "AV092"), vec!["/requestItems/20/path"]);
    assert!(
        findings.iter().all(|f| f["file"] == "batch.json"),
        "every finding names the file: {findings:#?}"
    );
}

/// `12 rows read: 8 converted, 1 rejected, 3 held back ...` as numbers.
fn summary_numbers(summary: &str) -> Vec<usize> {
    summary
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect()
}

#[test]
fn the_summary_the_manifest_and_format_json_count_the_same_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut rows = sheet_of(&FIVE);
    // A: one bad price holds the five windows back.
    rows[3][13] = "1,299".into();
    // B: two good windows, written.
    rows.push(csv_row(
        B,
        "Second Film",
        &("b-hd", "HD", "2024-01-01", "Open", "9.99"),
    ));
    rows.push(csv_row(
        B,
        "Second Film",
        &("b-sd", "SD", "2024-01-01", "Open", "4.99"),
    ));
    write_csv(dir, "mixed.csv", &rows);
    let out = run(avails(dir).args(["convert", "-o", "out", "mixed.csv"]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/manifest.json")).unwrap())
            .unwrap();
    let r = &manifest["rows"];
    let n = |v: &Value| v.as_u64().unwrap() as usize;
    assert_eq!(
        (
            n(&r["read"]),
            n(&r["converted"]),
            n(&r["rejected"]),
            n(&r["heldBack"])
        ),
        (7, 2, 1, 4),
        "{manifest:#}"
    );
    let c = &manifest["counts"];
    assert_eq!(
        (n(&c["written"]), n(&c["heldBack"])),
        (1, 1),
        "{manifest:#}"
    );
    assert_eq!(manifest["payloads"].as_array().unwrap().len(), 1);
    assert_eq!(manifest["heldBack"].as_array().unwrap().len(), 1);
    let files = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name() != "manifest.json")
        .count();
    assert_eq!(files, 1, "one payload file");
    // The summary line says the same numbers.
    let err = text(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("rows read"))
        .unwrap_or_else(|| panic!("no summary: {}", describe(&out)));
    assert_eq!(summary_numbers(line), vec![7, 2, 1, 4, 1, 1], "{line}");
    // --format json prints the manifest.
    let out = run(avails(dir).args(["convert", "-o", "out2", "--format", "json", "mixed.csv"]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["rows"], manifest["rows"]);
    assert_eq!(printed["counts"], manifest["counts"]);
    assert_eq!(printed["heldBack"], manifest["heldBack"]);
    // And submit counts the same rows.
    let (code, summary, out) = submit_json(dir, "mixed.csv");
    assert_eq!(code, Some(1), "{}", describe(&out));
    assert_eq!(summary["rows"], manifest["rows"], "{summary:#}");
    assert_eq!(summary["report"]["sent"], 1, "{summary:#}");
}

// ------------------------------------------------------------- explain ---

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/movielabs");

/// What `avails convert --explain --format json` says of each column of a
/// workbook: (sheet, letter, header, status, targets or reason).
fn explained(workbook: &Path) -> Vec<(String, String, String, String, Value)> {
    let dir = workbook.parent().unwrap();
    let out = run(avails(dir)
        .args(["convert", "--explain", "--format", "json"])
        .arg(workbook));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        describe(&out)
    );
    let files: Vec<Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}: {}", workbook.display(), describe(&out)));
    let mut columns = Vec::new();
    for f in &files {
        for s in f["sheets"].as_array().unwrap() {
            for c in s["columns"].as_array().unwrap() {
                columns.push((
                    s["sheet"].as_str().unwrap().to_string(),
                    c["column"].as_str().unwrap().to_string(),
                    c["header"].as_str().unwrap().to_string(),
                    c["status"].as_str().unwrap().to_string(),
                    c.get("targets").cloned().unwrap_or(Value::Null),
                ));
            }
        }
    }
    columns
}

/// The headers `avails convert --explain --format json` calls unknown,
/// per sheet.
fn unknown_columns(workbook: &Path) -> Vec<String> {
    explained(workbook)
        .into_iter()
        .filter(|(_, _, _, status, _)| status == "unknown")
        .map(|(sheet, column, header, _, _)| format!("{sheet}!{column} `{header}`"))
        .collect()
}

/// Columns `--explain` calls mapped to terms only, whose values `validate`
/// nevertheless reports left out (CV014): `--explain` would be lying.
fn mapped_but_left_out(workbook: &Path) -> Vec<String> {
    let dir = workbook.parent().unwrap();
    let out = run(avails(dir)
        .args(["validate", "--format", "json"])
        .arg(workbook));
    let printed: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}: {}", workbook.display(), describe(&out)));
    let findings = printed["findings"].as_array().cloned().unwrap_or_default();
    let left_out: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f["code"] == "CV014")
        .map(|f| {
            (
                f["sheet"].as_str().unwrap_or("").to_string(),
                f["column"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    explained(workbook)
        .into_iter()
        .filter(|(_, _, _, status, targets)| {
            // A term column: every target a term, the price triple aside
            // (its PriceType decides, row by row, which term it is).
            status == "mapped"
                && targets.as_array().is_some_and(|t| {
                    t.iter().all(|t| {
                        t.as_str().is_some_and(|t| {
                            t.starts_with("Transaction.Terms[") && !t.contains("PriceType")
                        })
                    })
                })
        })
        .filter(|(sheet, column, _, _, _)| left_out.contains(&(sheet.clone(), column.clone())))
        .map(|(sheet, column, header, _, _)| format!("{sheet}!{column} `{header}`"))
        .collect()
}

/// Writes a one-sheet workbook in MovieLabs' template layout (categories,
/// names, `//` comments, then `rows`) with these header cells.
fn write_template(path: &Path, sheet: &str, header: &[&str], rows: &[Vec<(&str, &str)>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (c, name) in header.iter().enumerate() {
        let c = c as u16;
        ws.write_string(0, c, "Avail").unwrap();
        ws.write_string(1, c, *name).unwrap();
        ws.write_string(2, c, "//Optional").unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (name, value) in row {
            let c = header.iter().position(|h| h == name).unwrap() as u16;
            ws.write_string(3 + r as u32, c, *value).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// Workbooks of the EMA versions the corpus lacks, with every column each
/// version's template defines (`mappings/ema-versions.toml`): 1.6 Movies,
/// 1.6 TV (its `ExceptionsFlag` typo) and 1.9 (StoreType, the Bonus tab's
/// Ref* columns, the template's `VolumeDistributinoNumber` typo), each with
/// one row filling the MDDF terms Prime Video does not process.
fn template_workbooks(dir: &Path) -> Vec<PathBuf> {
    let versions = avails_mapping::ema_versions();
    let common = [
        ("DisplayName", "Studio"),
        ("Territory", "US"),
        ("EntryType", "Full Extract"),
        ("LicenseType", "EST"),
        ("FormatProfile", "HD"),
        ("Start", "2024-01-01"),
        ("End", "2025-12-31"),
        ("PriceType", "Tier"),
        ("PriceValue", "A"),
        ("FixedEndDate", "2026-01-01"),
    ];
    let mut out = Vec::new();
    for (version, sheet, extra) in [
        (
            "1.6 Movies",
            "Movies",
            vec![
                ("WorkType", "Movie"),
                ("AltID", "STUDIO-1"),
                ("TitleInternalAlias", "A Movie"),
            ],
        ),
        (
            "1.6 TV",
            "TV",
            vec![
                ("WorkType", "Episode"),
                ("EpisodeAltID", "EP-1"),
                ("SeasonAltID", "SEA-1"),
                ("EpisodeNumber", "1"),
                ("SeasonNumber", "1"),
            ],
        ),
        (
            "1.9 AllAvails",
            "Avails",
            vec![
                ("WorkType", "Movie"),
                ("ALID", "md:alid:org:studio:a"),
                ("TitleInternalAlias", "A Movie"),
                ("TitleStatus", "New"),
                ("PackageLabel", "Deluxe"),
                ("CampaignID", "SPRING"),
                ("TPRType", "Sale"),
                ("StoreType", "Digital"),
                ("RefALID", "md:alid:org:studio:parent"),
            ],
        ),
    ] {
        let header: Vec<&str> = versions[version].all().collect();
        let row: Vec<(&str, &str)> = common
            .iter()
            .chain(&extra)
            .filter(|(c, _)| header.contains(c))
            .copied()
            .collect();
        let path = dir.join(format!("ema-{}.xlsx", version.replace(' ', "-")));
        write_template(&path, sheet, &header, &[row]);
        out.push(path);
    }
    out
}

#[test]
fn explain_tells_what_happens_to_every_column_of_every_workbook() {
    // Every workbook of tests/data, and one of each EMA version the corpus
    // lacks written from that version's template: no column of its own
    // version is UNKNOWN, and no column is called mapped whose values are
    // left out (TitleStatus, PackageLabel, CampaignID, TPRType: terms
    // Prime Video does not process).
    let mut workbooks: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    workbooks.sort();
    let names: Vec<String> = workbooks
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "Avails_noErrors_v2.3_v1.8.xlsx",
            "Movies_v1.7.2.xlsx",
            "Movies_v1.7.2_Bundle.xlsx",
            "TV_v1.7.3.xlsx",
            "TV_v1.8.xlsx",
        ],
        "the corpus changed: list its workbooks here"
    );
    let dir = tempfile::tempdir().unwrap();
    workbooks.extend(template_workbooks(dir.path()));
    for path in &workbooks {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(unknown_columns(path), Vec::<String>::new(), "{name}");
        assert_eq!(mapped_but_left_out(path), Vec::<String>::new(), "{name}");
    }
    // The 1.9 one says what happens to its terms and its Ref* column, and
    // the 1.6 TV one where its ALID comes from.
    let say = |path: &Path, header: &str| -> String {
        let found = explained(path)
            .into_iter()
            .find(|(_, _, h, _, _)| h == header)
            .unwrap_or_else(|| panic!("{header}"));
        format!("{} {}", found.3, found.4)
    };
    let v19 = &workbooks[workbooks.len() - 1];
    for term in ["TitleStatus", "CampaignID", "TPRType", "FixedEndDate"] {
        assert!(
            say(v19, term).starts_with("ignored"),
            "{term}: {}",
            say(v19, term)
        );
    }
    assert!(say(v19, "RefTerritory").starts_with("ignored"));
    let tv16 = &workbooks[workbooks.len() - 2];
    assert!(
        say(tv16, "EpisodeAltID").contains("Avail.ALID on Episode rows"),
        "{}",
        say(tv16, "EpisodeAltID")
    );
    assert!(say(tv16, "AvailID").contains("Transaction._TransactionID"));
    assert!(!say(tv16, "AvailID").contains("Avail.ALID"));
    // EMA 1.6 Movies: AltID is the ALID, ContentID the title's ID (not sent).
    let movies16 = &workbooks[workbooks.len() - 3];
    assert!(say(movies16, "AltID").contains("Avail.ALID"));
    assert!(say(movies16, "ContentID").starts_with("ignored"));
}

/// The title of the issue-27 table: live in FR/TVOD with three windows.
const SC: &str = "SC_1";

/// Title SC's three FR windows, as CSV rows (rows 2, 3 and 4 of the sheet).
fn fr_sheet() -> Vec<Vec<String>> {
    FIVE[..3]
        .iter()
        .map(|w| {
            let mut row = csv_row(SC, "Scope Cells", w);
            row[8] = "FR".into();
            row[14] = "EUR".into();
            row
        })
        .collect()
}

/// How many windows the sandbox holds for SC in FR/TVOD.
fn live_fr_windows(dir: &Path) -> usize {
    held(dir, SC, "FR", "TVOD").map_or(0, |w| w.len())
}

/// One wrong cell in the third row (sheet row 4) of a title live with three
/// windows: (column index, value, exit code, the cell and code its finding
/// is at, whether the title is held back).
const WRONG_SCOPE_CELLS: &[(usize, &str, i32, &str, bool)] = &[
    (8, "FRA", 1, "I4: error[CV024]", true),
    (8, "France", 1, "I4: error[CV024]", true),
    (8, "F\u{200b}R", 1, "I4: error[CV024]", true),
    (8, "F\u{a0}R", 1, "I4: error[CV024]", true),
    (2, "Fool Extract", 1, "C4: error[CV024]", true),
    (2, "Full Delete", 1, "C4: error[CV026]", true),
    (1, "SC_\u{200b}1", 1, "B4: error[CV024]", true),
    (1, "\u{feff}SC_1", 1, "B4: error[CV024]", true),
    (1, "sc_1", 1, "B4: error[CV027]", true),
    (7, "ESTT", 1, "H4: error[CV003]", true),
    // The meaning is certain: read as FR, with a warning at the cell.
    (8, "fr", 0, "I4: warning[CV025]", false),
];

#[test]
fn a_wrong_scope_cell_holds_back_its_whole_title_and_the_live_windows_stay() {
    for &(column, value, code, finding, held_back) in WRONG_SCOPE_CELLS {
        let case = format!("{} = {value:?}", COLUMNS[column]);
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write_csv(dir, "sc.csv", &fr_sheet());
        let out = sandboxed(dir, &["submit", "sc.csv"]);
        assert_eq!(out.status.code(), Some(0), "{case}: {}", describe(&out));
        assert_eq!(live_fr_windows(dir), 3, "{case}");

        let mut sheet = fr_sheet();
        sheet[2][column] = value.to_string();
        write_csv(dir, "sc.csv", &sheet);
        let checked = run(avails(dir).args(["validate", "sc.csv"]));
        assert_eq!(
            checked.status.code(),
            Some(code),
            "{case}: {}",
            describe(&checked)
        );
        assert!(
            text(&checked.stdout).contains(&format!("sc.csv:{finding}")),
            "{case}: the finding is at the wrong cell: {}",
            describe(&checked)
        );
        let out = sandboxed(dir, &["submit", "sc.csv"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{case}: {}", describe(&out));
        assert_eq!(live_fr_windows(dir), 3, "{case}: a live window was lost");
        assert_eq!(
            err.contains("protected: SC_1 FR TVOD"),
            held_back,
            "{case}: the summary names the scope held back: {}",
            describe(&out)
        );

        // The manifest lists the scope held back, blocked at that row.
        let out = run(avails(dir).args(["convert", "sc.csv", "-o", "out"]));
        assert_eq!(out.status.code(), Some(code), "{case}: {}", describe(&out));
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(dir.join("out/manifest.json")).unwrap()).unwrap();
        let held: Vec<&Value> = manifest["heldBack"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["alid"] == SC && h["territory"] == "FR" && h["businessLine"] == "TVOD")
            .collect();
        assert_eq!(!held.is_empty(), held_back, "{case}: {manifest:#}");
        if held_back {
            let blocked_at_row_4 = held.iter().any(|h| {
                // Blocked at the wrong cell, or (two ALIDs that look alike)
                // at the other one, naming the wrong cell.
                h["blocking"].as_array().unwrap().iter().any(|b| {
                    b["location"]
                        .as_str()
                        .is_some_and(|l| l.starts_with("sc.csv:") && l.ends_with('4'))
                        || b["reason"]
                            .as_str()
                            .is_some_and(|r| r.contains("sc.csv:B4"))
                })
            });
            assert!(blocked_at_row_4, "{case}: {manifest:#}");
            assert!(
                manifest["payloads"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|p| p["alid"] != SC && p["alid"] != "sc_1"),
                "{case}: no payload of the title is written: {manifest:#}"
            );
        }
    }
}

#[test]
fn the_mddf_path_holds_back_a_title_whose_transaction_names_a_wrong_country() {
    // MovieLabs' Avails_noErrors_v2.3.xml with the country of one of an
    // Avail's two Transactions set to `USA`: nothing of that title is
    // written, and the finding is at the country's line.
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/movielabs/Avails_noErrors_v2.3.xml"),
    )
    .unwrap();
    let first = source.find("<md:country>US</md:country>").unwrap();
    let mut broken = source.clone();
    broken.replace_range(
        first..first + "<md:country>US</md:country>".len(),
        "<md:country>USA</md:country>",
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("avails.xml"), &broken).unwrap();
    let out = run(avails(dir).args(["convert", "avails.xml", "-o", "out"]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(
        err.contains("error[CV024]") && err.contains("`USA`"),
        "{}",
        describe(&out)
    );
    assert!(err.contains("did you mean `US`?"), "{}", describe(&out));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/manifest.json")).unwrap()).unwrap();
    assert!(
        manifest["payloads"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["territory"] != "USA"),
        "no payload of its own for the wrong country: {manifest:#}"
    );
    let held = manifest["heldBack"].as_array().unwrap();
    assert!(!held.is_empty(), "{manifest:#}");
    for h in held {
        let alid = h["alid"].as_str().unwrap();
        assert!(
            manifest["payloads"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["alid"] != alid),
            "a payload of held-back title {alid} was written: {manifest:#}"
        );
    }
}

/// The findings of `validate --format json` (its `findings` list).
fn findings_of(out: &std::process::Output) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    serde_json::from_value(v["findings"].clone()).unwrap()
}
