//! Generated JSON for the property tests of this crate.

use proptest::prelude::*;
use serde_json::Value;

/// Any JSON up to four levels deep: keys that mean something to the model
/// (`Terms`, `_termName`, `Text`, `Money`) beside odd ones (quotes,
/// slashes, accents), and numbers of every kind, whole decimals included.
pub fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("Terms".to_string()),
        Just("_termName".to_string()),
        Just("Text".to_string()),
        Just("Money".to_string()),
        Just("a".to_string()),
        Just("B".to_string()),
        "[a-zé\"\\/~ ]{0,6}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        (-1.0e16..1.0e16f64).prop_map(Value::from),
        (-20i32..20).prop_map(|n| Value::from(f64::from(n))),
        "[a-zé\"\\\n\u{1}]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}
