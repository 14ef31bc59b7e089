//! Printing located findings the way compilers do.

use avails_convert::{ConvertError, Diagnostic};

use crate::output::Format;

/// Prints findings one per line on standard error (text) or as JSON.
pub fn print_diagnostics(diagnostics: &[Diagnostic], format: Format, to_stderr: bool) {
    match format {
        Format::Text => {
            for d in diagnostics {
                errln!("{d}");
            }
        }
        Format::Json => {
            let text = serde_json::to_string_pretty(diagnostics).unwrap_or_default();
            if to_stderr {
                errln!("{text}");
            } else {
                outln!("{text}");
            }
        }
    }
}

/// Prints inputs that could not be read.
pub fn print_unreadable(errors: &[ConvertError]) {
    for e in errors {
        errln!("error: {e}");
    }
}

/// Names every workbook tab read (with its rows), on standard error: one
/// line, or nothing when no input was a workbook.
pub fn print_tabs(files: &[avails_convert::FileSummary]) {
    let tabs: Vec<String> = files
        .iter()
        .flat_map(|f| {
            f.sheets
                .iter()
                .filter(|s| !s.sheet.is_empty())
                .map(move |s| format!("{}:{} ({} rows)", f.file, s.sheet, s.rows))
        })
        .collect();
    if !tabs.is_empty() {
        errln!("tabs read: {}", tabs.join(", "));
    }
}
