//! `avails submit --report OUT.xlsx`: the argument glue around
//! [`avails_annotate::status`], which decides each row's status and writes
//! the workbook.

use std::path::{Path, PathBuf};

use anyhow::Result;
use avails_annotate::status;
use avails_convert::{Diagnostic, HeldBack};

pub use avails_annotate::status::{outcomes, RowOutcome};

/// The input the report is written from, checked before anything is sent.
pub fn target(inputs: &[PathBuf], output: &Path) -> Result<PathBuf> {
    Ok(status::target(inputs, output)?)
}

/// Writes the report and says so on stderr.
pub fn write(
    input: &Path,
    output: &Path,
    rows: &[RowOutcome],
    findings: &[Diagnostic],
    held_back: &[HeldBack],
    summary: String,
) -> Result<()> {
    let written = status::write(input, output, rows, findings, held_back, summary)?;
    let done = &written.annotated;
    errln!(
        "report: {} ({} rows with a status, {} cells marked, {} findings on its sheet \"{}\")",
        output.display(),
        written.rows,
        done.cells_marked,
        done.findings,
        done.findings_sheet
    );
    Ok(())
}
