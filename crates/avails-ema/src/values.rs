//! Conversions of one cell to one value, each saying what it allows.
//! A value is normalised only where its column's type says so.

use std::borrow::Cow;

use avails_model::text::trim;
use avails_model::AssetLanguage;
use serde_json::{json, Value};

use crate::cell::format_number;
use crate::numbers::{cell_number, NumberError};
use crate::Cell;

/// The cell's text, or `None` when blank or an EMA `//` comment.
pub fn text(cell: &Cell, comment_prefix: &str) -> Option<String> {
    text_ref(cell, comment_prefix).map(Cow::into_owned)
}

/// Like [`text`], borrowing the cell's text when it can. A boolean cell
/// reads `TRUE`/`FALSE` as Excel shows it: only Yes/No columns turn it into
/// `Yes`/`No` ([`yes_no`]).
pub fn text_ref<'c>(cell: &'c Cell, comment_prefix: &str) -> Option<Cow<'c, str>> {
    let t = match cell {
        Cell::Empty => return None,
        // Trimmed once: blank when nothing is left.
        Cell::Text(t) => match trim(t) {
            "" => return None,
            t => Cow::Borrowed(t),
        },
        other => Cow::Owned(other.display()),
    };
    (!is_comment(&t, comment_prefix)).then_some(t)
}

/// Whether trimmed text starts with the comment prefix (its first byte
/// compared before the rest: nearly every cell differs there).
fn is_comment(text: &str, comment_prefix: &str) -> bool {
    match comment_prefix.as_bytes().first() {
        None => text.starts_with(comment_prefix),
        Some(first) => text.as_bytes().first() == Some(first) && text.starts_with(comment_prefix),
    }
}

/// Whether [`text_ref`] gives the cell a text, without writing out a
/// number, a date or a boolean when what it shows cannot begin with the
/// comment prefix (it shows digits, a sign, `TRUE`/`FALSE`, `NaN`, `inf`).
pub fn has_text(cell: &Cell, comment_prefix: &str) -> bool {
    match cell {
        Cell::Empty => false,
        Cell::Text(t) => {
            let t = trim(t);
            !t.is_empty() && !is_comment(t, comment_prefix)
        }
        Cell::Number(_) | Cell::Bool(_) | Cell::DateTime(_) => {
            match comment_prefix.chars().next() {
                Some(c) if !(c.is_ascii_digit() || "+-TFNi".contains(c)) => true,
                _ => text_ref(cell, comment_prefix).is_some(),
            }
        }
        Cell::Duration(_) | Cell::Error(_) => text_ref(cell, comment_prefix).is_some(),
    }
}

/// A whole number; numbers stored as text are read by their form.
pub fn integer(cell: &Cell) -> Result<i64, String> {
    let n = cell_number(cell).map_err(|e| whole(&e))?;
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Ok(n as i64)
    } else {
        Err("a whole number".into())
    }
}

fn whole(e: &NumberError) -> String {
    match e {
        NumberError::NotANumber => "a whole number".into(),
        ambiguous => ambiguous.expected(),
    }
}

/// An amount (Money): an Excel number exactly, text by its form.
pub fn amount(cell: &Cell) -> Result<f64, String> {
    cell_number(cell).map_err(|e| e.expected())
}

/// Yes/No, True/False, Y/N, 1/0 (any case) or a boolean cell.
pub fn boolean(cell: &Cell) -> Result<bool, String> {
    let expected = || "Yes or No (also True/False)".to_string();
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Number(n) if *n == 1.0 => Ok(true),
        Cell::Number(n) if *n == 0.0 => Ok(false),
        Cell::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "t" | "1" => Ok(true),
            "no" | "n" | "false" | "f" | "0" => Ok(false),
            _ => Err(expected()),
        },
        _ => Err(expected()),
    }
}

/// A Yes/No text value (`Download`): any boolean spelling becomes `Yes`/`No`.
pub fn yes_no(cell: &Cell) -> Result<&'static str, String> {
    boolean(cell).map(|b| if b { "Yes" } else { "No" })
}

/// Hours (`48`) become `PT48H`; an ISO 8601 duration (`PT48H`, `P30D`) is kept.
pub fn duration_hours(cell: &Cell) -> Result<String, String> {
    let expected = || "a number of hours (48) or an ISO 8601 duration (PT48H)".to_string();
    if let Cell::Text(t) = cell {
        let t = t.trim();
        if t.starts_with('P') || t.starts_with('p') {
            return Ok(t.to_ascii_uppercase());
        }
    }
    if let Cell::Duration(d) = cell {
        return Ok(d.clone());
    }
    let hours = cell_number(cell).map_err(|_| expected())?;
    if hours < 0.0 {
        return Err(expected());
    }
    let mut duration = format_number(hours);
    duration.insert_str(0, "PT");
    duration.push('H');
    Ok(duration)
}

/// Splits a language list (`en, fr-CA:subtitle; de`) into AssetLanguage
/// entries; `lang:kind` also sets `_asset` (an avails extension).
pub fn languages(text: &str) -> Vec<AssetLanguage> {
    text.split([',', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|token| match token.split_once(':') {
            Some((lang, asset)) if !asset.is_empty() => AssetLanguage {
                value: lang.to_string(),
                asset: Some(asset.to_string()),
                ..AssetLanguage::default()
            },
            _ => AssetLanguage {
                value: token.to_string(),
                ..AssetLanguage::default()
            },
        })
        .collect()
}

/// Splits a list of bundled ALIDs on `;` or `,` (ALIDs contain `:`).
pub fn bundle(text: &str) -> Vec<Value> {
    text.split([';', ',', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|id| json!({"BundledALID": id}))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_text_agrees_with_text_ref_for_every_kind_of_cell_and_prefix() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let cells = [
            Cell::Empty,
            Cell::Text(String::new()),
            Cell::Text("  ".into()),
            Cell::Text("// a comment".into()),
            Cell::Text("  //x".into()),
            Cell::Text("\u{a0}//x\u{2003}".into()),
            Cell::Text("\u{3000}".into()),
            Cell::Text("#N/A".into()),
            Cell::Text("Movie".into()),
            Cell::Number(0.0),
            Cell::Number(-1.5),
            Cell::Number(12345.0),
            Cell::Number(f64::NAN),
            Cell::Number(f64::INFINITY),
            Cell::Bool(true),
            Cell::Bool(false),
            Cell::DateTime(date.and_hms_opt(0, 0, 0).unwrap()),
            Cell::DateTime(date.and_hms_opt(23, 59, 59).unwrap()),
            Cell::Duration("PT2H".into()),
            Cell::Duration(String::new()),
            Cell::Error("#N/A".into()),
        ];
        let prefixes = [
            "//", "#", "", "-", "1", "2026", "T", "F", "N", "i", "P", " ",
        ];
        // What a cell's text is, said plainly: nothing for a blank cell, its
        // display trimmed, nothing when that starts with the prefix.
        let plainly = |cell: &Cell, prefix: &str| -> Option<String> {
            let t = match cell {
                c if c.is_blank() => return None,
                Cell::Text(t) => t.trim().to_string(),
                other => other.display(),
            };
            (!t.starts_with(prefix)).then_some(t)
        };
        for cell in &cells {
            for prefix in prefixes {
                assert_eq!(
                    has_text(cell, prefix),
                    text_ref(cell, prefix).is_some(),
                    "{cell:?} with prefix `{prefix}`"
                );
                assert_eq!(
                    text_ref(cell, prefix).map(Cow::into_owned),
                    plainly(cell, prefix),
                    "{cell:?} with prefix `{prefix}`"
                );
            }
        }
    }

    #[test]
    fn durations_in_hours() {
        assert_eq!(duration_hours(&Cell::Number(48.0)).unwrap(), "PT48H");
        assert_eq!(duration_hours(&Cell::Text("720".into())).unwrap(), "PT720H");
        assert_eq!(duration_hours(&Cell::Text("1,5".into())).unwrap(), "PT1.5H");
        assert_eq!(
            duration_hours(&Cell::Text("PT48H".into())).unwrap(),
            "PT48H"
        );
        assert!(duration_hours(&Cell::Text("two days".into())).is_err());
    }

    #[test]
    fn booleans_and_numbers_as_text() {
        assert!(boolean(&Cell::Text("Yes".into())).unwrap());
        assert!(!boolean(&Cell::Bool(false)).unwrap());
        assert!(boolean(&Cell::Text("maybe".into())).is_err());
        assert_eq!(yes_no(&Cell::Bool(true)).unwrap(), "Yes");
        assert_eq!(yes_no(&Cell::Text("FALSE".into())).unwrap(), "No");
        assert_eq!(integer(&Cell::Text(" 8 ".into())).unwrap(), 8);
        assert!(integer(&Cell::Number(8.5)).is_err());
        assert!(integer(&Cell::Text("1,299".into()))
            .unwrap_err()
            .contains("1299"));
        assert_eq!(amount(&Cell::Text("12,99".into())).unwrap(), 12.99);
    }

    #[test]
    fn text_is_kept_as_written() {
        // A title that reads TRUE stays TRUE: only Yes/No columns normalise.
        assert_eq!(text(&Cell::Text("TRUE".into()), "//").unwrap(), "TRUE");
        assert_eq!(text(&Cell::Bool(true), "//").unwrap(), "TRUE");
        assert_eq!(text(&Cell::Text("//Opt".into()), "//"), None);
        assert_eq!(text(&Cell::Text("  ".into()), "//"), None);
    }

    #[test]
    fn language_lists() {
        let l = languages("ar, cmn;fr-CA:subtitle");
        assert_eq!(l.len(), 3);
        assert_eq!(l[2].value, "fr-CA");
        assert_eq!(l[2].asset.as_deref(), Some("subtitle"));
        assert_eq!(bundle("md:alid:a;md:alid:b").len(), 2);
    }
}
