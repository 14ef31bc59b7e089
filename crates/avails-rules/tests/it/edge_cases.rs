//! Behaviour beyond one rule per case: pointers in batches, cross-payload
//! indexes, type errors, case rules and the public helpers.

use avails_rules::{
    countries::COUNTRIES, currencies::CURRENCIES, parse_item_path, rule, rules, validate_batch,
    validate_payload, validate_payloads, Context, Diagnostic, PathError, Severity, Target,
};
use serde_json::{json, Value};

fn movie() -> Value {
    json!({"avail": {
        "ALID": "A1",
        "Disposition": {"EntryType": "FullExtract"},
        "Licensor": {"DisplayName": "studio"},
        "Asset": [{"_contentID": "A1", "WorkType": "Movie",
                   "Metadata": {"TitleInternalAlias": ["A Movie"]}}],
        "Transaction": [{
            "_TransactionID": "T1",
            "LicenseType": "EST",
            "Territory": [{"country": "FR"}],
            "Start": "2025-01-01T00:00:00",
            "FormatProfile": {"value": "HD"},
            "Terms": [{"_termName": "SRP", "Money": {"value": 9.99, "_currency": "EUR"}}]
        }]
    }})
}

fn codes(d: &[Diagnostic]) -> Vec<(&str, &str)> {
    d.iter().map(|d| (d.code.as_ref(), d.pointer())).collect()
}

#[test]
fn a_minimal_movie_is_clean() {
    assert_eq!(validate_payload(&movie(), &Context::default()), vec![]);
}

#[test]
fn a_non_object_payload_is_av001_at_the_root() {
    let d = validate_payload(&json!([1, 2]), &Context::default());
    assert_eq!(codes(&d), vec![("AV001", "")]);
    assert_eq!(
        d[0].to_string(),
        "/: error[AV001]: the payload must be an object with an `avail` object, found array of 2"
    );
}

#[test]
fn wrong_json_types_are_reported_one_by_one() {
    let mut p = movie();
    p["avail"]["Transaction"][0]["Terms"][0]["Money"] = json!("9.99 EUR");
    p["avail"]["Transaction"][0]["Territory"] = json!({"country": "FR"});
    p["avail"]["Asset"][0]["Metadata"]["TitleInternalAlias"] = json!("A Movie");
    let d = validate_payload(&p, &Context::default());
    let got = codes(&d);
    assert!(
        got.contains(&("AV003", "/avail/Transaction/0/Terms/0/Money")),
        "{d:#?}"
    );
    assert!(
        got.contains(&("AV003", "/avail/Transaction/0/Territory")),
        "{d:#?}"
    );
    assert!(
        got.contains(&("AV003", "/avail/Asset/0/Metadata/TitleInternalAlias")),
        "{d:#?}"
    );
    // A Money given as a string is a type error, not also "SRP needs Money".
    assert!(!got.iter().any(|(c, _)| *c == "AV051"), "{d:#?}");
}

#[test]
fn terms_and_an_empty_transaction_list_are_required() {
    let mut p = movie();
    p["avail"]["Transaction"][0]
        .as_object_mut()
        .unwrap()
        .remove("Terms");
    assert_eq!(
        codes(&validate_payload(&p, &Context::default())),
        vec![("AV002", "/avail/Transaction/0/Terms")]
    );
    p["avail"]["Transaction"] = json!([]);
    assert_eq!(
        codes(&validate_payload(&p, &Context::default())),
        vec![("AV002", "/avail/Transaction")]
    );
}

#[test]
fn null_optional_attributes_are_ignored() {
    let mut p = movie();
    p["avail"]["Transaction"][0]["End"] = Value::Null;
    p["avail"]["SharedEntitlement"] = Value::Null;
    assert_eq!(validate_payload(&p, &Context::default()), vec![]);
}

#[test]
fn term_names_are_case_insensitive() {
    let mut p = movie();
    p["avail"]["Transaction"][0]["Terms"][0]["_termName"] = json!("srp");
    assert_eq!(validate_payload(&p, &Context::default()), vec![]);
}

#[test]
fn unsupported_attributes_are_escaped_in_pointers() {
    let mut p = movie();
    p["avail"]["Licensor"]["a/b~c"] = json!(1);
    let d = validate_payload(&p, &Context::default());
    assert_eq!(codes(&d), vec![("AV005", "/avail/Licensor/a~1b~0c")]);
    assert_eq!(d[0].severity, Severity::Warning);
}

#[test]
fn start_and_end_compare_naively_without_offsets() {
    let mut p = movie();
    // 01:00 local (no offset) vs 00:30Z: compared as local times, so End is after Start.
    p["avail"]["Transaction"][0]["Start"] = json!("2025-01-01T00:00:00");
    p["avail"]["Transaction"][0]["End"] = json!("2025-01-01T00:30:00Z");
    assert_eq!(validate_payload(&p, &Context::default()), vec![]);
    // With offsets on both: 01:00+02:00 is 23:00Z the day before, after 22:30Z.
    p["avail"]["Transaction"][0]["Start"] = json!("2025-01-01T01:00:00+02:00");
    p["avail"]["Transaction"][0]["End"] = json!("2024-12-31T22:30:00Z");
    assert_eq!(
        codes(&validate_payload(&p, &Context::default())),
        vec![("AV044", "/avail/Transaction/0/End")]
    );
}

#[test]
fn partial_extract_requires_a_transaction_id() {
    let mut p = movie();
    p["avail"]["Transaction"][0]
        .as_object_mut()
        .unwrap()
        .remove("_TransactionID");
    assert_eq!(validate_payload(&p, &Context::default()), vec![]);
    let ctx = Context {
        partial: true,
        ..Context::default()
    };
    assert_eq!(
        codes(&validate_payload(&p, &ctx)),
        vec![("AV002", "/avail/Transaction/0/_TransactionID")]
    );
}

#[test]
fn validate_payloads_reports_the_payload_index() {
    let a = movie();
    let mut b = movie();
    b["avail"]["ALID"] = json!("A2");
    b["avail"]["Asset"][0]["_contentID"] = json!("A2");
    let mut c = movie();
    c["avail"]["Transaction"][0]["_TransactionID"] = json!("T3");
    let d = validate_payloads([&a, &b, &c]);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].0, 1);
    assert_eq!(d[0].1.code, "AV080");
    assert!(d[0].1.message.contains("payload 0"), "{}", d[0].1.message);
}

#[test]
fn batch_bodies_are_checked_against_their_paths_with_prefixed_pointers() {
    let mut body = movie();
    body["avail"]["Disposition"]["EntryType"] = json!("PartialExtract");
    let batch = json!({"requestItems": [
        {"requestItemId": "1", "path": "/avails/studio/partial-extract/transactions/T9", "body": body},
        {"requestItemId": "2", "path": "/avails/studio/full-extract/OTHER/validate", "body": movie()},
    ]});
    let d = validate_batch(&batch);
    let got = codes(&d);
    assert!(
        got.contains(&(
            "AV083",
            "/requestItems/0/body/avail/Transaction/0/_TransactionID"
        )),
        "{d:#?}"
    );
    assert!(
        got.contains(&("AV084", "/requestItems/1/body/avail/ALID")),
        "{d:#?}"
    );
    // Both bodies use T1: the second is reported as a duplicate in the batch.
    assert!(
        got.contains(&(
            "AV080",
            "/requestItems/1/body/avail/Transaction/0/_TransactionID"
        )),
        "{d:#?}"
    );
}

#[test]
fn batch_shape_errors() {
    assert_eq!(
        codes(&validate_batch(&json!({}))),
        vec![("AV002", "/requestItems")]
    );
    assert_eq!(
        codes(&validate_batch(&json!({"requestItems": {}}))),
        vec![("AV003", "/requestItems")]
    );
    let d = validate_batch(&json!({"requestItems": [{"path": 3}]}));
    assert_eq!(
        codes(&d),
        vec![
            ("AV002", "/requestItems/0/requestItemId"),
            ("AV003", "/requestItems/0/path")
        ]
    );
}

#[test]
fn item_paths_parse() {
    let p = parse_item_path("/avails/lic/partial-extract/transactions/T1/validate").unwrap();
    assert_eq!(p.licensor, "lic");
    assert_eq!(
        p.target,
        Target::Partial {
            transaction_id: "T1"
        }
    );
    assert!(p.validate);
    let p = parse_item_path("/avails/lic/full-extract/A1?territory=US&businessLine=TVOD").unwrap();
    assert_eq!(p.target, Target::Full { alid: "A1" });
    assert_eq!(p.query, Some("territory=US&businessLine=TVOD"));
    assert_eq!(
        parse_item_path("/v1/avails/lic/full-extract/A1"),
        Err(PathError::Prefix)
    );
    assert_eq!(
        parse_item_path("/avails/lic//A1"),
        Err(PathError::Segment(String::new()))
    );
    assert_eq!(
        parse_item_path("/avails/lic/full-extract/A1/x"),
        Err(PathError::Shape)
    );
}

#[test]
fn diagnostics_serialize_with_lowercase_severity() {
    let d = validate_payload(&json!({}), &Context::default());
    let v = serde_json::to_value(&d[0]).unwrap();
    assert_eq!(v["severity"], "error");
    assert_eq!(v["code"], "AV001");
    assert_eq!(v["path"], "/avail");
    let r = serde_json::to_value(rule("AV005").unwrap()).unwrap();
    assert_eq!(r["severity"], "warning");
}

#[test]
fn catalogue_entries_are_one_line() {
    for r in rules() {
        assert!(
            !r.summary.contains('\n') && !r.spec.contains('\n'),
            "{}",
            r.code
        );
        assert!(!r.spec.is_empty(), "{}", r.code);
    }
}

#[test]
fn embedded_code_lists_are_sorted_and_complete() {
    assert_eq!(COUNTRIES.len(), 249);
    assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
    assert!(CURRENCIES.windows(2).all(|w| w[0] < w[1]));
    for code in ["US", "GB", "FR", "SS", "XK"] {
        assert_eq!(
            COUNTRIES.binary_search(&code).is_ok(),
            code != "XK",
            "{code}"
        );
    }
    for code in ["USD", "EUR", "JPY", "XCG", "ZWG"] {
        assert!(CURRENCIES.binary_search(&code).is_ok(), "{code}");
    }
}

#[test]
fn an_empty_required_value_is_reported_once() {
    let mut p = movie();
    p["avail"]["Transaction"][0]["Territory"][0]["country"] = json!("");
    assert_eq!(
        codes(&validate_payload(&p, &Context::default())),
        vec![("AV002", "/avail/Transaction/0/Territory/0/country")]
    );
}

#[test]
fn a_partial_payload_without_transaction_id_is_reported_once() {
    let mut p = movie();
    p["avail"]["Transaction"][0]
        .as_object_mut()
        .unwrap()
        .remove("_TransactionID");
    let ctx = Context {
        partial: true,
        expected_transaction_id: Some("T1".to_owned()),
        ..Context::default()
    };
    assert_eq!(
        codes(&validate_payload(&p, &ctx)),
        vec![("AV083", "/avail/Transaction/0/_TransactionID")]
    );
    p["avail"]["Transaction"] = json!([]);
    assert_eq!(
        codes(&validate_payload(&p, &ctx)),
        vec![("AV002", "/avail/Transaction")]
    );
}

#[test]
fn enumerations_are_exact_but_suggest_the_right_case() {
    let mut p = movie();
    p["avail"]["Transaction"][0]["LicenseType"] = json!("est");
    let d = validate_payload(&p, &Context::default());
    assert_eq!(
        codes(&d),
        vec![("AV011", "/avail/Transaction/0/LicenseType")]
    );
    assert!(
        d[0].message.ends_with("did you mean `EST`?"),
        "{}",
        d[0].message
    );
}

#[test]
fn put_and_validate_batch_items_need_a_body() {
    let batch = json!({"requestItems": [
        {"requestItemId": "1", "path": "/avails/studio/full-extract/A1", "body": movie()},
        {"requestItemId": "2", "path": "/avails/studio/full-extract/A2"},
    ]});
    assert_eq!(
        codes(&validate_batch(&batch)),
        vec![("AV002", "/requestItems/1/body")]
    );
    let batch = json!({"requestItems": [
        {"requestItemId": "1", "path": "/avails/studio/full-extract/A1/validate"},
    ]});
    assert_eq!(
        codes(&validate_batch(&batch)),
        vec![("AV002", "/requestItems/0/body")]
    );
}
