//! The EMA column → Avails API JSON mapping table.
//!
//! The table is data (`mappings/ema.toml`): [`Mapping::default_table`] is the
//! copy embedded at build time, [`Mapping::from_path`] loads a user's edited
//! copy. Loading checks the table so a typo fails early with its place.

use std::collections::BTreeMap;
use std::path::Path;

use avails_model::text::{quote, trim};
use avails_model::time::{is_time_of_day, UtcOffset, OFFSET_FORMS};
use avails_model::{BusinessLine, TermValueKind};
use serde::Deserialize;

mod accounting;
mod values;
mod versions;

pub use accounting::{ColumnStatus, IgnoredColumn};
pub use values::TermValue;
pub use versions::{ema_versions, export_layout, LayoutColumn, VersionColumns, VERSIONS_TOML};

/// The asset attribute that, when no row of a payload gives it, takes the
/// payload's ALID (the reference: `_contentID` "généralement identique à
/// ALID"); conversion reports it, export knows it comes back so.
pub const CONTENT_ID: &str = "_contentID";

/// The default table, embedded so `avails` works from any directory.
pub const DEFAULT_TOML: &str = include_str!("../../../mappings/ema.toml");

/// Errors loading a mapping table.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The file could not be read.
    #[error("cannot read mapping file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("mapping {origin}: {message}")]
    Parse {
        /// The file, or `built-in`.
        origin: String,
        /// What the TOML parser said.
        message: String,
    },
    /// The TOML parsed but says something impossible.
    #[error("mapping {origin}: {message}")]
    Invalid {
        /// The file, or `built-in`.
        origin: String,
        /// What is wrong and what is allowed.
        message: String,
    },
}

/// How a column's cell becomes JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Trimmed text.
    Text,
    /// A one-element array of text.
    TextList,
    /// A whole number.
    Integer,
    /// `{"Number": n}`.
    Sequence,
    /// `Full Extract` → `FullExtract`.
    EntryType,
    /// `[{"country": ..}]`.
    Countries,
    /// `[{"value": lang, "_asset"?: kind}, ..]`.
    Languages,
    /// `{"value": ..}`.
    Format,
    /// ISO 8601 date-time.
    Start,
    /// ISO 8601 date-time, `Open`, or `ESTStart`.
    End,
    /// `[{"BundledALID": ..}, ..]`.
    Bundle,
    /// `[{"_ecosystem": "DMA", "EcosystemID": ..}]`.
    Dma,
}

/// Which object of the payload a path starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
pub enum Level {
    /// The avail itself.
    Avail,
    /// The avail's single asset.
    Asset,
    /// The row's transaction.
    Transaction,
}

/// The LicenseType whose business line its ChannelIdentity decides.
const SVOD: &str = "SVOD";

/// One column of the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnRule {
    /// EMA column name (canonical, after aliases).
    pub name: String,
    /// `Avail.X`, `Asset.X` or `Transaction.X`, dots nesting objects.
    pub path: String,
    /// How the cell is converted.
    pub kind: ColumnKind,
    /// Only rows of these WorkTypes use this rule (all rows when empty).
    #[serde(default)]
    pub work_types: Vec<String>,
    /// Columns used, in order, when no row of a payload gives this one: a
    /// fallback applies to the whole payload, never to one row, so a blank
    /// cell never conflicts with a filled one.
    #[serde(default)]
    pub fallback: Vec<String>,
    /// Columns read instead when the sheet has no column of this name at
    /// all (EMA 1.6 has no ALID column: MovieLabs' translator reads AltID
    /// on a Movies tab, EpisodeAltID or SeasonAltID by WorkType on a TV
    /// tab): the first entry the sheet has is used.
    #[serde(default)]
    pub sheet_fallback: Vec<SheetFallback>,
    /// A sheet without this column (or a sheet fallback) cannot be converted.
    #[serde(default)]
    pub required: bool,
}

/// A column read in place of one a sheet lacks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum SheetFallback {
    /// `"AltID"`: this column, on every row.
    Column(String),
    /// `{ Episode = "EpisodeAltID", Season = "SeasonAltID" }`: by the row's
    /// WorkType; a row of another WorkType has no value. Used when the
    /// sheet has any of these columns.
    ByWorkType(BTreeMap<String, String>),
}

impl SheetFallback {
    /// The columns it reads.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Self::Column(c) => vec![c.as_str()],
            Self::ByWorkType(m) => m.values().map(String::as_str).collect(),
        }
    }

    /// The column a row of this WorkType reads, if any.
    pub fn column_for(&self, work_type: &str) -> Option<&str> {
        match self {
            Self::Column(c) => Some(c),
            Self::ByWorkType(m) => m
                .iter()
                .find(|(w, _)| w.eq_ignore_ascii_case(work_type.trim()))
                .map(|(_, c)| c.as_str()),
        }
    }

    /// Whether it reads the column `name` (case ignored).
    pub fn reads(&self, name: &str) -> bool {
        self.columns().iter().any(|c| c.eq_ignore_ascii_case(name))
    }

    /// How a reader says it: `AltID`, `EpisodeAltID on Episode rows, ...`.
    pub fn describe(&self) -> String {
        match self {
            Self::Column(c) => format!("`{c}`"),
            Self::ByWorkType(m) => m
                .iter()
                .map(|(w, c)| format!("`{c}` on {w} rows"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

impl ColumnRule {
    /// The sheet fallback a sheet uses for this rule: none when the sheet
    /// has the column itself, else the first entry whose column (any of
    /// them, for a by-WorkType entry) the sheet has. `has` says whether
    /// the sheet has a column (canonical name, case ignored).
    pub fn sheet_fallback_in(&self, has: impl Fn(&str) -> bool) -> Option<&SheetFallback> {
        if has(&self.name) {
            return None;
        }
        self.sheet_fallback
            .iter()
            .find(|f| f.columns().into_iter().any(&has))
    }

    /// The level the path starts in and the remaining segments.
    pub fn target(&self) -> (Level, Vec<&str>) {
        let mut parts = self.path.split('.');
        let level = match parts.next() {
            Some("Asset") => Level::Asset,
            Some("Transaction") => Level::Transaction,
            _ => Level::Avail,
        };
        (level, parts.collect())
    }

    /// Whether this rule applies to a row of this WorkType.
    pub fn applies_to(&self, work_type: &str) -> bool {
        self.work_types.is_empty()
            || self
                .work_types
                .iter()
                .any(|w| w.eq_ignore_ascii_case(work_type))
    }
}

/// One term of the table, from a column or from the price triple.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermRule {
    /// Term name (`_termName`); absent for the price entry.
    #[serde(default)]
    pub name: Option<String>,
    /// Column holding the value.
    #[serde(default)]
    pub column: Option<String>,
    /// Value kind: Text, Money, Event, Boolean, Duration, Number.
    #[serde(default)]
    pub value: Option<String>,
    /// This entry stands for the PriceType/PriceValue/PriceCurrency term.
    #[serde(default)]
    pub price: bool,
}

/// A PriceType's term.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTerm {
    /// Term name.
    pub term: String,
    /// Value kind.
    pub value: String,
}

/// The PriceType / PriceValue / PriceCurrency columns.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceRule {
    /// Column naming the price type.
    pub type_column: String,
    /// Column holding the price value.
    pub value_column: String,
    /// Column holding the ISO 4217 currency.
    pub currency_column: String,
    /// Value kind of a price type not listed.
    pub unknown_value: String,
    /// PriceType values meaning no price applies (no term).
    #[serde(default)]
    pub not_applicable: Vec<String>,
    /// PriceValue words meaning the price is not known yet.
    #[serde(default)]
    pub placeholders: Vec<String>,
    /// Known price types.
    pub types: BTreeMap<String, PriceTerm>,
}

impl PriceRule {
    /// Whether a PriceType says no price applies (`NA`).
    pub fn is_not_applicable(&self, price_type: &str) -> bool {
        let price_type = trim(price_type);
        self.not_applicable
            .iter()
            .any(|n| n.eq_ignore_ascii_case(price_type))
    }

    /// Whether a PriceValue is a placeholder (`TBD`).
    pub fn is_placeholder(&self, value: &str) -> bool {
        let value = trim(value);
        self.placeholders
            .iter()
            .any(|n| n.eq_ignore_ascii_case(value))
    }

    /// The term name and value kind for a PriceType cell.
    pub fn term_for(&self, price_type: &str) -> (String, TermValueKind) {
        let price_type = trim(price_type);
        let found = self
            .types
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(price_type));
        match found {
            Some((_, t)) => (
                t.term.clone(),
                kind_of(&t.value).unwrap_or(TermValueKind::Text),
            ),
            None => (
                price_type.to_string(),
                kind_of(&self.unknown_value).unwrap_or(TermValueKind::Text),
            ),
        }
    }
}

/// Header detection settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetRule {
    /// How many rows to search for the column-name row.
    pub search_rows: u32,
    /// How many marker names the column-name row must hold.
    pub min_markers: usize,
    /// Column names that identify the column-name row.
    pub markers: Vec<String>,
    /// Prefix of EMA comment cells and rows.
    pub comment_prefix: String,
    /// Only the workbook tabs with these names are read (empty: every tab);
    /// a name a workbook lacks is an error listing its tabs. Set by
    /// `avails --sheet NAME`; CSV files have no tabs and ignore it.
    #[serde(default)]
    pub only: Vec<String>,
}

impl SheetRule {
    /// Whether the tab `name` is to be read.
    pub fn selects(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|n| n == name)
    }

    /// The tab names of `only` that `tabs` lacks.
    pub fn missing<'a>(&'a self, tabs: &[String]) -> Vec<&'a str> {
        self.only
            .iter()
            .filter(|n| !tabs.contains(n))
            .map(String::as_str)
            .collect()
    }
}

/// Date settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRule {
    /// Offset appended to values without one (`""` keeps them local).
    pub default_offset: String,
    /// Time of a date-only Start or Event (`00:00:00`).
    pub start_of_day: String,
    /// Time of a date-only End (`23:59:59`: the window includes that day).
    pub end_of_day: String,
    /// Words EMA and MDDF allow in Start or End instead of a date
    /// (MDDF's `DateTimeCondition`), for messages that name them.
    pub conditions: Vec<String>,
    /// How to read a date written with slashes, as Excel writes them
    /// (`3/14/2023`, `14/03/2023`); none: such a date is an error that shows
    /// what it would be under each order (set by `avails --date-order`).
    #[serde(default)]
    pub order: Option<DateOrder>,
}

impl DateRule {
    /// What is wrong with the settings, if anything: the offset is appended
    /// to every date-time written and the times complete every date alone,
    /// so a typo would make every Start and End invalid.
    fn check(&self) -> Result<(), String> {
        let offset = &self.default_offset;
        if !offset.is_empty() && UtcOffset::parse_setting(offset).is_none() {
            return Err(format!(
                "[dates] default_offset {}: expected {OFFSET_FORMS}, or \"\" to keep date-times local",
                quote(offset)
            ));
        }
        for (key, time) in [
            ("start_of_day", &self.start_of_day),
            ("end_of_day", &self.end_of_day),
        ] {
            if !is_time_of_day(time) {
                return Err(format!(
                    "[dates] {key} {}: expected a time of day hh:mm:ss such as 00:00:00",
                    quote(time)
                ));
            }
        }
        Ok(())
    }
}

/// The order of month and day in a date written with slashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
pub enum DateOrder {
    /// Month, day, year (`3/14/2023`): what Excel writes in the US.
    #[serde(rename = "MDY", alias = "mdy")]
    Mdy,
    /// Day, month, year (`14/03/2023`): most other locales.
    #[serde(rename = "DMY", alias = "dmy")]
    Dmy,
}

impl DateOrder {
    /// `MDY` or `DMY`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mdy => "MDY",
            Self::Dmy => "DMY",
        }
    }

    /// In words, for messages: `month/day/year` or `day/month/year`.
    pub fn words(self) -> &'static str {
        match self {
            Self::Mdy => "month/day/year",
            Self::Dmy => "day/month/year",
        }
    }
}

impl std::str::FromStr for DateOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "MDY" => Ok(Self::Mdy),
            "DMY" => Ok(Self::Dmy),
            _ => Err(format!(
                "date order `{s}`: expected MDY (3/14/2023) or DMY (14/03/2023)"
            )),
        }
    }
}

/// The business-line rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessLineRule {
    /// Non-SVOD license types → business line.
    pub license_types: BTreeMap<String, String>,
    /// SVOD ChannelIdentity → business line.
    pub svod_channels: BTreeMap<String, String>,
    /// SVOD without a ChannelIdentity.
    pub svod_without_channel: String,
    /// SVOD with any other ChannelIdentity.
    pub svod_other_channel: String,
}

/// The whole table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Format version of the table.
    pub version: u32,
    /// Header detection.
    pub sheet: SheetRule,
    /// Date handling.
    pub dates: DateRule,
    /// Alternative header names → canonical names.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Header names that mean another column in a sheet without the
    /// column named by the key (EMA 1.6, without ALID: ContentID is the
    /// title's ID, TitleID), applied after [`Mapping::aliases`].
    #[serde(default)]
    pub aliases_without: BTreeMap<String, BTreeMap<String, String>>,
    /// Column rules, in output order.
    #[serde(rename = "column")]
    pub columns: Vec<ColumnRule>,
    /// Term rules, in output order.
    #[serde(rename = "term")]
    pub terms: Vec<TermRule>,
    /// The price triple.
    pub price: PriceRule,
    /// The business-line rule.
    pub business_line: BusinessLineRule,
    /// EMA columns known and deliberately not carried, with the reason.
    #[serde(default)]
    pub ignored: BTreeMap<String, IgnoredColumn>,
}

/// Parses a term value kind name (`YesNo` is a Text term).
pub fn kind_of(name: &str) -> Option<TermValueKind> {
    TermValue::parse(name).map(TermValue::kind)
}

impl Mapping {
    /// The embedded default table.
    pub fn default_table() -> Self {
        Self::from_toml(DEFAULT_TOML, "built-in").expect("the embedded mapping table is valid")
    }

    /// Every sheet column that can give the attribute at `path` (its
    /// columns and their fallbacks).
    pub fn columns_for<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.columns
            .iter()
            .filter(move |c| c.path == path)
            .flat_map(|c| std::iter::once(&c.name).chain(&c.fallback))
            .map(String::as_str)
    }

    /// Loads a table from a file.
    pub fn from_path(path: &Path) -> Result<Self, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Parses and checks a table.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, MappingError> {
        let mapping: Mapping = toml::from_str(text).map_err(|e| MappingError::Parse {
            origin: origin.to_string(),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        mapping.check(origin)?;
        Ok(mapping)
    }

    fn check(&self, origin: &str) -> Result<(), MappingError> {
        let invalid = |message: String| MappingError::Invalid {
            origin: origin.to_string(),
            message,
        };
        for c in &self.columns {
            if !["Avail.", "Asset.", "Transaction."]
                .iter()
                .any(|p| c.path.starts_with(p))
            {
                return Err(invalid(format!(
                    "column `{}`: path `{}` must start with Avail., Asset. or Transaction.",
                    c.name, c.path
                )));
            }
        }
        for t in &self.terms {
            if t.price {
                continue;
            }
            let (Some(name), Some(_), Some(value)) = (&t.name, &t.column, &t.value) else {
                return Err(invalid(
                    "every [[term]] needs name, column and value (or price = true)".into(),
                ));
            };
            if TermValue::parse(value).is_none() {
                return Err(invalid(format!(
                    "term `{name}`: value `{value}` is not one of {}",
                    TermValue::NAMES
                )));
            }
        }
        for p in self.price.types.values() {
            if kind_of(&p.value).is_none() {
                return Err(invalid(format!(
                    "price term `{}`: value `{}` is not a term value kind",
                    p.term, p.value
                )));
            }
        }
        let lines = self
            .business_line
            .license_types
            .values()
            .chain(self.business_line.svod_channels.values())
            .chain([
                &self.business_line.svod_without_channel,
                &self.business_line.svod_other_channel,
            ]);
        for line in lines {
            line.parse::<BusinessLine>()
                .map_err(|e| invalid(format!("[business_line]: {e}")))?;
        }
        self.dates.check().map_err(invalid)
    }

    /// The canonical name of a header cell (aliases resolved, trimmed).
    pub fn canonical_column<'a>(&'a self, header: &'a str) -> &'a str {
        let header = header.trim();
        self.aliases
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(header))
            .map(|(_, v)| v.as_str())
            .unwrap_or(header)
    }

    /// The spelling the business-line rule gives a LicenseType written in
    /// another case (`est` → `EST`, `svod` → `SVOD`), or `None` when the rule
    /// does not know it in any case.
    pub fn license_type_spelling(&self, written: &str) -> Option<&str> {
        let written = written.trim();
        if written.eq_ignore_ascii_case(SVOD) {
            return Some(SVOD);
        }
        self.business_line
            .license_types
            .keys()
            .find(|k| k.eq_ignore_ascii_case(written))
            .map(String::as_str)
    }

    /// The canonical name of a header cell in a sheet, `has` saying which
    /// canonical names the sheet has: [`Mapping::canonical_column`], then
    /// an [`Mapping::aliases_without`] entry if the sheet lacks its column.
    pub fn canonical_column_in_sheet<'a>(
        &'a self,
        header: &'a str,
        has: impl Fn(&str) -> bool,
    ) -> &'a str {
        let name = self.canonical_column(header);
        self.aliases_without
            .iter()
            .filter(|(missing, _)| !has(missing))
            .find_map(|(_, aliases)| {
                aliases
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str())
            })
            .unwrap_or(name)
    }

    /// The business line of a row from its LicenseType and ChannelIdentity.
    pub fn business_line(
        &self,
        license_type: &str,
        channel_identity: Option<&str>,
    ) -> Option<BusinessLine> {
        let rule = &self.business_line;
        let lt = license_type.trim();
        if lt.eq_ignore_ascii_case(SVOD) {
            let line = match channel_identity.map(str::trim).filter(|c| !c.is_empty()) {
                None => &rule.svod_without_channel,
                Some(c) => rule
                    .svod_channels
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(c))
                    .map(|(_, v)| v)
                    .unwrap_or(&rule.svod_other_channel),
            };
            return line.parse().ok();
        }
        rule.license_types
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(lt))
            .and_then(|(_, v)| v.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_loads() {
        let m = Mapping::default_table();
        assert!(m.columns.iter().any(|c| c.name == "ALID"));
        assert_eq!(m.canonical_column("BundleALIDs"), "BundledALIDs");
    }

    #[test]
    fn business_line_rule_matches_model_default() {
        let m = Mapping::default_table();
        for (lt, ch) in [
            ("EST", None),
            ("VOD", None),
            ("POEST", None),
            ("FVOD", Some("FVOD")),
            ("SVOD", None),
            ("SVOD", Some("prime")),
            ("SVOD", Some("A4K")),
            ("SVOD", Some("FVOD")),
            ("SVOD", Some("mgm_plus_subscription")),
            ("Rental", None),
        ] {
            assert_eq!(
                m.business_line(lt, ch),
                BusinessLine::infer(lt, ch),
                "{lt} {ch:?}"
            );
        }
    }

    #[test]
    fn typo_in_table_is_reported_with_origin() {
        let bad = DEFAULT_TOML.replace("value = \"Duration\"", "value = \"Hours\"");
        let err = Mapping::from_toml(&bad, "my.toml").unwrap_err().to_string();
        assert!(err.contains("my.toml") && err.contains("Hours"), "{err}");
    }

    #[test]
    fn date_settings_are_checked_when_the_table_loads() {
        for (from, to, said) in [
            (
                "default_offset = \"\"",
                "default_offset = \"+2\"",
                "[dates] default_offset `+2`: expected Z or an offset such as +02:00, or \"\" to keep date-times local",
            ),
            (
                "default_offset = \"\"",
                "default_offset = \"UTC\"",
                "[dates] default_offset `UTC`",
            ),
            (
                "default_offset = \"\"",
                "default_offset = \"+24:00\"",
                "[dates] default_offset `+24:00`",
            ),
            (
                "end_of_day = \"23:59:59\"",
                "end_of_day = \"23:59\"",
                "[dates] end_of_day `23:59`: expected a time of day hh:mm:ss",
            ),
        ] {
            assert!(DEFAULT_TOML.contains(from), "{from}");
            let bad = DEFAULT_TOML.replace(from, to);
            let err = Mapping::from_toml(&bad, "my.toml").unwrap_err().to_string();
            assert!(err.starts_with("mapping my.toml: ") && err.contains(said), "{to}: {err}");
        }
        for good in ["Z", "+02:00", "-05:30", ""] {
            let ok = DEFAULT_TOML.replace(
                "default_offset = \"\"",
                &format!("default_offset = \"{good}\""),
            );
            let m = Mapping::from_toml(&ok, "my.toml").unwrap();
            assert_eq!(m.dates.default_offset, good);
        }
    }

    #[test]
    fn unknown_key_is_rejected() {
        let bad = format!("{DEFAULT_TOML}\n[extra]\nx = 1\n");
        assert!(Mapping::from_toml(&bad, "x.toml").is_err());
    }

    #[test]
    fn unknown_price_type_becomes_text_term_of_that_name() {
        let m = Mapping::default_table();
        assert_eq!(
            m.price.term_for("LicenseFee"),
            ("LicenseFee".into(), TermValueKind::Text)
        );
        assert_eq!(
            m.price.term_for("wsp"),
            ("WSP".into(), TermValueKind::Money)
        );
    }
}
