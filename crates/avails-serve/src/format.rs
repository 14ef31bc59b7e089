//! Numbers and dates as people read them.

/// `12345` → `12,345`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1536` → `1.5 KB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{} bytes", thousands(n as usize)),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

/// An RFC 3339 UTC time as `2026-12-07 23:40:06 UTC`.
pub fn when(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

/// A date-time as written on a sheet, shown as its date (`2024-05-14`);
/// open-ended as "open".
pub fn day(value: Option<&str>) -> String {
    match value {
        None => "open".into(),
        Some(v) => v.get(..10).unwrap_or(v).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_every_three_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(
            when("2026-12-07T23:40:06.123+00:00"),
            "2026-12-07 23:40:06 UTC"
        );
        assert_eq!(day(Some("2024-05-14T00:00:00Z")), "2024-05-14");
        assert_eq!(day(None), "open");
    }
}
