//! Dates by each column's documented rule: a date without a time takes the
//! time its column says (Start and Event the start of the day, End its last
//! second), a time or offset written in the cell is kept as written.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::Cell;

/// Allowed date forms, for messages.
pub const DATE_FORMS: &str =
    "a date cell, YYYY-MM-DD, or an ISO 8601 date-time such as 2024-05-31T09:00:00Z";

/// How a column completes a date written without a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRule {
    /// `HH:MM:SS` added to a date alone.
    pub time_if_absent: String,
    /// Offset appended to a date or date-time without one (`""` keeps it local).
    pub offset: String,
}

impl DateRule {
    /// A rule adding `time` to dates alone and `offset` to values without one.
    pub fn new(time: &str, offset: &str) -> Self {
        Self {
            time_if_absent: time.to_string(),
            offset: offset.to_string(),
        }
    }

    /// The ISO 8601 date-time a cell means, or what is allowed.
    pub fn datetime(&self, cell: &Cell) -> Result<String, String> {
        match cell {
            Cell::DateTime(dt) => Ok(self.of_naive(*dt)),
            Cell::Number(n) => excel_serial(*n)
                .map(|dt| self.of_naive(dt))
                .ok_or_else(|| DATE_FORMS.to_string()),
            Cell::Text(t) => self
                .parse_text(t.trim())
                .ok_or_else(|| DATE_FORMS.to_string()),
            _ => Err(DATE_FORMS.to_string()),
        }
    }

    /// A date cell at midnight is a date without a time (Excel stores a
    /// date as a day number; its format, not its value, would show a time).
    fn of_naive(&self, dt: NaiveDateTime) -> String {
        if dt.time() == NaiveTime::MIN {
            self.date_only(dt.date())
        } else {
            format_datetime(dt, &self.offset)
        }
    }

    fn date_only(&self, d: NaiveDate) -> String {
        let mut s = crate::cell::iso(&d.and_time(NaiveTime::MIN), false);
        s.push('T');
        s.push_str(&self.time_if_absent);
        s.push_str(&self.offset);
        s
    }

    fn parse_text(&self, t: &str) -> Option<String> {
        for form in ["%Y-%m-%d", "%Y/%m/%d"] {
            if let Ok(d) = NaiveDate::parse_from_str(t, form) {
                return Some(self.date_only(d));
            }
        }
        let t = t.replacen(' ', "T", 1);
        // With an offset or Z: keep exactly what the source says.
        if chrono::DateTime::parse_from_rfc3339(&t).is_ok() {
            return Some(t);
        }
        // A full local date-time is kept as written (`...T00:00:00.000` too);
        // only the offset is appended.
        if NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f").is_ok() {
            return Some(format!("{t}{}", self.offset));
        }
        if let Ok(dt) = NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M") {
            return Some(format_datetime(dt, &self.offset));
        }
        // Offset without seconds or in +HHMM form.
        for form in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M:%S%z"] {
            if chrono::DateTime::parse_from_str(&t, form).is_ok() {
                return Some(t);
            }
        }
        None
    }
}

fn format_datetime(dt: NaiveDateTime, offset: &str) -> String {
    let mut s = crate::cell::iso(&dt, true);
    let millis = dt.nanosecond() / 1_000_000;
    if millis != 0 {
        s.push_str(&format!(".{millis:03}"));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateRule {
        DateRule::new("00:00:00", "")
    }

    fn end() -> DateRule {
        DateRule::new("23:59:59", "")
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    #[test]
    fn a_date_alone_takes_its_columns_time() {
        let text = Cell::Text("2013-06-14".into());
        assert_eq!(start().datetime(&text).unwrap(), "2013-06-14T00:00:00");
        assert_eq!(end().datetime(&text).unwrap(), "2013-06-14T23:59:59");
        let cell = Cell::DateTime(day(2013, 6, 14));
        assert_eq!(start().datetime(&cell).unwrap(), "2013-06-14T00:00:00");
        assert_eq!(end().datetime(&cell).unwrap(), "2013-06-14T23:59:59");
        assert_eq!(
            end().datetime(&Cell::Number(41439.0)).unwrap(),
            "2013-06-14T23:59:59"
        );
        assert_eq!(
            DateRule::new("23:59:59", "Z")
                .datetime(&Cell::Text("2013/06/14".into()))
                .unwrap(),
            "2013-06-14T23:59:59Z"
        );
    }

    #[test]
    fn a_written_time_or_offset_is_kept() {
        for (text, want) in [
            ("2023-03-14T09:00:00Z", "2023-03-14T09:00:00Z"),
            ("2032-11-22T04:59:59.999Z", "2032-11-22T04:59:59.999Z"),
            ("2023-03-14 09:00:00", "2023-03-14T09:00:00"),
            ("2023-07-01T00:00:00.000", "2023-07-01T00:00:00.000"),
            ("2023-07-01T00:00:00", "2023-07-01T00:00:00"),
            ("2023-07-01T10:30", "2023-07-01T10:30:00"),
            ("2023-07-01T10:30+02:00", "2023-07-01T10:30+02:00"),
        ] {
            assert_eq!(end().datetime(&Cell::Text(text.into())).unwrap(), want);
        }
        let dt = NaiveDate::from_ymd_opt(2024, 12, 9)
            .unwrap()
            .and_hms_opt(14, 0, 0)
            .unwrap();
        assert_eq!(
            DateRule::new("23:59:59", "Z")
                .datetime(&Cell::DateTime(dt))
                .unwrap(),
            "2024-12-09T14:00:00Z"
        );
    }

    #[test]
    fn what_is_not_a_date_says_what_is_allowed() {
        for bad in ["14/06/2013", "Theatrical", "2013-13-01", ""] {
            let err = start().datetime(&Cell::Text(bad.into())).unwrap_err();
            assert!(err.contains("YYYY-MM-DD"), "{bad}: {err}");
        }
        assert!(start().datetime(&Cell::Bool(true)).is_err());
    }
}
