//! `avails validate --annotate OUT.xlsx`: which input is annotated, and the
//! findings (local and the server's) as marks of `avails-annotate`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use avails_annotate::Mark;
use avails_convert::{Diagnostic, FileSummary};

use super::remote::Outcome;

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

/// The mark of one finding, for the annotated copy of the input named
/// `label` (a finding about another file is listed only).
pub fn mark_of(label: &str, f: &Diagnostic) -> Mark {
    Mark::of_finding(label, f, str::to_string)
}

/// Writes the annotated copy of `input` to `output` with every finding
/// (the server's too, and what it was asked, when it was); not when the
/// input itself could not be read (the command exits 2 for that).
pub fn write(
    input: &Path,
    output: &Path,
    files: &[FileSummary],
    marks: &[Mark],
    server: Option<&Outcome>,
) -> Result<()> {
    let label = input.display().to_string();
    if !files.iter().any(|f| f.file == label) {
        errln!(
            "no annotated copy: {} could not be read (see above)",
            input.display()
        );
        return Ok(());
    }
    let options = avails_annotate::Options {
        title: Some(format!(
            "avails validate: {}",
            input.file_name().unwrap_or_default().to_string_lossy()
        )),
        notes: server.iter().map(|o| o.summary()).collect(),
        ..Default::default()
    };
    let done = avails_annotate::annotate(input, output, marks, &options)?;
    errln!(
        "annotated copy: {} ({} cells marked, {} findings on its sheet \"{}\")",
        output.display(),
        done.cells_marked,
        done.findings,
        done.findings_sheet
    );
    Ok(())
}
