//! ISO 8601 durations: `P[nY][nM][nW][nD][T[nH][nM][nS]]`.

/// A parsed duration, by component; the last component may be fractional.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Duration {
    years: f64,
    months: f64,
    weeks: f64,
    days: f64,
    hours: f64,
    minutes: f64,
    seconds: f64,
}

const DATE_DESIGNATORS: &[u8] = b"YMWD";
const TIME_DESIGNATORS: &[u8] = b"HMS";

impl Duration {
    /// Parses `P[nY][nM][nW][nD][T[nH][nM][nS]]`: upper-case designators in
    /// that order, at least one component, `T` only before a time
    /// component, a fraction (`.` or `,`) on the last component only.
    pub fn parse(s: &str) -> Option<Self> {
        let mut rest = s.as_bytes().strip_prefix(b"P")?;
        let mut duration = Self::default();
        let mut in_time = false;
        let mut next = 0; // index into the designators still allowed
        let mut components = 0;
        let mut fractional_seen = false;
        while let Some((&c, tail)) = rest.split_first() {
            if c == b'T' {
                if in_time || tail.is_empty() {
                    return None;
                }
                in_time = true;
                next = 0;
                rest = tail;
                continue;
            }
            if fractional_seen {
                return None;
            }
            let (number, fractional, after) = number(rest)?;
            fractional_seen = fractional;
            let (&designator, tail) = after.split_first()?;
            let order = if in_time {
                TIME_DESIGNATORS
            } else {
                DATE_DESIGNATORS
            };
            let pos = order.iter().position(|&d| d == designator)?;
            if pos < next {
                return None;
            }
            next = pos + 1;
            *duration.component(in_time, designator) = number;
            components += 1;
            rest = tail;
        }
        (components > 0).then_some(duration)
    }

    /// The length in seconds, when it has no years or months (whose length
    /// varies).
    pub fn fixed_seconds(&self) -> Option<f64> {
        let seconds = self.weeks * 604_800.0
            + self.days * 86_400.0
            + self.hours * 3_600.0
            + self.minutes * 60.0
            + self.seconds;
        (self.years == 0.0 && self.months == 0.0).then_some(seconds)
    }

    fn component(&mut self, in_time: bool, designator: u8) -> &mut f64 {
        match (in_time, designator) {
            (false, b'Y') => &mut self.years,
            (false, b'M') => &mut self.months,
            (false, b'W') => &mut self.weeks,
            (false, _) => &mut self.days,
            (true, b'H') => &mut self.hours,
            (true, b'M') => &mut self.minutes,
            (true, _) => &mut self.seconds,
        }
    }
}

/// Digits, optionally a fraction; the value, whether it had a fraction,
/// and what follows.
fn number(b: &[u8]) -> Option<(f64, bool, &[u8])> {
    let whole = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if whole == 0 {
        return None;
    }
    let mut text = String::from_utf8_lossy(&b[..whole]).into_owned();
    let mut after = &b[whole..];
    let mut fractional = false;
    if let Some((&(b'.' | b','), frac)) = after.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        text.push('.');
        text.push_str(&String::from_utf8_lossy(&frac[..n]));
        fractional = true;
        after = &frac[n..];
    }
    Some((text.parse().ok()?, fractional, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations() {
        for ok in [
            "PT720H",
            "PT48H",
            "P1Y2M3DT4H5M6S",
            "P2W",
            "PT0.5H",
            "P1D",
            "PT1,5H",
        ] {
            assert!(Duration::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "P", "PT", "720H", "PT48", "P1H", "PT1D", "P1.5DT2H", "P1D1Y", "pt48h", "P1DT", "P-1D",
            "PT1.H",
        ] {
            assert!(Duration::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn fixed_lengths_in_seconds() {
        let secs = |s| Duration::parse(s).unwrap().fixed_seconds();
        assert_eq!(secs("PT48H"), Some(172_800.0));
        assert_eq!(secs("P2D"), Some(172_800.0));
        assert_eq!(secs("P1W"), Some(604_800.0));
        assert_eq!(secs("PT1,5H"), Some(5_400.0));
        assert_eq!(secs("P1DT1M1S"), Some(86_461.0));
        assert_eq!(secs("P1M"), None);
        assert_eq!(secs("P1Y"), None);
        assert_eq!(secs("P0Y2D"), Some(172_800.0));
    }
}
