//! The plan of a sheet: which column feeds which payload path, which
//! columns are known but not carried, which are unknown, and which required
//! columns are missing. Built once per header; the row mapper follows it.

use std::sync::Arc;

use avails_mapping::{
    ColumnKind, ColumnStatus, IgnoredColumn, Level, Mapping, SheetFallback, TermValue,
};
use avails_model::location::column_letter;

use crate::Header;

/// One mapped path and the rules that may feed it, by WorkType.
#[derive(Debug)]
pub(crate) struct PathPlan {
    /// Which object the path starts in.
    pub level: Level,
    /// The path's segments below that object.
    pub segments: Arc<Vec<String>>,
    /// The rules for this path, in table order: the last that applies to a
    /// row's WorkType is used.
    pub rules: Vec<RulePlan>,
}

/// One rule of a path, resolved against the sheet's columns.
#[derive(Debug)]
pub(crate) struct RulePlan {
    /// Its index in the mapping table.
    pub rule: usize,
    /// How the cell is converted.
    pub kind: ColumnKind,
    /// The column it reads (or its sheet fallback), if the sheet has it.
    pub column: Option<usize>,
    /// Group-level fallback columns the sheet has, with their rank in the
    /// rule's list (1 for the first fallback): the same rank in every sheet.
    pub fallbacks: Vec<(usize, u8)>,
}

/// A term read from a column, or the price triple.
#[derive(Debug)]
pub(crate) enum TermPlan {
    /// `_termName` from a column of this value type.
    Column {
        /// Term name.
        name: String,
        /// Column index.
        index: usize,
        /// Value type.
        value: TermValue,
    },
    /// PriceType / PriceValue / PriceCurrency.
    Price,
}

/// Why a column is watched and reported once per sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Watch {
    /// Known and not carried.
    Ignored(String),
    /// Not known; the nearest known name, if any.
    Unknown(Option<String>),
    /// No header, but values below.
    Blank,
    /// A second column with a header already read.
    Duplicate(String),
}

/// A column reported once per sheet if any cell below its header holds a value.
#[derive(Debug)]
pub(crate) struct Watched {
    /// Column index.
    pub index: usize,
    /// Its header as written.
    pub header: String,
    /// Why it is watched.
    pub watch: Watch,
    /// Cells with a value so far.
    pub filled: usize,
    /// The first row with a value.
    pub first_row: Option<u32>,
}

/// A column whose every non-empty cell is reported.
#[derive(Debug)]
pub(crate) struct EachCell {
    /// Column index.
    pub index: usize,
    /// The mapping's entry.
    pub ignored: IgnoredColumn,
}

/// Columns the grouping key is read from, whatever else fails in a row.
#[derive(Debug, Default)]
pub(crate) struct KeyColumns {
    pub alid: Option<usize>,
    pub territory: Option<usize>,
    pub license_type: Option<usize>,
    pub channel: Option<usize>,
    pub entry_type: Option<usize>,
    pub work_type: Option<usize>,
}

/// The plan of one sheet.
#[derive(Debug)]
pub(crate) struct SheetPlan {
    pub paths: Vec<PathPlan>,
    pub terms: Vec<TermPlan>,
    pub key: KeyColumns,
    pub price_type: Option<usize>,
    pub price_value: Option<usize>,
    pub currency: Option<usize>,
    pub start_lag: Option<usize>,
    pub end_lag: Option<usize>,
    pub each_cell: Vec<EachCell>,
    pub watched: Vec<Watched>,
    /// Required columns the sheet lacks (canonical names).
    pub missing: Vec<String>,
    /// Columns read in place of a missing one: (missing, read instead).
    pub sheet_fallbacks: Vec<(String, String)>,
    /// A column read, row by row, from another column chosen by the row's
    /// WorkType (EMA 1.6 TV: the ALID from EpisodeAltID or SeasonAltID).
    pub by_work_type: Option<ByWorkType>,
    /// Required columns present (by index), whose cells must not be blank.
    pub required: Vec<usize>,
}

/// A missing column read, row by row, from the column its WorkType names.
/// The rules read it at `index`, past every column of the sheet, where the
/// row mapper puts the chosen cell.
#[derive(Debug)]
pub(crate) struct ByWorkType {
    /// The missing column (canonical name).
    pub missing: String,
    /// Where the rules read it.
    pub index: usize,
    /// WorkType → (column name, its index), for the columns the sheet has.
    pub columns: Vec<(String, String, usize)>,
    /// WorkTypes whose column the sheet lacks, with that column's name.
    pub absent: Vec<(String, String)>,
}

impl ByWorkType {
    /// The column a row of this WorkType reads: `Ok` with the column's
    /// name and index, `Err` with the column's name when the sheet lacks
    /// it, `Err(None)` when the WorkType has no column.
    pub fn column_for(&self, work_type: &str) -> Result<(&str, usize), Option<&str>> {
        let work_type = work_type.trim();
        if let Some((_, name, i)) = self
            .columns
            .iter()
            .find(|(w, _, _)| w.eq_ignore_ascii_case(work_type))
        {
            return Ok((name, *i));
        }
        Err(self
            .absent
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(work_type))
            .map(|(_, c)| c.as_str()))
    }
}

impl SheetPlan {
    /// Plans a sheet from its header.
    pub fn new(mapping: &Mapping, header: &Header) -> Self {
        let mut sheet_fallbacks = Vec::new();
        let mut missing = Vec::new();
        let mut required = Vec::new();
        let mut by_work_type: Option<ByWorkType> = None;
        // Past every column of the sheet: where a by-WorkType column is read.
        let past = header.raw.len().max(header.names.len());
        let has = |n: &str| header.column(n).is_some();
        // The column of a rule: its own, else its sheet fallback.
        let mut column_of = |c: &avails_mapping::ColumnRule| {
            let (name, is_required) = (c.name.as_str(), c.required);
            let found = match c.sheet_fallback_in(has) {
                None => header.column(name),
                Some(SheetFallback::Column(f)) => {
                    let pair = (name.to_string(), f.clone());
                    if !sheet_fallbacks.contains(&pair) {
                        sheet_fallbacks.push(pair);
                    }
                    header.column(f)
                }
                Some(SheetFallback::ByWorkType(m)) => match &by_work_type {
                    Some(b) if b.missing.eq_ignore_ascii_case(name) => Some(b.index),
                    Some(_) => None, // one such column per sheet
                    None => {
                        let (mut columns, mut absent) = (Vec::new(), Vec::new());
                        for (w, f) in m {
                            match header.column(f) {
                                Some(i) => columns.push((w.clone(), f.clone(), i)),
                                None => absent.push((w.clone(), f.clone())),
                            }
                        }
                        by_work_type = Some(ByWorkType {
                            missing: name.to_string(),
                            index: past,
                            columns,
                            absent,
                        });
                        Some(past)
                    }
                },
            };
            match found {
                Some(i) if is_required && !required.contains(&i) => required.push(i),
                None if is_required && !missing.iter().any(|m| m == name) => {
                    missing.push(name.to_string())
                }
                _ => {}
            }
            found
        };
        let mut paths: Vec<PathPlan> = Vec::new();
        for (rule, c) in mapping.columns.iter().enumerate() {
            let (level, segments) = c.target();
            let plan = RulePlan {
                rule,
                kind: c.kind,
                column: column_of(c),
                fallbacks: c
                    .fallback
                    .iter()
                    .enumerate()
                    .filter_map(|(k, f)| Some((header.column(f)?, k as u8 + 1)))
                    .collect(),
            };
            match paths
                .iter_mut()
                .find(|p| p.level == level && p.segments.iter().eq(segments.iter()))
            {
                Some(p) => p.rules.push(plan),
                None => paths.push(PathPlan {
                    level,
                    segments: Arc::new(segments.iter().map(|s| s.to_string()).collect()),
                    rules: vec![plan],
                }),
            }
        }
        let terms = mapping
            .terms
            .iter()
            .filter_map(|t| {
                if t.price {
                    return Some(TermPlan::Price);
                }
                Some(TermPlan::Column {
                    name: t.name.clone()?,
                    index: header.column(t.column.as_deref()?)?,
                    value: TermValue::parse(t.value.as_deref()?)?,
                })
            })
            .collect();
        let rule_column = |path: &str| {
            paths
                .iter()
                .flat_map(|p| &p.rules)
                .find(|r| mapping.columns[r.rule].path == path)
                .and_then(|r| r.column)
        };
        let channel = mapping
            .terms
            .iter()
            .find(|t| {
                t.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case("ChannelIdentity"))
            })
            .and_then(|t| header.column(t.column.as_deref()?));
        let key = KeyColumns {
            alid: rule_column("Avail.ALID"),
            territory: rule_column("Transaction.Territory"),
            license_type: rule_column("Transaction.LicenseType"),
            channel,
            entry_type: rule_column("Avail.Disposition.EntryType"),
            work_type: rule_column("Asset.WorkType"),
        };
        let mut plan = Self {
            paths,
            terms,
            key,
            price_type: header.column(&mapping.price.type_column),
            price_value: header.column(&mapping.price.value_column),
            currency: header.column(&mapping.price.currency_column),
            start_lag: header.column("StartLag"),
            end_lag: header.column("EndLag"),
            each_cell: Vec::new(),
            watched: Vec::new(),
            missing,
            sheet_fallbacks,
            by_work_type,
            required,
        };
        plan.account(mapping, header);
        plan
    }

    /// Sorts every header into read, reported per cell, or watched.
    fn account(&mut self, mapping: &Mapping, header: &Header) {
        for (index, raw) in header.raw.iter().enumerate() {
            let canonical = header.names.get(index).map(String::as_str).unwrap_or("");
            let first = !canonical.is_empty() && header.column(canonical) == Some(index);
            let watch = match mapping.column_status_in_sheet(raw, |n| header.column(n).is_some()) {
                ColumnStatus::Blank => Some(Watch::Blank),
                _ if !first => Some(Watch::Duplicate(column_letter(
                    header.column(canonical).unwrap_or(index),
                ))),
                ColumnStatus::Mapped { .. } => None,
                ColumnStatus::Ignored { reason } => match mapping.ignored_column(raw) {
                    Some(ignored) if ignored.each_cell() => {
                        self.each_cell.push(EachCell {
                            index,
                            ignored: ignored.clone(),
                        });
                        None
                    }
                    _ => Some(Watch::Ignored(reason)),
                },
                ColumnStatus::Unknown { nearest } => Some(Watch::Unknown(nearest)),
            };
            if let Some(watch) = watch {
                self.watched.push(Watched {
                    index,
                    header: raw.trim().to_string(),
                    watch,
                    filled: 0,
                    first_row: None,
                });
            }
        }
    }
}
