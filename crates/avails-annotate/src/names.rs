//! Sheet names: what Excel accepts, which name the Findings sheet takes,
//! and how a link names a cell of a sheet.

/// Longest sheet name Excel accepts.
const MAX_NAME: usize = 31;
/// Characters Excel refuses in a sheet name.
const FORBIDDEN: &[char] = &['[', ']', ':', '*', '?', '/', '\\'];
/// The Findings sheet's name, when the workbook has no sheet of that name.
pub const FINDINGS: &str = "Findings";

/// `name` made acceptable to Excel: forbidden characters become `_`, no
/// apostrophe at either end, at most 31 characters, never empty.
pub fn valid_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if FORBIDDEN.contains(&c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed: String = cleaned.trim_matches('\'').chars().take(MAX_NAME).collect();
    let trimmed = trimmed.trim_end_matches('\'').to_string();
    if trimmed.trim().is_empty() || trimmed.eq_ignore_ascii_case("History") {
        "Sheet".to_string()
    } else {
        trimmed
    }
}

/// `name`, or `name 2`, `name 3`... : the first not taken (Excel compares
/// sheet names without regard to case).
pub fn unique(name: &str, taken: &[String]) -> String {
    let is_taken = |n: &str| taken.iter().any(|t| t.to_lowercase() == n.to_lowercase());
    if !is_taken(name) {
        return name.to_string();
    }
    (2..)
        .map(|i| {
            let suffix = format!(" {i}");
            let base: String = name.chars().take(MAX_NAME - suffix.len()).collect();
            format!("{base}{suffix}")
        })
        .find(|n| !is_taken(n))
        .unwrap_or_else(|| name.to_string())
}

/// A cell reference inside the workbook, `'Sheet'!C12`, apostrophes doubled.
pub fn cell_ref(sheet: &str, row: u32, col: u16) -> String {
    format!(
        "'{}'!{}{}",
        sheet.replace('\'', "''"),
        crate::mark::column_letters(col),
        row + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_excel_accepts() {
        assert_eq!(valid_sheet_name("Movies"), "Movies");
        assert_eq!(valid_sheet_name("a/b:c"), "a_b_c");
        assert_eq!(valid_sheet_name("'quoted'"), "quoted");
        assert_eq!(valid_sheet_name(""), "Sheet");
        assert_eq!(valid_sheet_name(&"x".repeat(40)).len(), 31);
    }

    #[test]
    fn findings_never_takes_a_workbook_sheet_name() {
        let taken = vec!["Movies".to_string(), "FINDINGS".to_string()];
        assert_eq!(unique(FINDINGS, &taken), "Findings 2");
        assert_eq!(unique(FINDINGS, &["Movies".to_string()]), "Findings");
    }

    #[test]
    fn references_quote_the_sheet() {
        assert_eq!(cell_ref("Movies", 11, 2), "'Movies'!C12");
        assert_eq!(cell_ref("Rock'n Roll", 0, 0), "'Rock''n Roll'!A1");
    }
}
