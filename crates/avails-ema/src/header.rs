//! Finding the EMA column-name row, the comment row and the version.

use std::collections::HashMap;

use avails_mapping::Mapping;
use avails_model::location::column_letter;

use crate::Cell;

/// A sheet's columns, after aliases, and the EMA version it declares.
#[derive(Debug, Clone)]
pub struct Header {
    /// Sheet name (`None` for CSV).
    pub sheet: Option<String>,
    /// 1-based row number of the column-name row.
    pub row: u32,
    /// Canonical column name per 0-based column index (empty when blank).
    pub names: Vec<String>,
    /// The header cells as written, per 0-based column index.
    pub raw: Vec<String>,
    /// Canonical name → first column index holding it.
    index: HashMap<String, usize>,
    /// EMA version from the comment row (1.8 and later write it there).
    pub version: Option<String>,
}

impl Header {
    /// Builds a header from the column-name row if it is one.
    pub fn detect(
        mapping: &Mapping,
        sheet: Option<&str>,
        row: u32,
        cells: &[Cell],
    ) -> Option<Self> {
        let raw: Vec<String> = cells.iter().map(Cell::display).collect();
        let mut names: Vec<String> = raw
            .iter()
            .map(|c| mapping.canonical_column(c).to_string())
            .collect();
        // Names that mean another column in a sheet lacking one (EMA 1.6:
        // no ALID, and ContentID is the title's ID). Which of those columns
        // the row has is found once, not per cell.
        let present: Vec<&str> = mapping
            .aliases_without
            .keys()
            .filter(|k| names.iter().any(|m| m.eq_ignore_ascii_case(k)))
            .map(String::as_str)
            .collect();
        if present.len() < mapping.aliases_without.len() {
            let has = |c: &str| present.iter().any(|p| p.eq_ignore_ascii_case(c));
            for n in &mut names {
                let renamed = mapping.canonical_column_in_sheet(n, has);
                if renamed != n.as_str() {
                    *n = renamed.to_string();
                }
            }
        }
        let markers = mapping
            .sheet
            .markers
            .iter()
            .filter(|m| names.iter().any(|n| n.eq_ignore_ascii_case(m)))
            .count();
        if markers < mapping.sheet.min_markers {
            return None;
        }
        let mut index = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            if !n.is_empty() {
                index.entry(n.to_ascii_lowercase()).or_insert(i);
            }
        }
        Some(Self {
            sheet: sheet.map(str::to_string),
            row,
            names,
            raw,
            index,
            version: None,
        })
    }

    /// The 0-based index of a column by canonical name (case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.index.get(&name.to_ascii_lowercase()).copied()
    }

    /// The column letter of a column by name.
    pub fn letter(&self, name: &str) -> Option<String> {
        self.column(name).map(column_letter)
    }

    /// Whether a row right after the header is EMA's comment row
    /// (`//REQ`, `//Opt`, ...), recording the version it may carry first.
    pub fn absorb_comment_row(&mut self, mapping: &Mapping, cells: &[Cell]) -> bool {
        let prefix = mapping.sheet.comment_prefix.as_str();
        let Some(first) = cells.iter().position(|c| !c.is_blank()) else {
            return false;
        };
        let text = cells[first].display();
        if first == 0 && looks_like_version(&text) {
            self.version = Some(text);
            return true;
        }
        // `//REQ` in the first used cell; later cells may hold notes without
        // the prefix ("REQUIRED for pre-orders").
        text.starts_with(prefix)
    }
}

fn looks_like_version(text: &str) -> bool {
    let mut parts = text.split('.');
    let ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok && text.contains('.')
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(v: &[&str]) -> Vec<Cell> {
        v.iter().map(|s| Cell::Text(s.to_string())).collect()
    }

    #[test]
    fn finds_header_and_version() {
        let m = Mapping::default_table();
        assert!(
            Header::detect(&m, None, 1, &cells(&["Avail", "AvailTrans", "AvailAsset"])).is_none()
        );
        let mut h = Header::detect(
            &m,
            Some("TV"),
            2,
            &cells(&["ALID", "Territory", "LicenseType", "BundleALIDs"]),
        )
        .unwrap();
        assert_eq!(h.column("bundledalids"), Some(3));
        assert_eq!(h.letter("Territory").as_deref(), Some("B"));
        assert!(h.absorb_comment_row(&m, &cells(&["1.8", "//REQ", "", "//Opt"])));
        assert_eq!(h.version.as_deref(), Some("1.8"));
        assert!(!h.absorb_comment_row(&m, &cells(&["x", "US", "EST"])));
        assert!(h.absorb_comment_row(&m, &cells(&["//REQ", "REQUIRED for pre-orders"])));
    }
}
