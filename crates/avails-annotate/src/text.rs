//! A CSV file's text as Excel saves it: "CSV UTF-8" (with a byte-order
//! mark), "CSV" (Windows-1252 in Western Europe and the Americas), "Unicode
//! Text" (UTF-16 with a byte-order mark, tab-separated); and its delimiter,
//! the one of `,` `;` and tab that splits a header row into the most cells
//! (European Excel writes `;`).

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How many records are looked at to find the delimiter (the EMA header
/// rows come first).
const SNIFF_RECORDS: usize = 12;
/// The delimiters tried, the usual one first (it wins a tie).
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// The file's text: by byte-order mark, else UTF-8 when it is valid UTF-8,
/// else Windows-1252 (Latin-1 is its subset).
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err("the file is UTF-32 text; save it as CSV UTF-8".into());
    }
    let (text, had_errors) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec()).map_err(|e| format!("not UTF-8: {e}"));
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        let (t, _, bad) = UTF_16LE.decode(bytes);
        (t, bad)
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        let (t, _, bad) = UTF_16BE.decode(bytes);
        (t, bad)
    } else if let Ok(t) = std::str::from_utf8(bytes) {
        return Ok(t.to_string());
    } else {
        let (t, _, bad) = WINDOWS_1252.decode(bytes);
        (t, bad)
    };
    if had_errors {
        return Err("the text cannot be decoded; save it as CSV UTF-8".into());
    }
    Ok(text.into_owned())
}

/// The delimiter that splits one of the first records into the most cells.
pub fn delimiter(text: &str) -> u8 {
    let widest = |d: u8| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(text.as_bytes())
            .records()
            .take(SNIFF_RECORDS)
            .filter_map(Result::ok)
            .map(|r| r.len())
            .max()
            .unwrap_or(0)
    };
    let mut best = DELIMITERS[0];
    let mut most = widest(best);
    for d in &DELIMITERS[1..] {
        let n = widest(*d);
        if n > most {
            best = *d;
            most = n;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_s_three_csv_encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFCaf\xC3\xA9").unwrap(), "Café");
        assert_eq!(decode(b"Caf\xC3\xA9").unwrap(), "Café");
        assert_eq!(decode(b"Caf\xE9").unwrap(), "Café");
        assert_eq!(decode(b"\xFF\xFEC\0a\0f\0\xE9\0").unwrap(), "Café");
        assert!(decode(b"\xFF\xFE\0\0x").is_err());
    }

    #[test]
    fn the_delimiter_that_makes_the_widest_header() {
        assert_eq!(delimiter("ALID,Territory,Start\na,US,2024"), b',');
        assert_eq!(delimiter("ALID;Territory;Start\na;\"1,5\";2024"), b';');
        assert_eq!(delimiter("ALID\tTerritory\tStart\n"), b'\t');
        assert_eq!(delimiter("only one cell"), b',');
    }
}
