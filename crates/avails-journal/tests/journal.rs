//! Journal behaviour: decisions, transitions, crash recovery, history.

use avails_journal::{
    content_hash, content_hash_of, full_key, partial_key, Decision, HistoryFilter, Journal,
    JournalError, Outcome, SendReason, State,
};
use avails_model::{ApiError, BusinessLine};
use serde_json::json;

fn hashes() -> (String, String) {
    (
        content_hash(&json!({"avail": {"ALID": "a1", "v": 1}})),
        content_hash(&json!({"avail": {"ALID": "a1", "v": 2}})),
    )
}

#[test]
fn open_creates_directories_tables_and_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/journal.sqlite");
    let j = Journal::open(&path).unwrap();
    assert!(path.is_file());
    assert_eq!(j.path(), Some(path.as_path()));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // Only keys, hashes, states, statuses, answers and times are stored: no header, no key.
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('entries') UNION ALL SELECT name FROM pragma_table_info('events')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        cols.iter()
            .all(|c| !c.contains("header") && !c.contains("api")),
        "{cols:?}"
    );
}

#[test]
fn skips_only_identical_acknowledged_content() {
    let j = Journal::open_in_memory().unwrap();
    let key = full_key("mgm", "a1", "US", BusinessLine::Tvod);
    let (h1, h2) = hashes();
    assert_eq!(
        j.should_send(&key, &h1).unwrap(),
        Decision::Send(SendReason::New)
    );
    j.mark_sending(&key, &h1).unwrap();
    assert_eq!(j.entry(&key).unwrap().unwrap().state, State::Sending);
    j.mark_result(&key, &h1, &Outcome::acknowledged(200))
        .unwrap();
    let e = j.entry(&key).unwrap().unwrap();
    assert_eq!(
        (e.state, e.attempts, e.last_status),
        (State::Acknowledged, 1, Some(200))
    );
    assert_eq!(j.should_send(&key, &h1).unwrap(), Decision::Skip);
    assert_eq!(
        j.should_send(&key, &h2).unwrap(),
        Decision::Send(SendReason::Changed)
    );
    // mark_pending leaves identical acknowledged content alone.
    j.mark_pending(&key, &h1).unwrap();
    assert_eq!(j.entry(&key).unwrap().unwrap().state, State::Acknowledged);
    j.mark_pending(&key, &h2).unwrap();
    assert_eq!(
        j.should_send(&key, &h2).unwrap(),
        Decision::Send(SendReason::Pending)
    );
}

#[test]
fn rejection_keeps_the_server_errors() {
    let j = Journal::open_in_memory().unwrap();
    let key = partial_key("mgm", "tx1");
    let (h1, _) = hashes();
    j.mark_sending(&key, &h1).unwrap();
    let errors = vec![ApiError {
        code: "INVALID_TERRITORY".into(),
        message: "Territory XX is not supported".into(),
    }];
    j.mark_result(&key, &h1, &Outcome::rejected(400, &errors))
        .unwrap();
    let e = j.entry(&key).unwrap().unwrap();
    assert_eq!(e.state, State::Rejected);
    assert_eq!(e.last_status, Some(400));
    assert_eq!(e.answer.unwrap()[0]["code"], "INVALID_TERRITORY");
    assert_eq!(
        j.should_send(&key, &h1).unwrap(),
        Decision::Send(SendReason::PreviouslyRejected)
    );
    j.mark_sending(&key, &h1).unwrap();
    j.mark_result(
        &key,
        &h1,
        &Outcome::failed(Some(503), "gave up after 6 attempts"),
    )
    .unwrap();
    let e = j.entry(&key).unwrap().unwrap();
    assert_eq!((e.state, e.attempts), (State::Failed, 2));
    assert_eq!(
        j.should_send(&key, &h1).unwrap(),
        Decision::Send(SendReason::PreviouslyFailed)
    );
}

#[test]
#[allow(
    clippy::mem_forget,
    reason = "the journal is forgotten on purpose: a crash runs no destructor"
)]
fn a_send_interrupted_by_a_crash_is_resent_never_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    let (h1, h2) = hashes();
    let done = partial_key("mgm", "done");
    let stuck = partial_key("mgm", "stuck");
    {
        let j = Journal::open(&path).unwrap();
        j.mark_sending(&done, &h1).unwrap();
        j.mark_result(&done, &h1, &Outcome::acknowledged(200))
            .unwrap();
        j.mark_sending(&stuck, &h2).unwrap();
        // The process dies here: no destructor, no checkpoint, no answer recorded.
        std::mem::forget(j);
    }
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.recovered(), std::slice::from_ref(&stuck));
    let e = j.entry(&stuck).unwrap().unwrap();
    assert_eq!(e.state, State::Pending);
    assert_eq!(e.note.as_deref(), Some("interrupted"));
    assert_eq!(
        j.should_send(&stuck, &h2).unwrap(),
        Decision::Send(SendReason::Interrupted)
    );
    assert_eq!(j.should_send(&done, &h1).unwrap(), Decision::Skip);
    // A result cannot be recorded for the interrupted attempt: it must be sent again.
    assert!(matches!(
        j.mark_result(&stuck, &h2, &Outcome::acknowledged(200)),
        Err(JournalError::NotSending { .. })
    ));
    j.mark_sending(&stuck, &h2).unwrap();
    j.mark_result(&stuck, &h2, &Outcome::acknowledged(200))
        .unwrap();
    let e = j.entry(&stuck).unwrap().unwrap();
    assert_eq!(
        (e.state, e.attempts, e.note),
        (State::Acknowledged, 2, None)
    );
    drop(j);
    assert!(Journal::open(&path).unwrap().recovered().is_empty());
}

#[test]
fn results_must_match_a_send() {
    let j = Journal::open_in_memory().unwrap();
    let key = partial_key("mgm", "tx");
    let (h1, h2) = hashes();
    assert!(matches!(
        j.mark_result(&key, &h1, &Outcome::acknowledged(200)),
        Err(JournalError::NotSending { state: None, .. })
    ));
    j.mark_sending(&key, &h1).unwrap();
    assert!(matches!(
        j.mark_result(&key, &h2, &Outcome::acknowledged(200)),
        Err(JournalError::HashMismatch { .. })
    ));
    let pending = Outcome {
        state: State::Pending,
        http_status: None,
        answer: None,
    };
    assert!(matches!(
        j.mark_result(&key, &h1, &pending),
        Err(JournalError::NotFinal(State::Pending))
    ));
    assert!(matches!(
        j.mark_sending("", &h1),
        Err(JournalError::EmptyKey)
    ));
    assert!(matches!(
        j.mark_sending(&key, "abc"),
        Err(JournalError::BadHash(_))
    ));
    assert_eq!(j.entry(&key).unwrap().unwrap().state, State::Sending);
}

#[test]
fn history_and_entries_for_the_journal_command() {
    let j = Journal::open_in_memory().unwrap();
    let (h1, _) = hashes();
    for tx in ["t1", "t2", "t3"] {
        let k = partial_key("mgm", tx);
        j.mark_sending(&k, &h1).unwrap();
        j.mark_result(&k, &h1, &Outcome::acknowledged(200)).unwrap();
    }
    let other = partial_key("acme", "t1");
    j.mark_sending(&other, &h1).unwrap();
    let keys: Vec<String> = j.entries().unwrap().into_iter().map(|e| e.key).collect();
    assert_eq!(
        keys,
        [
            "partial:acme:t1",
            "partial:mgm:t1",
            "partial:mgm:t2",
            "partial:mgm:t3"
        ]
    );

    let all = j.history(&HistoryFilter::default()).unwrap();
    assert_eq!(all.len(), 7);
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let mgm_acks = j
        .history(&HistoryFilter {
            key_prefix: Some("partial:mgm:".into()),
            state: Some(State::Acknowledged),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(mgm_acks.len(), 3);
    let last = j
        .history(&HistoryFilter {
            limit: Some(2),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(last.len(), 2);
    assert_eq!(last[0].key, other, "the newest event first");
    let one = j
        .history(&HistoryFilter {
            key: Some(partial_key("mgm", "t2")),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        one.iter().map(|e| e.state).collect::<Vec<_>>(),
        [State::Acknowledged, State::Sending]
    );
    let counts = j.counts().unwrap();
    assert!(counts.contains(&(State::Acknowledged, 3)));
    assert!(counts.contains(&(State::Sending, 1)));
}

#[test]
fn hash_of_a_model_payload_is_stable() {
    let req: avails_model::AvailRequest =
        serde_json::from_value(json!({"avail": {"ALID": "a1", "Transaction": []}})).unwrap();
    let a = content_hash_of(&req).unwrap();
    let b = content_hash_of(&req.clone()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 64);
}

#[test]
fn a_200_with_success_false_is_a_rejection() {
    let answer: avails_model::StatusResponse = serde_json::from_str(
        r#"{"success":false,"validationErrors":[{"code":"RULE","message":"Start after End"}]}"#,
    )
    .unwrap();
    let o = Outcome::from_status(200, &answer);
    assert_eq!(o.state, State::Rejected);
    assert_eq!(o.answer.unwrap()[0]["message"], "Start after End");
    let ok: avails_model::StatusResponse = serde_json::from_str(r#"{"success":true}"#).unwrap();
    assert_eq!(Outcome::from_status(200, &ok).state, State::Acknowledged);
}

#[test]
fn a_deleted_title_is_no_longer_landed() {
    let j = Journal::open_in_memory().unwrap();
    let key = full_key("mgm", "a1", "US", BusinessLine::Tvod);
    let other = full_key("mgm", "a1", "US", BusinessLine::Fvod);
    let (h1, _) = hashes();
    for k in [&key, &other] {
        j.mark_sending(k, &h1).unwrap();
        j.mark_result(k, &h1, &Outcome::acknowledged(200)).unwrap();
    }
    assert_eq!(j.should_send(&key, &h1).unwrap(), Decision::Skip);
    let changed = j
        .mark_deleted([key.as_str(), "full:mgm:never-sent:US:TVOD"], Some(200))
        .unwrap();
    assert_eq!(changed, 1, "only keys the journal knows change");
    assert_eq!(
        j.should_send(&key, &h1).unwrap(),
        Decision::Send(SendReason::Deleted)
    );
    let e = j.entry(&key).unwrap().unwrap();
    assert_eq!(e.state, State::Pending);
    assert_eq!(e.note.as_deref(), Some(avails_journal::DELETED));
    // Other scopes of the title are untouched.
    assert_eq!(j.should_send(&other, &h1).unwrap(), Decision::Skip);
    // The history says it.
    let events = j
        .history(&HistoryFilter {
            key: Some(key.clone()),
            ..Default::default()
        })
        .unwrap();
    let last = events.first().unwrap();
    assert_eq!(
        (last.state, last.note.as_deref(), last.http_status),
        (State::Pending, Some("deleted"), Some(200))
    );
    // Sent again, it lands again.
    j.mark_sending(&key, &h1).unwrap();
    j.mark_result(&key, &h1, &Outcome::acknowledged(200))
        .unwrap();
    assert_eq!(j.should_send(&key, &h1).unwrap(), Decision::Skip);
    assert_eq!(
        j.keys_with_prefix("full:mgm:a1:US:").unwrap(),
        vec![other.clone(), key.clone()]
    );
}

#[test]
fn history_names_each_keys_title_and_source_newest_first() {
    let j = Journal::open_in_memory().unwrap();
    let a = full_key("mgm", "a1", "US", BusinessLine::Tvod);
    let b = full_key("mgm", "b1", "US", BusinessLine::Tvod);
    let (h1, h2) = hashes();
    j.describe_all([avails_journal::Description {
        key: &a,
        title: "First Dance, The",
        source: "movies.xlsx:Movies!4",
    }])
    .unwrap();
    j.mark_sending(&a, &h1).unwrap();
    j.mark_sending(&b, &h1).unwrap();
    // A later run renames the title and moves its row: the new names win.
    j.describe_all([avails_journal::Description {
        key: &a,
        title: "First Dance",
        source: "movies.xlsx:Movies!9",
    }])
    .unwrap();
    j.mark_sending(&a, &h2).unwrap();
    let events = j.history(&HistoryFilter::default()).unwrap();
    let seen: Vec<(&str, Option<&str>, Option<&str>)> = events
        .iter()
        .map(|e| (e.key.as_str(), e.title.as_deref(), e.source.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                a.as_str(),
                Some("First Dance"),
                Some("movies.xlsx:Movies!9")
            ),
            (b.as_str(), None, None),
            (
                a.as_str(),
                Some("First Dance"),
                Some("movies.xlsx:Movies!9")
            ),
        ]
    );
    // Filters still apply to the events' own columns.
    let only_b = j
        .history(&HistoryFilter {
            key: Some(b.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(only_b.len(), 1);
    let json = serde_json::to_value(&events[1]).unwrap();
    assert!(json.get("title").is_none(), "{json}");
}
