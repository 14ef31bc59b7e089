//! Equality of single values: instants, durations, numbers.

use avails_model::time::{DateTime, Duration};
use serde_json::Value;

/// Keys whose string values are date-times.
pub const DATE_KEYS: &[&str] = &["Start", "End", "Event"];

/// Whether two date-times are the same instant (or, without offsets, the
/// same wall-clock time). Values that are not date-times as the API takes
/// them (a date alone among them: the reference, Type AvailTrans, Start and
/// End are "date et heure") compare as text.
pub fn same_datetime(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    match (DateTime::parse(a), DateTime::parse(b)) {
        (Some(x), Some(y)) => x.same_moment(&y),
        _ => a == b,
    }
}

/// The length of an ISO 8601 duration in seconds, when it has no years or
/// months (whose length varies); designators in either case.
pub fn duration_seconds(s: &str) -> Option<f64> {
    Duration::parse(&s.trim().to_ascii_uppercase())?.fixed_seconds()
}

/// Whether two scalars under `key` mean the same.
pub fn same_scalar(key: &str, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::String(x), Value::String(y)) if DATE_KEYS.contains(&key) => same_datetime(x, y),
        (Value::String(x), Value::String(y)) if key == "Duration" => {
            match (duration_seconds(x), duration_seconds(y)) {
                (Some(p), Some(q)) => p == q,
                _ => x.trim().eq_ignore_ascii_case(y.trim()),
            }
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instants_with_offsets_compare_as_instants() {
        assert!(same_datetime(
            "2023-03-14T09:00:00Z",
            "2023-03-14T10:00:00+01:00"
        ));
        assert!(!same_datetime(
            "2023-03-14T09:00:00Z",
            "2023-03-14T09:00:00+01:00"
        ));
        assert!(same_datetime(
            "2032-11-22T04:59:59.999Z",
            "2032-11-22T04:59:59.999+00:00"
        ));
    }

    #[test]
    fn values_without_offset_compare_as_written() {
        assert!(same_datetime(
            " 2013-05-14T00:00:00",
            "2013-05-14T00:00:00.000"
        ));
        assert!(!same_datetime(
            "2013-05-14T00:00:00",
            "2013-05-14T00:00:00Z"
        ));
        assert!(!same_datetime("2013-05-14T00:00:00", "2013-05-15T00:00:00"));
    }

    #[test]
    fn numbers_compare_numerically() {
        assert!(same_scalar("value", &json!(1000), &json!(1000.0)));
        assert!(!same_scalar("value", &json!(1000), &json!(1000.5)));
        assert!(!same_scalar("value", &json!(1000), &json!("1000")));
    }

    #[test]
    fn durations_compare_by_length() {
        assert_eq!(duration_seconds("PT48H"), Some(172_800.0));
        assert!(same_scalar("Duration", &json!("PT48H"), &json!("P2D")));
        assert!(!same_scalar("Duration", &json!("PT48H"), &json!("PT24H")));
        assert!(same_scalar("Duration", &json!("P1M"), &json!("p1m")));
        assert_eq!(duration_seconds("P1M"), None);
        assert_eq!(duration_seconds("pt1,5h"), Some(5_400.0));
        assert_eq!(duration_seconds("PT48"), None);
    }

    /// The reference (Type AvailTrans: Start and End are a date and a time)
    /// makes a date alone no Start: it is not the same as midnight, nor is
    /// a value without seconds or with a space for `T` read as a date-time.
    #[test]
    fn a_date_alone_is_not_a_date_time() {
        assert!(!same_datetime("2013-05-14T00:00:00", "2013-05-14"));
        assert!(!same_datetime("2013-05-14T10:30:00", "2013-05-14T10:30"));
        assert!(!same_datetime(
            "2013-05-14T10:30:00Z",
            "2013-05-14 10:30:00Z"
        ));
        assert!(same_datetime("2013-05-14", " 2013-05-14"));
    }
}
