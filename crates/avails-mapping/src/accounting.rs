//! Column accounting: every header of a sheet is mapped, known and ignored
//! with a reason, or unknown (and then the nearest known name is offered).

use avails_model::Severity;
use serde::{Deserialize, Serialize};

use crate::{Mapping, SheetFallback};

/// A known EMA column the table deliberately does not carry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum IgnoredColumn {
    /// `Column = "why"`: reported once per sheet when it holds values.
    Reason(String),
    /// `Column = { reason = "why", each_cell = true }`: reported at every
    /// cell that holds a value (free text a reader may expect to be sent).
    Detailed {
        /// Why it is not carried.
        reason: String,
        /// Report every non-empty cell, not only the column.
        #[serde(default)]
        each_cell: bool,
        /// `error` rejects the row: its window cannot be sent with its meaning.
        #[serde(default = "warning")]
        severity: Severity,
        /// Cell values that say nothing worth reporting (`No`).
        #[serde(default)]
        quiet_values: Vec<String>,
    },
}

fn warning() -> Severity {
    Severity::Warning
}

impl IgnoredColumn {
    /// Why the column is not carried.
    pub fn reason(&self) -> &str {
        match self {
            Self::Reason(r) | Self::Detailed { reason: r, .. } => r,
        }
    }

    /// Whether every non-empty cell is reported.
    pub fn each_cell(&self) -> bool {
        matches!(
            self,
            Self::Detailed {
                each_cell: true,
                ..
            }
        )
    }

    /// How a cell of this column is reported.
    pub fn severity(&self) -> Severity {
        match self {
            Self::Reason(_) => Severity::Warning,
            Self::Detailed { severity, .. } => *severity,
        }
    }

    /// Whether a cell value is one of the quiet values (case ignored).
    pub fn is_quiet(&self, value: &str) -> bool {
        match self {
            Self::Reason(_) => false,
            Self::Detailed { quiet_values, .. } => quiet_values
                .iter()
                .any(|q| q.eq_ignore_ascii_case(value.trim())),
        }
    }
}

/// What the table does with a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum ColumnStatus {
    /// Carried into the payload, at these JSON paths.
    Mapped {
        /// Where its values go (`Transaction.End`, `Terms[SRP]`, ...).
        targets: Vec<String>,
    },
    /// Known and not carried.
    Ignored {
        /// Why.
        reason: String,
    },
    /// Not an EMA column the table knows.
    Unknown {
        /// The known column whose name is closest, if any is close.
        #[serde(skip_serializing_if = "Option::is_none")]
        nearest: Option<String>,
    },
    /// A blank header cell.
    Blank,
}

impl Mapping {
    /// What the table does with a header (aliases resolved, case ignored).
    pub fn column_status(&self, header: &str) -> ColumnStatus {
        let name = self.canonical_column(header);
        if name.is_empty() {
            return ColumnStatus::Blank;
        }
        let targets = self.targets_of(name, false);
        if !targets.is_empty() {
            return ColumnStatus::Mapped { targets };
        }
        if let Some(ignored) = self.ignored_column(header) {
            return ColumnStatus::Ignored {
                reason: ignored.reason().to_string(),
            };
        }
        // Read only in place of a column a sheet lacks, and not listed as
        // ignored otherwise.
        let targets = self.targets_of(name, true);
        if !targets.is_empty() {
            return ColumnStatus::Mapped { targets };
        }
        ColumnStatus::Unknown {
            nearest: self.nearest_known(name),
        }
    }

    /// What the table does with a header in one sheet, `has` saying which
    /// canonical column names the sheet has: a column read in place of a
    /// missing one (a sheet fallback: AltID for EMA 1.6's missing ALID) is
    /// mapped in a sheet that lacks that column; elsewhere it has its
    /// [`column_status`](Self::column_status) (AltID: ignored).
    pub fn column_status_in_sheet(&self, header: &str, has: impl Fn(&str) -> bool) -> ColumnStatus {
        // EMA 1.6's ContentID is a TitleID: what the header means here.
        let header = self.canonical_column_in_sheet(header, &has);
        let name = self.canonical_column(header);
        let mut targets: Vec<String> = Vec::new();
        for c in &self.columns {
            match c.sheet_fallback_in(&has) {
                Some(SheetFallback::Column(f)) if f.eq_ignore_ascii_case(name) => {
                    targets.push(format!("{} (the sheet has no {} column)", c.path, c.name))
                }
                Some(SheetFallback::ByWorkType(m)) => {
                    for (work_type, f) in m {
                        if f.eq_ignore_ascii_case(name) {
                            targets.push(format!(
                                "{} on {work_type} rows (the sheet has no {} column)",
                                c.path, c.name
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        if !targets.is_empty() {
            // What else it feeds in any sheet (AvailID: the TransactionID).
            if let ColumnStatus::Mapped { targets: more } = self.column_status(header) {
                targets.extend(more.into_iter().filter(|t| !t.contains("the sheet has no")));
            }
            targets.dedup();
            return ColumnStatus::Mapped { targets };
        }
        self.column_status(header)
    }

    /// The ignored-column entry of a header, if it has one: its own, else
    /// a `Prefix*` entry whose prefix it starts with, followed by a column
    /// name the table knows (`RefTerritory` for `Ref*`).
    pub fn ignored_column(&self, header: &str) -> Option<&IgnoredColumn> {
        let name = self.canonical_column(header);
        if let Some((_, v)) = self
            .ignored
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            return Some(v);
        }
        self.ignored.iter().find_map(|(k, v)| {
            let prefix = k.strip_suffix('*')?;
            let starts = name
                .get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix));
            let rest = name
                .get(prefix.len()..)
                .filter(|r| starts && !r.is_empty())?;
            self.is_known(self.canonical_column(rest)).then_some(v)
        })
    }

    /// Whether the table knows a column name (as [`Mapping::known_columns`]
    /// lists them), without building that list.
    fn is_known(&self, name: &str) -> bool {
        let is = |c: &str| c.eq_ignore_ascii_case(name);
        self.columns.iter().any(|c| {
            is(&c.name)
                || c.fallback.iter().any(|f| is(f))
                || c.sheet_fallback.iter().any(|f| f.reads(name))
        }) || self
            .terms
            .iter()
            .any(|t| t.column.as_deref().is_some_and(is))
            || is(&self.price.type_column)
            || is(&self.price.value_column)
            || is(&self.price.currency_column)
            || self.ignored.keys().any(|k| !k.ends_with('*') && is(k))
    }

    /// What `avails convert --explain` says of a header in one sheet:
    /// [`column_status_in_sheet`](Self::column_status_in_sheet), except that
    /// a column that only feeds terms `supported` refuses is not mapped:
    /// every value of it is left out of the payload (CV014 at each cell).
    pub fn explain_column(
        &self,
        header: &str,
        has: impl Fn(&str) -> bool,
        supported: impl Fn(&str) -> bool,
    ) -> ColumnStatus {
        let status = self.column_status_in_sheet(header, has);
        let ColumnStatus::Mapped { targets } = &status else {
            return status;
        };
        let left_out: Vec<&str> = targets
            .iter()
            .filter_map(|t| {
                t.strip_prefix("Transaction.Terms[")?
                    .strip_suffix(']')
                    .filter(|term| *term != "PriceType" && *term != "*")
            })
            .filter(|term| !supported(term))
            .collect();
        if left_out.is_empty() || left_out.len() != targets.len() {
            return status;
        }
        ColumnStatus::Ignored {
            reason: format!(
                "read as the term {}, which Prime Video does not process (its Supported Terms): each value is left out of the payload, with a warning at its cell",
                left_out.join(", ")
            ),
        }
    }

    /// The JSON paths a canonical column feeds (`sheet_fallbacks`: also
    /// where it is read in place of a column a sheet lacks).
    fn targets_of(&self, name: &str, sheet_fallbacks: bool) -> Vec<String> {
        let is = |c: &str| c.eq_ignore_ascii_case(name);
        let mut targets: Vec<String> = Vec::new();
        let mut push = |t: String| {
            if !targets.contains(&t) {
                targets.push(t);
            }
        };
        for c in &self.columns {
            if is(&c.name) {
                push(c.path.clone());
            }
            if c.fallback.iter().any(|f| is(f)) {
                push(format!("{} (when no row gives {})", c.path, c.name));
            }
            if sheet_fallbacks && c.sheet_fallback.iter().any(|f| f.reads(name)) {
                push(format!(
                    "{} (when the sheet has no {} column)",
                    c.path, c.name
                ));
            }
        }
        for t in &self.terms {
            if let (Some(col), Some(term)) = (&t.column, &t.name) {
                if is(col) {
                    push(format!("Transaction.Terms[{term}]"));
                }
            }
        }
        let p = &self.price;
        if is(&p.type_column) || is(&p.value_column) || is(&p.currency_column) {
            push("Transaction.Terms[PriceType]".to_string());
        }
        if is(&p.currency_column) {
            push("Transaction.Terms[*].Money._currency".to_string());
        }
        targets
    }

    /// Every column name the table knows (mapped, fallback or ignored).
    pub fn known_columns(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for c in &self.columns {
            names.push(&c.name);
            names.extend(c.fallback.iter().map(String::as_str));
            names.extend(c.sheet_fallback.iter().flat_map(SheetFallback::columns));
        }
        names.extend(self.terms.iter().filter_map(|t| t.column.as_deref()));
        names.extend([
            self.price.type_column.as_str(),
            self.price.value_column.as_str(),
            self.price.currency_column.as_str(),
        ]);
        names.extend(
            self.ignored
                .keys()
                .map(String::as_str)
                .filter(|k| !k.ends_with('*')),
        );
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The known column closest to `name`, when it is close enough to be
    /// a typo of it (`End Date` → `End`, `Teritory` → `Territory`).
    pub fn nearest_known(&self, name: &str) -> Option<String> {
        let squeeze = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        // No EMA column name is this long: nothing is near it (and the
        // distance below would cost the product of the lengths).
        const LONGEST: usize = 64;
        if name.len() > LONGEST * 4 {
            return None;
        }
        let wanted = squeeze(name);
        if wanted.is_empty() || wanted.chars().count() > LONGEST {
            return None;
        }
        let mut best: Option<(usize, &str)> = None;
        for known in self.known_columns() {
            let k = squeeze(known);
            let limit = (k.len().max(wanted.len()) / 4).max(1);
            if k.len().abs_diff(wanted.len()) > limit && !wanted.starts_with(&k) {
                continue;
            }
            let mut d = edit_distance(&wanted, &k);
            // `End Date`, `Start date (UTC)`: a known name plus a qualifier.
            if k.len() >= 3 && wanted.starts_with(&k) {
                d = d.min(1);
            }
            if d <= limit && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, known));
            }
        }
        best.map(|(_, k)| k.to_string())
    }
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("territory", "teritory"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("end", "end"), 0);
    }

    #[test]
    fn typos_and_qualified_names_find_their_column() {
        let m = Mapping::default_table();
        assert_eq!(m.nearest_known("End Date").as_deref(), Some("End"));
        assert_eq!(m.nearest_known("Teritory").as_deref(), Some("Territory"));
        assert_eq!(
            m.nearest_known("Licence Type").as_deref(),
            Some("LicenseType")
        );
        assert_eq!(m.nearest_known("Zorglub"), None);
        assert_eq!(m.nearest_known("I"), None);
    }

    #[test]
    fn a_sheet_fallback_is_read_only_where_its_column_is_missing() {
        let m = Mapping::default_table();
        // EMA 1.6: no ALID column, AltID stands in for it.
        assert!(matches!(
            m.column_status_in_sheet("AltID", |n| n != "ALID"),
            ColumnStatus::Mapped { .. }
        ));
        // EMA 1.7+: the sheet has ALID, so AltID is not read.
        assert!(matches!(
            m.column_status_in_sheet("AltID", |_| true),
            ColumnStatus::Ignored { .. }
        ));
        // Without a sheet, what most sheets do: not read (its reason says
        // when it is).
        assert!(matches!(
            m.column_status("AltID"),
            ColumnStatus::Ignored { .. }
        ));
        // A column read anyway keeps its status.
        assert!(matches!(
            m.column_status_in_sheet("ContentID", |_| true),
            ColumnStatus::Mapped { .. }
        ));
    }

    #[test]
    fn an_ema_1_6_sheet_reads_the_alid_from_the_first_fallback_it_has() {
        let m = Mapping::default_table();
        let targets = |header: &str, has: &dyn Fn(&str) -> bool| match m
            .column_status_in_sheet(header, has)
        {
            ColumnStatus::Mapped { targets } => targets,
            other => panic!("{header}: {other:?}"),
        };
        // 1.6 Movies: AltID is the ALID; AvailID only the TransactionID.
        let movies = |n: &str| !n.eq_ignore_ascii_case("ALID");
        assert_eq!(
            targets("AltID", &movies),
            ["Avail.ALID (the sheet has no ALID column)"]
        );
        assert_eq!(targets("AvailID", &movies), ["Transaction._TransactionID"]);
        // 1.6 TV: no AltID either; EpisodeAltID and SeasonAltID by WorkType.
        let tv = |n: &str| !["ALID", "AltID"].iter().any(|x| x.eq_ignore_ascii_case(n));
        assert_eq!(
            targets("EpisodeAltID", &tv),
            ["Avail.ALID on Episode rows (the sheet has no ALID column)"]
        );
        assert_eq!(
            targets("SeasonAltID", &tv),
            ["Avail.ALID on Season rows (the sheet has no ALID column)"]
        );
        assert_eq!(targets("AvailID", &tv), ["Transaction._TransactionID"]);
        // None of them: AvailID is the title too.
        let bare = |n: &str| {
            !["ALID", "AltID", "EpisodeAltID", "SeasonAltID"]
                .iter()
                .any(|x| x.eq_ignore_ascii_case(n))
        };
        assert_eq!(
            targets("AvailID", &bare),
            [
                "Avail.ALID (the sheet has no ALID column)",
                "Transaction._TransactionID"
            ]
        );
        // 1.6's ContentID is the title's ID (MovieLabs: TitleID), not sent;
        // 1.7+'s is the asset's content ID.
        assert!(matches!(
            m.column_status_in_sheet("ContentID", movies),
            ColumnStatus::Ignored { .. }
        ));
        assert_eq!(targets("ContentID", &|_: &str| true), ["Asset._contentID"]);
        // 1.7+: EpisodeAltID is an identifier the API has no place for.
        assert!(matches!(
            m.column_status_in_sheet("EpisodeAltID", |_| true),
            ColumnStatus::Ignored { .. }
        ));
    }

    #[test]
    fn every_header_has_a_status() {
        let m = Mapping::default_table();
        assert!(matches!(
            m.column_status("End"),
            ColumnStatus::Mapped { .. }
        ));
        assert!(matches!(
            m.column_status("BundleALIDs"),
            ColumnStatus::Mapped { .. }
        ));
        assert!(matches!(
            m.column_status("RatingValue"),
            ColumnStatus::Ignored { .. }
        ));
        assert_eq!(
            m.column_status("End Date"),
            ColumnStatus::Unknown {
                nearest: Some("End".into())
            }
        );
        assert_eq!(m.column_status("  "), ColumnStatus::Blank);
    }
}
