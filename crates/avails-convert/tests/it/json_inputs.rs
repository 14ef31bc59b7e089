//! Payload JSON inputs: every accepted form converts, nothing is dropped
//! without a message.

use crate::support;

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

/// Each file of `forms` (name, text) converts without a finding to exactly
/// the payloads `expected`.
fn each_reads_as(dir: &std::path::Path, forms: &[(&str, String)], expected: &[(String, Value)]) {
    for (name, text) in forms {
        let c = convert(&[write(dir, name, text)]);
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
    each_reads_as(dir.path(), &forms, &expected);
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

/// `example()` for another title, so payloads of one file do not collide.
fn titled(alid: &str) -> Value {
    let mut p = example();
    p["avail"]["ALID"] = json!(alid);
    p
}

#[test]
fn pretty_printed_and_byte_order_marked_files_read_like_compact_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (titled("md:alid:org:x:a"), titled("md:alid:org:x:b"));
    let compact = payload_set(&convert(&[write(
        dir.path(),
        "two.json",
        &json!([a, b]).to_string(),
    )]));
    assert_eq!(compact.len(), 2);
    let forms = [
        (
            "pretty-array.json",
            serde_json::to_string_pretty(&json!([a, b])).unwrap(),
        ),
        ("bom.ndjson", format!("\u{feff}{a}\r\n\r\n{b}\r\n")),
        ("spaced.ndjson", format!("\n  {a}\n\n{b}")),
    ];
    each_reads_as(dir.path(), &forms, &compact);
    // One pretty-printed payload is one document, not NDJSON.
    let pretty = serde_json::to_string_pretty(&a).unwrap();
    let c = convert(&[write(dir.path(), "pretty-one.json", &pretty)]);
    assert_eq!(c.payloads.len(), 1, "{:?}", c.unreadable);
}

#[test]
fn a_file_cut_short_is_unreadable_and_nothing_read_from_it_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (titled("md:alid:org:x:a"), titled("md:alid:org:x:b"));
    // An array cut in its second element: the first was read, but what
    // the file meant is unknown, so it is held back, not written.
    let whole = json!([a, b]).to_string();
    let cut = &whole[..whole.len() - 40];
    let c = convert(&[write(dir.path(), "cut.json", cut)]);
    assert_eq!(c.unreadable.len(), 1);
    assert!(
        c.unreadable[0].to_string().contains("cut.json"),
        "{}",
        c.unreadable[0]
    );
    assert!(c.payloads.is_empty(), "{:?}", c.payloads.len());
    assert_eq!(c.held_back.len(), 1, "{:?}", c.held_back);
    // NDJSON with a broken third line names that line.
    let text = format!("{a}\n{b}\n{{\"avail\": \n");
    let c = convert(&[write(dir.path(), "broken.ndjson", &text)]);
    assert_eq!(c.unreadable.len(), 1);
    assert!(
        c.unreadable[0].to_string().contains("line 3"),
        "{}",
        c.unreadable[0]
    );
    assert!(c.payloads.is_empty());
    assert_eq!(c.held_back.len(), 2);
}
