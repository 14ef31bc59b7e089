//! The per-row status workbook of a submit: the user's workbook back with
//! what became of each row in new columns at its right (status,
//! TransactionID, time), the rows' findings marked as [`crate::annotate`]
//! marks them; and the same per row as [`RowOutcome`]s (serializable, for
//! `--format json` or a web page).
//!
//! A row's status: `sent`, `unchanged` (the same content already landed),
//! `would send` (a dry run), `refused: <reason>` (by the local rules or the
//! server; a row whose error holds its title's whole extract back says
//! so), `held back: <the cell that blocks it>` (a row that is fine itself
//! in a title held back), `not sent on its own: <warning>` (a row merged
//! into another, such as a repeated window), `failed: <HTTP status and
//! message>`.
//!
//! ```no_run
//! # fn demo(units: &std::collections::HashMap<String, Vec<avails_submit::RowSource>>,
//! #         report: &avails_submit::Report, findings: &[avails_model::Diagnostic],
//! #         held_back: &[avails_convert::HeldBack]) -> Result<(), avails_annotate::AnnotateError> {
//! use avails_annotate::status;
//! let inputs = vec![std::path::PathBuf::from("avails.xlsx")];
//! let output = std::path::Path::new("avails-report.xlsx");
//! // Before anything is sent: which input the report is written from.
//! let input = status::target(&inputs, output)?;
//! // After: each row's outcome, then the workbook.
//! let rows = status::outcomes(units, report, findings, held_back);
//! let written = status::write(&input, output, &rows, findings, held_back, "sent 3".into())?;
//! println!("{} rows with a status", written.rows);
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use avails_convert::HeldBack;
use avails_model::Diagnostic;
use avails_submit::{Report, RowSource, UnitStatus};
use serde::Serialize;

use crate::{AnnotateError, Annotated, Mark, Options, RowColumns, RowTexts, Severity};

/// Titles of the new columns.
pub const TITLES: [&str; 3] = ["avails submit", "TransactionID", "Time (UTC)"];

/// The workbook the report is written from: the first XLSX or XLSM among
/// the inputs (a CSV has no room for columns of its own: its rows are
/// reported with `--format json`). The output may be none of the inputs.
pub fn target(inputs: &[PathBuf], output: &Path) -> Result<PathBuf, AnnotateError> {
    for input in inputs {
        if input.exists() {
            crate::ensure_distinct(input, output)?;
        }
    }
    let found = inputs.iter().find(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
    });
    match found {
        Some(p) => Ok(p.clone()),
        None => Err(AnnotateError::NoWorkbook {
            output: output.to_path_buf(),
        }),
    }
}

/// What became of one row.
#[derive(Debug, Clone, Serialize)]
pub struct RowOutcome {
    /// The input file, as given.
    pub file: String,
    /// The sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based row (or XML line).
    pub row: u32,
    /// `sent`, `unchanged`, `refused: ...`...
    pub status: String,
    /// The row's TransactionID.
    #[serde(rename = "transactionId", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// When it was decided (RFC 3339, UTC).
    pub time: String,
    /// Error or warning, for the fill of the status cell.
    #[serde(skip)]
    pub severity: Option<Severity>,
}

/// Every row's outcome, in file, sheet and row order: the units' rows with
/// their unit's outcome, then rows refused locally or holding a title back.
pub fn outcomes(
    units: &HashMap<String, Vec<RowSource>>,
    report: &Report,
    findings: &[Diagnostic],
    held_back: &[HeldBack],
) -> Vec<RowOutcome> {
    let now = rfc3339(SystemTime::now());
    let mut rows: BTreeMap<(String, Option<String>, u32), RowOutcome> = BTreeMap::new();
    for outcome in &report.outcomes {
        let Some(sources) = units.get(&outcome.key) else {
            continue;
        };
        let (status, severity) = match &outcome.status {
            UnitStatus::Sent => ("sent".to_string(), None),
            UnitStatus::Unchanged => ("unchanged".to_string(), None),
            UnitStatus::Planned => ("would send".to_string(), None),
            UnitStatus::Rejected { status, errors } => {
                let why: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.code, e.message))
                    .collect();
                let http = status.map(|s| format!("HTTP {s}: ")).unwrap_or_default();
                (
                    format!("refused: server: {http}{}", why.join("; ")),
                    Some(Severity::Error),
                )
            }
            UnitStatus::Failed { status, message } => {
                let http = status.map(|s| format!("HTTP {s}: ")).unwrap_or_default();
                (format!("failed: {http}{message}"), Some(Severity::Error))
            }
        };
        for source in sources {
            let Some(row) = source.location.row else {
                continue;
            };
            let key = (
                source.location.file.clone(),
                source.location.sheet.clone(),
                row,
            );
            rows.entry(key).or_insert_with(|| RowOutcome {
                file: source.location.file.clone(),
                sheet: source.location.sheet.clone(),
                row,
                status: status.clone(),
                transaction_id: source.transaction_id.clone(),
                time: rfc3339(outcome.at),
                severity,
            });
        }
    }
    // What each blocking row holds back.
    let mut holds: HashMap<(String, Option<String>, u32), Vec<String>> = HashMap::new();
    for h in held_back {
        for b in &h.blocking {
            if let Some(row) = b.location.row {
                let key = (b.location.file.clone(), b.location.sheet.clone(), row);
                holds.entry(key).or_default().push(h.scope.to_string());
            }
        }
    }
    // Errors first: a row with an error and a warning is refused.
    let mut ordered: Vec<&Diagnostic> = findings.iter().collect();
    ordered.sort_by_key(|f| !f.is_error());
    for f in ordered {
        let Some(row) = f.location.row else {
            continue;
        };
        let key = (f.location.file.clone(), f.location.sheet.clone(), row);
        if rows.contains_key(&key) {
            continue;
        }
        if !f.is_error() {
            // In no payload, with only a warning: merged into another row
            // (a repeated window) or skipped, as the warning says.
            rows.insert(
                key,
                RowOutcome {
                    file: f.location.file.clone(),
                    sheet: f.location.sheet.clone(),
                    row,
                    status: format!("not sent on its own: {}", f.message),
                    transaction_id: f.transaction_id.clone(),
                    time: now.clone(),
                    severity: Some(Severity::Warning),
                },
            );
            continue;
        }
        let mut status = format!("refused: {}", f.message);
        if let Some(scopes) = holds.get(&key) {
            status.push_str(&format!(" (holds back {})", scopes.join(", ")));
        }
        rows.insert(
            key,
            RowOutcome {
                file: f.location.file.clone(),
                sheet: f.location.sheet.clone(),
                row,
                status,
                transaction_id: f.transaction_id.clone(),
                time: now.clone(),
                severity: Some(Severity::Error),
            },
        );
    }
    // The rows of a title held back that are fine themselves: what holds
    // them back.
    for h in held_back {
        let Some(cause) = h.blocking.first() else {
            continue;
        };
        for at in &h.held_rows {
            let Some(row) = at.row else {
                continue;
            };
            let key = (at.file.clone(), at.sheet.clone(), row);
            rows.entry(key).or_insert_with(|| RowOutcome {
                file: at.file.clone(),
                sheet: at.sheet.clone(),
                row,
                status: format!("held back: {} ({})", cause.location, cause.reason),
                transaction_id: None,
                time: now.clone(),
                severity: Some(Severity::Error),
            });
        }
    }
    rows.into_values().collect()
}

/// What [`write`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The annotated copy.
    pub annotated: Annotated,
    /// Rows of `input` given a status.
    pub rows: usize,
}

/// Writes the workbook `input` back to `output` with the rows' outcomes
/// (those of `rows` about `input`, named as the findings name it) and the
/// findings marked; `summary` is the Findings sheet's note.
pub fn write(
    input: &Path,
    output: &Path,
    rows: &[RowOutcome],
    findings: &[Diagnostic],
    held_back: &[HeldBack],
    summary: String,
) -> Result<Written, AnnotateError> {
    let label = input.display().to_string();
    let mut marks: Vec<Mark> = findings
        .iter()
        .map(|f| Mark::of_finding(&label, f, str::to_string))
        .collect();
    for h in held_back {
        let cells: Vec<String> = h.blocking.iter().map(|b| b.location.to_string()).collect();
        marks.push(Mark {
            severity: Severity::Error,
            code: "HELD_BACK".into(),
            message: format!(
                "{} ({}) is held back: not sent, so the server keeps the windows it holds for it; fix {} first",
                h.scope,
                h.entry_type,
                cells.join(", ")
            ),
            alid: Some(h.scope.alid.clone()),
            ..Default::default()
        });
    }
    let columns = RowColumns {
        titles: TITLES.iter().map(|t| t.to_string()).collect(),
        rows: rows
            .iter()
            .filter(|r| r.file == label)
            .filter_map(|r| {
                Some((
                    (r.sheet.clone()?, r.row),
                    RowTexts {
                        texts: vec![
                            r.status.clone(),
                            r.transaction_id.clone().unwrap_or_default(),
                            r.time.clone(),
                        ],
                        severity: r.severity,
                    },
                ))
            })
            .collect(),
    };
    let options = Options {
        title: Some(format!(
            "avails submit: {}",
            input.file_name().unwrap_or_default().to_string_lossy()
        )),
        notes: vec![summary],
        columns: Some(columns),
    };
    let annotated = crate::annotate(input, output, &marks, &options)?;
    Ok(Written {
        annotated,
        rows: rows.iter().filter(|r| r.file == label).count(),
    })
}

/// A time as RFC 3339 in UTC, to the second.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_in_utc() {
        let at = |s: u64| rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_796_688_000 + 3_723), "2026-12-08T01:02:03Z");
    }
}
