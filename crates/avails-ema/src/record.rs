//! Maps one EMA data row to the avail, asset and transaction it says, and
//! reports every cell that cannot keep its EMA meaning, at that cell.
//!
//! A row is never half-converted: any error finding rejects it (the caller
//! then holds back every payload the row could belong to, from its key).

use std::sync::Arc;

use avails_mapping::{ColumnKind, Level, Mapping, TermValue};
use avails_model::diagnostic::Code;
use avails_model::location::column_letter;
use avails_model::{
    AvailTrans, Diagnostic, EntryType, FormatProfile, Location, Money, Region, Severity, Term,
};
use serde_json::{json, Map, Value};

use crate::codes::{
    CV_CELL, CV_CONDITION, CV_DUPLICATE_COLUMN, CV_IGNORED_COLUMN, CV_MISSING_COLUMN,
    CV_PLACEHOLDER, CV_SHEET_FALLBACK, CV_UNKNOWN_COLUMN,
};
use crate::dates::DateRule;
use crate::plan::{PathPlan, SheetPlan, TermPlan, Watch, Watched};
use crate::values;
use crate::{Cell, Header};

/// An End cell that is not a date but is resolved after grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EndMarker {
    /// `ESTStart`: a pre-order ends when the matching EST window starts.
    EstStart,
}

/// What a row says about which payload it belongs to, read from its key
/// cells whatever else in the row fails.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowKey {
    /// The ALID cell.
    pub alid: Option<String>,
    /// The territory codes the Territory cell names (one when valid).
    pub territories: Vec<String>,
    /// The LicenseType cell.
    pub license_type: Option<String>,
    /// The channel (ChannelIdentity) cell.
    pub channel: Option<String>,
    /// The EntryType cell.
    pub entry_type: Option<EntryType>,
}

/// A value of a path that has fallbacks: resolved for the whole payload
/// (the first priority any row gives), never row by row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Candidate {
    /// The object the path starts in.
    pub level: Level,
    /// The path below it.
    pub segments: Arc<Vec<String>>,
    /// 0 for the column itself, 1.. for its fallbacks in order.
    pub priority: u8,
    /// The value.
    pub value: Value,
    /// The column it came from (canonical name) and its letter.
    pub column: String,
    /// The column letter.
    pub letter: String,
}

/// One converted row: the parts of the payload it contributes.
#[derive(Debug, Clone)]
pub struct RowRecord {
    /// Where the row is (file, sheet, row).
    pub location: Location,
    /// Which payload it belongs to.
    pub key: RowKey,
    /// Avail-level attributes (ALID, Disposition, Licensor, SharedEntitlement);
    /// shared with the previous row when its cells are the same.
    pub avail: Arc<Map<String, Value>>,
    /// The asset, shared like `avail`.
    pub asset: Arc<Map<String, Value>>,
    /// Values of paths with fallbacks, for the payload to resolve.
    pub candidates: Arc<Vec<Candidate>>,
    /// The row's transaction, terms included.
    pub transaction: AvailTrans,
    /// An End that must be resolved after grouping.
    pub end_marker: Option<EndMarker>,
    /// Findings at the row's cells; any error rejects the row.
    pub findings: Vec<Diagnostic>,
    /// The row belongs to a sheet that cannot be converted at all (its
    /// sheet-level error is reported once, not per row).
    pub sheet_rejected: bool,
}

impl RowRecord {
    /// Whether the row is rejected.
    pub fn rejected(&self) -> bool {
        self.sheet_rejected || self.findings.iter().any(Diagnostic::is_error)
    }
}

/// The avail and asset of the previous row, with the cells they came from.
#[derive(Debug)]
struct Shared {
    cells: Vec<Cell>,
    work_type: String,
    avail: Arc<Map<String, Value>>,
    asset: Arc<Map<String, Value>>,
    candidates: Arc<Vec<Candidate>>,
    findings: Vec<Diagnostic>,
}

/// Converts the rows of one sheet; built once per header.
#[derive(Debug)]
pub struct RowMapper<'m> {
    mapping: &'m Mapping,
    file: String,
    sheet: Option<String>,
    names: Vec<String>,
    plan: SheetPlan,
    start: DateRule,
    end: DateRule,
    event: DateRule,
    /// Columns feeding the avail and the asset, compared with the previous row.
    shared_columns: Vec<usize>,
    previous: Option<Shared>,
}

impl<'m> RowMapper<'m> {
    /// Plans the conversion of a sheet's rows. `offset` overrides the
    /// mapping's default date offset when given (`--timezone`).
    pub fn new(mapping: &'m Mapping, header: &Header, file: &str, offset: Option<&str>) -> Self {
        let plan = SheetPlan::new(mapping, header);
        let offset = offset.unwrap_or(&mapping.dates.default_offset);
        let mut shared_columns: Vec<usize> = plan
            .paths
            .iter()
            .filter(|p| p.level != Level::Transaction)
            .flat_map(|p| &p.rules)
            .flat_map(|r| r.column.into_iter().chain(r.fallbacks.iter().map(|f| f.0)))
            .chain(plan.key.work_type)
            .collect();
        shared_columns.sort_unstable();
        shared_columns.dedup();
        Self {
            mapping,
            file: file.to_string(),
            sheet: header.sheet.clone(),
            names: header.names.clone(),
            start: DateRule::new(&mapping.dates.start_of_day, offset)
                .with_order(mapping.dates.order),
            end: DateRule::new(&mapping.dates.end_of_day, offset).with_order(mapping.dates.order),
            event: DateRule::new(&mapping.dates.start_of_day, offset)
                .with_order(mapping.dates.order),
            plan,
            shared_columns,
            previous: None,
        }
    }

    /// The location of a row.
    pub fn location(&self, row: u32) -> Location {
        Location {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row: Some(row),
            column: None,
            path: None,
        }
    }

    /// Whether the sheet lacks a required column (no row converts).
    pub fn sheet_rejected(&self) -> bool {
        !self.plan.missing.is_empty()
    }

    /// Findings about the sheet as a whole, known from its header: required
    /// columns missing, columns read in place of a missing one.
    pub fn header_findings(&self, header_row: u32) -> Vec<Diagnostic> {
        let at = |i: Option<usize>| match i {
            Some(i) => self.location(header_row).with_column(column_letter(i)),
            None => self.location(header_row),
        };
        let mut out = Vec::new();
        for name in &self.plan.missing {
            let nearest = self.plan.watched.iter().find(
                |w| matches!(&w.watch, Watch::Unknown(Some(n)) if n.eq_ignore_ascii_case(name)),
            );
            let hint = match nearest {
                Some(w) => format!(
                    "; column {} is headed `{}`: rename it `{name}` if that is what it holds",
                    column_letter(w.index),
                    w.header
                ),
                None => String::new(),
            };
            out.push(
                Diagnostic::of(
                    CV_MISSING_COLUMN,
                    at(nearest.map(|w| w.index)),
                    format!(
                        "the sheet has no `{name}` column, which EMA requires; none of its rows is converted{hint}"
                    ),
                )
                .in_column(name.clone()),
            );
        }
        if let Some(b) = &self.plan.by_work_type {
            let first = b.columns.iter().map(|(_, _, i)| *i).min();
            let read = b
                .columns
                .iter()
                .map(|(w, c, _)| format!("`{c}` on {w} rows"))
                .collect::<Vec<_>>()
                .join(" and ");
            let missing = &b.missing;
            out.push(
                Diagnostic::of(
                    CV_SHEET_FALLBACK,
                    at(first),
                    format!(
                        "the sheet has no `{missing}` column (an EMA 1.6 TV sheet): {missing} is read from {read}, as MovieLabs' v1.6 translator does; a row of another WorkType has none"
                    ),
                )
                .in_column(
                    first
                        .and_then(|i| self.names.get(i).cloned())
                        .unwrap_or_else(|| missing.clone()),
                ),
            );
        }
        for (missing, instead) in &self.plan.sheet_fallbacks {
            out.push(
                Diagnostic::of(
                    CV_SHEET_FALLBACK,
                    at(self.names.iter().position(|n| n.eq_ignore_ascii_case(instead))),
                    format!(
                        "the sheet has no `{missing}` column (EMA 1.6): {missing} is read from `{instead}`, as MovieLabs' tools do"
                    ),
                )
                .in_column(instead.clone()),
            );
        }
        out
    }

    /// Findings about columns seen over the whole sheet: unknown columns,
    /// known columns not carried, repeated headers, each once.
    pub fn finish(&self, header_row: u32) -> Vec<Diagnostic> {
        self.plan
            .watched
            .iter()
            .filter(|w| w.filled > 0)
            .map(|w| self.watched_finding(w, header_row))
            .collect()
    }

    fn watched_finding(&self, w: &Watched, header_row: u32) -> Diagnostic {
        let letter = column_letter(w.index);
        let first = w.first_row.unwrap_or(header_row);
        let cells = match w.filled {
            1 => format!("1 cell, {letter}{first}"),
            n => format!("{n} cells from {letter}{first}"),
        };
        let at = self.location(header_row).with_column(letter.clone());
        let (code, message) = match &w.watch {
            Watch::Ignored(reason) => (
                CV_IGNORED_COLUMN,
                format!("column `{}` ({cells}) is not sent: {reason}", w.header),
            ),
            Watch::Unknown(Some(nearest)) => (
                CV_UNKNOWN_COLUMN,
                format!(
                    "column `{}` ({cells}) is not an EMA column and is not read; did you mean `{nearest}`?",
                    w.header
                ),
            ),
            Watch::Unknown(None) => (
                CV_UNKNOWN_COLUMN,
                format!(
                    "column `{}` ({cells}) is not an EMA column and is not read",
                    w.header
                ),
            ),
            Watch::Blank => (
                CV_UNKNOWN_COLUMN,
                format!("column {letter} has no header but holds values ({cells}); it is not read"),
            ),
            Watch::Duplicate(of) => (
                CV_DUPLICATE_COLUMN,
                format!(
                    "column `{}` appears twice; only column {of} is read, these values ({cells}) are not",
                    w.header
                ),
            ),
        };
        Diagnostic::of(code, at, message).in_column(w.header.clone())
    }

    /// Converts one row. Its key is read whatever else fails; every finding
    /// is located at its cell.
    pub fn map_row(&mut self, row: u32, cells: &[Cell]) -> RowRecord {
        let location = self.location(row);
        self.watch(row, cells);
        let chosen;
        let cells = match self.by_work_type_cells(cells) {
            Some(extended) => {
                chosen = extended;
                chosen.as_slice()
            }
            None => cells,
        };
        let prefix = self.mapping.sheet.comment_prefix.as_str();
        let text_at = |i: Option<usize>| -> Option<String> {
            values::text(i.and_then(|i| cells.get(i))?, prefix)
        };
        let key = RowKey {
            alid: text_at(self.plan.key.alid),
            territories: text_at(self.plan.key.territory)
                .map(|t| {
                    t.split([',', ';', ' '])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            license_type: text_at(self.plan.key.license_type),
            channel: text_at(self.plan.key.channel),
            entry_type: text_at(self.plan.key.entry_type).map(|t| EntryType::parse(&t)),
        };
        let work_type = text_at(self.plan.key.work_type).unwrap_or_default();
        if self.sheet_rejected() {
            return RowRecord {
                location,
                key,
                avail: Arc::default(),
                asset: Arc::default(),
                candidates: Arc::default(),
                transaction: AvailTrans::default(),
                end_marker: None,
                findings: Vec::new(),
                sheet_rejected: true,
            };
        }
        let mut findings = {
            let mut cx = RowContext {
                mapper: self,
                cells,
                location: &location,
                findings: Vec::new(),
            };
            cx.required_cells();
            cx.each_cell();
            cx.findings
        };
        let shared = self.shared_part(cells, &work_type, &location);
        let mut cx = RowContext {
            mapper: self,
            cells,
            location: &location,
            findings: Vec::new(),
        };
        let (transaction, end_marker) = cx.transaction(&work_type);
        findings.append(&mut cx.findings);
        findings.extend(shared.findings.iter().cloned());
        let record = RowRecord {
            location,
            key,
            avail: shared.avail.clone(),
            asset: shared.asset.clone(),
            candidates: shared.candidates.clone(),
            transaction,
            end_marker,
            findings,
            sheet_rejected: false,
        };
        self.previous = Some(shared);
        record
    }

    /// The row's cells with, past the sheet's columns, the cell a
    /// by-WorkType column reads for this row's WorkType (EMA 1.6 TV: the
    /// ALID from EpisodeAltID on an Episode row); `None` when the sheet has
    /// no such column.
    fn by_work_type_cells(&self, cells: &[Cell]) -> Option<Vec<Cell>> {
        let b = self.plan.by_work_type.as_ref()?;
        let prefix = self.mapping.sheet.comment_prefix.as_str();
        let work_type = self
            .plan
            .key
            .work_type
            .and_then(|i| cells.get(i))
            .and_then(|c| values::text(c, prefix))
            .unwrap_or_default();
        let cell = match b.column_for(&work_type) {
            Ok((_, i)) => cells.get(i).cloned().unwrap_or(Cell::Empty),
            Err(_) => Cell::Empty,
        };
        let mut extended: Vec<Cell> = cells.iter().take(b.index).cloned().collect();
        extended.resize(b.index, Cell::Empty);
        extended.push(cell);
        Some(extended)
    }

    /// The avail and asset of a row: the previous row's when its cells are
    /// the same (rows of one title repeat them), else built anew.
    fn shared_part(&mut self, cells: &[Cell], work_type: &str, location: &Location) -> Shared {
        let get = |i: usize| cells.get(i).unwrap_or(&Cell::Empty);
        if let Some(prev) = self.previous.take() {
            let same = prev.work_type == work_type
                && self
                    .shared_columns
                    .iter()
                    .zip(&prev.cells)
                    .all(|(&i, c)| get(i) == c);
            if same {
                let findings = prev
                    .findings
                    .iter()
                    .map(|d| Diagnostic {
                        location: Location {
                            row: location.row,
                            ..d.location.clone()
                        },
                        ..d.clone()
                    })
                    .collect();
                return Shared { findings, ..prev };
            }
        }
        let mut cx = RowContext {
            mapper: self,
            cells,
            location,
            findings: Vec::new(),
        };
        let (avail, asset, candidates) = cx.avail_and_asset(work_type);
        Shared {
            cells: self
                .shared_columns
                .iter()
                .map(|&i| get(i).clone())
                .collect(),
            work_type: work_type.to_string(),
            avail: Arc::new(avail),
            asset: Arc::new(asset),
            candidates: Arc::new(candidates),
            findings: cx.findings,
        }
    }

    /// Counts values in watched columns (and columns past the header).
    fn watch(&mut self, row: u32, cells: &[Cell]) {
        let prefix = self.mapping.sheet.comment_prefix.as_str();
        for w in &mut self.plan.watched {
            if cells
                .get(w.index)
                .is_some_and(|c| values::has_text(c, prefix))
            {
                w.filled += 1;
                w.first_row.get_or_insert(row);
            }
        }
        for (index, c) in cells.iter().enumerate().skip(self.names.len()) {
            if !values::has_text(c, prefix) {
                continue;
            }
            match self.plan.watched.iter_mut().find(|w| w.index == index) {
                Some(w) => {
                    w.filled += 1;
                    w.first_row.get_or_insert(row);
                }
                None => self.plan.watched.push(Watched {
                    index,
                    header: String::new(),
                    watch: Watch::Blank,
                    filled: 1,
                    first_row: Some(row),
                }),
            }
        }
    }
}

/// The work of converting one row.
struct RowContext<'a, 'm> {
    mapper: &'a RowMapper<'m>,
    cells: &'a [Cell],
    location: &'a Location,
    findings: Vec<Diagnostic>,
}

impl<'a, 'm> RowContext<'a, 'm> {
    /// A cell of the row (borrowed from the row, not from `self`: it can be
    /// held while the context reports on it).
    fn cell(&self, i: Option<usize>) -> &'a Cell {
        i.and_then(|i| self.cells.get(i)).unwrap_or(&Cell::Empty)
    }

    fn prefix(&self) -> &'m str {
        &self.mapper.mapping.sheet.comment_prefix
    }

    fn name(&self, i: usize) -> String {
        match (self.mapper.names.get(i), &self.mapper.plan.by_work_type) {
            (Some(n), _) => n.clone(),
            (None, Some(b)) if b.index == i => b.missing.clone(),
            _ => String::new(),
        }
    }

    fn at(&self, i: usize) -> Location {
        self.location.with_column(column_letter(i))
    }

    /// A finding at a cell, naming its column, quoting what it holds.
    fn report(&mut self, code: Code, severity: Severity, i: usize, expected: &str) {
        let found = self.cell(Some(i)).display();
        let column = self.name(i);
        let message = if found.is_empty() {
            format!("{column} is empty: {expected}")
        } else {
            format!(
                "{column} {}: expected {expected}",
                avails_model::text::quote(&found)
            )
        };
        self.findings
            .push(Diagnostic::new(code, severity, self.at(i), message).in_column(column));
    }

    fn error(&mut self, i: usize, expected: &str) {
        self.report(CV_CELL, Severity::Error, i, expected);
    }

    /// A required column's cell is blank: nothing may be assumed in its place.
    fn required_cells(&mut self) {
        for &i in &self.mapper.plan.required.clone() {
            if let Some(b) = self
                .mapper
                .plan
                .by_work_type
                .as_ref()
                .filter(|b| b.index == i)
            {
                if !values::has_text(self.cell(Some(i)), self.prefix()) {
                    self.by_work_type_missing(b);
                }
                continue;
            }
            if !values::has_text(self.cell(Some(i)), self.prefix()) {
                let column = self.name(i);
                let what = match column.as_str() {
                    "End" => "a date, or `Open` for a window without an end".to_string(),
                    "EntryType" => "`Full Extract` or `Full Delete`".to_string(),
                    other => format!("a value: EMA requires {other} on every row"),
                };
                self.error(i, &what);
            }
        }
    }

    /// A row with no value for a column read by WorkType (EMA 1.6 TV's
    /// ALID): reported at the cell it is read from, or at the WorkType when
    /// that WorkType has no such column.
    fn by_work_type_missing(&mut self, b: &crate::plan::ByWorkType) {
        let work_type_column = self.mapper.plan.key.work_type;
        let work_type =
            values::text(self.cell(work_type_column), self.prefix()).unwrap_or_default();
        let missing = &b.missing;
        let keyed = b
            .columns
            .iter()
            .map(|(w, c, _)| format!("{w} rows by {c}"))
            .chain(b.absent.iter().map(|(w, c)| format!("{w} rows by {c}")))
            .collect::<Vec<_>>()
            .join(", ");
        match b.column_for(&work_type) {
            Ok((column, i)) => self.error(
                i,
                &format!(
                    "a value: this sheet has no {missing} column (EMA 1.6 TV) and an {} row takes its {missing} from {column}",
                    work_type.trim()
                ),
            ),
            Err(absent) => {
                let expected = match absent {
                    Some(column) => format!(
                        "a WorkType whose {missing} the sheet gives: it has no {missing} column (EMA 1.6 TV) and no {column} column"
                    ),
                    None => format!(
                        "a WorkType that has an {missing} here: this sheet has no {missing} column (EMA 1.6 TV) and MovieLabs' v1.6 translator keys only {keyed}"
                    ),
                };
                if let Some(i) = work_type_column {
                    self.error(i, &expected);
                }
            }
        }
    }

    /// Columns whose every value is reported (free text, flags).
    fn each_cell(&mut self) {
        for e in &self.mapper.plan.each_cell {
            let Some(text) = values::text_ref(self.cell(Some(e.index)), self.prefix()) else {
                continue;
            };
            if e.ignored.is_quiet(&text) {
                continue;
            }
            let column = self.name(e.index);
            let message = format!(
                "{column} {} is not sent: {}",
                avails_model::text::quote(&text),
                e.ignored.reason()
            );
            let d = Diagnostic::new(
                CV_IGNORED_COLUMN,
                e.ignored.severity(),
                self.at(e.index),
                message,
            )
            .in_column(column);
            self.findings.push(d);
        }
    }

    /// The rule that feeds a path for this row: the last rule applying to
    /// the row's WorkType whose column (or a fallback) holds a value. Another
    /// applying rule whose column holds a different value is reported: two
    /// columns cannot feed one attribute.
    fn applicable<'p>(
        &mut self,
        path: &'p PathPlan,
        work_type: &str,
    ) -> Option<&'p crate::plan::RulePlan> {
        let mapping = self.mapper.mapping;
        // A rule of this path that applies to the row's WorkType and has a
        // cell with a value; the last such rule wins, the others are told.
        let with_value = |cx: &Self, r: &crate::plan::RulePlan| {
            mapping.columns[r.rule].applies_to(work_type)
                && r.column
                    .into_iter()
                    .chain(r.fallbacks.iter().map(|f| f.0))
                    .any(|i| values::has_text(cx.cell(Some(i)), cx.prefix()))
        };
        let mut rules = path.rules.iter().rev();
        let chosen = rules.by_ref().find(|r| with_value(self, r))?;
        for other in rules {
            if !with_value(self, other) {
                continue;
            }
            let (Some(a), Some(b)) = (chosen.column, other.column) else {
                continue;
            };
            if a != b && self.cell(Some(a)).display() != self.cell(Some(b)).display() {
                let (name, used) = (self.name(b), self.name(a));
                self.report(
                    CV_IGNORED_COLUMN,
                    Severity::Warning,
                    b,
                    &format!("no value here: column {used} feeds the same attribute and is the one sent ({name} is not)"),
                );
            }
        }
        Some(chosen)
    }

    /// Cells of avail or asset columns that feed no attribute for this
    /// row's WorkType (an EpisodeNumber on a Movie row, a TitleInternalAlias
    /// on a Volume row): reported at the cell, never dropped in silence.
    fn not_for_this_work_type(&mut self, work_type: &str) {
        let mapping = self.mapper.mapping;
        let rules = || {
            self.mapper
                .plan
                .paths
                .iter()
                .filter(|p| p.level != Level::Transaction)
                .flat_map(|p| &p.rules)
        };
        let columns = |r: &crate::plan::RulePlan| {
            r.column
                .into_iter()
                .chain(r.fallbacks.iter().map(|f| f.0))
                .collect::<Vec<usize>>()
        };
        let fed: Vec<usize> = rules()
            .filter(|r| mapping.columns[r.rule].applies_to(work_type))
            .flat_map(columns)
            .collect();
        let mut not_fed: Vec<(usize, Vec<String>)> = Vec::new();
        for r in rules().filter(|r| !mapping.columns[r.rule].applies_to(work_type)) {
            for i in columns(r) {
                if fed.contains(&i) {
                    continue;
                }
                let types = &mapping.columns[r.rule].work_types;
                match not_fed.iter_mut().find(|(k, _)| *k == i) {
                    Some((_, all)) => all.extend(types.iter().cloned()),
                    None => not_fed.push((i, types.clone())),
                }
            }
        }
        for (i, mut types) in not_fed {
            let Some(text) = values::text(self.cell(Some(i)), self.prefix()) else {
                continue;
            };
            types.sort();
            types.dedup();
            let column = self.name(i);
            let shown = if work_type.is_empty() {
                "(none)"
            } else {
                work_type
            };
            let message = format!(
                "{column} {} is not sent: on a row of WorkType `{shown}` it feeds no attribute of the API (it does for {})",
                avails_model::text::quote(&text),
                types.join(", ")
            );
            self.findings.push(
                Diagnostic::new(CV_IGNORED_COLUMN, Severity::Warning, self.at(i), message)
                    .in_column(column),
            );
        }
    }

    /// The avail and asset objects, and the values of paths with fallbacks.
    fn avail_and_asset(
        &mut self,
        work_type: &str,
    ) -> (Map<String, Value>, Map<String, Value>, Vec<Candidate>) {
        self.not_for_this_work_type(work_type);
        let mut avail = Map::new();
        let mut asset = Map::new();
        let mut candidates = Vec::new();
        let mapper = self.mapper;
        for path in mapper
            .plan
            .paths
            .iter()
            .filter(|p| p.level != Level::Transaction)
        {
            let Some(rule) = self.applicable(path, work_type) else {
                continue;
            };
            let target = match path.level {
                Level::Avail => &mut avail,
                _ => &mut asset,
            };
            if rule.fallbacks.is_empty() {
                if let Some(i) = rule.column {
                    if let Some(v) = self.value(rule.kind, i) {
                        set_path(target, &path.segments, v);
                    }
                }
                continue;
            }
            let sources = rule
                .column
                .map(|i| (i, 0))
                .into_iter()
                .chain(rule.fallbacks.iter().copied());
            for (i, priority) in sources {
                if let Some(value) = self.value(rule.kind, i) {
                    candidates.push(Candidate {
                        level: path.level,
                        segments: path.segments.clone(),
                        priority,
                        value,
                        column: self.name(i),
                        letter: column_letter(i),
                    });
                }
            }
        }
        (avail, asset, candidates)
    }

    /// One avail or asset cell as JSON, or a finding.
    fn value(&mut self, kind: ColumnKind, i: usize) -> Option<Value> {
        let text = values::text(self.cell(Some(i)), self.prefix())?;
        let converted = match kind {
            ColumnKind::Text => Ok(Value::String(text)),
            ColumnKind::TextList => Ok(json!([text])),
            ColumnKind::Integer => values::integer(self.cell(Some(i))).map(Value::from),
            ColumnKind::Sequence => {
                values::integer(self.cell(Some(i))).map(|n| json!({"Number": n}))
            }
            ColumnKind::EntryType => Ok(Value::String(EntryType::parse(&text).to_string())),
            ColumnKind::Bundle => Ok(Value::Array(values::bundle(&text))),
            ColumnKind::Dma => Ok(json!([{"_ecosystem": "DMA", "EcosystemID": text}])),
            ColumnKind::Languages => {
                Ok(serde_json::to_value(values::languages(&text)).unwrap_or_default())
            }
            ColumnKind::Countries | ColumnKind::Format | ColumnKind::Start | ColumnKind::End => {
                Ok(Value::String(text))
            }
        };
        match converted {
            Ok(v) => Some(v),
            Err(expected) => {
                self.error(i, &expected);
                None
            }
        }
    }

    /// The row's transaction and its terms.
    fn transaction(&mut self, work_type: &str) -> (AvailTrans, Option<EndMarker>) {
        let mut t = AvailTrans::default();
        let mut end_marker = None;
        let mapper = self.mapper;
        for path in mapper
            .plan
            .paths
            .iter()
            .filter(|p| p.level == Level::Transaction)
        {
            let Some(rule) = self.applicable(path, work_type) else {
                continue;
            };
            let Some(i) = rule.column else { continue };
            let (cell, prefix) = (self.cell(Some(i)), self.prefix());
            if !values::has_text(cell, prefix) {
                continue;
            }
            // The cell's text, written out only where it is read as text.
            let text = || values::text_ref(cell, prefix).unwrap_or_default();
            let field = path.segments.first().map(String::as_str).unwrap_or("");
            match rule.kind {
                ColumnKind::Countries => {
                    let text = text();
                    let mut codes = text.split([',', ';', ' ']).filter(|s| !s.is_empty());
                    if let (Some(code), None) = (codes.next(), codes.next()) {
                        t.territory = vec![Region {
                            country: code.to_string(),
                            ..Region::default()
                        }];
                    } else {
                        self.error(
                            i,
                            "one territory per row (an ISO 3166-1 alpha-2 code such as US); EMA gives each territory its own row",
                        );
                    }
                }
                ColumnKind::Format => {
                    t.format_profile = Some(FormatProfile {
                        value: text().into_owned(),
                        ..FormatProfile::default()
                    })
                }
                ColumnKind::Languages => {
                    let list = values::languages(&text());
                    match field {
                        "AssetLanguage" => t.asset_language = Some(list),
                        "AllowedLanguage" => t.allowed_language = Some(list),
                        "HoldbackLanguage" => t.holdback_language = Some(list),
                        _ => set_extra(
                            &mut t,
                            &path.segments,
                            serde_json::to_value(list).unwrap_or_default(),
                        ),
                    }
                }
                ColumnKind::Start => {
                    if let Some(v) = self.date(i, &mapper.start, "Start") {
                        t.start = Some(v);
                    }
                }
                ColumnKind::End => {
                    // A number or a date never reads `Open` or `ESTStart`.
                    let date_like =
                        matches!(cell, Cell::Number(_) | Cell::DateTime(_) | Cell::Bool(_));
                    let word = if date_like {
                        Default::default()
                    } else {
                        text()
                    };
                    if word.eq_ignore_ascii_case("open") {
                        continue;
                    }
                    if word.eq_ignore_ascii_case("eststart") {
                        end_marker = Some(EndMarker::EstStart);
                        continue;
                    }
                    if let Some(v) = self.date(i, &mapper.end, "End") {
                        t.end = Some(v);
                    }
                }
                _ => {
                    let Some(v) = self.value(rule.kind, i) else {
                        continue;
                    };
                    match (field, v) {
                        ("_TransactionID", Value::String(s)) => t.transaction_id = Some(s),
                        ("LicenseType", Value::String(s)) => t.license_type = Some(s),
                        ("LicenseRightsDescription", Value::String(s)) => {
                            t.license_rights_description = Some(s)
                        }
                        ("ContractID", Value::String(s)) => t.contract_id = Some(s),
                        ("OtherInstructions", Value::String(s)) => t.other_instructions = Some(s),
                        (_, v) => set_extra(&mut t, &path.segments, v),
                    }
                }
            }
        }
        let terms = self.terms();
        if !terms.is_empty() {
            t.terms = Some(terms);
        }
        (t, end_marker)
    }

    /// A Start or End cell: a date-time by its column's rule, or a finding
    /// (a condition such as `Theatrical` says what the API lacks).
    fn date(&mut self, i: usize, rule: &DateRule, which: &str) -> Option<String> {
        match rule.datetime(self.cell(Some(i))) {
            Ok(v) => Some(v),
            Err(forms) => {
                let text = values::text(self.cell(Some(i)), self.prefix()).unwrap_or_default();
                let conditions = &self.mapper.mapping.dates.conditions;
                let is_condition = conditions
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(text.trim()));
                if is_condition {
                    let lag_column = if which == "Start" {
                        self.mapper.plan.start_lag
                    } else {
                        self.mapper.plan.end_lag
                    };
                    let lag = values::text(self.cell(lag_column), self.prefix())
                        .map(|l| format!(" (lag {l})"))
                        .unwrap_or_default();
                    let extra = if which == "End" {
                        ", `Open` for no end, or `ESTStart` for a pre-order"
                    } else {
                        ""
                    };
                    self.report(
                        CV_CONDITION,
                        Severity::Error,
                        i,
                        &format!(
                            "a date: {which} `{}`{lag} is a condition, and the API has no conditional {}; give the date it stands for{extra}",
                            text.trim(),
                            which.to_ascii_lowercase()
                        ),
                    );
                } else {
                    let extra = if which == "End" && !forms.is_impossible() {
                        ", `Open`, or `ESTStart`"
                    } else {
                        ""
                    };
                    self.error(i, &format!("{forms}{extra}"));
                }
                None
            }
        }
    }

    /// The row's terms, in the table's order.
    fn terms(&mut self) -> Vec<Term> {
        let mapper = self.mapper;
        let mut terms = Vec::with_capacity(mapper.plan.terms.len());
        let currency = values::text(self.cell(mapper.plan.currency), self.prefix());
        for plan in &mapper.plan.terms {
            match plan {
                TermPlan::Column { name, index, value } => {
                    if !values::has_text(self.cell(Some(*index)), self.prefix()) {
                        continue;
                    }
                    if let Some(t) = self.term(name, *value, *index, currency.as_deref()) {
                        terms.push(t);
                    }
                }
                TermPlan::Price => {
                    if let Some(t) = self.price(currency.as_deref()) {
                        terms.push(t);
                    }
                }
            }
        }
        terms
    }

    /// One term from its column, typed as the table says.
    fn term(
        &mut self,
        name: &str,
        value: TermValue,
        i: usize,
        currency: Option<&str>,
    ) -> Option<Term> {
        let cell = self.cell(Some(i));
        let mut t = Term::named(name);
        let result: Result<(), String> = match value {
            TermValue::Text => {
                t.text = values::text(cell, self.prefix());
                Ok(())
            }
            TermValue::YesNo => values::yes_no(cell).map(|v| t.text = Some(v.to_string())),
            TermValue::Money => values::amount(cell).map(|a| {
                t.money = Some(Money {
                    value: Some(a),
                    currency: currency.map(str::to_string),
                    ..Money::default()
                })
            }),
            TermValue::Event => self
                .mapper
                .event
                .datetime(cell)
                .map(|v| t.event = Some(v))
                .map_err(|e| e.to_string()),
            TermValue::Boolean => values::boolean(cell).map(|b| t.boolean = Some(b)),
            TermValue::Duration => values::duration_hours(cell).map(|d| t.duration = Some(d)),
            TermValue::Number => values::integer(cell).map(|n| t.number = Some(n)),
        };
        match result {
            Ok(()) => Some(t),
            Err(expected) => {
                self.error(i, &expected);
                None
            }
        }
    }

    /// The PriceType / PriceValue / PriceCurrency triple as one term.
    fn price(&mut self, currency: Option<&str>) -> Option<Term> {
        let mapper = self.mapper;
        let price = &mapper.mapping.price;
        let (pt, pv) = (mapper.plan.price_type, mapper.plan.price_value);
        let price_type = values::text(self.cell(pt), self.prefix());
        let price_value = values::text(self.cell(pv), self.prefix());
        let Some(price_type) = price_type else {
            if let (Some(i), Some(_)) = (pv, &price_value) {
                self.error(
                    i,
                    "a PriceType for this PriceValue (Tier, Category, WSP, ...)",
                );
            }
            return None;
        };
        if price.is_not_applicable(&price_type) {
            if let (Some(i), Some(v)) = (pv, &price_value) {
                if !price.is_not_applicable(v) {
                    self.error(
                        i,
                        &format!("no PriceValue (or `{price_type}`): PriceType `{price_type}` says no price applies"),
                    );
                }
            }
            return None;
        }
        let (name, kind) = price.term_for(&price_type);
        let money_kind = kind == avails_model::TermValueKind::Money;
        let currency_only = || {
            currency.map(|c| Money {
                currency: Some(c.to_string()),
                ..Money::default()
            })
        };
        let Some(value) = price_value else {
            // A price type with no value: the name alone (and its currency).
            return Some(Term {
                name,
                money: currency_only(),
                ..Term::default()
            });
        };
        if price.is_placeholder(&value) {
            if let Some(i) = pv {
                self.report(
                    CV_PLACEHOLDER,
                    Severity::Warning,
                    i,
                    &format!("a price: `{value}` is a placeholder, so {name} is sent without one"),
                );
            }
            return Some(Term {
                name,
                money: currency_only(),
                ..Term::default()
            });
        }
        let i = pv?;
        let cell = self.cell(Some(i));
        let mut t = Term::named(name.clone());
        if money_kind {
            match values::amount(cell) {
                Ok(a) => {
                    t.money = Some(Money {
                        value: Some(a),
                        currency: currency.map(str::to_string),
                        ..Money::default()
                    })
                }
                Err(expected) => {
                    self.error(i, &format!("{expected} for PriceType {price_type}"));
                    return None;
                }
            }
        } else {
            t.text = Some(value);
            // As the reference's bundle examples write a Tier with its currency.
            t.money = currency_only();
        }
        Some(t)
    }
}

/// Sets `value` at a path of a transaction field the model does not type.
fn set_extra(t: &mut AvailTrans, segments: &[String], value: Value) {
    set_path(&mut t.extra, segments, value);
}

/// Sets `value` at a dotted path inside `map`, creating objects on the way.
pub fn set_path(map: &mut Map<String, Value>, segments: &[String], value: Value) {
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut current = map;
    for seg in parents {
        if !current.get(seg).is_some_and(Value::is_object) {
            current.insert(seg.clone(), Value::Object(Map::new()));
        }
        let Some(Value::Object(next)) = current.get_mut(seg) else {
            return;
        };
        current = next;
    }
    current.insert(last.clone(), value);
}
