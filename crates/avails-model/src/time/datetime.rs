//! ISO 8601 date-times as the API takes them:
//! `YYYY-MM-DDThh:mm:ss[.f][Z|±hh:mm]` (`±hhmm`, `±hh` too).

use std::cmp::Ordering;

use super::calendar::{CalendarDate, ImpossibleDate};
use super::offset::UtcOffset;

/// The form the API takes, for messages.
pub const DATE_TIME_FORM: &str = "YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]";

/// A parsed date-time: local seconds since 0000-03-01 plus nanoseconds, and
/// the UTC offset in seconds when one was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    local_secs: i64,
    nanos: u32,
    offset_secs: Option<i32>,
}

/// Why a text is not a date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateTimeError {
    /// Not of the form [`DATE_TIME_FORM`] (a date alone, a space for `T`,
    /// no seconds, a time past 23:59:59, a malformed offset).
    #[error("expected {DATE_TIME_FORM}")]
    Form,
    /// Of the form, but the date does not exist.
    #[error(transparent)]
    Impossible(#[from] ImpossibleDate),
}

impl DateTime {
    /// Parses the ISO 8601 extended form `YYYY-MM-DDThh:mm:ss`, optional
    /// fractional seconds, optional `Z` or `±hh:mm` (`±hhmm`, `±hh` too).
    /// A date alone is not a date-time (the reference, Type AvailTrans:
    /// Start and End are "date et heure").
    pub fn parse(s: &str) -> Option<Self> {
        Self::parse_explained(s).ok()
    }

    /// As [`DateTime::parse`], saying why a text is not one.
    pub fn parse_explained(s: &str) -> Result<Self, DateTimeError> {
        let b = s.as_bytes();
        if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
            return Err(DateTimeError::Form);
        }
        if b[13] != b':' || b[16] != b':' {
            return Err(DateTimeError::Form);
        }
        let field = |r: std::ops::Range<usize>| digits(&b[r]).ok_or(DateTimeError::Form);
        let date = CalendarDate::new(field(0..4)?, field(5..7)?, field(8..10)?);
        let (hour, minute, second) = (field(11..13)?, field(14..16)?, field(17..19)?);
        if hour > 23 || minute > 59 || second > 59 {
            return Err(DateTimeError::Form);
        }
        let (nanos, rest) = fraction(&b[19..]).ok_or(DateTimeError::Form)?;
        let offset_secs = match rest {
            [] => None,
            suffix => Some(
                UtcOffset::parse_iso_bytes(suffix)
                    .ok_or(DateTimeError::Form)?
                    .seconds(),
            ),
        };
        let date = date.check()?;
        let local_secs = date.day_number() * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        Ok(Self {
            local_secs,
            nanos,
            offset_secs,
        })
    }

    /// Whether the value carried a UTC offset (or `Z`).
    pub fn has_offset(&self) -> bool {
        self.offset_secs.is_some()
    }

    /// Compares as instants when both carry an offset, else as local times.
    pub fn compare(&self, other: &Self) -> Ordering {
        let (a, b) = match (self.offset_secs, other.offset_secs) {
            (Some(x), Some(y)) => (
                self.local_secs - i64::from(x),
                other.local_secs - i64::from(y),
            ),
            _ => (self.local_secs, other.local_secs),
        };
        a.cmp(&b).then(self.nanos.cmp(&other.nanos))
    }

    /// Whether both are the same instant (both with an offset) or the same
    /// wall-clock time (both without); a value with an offset and one
    /// without never are (the API reads the latter in the territory's zone).
    pub fn same_moment(&self, other: &Self) -> bool {
        self.has_offset() == other.has_offset() && self.compare(other) == Ordering::Equal
    }
}

/// Whether `s` is a time of day `hh:mm:ss` (to 23:59:59), as a date alone
/// is completed with.
pub fn is_time_of_day(s: &str) -> bool {
    match s.as_bytes() {
        [h1, h2, b':', m1, m2, b':', s1, s2] => matches!(
            (
                digits(&[*h1, *h2]),
                digits(&[*m1, *m2]),
                digits(&[*s1, *s2])
            ),
            (Some(0..=23), Some(0..=59), Some(0..=59))
        ),
        _ => false,
    }
}

/// Optional fractional seconds (`.5`, `,123456789`, more digits ignored),
/// as nanoseconds, and what follows them.
fn fraction(b: &[u8]) -> Option<(u32, &[u8])> {
    let Some((&(b'.' | b','), tail)) = b.split_first() else {
        return Some((0, b));
    };
    let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    let nanos = tail[..n]
        .iter()
        .take(9)
        .enumerate()
        .map(|(i, c)| u32::from(c - b'0') * 10u32.pow(8 - i as u32))
        .sum();
    Some((nanos, &tail[n..]))
}

/// The number written with ASCII digits only.
pub(super) fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_date_times() {
        for ok in [
            "2023-03-14T09:00:00Z",
            "2032-11-22T04:59:59.999Z",
            "2023-03-14T09:00:00",
            "2023-03-14T09:00:00+05:30",
            "2024-02-29T00:00:00-0800",
        ] {
            assert!(DateTime::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "2023-03-14",
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-03-14 09:00:00",
            "2023-03-14T24:00:00Z",
            "2023-03-14T09:00Z",
            "2023-03-14T09:00:00.Z",
            "2023-03-14T09:00:00+5",
        ] {
            assert!(DateTime::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn an_impossible_date_is_told_apart_from_a_wrong_form() {
        assert_eq!(
            DateTime::parse_explained("2013-06-31T00:00:00Z")
                .unwrap_err()
                .to_string(),
            "June has 30 days"
        );
        assert_eq!(
            DateTime::parse_explained("2013-06-30").unwrap_err(),
            DateTimeError::Form
        );
    }

    #[test]
    fn times_of_day() {
        assert!(is_time_of_day("00:00:00") && is_time_of_day("23:59:59"));
        for bad in ["24:00:00", "23:60:00", "9:00:00", "09:00", "09:00:00Z", ""] {
            assert!(!is_time_of_day(bad), "{bad}");
        }
    }

    #[test]
    fn compares_instants_and_local_times() {
        let a = DateTime::parse("2023-03-14T09:00:00Z").unwrap();
        let b = DateTime::parse("2023-03-14T10:00:00+02:00").unwrap();
        assert_eq!(b.compare(&a), Ordering::Less);
        let c = DateTime::parse("2023-03-14T10:00:00").unwrap();
        assert_eq!(a.compare(&c), Ordering::Less);
    }

    #[test]
    fn the_same_moment_needs_the_same_kind_of_time() {
        let p = |s| DateTime::parse(s).unwrap();
        assert!(p("2023-03-14T09:00:00Z").same_moment(&p("2023-03-14T10:00:00+01:00")));
        assert!(p("2023-03-14T09:00:00").same_moment(&p("2023-03-14T09:00:00.000")));
        assert!(!p("2023-03-14T09:00:00").same_moment(&p("2023-03-14T09:00:00Z")));
        assert!(!p("2023-03-14T09:00:00.5Z").same_moment(&p("2023-03-14T09:00:00Z")));
    }
}
