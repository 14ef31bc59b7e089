//! Payload JSON inputs: every accepted form converts, nothing is dropped
//! without a message.

mod support;

use std::path::PathBuf;

use serde_json::{json, Value};
use support::*;

fn example() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(samples().join("tvod-movie.expected.json")).unwrap(),
    )
    .unwrap()
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_json_form_gives_the_same_payload() {
    let dir = tempfile::tempdir().unwrap();
    let one = example();
    let expected = payload_set(&convert(&[write(dir.path(), "one.json", &one.to_string())]));
    assert_eq!(expected.len(), 1);
    let forms = [
        ("array.json", json!([one]).to_string()),
        ("lines.ndjson", format!("{one}\n\n")),
        ("bare.json", one["avail"].to_string()),
        (
            "batch.json",
            json!({"requestItems": [{"requestItemId": "1", "path": format!("/avails/x/full-extract/{}", one["avail"]["ALID"].as_str().unwrap()), "body": one}]})
                .to_string(),
        ),
    ];
    for (name, text) in forms {
        let c = convert(&[write(dir.path(), name, &text)]);
        assert!(
            c.diagnostics.is_empty() && c.unreadable.is_empty(),
            "{name}: {:?} {:?}",
            c.diagnostics,
            c.unreadable
        );
        assert_eq!(payload_set(&c), expected, "{name}");
    }
}

#[test]
fn malformed_payloads_are_reported_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let text = json!([
        {"avail": {"ALID": "a", "Transaction": "x"}},
        {"avail": {"ALID": "b"}},
        42
    ])
    .to_string();
    let c = convert(&[write(dir.path(), "bad.json", &text)]);
    assert!(c.payloads.is_empty());
    let messages: Vec<String> = c.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(c.diagnostics.len(), 3, "{messages:#?}");
    assert!(
        messages[0].contains("does not fit the API schema"),
        "{messages:#?}"
    );
    assert!(messages[1].contains("no Transaction"), "{messages:#?}");
    assert!(messages[2].contains("not a payload"), "{messages:#?}");
    assert!(c.held_back.is_empty());
}
