//! Every complete JSON example of the reference reads into the model and
//! writes back semantically equal (key order and Terms order aside).
//! Damaged examples are repaired visibly: see the fixtures' README.md.

use std::path::PathBuf;

use avails_model::canonical::canonical;
use avails_model::{AvailRequest, BatchRequest, GetResponse};
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/spec")
}

fn round_trip(name: &str, value: &Value) -> Value {
    let back = if value.get("requestItems").is_some() {
        let r: BatchRequest =
            serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::to_value(r)
    } else if value.get("success").is_some() {
        let r: GetResponse =
            serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::to_value(r)
    } else {
        let r: AvailRequest =
            serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::to_value(r)
    };
    back.expect("serializes")
}

#[test]
fn every_spec_example_round_trips_through_the_model() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures()).expect("fixtures folder") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: fixture is not JSON: {e}"));
        let back = round_trip(&name, &value);
        assert_eq!(
            canonical(&back),
            canonical(&value),
            "{name} changed in the round trip"
        );
        seen += 1;
    }
    assert!(seen >= 20, "expected every spec example, found {seen}");
}

#[test]
fn unknown_attributes_are_kept() {
    let value: Value = serde_json::json!({"avail": {
        "ALID": "a", "FutureAttribute": {"x": 1},
        "Asset": [{"WorkType": "Movie", "RunLength": "PT1H"}],
        "Transaction": [{"LicenseType": "EST", "Territory": [{"country": "US", "region": "x"}],
                         "Terms": [{"_termName": "SRP", "Money": {"value": 1.5, "_currency": "USD", "vat": true}}]}]
    }});
    assert_eq!(canonical(&round_trip("inline", &value)), canonical(&value));
}
