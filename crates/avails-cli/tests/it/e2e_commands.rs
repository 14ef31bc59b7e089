//! Every service command driven through the binary: submit, delete, get,
//! status, journal, profiles, export and sandbox, with the messages a new
//! user meets when something is missing.

use crate::support;

use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};
use support::*;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/tvod-movie.xlsx");

fn ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", describe(out));
}

fn code(out: &Output, expected: i32) {
    assert_eq!(out.status.code(), Some(expected), "{}", describe(out));
}

fn json_out(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", describe(out)))
}

/// `avails submit --sandbox SAMPLE --format json` in `dir`: the report.
fn submit_sandbox(dir: &Path) -> Value {
    let out = bin(dir).run(["submit", "--sandbox", "--format", "json", SAMPLE]);
    ok(&out);
    json_out(&out)["report"].clone()
}

#[test]
fn a_deleted_title_is_sent_again_by_the_next_submit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let first = submit_sandbox(dir);
    assert_eq!(first["sent"], 1, "{first:#}");
    let again = submit_sandbox(dir);
    assert_eq!(
        (again["sent"].clone(), again["unchanged"].clone()),
        (json!(0), json!(1))
    );

    // Delete the full extract: the journal no longer counts it as landed.
    let out = bin(dir).run([
        "delete",
        "--sandbox",
        "--alid",
        "demoALID",
        "--territory",
        "US",
        "--business-line",
        "TVOD",
        "--yes",
    ]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("deleted every window of demoALID"),
        "{}",
        describe(&out)
    );
    let out = bin(dir).run([
        "get",
        "--sandbox",
        "--alid",
        "demoALID",
        "--territory",
        "US",
        "--business-line",
        "TVOD",
    ]);
    code(&out, 1);
    let resent = submit_sandbox(dir);
    assert_eq!(resent["sent"], 1, "sent again without --force: {resent:#}");

    // Delete one transaction: its title's full extract is no longer landed.
    let out = bin(dir).run([
        "delete",
        "--sandbox",
        "--transaction",
        "availId456movie",
        "--yes",
    ]);
    ok(&out);
    let out = bin(dir).run(["get", "--sandbox", "--transaction", "availId456movie"]);
    code(&out, 1);
    assert!(
        text(&out.stderr).contains("not found (404): the server of profile `sandbox` holds no transaction `availId456movie`"),
        "{}",
        describe(&out)
    );
    let resent = submit_sandbox(dir);
    assert_eq!(resent["sent"], 1, "{resent:#}");
    let out = bin(dir).run(["get", "--sandbox", "--transaction", "availId456movie"]);
    ok(&out);
    let got = json_out(&out);
    assert_eq!(got["avail"]["Transaction"][0]["LicenseType"], "EST");

    // The journal shows the deletes (the sandbox's, no profile configured).
    let out = bin(dir).run(["journal", "--format", "json"]);
    ok(&out);
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        events.iter().filter(|e| e["note"] == "deleted").count() >= 2,
        "{events:#?}"
    );
}

#[test]
fn get_reads_a_full_extract_and_a_transaction() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    submit_sandbox(dir);
    let out = bin(dir).run([
        "get",
        "--sandbox",
        "--alid",
        "demoALID",
        "--territory",
        "US",
        "--business-line",
        "TVOD",
    ]);
    ok(&out);
    let got = json_out(&out);
    assert_eq!(got["success"], true);
    assert_eq!(got["avail"]["ALID"], "demoALID");
    assert_eq!(got["avail"]["Transaction"].as_array().unwrap().len(), 3);
    let out = bin(dir).run(["get", "--sandbox", "--transaction", "availId123movie"]);
    ok(&out);
    assert_eq!(
        json_out(&out)["avail"]["Disposition"]["EntryType"],
        "PartialExtract"
    );
}

#[test]
fn get_delete_and_export_say_how_to_name_what_they_act_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for args in [
        vec!["get", "--sandbox"],
        vec!["delete", "--sandbox", "--yes"],
    ] {
        let verb = args[0];
        let out = bin(dir).run(&args);
        code(&out, 2);
        let err = text(&out.stderr);
        for flag in ["--alid", "--territory", "--business-line", "--transaction"] {
            assert!(err.contains(flag), "{verb}: {flag} not mentioned: {err}");
        }
    }
    let out = bin(dir).run(["export", "-o", "x.xlsx"]);
    code(&out, 2);
    let err = text(&out.stderr);
    assert!(err.contains("--from") && err.contains("--alid"), "{err}");
    assert!(!dir.join("x.xlsx").exists());
}

#[test]
fn without_a_profile_the_message_explains_avails_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin(tmp.path()).run(["submit", SAMPLE]);
    code(&out, 2);
    let err = text(&out.stderr);
    for needle in [
        "no usable profile",
        "avails.toml",
        "[profiles.",
        "base_url",
        "api_key_file",
        "--sandbox",
    ] {
        assert!(err.contains(needle), "`{needle}` not in: {err}");
    }
    let help = bin(tmp.path()).run(["profiles", "--help"]);
    ok(&help);
    let help = text(&help.stdout);
    for needle in [
        "avails.toml",
        "[profiles.",
        "base_url",
        "licensor",
        "api_key_file",
        "cert",
        "AVAILS_PROFILE",
    ] {
        assert!(
            help.contains(needle),
            "`{needle}` not in profiles --help: {help}"
        );
    }
    let out = bin(tmp.path()).run(["profiles"]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("avails.toml"),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_profile_named_with_a_space_has_one_journal_for_submit_and_journal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = random_key("spaced");
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_key_file(dir, &key, 0o600);
    avails_test_support::write_profile(dir, "my prod", &sandbox.base_url(), LICENSOR, "");
    let out = bin(dir).run(["submit", SAMPLE]);
    ok(&out);
    // In the user's data directory (the runner's XDG_DATA_HOME), not here.
    assert!(!dir.join(".avails").exists());
    assert!(avails_test_support::profile_state_dir(dir)
        .read_dir()
        .unwrap()
        .any(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.starts_with("journal-my_prod-") && name.ends_with(".sqlite")
        }));
    // `avails journal` finds it by default_profile, and by name.
    for args in [
        vec!["journal", "--format", "json"],
        vec!["journal", "--profile", "my prod", "--format", "json"],
    ] {
        let out = bin(dir).run(&args);
        ok(&out);
        let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            events.iter().any(|e| e["state"] == "acknowledged"
                && e["key"] == format!("full:{LICENSOR}:demoALID:US:TVOD")),
            "{args:?}: {events:#?}"
        );
    }
    // The profile list shows it.
    let out = bin(dir).run(["profiles", "--format", "json"]);
    ok(&out);
    let listed = json_out(&out)[0].clone();
    assert_eq!(listed["name"], "my prod");
    // camelCase as every --format json output (docs/json.md), no secret.
    assert!(listed["isDefault"].is_boolean(), "{listed}");
    assert_eq!(listed["baseUrl"], sandbox.base_url().as_str(), "{listed}");
    assert!(listed["maxConcurrency"].is_u64(), "{listed}");
    assert!(listed["apiKeySource"].is_string(), "{listed}");
    assert!(listed.get("is_default").is_none(), "{listed}");
    assert!(!out.stdout.windows(key.len()).any(|w| w == key.as_bytes()));
}

#[test]
fn status_exits_1_while_a_needed_delivery_is_missing_or_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = random_key("status");
    let sandbox = Sandbox::start(sandbox_config(&key));
    write_profile(dir, &sandbox.base_url(), &key, "");
    ok(&bin(dir).run(["submit", SAMPLE]));

    let out = bin(dir).run(["status", "demoALID"]);
    code(&out, 1);
    assert!(
        text(&out.stdout).starts_with("demoALID: Missing"),
        "{}",
        describe(&out)
    );
    assert!(
        text(&out.stderr).contains("missing or failed deliveries"),
        "{}",
        describe(&out)
    );

    // Deliver every part the title needs: exit 0.
    let out = bin(dir).run(["status", "demoALID", "--format", "json"]);
    code(&out, 1);
    let status = json_out(&out)[0].clone();
    let needed: Vec<Value> = status["TitlePartStatus"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["ActionType"] == "ACTION_NEEDED")
        .cloned()
        .collect();
    assert!(!needed.is_empty(), "{status:#}");
    let delivery = |p: &Value, extra: Value| {
        let mut d = json!({"primaryType": p["PrimaryType"], "secondaryType": p["SecondaryType"]});
        for (field, key) in [("Locale", "locale"), ("FormatProfile", "formatProfile")] {
            if let Some(v) = p.get(field).filter(|v| v.is_string()) {
                d[key] = v.clone();
            }
        }
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        d
    };
    for p in &needed {
        let status = sandbox.record_delivery(LICENSOR, &key, "demoALID", &delivery(p, json!({})));
        assert_eq!(status, 201);
    }
    let out = bin(dir).run(["status", "demoALID"]);
    ok(&out);
    assert!(
        text(&out.stdout).starts_with("demoALID: Ready"),
        "{}",
        describe(&out)
    );

    // A failed delivery of a needed part: exit 1, named with its error code.
    let failed = delivery(&needed[0], json!({"errorCode": "BAD_AUDIO_SYNC"}));
    assert_eq!(
        sandbox.record_delivery(LICENSOR, &key, "demoALID", &failed),
        201
    );
    let out = bin(dir).run(["status", "demoALID"]);
    code(&out, 1);
    assert!(
        text(&out.stdout).contains("BAD_AUDIO_SYNC"),
        "{}",
        describe(&out)
    );
    assert!(text(&out.stderr).contains("(Issue)"), "{}", describe(&out));
}

#[test]
fn export_writes_what_the_server_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    submit_sandbox(dir);
    let out = bin(dir).run(["export", "--sandbox", "--from", SAMPLE, "-o", "back.xlsx"]);
    ok(&out);
    assert!(
        text(&out.stderr).contains("1 avails, 3 transactions written"),
        "{}",
        describe(&out)
    );
    assert!(dir.join("back.xlsx").is_file());
    let out = bin(dir).run([
        "export",
        "--sandbox",
        "--alid",
        "demoALID",
        "nothere",
        "--territory",
        "US",
        "--business-line",
        "TVOD",
        "-o",
        "two.csv",
    ]);
    ok(&out);
    let err = text(&out.stderr);
    assert!(err.contains("not on the server: nothere US TVOD"), "{err}");
    assert!(err.contains("1 avails, 3 transactions written"), "{err}");
}

#[test]
fn export_and_convert_both_take_the_mapping_table_from_avails_mapping() {
    // One owner for the mapping: AVAILS_MAPPING is read by every command
    // that maps columns. A table that cannot be read must stop both, named.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("table.toml"), "[[column]\nname = ").unwrap();
    let payload = dir.join("p.json");
    let expected = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../samples/tvod-movie.expected.json"
    );
    std::fs::copy(expected, &payload).unwrap();
    for args in [
        vec!["export", "--offline", "--from", "p.json", "-o", "back.csv"],
        vec!["convert", SAMPLE, "-o", "out"],
    ] {
        let mut cmd = bin(dir).command();
        cmd.args(&args)
            .env("AVAILS_MAPPING", dir.join("table.toml"));
        let out = bin(dir).run_command(cmd);
        code(&out, 2);
        assert!(
            text(&out.stderr).contains("table.toml"),
            "{}: {}",
            args[0],
            describe(&out)
        );
    }
    assert!(!dir.join("back.csv").exists());
    // Without it, the same export works.
    ok(&bin(dir).run(["export", "--offline", "--from", "p.json", "-o", "back.csv"]));
}

#[test]
fn plain_http_to_another_machine_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    // TEST-NET-1 (RFC 5737): refused before any connection is tried.
    write_profile(tmp.path(), "http://192.0.2.1:8443", "some-key-123456", "");
    let out = bin(tmp.path()).run(["get", "--transaction", "t1"]);
    code(&out, 2);
    let err = text(&out.stderr);
    assert!(
        err.contains("unencrypted") && err.contains("https://"),
        "{err}"
    );
}

/// Polls `running`'s stdout until it has a first line (the sandbox's URL).
fn first_line(running: &avails_test_support::Running) -> String {
    let mut line = String::new();
    let found = wait_until(std::time::Duration::from_secs(30), || {
        line = running
            .stdout_so_far()
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        !line.is_empty()
    });
    assert!(found, "no URL printed; stderr: {}", running.stderr_so_far());
    line
}

#[test]
fn the_sandbox_command_serves_plain_and_mutual_tls() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = random_key("cmd");
    write_key_file(dir, &key, 0o600);
    let serve = |extra: &[&str]| {
        let mut args = vec![
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--licensor",
            LICENSOR,
            "--api-key-file",
            "api-key",
        ];
        args.extend_from_slice(extra);
        bin(dir).spawn(args)
    };

    let running = serve(&[]);
    let url = first_line(&running);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    write_profile(dir, &url, &key, "");
    let out = bin(dir).run(["get", "--transaction", "nothing"]);
    code(&out, 1);
    assert!(text(&out.stderr).contains("404"), "{}", describe(&out));
    let stopped = running.kill();
    assert!(
        text(&stopped.stderr).contains("sandbox listening"),
        "{}",
        describe(&stopped)
    );
    assert!(
        dir.join(".avails/sandbox.sqlite").is_file(),
        "the database is in the state directory"
    );

    // Mutual TLS from PEM files (the library's TlsConfig::from_files).
    let pki = avails_test_support::Pki::new();
    std::fs::write(dir.join("server.pem"), &pki.server.cert_pem).unwrap();
    std::fs::write(dir.join("server.key"), &pki.server.key_pem).unwrap();
    let ca = pki.ca_file.display().to_string();
    let running = serve(&[
        "--tls-cert",
        "server.pem",
        "--tls-key",
        "server.key",
        "--client-ca",
        &ca,
        "--db",
        "tls.sqlite",
    ]);
    let url = first_line(&running);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    write_profile(dir, &url, &key, &format!("ca = \"{ca}\""));
    let out = bin(dir).run(["get", "--transaction", "nothing"]);
    code(&out, 2);
    assert!(
        text(&out.stderr).contains("certificate"),
        "no client certificate: {}",
        describe(&out)
    );
    write_profile(
        dir,
        &url,
        &key,
        &format!(
            "ca = \"{ca}\"\ncert = \"{}\"\nkey = \"{}\"",
            pki.client_cert_file.display(),
            pki.client_key_file.display()
        ),
    );
    let out = bin(dir).run(["get", "--transaction", "nothing"]);
    code(&out, 1);
    running.kill();
}

#[test]
fn the_sandbox_command_says_a_bind_error_once_and_warns_about_plain_http() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_key_file(dir, "some-key-123456", 0o600);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = bin(dir).run([
        "sandbox",
        "--listen",
        &addr,
        "--licensor",
        "l",
        "--api-key-file",
        "api-key",
    ]);
    code(&out, 2);
    let err = text(&out.stderr);
    assert_eq!(err.matches("Address already in use").count(), 1, "{err}");
    assert!(err.contains("--listen"), "says what to do: {err}");

    // Beyond loopback without TLS: a warning (the bind itself fails here:
    // TEST-NET-1 is not this machine's, so nothing listens or is sent).
    let out = bin(dir).run([
        "sandbox",
        "--listen",
        "192.0.2.1:0",
        "--licensor",
        "l",
        "--api-key-file",
        "api-key",
    ]);
    code(&out, 2);
    let err = text(&out.stderr);
    assert!(
        err.contains("without TLS") && err.contains("unencrypted"),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "no colour codes off a terminal: {err}"
    );

    // A missing key file: its I/O error said once.
    let out = bin(dir).run([
        "sandbox",
        "--licensor",
        "l",
        "--api-key-file",
        "missing-key",
    ]);
    code(&out, 2);
    let err = text(&out.stderr);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn get_of_a_missing_title_says_which_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    submit_sandbox(dir);
    // Sent for US TVOD only: FR and FVOD are not on the server.
    let out = bin(dir).run([
        "get",
        "--sandbox",
        "--alid",
        "demoALID",
        "--territory",
        "FR",
        "--business-line",
        "FVOD",
    ]);
    code(&out, 1);
    let err = text(&out.stderr);
    assert!(
        err.contains("no full extract for ALID `demoALID` in territory `FR` on business line FVOD"),
        "{}",
        describe(&out)
    );
    assert!(!err.contains("not found: not found"), "{err}");
}

#[test]
fn journal_is_newest_first_and_names_the_title() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    submit_sandbox(dir);
    let out = bin(dir).run([
        "delete",
        "--sandbox",
        "--alid",
        "demoALID",
        "--territory",
        "US",
        "--business-line",
        "TVOD",
        "--yes",
    ]);
    ok(&out);
    // --sandbox-runs reads the journal of the --sandbox runs; no sandbox starts.
    let out = bin(dir).run(["journal", "--sandbox-runs", "--format", "json"]);
    ok(&out);
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.len() >= 3, "{events:#?}");
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert_eq!(
        events[0]["note"], "deleted",
        "the delete came last: {events:#?}"
    );
    let out = bin(dir).run(["journal", "--sandbox-runs", "--limit", "1"]);
    ok(&out);
    let lines: Vec<String> = text(&out.stdout).lines().map(String::from).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    // The title as the sheet names it, its scope, and its sheet row.
    assert!(
        lines[0].contains("Harry Potter and Marge Simpson (demoALID US TVOD) at ")
            && lines[0].contains("tvod-movie.xlsx:Avails!4"),
        "{lines:?}"
    );
    assert_eq!(
        events[0]["title"], "Harry Potter and Marge Simpson",
        "{events:#?}"
    );
    assert!(lines[0].contains("(deleted)"), "{lines:?}");
    let help = bin(dir).run(["journal", "--help"]);
    ok(&help);
    assert!(
        text(&help.stdout).contains("this starts no sandbox"),
        "{}",
        describe(&help)
    );
}

#[test]
fn known_alids_takes_a_file_or_the_sandbox_licensor() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("known.txt"), "someOtherALID\n").unwrap();
    for spec in ["known.txt", "sandbox=known.txt"] {
        let out = bin(dir).run([
            "submit",
            "--sandbox",
            "--known-alids",
            spec,
            "--format",
            "json",
            SAMPLE,
        ]);
        // demoALID is not in the list: the sandbox refuses it.
        code(&out, 1);
        let report = json_out(&out)["report"].clone();
        assert_eq!(
            report["rejected"].as_array().unwrap().len(),
            1,
            "{spec}: {report:#}"
        );
        assert!(
            report.to_string().contains("UNKNOWN_ALID"),
            "{spec}: {report:#}"
        );
    }
    let out = bin(dir).run([
        "submit",
        "--sandbox",
        "--known-alids",
        "mgm=known.txt",
        SAMPLE,
    ]);
    code(&out, 2);
    assert!(
        text(&out.stderr)
            .contains("`mgm` is not a licensor of this sandbox (its licensors: sandbox)"),
        "{}",
        describe(&out)
    );
}

/// `avails submit --sandbox samples/*.xlsx samples/*.csv`: every sample is
/// sent, none refused, none conflicting with another (a title is one
/// WorkType, a transaction ID one payload's).
#[test]
fn every_sample_is_sent_together_without_conflict() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let samples = Path::new(SAMPLE).parent().unwrap();
    let mut inputs: Vec<String> = std::fs::read_dir(samples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("xlsx" | "csv")))
        .map(|p| p.display().to_string())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 9, "{inputs:?}");
    let mut args = vec!["submit", "--sandbox", "--format", "json"];
    args.extend(inputs.iter().map(String::as_str));
    let out = bin(dir).run(&args);
    ok(&out);
    let got = json_out(&out);
    assert_eq!(
        got["report"]["sent"],
        inputs.len(),
        "one payload per sample: {got:#}"
    );
    assert_eq!(got["report"]["rejected"], json!([]), "{got:#}");
    assert_eq!(got["refused"], 0, "{got:#}");
    assert_eq!(got["heldBack"], json!([]), "{got:#}");
    assert_eq!(got["findings"], json!([]), "{got:#}");
}

/// `submit --dry-run`: each title as new, changed, unchanged or refused,
/// in text and in JSON (docs/dry-run.md), and nothing sent.
#[test]
fn a_dry_run_lists_the_plan_per_title() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let samples = Path::new(SAMPLE).parent().unwrap();
    let season = samples.join("season-prime.xlsx");
    let fvod = samples.join("fvod-movie.xlsx");
    let out = bin(dir).run(["submit", "--sandbox", SAMPLE, season.to_str().unwrap()]);
    ok(&out);
    // The TVOD movie with a later End: changed. A title in a country that
    // does not exist: refused.
    let mut changed: Value = serde_json::from_str(
        &std::fs::read_to_string(samples.join("tvod-movie.expected.json")).unwrap(),
    )
    .unwrap();
    changed["avail"]["Transaction"][0]["End"] = json!("2031-01-01T00:00:00");
    std::fs::write(dir.join("changed.json"), changed.to_string()).unwrap();
    let mut bad = changed.clone();
    bad["avail"]["ALID"] = json!("badTitle");
    bad["avail"]["Asset"][0]["_contentID"] = json!("badTitle");
    for (i, t) in bad["avail"]["Transaction"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        t["Territory"] = json!([{"country": "JJ"}]);
        t["_TransactionID"] = json!(format!("bad-{i}"));
    }
    std::fs::write(dir.join("bad.json"), bad.to_string()).unwrap();
    let inputs = [
        "changed.json",
        season.to_str().unwrap(),
        fvod.to_str().unwrap(),
        "bad.json",
    ];
    let mut args = vec!["submit", "--sandbox", "--dry-run"];
    args.extend(inputs);
    let out = bin(dir).run(&args);
    code(&out, 1);
    let plan = text(&out.stdout);
    let lines: Vec<&str> = plan.lines().collect();
    assert_eq!(
        lines[0], "changed    demoALID US TVOD  (would send)",
        "{plan}"
    );
    // The field that changed, with both values.
    assert!(
        lines[1].trim_start().starts_with("transaction VOD ")
            && lines[1].ends_with(
                "/avail/Transaction/0/End is 2029-05-22T10:00:00Z on the server, \
                 2031-01-01T00:00:00 in the input"
            ),
        "{plan}"
    );
    let lines: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, l)| *l)
        .collect();
    assert_eq!(
        lines[1], "unchanged  demoALID_For_Season_01 US PRIME_SUBSCRIPTION  (would skip)",
        "{plan}"
    );
    assert_eq!(
        lines[2], "new        demoALID US FVOD  (would send)",
        "{plan}"
    );
    assert_eq!(lines[3], "refused    badTitle  (never sent)", "{plan}");
    assert!(lines[4].contains("AV040"), "{plan}");
    assert!(
        text(&out.stderr).contains("would send 2, unchanged 1"),
        "{}",
        describe(&out)
    );

    let mut args = vec!["submit", "--sandbox", "--dry-run", "--format", "json"];
    args.extend(inputs);
    let out = bin(dir).run(&args);
    code(&out, 1);
    let got = json_out(&out);
    let titles: Vec<(String, String, bool)> = got["plan"]["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["title"].as_str().unwrap().to_string(),
                t["action"].as_str().unwrap().to_string(),
                t["sends"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            ("demoALID US TVOD".to_string(), "changed".to_string(), true),
            (
                "demoALID_For_Season_01 US PRIME_SUBSCRIPTION".to_string(),
                "unchanged".to_string(),
                false
            ),
            ("demoALID US FVOD".to_string(), "new".to_string(), true),
        ]
    );
    assert_eq!(
        got["plan"]["titles"][0]["key"],
        "full:sandbox:demoALID:US:TVOD"
    );
    let fields = got["plan"]["titles"][0]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 1, "only the End changed: {fields:?}");
    assert!(
        fields[0]
            .as_str()
            .unwrap()
            .contains("/avail/Transaction/0/End is 2029-05-22T10:00:00Z on the server"),
        "{fields:?}"
    );
    assert!(got["plan"]["titles"][1].get("fields").is_none(), "{got:#}");
    assert_eq!(got["plan"]["refused"][0]["alid"], "badTitle", "{got:#}");
    assert_eq!(
        got["plan"]["refused"][0]["reasons"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(got["plan"]["heldBack"], json!([]));
    // Nothing was sent: the FVOD title is still not on the server.
    let out = bin(dir).run([
        "get",
        "--sandbox",
        "--alid",
        "demoALID",
        "--territory",
        "US",
        "--business-line",
        "FVOD",
    ]);
    code(&out, 1);
}

/// `avails ARGS` run in `folder` with `data` as the user's data directory
/// (`XDG_DATA_HOME`): the same user running from another folder.
fn run_in(folder: &Path, data: &Path, args: &[&str]) -> Output {
    run(avails(folder).args(args).env("XDG_DATA_HOME", data))
}

/// The report of `submit --format json SAMPLE` (plus `extra`) in `folder`.
fn submit_report(folder: &Path, data: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["submit", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(SAMPLE);
    let out = run_in(folder, data, &args);
    ok(&out);
    json_out(&out)["report"].clone()
}

#[test]
fn one_profile_has_one_journal_whatever_folder_it_runs_from() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("two-folders");
    let sandbox = Sandbox::start(sandbox_config(&key));
    let data = tmp.path().join("data");
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    for folder in [&first, &second] {
        std::fs::create_dir_all(folder).unwrap();
        write_profile(folder, &sandbox.base_url(), &key, "");
    }
    let sent = submit_report(&first, &data, &[]);
    assert_eq!(sent["sent"], 1, "{sent:#}");
    // The second folder reads the same journal: nothing to send again.
    let again = submit_report(&second, &data, &[]);
    assert_eq!(
        (again["sent"].clone(), again["unchanged"].clone()),
        (json!(0), json!(1)),
        "{again:#}"
    );
    assert_eq!(sandbox.counters().writes_for_alid("demoALID"), 1);
    // One audit trail, in the user's data directory; none beside the sheets.
    assert!(data
        .join("avails")
        .join(format!("journal-{PROFILE}.sqlite"))
        .is_file());
    assert!(!first.join(".avails").exists() && !second.join(".avails").exists());
    let out = run_in(&second, &data, &["journal", "--format", "json"]);
    ok(&out);
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let acknowledged: Vec<&Value> = events
        .iter()
        .filter(|e| e["state"] == "acknowledged")
        .collect();
    assert_eq!(acknowledged.len(), 1, "{events:#?}");
    // camelCase, as every --format json output (docs/json.md).
    assert!(acknowledged[0]["httpStatus"].is_u64(), "{events:#?}");
    assert!(
        events.iter().all(|e| e.get("http_status").is_none()),
        "{events:#?}"
    );
}

#[test]
fn state_dir_overrides_the_user_data_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("state-dir");
    let sandbox = Sandbox::start(sandbox_config(&key));
    let dir = tmp.path().join("sheets");
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    write_profile(&dir, &sandbox.base_url(), &key, "");
    let sent = submit_report(&dir, &data, &["--state-dir", "elsewhere"]);
    assert_eq!(sent["sent"], 1, "{sent:#}");
    assert!(dir
        .join("elsewhere")
        .join(format!("journal-{PROFILE}.sqlite"))
        .is_file());
    assert!(!data.exists(), "the user's data directory was written");
    // The journal of the data directory never saw that run: it sends.
    let default_dir = submit_report(&dir, &data, &[]);
    assert_eq!(default_dir["sent"], 1, "{default_dir:#}");
    // Each journal command reads the journal its --state-dir names.
    let out = run_in(
        &dir,
        &data,
        &["journal", "--state-dir", "elsewhere", "--format", "json"],
    );
    ok(&out);
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e["state"] == "acknowledged")
            .count(),
        1,
        "{events:#?}"
    );
    let out = run_in(&dir, &data, &["journal", "--state-dir", "nowhere"]);
    code(&out, 2);
    assert!(
        text(&out.stderr).contains("no journal for profile `e2e`"),
        "{}",
        describe(&out)
    );
}
