//! Values quoted in messages, bounded so a huge cell never floods a message.

/// Characters of a value shown in a message before it is cut.
pub const QUOTE_LIMIT: usize = 80;

/// `value` in backticks; past [`QUOTE_LIMIT`] characters it is cut and its
/// full length given: `` `aaaa…` (10,485,760 characters) ``.
pub fn quote(value: &str) -> String {
    match value.char_indices().nth(QUOTE_LIMIT) {
        None => format!("`{value}`"),
        Some((cut, _)) => format!(
            "`{}…` ({} characters)",
            &value[..cut],
            thousands(value.chars().count())
        ),
    }
}

/// `10485760` → `10,485,760`.
fn thousands(n: usize) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole_and_long_ones_cut() {
        assert_eq!(quote("US"), "`US`");
        let big = "x".repeat(10_485_760);
        let q = quote(&big);
        assert!(q.len() < 120, "{q}");
        assert!(q.ends_with("(10,485,760 characters)"), "{q}");
    }
}
