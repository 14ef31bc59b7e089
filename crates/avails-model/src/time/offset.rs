//! UTC offsets: `Z`, `+02:00`, `-0530`, `+05`.

use super::datetime::digits;

/// The forms a setting takes (`--timezone`, the mapping's
/// `[dates].default_offset`), for messages.
pub const OFFSET_FORMS: &str = "Z or an offset such as +02:00";

/// A UTC offset in seconds east of Greenwich.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset(i32);

impl UtcOffset {
    /// Seconds east of UTC.
    pub fn seconds(self) -> i32 {
        self.0
    }

    /// An offset as a setting writes it: `Z` or `±hh:mm` (hours to 23,
    /// minutes to 59), the form appended to every date-time the reader
    /// writes.
    pub fn parse_setting(s: &str) -> Option<Self> {
        match s.as_bytes() {
            [b'Z'] => Some(Self(0)),
            [_, _, _, b':', _, _] => Self::parse_iso_bytes(s.as_bytes()),
            _ => None,
        }
    }

    /// An offset as ISO 8601 allows it after a time: `Z` (or `z`),
    /// `±hh:mm`, `±hhmm`, `±hh`.
    pub fn parse_iso(s: &str) -> Option<Self> {
        Self::parse_iso_bytes(s.as_bytes())
    }

    pub(super) fn parse_iso_bytes(b: &[u8]) -> Option<Self> {
        let (sign, tail) = match b {
            [b'Z' | b'z'] => return Some(Self(0)),
            [b'+', tail @ ..] => (1, tail),
            [b'-', tail @ ..] => (-1, tail),
            _ => return None,
        };
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
        Some(Self(sign * (h * 3600 + m * 60) as i32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_z_or_hours_and_minutes() {
        assert_eq!(UtcOffset::parse_setting("Z"), Some(UtcOffset(0)));
        assert_eq!(UtcOffset::parse_setting("+02:00"), Some(UtcOffset(7200)));
        assert_eq!(UtcOffset::parse_setting("-05:30"), Some(UtcOffset(-19_800)));
        for bad in [
            "", "z", "+2:00", "+0200", "+02", "UTC", "+24:00", "+02:60", "02:00", "+02:00 ",
        ] {
            assert_eq!(UtcOffset::parse_setting(bad), None, "{bad}");
        }
    }

    #[test]
    fn iso_allows_the_basic_forms() {
        for (s, secs) in [("z", 0), ("+0530", 19_800), ("-08", -28_800), ("+00:00", 0)] {
            assert_eq!(UtcOffset::parse_iso(s), Some(UtcOffset(secs)), "{s}");
        }
        for bad in ["+5", "+05:3", "05:00", "+05:00:00"] {
            assert_eq!(UtcOffset::parse_iso(bad), None, "{bad}");
        }
    }
}
