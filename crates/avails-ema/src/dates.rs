//! Dates by each column's documented rule: a date without a time takes the
//! time its column says (Start and Event the start of the day, End its last
//! second), a time or offset written in the cell is kept as written.

use avails_mapping::DateOrder;
use avails_model::time::{CalendarDate, ImpossibleDate};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::Cell;

/// Allowed date forms, for messages.
pub const DATE_FORMS: &str =
    "a date cell, YYYY-MM-DD, or an ISO 8601 date-time such as 2024-05-31T09:00:00Z";

/// Why a cell is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotADate {
    /// Not written as a date is read: what is allowed.
    #[error("{0}")]
    Form(String),
    /// Written as a date is read, but no such day exists: why, and the
    /// likely fix when there is one.
    #[error("{0}")]
    Impossible(String),
}

impl NotADate {
    /// Whether the cell holds a date that does not exist (no other word,
    /// such as `Open`, is then what was meant).
    pub fn is_impossible(&self) -> bool {
        matches!(self, Self::Impossible(_))
    }
}

/// How a column completes a date written without a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRule {
    /// `HH:MM:SS` added to a date alone.
    pub time_if_absent: String,
    /// Offset appended to a date or date-time without one (`""` keeps it local).
    pub offset: String,
    /// How a date written with slashes (`3/14/2023`) is read; none: it is
    /// not read, and the error shows it under each order.
    pub order: Option<DateOrder>,
}

impl DateRule {
    /// A rule adding `time` to dates alone and `offset` to values without one.
    pub fn new(time: &str, offset: &str) -> Self {
        Self {
            time_if_absent: time.to_string(),
            offset: offset.to_string(),
            order: None,
        }
    }

    /// This rule reading dates written with slashes in `order`.
    pub fn with_order(mut self, order: Option<DateOrder>) -> Self {
        self.order = order;
        self
    }

    /// The ISO 8601 date-time a cell means, or what is wrong and allowed.
    pub fn datetime(&self, cell: &Cell) -> Result<String, NotADate> {
        let form = || NotADate::Form(DATE_FORMS.to_string());
        match cell {
            Cell::DateTime(dt) => Ok(self.of_naive(*dt)),
            Cell::Number(n) => excel_serial(*n)
                .map(|dt| self.of_naive(dt))
                .ok_or_else(form),
            Cell::Text(t) => {
                let t = t.trim();
                self.parse_text(t).ok_or_else(|| match slashed(t) {
                    Some(s) => self.slash_hint(&s),
                    None => impossible_iso(t).unwrap_or_else(form),
                })
            }
            _ => Err(form()),
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

    /// What to say of a date written with slashes that was not read: what
    /// it is under each order (an ambiguous one is never guessed), and, when
    /// it is no day under the order given, why and the likely fix.
    fn slash_hint(&self, s: &Slashed) -> NotADate {
        let reading = |order: DateOrder| match s.date(order) {
            Some(d) => format!(
                "{} (with --date-order {})",
                d.format("%Y-%m-%d"),
                order.as_str()
            ),
            None => "not a date".to_string(),
        };
        let Some(order) = self.order else {
            return NotADate::Form(format!(
                "a date whose month and day order is said: as {} it is {}, as {} it is {}; \
                 give --date-order MDY or DMY (never guessed), or write YYYY-MM-DD",
                DateOrder::Mdy.words(),
                reading(DateOrder::Mdy),
                DateOrder::Dmy.words(),
                reading(DateOrder::Dmy),
            ));
        };
        let said = format!("a {} date (--date-order {})", order.words(), order.as_str());
        let other = other(order);
        if s.date(other).is_some() {
            // The other order reads it: that is the likely fix.
            return NotADate::Form(format!(
                "{said}; as {} it would be {}",
                other.words(),
                reading(other)
            ));
        }
        let Err(why) = s.calendar(order).check() else {
            return NotADate::Form(said);
        };
        NotADate::Impossible(match why.likely_fix() {
            Some(fix) => format!("{said} that exists: {why}; did you mean {}?", fix.iso()),
            None => format!(
                "{said} that exists: {why}; as {} it would be {}",
                other.words(),
                reading(other)
            ),
        })
    }

    fn parse_text(&self, t: &str) -> Option<String> {
        if let Some(order) = self.order {
            if let Some(s) = slashed(t) {
                let date = s.date(order)?;
                return Some(match s.time {
                    Some(time) => self.of_naive(date.and_time(time)),
                    None => self.date_only(date),
                });
            }
        }
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

/// A date written with slashes, day and month in an order to be said:
/// `3/14/2023`, `14/03/2023`, optionally followed by a time `9:00` or
/// `09:00:00` (as Excel writes a CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slashed {
    first: u32,
    second: u32,
    year: i32,
    time: Option<NaiveTime>,
}

impl Slashed {
    fn date(&self, order: DateOrder) -> Option<NaiveDate> {
        let d = self.calendar(order);
        NaiveDate::from_ymd_opt(self.year, d.month, d.day)
    }

    /// The year, month and day as written, under `order`.
    fn calendar(&self, order: DateOrder) -> CalendarDate {
        let (month, day) = match order {
            DateOrder::Mdy => (self.first, self.second),
            DateOrder::Dmy => (self.second, self.first),
        };
        CalendarDate::new(self.year.unsigned_abs(), month, day)
    }
}

fn other(order: DateOrder) -> DateOrder {
    match order {
        DateOrder::Mdy => DateOrder::Dmy,
        DateOrder::Dmy => DateOrder::Mdy,
    }
}

/// `N/N/YYYY` (one or two digits, a four-digit year), with an optional time.
fn slashed(t: &str) -> Option<Slashed> {
    let (date, time) = match t.split_once(' ') {
        Some((d, rest)) => (d, Some(rest.trim())),
        None => (t, None),
    };
    let mut parts = date.split('/');
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(a, 1..=2) || !digits(b, 1..=2) || !digits(y, 4..=4) {
        return None;
    }
    let time = match time {
        None => None,
        Some(t) => Some(
            NaiveTime::parse_from_str(t, "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
                .ok()?,
        ),
    };
    Some(Slashed {
        first: a.parse().ok()?,
        second: b.parse().ok()?,
        year: y.parse().ok()?,
        time,
    })
}

/// A text that starts as an ISO date (`YYYY-MM-DD` or `YYYY/MM/DD`, a
/// time or nothing after it) naming no day: why, and the likely fix with
/// what followed the date kept.
fn impossible_iso(t: &str) -> Option<NotADate> {
    let end = t.find(['T', 't', ' ']).unwrap_or(t.len());
    let (date, rest) = t.split_at(end);
    let mut parts = date.split(['-', '/']);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let number = |s: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    if parts.next().is_some() {
        return None;
    }
    let written = CalendarDate::new(number(y, 4..=4)?, number(m, 1..=2)?, number(d, 1..=2)?);
    let why: ImpossibleDate = written.check().err()?;
    let fix = why
        .likely_fix()
        .map(|fix| format!("; did you mean {}{rest}?", fix.iso()))
        .unwrap_or_default();
    Some(NotADate::Impossible(format!(
        "a YYYY-MM-DD date that exists: {why}{fix}"
    )))
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
            assert!(err.to_string().contains("YYYY-MM-DD"), "{bad}: {err}");
        }
        assert!(start().datetime(&Cell::Bool(true)).is_err());
    }

    fn text(rule: &DateRule, t: &str) -> Result<String, String> {
        rule.datetime(&Cell::Text(t.into()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn excel_dates_are_read_in_the_order_said() {
        let mdy = |r: DateRule| r.with_order(Some(DateOrder::Mdy));
        let dmy = |r: DateRule| r.with_order(Some(DateOrder::Dmy));
        // What Excel writes in a US CSV, and elsewhere.
        assert_eq!(
            text(&mdy(start()), "3/14/2023").unwrap(),
            "2023-03-14T00:00:00"
        );
        assert_eq!(
            text(&mdy(end()), "3/14/2023").unwrap(),
            "2023-03-14T23:59:59"
        );
        assert_eq!(
            text(&dmy(start()), "14/03/2023").unwrap(),
            "2023-03-14T00:00:00"
        );
        // An ambiguous date is read in the order given.
        assert_eq!(
            text(&mdy(start()), "3/4/2023").unwrap(),
            "2023-03-04T00:00:00"
        );
        assert_eq!(
            text(&dmy(start()), "3/4/2023").unwrap(),
            "2023-04-03T00:00:00"
        );
        // A time as Excel writes it; midnight is a date alone.
        assert_eq!(
            text(&mdy(start()), "3/14/2023 9:30").unwrap(),
            "2023-03-14T09:30:00"
        );
        assert_eq!(
            text(&mdy(end()), "3/14/2023 0:00").unwrap(),
            "2023-03-14T23:59:59"
        );
        // The offset of the rule is added, as to any date.
        let z = DateRule::new("00:00:00", "Z").with_order(Some(DateOrder::Mdy));
        assert_eq!(text(&z, "12/31/2024").unwrap(), "2024-12-31T00:00:00Z");
        // ISO dates are unaffected by the order.
        assert_eq!(
            text(&dmy(start()), "2023-03-14").unwrap(),
            "2023-03-14T00:00:00"
        );
        // Not a date in the order given: says what it would be in the other.
        let err = text(&mdy(start()), "14/03/2023").unwrap_err();
        assert_eq!(
            err,
            "a month/day/year date (--date-order MDY); as day/month/year it would be \
             2023-03-14 (with --date-order DMY)"
        );
        let err = text(&dmy(start()), "2/30/2023").unwrap_err();
        assert!(
            err.ends_with("as month/day/year it would be not a date"),
            "{err}"
        );
    }

    #[test]
    fn without_an_order_a_slashed_date_is_an_error_showing_each_reading() {
        let err = text(&start(), "3/14/2023").unwrap_err();
        assert_eq!(
            err,
            "a date whose month and day order is said: as month/day/year it is 2023-03-14 \
             (with --date-order MDY), as day/month/year it is not a date; give --date-order \
             MDY or DMY (never guessed), or write YYYY-MM-DD"
        );
        // Ambiguous: both readings, neither chosen.
        let err = text(&start(), "3/4/2023").unwrap_err();
        assert!(
            err.contains("as month/day/year it is 2023-03-04 (with --date-order MDY)")
                && err.contains("as day/month/year it is 2023-04-03 (with --date-order DMY)"),
            "{err}"
        );
        // Not slashed dates at all: the usual message.
        for bad in ["3/14/23", "3/14/2023 noon", "1/2/3/2023", "a/b/2023"] {
            assert_eq!(text(&start(), bad).unwrap_err(), DATE_FORMS, "{bad}");
        }
    }
}
