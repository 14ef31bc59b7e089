//! `avails validate --remote`: the API's own validate endpoints judge the
//! payloads without local errors, and their findings land at the cells the
//! local findings use, marked as the server's.
//!
//! The server-only finding is the sandbox's UNKNOWN_ALID (an ALID that is
//! not among the licensor's metadata contributions), which no local rule
//! can know.

use crate::support;
use crate::support::messy;
use avails_test_support::xlsx_xml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;
use support::{avails, describe, random_key, run, sandbox_config, write_profile, Sandbox};

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/movielabs")
        .join(name)
}

/// The findings of `validate --format json` (its `findings` list).
fn json_of(out: &std::process::Output) -> Vec<Value> {
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(out)));
    serde_json::from_value(v["findings"].clone()).unwrap_or_else(|e| panic!("{e}: {v}"))
}

/// The column letter whose header cell (in the first rows) is `name`.
fn header_letter(path: &Path, sheet: &str, name: &str) -> String {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let (_, c0) = range.start().unwrap();
    let (_, col, _) = range
        .used_cells()
        .find(|(r, _, d)| *r < 12 && matches!(d, Data::String(s) if s.trim() == name))
        .unwrap_or_else(|| panic!("no {name} header"));
    avails_annotate::column_letters((c0 as usize + col) as u16)
}

/// Each payload's ALID and its first row, from `avails convert`'s manifest.
fn first_rows(dir: &Path, input: &str) -> BTreeMap<String, u32> {
    let out = run(avails(dir).args(["convert", input, "-o", "converted"]));
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        describe(&out)
    );
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("converted/manifest.json")).unwrap(),
    )
    .unwrap();
    manifest["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let first = p["sources"][0].as_str().unwrap();
            let row = first.rsplit_once('!').unwrap().1.parse().unwrap();
            (p["alid"].as_str().unwrap().to_string(), row)
        })
        .collect()
}

fn server_findings(list: &[Value]) -> Vec<&Value> {
    list.iter().filter(|f| f["origin"] == "server").collect()
}

fn local_findings(list: &[Value]) -> BTreeSet<String> {
    list.iter()
        .filter(|f| f.get("origin").is_none())
        .map(|f| f.to_string())
        .collect()
}

#[test]
fn sandbox_findings_land_at_their_cells_in_a_corpus_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(corpus("Movies_v1.7.2.xlsx"), d.join("Movies.xlsx")).unwrap();
    // The licensor contributed metadata for one title only.
    std::fs::write(d.join("known.txt"), "# contributed\nVIEW_MT_2006\n").unwrap();
    let rows = first_rows(d, "Movies.xlsx");
    let alid_column = header_letter(&d.join("Movies.xlsx"), "Movies", "ALID");

    let local = run(avails(d).args(["validate", "Movies.xlsx", "--format", "json"]));
    assert_eq!(local.status.code(), Some(1), "{}", describe(&local));
    let local = json_of(&local);
    // FIRSTDANCE_2012 (CA) has local errors: it is not sent.
    let with_errors: BTreeSet<&str> = local
        .iter()
        .filter(|f| f["severity"] == "error")
        .filter_map(|f| f["alid"].as_str())
        .collect();
    assert_eq!(with_errors, BTreeSet::from(["FIRSTDANCE_2012"]));

    let out = run(avails(d).args([
        "validate",
        "Movies.xlsx",
        "--remote",
        "--sandbox",
        "--known-alids",
        "known.txt",
        "--format",
        "json",
        "--annotate",
        "Movies-checked.xlsx",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let list = json_of(&out);
    assert_eq!(
        local_findings(&list),
        local_findings(&local),
        "the local findings are unchanged"
    );
    // The two titles the sandbox does not know, at their first row's ALID cell.
    let server = server_findings(&list);
    let got: BTreeMap<&str, (String, &Value)> = server
        .iter()
        .map(|f| {
            assert_eq!(f["code"], "UNKNOWN_ALID", "{f}");
            assert_eq!(f["severity"], "error");
            assert_eq!(f["sheet"], "Movies");
            (
                f["alid"].as_str().unwrap(),
                (format!("{}{}", f["column"].as_str().unwrap(), f["row"]), *f),
            )
        })
        .collect();
    let want: BTreeMap<&str, String> = ["FIRSTDANCE_2012_ES", "FIRSTDANCE_2012_DE"]
        .into_iter()
        .map(|a| (a, format!("{alid_column}{}", rows[a])))
        .collect();
    assert_eq!(
        got.iter()
            .map(|(a, (c, _))| (*a, c.clone()))
            .collect::<BTreeMap<_, _>>(),
        want,
        "{}",
        describe(&out)
    );
    let stderr = support::text(&out.stderr);
    assert!(
        stderr.contains("3 payloads validated")
            && stderr.contains("1 payload with local errors not sent"),
        "{stderr}"
    );

    // The text output marks them as the server's, at the same cells.
    let out = run(avails(d).args([
        "validate",
        "Movies.xlsx",
        "--remote",
        "--sandbox",
        "--known-alids",
        "known.txt",
    ]));
    let stdout = support::text(&out.stdout);
    for (alid, cell) in &want {
        assert!(
            stdout.contains(&format!(
                "Movies.xlsx:Movies!{cell}: error[UNKNOWN_ALID] [server]: /avail/ALID: `{alid}`"
            )),
            "{stdout}"
        );
    }

    // And the annotated copy marks them, as the server's.
    let xml = xlsx_xml::inspect(&d.join("Movies-checked.xlsx"));
    let movies = xml.iter().find(|s| s.name == "Movies").unwrap();
    for cell in want.values() {
        assert_eq!(
            movies.fills.get(cell).map(String::as_str),
            Some("FFF8696B"),
            "{cell}"
        );
        assert!(
            movies.notes[cell].starts_with("ERROR UNKNOWN_ALID [server]\n"),
            "{cell}"
        );
    }
    let findings = xml.iter().find(|s| s.name == "Findings").unwrap();
    let linked: BTreeSet<String> = findings.links.values().cloned().collect();
    for cell in want.values() {
        assert!(linked.contains(&format!("'Movies'!{cell}")), "{linked:?}");
    }
}

#[test]
fn with_partial_each_transaction_is_located_at_its_own_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    messy::write(&d.join("avails.xlsx"));
    std::fs::write(d.join("known.txt"), format!("{}\n", messy::ALID)).unwrap();
    let out = run(avails(d).args([
        "validate",
        "avails.xlsx",
        "--remote",
        "--sandbox",
        "--known-alids",
        "known.txt",
        "--partial",
        "--batch-size",
        "2",
        "--format",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let list = json_of(&out);
    let server = server_findings(&list);
    // Only the second title's payload is clean; the sandbox refuses its ALID,
    // at its transaction's row (9), naming the transaction.
    assert_eq!(server.len(), 1, "{}", describe(&out));
    let f = server[0];
    assert_eq!(f["code"], "UNKNOWN_ALID");
    assert_eq!(f["alid"], messy::OTHER_ALID);
    assert_eq!(f["transactionId"], "QT-US-EST-1");
    assert_eq!(
        (f["column"].as_str().unwrap(), f["row"].as_u64().unwrap()),
        (messy::letter("ALID").as_str(), 9)
    );
    // The first title's row with Territory `UK` cannot be placed, so all of
    // that title's payloads are held back (none goes to the server, none
    // counts as a payload with a local error); only the second title's is asked.
    let stderr = support::text(&out.stderr);
    assert!(
        stderr.contains("1 payload validated by the API's validate endpoint"),
        "{stderr}"
    );
    assert!(!stderr.contains("with local errors not sent"), "{stderr}");
}

#[test]
fn through_a_profile_within_its_rate_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = random_key("remote");
    let mut config = sandbox_config(&key);
    // The corpus titles whose metadata was contributed: all but one.
    config.known_alids = avails_sandbox::KnownAlids::default().with(
        support::LICENSOR,
        [
            "030434",
            "33603_OV",
            "596509",
            "33602_OV",
            "md:pseudoalid:wprid.fox.com:001143",
            "33601_OV",
            "33600_OV",
            "md:alid:disney.com:jake-s01e01",
            "md:alid:disney.com:jake-s01e02",
            "md:alid:disney.com:jake-s01e03",
            "md:alid:disney.com:jake-s01",
        ],
    );
    let sandbox = Sandbox::start(config);
    write_profile(d, &sandbox.base_url(), &key, "tps = 4\nmax_concurrency = 2");
    std::fs::copy(corpus("Avails_noErrors_v2.3_v1.8.xlsx"), d.join("all.xlsx")).unwrap();
    let rows = first_rows(d, "all.xlsx");
    let alid_column = header_letter(&d.join("all.xlsx"), "AllAvails", "ALID");

    let out = run(avails(d).args(["validate", "all.xlsx", "--remote", "--format", "json"]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let list = json_of(&out);
    let held: BTreeSet<&str> = list
        .iter()
        .filter(|f| f.get("origin").is_none() && f["severity"] == "error")
        .filter_map(|f| f["alid"].as_str())
        .collect();
    let server = server_findings(&list);
    let unknown = "33483_OV";
    if held.contains(unknown) {
        assert!(server.is_empty(), "{}", describe(&out));
    } else {
        assert_eq!(server.len(), 1, "{}", describe(&out));
        assert_eq!(server[0]["alid"], unknown);
        assert_eq!(server[0]["column"], alid_column.as_str());
        assert_eq!(server[0]["row"], rows[unknown]);
    }
    // One validate call per payload without local errors, at most `tps` in
    // any second, none refused for the rate.
    let counters = sandbox.counters();
    let calls = counters
        .accepted_per_endpoint
        .get("full-extract.validate")
        .copied()
        .unwrap_or(0);
    assert_eq!(calls as usize, rows.len() - held.len(), "{counters:?}");
    assert!(counters.max_accepted_in_one_second() <= 4, "{counters:?}");
    assert_eq!(counters.throttled, 0, "{counters:?}");
}

#[test]
fn an_unreachable_server_exits_2_after_the_local_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    write_profile(
        d,
        &format!("http://127.0.0.1:{port}"),
        "some-key",
        "max_attempts = 1",
    );
    messy::write(&d.join("avails.xlsx"));
    let out = run(avails(d).args(["validate", "avails.xlsx", "--remote"]));
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stdout = support::text(&out.stdout);
    assert!(
        stdout.contains("error[CV024]"),
        "the local findings are reported: {stdout}"
    );
    let stderr = support::text(&out.stderr);
    assert!(
        stderr.contains("not checked, the server could not be asked"),
        "{stderr}"
    );

    let out = run(avails(d).args(["validate", "avails.xlsx", "--sandbox"]));
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(support::text(&out.stderr).contains("add --remote"));
}

/// Kills the `avails sandbox` this test started when the test ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn avails_sandbox_takes_each_licensors_known_alids() {
    use std::io::BufRead as _;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = random_key("known");
    support::write_key_file(d, &key, 0o600);
    std::fs::write(d.join("known.txt"), format!("{}\n", messy::ALID)).unwrap();
    let bad = run(avails(d).args([
        "sandbox",
        "--licensor",
        support::LICENSOR,
        "--api-key-file",
        "api-key",
        "--known-alids",
        "someone-else=known.txt",
    ]));
    assert_eq!(bad.status.code(), Some(2), "{}", describe(&bad));
    assert!(
        support::text(&bad.stderr).contains("`someone-else` is not a licensor of this sandbox"),
        "{}",
        describe(&bad)
    );
    // FILE alone is refused when two licensors could own the ALIDs.
    std::fs::create_dir(d.join("second")).unwrap();
    support::write_key_file(&d.join("second"), &random_key("second"), 0o600);
    let ambiguous = run(avails(d).args([
        "sandbox",
        "--licensor",
        support::LICENSOR,
        "--api-key-file",
        "api-key",
        "--licensor",
        "second",
        "--api-key-file",
        "second/api-key",
        "--known-alids",
        "known.txt",
    ]));
    assert_eq!(ambiguous.status.code(), Some(2), "{}", describe(&ambiguous));
    assert!(
        support::text(&ambiguous.stderr).contains("say whose ALIDs these are with LICENSOR=FILE"),
        "{}",
        describe(&ambiguous)
    );

    let mut child = Child(
        avails(d)
            .args([
                "sandbox",
                "--listen",
                "127.0.0.1:0",
                "--db",
                "sandbox.sqlite",
                "--licensor",
                support::LICENSOR,
                "--api-key-file",
                "api-key",
                "--known-alids",
                &format!("{}=known.txt", support::LICENSOR),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut base_url = String::new();
    std::io::BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut base_url)
        .unwrap();
    support::write_profile_only(d, base_url.trim(), "");
    messy::write(&d.join("avails.xlsx"));
    let out = run(avails(d).args(["validate", "avails.xlsx", "--remote", "--format", "json"]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let list = json_of(&out);
    let server = server_findings(&list);
    assert_eq!(server.len(), 1, "{}", describe(&out));
    assert_eq!(server[0]["code"], "UNKNOWN_ALID");
    assert_eq!(server[0]["alid"], messy::OTHER_ALID);
    assert_eq!(server[0]["row"], 9);
}

/// `submit --dry-run` of the messy workbook: the title whose row cannot be
/// placed is held back, with the cell to fix, in text and JSON.
#[test]
fn a_dry_run_names_what_is_held_back_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    messy::write(&d.join("avails.xlsx"));
    let out = run(avails(d).args(["submit", "--sandbox", "--dry-run", "avails.xlsx"]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let plan = support::text(&out.stdout);
    assert!(
        plan.lines().any(|l| l.starts_with("held back  md:alid:studio.com:harbor-lights FR TVOD  (not sent: the server keeps what it holds)")),
        "{plan}"
    );
    assert!(
        plan.contains("             avails.xlsx:Movies!K5: Start `2024-13-45`: expected a YYYY-MM-DD date that exists"),
        "the cell to fix, and why: {plan}"
    );
    // Row 6's Territory `UK` cannot be placed: every scope of the title is
    // held back, each naming that cell.
    for territory in ["US", "FR", "CA"] {
        assert!(
            plan.lines().any(|l| l.starts_with(&format!(
                "held back  md:alid:studio.com:harbor-lights {territory} TVOD"
            ))),
            "{plan}"
        );
    }
    assert!(
        plan.contains("             avails.xlsx:Movies!I6: Territory `UK` is not an ISO 3166-1"),
        "the cell to fix: {plan}"
    );
    let out = run(avails(d).args([
        "submit",
        "--sandbox",
        "--dry-run",
        "--format",
        "json",
        "avails.xlsx",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let held = summary["plan"]["heldBack"].as_array().unwrap();
    let fr = held
        .iter()
        .find(|h| h["title"] == "md:alid:studio.com:harbor-lights FR TVOD")
        .unwrap_or_else(|| panic!("{summary:#}"));
    assert!(
        fr["blocking"].as_array().unwrap().iter().any(|b| b
            .as_str()
            .unwrap()
            .starts_with("avails.xlsx:Movies!K5: Start `2024-13-45`")),
        "{summary:#}"
    );
    assert_eq!(summary["report"]["sent"], 0);
}
