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
        if c.is_control() {
            out.extend(c.escape_debug());
        } else if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Control characters, the bidirectional overrides that reorder what a
/// terminal shows, and the characters a reader cannot see
/// ([`is_invisible`]): a message about `SC_\u{200b}1` must show why it is
/// not `SC_1`.
fn needs_escape(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// Whether `c` shows as nothing, or as a plain space, though it is not one:
/// white space other than the ASCII space (non-breaking, ideographic, ...),
/// control characters, and the format characters of Unicode (zero-width
/// spaces and joiners, the byte order mark, the soft hyphen, direction
/// marks, word joiners, variation selectors, tags). Two IDs that differ only
/// by such characters look the same in a spreadsheet but are different
/// titles to the API.
pub fn is_invisible(c: char) -> bool {
    (c.is_whitespace() && c != ' ')
        || c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{034f}'
                | '\u{061c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fff8}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// The first character of `s` that [`is_invisible`], with its 1-based
/// position in characters: what an identifier must not hold.
pub fn first_hidden(s: &str) -> Option<(usize, char)> {
    if s.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
        return None;
    }
    s.chars()
        .enumerate()
        .find(|&(_, c)| is_invisible(c))
        .map(|(i, c)| (i + 1, c))
}

/// `s` without the characters [`first_hidden`] finds: the identifier a
/// reader of the sheet sees.
pub fn without_hidden(s: &str) -> String {
    s.chars().filter(|&c| !is_invisible(c)).collect()
}

/// A character as a message names it: `U+200B (zero-width space)`.
pub fn describe_char(c: char) -> String {
    let name = match c {
        ' ' => "space",
        '\u{a0}' => "no-break space",
        '\u{ad}' => "soft hyphen",
        '\u{200b}' => "zero-width space",
        '\u{200c}' => "zero-width non-joiner",
        '\u{200d}' => "zero-width joiner",
        '\u{200e}' => "left-to-right mark",
        '\u{200f}' => "right-to-left mark",
        '\u{2060}' => "word joiner",
        '\u{feff}' => "byte order mark",
        '\u{202f}' => "narrow no-break space",
        '\u{3000}' => "ideographic space",
        '\t' => "tab",
        '\n' => "line break",
        '\r' => "carriage return",
        _ => "",
    };
    match name {
        "" => format!("U+{:04X}", c as u32),
        name => format!("U+{:04X} ({name})", c as u32),
    }
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
    fn invisible_characters_are_shown_and_found() {
        assert_eq!(quote("SC_\u{200b}1"), r"`SC_\u{200b}1`");
        assert_eq!(quote("F\u{a0}R"), r"`F\u{a0}R`");
        assert_eq!(quote("a b"), "`a b`");
        assert_eq!(first_hidden("SC_1"), None);
        assert_eq!(first_hidden("Élan"), None);
        assert_eq!(first_hidden("SC_\u{200b}1"), Some((4, '\u{200b}')));
        assert_eq!(first_hidden("\u{feff}SC_1"), Some((1, '\u{feff}')));
        assert_eq!(first_hidden("SC 1"), None);
        assert_eq!(first_hidden("SC\u{ad}1"), Some((3, '\u{ad}')));
        assert_eq!(without_hidden("\u{feff}S\u{a0}C_\u{200d}1"), "SC_1");
        assert_eq!(describe_char('\u{200b}'), "U+200B (zero-width space)");
        assert_eq!(describe_char('\u{2061}'), "U+2061");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10_485_760), "10,485,760");
    }
}
