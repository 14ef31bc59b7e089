//! The proleptic Gregorian calendar: which dates exist, and what to say of
//! one that does not (`2013-06-31`: "June has 30 days").

use std::fmt;

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Whether `year` has a 29 February.
pub fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// The number of days of `month` (1 to 12) in `year`.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A year, month and day as written, not yet known to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarDate {
    /// The year (four digits as the API writes it).
    pub year: u32,
    /// The month, 1 to 12 when the date exists.
    pub month: u32,
    /// The day of the month.
    pub day: u32,
}

impl CalendarDate {
    /// A date as written.
    pub fn new(year: u32, month: u32, day: u32) -> Self {
        Self { year, month, day }
    }

    /// This date if it exists, else why not and what it likely meant.
    pub fn check(self) -> Result<Self, ImpossibleDate> {
        let Self { year, month, day } = self;
        if !(1..=12).contains(&month) {
            return Err(ImpossibleDate::Month(self));
        }
        if day == 0 {
            return Err(ImpossibleDate::DayZero(self));
        }
        let days = days_in_month(year, month);
        if day <= days {
            return Ok(self);
        }
        if month == 2 && day == 29 {
            return Err(ImpossibleDate::NotLeapYear(self));
        }
        Err(ImpossibleDate::PastMonthEnd(self))
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Days since 0000-03-01 (Howard Hinnant's `days_from_civil`), for
    /// comparing dates; only meaningful for a date that exists.
    pub fn day_number(self) -> i64 {
        let Self { year, month, day } = self;
        let y = i64::from(year) - i64::from(month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe
    }
}

/// A date that does not exist, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImpossibleDate {
    /// A month outside 1 to 12 (`2023-13-01`).
    #[error("there is no month {} (months run from 01 to 12)", .0.month)]
    Month(CalendarDate),
    /// Day 0.
    #[error("there is no day 0 (days start at 01)")]
    DayZero(CalendarDate),
    /// 29 February of a common year (`2023-02-29`).
    #[error("{} is not a leap year, so February has 28 days", .0.year)]
    NotLeapYear(CalendarDate),
    /// A day past the month's last (`2013-06-31`).
    #[error("{}", MonthLength(*.0))]
    PastMonthEnd(CalendarDate),
}

/// "June has 30 days".
struct MonthLength(CalendarDate);

impl fmt::Display for MonthLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let CalendarDate { year, month, .. } = self.0;
        let name = MONTH_NAMES[(month - 1) as usize];
        let days = days_in_month(year, month);
        if month == 2 {
            write!(f, "February {year} has {days} days")
        } else {
            write!(f, "{name} has {days} days")
        }
    }
}

impl ImpossibleDate {
    /// The date as written.
    pub fn written(&self) -> CalendarDate {
        match *self {
            Self::Month(d) | Self::DayZero(d) | Self::NotLeapYear(d) | Self::PastMonthEnd(d) => d,
        }
    }

    /// The date most likely meant, when there is one: the month's last day
    /// for a day past it; day and month swapped for a month past 12 whose
    /// day could be a month (`2023-13-01` → `2023-01-13`). None otherwise.
    pub fn likely_fix(&self) -> Option<CalendarDate> {
        match *self {
            Self::NotLeapYear(d) | Self::PastMonthEnd(d) => Some(CalendarDate {
                day: days_in_month(d.year, d.month),
                ..d
            }),
            Self::Month(d) => CalendarDate::new(d.year, d.day, d.month).check().ok(),
            Self::DayZero(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(y: u32, m: u32, d: u32) -> (String, Option<String>) {
        let e = CalendarDate::new(y, m, d).check().unwrap_err();
        (e.to_string(), e.likely_fix().map(CalendarDate::iso))
    }

    #[test]
    fn an_impossible_date_says_why_and_what_was_likely_meant() {
        assert_eq!(
            why(2013, 6, 31),
            ("June has 30 days".into(), Some("2013-06-30".into()))
        );
        assert_eq!(
            why(2023, 2, 29),
            (
                "2023 is not a leap year, so February has 28 days".into(),
                Some("2023-02-28".into())
            )
        );
        assert_eq!(
            why(2024, 2, 30),
            (
                "February 2024 has 29 days".into(),
                Some("2024-02-29".into())
            )
        );
        assert_eq!(
            why(2023, 13, 1),
            (
                "there is no month 13 (months run from 01 to 12)".into(),
                Some("2023-01-13".into())
            )
        );
        assert_eq!(why(2023, 13, 14).1, None);
        assert_eq!(
            why(2023, 0, 5).0,
            "there is no month 0 (months run from 01 to 12)"
        );
        assert_eq!(
            why(2023, 4, 0),
            ("there is no day 0 (days start at 01)".into(), None)
        );
        assert_eq!(why(2023, 11, 31).0, "November has 30 days");
    }

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        for (year, leap) in [(2024, true), (2023, false), (1900, false), (2000, true)] {
            assert_eq!(is_leap_year(year), leap, "{year}");
            assert_eq!(
                CalendarDate::new(year, 2, 29).check().is_ok(),
                leap,
                "{year}"
            );
        }
        assert!(CalendarDate::new(2023, 12, 31).check().is_ok());
    }

    #[test]
    fn day_numbers_count_days() {
        let n = |y, m, d| CalendarDate::new(y, m, d).day_number();
        assert_eq!(n(2024, 3, 1) - n(2024, 2, 28), 2);
        assert_eq!(n(2023, 3, 1) - n(2023, 2, 28), 1);
        assert_eq!(n(2024, 1, 1) - n(2023, 1, 1), 365);
    }
}
