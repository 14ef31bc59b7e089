//! Placing availability windows on a common day scale.

use chrono::NaiveDate;

use crate::model::Window;

/// Days since 1970-01-01 of a date-time's calendar date (its first 10 chars).
pub fn day(s: &str) -> Option<i64> {
    let d = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    Some(
        d.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1)?)
            .num_days(),
    )
}

/// The scale of a title's timeline: first and last day shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// First day.
    pub from: i64,
    /// Last day (open ends run to here).
    pub to: i64,
}

impl Scale {
    /// A scale covering every dated start and end, with room for open ends.
    pub fn of(windows: &[Window]) -> Option<Self> {
        let days: Vec<i64> = windows
            .iter()
            .flat_map(|w| [w.start.as_deref(), w.end.as_deref()])
            .flatten()
            .filter_map(day)
            .collect();
        let from = *days.iter().min()?;
        let mut to = *days.iter().max()?;
        let open = windows.iter().any(|w| w.end.is_none());
        // Open-ended bars run a tenth past the last date (at least a year).
        if open || to == from {
            to += ((to - from) / 10).max(365);
        }
        Some(Self { from, to })
    }

    /// Left offset and width in percent of a window.
    pub fn place(&self, w: &Window) -> (f64, f64) {
        let span = (self.to - self.from).max(1) as f64;
        let start = w.start.as_deref().and_then(day).unwrap_or(self.from);
        let end = w.end.as_deref().and_then(day).unwrap_or(self.to);
        let left = ((start - self.from) as f64 / span * 100.0).clamp(0.0, 100.0);
        let right = ((end - self.from) as f64 / span * 100.0).clamp(0.0, 100.0);
        (left, (right - left).max(0.5))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Side;

    fn w(start: &str, end: Option<&str>) -> Window {
        Window {
            side: Side::Sheet,
            row: "EST HD".into(),
            transaction_id: None,
            start: Some(start.into()),
            end: end.map(str::to_string),
        }
    }

    #[test]
    fn open_windows_run_past_the_last_date() {
        let ws = [
            w("2020-01-01", Some("2021-01-01")),
            w("2020-07-01T00:00:00Z", None),
        ];
        let s = Scale::of(&ws).unwrap();
        assert_eq!(s.from, day("2020-01-01").unwrap());
        assert!(s.to > day("2021-01-01").unwrap());
        let (left, width) = s.place(&ws[1]);
        assert!(left > 0.0 && (left + width - 100.0).abs() < 1e-9);
    }
}
