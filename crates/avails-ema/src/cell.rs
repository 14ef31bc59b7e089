//! A spreadsheet cell, independent of the file format it came from.

use calamine::{Data, DataRef};
use chrono::NaiveDateTime;

/// One cell's value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    /// No value.
    #[default]
    Empty,
    /// Text as typed.
    Text(String),
    /// A number (Excel stores every number as a float).
    Number(f64),
    /// TRUE or FALSE.
    Bool(bool),
    /// A date or date-time cell.
    DateTime(NaiveDateTime),
    /// A duration or time-of-day cell, as ISO 8601 text.
    Duration(String),
    /// An Excel error such as `#N/A`.
    Error(String),
}

impl Cell {
    /// Whether the cell holds nothing (or only spaces).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => avails_model::text::trim(s).is_empty(),
            _ => false,
        }
    }

    /// The cell as text the way a user reads it: `4.0` is `4`.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::DateTime(dt) => iso(dt, dt.time() != chrono::NaiveTime::MIN),
            Cell::Duration(s) => s.clone(),
            Cell::Error(e) => e.clone(),
        }
    }

    /// Converts a cell read from a whole-range read (XLS).
    pub fn from_data(data: &Data) -> Self {
        match data {
            Data::Empty => Cell::Empty,
            Data::String(s) => Cell::Text(s.clone()),
            Data::Float(f) => Cell::Number(*f),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) => excel_datetime(dt),
            Data::DateTimeIso(s) => Cell::Text(s.clone()),
            Data::DurationIso(s) => Cell::Duration(s.clone()),
            Data::Error(e) => Cell::Error(format!("{e}")),
        }
    }

    /// Converts a cell read by the streaming XLSX reader.
    pub fn from_data_ref(data: &DataRef<'_>) -> Self {
        match data {
            DataRef::Empty => Cell::Empty,
            DataRef::String(s) => Cell::Text(s.clone()),
            DataRef::SharedString(s) => Cell::Text((*s).to_string()),
            DataRef::Float(f) => Cell::Number(*f),
            DataRef::Int(i) => Cell::Number(*i as f64),
            DataRef::Bool(b) => Cell::Bool(*b),
            DataRef::DateTime(dt) => excel_datetime(dt),
            DataRef::DateTimeIso(s) => Cell::Text(s.clone()),
            DataRef::DurationIso(s) => Cell::Duration(s.clone()),
            DataRef::Error(e) => Cell::Error(format!("{e}")),
        }
    }
}

/// One past the last date-time serial Excel has (10000-01-01): serials
/// run from 0 to 9999-12-31 23:59:59.999.
const EXCEL_SERIAL_END: f64 = 2_958_466.0;

fn excel_datetime(dt: &calamine::ExcelDateTime) -> Cell {
    // Far outside Excel's range calamine's conversions panic (chrono's
    // millisecond count overflows at -1e308): such a cell is only a number.
    let serial = dt.as_f64();
    if !serial.is_finite() || serial.abs() >= EXCEL_SERIAL_END {
        return Cell::Number(serial);
    }
    if dt.is_datetime() {
        match dt.as_datetime() {
            Some(v) => Cell::DateTime(v),
            None => Cell::Number(dt.as_f64()),
        }
    } else {
        // A time-of-day or duration format (e.g. TotalRunTime 1:56:20).
        match dt.as_duration() {
            Some(d) => Cell::Duration(format!("PT{}S", d.num_seconds())),
            None => Cell::Number(dt.as_f64()),
        }
    }
}

/// `YYYY-MM-DD`, then `THH:MM:SS` when `time` is set: what chrono's
/// `%Y-%m-%d` and `%Y-%m-%dT%H:%M:%S` give, without parsing a format.
pub(crate) fn iso(dt: &NaiveDateTime, time: bool) -> String {
    use chrono::{Datelike, Timelike};
    let year = dt.year();
    // Years chrono writes with a sign, and leap seconds, go through chrono.
    if !(0..=9999).contains(&year) || dt.nanosecond() >= 1_000_000_000 {
        let format = if time {
            "%Y-%m-%dT%H:%M:%S"
        } else {
            "%Y-%m-%d"
        };
        return dt.format(format).to_string();
    }
    let mut s = String::with_capacity(24);
    digits(&mut s, year as u32, 4);
    s.push('-');
    digits(&mut s, dt.month(), 2);
    s.push('-');
    digits(&mut s, dt.day(), 2);
    if time {
        s.push('T');
        digits(&mut s, dt.hour(), 2);
        s.push(':');
        digits(&mut s, dt.minute(), 2);
        s.push(':');
        digits(&mut s, dt.second(), 2);
    }
    s
}

/// Appends `n` zero-padded to `width` digits.
fn digits(s: &mut String, n: u32, width: u32) {
    for p in (0..width).rev() {
        let d = (n / 10u32.pow(p)) % 10;
        s.push(char::from(b'0' + d as u8));
    }
}

/// Formats a number without a needless `.0`, and without float noise.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        // Shortest representation that round-trips; Excel stores 7.99 as
        // the nearest double, which Rust prints back as 7.99.
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_display_like_excel() {
        assert_eq!(Cell::Number(4.0).display(), "4");
        assert_eq!(Cell::Number(7.99).display(), "7.99");
        assert_eq!(Cell::Number(-2.5).display(), "-2.5");
    }

    #[test]
    fn dates_format_like_chrono() {
        let cases = [
            (2024, 1, 9, 0, 0, 0, 0),
            (1900, 12, 31, 23, 59, 59, 0),
            (0, 1, 1, 7, 5, 3, 999),
        ];
        for (y, mo, d, h, mi, s, ms) in cases {
            let dt = chrono::NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_milli_opt(h, mi, s, ms)
                .unwrap();
            assert_eq!(iso(&dt, false), dt.format("%Y-%m-%d").to_string());
            assert_eq!(iso(&dt, true), dt.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
        let far = chrono::NaiveDate::from_ymd_opt(12345, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(iso(&far, true), far.format("%Y-%m-%dT%H:%M:%S").to_string());
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1500)
            .unwrap();
        assert_eq!(
            iso(&leap, true),
            leap.format("%Y-%m-%dT%H:%M:%S").to_string()
        );
    }

    #[test]
    fn serials_outside_excels_range_are_numbers_not_panics() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        for kind in [ExcelDateTimeType::DateTime, ExcelDateTimeType::TimeDelta] {
            for v in [-1e308, 1e308, f64::NEG_INFINITY, f64::NAN, 2_958_466.0] {
                let cell = excel_datetime(&ExcelDateTime::new(v, kind, false));
                assert!(matches!(cell, Cell::Number(_)), "{v}: {cell:?}");
            }
        }
        let last = excel_datetime(&ExcelDateTime::new(
            2_958_465.5,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(last.display(), "9999-12-31T12:00:00");
    }

    #[test]
    fn blank_text_is_blank() {
        assert!(Cell::Text("  ".into()).is_blank());
        assert!(!Cell::Number(0.0).is_blank());
    }
}
