//! The CLI's engine, called for the page: conversion and rules
//! (`avails_convert`), the annotated workbook (`avails_annotate`), the
//! comparison (`avails_diff`), planning and sending (`avails_submit`,
//! `avails_journal`). What is computed here is only arranged for display.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use avails_annotate::Mark;
use avails_client::{AvailsClient, Scope};
use avails_convert::{check, Conversion, ConvertOptions, Diagnostic, Payload, RowCounts};
use avails_diff::{DiffReport, Difference, Side, Subject, TitleDiff, TitleStatus};
use avails_journal::{Decision, Journal, SendReason};
use avails_model::{Avail, BusinessLine, EntryType, Location};
use avails_submit::Unit;
use serde_json::Value;

use crate::error::RequestError;
use crate::names::FileNames;

/// One finding as the page shows it.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Error (else warning).
    pub error: bool,
    /// Stable code (`CV001`, `AV002`...).
    pub code: String,
    /// What was found.
    pub message: String,
    /// The file's name (not its path on disk).
    pub file: String,
    /// `Movies!C5`, `Movies row 7`, `line 12`, or empty.
    pub cell: String,
    /// The sheet's column name, when the value came from a column.
    pub column: Option<String>,
    /// The title's ALID, when the finding is about a payload.
    pub alid: Option<String>,
    /// The server's verdict (`validate --remote`), not a local rule.
    pub server: bool,
}

/// One file of a sheet set, as read.
#[derive(Debug, Clone)]
pub struct FileLine {
    /// The file's name.
    pub name: String,
    /// EMA, MDDF or payload JSON.
    pub kind: &'static str,
    /// Sheets: name, EMA version, rows.
    pub sheets: Vec<(String, Option<String>, usize)>,
    /// Rows (or transactions) read from it.
    pub items: usize,
}

/// What checking a sheet set found.
#[derive(Debug)]
pub struct CheckView {
    /// Each file read.
    pub files: Vec<FileLine>,
    /// Files that could not be read at all, with why.
    pub unreadable: Vec<String>,
    /// Titles (distinct ALIDs) among payloads and payloads held back.
    pub titles: usize,
    /// Payloads built.
    pub payloads: usize,
    /// Payloads with an error (not sent).
    pub refused: usize,
    /// Payloads held back (one of their rows rejected).
    pub held_back: usize,
    /// How the rows read were accounted for.
    pub rows: RowCounts,
    /// Every finding, errors first.
    pub findings: Vec<Finding>,
    /// Errors among them.
    pub errors: usize,
    /// Warnings among them.
    pub warnings: usize,
    /// Titles' names on the sheet, by ALID.
    pub names: BTreeMap<String, String>,
    /// The findings as the engine gave them, for the annotated workbook.
    pub diagnostics: Vec<Diagnostic>,
    /// The first workbook or CSV of the set (what `--annotate` copies).
    pub annotatable: Option<PathBuf>,
}

/// A conversion with every payload's findings, as `validate --remote`
/// computes them: kept whole, for comparing and sending.
pub struct Prepared {
    /// The conversion.
    pub conversion: Conversion,
    /// Conversion findings and rule findings.
    pub findings: Vec<Diagnostic>,
    /// Per payload, whether it has an error.
    pub failing: Vec<bool>,
    /// The user's names of the files.
    pub files: FileNames,
}

/// Converts and checks the set (blocking: run it off the async threads).
/// Every text that names a file names it as the user did ([`FileNames`]);
/// locations keep the stored path, by which findings find their cells.
pub fn prepare(files: &FileNames, options: &ConvertOptions) -> Prepared {
    let mut conversion = avails_convert::convert_inputs(&files.paths(), options, &mut |_| {});
    let (mut findings, failing) = check(&conversion, &options.mapping);
    for f in &mut findings {
        f.message = files.in_text(&f.message);
    }
    for h in &mut conversion.held_back {
        for b in &mut h.blocking {
            b.reason = files.in_text(&b.reason);
        }
    }
    Prepared {
        conversion,
        findings,
        failing,
        files: files.clone(),
    }
}

/// The title's name as the sheet gives it: TitleInternalAlias (of the
/// movie, else the episode's).
pub fn title_name(payload: &Payload) -> Option<String> {
    let value = serde_json::to_value(&payload.request.avail).ok()?;
    [
        "/Asset/0/Metadata/TitleInternalAlias",
        "/Asset/0/EpisodeMetadata/TitleInternalAlias",
        "/Asset/0/Metadata/TitleDisplayUnlimited",
    ]
    .iter()
    .find_map(|p| match value.pointer(p)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .find(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_string()),
        _ => None,
    })
}

/// Where a finding is, as people say it: never a JSON path.
pub fn cell(location: &Location) -> String {
    match (&location.sheet, location.row, &location.column) {
        (Some(sheet), Some(row), Some(col)) => format!("{sheet}!{col}{row}"),
        (Some(sheet), Some(row), None) => format!("{sheet} row {row}"),
        (None, Some(row), _) => format!("line {row}"),
        (Some(sheet), None, _) => sheet.clone(),
        (None, None, _) => String::new(),
    }
}

/// A finding for the page.
pub fn finding(d: &Diagnostic, files: &FileNames) -> Finding {
    Finding {
        error: d.is_error(),
        code: d.code.to_string(),
        message: d.message.clone(),
        file: files.name_of(&d.location.file),
        cell: cell(&d.location),
        column: d.column.clone(),
        alid: d.alid.clone(),
        server: d.origin != avails_model::Origin::Local,
    }
}

/// Checks a sheet set: the summary and every finding (blocking).
pub fn check_set(files: &FileNames, options: &ConvertOptions) -> CheckView {
    let paths = files.paths();
    let prepared = prepare(files, options);
    let Prepared {
        conversion,
        findings,
        failing,
        ..
    } = prepared;
    let mut names = BTreeMap::new();
    let mut titles = BTreeSet::new();
    for p in &conversion.payloads {
        titles.insert(p.alid.clone());
        if let Some(name) = title_name(p) {
            names.entry(p.alid.clone()).or_insert(name);
        }
    }
    for h in &conversion.held_back {
        titles.insert(h.scope.alid.clone());
    }
    let mut shown: Vec<Finding> = findings.iter().map(|d| finding(d, files)).collect();
    // Errors first; then in the engine's order (file, row).
    shown.sort_by_key(|f| !f.error);
    // A title held back is a consequence of another error, not one more
    // (as `avails validate` counts).
    let held_back_findings = shown
        .iter()
        .filter(|f| f.code == avails_model::diagnostic::HELD_BACK_CODE)
        .count();
    let errors = shown.iter().filter(|f| f.error).count() - held_back_findings;
    let annotatable = paths
        .iter()
        .find(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                ["xlsx", "xlsm", "xls", "csv"]
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(e))
            })
        })
        .filter(|p| {
            let label = p.display().to_string();
            conversion.files.iter().any(|f| f.file == label)
        })
        .cloned();
    CheckView {
        files: conversion
            .files
            .iter()
            .map(|f| FileLine {
                name: files.name_of(&f.file),
                kind: match f.kind {
                    avails_convert::InputKind::Ema => "EMA sheet",
                    avails_convert::InputKind::Mddf => "MDDF XML",
                    avails_convert::InputKind::Json => "payload JSON",
                },
                sheets: f
                    .sheets
                    .iter()
                    .map(|s| (s.sheet.clone(), s.version.clone(), s.rows))
                    .collect(),
                items: f.items,
            })
            .collect(),
        unreadable: conversion
            .unreadable
            .iter()
            .map(|e| files.in_text(&e.to_string()))
            .collect(),
        titles: titles.len(),
        payloads: conversion.payloads.len(),
        refused: failing.iter().filter(|f| **f).count(),
        held_back: conversion.held_back.len(),
        rows: conversion.rows,
        errors,
        warnings: shown.len() - errors - held_back_findings,
        findings: shown,
        names,
        diagnostics: findings,
        annotatable,
    }
}

/// Writes the annotated workbook of `input` to `output`: the code of
/// `avails validate --annotate` (blocking). Returns a one-line summary.
pub fn annotate(
    input: &Path,
    output: &Path,
    findings: &[Diagnostic],
    files: &FileNames,
) -> Result<String, RequestError> {
    let label = input.display().to_string();
    let marks: Vec<Mark> = findings
        .iter()
        .map(|f| Mark::of_finding(&label, f, |other| files.name_of(other)))
        .collect();
    let options = avails_annotate::Options {
        title: Some(format!("avails serve: {}", files.name_of_path(input))),
        notes: Vec::new(),
        columns: None,
    };
    let done = avails_annotate::annotate(input, output, &marks, &options)
        .map_err(|e| RequestError::failed("cannot write the annotated workbook", &e))?;
    Ok(format!(
        "{} cells marked, {} findings listed",
        done.cells_marked, done.findings
    ))
}

/// One changed field of a title, named by the sheet's column.
#[derive(Debug, Clone)]
pub struct Change {
    /// The window (or "title") it belongs to.
    pub subject: String,
    /// The sheet's column name.
    pub column: String,
    /// The sheet's value.
    pub sheet: String,
    /// The server's value.
    pub server: String,
    /// The cell it came from.
    pub cell: String,
}

/// A window on the timeline.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Sheet or server.
    pub sheet: bool,
    /// License type, format, channel.
    pub row: String,
    /// Start as written.
    pub start: Option<String>,
    /// End as written (`None`: open-ended).
    pub end: Option<String>,
}

/// How a title stands, for Compare and the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Refused locally: the sheet's rows have errors.
    Refused,
    /// Held back: one of its rows is rejected.
    HeldBack,
    /// Only on the sheet.
    New,
    /// On both, with differences.
    Changed,
    /// On the server only (or the sheet deletes it).
    Extra,
    /// Identical.
    Same,
    /// A partial extract or delete: not compared as a whole.
    NotCompared,
}

impl Status {
    /// The label shown.
    pub fn label(self) -> &'static str {
        match self {
            Self::Refused => "refused locally",
            Self::HeldBack => "held back",
            Self::New => "new",
            Self::Changed => "changed",
            Self::Extra => "only on server",
            Self::Same => "unchanged",
            Self::NotCompared => "not compared",
        }
    }

    /// The value used in filters and CSS classes.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Refused => "refused",
            Self::HeldBack => "held-back",
            Self::New => "new",
            Self::Changed => "changed",
            Self::Extra => "extra",
            Self::Same => "same",
            Self::NotCompared => "not-compared",
        }
    }

    /// Every status, in display order.
    pub const ALL: [Status; 7] = [
        Self::Refused,
        Self::HeldBack,
        Self::New,
        Self::Changed,
        Self::Extra,
        Self::Same,
        Self::NotCompared,
    ];
}

/// One title (ALID x territory x business line) compared.
#[derive(Debug, Clone)]
pub struct TitleRow {
    /// The name on the sheet (TitleInternalAlias), if any.
    pub name: Option<String>,
    /// ALID.
    pub alid: String,
    /// Territory.
    pub territory: String,
    /// Business line.
    pub business_line: BusinessLine,
    /// Where it stands.
    pub status: Status,
    /// Changed fields.
    pub changes: Vec<Change>,
    /// Windows only on the sheet.
    pub added: Vec<String>,
    /// Windows only on the server (a full extract removes them).
    pub removed: Vec<String>,
    /// The timeline's windows.
    pub bars: Vec<Bar>,
    /// Why it is refused or held back.
    pub reasons: Vec<String>,
    /// Windows the server holds now for this scope.
    pub server_windows: usize,
    /// The payload's index in the conversion, for sending.
    pub payload: Option<usize>,
    /// Full extract, full delete or partial extract.
    pub entry_type: EntryType,
}

/// A comparison of a sheet set with the server.
pub struct CompareView {
    /// Titles in sheet order.
    pub titles: Vec<TitleRow>,
    /// Counts by status.
    pub counts: BTreeMap<Status, usize>,
    /// Differences (fields, windows) in all titles.
    pub differences: usize,
}

/// The last meaningful segment of a JSON pointer (`/avail/Transaction/0/End`
/// → `End`), for a field no sheet column gave.
fn field_of(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .find(|s| !s.is_empty() && s.parse::<usize>().is_err() && *s != "avail")
        .unwrap_or("title")
        .trim_start_matches('_')
        .to_string()
}

fn show(v: &Option<Value>) -> String {
    match v {
        None | Some(Value::Null) => "(empty)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

fn subject(s: &Subject) -> String {
    match s {
        Subject::Title => "title".into(),
        Subject::Transaction { label, .. } => label.clone(),
    }
}

/// Fetches what the server holds for the set's full extracts that pass
/// the checks, and compares (async; the conversion is done by the caller).
pub async fn compare(
    client: &AvailsClient,
    prepared: &Prepared,
    options: &ConvertOptions,
) -> Result<CompareView, RequestError> {
    let payloads = &prepared.conversion.payloads;
    let comparable: Vec<usize> = (0..payloads.len())
        .filter(|&i| !prepared.failing[i] && payloads[i].entry_type == EntryType::FullExtract)
        .collect();
    let scopes: BTreeSet<Scope> = comparable
        .iter()
        .map(|&i| Scope {
            alid: payloads[i].alid.clone(),
            territory: payloads[i].territory.clone(),
            business_line: payloads[i].business_line,
        })
        .collect();
    let mut server: Vec<Avail> = Vec::new();
    for f in client.get_full_extracts(scopes).await {
        match f.result {
            Ok(avail) => server.extend(avail),
            Err(e) => {
                return Err(RequestError::Failed(format!(
                    "cannot compare: the server did not answer for {} {}: {e}",
                    f.scope.alid, f.scope.territory
                )))
            }
        }
    }
    let sheet: Vec<Payload> = comparable.iter().map(|&i| payloads[i].clone()).collect();
    let report: DiffReport = avails_diff::diff(&sheet, &server, &options.mapping);
    let by_key: HashMap<(String, String, BusinessLine), usize> = comparable
        .iter()
        .map(|&i| {
            let p = &payloads[i];
            ((p.alid.clone(), p.territory.clone(), p.business_line), i)
        })
        .collect();
    let mut titles = Vec::new();
    let mut differences = 0;
    for t in &report.titles {
        let index = by_key
            .get(&(
                t.key.alid.clone(),
                t.key.territory.clone(),
                t.key.business_line,
            ))
            .copied();
        differences += t.difference_count();
        titles.push(title_row(t, index.map(|i| &payloads[i]), index, options));
    }
    // What was not compared: refused, held back, partial extracts.
    let mut errors_of: HashMap<String, Vec<String>> = HashMap::new();
    for d in prepared.findings.iter().filter(|d| d.is_error()) {
        if let Some(alid) = &d.alid {
            let at = cell(&d.location);
            let why = match (&d.column, at.is_empty()) {
                (Some(c), false) => format!("{at} ({c}): {}", d.message),
                (None, false) => format!("{at}: {}", d.message),
                _ => d.message.clone(),
            };
            errors_of.entry(alid.clone()).or_default().push(why);
        }
    }
    for (i, p) in payloads.iter().enumerate() {
        let status = if prepared.failing[i] {
            Status::Refused
        } else if p.entry_type != EntryType::FullExtract {
            Status::NotCompared
        } else {
            continue;
        };
        titles.push(TitleRow {
            name: title_name(p),
            alid: p.alid.clone(),
            territory: p.territory.clone(),
            business_line: p.business_line,
            status,
            changes: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            bars: Vec::new(),
            reasons: match status {
                Status::Refused => errors_of.get(&p.alid).cloned().unwrap_or_default(),
                _ if p.entry_type == EntryType::FullDelete => vec![
                    "a full delete: sending it removes every window the server holds for this title, territory and business line".into(),
                ],
                _ => vec!["a partial extract: sent window by window, not compared as a whole".into()],
            },
            server_windows: 0,
            payload: Some(i),
            entry_type: p.entry_type.clone(),
        });
    }
    let names: HashMap<&str, String> = payloads
        .iter()
        .filter_map(|p| Some((p.alid.as_str(), title_name(p)?)))
        .collect();
    for h in &prepared.conversion.held_back {
        titles.push(TitleRow {
            name: names.get(h.scope.alid.as_str()).cloned(),
            alid: h.scope.alid.clone(),
            territory: h.scope.territory.clone(),
            business_line: h.scope.business_line,
            status: Status::HeldBack,
            changes: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            bars: Vec::new(),
            reasons: h
                .blocking
                .iter()
                .map(|b| format!("{}: {}", cell(&b.location), b.reason))
                .collect(),
            server_windows: 0,
            payload: None,
            entry_type: h.entry_type.clone(),
        });
    }
    let mut counts = BTreeMap::new();
    for t in &titles {
        *counts.entry(t.status).or_insert(0) += 1;
    }
    Ok(CompareView {
        titles,
        counts,
        differences,
    })
}

fn title_row(
    t: &TitleDiff,
    payload: Option<&Payload>,
    index: Option<usize>,
    options: &ConvertOptions,
) -> TitleRow {
    let status = match t.status {
        TitleStatus::Same => Status::Same,
        TitleStatus::MissingOnServer => Status::New,
        TitleStatus::ExtraOnServer => Status::Extra,
        TitleStatus::Changed => Status::Changed,
        TitleStatus::RefusedLocally => Status::Refused,
    };
    let mut changes = Vec::new();
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for d in &t.differences {
        match d {
            Difference::MissingOnServer { subject: s, .. } => {
                if matches!(s, Subject::Transaction { .. }) {
                    added.push(subject(s));
                }
            }
            Difference::ExtraOnServer { subject: s, .. } => removed.push(subject(s)),
            // Refused titles are listed with their findings, not as changes.
            Difference::RefusedLocally { .. } => {}
            Difference::Changed {
                subject: s,
                changes: list,
            } => {
                for c in list {
                    let column = payload
                        .and_then(|p| {
                            avails_convert::locate::column_name(p, &options.mapping, &c.pointer)
                        })
                        .unwrap_or_else(|| field_of(&c.pointer));
                    changes.push(Change {
                        subject: subject(s),
                        column,
                        sheet: show(&c.sheet),
                        server: show(&c.server),
                        cell: cell(&c.location),
                    });
                }
            }
        }
    }
    TitleRow {
        name: payload.and_then(title_name),
        alid: t.key.alid.clone(),
        territory: t.key.territory.clone(),
        business_line: t.key.business_line,
        status,
        changes,
        added,
        removed,
        server_windows: t.windows.iter().filter(|w| w.side == Side::Server).count(),
        bars: t
            .windows
            .iter()
            .map(|w| Bar {
                sheet: w.side == Side::Sheet,
                row: w.row.clone(),
                start: w.start.clone(),
                end: w.end.clone(),
            })
            .collect(),
        reasons: Vec::new(),
        payload: index,
        entry_type: EntryType::FullExtract,
    }
}

/// What the send will do with one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Sent: never sent before.
    SendNew,
    /// Sent: its content changed since the journal's last record.
    SendChanged,
    /// Sent again: a previous send was not acknowledged.
    Resend,
    /// Not sent: identical content already acknowledged (the journal).
    Unchanged,
}

impl Action {
    /// From the journal's decision.
    pub fn of(decision: Decision) -> Self {
        match decision {
            Decision::Skip => Self::Unchanged,
            Decision::Send(SendReason::New) => Self::SendNew,
            Decision::Send(SendReason::Changed) => Self::SendChanged,
            Decision::Send(_) => Self::Resend,
        }
    }

    /// Whether the unit is sent.
    pub fn sends(self) -> bool {
        self != Self::Unchanged
    }
}

/// The plan of a send: the compared titles, and per unit what the journal
/// decides; `units` are exactly what the confirmation sends.
pub struct Plan {
    /// The comparison.
    pub compare: CompareView,
    /// The units, in payload order.
    pub units: Vec<Unit>,
    /// Per unit, the journal's decision.
    pub actions: Vec<Action>,
    /// Problems planning (two units for one resource...).
    pub problems: Vec<String>,
    /// A fingerprint of the units and decisions: the confirmation must
    /// carry it, so what is sent is what was shown.
    pub fingerprint: String,
    /// What the receipt's per-row status is decided from.
    pub rows: crate::status::RowInputs,
}

/// Plans the send of the set's clean payloads (async: compares first).
pub async fn plan(
    client: &AvailsClient,
    journal_path: &Path,
    prepared: &Prepared,
    options: &ConvertOptions,
) -> Result<Plan, RequestError> {
    let compare = compare(client, prepared, options).await?;
    let payloads = &prepared.conversion.payloads;
    let clean = (0..payloads.len()).filter(|&i| !prepared.failing[i]);
    let (units, problems) = avails_submit::plan(payloads, clean, client.licensor(), false);
    let actions = {
        let journal = Journal::open(journal_path)
            .map_err(|e| RequestError::failed("cannot open the journal", &e))?;
        let mut actions = Vec::with_capacity(units.len());
        for u in &units {
            let decision = journal
                .should_send(&u.key, &u.hash)
                .map_err(|e| RequestError::failed("cannot read the journal", &e))?;
            actions.push(Action::of(decision));
        }
        actions
    };
    let fingerprint = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (u, a) in units.iter().zip(&actions) {
            u.key.hash(&mut h);
            u.hash.hash(&mut h);
            (*a as u8).hash(&mut h);
        }
        format!("{:016x}", h.finish())
    };
    Ok(Plan {
        compare,
        actions,
        problems: problems
            .iter()
            .map(|p| prepared.files.in_text(&p.message))
            .collect(),
        fingerprint,
        rows: crate::status::RowInputs::new(prepared, &units, &problems),
        units,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_without_a_column_is_named_by_its_attribute_not_its_path() {
        assert_eq!(field_of("/avail/Transaction/0/End"), "End");
        assert_eq!(field_of("/avail/Transaction/1/Terms/0/_money"), "money");
        assert_eq!(field_of("/avail"), "title");
    }

    #[test]
    fn cells_are_named_as_a_spreadsheet_does() {
        let mut l = Location::file("a.xlsx");
        l.sheet = Some("Movies".into());
        l.row = Some(5);
        l.column = Some("C".into());
        assert_eq!(cell(&l), "Movies!C5");
        l.column = None;
        assert_eq!(cell(&l), "Movies row 5");
        l.sheet = None;
        assert_eq!(cell(&l), "line 5");
        l.path = Some("/avail/ALID".into());
        assert!(!cell(&l).contains('/'));
    }
}
