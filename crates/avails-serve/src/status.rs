//! The receipt's per-row status: what became of each row of the sheets
//! sent, as `avails submit --report` gives it (`avails_annotate::status`,
//! the same code): the workbook back with a status per row, and the same
//! rows in the receipt's JSON. Files are named as the user named them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use avails_annotate::status::{self, RowOutcome};
use avails_convert::{Diagnostic, HeldBack};
use avails_submit::{Report, RowSource, Unit};
use serde_json::{json, Value};

use crate::engine::Prepared;
use crate::error::RequestError;
use crate::names::FileNames;

/// What a send's rows are decided from, besides its report: kept with the
/// plan confirmed.
pub struct RowInputs {
    /// Each unit's rows, by journal key.
    pub sources: HashMap<String, Vec<RowSource>>,
    /// Every finding (conversion, rules, planning), messages naming files
    /// as the user did.
    pub findings: Vec<Diagnostic>,
    /// Titles held back.
    pub held_back: Vec<HeldBack>,
    /// The files' names.
    pub files: FileNames,
}

impl RowInputs {
    /// From the set as prepared and the units planned (with the planning's
    /// own findings).
    pub fn new(prepared: &Prepared, units: &[Unit], problems: &[Diagnostic]) -> Self {
        let payloads = &prepared.conversion.payloads;
        let mut rows_of: HashMap<usize, Vec<RowSource>> = HashMap::new();
        let sources = units
            .iter()
            .map(|u| {
                let rows = rows_of
                    .entry(u.payload)
                    .or_insert_with(|| avails_submit::payload_rows(&payloads[u.payload]));
                (u.key.clone(), avails_submit::unit_rows(rows, &u.kind))
            })
            .collect();
        let files = prepared.files.clone();
        let findings = prepared
            .findings
            .iter()
            .cloned()
            .chain(problems.iter().map(|p| {
                let mut p = p.clone();
                p.message = files.in_text(&p.message);
                p
            }))
            .collect();
        Self {
            sources,
            findings,
            held_back: prepared.conversion.held_back.clone(),
            files,
        }
    }

    /// Each row's outcome after `report` (files by their stored paths, as
    /// the workbook writer matches them).
    pub fn outcomes(&self, report: &Report) -> Vec<RowOutcome> {
        let mut rows = status::outcomes(&self.sources, report, &self.findings, &self.held_back);
        for r in &mut rows {
            // "held back: <the cell that blocks it>" names that cell's file.
            r.status = self.files.in_text(&r.status);
        }
        rows
    }

    /// The rows for the receipt's JSON, each file by the user's name.
    pub fn json(&self, rows: &[RowOutcome]) -> Value {
        let rows: Vec<Value> = rows
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
                v["file"] = json!(self.files.name_of(&r.file));
                v
            })
            .collect();
        Value::Array(rows)
    }

    /// The first workbook (XLSX, XLSM) of the set, the one the status
    /// workbook is written from; `None` when the set has none (CSV, XML
    /// and JSON have no room for a status column: the JSON has the rows).
    pub fn workbook(&self, output: &Path) -> Option<PathBuf> {
        status::target(&self.files.paths(), output).ok()
    }

    /// Writes the status workbook of `input` to `output`; the rows given a
    /// status.
    pub fn write(
        &self,
        input: &Path,
        output: &Path,
        rows: &[RowOutcome],
        summary: String,
    ) -> Result<usize, RequestError> {
        // The Findings sheet's note on a title held back names its
        // blocking cells: by the user's file name.
        let held_back: Vec<HeldBack> = self
            .held_back
            .iter()
            .map(|h| {
                let mut h = h.clone();
                for b in &mut h.blocking {
                    b.location = self.files.located(&b.location);
                }
                h
            })
            .collect();
        let written = status::write(input, output, rows, &self.findings, &held_back, summary)
            .map_err(|e| RequestError::failed("cannot write the status workbook", &e))?;
        Ok(written.rows)
    }
}
