//! ISO 3166-1 alpha-2 country codes (assigned).

/// Every officially assigned ISO 3166-1 alpha-2 code, sorted (249 codes,
/// taken from the Debian `iso-codes` data).
pub const COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// [`COUNTRIES`] as one bit per second letter, per first letter: every
/// territory of a catalog is looked up, and a search of the list cost a
/// few hundred instructions each time.
const ASSIGNED: [u32; 26] = {
    let mut bits = [0u32; 26];
    let mut i = 0;
    while i < COUNTRIES.len() {
        let code = COUNTRIES[i].as_bytes();
        // Every code of the list is two capital letters (tested).
        bits[(code[0] - b'A') as usize] |= 1 << (code[1] - b'A');
        i += 1;
    }
    bits
};

mod aliases;

/// The assigned alpha-2 code a cell most likely meant, when it wrote a
/// country another way: another case (`fr`), the alpha-3 code (`FRA`),
/// the English name (`France`, `United States`), or `UK`; characters a
/// reader cannot see are ignored. `None` when nothing matches.
pub fn suggest(text: &str) -> Option<&'static str> {
    let seen = avails_model::text::without_hidden(text);
    let upper = seen.to_uppercase();
    if let Some(code) = COUNTRIES.iter().find(|c| **c == upper) {
        return Some(code);
    }
    if upper == "UK" {
        return Some("GB");
    }
    aliases::ALIASES
        .iter()
        .find(|(alpha3, _, names)| {
            *alpha3 == upper || names.iter().any(|n| n.to_uppercase() == upper)
        })
        .map(|(_, alpha2, _)| *alpha2)
}

/// Whether `code` is an assigned alpha-2 code (exact, upper case).
pub fn is_country(code: &str) -> bool {
    match *code.as_bytes() {
        [first @ b'A'..=b'Z', second @ b'A'..=b'Z'] => {
            ASSIGNED[(first - b'A') as usize] & (1 << (second - b'A')) != 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_country_written_another_way_is_recognised() {
        assert_eq!(suggest("fr"), Some("FR"));
        assert_eq!(suggest("FRA"), Some("FR"));
        assert_eq!(suggest("France"), Some("FR"));
        assert_eq!(suggest("france"), Some("FR"));
        assert_eq!(suggest("F\u{200b}R"), Some("FR"));
        assert_eq!(suggest("USA"), Some("US"));
        assert_eq!(suggest("United States"), Some("US"));
        assert_eq!(suggest("UK"), Some("GB"));
        assert_eq!(suggest("Narnia"), None);
        assert_eq!(suggest("XX"), None);
        assert!(aliases::ALIASES.iter().all(|(_, a2, _)| is_country(a2)));
    }

    #[test]
    fn a_code_is_assigned_exactly_when_the_list_has_it() {
        assert!(COUNTRIES
            .iter()
            .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
        assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
        for first in b'@'..=b'[' {
            for second in b'@'..=b'[' {
                let code = String::from_utf8(vec![first, second]).unwrap();
                assert_eq!(
                    is_country(&code),
                    COUNTRIES.binary_search(&code.as_str()).is_ok(),
                    "{code}"
                );
            }
        }
        for odd in ["", "U", "USA", "us", "Us", "U S", "ÉT", "XK"] {
            assert!(!is_country(odd), "{odd}");
        }
        assert!(is_country("US") && is_country("FR") && is_country("ZW"));
    }
}
