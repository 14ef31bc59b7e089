//! Which columns each EMA Avails version's template defines
//! (`mappings/ema-versions.toml`): what `--explain` must never call unknown.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The table, embedded.
pub const VERSIONS_TOML: &str = include_str!("../../../mappings/ema-versions.toml");

/// The columns of one version's template (one tab, or all tabs from 1.8).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionColumns {
    /// The columns MovieLabs' validator or mapping table lists.
    pub columns: Vec<String>,
    /// Columns of the template those lists leave out.
    #[serde(default)]
    pub extra: Vec<String>,
}

impl VersionColumns {
    /// Every column the version defines.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().chain(&self.extra).map(String::as_str)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    versions: BTreeMap<String, VersionColumns>,
}

/// Each version and tab (`1.6 TV`, `1.9 AllAvails`) → its columns.
pub fn ema_versions() -> BTreeMap<String, VersionColumns> {
    toml::from_str::<Table>(VERSIONS_TOML)
        .expect("the embedded EMA versions table is valid")
        .versions
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
}
