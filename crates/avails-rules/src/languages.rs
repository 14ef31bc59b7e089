//! RFC 5646 language tags: the well-formed grammar (section 2.1), checked
//! case-insensitively, without the registry lookups a "valid" tag needs.

/// Grandfathered tags (irregular and regular) that are well-formed as wholes.
const GRANDFATHERED: &[&str] = &[
    "en-GB-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-BE-FR",
    "sgn-BE-NL",
    "sgn-CH-DE",
    "art-lojban",
    "cel-gaulish",
    "no-bok",
    "no-nyn",
    "zh-guoyu",
    "zh-hakka",
    "zh-min",
    "zh-min-nan",
    "zh-xiang",
];

fn alpha(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_alphabetic())
}

fn alnum(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `tag` is a well-formed RFC 5646 language tag
/// (`language[-extlang][-script][-region]*(-variant)*(-extension)[-privateuse]`,
/// a private-use tag `x-...`, or a grandfathered tag).
pub fn is_well_formed(tag: &str) -> bool {
    if GRANDFATHERED.iter().any(|g| g.eq_ignore_ascii_case(tag)) {
        return true;
    }
    let mut parts = tag.split('-').peekable();
    let Some(first) = parts.next() else {
        return false;
    };
    if first.eq_ignore_ascii_case("x") {
        return private_use_rest(parts);
    }
    // language = 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA
    if !alpha(first, 2, 8) {
        return false;
    }
    if first.len() <= 3 {
        // extlang = 3ALPHA *2("-" 3ALPHA)
        let mut ext = 0;
        while ext < 3 && parts.peek().is_some_and(|p| alpha(p, 3, 3)) {
            parts.next();
            ext += 1;
        }
    }
    if parts.peek().is_some_and(|p| alpha(p, 4, 4)) {
        parts.next(); // script
    }
    if parts
        .peek()
        .is_some_and(|p| alpha(p, 2, 2) || (p.len() == 3 && p.bytes().all(|c| c.is_ascii_digit())))
    {
        parts.next(); // region
    }
    // variant = 5*8alphanum / (DIGIT 3alphanum)
    while parts.peek().is_some_and(|p| {
        alnum(p, 5, 8) || (p.len() == 4 && p.as_bytes()[0].is_ascii_digit() && alnum(p, 4, 4))
    }) {
        parts.next();
    }
    // extension = singleton 1*("-" (2*8alphanum))
    while let Some(p) = parts.peek() {
        if p.len() != 1 || !alnum(p, 1, 1) || p.eq_ignore_ascii_case("x") {
            break;
        }
        parts.next();
        let mut n = 0;
        while parts.peek().is_some_and(|p| alnum(p, 2, 8)) {
            parts.next();
            n += 1;
        }
        if n == 0 {
            return false;
        }
    }
    match parts.next() {
        None => true,
        Some(p) if p.eq_ignore_ascii_case("x") => private_use_rest(parts),
        Some(_) => false,
    }
}

/// privateuse = "x" 1*("-" (1*8alphanum)); `parts` follows the `x`.
fn private_use_rest<'a>(parts: impl Iterator<Item = &'a str>) -> bool {
    let mut n = 0;
    for p in parts {
        if !alnum(p, 1, 8) {
            return false;
        }
        n += 1;
    }
    n > 0
}

#[cfg(test)]
mod tests {
    use super::is_well_formed;

    #[test]
    fn accepts_well_formed_tags() {
        for ok in [
            "en",
            "EN",
            "en-US",
            "fr-CA",
            "zh-Hant-TW",
            "es-419",
            "sl-rozaj-biske",
            "de-CH-1901",
            "zh-yue-HK",
            "en-a-bbb-x-ccc",
            "x-whatever",
            "i-klingon",
            "sr-Latn",
            "hy-Latn-IT-arevela",
        ] {
            assert!(is_well_formed(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_tags() {
        for bad in [
            "",
            "e",
            "en_US",
            "en-",
            "en--US",
            "en-US-",
            "123",
            "en-a",
            "x",
            "en-x",
            "en-U",
            "fr-CA-toolongvariant1",
        ] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }
}
