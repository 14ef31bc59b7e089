//! The `avails` binary's convert and validate commands, as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus(name: &str) -> PathBuf {
    root().join("tests/data/movielabs").join(name)
}

fn avails(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_avails"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs avails")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn convert_writes_one_file_per_payload_and_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let sample = root().join("samples/tvod-movie.xlsx");
    let out = avails(
        dir.path(),
        &["convert", sample.to_str().unwrap(), "-o", "out"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap(),
    )
    .unwrap();
    let entry = &manifest["payloads"][0];
    assert_eq!(entry["alid"], "demoALID");
    assert_eq!(entry["territory"], "US");
    assert_eq!(entry["businessLine"], "TVOD");
    assert_eq!(entry["transactions"], 3);
    assert!(entry["sources"][0]
        .as_str()
        .unwrap()
        .ends_with("tvod-movie.xlsx:Avails!4"));
    assert_eq!(manifest["errors"].as_array().unwrap().len(), 0);
    let file = dir.path().join("out").join(entry["file"].as_str().unwrap());
    let payload: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(payload["avail"]["ALID"], "demoALID");
}

#[test]
fn convert_to_stdout_is_ndjson_and_rejected_rows_give_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let tv = corpus("TV_v1.8.xlsx");
    let out = avails(dir.path(), &["convert", tv.to_str().unwrap(), "-o", "-"]);
    // Two rows of the template have no ALID: reported, the rest converted.
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 20);
    assert!(lines.iter().all(|l| l["avail"]["ALID"].is_string()));
    assert!(text(&out.stderr).contains("TV_v1.8.xlsx:Template-TV!AF24: error[CV001]"));
}

#[test]
fn unreadable_input_gives_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    std::fs::write(dir.path().join("bad.xml"), "<Avail><ALID>x</Avail>").unwrap();
    for file in ["notes.txt", "bad.xml", "missing.xlsx"] {
        let out = avails(dir.path(), &["convert", file, "-o", "-"]);
        assert_eq!(out.status.code(), Some(2), "{file}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(file),
            "{file}: the message names the file"
        );
    }
}

#[test]
fn an_edited_mapping_changes_the_output_without_recompiling() {
    let dir = tempfile::tempdir().unwrap();
    let table = std::fs::read_to_string(root().join("mappings/ema.toml")).unwrap();
    // Send LicenseRightsDescription to OtherInstructions instead.
    let edited = table.replace(
        "path = \"Transaction.LicenseRightsDescription\"",
        "path = \"Transaction.OtherInstructions\"",
    );
    assert_ne!(edited, table);
    std::fs::write(dir.path().join("mine.toml"), edited).unwrap();
    let sample = root().join("samples/fvod-movie.xlsx");
    let sample = sample.to_str().unwrap();
    let out = avails(
        dir.path(),
        &["convert", sample, "-o", "-", "--mapping", "mine.toml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let payload: Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    let t = &payload["avail"]["Transaction"][0];
    assert_eq!(t["OtherInstructions"], "DAB");
    assert!(t.get("LicenseRightsDescription").is_none());

    let typo = table.replace("kind = \"countries\"", "kind = \"country\"");
    std::fs::write(dir.path().join("typo.toml"), typo).unwrap();
    let out = avails(
        dir.path(),
        &["convert", sample, "-o", "-", "--mapping", "typo.toml"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("typo.toml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn validate_prints_compiler_style_lines_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let clean = root().join("samples/episode-channel.xlsx");
    let out = avails(dir.path(), &["validate", clean.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("0 errors"));

    let bad = corpus("Avails_withErrors.xml");
    let out = avails(dir.path(), &["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("Avails_withErrors.xml:52 (/Territory/0/country): error[CV024]")
    );

    let out = avails(
        dir.path(),
        &["validate", "--format", "json", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = printed["findings"].as_array().unwrap();
    let jj = list.iter().find(|f| f["code"] == "CV024").unwrap();
    for key in [
        "severity",
        "message",
        "file",
        "row",
        "alid",
        "transactionId",
    ] {
        assert!(!jj[key].is_null(), "{key} missing in {jj}");
    }
    assert_eq!(jj["row"], 52);
    assert_eq!(jj["transactionId"], "1431081");
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = avails(dir.path(), &["--help"]);
    let listing = text(&out.stdout);
    let commands: Vec<String> = listing
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 9, "{commands:?}");
    for c in commands {
        let out = avails(dir.path(), &[&c, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{c} --help");
        assert!(text(&out.stdout).contains("Usage: avails"), "{c}");
    }
}

/// A workbook of two EMA tabs, each the rows of samples/tvod-movie.xlsx,
/// the second with its own ALID and transaction IDs (`<id>-second`).
fn two_tab_workbook(path: &Path) {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut sample: Xlsx<_> = open_workbook(root().join("samples/tvod-movie.xlsx")).unwrap();
    let range = sample.worksheet_range("Avails").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (tab, suffix) in [("Movies", ""), ("Second", "-second")] {
        let ws = wb.add_worksheet();
        ws.set_name(tab).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let v = if r >= 3 && (v == "demoALID" || v.starts_with("availId")) {
                    format!("{v}{suffix}")
                } else {
                    v.clone()
                };
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn sheet_reads_only_the_named_tabs_and_the_summary_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    two_tab_workbook(&d.join("two.xlsx"));

    // Every tab by default, each named in the summary.
    let out = avails(d, &["convert", "two.xlsx", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).lines().count(),
        2,
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("tabs read: two.xlsx:Movies (3 rows), two.xlsx:Second (3 rows)"),
        "{}",
        text(&out.stderr)
    );

    // --sheet Second: only that tab's title.
    let out = avails(d, &["convert", "--sheet", "Second", "two.xlsx", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let payloads: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(payloads.len(), 1);
    assert_eq!(payloads[0]["avail"]["ALID"], "demoALID-second");
    let err = text(&out.stderr);
    assert!(err.contains("tabs read: two.xlsx:Second (3 rows)"), "{err}");
    assert!(!err.contains("two.xlsx:Movies"), "{err}");

    // Repeated: both.
    let out = avails(
        d,
        &[
            "validate", "--sheet", "Second", "--sheet", "Movies", "two.xlsx",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("2 payloads from 6 rows"),
        "{}",
        text(&out.stderr)
    );

    // A tab the workbook lacks: exit 2, listing its tabs.
    let out = avails(d, &["validate", "--sheet", "Movis", "two.xlsx"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("Movis")
            && err.contains("no such tab; the workbook's tabs are: `Movies`, `Second`"),
        "{err}"
    );
}

/// samples/bundle-discount-exclusion.csv as Excel saves a CSV in the US:
/// every Start `11/25/2025` (month/day only), every End `4/7/2026`
/// (April 7 or July 4: ambiguous).
fn us_csv(path: &Path) {
    let mut rows: Vec<Vec<String>> =
        csv::Reader::from_path(root().join("samples/bundle-discount-exclusion.csv"))
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
    let header =
        std::fs::read_to_string(root().join("samples/bundle-discount-exclusion.csv")).unwrap();
    let first = header.lines().next().unwrap().to_string();
    let (start, end) = {
        let names = &rows[0];
        (
            names.iter().position(|n| n == "Start").unwrap(),
            names.iter().position(|n| n == "End").unwrap(),
        )
    };
    for row in rows.iter_mut().skip(2) {
        row[start] = "11/25/2025".into();
        row[end] = "4/7/2026".into();
    }
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(first.split(',')).unwrap();
    for row in &rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn dates_as_excel_writes_them_are_read_in_the_order_given_and_never_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    us_csv(&d.join("us.csv"));

    // Without --date-order: an error at each date cell, showing each reading.
    let out = avails(d, &["validate", "us.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let found = text(&out.stdout);
    assert!(
        found.contains(
            "Start `11/25/2025`: expected a date whose month and day order is said: as \
             month/day/year it is 2025-11-25 (with --date-order MDY), as day/month/year it is \
             not a date"
        ),
        "{found}"
    );
    assert!(
        found.contains("as month/day/year it is 2026-04-07 (with --date-order MDY), as day/month/year it is 2026-07-04 (with --date-order DMY)"),
        "the ambiguous End shows both readings: {found}"
    );

    // MDY: read as a US CSV means it.
    let out = avails(d, &["convert", "--date-order", "MDY", "us.csv", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let payload: Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    let t = &payload["avail"]["Transaction"][0];
    assert_eq!(t["Start"], "2025-11-25T00:00:00", "{t:#}");
    assert_eq!(t["End"], "2026-04-07T23:59:59", "{t:#}");

    // The same from the environment, in lower case.
    let out = Command::new(env!("CARGO_BIN_EXE_avails"))
        .current_dir(d)
        .args(["convert", "us.csv", "-o", "-"])
        .env("AVAILS_DATE_ORDER", "mdy")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // DMY: the ambiguous End is read day first; the Start is no date that way.
    let out = avails(d, &["validate", "--date-order", "DMY", "us.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let found = text(&out.stdout);
    assert!(
        found.contains(
            "Start `11/25/2025`: expected a day/month/year date (--date-order DMY); as \
             month/day/year it would be 2025-11-25 (with --date-order MDY)"
        ),
        "{found}"
    );
    assert!(!found.contains("End `4/7/2026`"), "{found}");

    // From avails.toml (`date_order`), when no --date-order is given.
    std::fs::write(d.join("avails.toml"), "date_order = \"MDY\"\n").unwrap();
    let out = avails(d, &["convert", "us.csv", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let payload: Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(
        payload["avail"]["Transaction"][0]["End"],
        "2026-04-07T23:59:59"
    );
    // --date-order wins over it.
    let out = avails(d, &["validate", "--date-order", "DMY", "us.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    std::fs::write(d.join("avails.toml"), "date_order = \"YDM\"\n").unwrap();
    let out = avails(d, &["convert", "us.csv", "-o", "-"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("avails.toml: date_order: date order `YDM`"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_file(d.join("avails.toml")).unwrap();

    // The file --config names is the one read, once, for the profile and
    // for the dates alike (here with --sandbox, which needs no profile).
    std::fs::create_dir_all(d.join("team")).unwrap();
    std::fs::write(d.join("team/avails.toml"), "date_order = \"MDY\"\n").unwrap();
    let dry_run = ["submit", "--sandbox", "--dry-run", "--state-dir", "state"];
    let out = avails(
        d,
        &[&dry_run[..], &["--config", "team/avails.toml", "us.csv"]].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = avails(d, &[&dry_run[..], &["us.csv"]].concat());
    assert_eq!(
        out.status.code(),
        Some(1),
        "no date order without it: {}",
        text(&out.stderr)
    );

    // An order that is neither: exit 2.
    let out = avails(d, &["validate", "--date-order", "YMD", "us.csv"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("expected MDY (3/14/2023) or DMY (14/03/2023)"));
}
