//! Which columns each EMA Avails version's template defines, and the layouts
//! `avails export` writes (`mappings/ema-versions.toml`): what `--explain`
//! must never call unknown, and the order, sections and comment row of an
//! exported sheet. One table, so a template's columns and the layout of the
//! same version cannot drift apart.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

/// The table, embedded.
pub const VERSIONS_TOML: &str = include_str!("../../../mappings/ema-versions.toml");

/// The columns of one version's template (one tab, or all tabs from 1.8).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionColumns {
    /// The columns MovieLabs' validator or mapping table lists (those of
    /// `layout` when the entry names one).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Columns of the template those lists leave out.
    #[serde(default)]
    pub extra: Vec<String>,
    /// The layout (of this table's `[layouts]`) whose columns are this
    /// template's, instead of a `columns` list.
    #[serde(default)]
    pub layout: Option<String>,
}

impl VersionColumns {
    /// Every column the version defines.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().chain(&self.extra).map(String::as_str)
    }
}

/// One column of an exported sheet's layout.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutColumn {
    /// Row 1: the EMA section (`Avail`, `AvailAsset`, `AvailTrans`, ...).
    pub section: String,
    /// Row 2: the column name, as that version spells it.
    pub name: String,
    /// Row 3: the comment (`//REQ`, `//Opt`, ...).
    pub comment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layout {
    columns: Vec<LayoutColumn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    versions: BTreeMap<String, VersionColumns>,
    layouts: BTreeMap<String, Layout>,
}

/// The embedded table, parsed once, each `layout = ...` resolved to its
/// layout's columns.
static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut table: Table =
        toml::from_str(VERSIONS_TOML).expect("the embedded EMA versions table is valid");
    for (key, version) in &mut table.versions {
        if let Some(name) = &version.layout {
            let layout = table
                .layouts
                .get(name)
                .unwrap_or_else(|| panic!("{key}: the embedded table has no layout {name}"));
            version
                .columns
                .extend(layout.columns.iter().map(|c| c.name.clone()));
        }
    }
    table
});

/// Each version and tab (`1.6 TV`, `1.9 AllAvails`) → its columns.
pub fn ema_versions() -> BTreeMap<String, VersionColumns> {
    TABLE.versions.clone()
}

/// The layout `avails export` writes for an EMA version (`1.7`, `1.8`), in
/// column order; `None` for a version the table has no layout for.
pub fn export_layout(version: &str) -> Option<&'static [LayoutColumn]> {
    TABLE.layouts.get(version).map(|l| l.columns.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ColumnStatus, Mapping};

    #[test]
    fn every_version_from_1_6_to_1_9_is_listed() {
        let v = ema_versions();
        for key in [
            "1.6 Movies",
            "1.6 TV",
            "1.7.2 TV",
            "1.8 AllAvails",
            "1.9 AllAvails",
        ] {
            assert!(v.contains_key(key), "{key}");
        }
        // MovieLabs' EMASpec16TV: 58 columns, the ExceptionsFlag typo.
        assert_eq!(v["1.6 TV"].columns.len(), 58);
        assert!(v["1.6 TV"].all().any(|c| c == "ExceptionsFlag"));
    }

    #[test]
    fn no_column_a_version_defines_is_unknown_to_the_table() {
        // In the sheets each version makes: a 1.6 sheet has no ALID column
        // (and a 1.6 TV sheet no AltID).
        let m = Mapping::default_table();
        let mut unknown = Vec::new();
        for (version, columns) in ema_versions() {
            let names: Vec<&str> = columns.all().collect();
            let has = |n: &str| {
                names
                    .iter()
                    .any(|c| m.canonical_column(c).eq_ignore_ascii_case(n))
            };
            for c in columns.all() {
                let status = m.explain_column(c, has, |_| true);
                if matches!(status, ColumnStatus::Unknown { .. } | ColumnStatus::Blank) {
                    unknown.push(format!("{version}: {c}"));
                }
            }
        }
        assert!(unknown.is_empty(), "{unknown:#?}");
    }

    #[test]
    fn a_1_9_bonus_tab_ref_column_is_known_and_a_lookalike_is_not() {
        let m = Mapping::default_table();
        for c in [
            "RefALID",
            "RefTerritory",
            "RefLicenseType",
            "RefFormatProfile",
            "RefStart",
        ] {
            assert!(
                matches!(m.column_status(c), ColumnStatus::Ignored { .. }),
                "{c}"
            );
        }
        for c in ["Reference", "Ref", "RefZorglub"] {
            assert!(
                matches!(m.column_status(c), ColumnStatus::Unknown { .. }),
                "{c}"
            );
        }
        assert!(matches!(
            m.column_status("VolumeDistributinoNumber"),
            ColumnStatus::Ignored { .. }
        ));
    }

    #[test]
    fn the_1_8_template_is_its_export_layout() {
        let v = ema_versions();
        let layout: Vec<&str> = export_layout("1.8")
            .unwrap()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let template: Vec<&str> = v["1.8 AllAvails"].all().collect();
        assert_eq!(template, layout);
        // Avails_noErrors_v2.3_v1.8.xlsx: 109 columns, ALID first, EntryType
        // the only one of section Disposition.
        assert_eq!(layout.len(), 109);
        assert_eq!(layout[0], "ALID");
    }

    #[test]
    fn every_layout_column_is_one_the_mapping_knows_once() {
        let m = Mapping::default_table();
        for version in ["1.7", "1.8"] {
            let layout = export_layout(version).unwrap();
            let mut seen = std::collections::BTreeSet::new();
            for c in layout {
                let canonical = m.canonical_column(&c.name).to_ascii_lowercase();
                assert!(seen.insert(canonical), "{version}: {} twice", c.name);
                assert!(
                    !matches!(m.column_status(&c.name), ColumnStatus::Unknown { .. }),
                    "{version}: {}",
                    c.name
                );
                assert!(c.comment.starts_with("//"), "{version}: {}", c.name);
            }
            let disposition: Vec<&str> = layout
                .iter()
                .filter(|c| c.section == "Disposition")
                .map(|c| c.name.as_str())
                .collect();
            assert_eq!(disposition, ["EntryType"], "{version}");
        }
        assert!(export_layout("1.6").is_none());
    }
}
