use std::collections::BTreeMap;

use crate::{AvailRequest, AvailTrans, Money, Term};
use proptest::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use super::*;
use crate::test_json::json;

/// The document `fill` gives and the one built from `to_value`, which it
/// must equal node for node.
fn both<T: Serialize>(v: &T) -> (Doc, Doc) {
    let mut direct = Doc::new();
    direct.fill(v);
    let through_value = Doc::from_value(&serde_json::to_value(v).unwrap_or_default());
    (direct, through_value)
}

fn same_as_value<T: Serialize>(v: &T) {
    let (direct, through_value) = both(v);
    assert_eq!(direct.slots, through_value.slots);
    assert_eq!(direct.text, through_value.text);
    let value = serde_json::to_value(v).unwrap_or_default();
    assert_eq!(direct.root().to_value(), value);
    writes_as_serde_json(v);
}

/// The document's JSON is what `serde_json` writes of its value, and of
/// the typed value itself when the document was built straight from it.
fn writes_as_serde_json<T: Serialize>(v: &T) {
    let mut doc = Doc::new();
    let straight = doc.fill(v);
    let mut written = Vec::new();
    doc.write_json(&mut written);
    let value = serde_json::to_value(v).unwrap_or_default();
    assert_eq!(
        String::from_utf8_lossy(&written),
        serde_json::to_string(&value).unwrap()
    );
    if straight {
        assert_eq!(
            String::from_utf8_lossy(&written),
            serde_json::to_string(v).unwrap()
        );
    }
}

fn messy_request() -> AvailRequest {
    let mut req = AvailRequest::default();
    req.avail.alid = "md:alid:eidr-s:1234-É\"/~".into();
    let mut tx = AvailTrans {
        license_type: Some("EST".into()),
        start: Some("2026-01-01".into()),
        ..AvailTrans::default()
    };
    tx.extra
        .insert("OddColumn".into(), json!({"a": [1, null, 2.5]}));
    tx.terms = Some(vec![
        Term {
            name: "SRP".into(),
            money: Some(Money {
                value: Some(f64::NAN),
                currency: Some("USD".into()),
                ..Money::default()
            }),
            ..Term::default()
        },
        Term {
            name: "Download".into(),
            text: Some(String::new()),
            number: Some(-3),
            ..Term::default()
        },
    ]);
    req.avail.transaction = vec![tx.clone(), AvailTrans::default()];
    req.extra.insert("note".into(), Value::Null);
    req
}

#[test]
fn a_typed_payload_fills_the_document_its_value_gives() {
    same_as_value(&messy_request());
}

#[test]
fn strings_that_need_an_escape_are_written_as_serde_json_writes_them() {
    let long_then_quote = format!("{}\"", "a".repeat(70));
    for s in [
        "plain",
        "",
        "quote \" inside",
        "back\\slash",
        "tab\there",
        "line\nbreak",
        "\u{1}\u{1f}",
        "del \u{7f} stays",
        "é, 東京, 🎬",
        long_then_quote.as_str(),
    ] {
        writes_as_serde_json(&s);
        writes_as_serde_json(&json!({ s: [s, {"k": s}], "n": 1 }));
    }
}

#[test]
fn numbers_and_empty_containers_are_written_as_serde_json_writes_them() {
    writes_as_serde_json(&json!({
        "a": [], "b": {}, "c": [[], {}, [null]], "d": [0.1, -2.5e-7, 1e300, 4.99],
        "e": [u64::MAX, i64::MIN, 0, -0.0], "f": [true, false, null]
    }));
    writes_as_serde_json(&messy_request());
    writes_as_serde_json(&Value::Null);
    let mut empty = Vec::new();
    Doc::new().write_json(&mut empty);
    assert_eq!(empty, b"null");
}

#[test]
fn a_key_named_twice_keeps_its_first_place_and_its_last_value_as_in_a_value() {
    let mut req = messy_request();
    // An attribute the model names, given again among the unnamed ones.
    req.avail.transaction[0]
        .extra
        .insert("LicenseType".into(), json!("SVOD"));
    let (direct, _) = both(&req);
    let tx = direct.root().to_value()["avail"]["Transaction"][0].clone();
    assert_eq!(tx["LicenseType"], json!("SVOD"));
    assert_eq!(
        tx.as_object().unwrap().keys().next().map(String::as_str),
        Some("LicenseType")
    );
    same_as_value(&req);
}

#[derive(Serialize)]
enum Shapes {
    Unit,
    Newtype(u8),
    Tuple(i32, &'static str),
    Struct { a: Option<bool>, b: f32 },
}

#[test]
fn enums_bytes_wide_integers_and_odd_keys_fill_as_in_a_value() {
    same_as_value(&vec![
        Shapes::Unit,
        Shapes::Newtype(7),
        Shapes::Tuple(-1, "x"),
        Shapes::Struct {
            a: None,
            b: f32::INFINITY,
        },
    ]);
    same_as_value(&serde_bytes_like(b"ab"));
    same_as_value(&(u128::from(u64::MAX), -5i128, 'é', ()));
    let numbered: BTreeMap<u32, &str> = [(2, "b"), (1, "a")].into_iter().collect();
    same_as_value(&numbered);
    // Beyond 64 bits: serde_json refuses, and the document is null.
    let (direct, _) = both(&u128::MAX);
    assert!(direct.root().is_null());
}

fn serde_bytes_like(b: &'static [u8]) -> impl Serialize {
    struct Bytes(&'static [u8]);
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }
    Bytes(b)
}

#[test]
fn views_read_members_and_items_past_nested_containers() {
    let doc = Doc::from_value(&json!({
        "a": {"x": [1, {"y": 2}], "z": null},
        "b": [[], [true], "s"],
        "c": 1.5
    }));
    let root = doc.root().as_object().unwrap();
    assert_eq!(root.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(root.len(), 3);
    let b = root.get("b").unwrap().as_array().unwrap();
    assert_eq!(b.len(), 3);
    let items: Vec<Value> = b.iter().map(Node::to_value).collect();
    assert_eq!(items, [json!([]), json!([true]), json!("s")]);
    assert!(b.first().unwrap().as_array().unwrap().is_empty());
    assert_eq!(root.get("c").unwrap().to_value(), json!(1.5));
    assert!(root
        .get("a")
        .unwrap()
        .as_object()
        .unwrap()
        .get("z")
        .unwrap()
        .is_null());
    assert!(root.get("missing").is_none());
    let x = root
        .get("a")
        .unwrap()
        .as_object()
        .unwrap()
        .get("x")
        .unwrap();
    assert_eq!(
        x.as_array().unwrap().iter().nth(1).unwrap().to_value(),
        json!({"y": 2})
    );
    assert_eq!(Doc::new().root().to_value(), Value::Null);
}

#[test]
fn refilling_forgets_the_previous_document() {
    let mut doc = Doc::from_value(&json!({"long": ["a", "b", "c"]}));
    doc.fill(&json!("short"));
    assert_eq!(doc.root().as_str(), Some("short"));
    doc.fill_value(&json!([1]));
    assert_eq!(doc.root().to_value(), json!([1]));
}

proptest! {
    /// Any JSON reads back from its document as it was.
    #[test]
    fn a_value_reads_back_from_its_document(v in json()) {
        prop_assert_eq!(Doc::from_value(&v).root().to_value(), v.clone());
        same_as_value(&v);
    }

    /// A document of strings needing no escape is written as serde_json
    /// writes it (the path that copies strings as they are).
    #[test]
    fn a_plain_document_is_written_as_serde_json_writes_it(
        members in prop::collection::vec(("[A-Za-z_é ]{0,8}", "[ -!#-\\[\\]-~é東]{0,80}"), 0..6),
        n in any::<f64>(),
    ) {
        let mut object = serde_json::Map::new();
        for (k, v) in members {
            object.insert(k, json!([v, {"n": n}]));
        }
        writes_as_serde_json(&Value::Object(object));
    }

    /// A term with any unnamed attributes, some of them named like the
    /// model's own, fills the document its value gives.
    #[test]
    fn a_term_with_any_extra_attributes_fills_as_its_value(
        extra in prop::collection::vec(("[A-Za-z_]{1,5}|Text|Money|_termName", json()), 0..4),
        text in proptest::option::of("[a-z ]{0,4}"),
        number in proptest::option::of(any::<i64>()),
    ) {
        let term = Term {
            name: "SRP".into(),
            text,
            number,
            extra: extra.into_iter().collect(),
            ..Term::default()
        };
        same_as_value(&term);
    }
}
