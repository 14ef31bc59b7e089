//! ISO 8601 date-times (`YYYY-MM-DDThh:mm:ss[.f][Z|±hh:mm]`) and durations.

use std::cmp::Ordering;

/// A parsed date-time: local seconds since 0000-03-01 plus nanoseconds, and
/// the UTC offset in seconds when one was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    local_secs: i64,
    nanos: u32,
    offset_secs: Option<i32>,
}

impl DateTime {
    /// Parses the ISO 8601 extended form `YYYY-MM-DDThh:mm:ss`, optional
    /// fractional seconds, optional `Z` or `±hh:mm` (`±hhmm`, `±hh` too).
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        let hour = digits(&b[11..13])?;
        let minute = digits(&b[14..16])?;
        let second = digits(&b[17..19])?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let mut rest = &b[19..];
        let mut nanos = 0u32;
        if let Some((&sep, tail)) = rest.split_first() {
            if sep == b'.' || sep == b',' {
                let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
                if n == 0 {
                    return None;
                }
                for (i, c) in tail[..n].iter().take(9).enumerate() {
                    nanos += u32::from(c - b'0') * 10u32.pow(8 - i as u32);
                }
                rest = &tail[n..];
            }
        }
        let offset_secs = match rest {
            [] => None,
            [b'Z' | b'z'] => Some(0),
            [sign @ (b'+' | b'-'), tail @ ..] => {
                let (h, m) = match tail {
                    [h1, h2] => (digits(&[*h1, *h2])?, 0),
                    [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                        (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                    }
                    _ => return None,
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let secs = (h * 3600 + m * 60) as i32;
                Some(if *sign == b'-' { -secs } else { secs })
            }
            _ => return None,
        };
        let days = days_from_civil(year as i64, month, day);
        let local_secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        Some(Self {
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
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn is_leap(year: u32) -> bool {
    matches!((year % 4, year % 100, year % 400), (0, 1.., _) | (_, _, 0))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 0000-03-01 (proleptic Gregorian), Howard Hinnant's algorithm.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe
}

/// Whether `s` is an ISO 8601 duration: `P[nY][nM][nW][nD][T[nH][nM][nS]]`
/// with at least one component; the last component may be fractional.
pub fn is_duration(s: &str) -> bool {
    let b = s.as_bytes();
    let Some((&b'P', mut rest)) = b.split_first() else {
        return false;
    };
    let mut in_time = false;
    let mut components = 0;
    let mut date_order = 0; // next allowed index into "YMWD" / "HMS"
    let mut fractional_seen = false;
    while let Some((&c, tail)) = rest.split_first() {
        if c == b'T' {
            if in_time {
                return false;
            }
            in_time = true;
            date_order = 0;
            rest = tail;
            if rest.is_empty() {
                return false;
            }
            continue;
        }
        if fractional_seen {
            return false;
        }
        let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        let mut after = &rest[n..];
        if let Some((&(b'.' | b','), frac)) = after.split_first() {
            let f = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if f == 0 {
                return false;
            }
            fractional_seen = true;
            after = &frac[f..];
        }
        let Some((&designator, tail)) = after.split_first() else {
            return false;
        };
        let order: &[u8] = if in_time { b"HMS" } else { b"YMWD" };
        let Some(pos) = order.iter().position(|&d| d == designator) else {
            return false;
        };
        if pos < date_order {
            return false;
        }
        date_order = pos + 1;
        components += 1;
        rest = tail;
    }
    components > 0
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
    fn compares_instants_and_local_times() {
        let a = DateTime::parse("2023-03-14T09:00:00Z").unwrap();
        let b = DateTime::parse("2023-03-14T10:00:00+02:00").unwrap();
        assert_eq!(b.compare(&a), Ordering::Less);
        let c = DateTime::parse("2023-03-14T10:00:00").unwrap();
        assert_eq!(a.compare(&c), Ordering::Less);
    }

    #[test]
    fn parses_durations() {
        for ok in ["PT720H", "PT48H", "P1Y2M3DT4H5M6S", "P2W", "PT0.5H", "P1D"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in [
            "P", "PT", "720H", "PT48", "P1H", "PT1D", "P1.5DT2H", "P1D1Y", "pt48h",
        ] {
            assert!(!is_duration(bad), "{bad}");
        }
    }
}
