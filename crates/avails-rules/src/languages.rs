//! RFC 5646 language tags: the well-formed grammar (section 2.1), checked
//! case-insensitively, and the registry lookups a "valid" tag needs: its
//! language subtag in ISO 639 (the `isolang` crate's embedded tables), its
//! region in ISO 3166-1 (via [`crate::countries`]) or among the registry's
//! UN M.49 areas, and its extlang, script (ISO 15924) and variants in the
//! IANA Language Subtag Registry (`data/language-subtags.txt`, extracted
//! from the registry file).

use std::cell::RefCell;
use std::sync::OnceLock;

use hashbrown::{HashMap, HashSet};

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

/// The subtags of the IANA Language Subtag Registry checked beside ISO 639
/// and ISO 3166-1 (extlang, script, numeric region, variant): the
/// registry's own records, extracted into `data/language-subtags.txt`
/// (which says from which file and date).
const SUBTAGS: &str = include_str!("../data/language-subtags.txt");

/// The registry's extlang, script, numeric region and variant subtags,
/// lowercased.
struct Registry {
    extlang: HashSet<String>,
    script: HashSet<String>,
    region: HashSet<String>,
    variant: HashSet<String>,
    /// Ranges the registry gives as one record (`Qaaa..Qabx`), lowercased.
    script_ranges: Vec<(String, String)>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut r = Registry {
            extlang: HashSet::default(),
            script: HashSet::default(),
            region: HashSet::default(),
            variant: HashSet::default(),
            script_ranges: Vec::new(),
        };
        let mut section = "";
        for line in SUBTAGS.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name;
                continue;
            }
            let subtag = line.to_ascii_lowercase();
            match (section, subtag.split_once("..")) {
                ("script", Some((from, to))) => {
                    r.script_ranges.push((from.to_string(), to.to_string()));
                }
                ("extlang", _) => {
                    r.extlang.insert(subtag);
                }
                ("script", None) => {
                    r.script.insert(subtag);
                }
                ("region", _) => {
                    r.region.insert(subtag);
                }
                ("variant", _) => {
                    r.variant.insert(subtag);
                }
                _ => {}
            }
        }
        r
    })
}

impl Registry {
    fn has_script(&self, subtag: &str) -> bool {
        let s = subtag.to_ascii_lowercase();
        self.script.contains(&s)
            || self
                .script_ranges
                .iter()
                .any(|(from, to)| from.as_str() <= s.as_str() && s.as_str() <= to.as_str())
    }
}

/// Why a well-formed tag is not valid, if it is not: a language subtag
/// that is no ISO 639 code (no language subtag of 4 to 8 letters is
/// registered at all: `Englisch` is well-formed and means nothing), a
/// three-letter code where the registry has the two-letter one (RFC 5646
/// section 2.2.1: `eng` is not registered, `en` is), or an extlang, script
/// (ISO 15924), region (ISO 3166-1 alpha-2, or UN M.49 digits) or variant
/// the IANA registry does not have.
pub fn registry_problem(tag: &str) -> Option<String> {
    if GRANDFATHERED.iter().any(|g| g.eq_ignore_ascii_case(tag)) {
        return None;
    }
    let mut parts = tag.split('-').peekable();
    let first = parts.next()?;
    let language = first.to_ascii_lowercase();
    if language == "x" || language == "i" {
        return None;
    }
    let registry = registry();
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
        4..=8 => {
            return Some(format!(
                "`{first}` is not a language subtag: the registry has none of 4 to 8 letters (a language is its ISO 639 code: `en`, `de`, `fr-CA`)"
            ));
        }
        _ => {}
    }
    let is_alpha = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_alphabetic());
    if language.len() <= 3 {
        while let Some(p) = parts.next_if(|p| is_alpha(p, 3)) {
            if !registry.extlang.contains(&p.to_ascii_lowercase()) {
                return Some(format!("extended language subtag `{p}` is not registered"));
            }
        }
    }
    if let Some(p) = parts.next_if(|p| is_alpha(p, 4)) {
        if !registry.has_script(p) {
            return Some(format!("script `{p}` is not an ISO 15924 code"));
        }
    }
    if let Some(p) = parts.next_if(|p| is_alpha(p, 2)) {
        if !crate::countries::is_country(&p.to_ascii_uppercase()) {
            return Some(format!("region `{p}` is not an assigned ISO 3166-1 code"));
        }
    } else if let Some(p) = parts.next_if(|p| p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        if !registry.region.contains(p) {
            return Some(format!(
                "region `{p}` is not one of the UN M.49 areas the registry has (`419`, `150`, ...)"
            ));
        }
    }
    // Variants, until an extension or private use (a singleton).
    for p in parts.take_while(|p| p.len() > 1) {
        if !registry.variant.contains(&p.to_ascii_lowercase()) {
            return Some(format!("variant `{p}` is not registered"));
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
    fn the_registry_knows_scripts_regions_variants_and_extlangs() {
        for ok in [
            "sr-Cyrl",
            "zh-Hans-CN",
            "es-419",
            "en-150",
            "yue-HK",
            "zh-yue-HK",
            "de-DE-1996",
            "en-GB-oxendict",
            "ja-Qaab",
            "en-US-x-studio",
            "en-a-bbb",
        ] {
            assert_eq!(registry_problem(ok), None, "{ok}");
        }
        // Well-formed (5 to 8 letters make a language subtag in the
        // grammar), never registered: a language's name is not its code.
        for (bad, says) in [
            ("Englisch", "`Englisch` is not a language subtag"),
            ("english", "`english` is not a language subtag"),
            ("Deutsch-DE", "`Deutsch` is not a language subtag"),
            ("spanish", "none of 4 to 8 letters"),
            ("abcd", "not a language subtag"),
            ("en-Xyzw", "script `Xyzw`"),
            ("en-Latx", "script `Latx`"),
            ("es-999", "region `999`"),
            ("es-840", "region `840`"),
            ("de-DE-1997", "variant `1997`"),
            ("zh-xxx-CN", "extended language subtag `xxx`"),
        ] {
            assert!(is_well_formed(bad), "{bad}");
            let why = registry_problem(bad).unwrap_or_else(|| panic!("{bad} passed"));
            assert!(why.contains(says), "{bad}: {why}");
        }
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
