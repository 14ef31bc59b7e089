//! Equality of single values: instants, durations, numbers.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde_json::Value;

/// Keys whose string values are date-times.
pub const DATE_KEYS: &[&str] = &["Start", "End", "Event"];

/// A parsed date-time: an instant when it has an offset, else as written.
#[derive(Debug, PartialEq)]
enum When {
    Instant(DateTime<FixedOffset>),
    Local(NaiveDateTime),
}

fn parse_when(s: &str) -> Option<When> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(When::Instant(dt));
    }
    for form in [
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, form) {
            return Some(When::Instant(dt));
        }
    }
    for form in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, form) {
            return Some(When::Local(dt));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(When::Local)
}

/// Whether two date-times are the same instant (or, without offsets, the
/// same wall-clock time). Unparseable values compare as text.
pub fn same_datetime(a: &str, b: &str) -> bool {
    match (parse_when(a), parse_when(b)) {
        (Some(When::Instant(x)), Some(When::Instant(y))) => x == y,
        (Some(When::Local(x)), Some(When::Local(y))) => x == y,
        (Some(_), Some(_)) => false,
        _ => a.trim() == b.trim(),
    }
}

/// The length of an ISO 8601 duration in seconds, when it has no years or
/// months (whose length varies).
pub fn duration_seconds(s: &str) -> Option<f64> {
    let s = s.trim().to_ascii_uppercase();
    let rest = s.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total = 0.0;
    for (part, units) in [
        (date, &[('W', 604_800.0), ('D', 86_400.0)][..]),
        (time, &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)][..]),
    ] {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(if c == ',' { '.' } else { c });
                continue;
            }
            let factor = units.iter().find(|(u, _)| *u == c)?.1;
            total += number.parse::<f64>().ok()? * factor;
            number.clear();
        }
        if !number.is_empty() {
            return None;
        }
    }
    Some(total)
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
        assert!(same_datetime("2013-05-14T00:00:00", "2013-05-14"));
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
    }
}
