//! RFC 5646 language tags: the well-formed grammar (section 2.1), checked
//! case-insensitively, and the registry lookups a "valid" tag needs for its
//! language and region subtags (ISO 639 via the `isolang` crate's embedded
//! tables, ISO 3166-1 via [`crate::countries`]).

use std::cell::RefCell;

use hashbrown::HashMap;

/// Language tags whose verdict a thread remembers before it forgets them
/// all and starts again: a catalog names a few dozen.
const REMEMBERED: usize = 1024;

/// What the rules make of a language tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Well-formed, its language and region registered.
    Valid,
    /// Not a well-formed tag ([`is_well_formed`]).
    Malformed,
    /// Well-formed, but not valid: why ([`registry_problem`]).
    Unregistered(Box<str>),
}

/// [`is_well_formed`], then [`registry_problem`], of `tag`, remembered:
/// a catalog names the same few languages on every row, and the two cost
/// about 1,500 instructions a tag (4 % of converting a sheet).
pub fn verdict(tag: &str) -> Verdict {
    thread_local! {
        // foldhash (hashbrown's default), not SipHash: these are short tags.
        static SEEN: RefCell<HashMap<Box<str>, Verdict>> = RefCell::new(HashMap::default());
    }
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if let Some(known) = seen.get(tag) {
            return known.clone();
        }
        let found = if !is_well_formed(tag) {
            Verdict::Malformed
        } else {
            match registry_problem(tag) {
                None => Verdict::Valid,
                Some(why) => Verdict::Unregistered(why.into()),
            }
        };
        if seen.len() >= REMEMBERED {
            seen.clear();
        }
        seen.insert(tag.into(), found.clone());
        found
    })
}

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

/// Why a well-formed tag is not valid, if it is not: an unregistered
/// language subtag, a three-letter code where the registry has the
/// two-letter one (RFC 5646 section 2.2.1: `eng` is not registered, `en` is),
/// or an unassigned two-letter region.
pub fn registry_problem(tag: &str) -> Option<String> {
    if GRANDFATHERED.iter().any(|g| g.eq_ignore_ascii_case(tag)) {
        return None;
    }
    let mut parts = tag.split('-');
    let language = parts.next()?.to_ascii_lowercase();
    if language == "x" || language == "i" {
        return None;
    }
    match language.len() {
        2 if isolang::Language::from_639_1(&language).is_none() => {
            return Some(format!("`{language}` is not an ISO 639-1 language code"));
        }
        3 if is_private_use_language(&language) => {}
        3 => match isolang::Language::from_639_3(&language) {
            None => {
                return Some(format!(
                    "`{language}` is not a registered ISO 639 language code"
                ))
            }
            Some(l) => {
                if let Some(short) = l.to_639_1() {
                    return Some(format!(
                        "`{language}` is not registered: RFC 5646 uses the two-letter code `{short}`"
                    ));
                }
            }
        },
        _ => {}
    }
    // The region is the first 2-letter subtag after the language and script.
    for p in parts {
        if p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()) {
            let upper = p.to_ascii_uppercase();
            if !crate::countries::is_country(&upper) {
                return Some(format!("region `{p}` is not an assigned ISO 3166-1 code"));
            }
            break;
        }
        if p.len() == 1 {
            break; // extensions and private use follow
        }
    }
    None
}

/// `qaa`..`qtz` are reserved for private use.
fn is_private_use_language(code: &str) -> bool {
    let b = code.as_bytes();
    b[0] == b'q' && (b'a'..=b't').contains(&b[1])
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
    use super::{is_well_formed, registry_problem, verdict, Verdict, REMEMBERED};

    #[test]
    fn a_verdict_is_the_same_asked_once_or_again_and_after_forgetting() {
        let tags = [
            "en-US",
            "EN-us",
            "eng",
            "fr-xx",
            "en--US",
            "i-klingon",
            "x-private",
            "",
        ];
        let fresh: Vec<Verdict> = tags.iter().map(|t| verdict(t)).collect();
        assert_eq!(fresh[0], Verdict::Valid);
        assert_eq!(fresh[1], Verdict::Valid);
        assert!(matches!(&fresh[2], Verdict::Unregistered(why) if why.contains("`en`")));
        assert!(matches!(&fresh[3], Verdict::Unregistered(why) if why.contains("region")));
        assert_eq!(fresh[4], Verdict::Malformed);
        assert_eq!(fresh[5], Verdict::Valid);
        assert_eq!(fresh[7], Verdict::Malformed);
        // Enough other tags to make the thread forget, then the same again.
        for n in 0..REMEMBERED + 10 {
            verdict(&format!("en-{n}"));
        }
        for (tag, first) in tags.iter().zip(&fresh) {
            assert_eq!(&verdict(tag), first, "{tag}");
            let direct = match (is_well_formed(tag), registry_problem(tag)) {
                (false, _) => Verdict::Malformed,
                (true, None) => Verdict::Valid,
                (true, Some(why)) => Verdict::Unregistered(why.into()),
            };
            assert_eq!(first, &direct, "{tag}");
        }
    }

    #[test]
    fn registry_knows_the_subtags() {
        for ok in [
            "en",
            "EN",
            "en-US",
            "fr-CA",
            "cmn",
            "es-419",
            "zh-Hant-TW",
            "de-CH-1901",
            "qaa",
            "x-foo",
        ] {
            assert_eq!(registry_problem(ok), None, "{ok}");
        }
        // The marked errors of MovieLabs' Avails_withErrors.xml.
        assert!(registry_problem("XYZ").unwrap().contains("xyz"));
        assert!(registry_problem("ENg").unwrap().contains("`en`"));
        assert!(registry_problem("fr-xx").unwrap().contains("region"));
        assert!(registry_problem("zz").is_some());
    }

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
