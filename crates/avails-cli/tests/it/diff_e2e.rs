//! End-to-end tests of `avails diff`, driving the real binary.
//!
//! - `diff_reports_exactly_the_three_changes_made_on_the_server`: submit a
//!   corpus workbook to a sandbox started here, change three things through
//!   the API (an End, a price, a copy of a title in another territory), and
//!   the diff reports exactly those, at the sheet's cells, and exits 1.
//! - `submit_then_diff_finds_nothing_but_what_was_refused`: for every corpus
//!   file and sample, submit then diff: every title is the same, except the
//!   payloads the validator refuses (never sent), which are missing on the
//!   server: exactly those, no more, no fewer.
//! - `html_report_renders_its_timelines_in_chromium`: the HTML report of the
//!   first test, opened in headless Chromium, runs its script to the end and
//!   draws one bar per window of each side (needs `chromium` on PATH; skipped
//!   with a notice without it, unless `AVAILS_REQUIRE_BROWSER=1`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::Duration;

use avails_test_support::Avails;

use avails_client::{ApiKey, AvailsClient};
use avails_model::{AvailRequest, BusinessLine};
use avails_sandbox::{RunningSandbox, SandboxConfig};
use serde_json::{json, Value};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/movielabs");
const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples");
const PROFILE: &str = "e2e";
const LICENSOR: &str = "e2elicensor";

/// What a finished child left behind.
struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// `avails ARGS` in `dir` (no AVAILS_* variable of the caller leaking in),
/// killed and failed after 300 s.
fn avails(dir: &Path, args: &[&str]) -> Run {
    let out = Avails::new(avails_test_support::avails_bin!(), dir).run(args);
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A sandbox in this process, a client of it, and `avails.toml` in `dir`
/// with a profile pointing at it (the key in a 0600 file).
struct Server {
    rt: tokio::runtime::Runtime,
    sandbox: Option<RunningSandbox>,
    client: AvailsClient,
}

impl Server {
    fn start(dir: &Path) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let key = format!("e2e-key-{}", std::process::id());
        let config = SandboxConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            db_path: Some(dir.join("server.sqlite")),
            ..SandboxConfig::default()
        }
        .with_licensor(LICENSOR, key.clone());
        let sandbox = rt.block_on(avails_sandbox::start(config)).unwrap();
        let base = sandbox.base_url();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        let key_file = dir.join("api-key");
        std::fs::write(&key_file, format!("{key}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(
            dir.join("avails.toml"),
            format!(
                "default_profile = \"{PROFILE}\"\n\n[profiles.{PROFILE}]\nbase_url = \"{base}\"\nlicensor = \"{LICENSOR}\"\napi_key_file = \"api-key\"\ntps = 10\nmax_concurrency = 5\n"
            ),
        )
        .unwrap();
        let client = AvailsClient::builder(base, LICENSOR, ApiKey::new(key))
            .build()
            .unwrap();
        Self {
            rt,
            sandbox: Some(sandbox),
            client,
        }
    }

    /// The avail the server holds for a title, as JSON.
    fn get(&self, alid: &str, territory: &str) -> Value {
        let r = self
            .rt
            .block_on(
                self.client
                    .get_full_extract(alid, territory, BusinessLine::Tvod),
            )
            .unwrap_or_else(|e| panic!("GET {alid} {territory}: {e}"));
        serde_json::to_value(r.avail.expect("GET answers an avail")).unwrap()
    }

    /// PUTs an avail (as a GET returned it) back as a full extract.
    fn put(&self, mut avail: Value) {
        avail["Disposition"] = json!({"EntryType": "FullExtract"});
        let alid = avail["ALID"].as_str().unwrap().to_string();
        let body: AvailRequest = serde_json::from_value(json!({ "avail": avail })).unwrap();
        let r = self
            .rt
            .block_on(self.client.put_full_extract(&alid, &body))
            .unwrap_or_else(|e| panic!("PUT {alid}: {e}"));
        assert!(r.success, "PUT {alid}: {:?}", r.errors);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

type Key = (String, String, String);

fn key_of(title: &Value) -> Key {
    (
        title["alid"].as_str().unwrap().to_string(),
        title["territory"].as_str().unwrap().to_string(),
        title["businessLine"].as_str().unwrap().to_string(),
    )
}

fn key(alid: &str, territory: &str) -> Key {
    (alid.into(), territory.into(), "TVOD".into())
}

/// The FullExtract payloads of `path` the validator refuses (so `submit`
/// never sends them), computed as `avails submit` does, and how many
/// payloads of any entry type are refused.
/// The payloads validation refuses (by key) and how many, and how many
/// groups conversion holds back (never sent, never compared).
fn refused(path: &Path) -> (BTreeSet<Key>, usize, usize) {
    let mapping = avails_mapping::Mapping::default_table();
    let options = avails_convert::ConvertOptions {
        mapping: mapping.clone(),
        timezone: None,
    };
    let conversion = avails_convert::convert_inputs(&[path.to_path_buf()], &options, &mut |_| {});
    assert!(conversion.unreadable.is_empty(), "{}", path.display());
    let (_, failing) = avails_convert::check(&conversion, &mapping);
    let refused: Vec<usize> = (0..failing.len()).filter(|&i| failing[i]).collect();
    let keys = refused
        .iter()
        .map(|&i| &conversion.payloads[i])
        .filter(|p| p.entry_type == avails_model::EntryType::FullExtract)
        .map(|p| {
            (
                p.alid.clone(),
                p.territory.clone(),
                p.business_line.as_str().to_string(),
            )
        })
        .collect();
    (keys, refused.len(), conversion.held_back.len())
}

/// Titles of a diff report by key, and the missing ones.
fn titles(report: &Value) -> BTreeMap<Key, Value> {
    let mut out = BTreeMap::new();
    for t in report["titles"].as_array().unwrap() {
        assert!(
            out.insert(key_of(t), t.clone()).is_none(),
            "title twice: {t}"
        );
    }
    out
}

fn with_status(report: &Value, status: &str) -> BTreeSet<Key> {
    titles(report)
        .into_iter()
        .filter(|(_, t)| t["status"] == status)
        .map(|(k, _)| k)
        .collect()
}

/// Column letter of a 0-based index.
fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// A worksheet as text cells with absolute 1-based rows, and its header
/// (the row holding `ALID`) as name → 0-based column.
struct Sheet {
    rows: Vec<(u32, Vec<String>)>,
    header: BTreeMap<String, usize>,
}

impl Sheet {
    fn read(path: &Path, name: &str) -> Self {
        use calamine::{open_workbook, Reader, Xlsx};
        let mut wb: Xlsx<_> = open_workbook(path).unwrap();
        let range = wb.worksheet_range(name).unwrap();
        let (r0, c0) = range.start().unwrap();
        assert_eq!(c0, 0, "sheet starts at column A");
        let rows: Vec<(u32, Vec<String>)> = range
            .rows()
            .enumerate()
            .map(|(i, r)| (r0 + i as u32 + 1, r.iter().map(|c| c.to_string()).collect()))
            .collect();
        let header_row = rows
            .iter()
            .find(|(_, r)| r.iter().any(|c| c == "ALID"))
            .expect("a header row with ALID");
        let header = header_row
            .1
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), i))
            .collect();
        Self { rows, header }
    }

    fn col(&self, name: &str) -> usize {
        self.header[name]
    }

    /// The rows of one ALID, in sheet order.
    fn rows_of(&self, alid: &str) -> Vec<&(u32, Vec<String>)> {
        let c = self.col("ALID");
        self.rows
            .iter()
            .filter(|(_, r)| r.get(c).map(String::as_str) == Some(alid))
            .collect()
    }
}

const WORKBOOK: &str = "Movies_v1.7.2.xlsx";
const ENDED: (&str, &str) = ("FIRSTDANCE_2012_ES", "ES");
const REPRICED: (&str, &str) = ("VIEW_MT_2006", "US");
/// A country the sheet uses for another title.
const NEW_TERRITORY: &str = "ES";
const NEW_END: &str = "2013-08-01T00:00:00";

/// What the first scenario did, for the assertions.
struct Scenario {
    dir: tempfile::TempDir,
    workbook: PathBuf,
    /// Index of the transaction of ENDED whose End moved, and its old End.
    ended: (usize, String),
    /// Index of the transaction of REPRICED whose Tier changed, old and new.
    repriced: (usize, String, String),
    /// Keys refused by the validator (missing on the server from the start).
    refused: BTreeSet<Key>,
    server: Server,
}

/// Submits the workbook through a profile, checks the diff is clean but for
/// what the validator refused, then makes the three changes on the server.
fn scenario() -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let workbook = Path::new(CORPUS).join(WORKBOOK);
    let wb = workbook.to_str().unwrap();
    let server = Server::start(dir.path());

    let submit = avails(
        dir.path(),
        &["submit", "--profile", PROFILE, "--format", "json", wb],
    );
    assert!(matches!(submit.code(), Some(0 | 1)), "{}", submit.stderr);
    let summary = submit.json();
    assert_eq!(summary["profile"], PROFILE);
    assert_eq!(summary["report"]["sent"], 2, "{summary:#}");
    assert_eq!(summary["report"]["failed"], json!([]), "{summary:#}");

    // Before any change: only what the validator refused differs.
    let (refused, _, _) = refused(&workbook);
    assert_eq!(refused, BTreeSet::from([key("FIRSTDANCE_2012", "CA")]));
    let before = avails(
        dir.path(),
        &["diff", "--profile", PROFILE, "--format", "json", wb],
    );
    assert_eq!(before.code(), Some(1), "{}", before.stderr);
    let before = before.json();
    assert_eq!(
        with_status(&before, "refusedLocally"),
        refused,
        "{before:#}"
    );
    assert_eq!(before["summary"]["differences"], 1, "{before:#}");
    assert_eq!(before["summary"]["same"], 2, "{before:#}");

    // 1. End a window earlier: the first dated VOD HD window of ENDED.
    let mut avail = server.get(ENDED.0, ENDED.1);
    let trans = avail["Transaction"].as_array_mut().unwrap();
    let i = trans
        .iter()
        .position(|t| {
            t["LicenseType"] == "VOD" && t["FormatProfile"]["value"] == "HD" && t["End"].is_string()
        })
        .expect("a dated VOD HD window");
    let old_end = trans[i]["End"].as_str().unwrap().to_string();
    assert!(
        NEW_END < old_end.as_str(),
        "{NEW_END} is earlier than {old_end}"
    );
    trans[i]["End"] = json!(NEW_END);
    server.put(avail);

    // 2. Change a price of another title: the Tier of its first window.
    let original = server.get(REPRICED.0, REPRICED.1);
    let mut avail = original.clone();
    let terms = avail["Transaction"][0]["Terms"].as_array_mut().unwrap();
    let tier = terms
        .iter_mut()
        .find(|t| t["_termName"] == "Tier")
        .expect("a Tier term");
    let old_tier = tier["Text"].as_str().unwrap().to_string();
    let new_tier = if old_tier == "5" { "6" } else { "5" }.to_string();
    tier["Text"] = json!(new_tier);
    server.put(avail);

    // 3. The same title in a territory the sheet uses for another title.
    let mut copy = original;
    for t in copy["Transaction"].as_array_mut().unwrap() {
        t["Territory"] = json!([{ "country": NEW_TERRITORY }]);
    }
    server.put(copy);
    assert_eq!(
        server.get(REPRICED.0, NEW_TERRITORY)["Transaction"][0]["Territory"],
        json!([{ "country": NEW_TERRITORY }])
    );

    Scenario {
        dir,
        workbook,
        ended: (i, old_end),
        repriced: (0, old_tier, new_tier),
        refused,
        server,
    }
}

/// `avails diff` of the scenario, probing NEW_TERRITORY, with extra args.
fn diff_scenario(s: &Scenario, extra: &[&str]) -> Run {
    let mut args = vec![
        "diff",
        "--profile",
        PROFILE,
        "--also-territories",
        NEW_TERRITORY,
    ];
    args.extend_from_slice(extra);
    args.push(s.workbook.to_str().unwrap());
    avails(s.dir.path(), &args)
}

#[test]
fn diff_reports_exactly_the_three_changes_made_on_the_server() {
    let s = scenario();
    let run = diff_scenario(&s, &["--format", "json"]);
    assert_eq!(run.code(), Some(1), "differences exit 1: {}", run.stderr);
    let report = run.json();
    let by_key = titles(&report);
    let sheet = Sheet::read(&s.workbook, "Movies");
    let wb = s.workbook.to_str().unwrap();

    // Every title: the refused one refused (never sent), three changed, the rest same.
    let ended = key(ENDED.0, ENDED.1);
    let repriced = key(REPRICED.0, REPRICED.1);
    let added = key(REPRICED.0, NEW_TERRITORY);
    let statuses: BTreeMap<Key, &str> = by_key
        .iter()
        .map(|(k, t)| (k.clone(), t["status"].as_str().unwrap()))
        .collect();
    let mut expected: BTreeMap<Key, &str> = s
        .refused
        .iter()
        .map(|k| (k.clone(), "refusedLocally"))
        .collect();
    expected.insert(ended.clone(), "changed");
    expected.insert(repriced.clone(), "changed");
    expected.insert(added.clone(), "extraOnServer");
    assert_eq!(statuses, expected, "{report:#}");
    // The three changes plus the refused title, nothing else.
    assert_eq!(
        report["summary"]["differences"].as_u64(),
        Some(3 + s.refused.len() as u64),
        "{report:#}"
    );

    // 1. The End, at the End cell of the window's row.
    let (i, old_end) = &s.ended;
    let row = sheet.rows_of(ENDED.0)[*i];
    assert_eq!(row.1[sheet.col("LicenseType")], "VOD");
    assert_eq!(row.1[sheet.col("FormatProfile")], "HD");
    let d = &by_key[&ended]["differences"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{d:#}");
    assert_eq!(d[0]["kind"], "changed");
    assert_eq!(d[0]["subject"]["kind"], "transaction");
    assert_eq!(d[0]["changes"].as_array().unwrap().len(), 1, "{d:#}");
    let c = &d[0]["changes"][0];
    assert_eq!(c["pointer"], format!("/avail/Transaction/{i}/End"));
    assert_eq!(c["sheet"], json!(old_end));
    assert_eq!(c["server"], json!(NEW_END));
    let end_cell = (column_letter(sheet.col("End")), row.0);
    assert_eq!(
        c["location"],
        json!({"file": wb, "sheet": "Movies", "row": end_cell.1, "column": end_cell.0}),
        "the End cell of row {}",
        row.0
    );

    // 2. The price, at the PriceValue cell of the window's row.
    let (j, old_tier, new_tier) = &s.repriced;
    let row = sheet.rows_of(REPRICED.0)[*j];
    assert_eq!(row.1[sheet.col("PriceType")], "Tier");
    assert_eq!(&row.1[sheet.col("PriceValue")], old_tier);
    let d = &by_key[&repriced]["differences"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{d:#}");
    assert_eq!(d[0]["kind"], "changed");
    assert_eq!(d[0]["changes"].as_array().unwrap().len(), 1, "{d:#}");
    let c = &d[0]["changes"][0];
    let pointer = c["pointer"].as_str().unwrap();
    assert!(
        pointer.starts_with(&format!("/avail/Transaction/{j}/Terms/"))
            && pointer.ends_with("/Text"),
        "{pointer}"
    );
    assert_eq!(c["sheet"], json!(old_tier));
    assert_eq!(c["server"], json!(new_tier));
    let price_cell = (column_letter(sheet.col("PriceValue")), row.0);
    assert_eq!(
        c["location"],
        json!({"file": wb, "sheet": "Movies", "row": price_cell.1, "column": price_cell.0}),
        "the PriceValue cell of row {}",
        row.0
    );

    // 3. The copy in another territory: a whole title extra on the server.
    let t = &by_key[&added];
    assert_eq!(
        t["differences"],
        json!([{"kind": "extraOnServer", "subject": {"kind": "title"}, "serverPointer": "/avail"}])
    );

    // Without the probe, the copy cannot be found (the API lists nothing).
    let unprobed = avails(
        s.dir.path(),
        &["diff", "--profile", PROFILE, "--format", "json", wb],
    );
    assert_eq!(unprobed.code(), Some(1));
    assert!(!titles(&unprobed.json()).contains_key(&added));

    // The text review names each difference and the cells.
    let text = diff_scenario(&s, &[]);
    assert_eq!(text.code(), Some(1), "{}", text.stderr);
    let out = &text.stdout;
    for needle in [
        format!("{} {} TVOD: changed", ENDED.0, ENDED.1),
        format!(
            "/avail/Transaction/{i}/End: sheet {old_end} / server {NEW_END} ({wb}:Movies!{}{})",
            end_cell.0, end_cell.1
        ),
        format!("{} {} TVOD: changed", REPRICED.0, REPRICED.1),
        format!(
            "sheet {old_tier} / server {new_tier} ({wb}:Movies!{}{})",
            price_cell.0, price_cell.1
        ),
        format!("{} {NEW_TERRITORY} TVOD: extra on server", REPRICED.0),
        "title: on the server, not on the sheet".to_string(),
    ] {
        assert!(
            out.contains(&needle),
            "text review lacks `{needle}`:\n{out}"
        );
    }
    drop(s.server);
}

#[test]
fn submit_then_diff_finds_nothing_but_what_was_refused() {
    // Expectation: `submit` sends every payload the validator accepts and
    // refuses the rest locally; `diff` then reports every accepted title as
    // the same, and exactly the refused FullExtract titles as refused
    // locally, with their reasons (never missing, changed or extra). Exit 0 when nothing was refused,
    // else 1. FullDelete payloads are not compared by `diff`.
    let mut inputs: Vec<PathBuf> = Vec::new();
    for (dir, exts) in [
        (CORPUS, &["xlsx", "xml"][..]),
        (SAMPLES, &["xlsx", "csv"][..]),
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| exts.contains(&e))
            })
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no inputs in {dir}");
        inputs.extend(files);
    }
    let mut clean = 0;
    for input in &inputs {
        let dir = tempfile::tempdir().unwrap();
        let path = input.to_str().unwrap();
        let (refused, refused_any, held_back) = refused(input);

        let submit = avails(
            dir.path(),
            &["submit", "--sandbox", "--format", "json", path],
        );
        assert!(
            matches!(submit.code(), Some(0 | 1)),
            "{path}: {}",
            submit.stderr
        );
        let summary = submit.json();
        assert_eq!(summary["refused"], refused_any, "{path}: {summary:#}");
        assert_eq!(
            summary["report"]["failed"],
            json!([]),
            "{path}: {summary:#}"
        );
        // The server turns down nothing the validator let through, except a
        // FullDelete of a title it never held.
        for r in summary["report"]["rejected"].as_array().unwrap() {
            let k = r["key"].as_str().unwrap();
            assert!(
                k.ends_with(":FullDelete") && r["status"] == 404,
                "{path}: the server rejected {r}"
            );
        }

        let diff = avails(dir.path(), &["diff", "--sandbox", "--format", "json", path]);
        let report = diff.json();
        assert_eq!(
            with_status(&report, "refusedLocally"),
            refused,
            "{path}: refused locally must be exactly the refused payloads\n{report:#}"
        );
        assert_eq!(
            report["summary"]["missingOnServer"], 0,
            "{path}: {report:#}"
        );
        assert_eq!(
            report["summary"]["refusedLocally"].as_u64(),
            Some(refused.len() as u64),
            "{path}: {report:#}"
        );
        // Each says why, at its cell.
        for t in report["titles"].as_array().unwrap() {
            if t["status"] == "refusedLocally" {
                let d = &t["differences"][0];
                assert_eq!(d["kind"], "refusedLocally", "{path}: {t:#}");
                assert!(
                    !d["reasons"].as_array().unwrap().is_empty(),
                    "{path}: {t:#}"
                );
            }
        }
        if !refused.is_empty() {
            let text = avails(dir.path(), &["diff", "--sandbox", path]);
            assert!(
                text.stdout.contains("refused locally, never sent")
                    && text
                        .stdout
                        .contains("refused by local validation, so never sent"),
                "{path}: {}",
                text.stdout
            );
            assert!(
                !text.stdout.contains(": missing on server\n"),
                "{path}: {}",
                text.stdout
            );
        }
        assert_eq!(report["summary"]["changed"], 0, "{path}: {report:#}");
        assert_eq!(report["summary"]["extraOnServer"], 0, "{path}: {report:#}");
        assert_eq!(
            report["summary"]["differences"].as_u64(),
            Some(refused.len() as u64),
            "{path}: {report:#}"
        );
        let same = report["summary"]["same"].as_u64().unwrap();
        assert_eq!(
            report["summary"]["titles"].as_u64().unwrap(),
            same + refused.len() as u64,
            "{path}"
        );
        // Held-back groups are not compared: the diff says so and exits 1.
        let expected_code = if refused.is_empty() && held_back == 0 {
            0
        } else {
            1
        };
        assert_eq!(diff.code(), Some(expected_code), "{path}: {}", diff.stderr);
        if refused.is_empty() && held_back == 0 {
            assert!(same > 0, "{path}: nothing compared");
            clean += 1;
        }
    }
    // Every sample is clean; so is at least one corpus workbook.
    assert!(clean >= 10, "only {clean} inputs fully sent");
}

/// `chromium` on PATH. Without it the browser test is skipped with a notice,
/// unless `AVAILS_REQUIRE_BROWSER=1` (set by `.ci/run` after installing it),
/// which makes a missing browser a failure.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file());
    if found.is_none() {
        let how = "this test opens the HTML report in headless Chromium; \
                   install it with `apt-get install -y chromium` (as .ci/run does)";
        if std::env::var("AVAILS_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("chromium is not on PATH and AVAILS_REQUIRE_BROWSER=1: {how}");
        }
        // Written past the test harness's capture, so `cargo test` shows it.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED html_report_renders_its_timelines_in_chromium: chromium is not on PATH; {how}"
        );
    }
    found
}

fn headless(chromium: &Path, dir: &Path, name: &str, extra: &[String], page: &Path) -> Run {
    let profile = dir.join(format!("chromium-profile-{name}"));
    std::fs::create_dir(&profile).unwrap();
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(format!("file://{}", page.display()));
    let out = avails_test_support::run_bounded(cmd, dir, Duration::from_secs(60));
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn html_report_renders_its_timelines_in_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let s = scenario();
    let html = s.dir.path().join("report.html");
    let run = diff_scenario(&s, &["--format", "json", "--html", html.to_str().unwrap()]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    let report = run.json();
    drop(s.server);

    let dom = headless(
        &chromium,
        s.dir.path(),
        "dump",
        &["--dump-dom".into()],
        &html,
    );
    assert!(dom.status.success(), "chromium failed: {}", dom.stderr);
    assert!(
        !dom.stderr.contains("Uncaught"),
        "script error in the report:\n{}",
        dom.stderr
    );
    let page = &dom.stdout;
    assert!(
        page.contains("data-ready=\"true\""),
        "the report's script did not run to its end:\n{page}"
    );

    // Per title, one bar per window of each side, as the JSON report has them.
    let sections: Vec<&str> = page.split("<section ").skip(1).collect();
    let expected_titles = report["titles"].as_array().unwrap();
    assert_eq!(sections.len(), expected_titles.len());
    let mut total = 0;
    for t in expected_titles {
        let (alid, territory, _) = key_of(t);
        let marker = format!("data-alid=\"{alid}\" data-territory=\"{territory}\"");
        let section = sections
            .iter()
            .find(|s| s.contains(&marker))
            .unwrap_or_else(|| panic!("no section for {alid} {territory}"));
        let section = section.split("</section>").next().unwrap();
        for side in ["sheet", "server"] {
            let expected = t["windows"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|w| w["side"] == side)
                .count();
            let drawn = section.matches(&format!("class=\"window {side}")).count();
            assert_eq!(drawn, expected, "{alid} {territory}: {side} windows");
            total += expected;
        }
    }
    assert!(total > 20, "{total} windows");
    // Every bar was laid out with a width (counted by the page's script).
    assert!(
        page.contains(&format!("data-windows-drawn=\"{total}\"")),
        "expected {total} drawn windows"
    );
    // The changed End shows on the server's bar of that title.
    assert!(page.contains(&format!(
        "data-side=\"server\" data-start=\"2013-05-28T00:00:00\" data-end=\"{NEW_END}\""
    )));

    let png = s.dir.path().join("report.png");
    let shot = headless(
        &chromium,
        s.dir.path(),
        "screenshot",
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".into(),
        ],
        &html,
    );
    assert!(shot.status.success(), "chromium failed: {}", shot.stderr);
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    // A blank page at this size is about 12 KB; this report about 90 KB.
    assert!(
        bytes.len() > 30_000,
        "a near-empty screenshot: {} bytes",
        bytes.len()
    );
}
