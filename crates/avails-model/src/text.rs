//! Values quoted in messages: short, on one line, with their full length
//! when cut, so a 10 MB cell gives a message of a few hundred bytes; and
//! the trimming every cell and attribute goes through.

/// `s` without leading and trailing white space, as [`str::trim`] gives
/// it, at once when both ends are visible ASCII (as nearly every cell's
/// are): `str::trim` decodes characters from each end, and a twentieth of
/// the grouping thread's instructions (callgrind, 10,000 rows) went there.
#[inline]
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// The most characters of a value a message shows.
pub const QUOTE_MAX_CHARS: usize = 80;

/// `value` as a message shows it: at most [`QUOTE_MAX_CHARS`] characters,
/// then, when cut, `…` and the full length (`ABC… (10,485,760 characters)`).
/// Control characters are escaped (`\n`, `\t`, `\0`, `\u{1b}`) so a value can
/// neither break a message's line nor drive the terminal.
pub fn shorten(value: &str) -> String {
    shorten_to(value, QUOTE_MAX_CHARS)
}

/// [`shorten`] with another limit, for free text such as a library's error
/// message.
pub fn shorten_to(value: &str, max_chars: usize) -> String {
    let (shown, total) = cut(value, max_chars);
    let mut out = escaped(shown);
    if let Some(total) = total {
        out.push_str(&format!("… ({} characters)", thousands(total)));
    }
    out
}

/// `value` in backticks, as [`shorten`] shows it: `` `US` ``, or
/// `` `XXXX…` (10,485,760 characters) `` when cut.
pub fn quote(value: &str) -> String {
    let (shown, total) = cut(value, QUOTE_MAX_CHARS);
    match total {
        None => format!("`{}`", escaped(shown)),
        Some(total) => format!("`{}…` ({} characters)", escaped(shown), thousands(total)),
    }
}

/// The shown prefix of `value`, and its length in characters when cut.
fn cut(value: &str, max_chars: usize) -> (&str, Option<usize>) {
    match value.char_indices().nth(max_chars) {
        None => (value, None),
        Some((end, _)) => (&value[..end], Some(value.chars().count())),
    }
}

/// `s` with control characters written as Rust escapes.
fn escaped(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Control characters, and the bidirectional overrides that reorder what a
/// terminal shows.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `n` with a comma every three digits: `10,485,760`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "US",
            " US",
            "US\t",
            "\u{a0}US\u{2003}",
            "É",
            "x\u{a0}",
            "\r\n",
            "a b",
            "\u{85}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn short_values_are_quoted_whole() {
        assert_eq!(quote("US"), "`US`");
        assert_eq!(shorten("US"), "US");
        assert_eq!(quote(""), "``");
        let eighty = "é".repeat(QUOTE_MAX_CHARS);
        assert_eq!(quote(&eighty), format!("`{eighty}`"));
    }

    #[test]
    fn a_ten_megabyte_value_is_cut_with_its_length() {
        let big = "X".repeat(10_485_760);
        let q = quote(&big);
        assert_eq!(
            q,
            format!("`{}…` (10,485,760 characters)", "X".repeat(QUOTE_MAX_CHARS))
        );
        assert!(q.len() < 200, "{} bytes", q.len());
        assert_eq!(
            shorten(&big),
            format!("{}… (10,485,760 characters)", "X".repeat(QUOTE_MAX_CHARS))
        );
    }

    #[test]
    fn characters_not_bytes_are_counted() {
        let s = "日".repeat(81);
        assert_eq!(quote(&s), format!("`{}…` (81 characters)", "日".repeat(80)));
    }

    #[test]
    fn control_characters_cannot_break_the_line() {
        assert_eq!(quote("a\nb\tc\0d\u{1b}[31m"), r"`a\nb\tc\0d\u{1b}[31m`");
        assert_eq!(shorten("x\u{202e}y"), r"x\u{202e}y");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10_485_760), "10,485,760");
    }
}
