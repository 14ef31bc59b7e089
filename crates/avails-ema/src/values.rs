//! Conversions of one cell to one JSON value, each saying what it allows.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

use crate::cell::format_number;
use crate::Cell;

/// Allowed date forms, for messages.
pub const DATE_FORMS: &str =
    "a date cell, YYYY-MM-DD, or an ISO 8601 date-time such as 2024-05-31T09:00:00Z";

/// The cell's text, or `None` when blank or an EMA `//` comment.
pub fn text(cell: &Cell, comment_prefix: &str) -> Option<String> {
    text_ref(cell, comment_prefix).map(Cow::into_owned)
}

/// Like [`text`], borrowing the cell's text when it can.
pub fn text_ref<'c>(cell: &'c Cell, comment_prefix: &str) -> Option<Cow<'c, str>> {
    if cell.is_blank() {
        return None;
    }
    // A boolean cell, or Excel's rendering of one in a CSV export, is Yes/No
    // as EMA writes it.
    let t = match cell {
        Cell::Bool(true) => Cow::Borrowed("Yes"),
        Cell::Bool(false) => Cow::Borrowed("No"),
        Cell::Text(t) => match t.trim() {
            "TRUE" => Cow::Borrowed("Yes"),
            "FALSE" => Cow::Borrowed("No"),
            t => Cow::Borrowed(t),
        },
        other => Cow::Owned(other.display()),
    };
    (!t.starts_with(comment_prefix)).then_some(t)
}

/// A whole number; numbers stored as text are accepted.
pub fn integer(cell: &Cell) -> Result<i64, String> {
    let n = number(cell)?;
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Ok(n as i64)
    } else {
        Err("a whole number".into())
    }
}

/// A decimal number; numbers stored as text are accepted.
pub fn number(cell: &Cell) -> Result<f64, String> {
    match cell {
        Cell::Number(n) => Ok(*n),
        Cell::Text(t) => t
            .trim()
            .replace(',', "")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| "a number".to_string()),
        _ => Err("a number".into()),
    }
}

/// Yes/No, True/False, Y/N, 1/0 (any case) or a boolean cell.
pub fn boolean(cell: &Cell) -> Result<bool, String> {
    let expected = || "Yes or No (also True/False)".to_string();
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Number(n) if *n == 1.0 => Ok(true),
        Cell::Number(n) if *n == 0.0 => Ok(false),
        Cell::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "t" | "1" => Ok(true),
            "no" | "n" | "false" | "f" | "0" => Ok(false),
            _ => Err(expected()),
        },
        _ => Err(expected()),
    }
}

/// Hours (`48`) become `PT48H`; an ISO 8601 duration (`PT48H`, `P30D`) is kept.
pub fn duration_hours(cell: &Cell) -> Result<String, String> {
    let expected = || "a number of hours (48) or an ISO 8601 duration (PT48H)".to_string();
    if let Cell::Text(t) = cell {
        let t = t.trim();
        if t.starts_with('P') || t.starts_with('p') {
            return Ok(t.to_ascii_uppercase());
        }
    }
    if let Cell::Duration(d) = cell {
        return Ok(d.clone());
    }
    let hours = number(cell).map_err(|_| expected())?;
    if hours < 0.0 {
        return Err(expected());
    }
    Ok(format!("PT{}H", format_number(hours)))
}

/// An ISO 8601 date-time. A date alone becomes midnight; `offset` is
/// appended to values without one (empty keeps them local).
pub fn datetime(cell: &Cell, offset: &str) -> Result<String, String> {
    match cell {
        Cell::DateTime(dt) => Ok(format_datetime(*dt, offset)),
        Cell::Number(n) => excel_serial(*n)
            .map(|dt| format_datetime(dt, offset))
            .ok_or_else(|| DATE_FORMS.to_string()),
        Cell::Text(t) => parse_date_text(t.trim(), offset).ok_or_else(|| DATE_FORMS.to_string()),
        _ => Err(DATE_FORMS.to_string()),
    }
}

fn format_datetime(dt: NaiveDateTime, offset: &str) -> String {
    let mut s = crate::cell::iso(&dt, true);
    let nanos = dt.and_utc().timestamp_subsec_millis();
    if nanos != 0 {
        s.push_str(&format!(".{nanos:03}"));
    }
    s.push_str(offset);
    s
}

/// Excel's serial day number (1900 system) as a date-time.
fn excel_serial(n: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&n) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let ms = (n * 86_400_000.0).round() as i64;
    epoch.checked_add_signed(chrono::Duration::milliseconds(ms))
}

fn parse_date_text(t: &str, offset: &str) -> Option<String> {
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(format_datetime(d.and_hms_opt(0, 0, 0)?, offset));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y/%m/%d") {
        return Some(format_datetime(d.and_hms_opt(0, 0, 0)?, offset));
    }
    let t = t.replacen(' ', "T", 1);
    // With an offset or Z: keep exactly what the source says.
    if chrono::DateTime::parse_from_rfc3339(&t).is_ok() {
        return Some(t);
    }
    // A full local date-time is kept as written (`...T00:00:00.000` too), as
    // MDDF input keeps it; only the offset is appended.
    if NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f").is_ok() {
        return Some(format!("{t}{offset}"));
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M") {
        return Some(format_datetime(dt, offset));
    }
    // Offset without seconds or in +HHMM form.
    for form in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M:%S%z"] {
        if chrono::DateTime::parse_from_str(&t, form).is_ok() {
            return Some(t);
        }
    }
    None
}

/// Splits a language list (`en, fr-CA:subtitle; de`) into AssetLanguage objects.
pub fn languages(text: &str) -> Vec<Value> {
    text.split([',', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|token| match token.split_once(':') {
            Some((lang, asset)) if !asset.is_empty() => json!({"value": lang, "_asset": asset}),
            _ => json!({"value": token}),
        })
        .collect()
}

/// Splits a list of bundled ALIDs on `;` or `,` (ALIDs contain `:`).
pub fn bundle(text: &str) -> Vec<Value> {
    text.split([';', ',', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|id| json!({"BundledALID": id}))
        .collect()
}

/// `Full Extract` → `FullExtract`, `Full Delete` → `FullDelete`; other
/// values are kept with spaces removed so validation can report them.
pub fn entry_type(text: &str) -> String {
    text.split_whitespace().collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_without_time_become_midnight() {
        let d = NaiveDate::from_ymd_opt(2013, 6, 14)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(
            datetime(&Cell::DateTime(d), "").unwrap(),
            "2013-06-14T00:00:00"
        );
        assert_eq!(
            datetime(&Cell::Text("2013-06-14".into()), "").unwrap(),
            "2013-06-14T00:00:00"
        );
        assert_eq!(
            datetime(&Cell::Text("2013-06-14".into()), "Z").unwrap(),
            "2013-06-14T00:00:00Z"
        );
    }

    #[test]
    fn times_and_offsets_are_kept() {
        assert_eq!(
            datetime(&Cell::Text("2023-03-14T09:00:00Z".into()), "+01:00").unwrap(),
            "2023-03-14T09:00:00Z"
        );
        assert_eq!(
            datetime(&Cell::Text("2032-11-22T04:59:59.999Z".into()), "").unwrap(),
            "2032-11-22T04:59:59.999Z"
        );
        assert_eq!(
            datetime(&Cell::Text("2023-03-14 09:00:00".into()), "").unwrap(),
            "2023-03-14T09:00:00"
        );
        assert_eq!(
            datetime(&Cell::Text("2023-07-01T00:00:00.000".into()), "").unwrap(),
            "2023-07-01T00:00:00.000"
        );
        let dt = NaiveDate::from_ymd_opt(2024, 12, 9)
            .unwrap()
            .and_hms_opt(14, 0, 0)
            .unwrap();
        assert_eq!(
            datetime(&Cell::DateTime(dt), "Z").unwrap(),
            "2024-12-09T14:00:00Z"
        );
    }

    #[test]
    fn bad_dates_say_what_is_allowed() {
        let err = datetime(&Cell::Text("14/06/2013".into()), "").unwrap_err();
        assert!(err.contains("YYYY-MM-DD"));
        assert_eq!(
            datetime(&Cell::Number(41439.0), "").unwrap(),
            "2013-06-14T00:00:00"
        );
    }

    #[test]
    fn durations_in_hours() {
        assert_eq!(duration_hours(&Cell::Number(48.0)).unwrap(), "PT48H");
        assert_eq!(duration_hours(&Cell::Text("720".into())).unwrap(), "PT720H");
        assert_eq!(
            duration_hours(&Cell::Text("PT48H".into())).unwrap(),
            "PT48H"
        );
        assert!(duration_hours(&Cell::Text("two days".into())).is_err());
    }

    #[test]
    fn booleans_and_numbers_as_text() {
        assert!(boolean(&Cell::Text("Yes".into())).unwrap());
        assert!(!boolean(&Cell::Bool(false)).unwrap());
        assert!(boolean(&Cell::Text("maybe".into())).is_err());
        assert_eq!(integer(&Cell::Text(" 8 ".into())).unwrap(), 8);
        assert!(integer(&Cell::Number(8.5)).is_err());
    }

    #[test]
    fn language_lists() {
        assert_eq!(
            languages("ar, cmn;fr-CA:subtitle"),
            vec![
                json!({"value":"ar"}),
                json!({"value":"cmn"}),
                json!({"value":"fr-CA","_asset":"subtitle"})
            ]
        );
        assert_eq!(bundle("md:alid:a;md:alid:b").len(), 2);
        assert_eq!(entry_type("Full Extract"), "FullExtract");
    }
}
