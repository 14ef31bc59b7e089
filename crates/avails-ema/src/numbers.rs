//! Numbers as a cell means them: an Excel number exactly; text in a clear
//! form whatever the locale that typed it (`12.99`, `12,99`, `1,299.00`,
//! `1.299,00`, `1 299,00`); an ambiguous `1,299` is refused, never guessed.

use crate::Cell;

/// What a number cell may hold, for messages.
pub const NUMBER_FORMS: &str =
    "a plain number such as 12.99 (also 12,99, 1,299.00, 1.299,00 or 1 299,00)";

/// Why a text is not a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Not a number at all.
    NotANumber,
    /// `1,299` could be 1299 or 1.299: the cell must say which.
    Ambiguous {
        /// The reading as thousands.
        thousands: String,
        /// The reading as a decimal.
        decimal: String,
    },
}

impl NumberError {
    /// What is allowed, for a message.
    pub fn expected(&self) -> String {
        match self {
            Self::NotANumber => NUMBER_FORMS.to_string(),
            Self::Ambiguous { thousands, decimal } => format!(
                "a number that says which it is: this could be {thousands} or {decimal}; \
                 write {thousands} or {decimal}"
            ),
        }
    }
}

/// The number a cell holds.
pub fn cell_number(cell: &Cell) -> Result<f64, NumberError> {
    match cell {
        Cell::Number(n) if n.is_finite() => Ok(*n),
        Cell::Text(t) => parse_number(t),
        _ => Err(NumberError::NotANumber),
    }
}

/// Parses a number typed as text in any common locale form.
///
/// Separators: `.` and `,` (either may be the decimal mark), spaces
/// (including no-break and thin spaces) and `'` as thousands marks. When
/// both `.` and `,` appear, the last one is the decimal mark and the other
/// must group by threes. A single `,` followed by exactly three digits
/// (`1,299`) is ambiguous and refused; a single `.` is a decimal point.
pub fn parse_number(text: &str) -> Result<f64, NumberError> {
    let t = text.trim();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if body.is_empty() || !body.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(NumberError::NotANumber);
    }
    // Only digits and separators.
    let is_space = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\'');
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || is_space(c))
    {
        // Scientific notation as Excel or Rust print it.
        return body
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && body.contains(['e', 'E']))
            .map(|n| if negative { -n } else { n })
            .ok_or(NumberError::NotANumber);
    }
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let decimal_mark = match (dots, commas) {
        (0, 0) => None,
        (_, 0) if dots == 1 => Some('.'),
        (0, _) if commas == 1 => {
            let after = body.rsplit(',').next().unwrap_or("");
            let before = body.split(',').next().unwrap_or("");
            let before_digits: String = before.chars().filter(char::is_ascii_digit).collect();
            if after.len() == 3
                && after.chars().all(|c| c.is_ascii_digit())
                && !before_digits.is_empty()
                && before_digits.len() <= 3
                && !before_digits.starts_with('0')
                && !before.chars().any(is_space)
            {
                let thousands = format!("{before_digits}{after}");
                let decimal = format!("{before_digits}.{after}");
                return Err(NumberError::Ambiguous {
                    thousands: sign(negative, &thousands),
                    decimal: sign(negative, &decimal),
                });
            }
            Some(',')
        }
        // Several of one mark and none of the other: thousands grouping.
        (_, 0) | (0, _) => None,
        _ => {
            let last_dot = body.rfind('.').unwrap_or(0);
            let last_comma = body.rfind(',').unwrap_or(0);
            Some(if last_dot > last_comma { '.' } else { ',' })
        }
    };
    let (int_part, frac_part) = match decimal_mark {
        Some(mark) => {
            let i = body.rfind(mark).unwrap_or(body.len());
            (&body[..i], &body[i + 1..])
        }
        None => (body, ""),
    };
    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return Err(NumberError::NotANumber);
    }
    let digits = grouped_digits(int_part, is_space).ok_or(NumberError::NotANumber)?;
    let plain = if frac_part.is_empty() {
        digits
    } else {
        format!("{digits}.{frac_part}")
    };
    plain
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(|n| if negative { -n } else { n })
        .ok_or(NumberError::NotANumber)
}

fn sign(negative: bool, s: &str) -> String {
    if negative {
        format!("-{s}")
    } else {
        s.to_string()
    }
}

/// The digits of an integer part, checking any grouping marks group by
/// threes (`1,299,000`, `1.299.000`, `1 299 000`, `1'299'000`).
fn grouped_digits(int_part: &str, is_space: impl Fn(char) -> bool) -> Option<String> {
    let is_mark = |c: char| c == '.' || c == ',' || is_space(c);
    if !int_part.contains(is_mark) {
        // `.5` has an empty integer part.
        return Some(if int_part.is_empty() { "0" } else { int_part }.to_string());
    }
    let groups: Vec<&str> = int_part.split(is_mark).collect();
    let first = groups.first()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    if groups[1..].iter().any(|g| g.len() != 3) {
        return None;
    }
    // One kind of mark only.
    let marks: Vec<char> = int_part.chars().filter(|c| is_mark(*c)).collect();
    let same = |a: char, b: char| a == b || (is_space(a) && is_space(b));
    if marks.windows(2).any(|w| !same(w[0], w[1])) {
        return None;
    }
    Some(groups.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(t: &str) -> f64 {
        parse_number(t).unwrap_or_else(|e| panic!("{t}: {e:?}"))
    }

    #[test]
    fn every_clear_form_reads_its_value() {
        assert_eq!(ok("12.99"), 12.99);
        assert_eq!(ok("12,99"), 12.99);
        assert_eq!(ok("1,299.00"), 1299.0);
        assert_eq!(ok("1.299,00"), 1299.0);
        assert_eq!(ok("1 299,00"), 1299.0);
        assert_eq!(ok("1\u{a0}299,50"), 1299.5);
        assert_eq!(ok("1'299.00"), 1299.0);
        assert_eq!(ok("1,299,000"), 1_299_000.0);
        assert_eq!(ok("1.299.000"), 1_299_000.0);
        assert_eq!(ok(" 4 "), 4.0);
        assert_eq!(ok("0,999"), 0.999);
        assert_eq!(ok("12,5"), 12.5);
        assert_eq!(ok("-3,5"), -3.5);
        assert_eq!(ok(".5"), 0.5);
        assert_eq!(ok("1.299"), 1.299);
        assert_eq!(ok("1e3"), 1000.0);
    }

    #[test]
    fn a_single_comma_before_three_digits_is_ambiguous() {
        assert_eq!(
            parse_number("1,299"),
            Err(NumberError::Ambiguous {
                thousands: "1299".into(),
                decimal: "1.299".into()
            })
        );
        assert!(parse_number("12,999").is_err());
        let e = parse_number("1,299").unwrap_err().expected();
        assert!(e.contains("1299") && e.contains("1.299"), "{e}");
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "abc",
            "12.99.1",
            "1,2,3",
            "1.29,9.0",
            "$12.99",
            "12,99 €",
            "1,29,9",
            "NaN",
            "inf",
            "1 2",
            "12-3",
        ] {
            assert!(parse_number(bad).is_err(), "{bad:?} accepted");
        }
    }
}
