//! `avails-submit` on its own, against an in-process sandbox over loopback:
//! the plan, skipping what landed unchanged, resuming after a crash between
//! the `sending` mark and the answer, rejected versus failed, and deletes
//! that the journal follows.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use avails_client::{ApiKey, AvailsClient, RetryPolicy};
use avails_journal::{
    content_hash_node, full_key, partial_key, Decision, Journal, SendReason, State,
};
use avails_model::doc::Doc;
use avails_model::{AvailRequest, BusinessLine};
use avails_sandbox::{RunningSandbox, SandboxConfig};
use avails_submit::{delete, plan, plan_with, submit, DeleteTarget, SubmitOptions, Unit, UnitKind};
use serde_json::{json, Value};

const LICENSOR: &str = "submitlicensor";
const KEY: &str = "k-submit-0123456789abcdef";

/// The reference's TVOD movie example (the repository's sample), as title
/// `{prefix}-{i}` with one transaction `{prefix}-tx-{i}`.
fn request(prefix: &str, i: usize) -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../samples/tvod-movie.expected.json"
    ))
    .unwrap();
    let mut p: Value = serde_json::from_str(&text).unwrap();
    let alid = format!("{prefix}-{i}");
    let avail = &mut p["avail"];
    avail["ALID"] = json!(alid);
    for asset in avail["Asset"].as_array_mut().unwrap() {
        asset["_contentID"] = json!(alid);
    }
    let txs = avail["Transaction"].as_array_mut().unwrap();
    txs.truncate(1);
    txs[0]["_TransactionID"] = json!(format!("{prefix}-tx-{i}"));
    p
}

/// A full-extract unit of `request` (a TVOD movie in US).
fn full_unit(request: Value) -> Unit {
    let alid = request["avail"]["ALID"].as_str().unwrap().to_string();
    Unit {
        key: full_key(LICENSOR, &alid, "US", BusinessLine::Tvod),
        hash: avails_journal::content_hash(&request),
        kind: UnitKind::Full { alid },
        request: serde_json::from_value::<AvailRequest>(request).unwrap(),
        payload: 0,
    }
}

async fn sandbox(config: SandboxConfig) -> RunningSandbox {
    let config = SandboxConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..config
    }
    .with_licensor(LICENSOR, KEY);
    avails_sandbox::start(config).await.unwrap()
}

fn client(sandbox: &RunningSandbox, attempts: u32) -> AvailsClient {
    AvailsClient::builder(sandbox.base_url(), LICENSOR, ApiKey::new(KEY))
        .tps(100)
        .retry(RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
        })
        .build()
        .unwrap()
}

fn journal_at(path: &Path) -> Arc<Mutex<Journal>> {
    Arc::new(Mutex::new(Journal::open(path).unwrap()))
}

async fn send(
    client: &AvailsClient,
    journal: &Arc<Mutex<Journal>>,
    units: Vec<Unit>,
) -> avails_submit::Report {
    let options = SubmitOptions::for_client(client);
    submit(client, journal.clone(), units, &options, &|_| {})
        .await
        .unwrap()
}

#[test]
fn the_plan_has_one_unit_per_payload_or_per_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog.json");
    let lines: Vec<String> = (0..3).map(|i| request("plan", i).to_string()).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let conversion = avails_convert::convert_inputs(
        &[file],
        &avails_convert::ConvertOptions::default(),
        &mut |_| {},
    );
    assert!(conversion.unreadable.is_empty());
    assert_eq!(conversion.payloads.len(), 3);

    let (full, problems) = plan(&conversion.payloads, 0..3, LICENSOR, false);
    assert!(problems.is_empty(), "{problems:?}");
    let keys: Vec<&str> = full.iter().map(|u| u.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "full:submitlicensor:plan-0:US:TVOD",
            "full:submitlicensor:plan-1:US:TVOD",
            "full:submitlicensor:plan-2:US:TVOD"
        ]
    );
    assert!(full.iter().all(|u| u.hash.len() == 64));
    assert_ne!(full[0].hash, full[1].hash);

    // Hashed from the document the rules read (filled straight from the
    // typed request), a whole payload plans the same units with the same
    // hashes as from its serialized request.
    let hashes: Vec<String> = conversion
        .payloads
        .iter()
        .map(|p| {
            let mut doc = Doc::new();
            doc.fill(&p.request);
            content_hash_node(doc.root())
        })
        .collect();
    let (from_documents, _) = plan_with(&conversion.payloads, 0..3, LICENSOR, false, |i| {
        hashes.get(i).cloned()
    });
    assert_eq!(from_documents, full);

    let (partial, problems) = plan(&conversion.payloads, [1], LICENSOR, true);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(partial.len(), 1);
    assert_eq!(partial[0].key, partial_key(LICENSOR, "plan-tx-1"));
    assert_eq!(
        partial[0].kind,
        UnitKind::Partial {
            transaction_id: "plan-tx-1".into()
        }
    );
}

#[tokio::test]
async fn what_landed_unchanged_is_not_sent_again() {
    let sb = sandbox(SandboxConfig::default().without_limits()).await;
    let c = client(&sb, 3);
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_at(&dir.path().join("journal.sqlite"));
    let units = || {
        (0..4)
            .map(|i| full_unit(request("skip", i)))
            .collect::<Vec<_>>()
    };

    let first = send(&c, &journal, units()).await;
    assert_eq!((first.sent, first.unchanged), (4, 0), "{first:?}");
    let second = send(&c, &journal, units()).await;
    assert_eq!((second.sent, second.unchanged), (0, 4), "{second:?}");
    assert_eq!(second.requests, 0);
    // One changed payload is the only one sent.
    let mut changed = units();
    let mut body = request("skip", 2);
    body["avail"]["Transaction"][0]["End"] = json!("2031-01-01T00:00:00");
    changed[2] = full_unit(body);
    let third = send(&c, &journal, changed).await;
    assert_eq!((third.sent, third.unchanged), (1, 3), "{third:?}");
    let counters = sb.counters();
    assert_eq!(counters.writes_for_alid("skip-0"), 1);
    assert_eq!(counters.writes_for_alid("skip-2"), 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_crash_between_sending_and_the_answer_is_resent_once() {
    let sb = sandbox(SandboxConfig::default().without_limits()).await;
    let c = client(&sb, 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let units = || {
        (0..3)
            .map(|i| full_unit(request("crash", i)))
            .collect::<Vec<_>>()
    };
    {
        // The first run: unit 0 lands; unit 1 is marked sending and its
        // request reaches the server, then the process dies before the
        // answer is recorded.
        let journal = journal_at(&path);
        send(&c, &journal, vec![units().remove(0)]).await;
        let u = units().remove(1);
        journal
            .lock()
            .unwrap()
            .mark_sending(&u.key, &u.hash)
            .unwrap();
        let UnitKind::Full { alid } = &u.kind else {
            unreachable!()
        };
        assert!(c.put_full_extract(alid, &u.request).await.unwrap().success);
    }
    let journal = journal_at(&path);
    let recovered = journal.lock().unwrap().recovered().to_vec();
    assert_eq!(recovered, [units()[1].key.clone()]);
    assert_eq!(
        journal
            .lock()
            .unwrap()
            .should_send(&units()[1].key, &units()[1].hash)
            .unwrap(),
        Decision::Send(SendReason::Interrupted)
    );
    let report = send(&c, &journal, units()).await;
    assert_eq!((report.sent, report.unchanged), (2, 1), "{report:?}");
    let counters = sb.counters();
    assert_eq!(
        counters.writes_for_alid("crash-0"),
        1,
        "landed: never resent"
    );
    assert_eq!(
        counters.writes_for_alid("crash-1"),
        2,
        "outcome unknown: sent again, once"
    );
    assert_eq!(counters.writes_for_alid("crash-2"), 1);
    {
        let j = journal.lock().unwrap();
        for u in units() {
            assert_eq!(j.entry(&u.key).unwrap().unwrap().state, State::Acknowledged);
        }
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn refused_is_rejected_and_no_answer_is_failed() {
    let sb = sandbox(SandboxConfig::default().without_limits()).await;
    let c = client(&sb, 3);
    let journal = Arc::new(Mutex::new(Journal::open_in_memory().unwrap()));
    let good = full_unit(request("verdict", 0));
    let mut bad_body = request("verdict", 1);
    // Start after End: the server's rules refuse it.
    bad_body["avail"]["Transaction"][0]["Start"] = json!("2040-01-01T00:00:00");
    let bad = full_unit(bad_body);
    let report = send(&c, &journal, vec![good.clone(), bad.clone()]).await;
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert_eq!(report.rejected[0].key, bad.key);
    assert_eq!(report.rejected[0].status, Some(400));
    assert!(!report.rejected[0].errors.is_empty());
    assert!(report.failed.is_empty());
    sb.shutdown().await;

    // A server answering 500/503 to everything: no usable answer.
    let mut failing = SandboxConfig::default().without_limits();
    failing.fail_rate = 1.0;
    failing.seed = Some(3);
    let sb = sandbox(failing).await;
    let c = client(&sb, 2);
    let other = full_unit(request("verdict", 2));
    let report = send(&c, &journal, vec![other.clone()]).await;
    assert_eq!(report.sent, 0);
    assert!(report.rejected.is_empty());
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.failed[0].key, other.key);
    assert_eq!(report.retries, 1, "two attempts: one retry");
    {
        let j = journal.lock().unwrap();
        assert_eq!(j.entry(&bad.key).unwrap().unwrap().state, State::Rejected);
        assert_eq!(j.entry(&other.key).unwrap().unwrap().state, State::Failed);
        assert_eq!(
            j.should_send(&other.key, &other.hash).unwrap(),
            Decision::Send(SendReason::PreviouslyFailed)
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn a_delete_makes_the_journal_send_again() {
    let sb = sandbox(SandboxConfig::default().without_limits()).await;
    let c = client(&sb, 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let journal = journal_at(&path);
    let units = || {
        (0..2)
            .map(|i| full_unit(request("del", i)))
            .collect::<Vec<_>>()
    };
    assert_eq!(send(&c, &journal, units()).await.sent, 2);

    // The delete command's own connection to the same journal file.
    let deleter = Journal::open(&path).unwrap();
    // A full extract deleted: its key is no longer landed.
    let deleted = delete(
        &c,
        &deleter,
        DeleteTarget::Full {
            alid: "del-0",
            territory: "US",
            business_line: BusinessLine::Tvod,
            contract_id: None,
        },
    )
    .await
    .unwrap();
    assert!(deleted.response.success);
    assert_eq!(deleted.journal_entries, 1);
    // A transaction deleted: the full extract holding it is no longer landed.
    let deleted = delete(&c, &deleter, DeleteTarget::Transaction("del-tx-1"))
        .await
        .unwrap();
    assert!(deleted.response.success);
    assert_eq!(deleted.journal_entries, 1);
    let key = full_key(LICENSOR, "del-1", "US", BusinessLine::Tvod);
    assert_eq!(
        deleter.should_send(&key, &units()[1].hash).unwrap(),
        Decision::Send(SendReason::Deleted)
    );

    let report = send(&c, &journal, units()).await;
    assert_eq!((report.sent, report.unchanged), (2, 0), "{report:?}");
    assert_eq!(sb.counters().writes_for_alid("del-0"), 2);
    assert_eq!(sb.counters().writes_for_alid("del-1"), 2);

    // Deleting what is not there is the server's 404, and changes nothing.
    let e = delete(&c, &deleter, DeleteTarget::Transaction("nothing"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("404"), "{e}");
    sb.shutdown().await;
}

#[test]
fn two_units_addressing_one_transaction_are_both_refused_by_plan_and_spool() {
    // One title gives its SD and HD windows one TransactionID (EMA rows
    // may share an AvailID across formats): sent as partial extracts, both
    // would address the same resource, so neither is sent, in memory
    // (plan) and streamed (spool) alike; the other titles go.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog.json");
    let mut a = request("dup", 0);
    let mut sd = a["avail"]["Transaction"][0].clone();
    sd["FormatProfile"] = json!({"value": "SD"});
    a["avail"]["Transaction"][0]["_TransactionID"] = json!("shared-tx");
    sd["_TransactionID"] = json!("shared-tx");
    a["avail"]["Transaction"].as_array_mut().unwrap().push(sd);
    let (b, c) = (request("dup", 1), request("dup", 2));
    std::fs::write(&file, format!("{a}\n{b}\n{c}\n")).unwrap();
    let options = avails_convert::ConvertOptions::default();
    let conversion =
        avails_convert::convert_inputs(std::slice::from_ref(&file), &options, &mut |_| {});
    assert_eq!(conversion.payloads.len(), 3);
    let (units, problems) = plan(&conversion.payloads, 0..3, LICENSOR, true);
    let keys: Vec<&str> = units.iter().map(|u| u.key.as_str()).collect();
    let others = [
        partial_key(LICENSOR, "dup-tx-1"),
        partial_key(LICENSOR, "dup-tx-2"),
    ];
    assert_eq!(keys, others);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems
        .iter()
        .all(|p| p.code == "CV008" && p.message.contains("2 units share the key")));

    let mut spool = avails_submit::Spool::new(&options.mapping, LICENSOR, true).unwrap();
    avails_convert::pipeline::run(std::slice::from_ref(&file), &options, &mut spool).unwrap();
    assert_eq!(spool.unsendable(), 2);
    let found: Vec<String> = spool.findings().map(ToString::to_string).collect();
    let planned: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(found, planned);
    let (spooled, across_payloads) = spool.finish().unwrap();
    let spooled_keys: Vec<&str> = spooled.units().iter().map(|u| u.key.as_str()).collect();
    assert_eq!(spooled_keys, keys);
    assert!(across_payloads.is_empty(), "{across_payloads:?}");
}

#[tokio::test]
async fn partial_extracts_go_in_batches_of_the_reference_cap_by_default() {
    // The reference caps a batch request at 100 items and names no smaller
    // size: 201 transactions are 100 + 100 + 1, three requests, and the
    // sandbox (which refuses a 101-item batch) accepts each.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog.json");
    let lines: Vec<String> = (0..201).map(|i| request("cap", i).to_string()).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let conversion = avails_convert::convert_inputs(
        &[file],
        &avails_convert::ConvertOptions::default(),
        &mut |_| {},
    );
    assert_eq!(conversion.payloads.len(), 201);
    let (units, problems) = plan(&conversion.payloads, 0..201, LICENSOR, true);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(units.len(), 201);

    let sandbox = sandbox(SandboxConfig::default()).await;
    let client = client(&sandbox, 1);
    let journal = journal_at(&dir.path().join("journal.sqlite"));
    let options = SubmitOptions::for_client(&client);
    assert_eq!(options.batch_size, 100);
    let report = submit(&client, journal.clone(), units.clone(), &options, &|_| {})
        .await
        .unwrap();
    assert_eq!(report.sent, 201, "{report:?}");
    assert!(
        report.rejected.is_empty() && report.failed.is_empty(),
        "{report:?}"
    );
    assert_eq!(report.requests, 3, "{report:?}");

    // `--batch-size` still chooses fewer: 201 in 50s is 5 requests.
    let options = SubmitOptions {
        batch_size: 50,
        force: true,
        ..SubmitOptions::for_client(&client)
    };
    let report = submit(&client, journal, units, &options, &|_| {})
        .await
        .unwrap();
    assert_eq!(report.sent, 201, "{report:?}");
    assert_eq!(report.requests, 5, "{report:?}");
}

#[tokio::test]
async fn two_titles_sharing_a_transaction_id_go_alike_in_either_order() {
    // Title 0 and title 1 give their windows one _TransactionID. Whichever
    // comes first: as full extracts both are planned and the server takes
    // both (it keys a window by title, territory and business line before
    // its ID); as partial extracts both would address one resource, so
    // neither is sent.
    let dir = tempfile::tempdir().unwrap();
    let mut sent_full = Vec::new();
    for (name, order) in [("ab.json", [0, 1]), ("ba.json", [1, 0])] {
        let file = dir.path().join(name);
        let lines: Vec<String> = order
            .iter()
            .map(|&i| {
                let mut r = request("shared", i);
                r["avail"]["Transaction"][0]["_TransactionID"] = json!("DEAL-7");
                r.to_string()
            })
            .collect();
        std::fs::write(&file, lines.join("\n")).unwrap();
        let options = avails_convert::ConvertOptions::default();

        let mut spool = avails_submit::Spool::new(&options.mapping, LICENSOR, true).unwrap();
        avails_convert::pipeline::run(std::slice::from_ref(&file), &options, &mut spool).unwrap();
        assert_eq!(spool.refused(), 0, "{name}");
        let (spooled, shared) = spool.finish().unwrap();
        assert!(spooled.units().is_empty(), "{name}: {:?}", spooled.units());
        assert_eq!(shared.len(), 2, "{name}: {shared:?}");
        assert!(shared.iter().all(|d| d.code == "CV008"), "{shared:?}");

        let mut spool = avails_submit::Spool::new(&options.mapping, LICENSOR, false).unwrap();
        avails_convert::pipeline::run(std::slice::from_ref(&file), &options, &mut spool).unwrap();
        assert_eq!(spool.refused(), 0, "{name}");
        let (spooled, shared) = spool.finish().unwrap();
        assert!(shared.is_empty(), "{name}: {shared:?}");
        let mut keys: Vec<String> = spooled.units().iter().map(|u| u.key.clone()).collect();
        keys.sort();
        sent_full.push(keys);
    }
    assert_eq!(
        sent_full[0],
        [
            "full:submitlicensor:shared-0:US:TVOD",
            "full:submitlicensor:shared-1:US:TVOD"
        ]
    );
    assert_eq!(sent_full[0], sent_full[1]);

    // And the server takes both full extracts.
    let sandbox = sandbox(SandboxConfig::default()).await;
    let client = client(&sandbox, 1);
    let journal = journal_at(&dir.path().join("journal.sqlite"));
    let units: Vec<Unit> = (0..2)
        .map(|i| {
            let mut r = request("shared", i);
            r["avail"]["Transaction"][0]["_TransactionID"] = json!("DEAL-7");
            full_unit(r)
        })
        .collect();
    let report = send(&client, &journal, units).await;
    assert_eq!(report.sent, 2, "{report:?}");
}
