//! `avails validate --annotate OUT.xlsx`: which input is annotated, and the
//! findings (local and the server's) as marks of `avails-annotate`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use avails_annotate::{Mark, Origin};
use avails_convert::{Finding, Severity};
use avails_model::Location;

use super::remote::{Outcome, ServerFinding};

/// Extensions `avails-annotate` copies.
const SHEETS: [&str; 4] = ["xlsx", "xlsm", "xls", "csv"];

/// The input to annotate: the first workbook or CSV among `inputs`. The
/// output may be none of the inputs (checked before any work is done).
pub fn target(inputs: &[PathBuf], output: &Path) -> Result<PathBuf> {
    for input in inputs {
        if input.exists() {
            avails_annotate::ensure_distinct(input, output)?;
        }
    }
    let found = inputs.iter().find(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SHEETS.iter().any(|s| s.eq_ignore_ascii_case(e)))
    });
    match found {
        Some(p) => Ok(p.clone()),
        None => bail!(
            "--annotate {}: no workbook or CSV among the inputs to annotate (allowed: .xlsx, .xlsm, .xls, .csv)",
            output.display()
        ),
    }
}

/// Every finding as a mark; those about another file than `annotated` are
/// listed on the Findings sheet only.
pub fn marks(annotated: &Path, local: &[Finding], server: &[ServerFinding]) -> Vec<Mark> {
    let label = annotated.display().to_string();
    let mark = |location: &Location, severity: Severity, code: &str, message: &str| Mark {
        sheet: location.sheet.clone(),
        row: location.row,
        column: location.column.clone(),
        severity: match severity {
            Severity::Error => avails_annotate::Severity::Error,
            Severity::Warning => avails_annotate::Severity::Warning,
        },
        code: code.to_string(),
        message: message.to_string(),
        other_file: (location.file != label).then(|| location.file.clone()),
        ..Mark::default()
    };
    let mut out: Vec<Mark> = local
        .iter()
        .map(|f| Mark {
            alid: f.alid.clone(),
            transaction_id: f.transaction_id.clone(),
            ..mark(&f.location, f.severity, f.code, &f.message)
        })
        .collect();
    out.extend(server.iter().map(|f| Mark {
        alid: Some(f.alid.clone()),
        transaction_id: f.transaction_id.clone(),
        origin: Origin::Server,
        ..mark(&f.location, f.severity, &f.code, &f.message)
    }));
    out
}

/// Writes the annotated copy of `input` to `output` with every finding
/// (the server's too, and what it was asked, when it was).
pub fn write(
    input: &Path,
    output: &Path,
    local: &[Finding],
    server: Option<&Outcome>,
) -> Result<()> {
    let server_findings = server.map_or(&[][..], |o| &o.findings[..]);
    let options = avails_annotate::Options {
        title: Some(format!(
            "avails validate: {}",
            input.file_name().unwrap_or_default().to_string_lossy()
        )),
        notes: server.iter().map(|o| o.summary()).collect(),
    };
    let done = avails_annotate::annotate(
        input,
        output,
        &marks(input, local, server_findings),
        &options,
    )?;
    eprintln!(
        "annotated copy: {} ({} cells marked, {} findings on its sheet \"{}\")",
        output.display(),
        done.cells_marked,
        done.findings,
        done.findings_sheet
    );
    Ok(())
}
