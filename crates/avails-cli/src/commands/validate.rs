//! `avails validate`: every rule of the reference, pointing at the cell.

use std::process::ExitCode;

use anyhow::Result;
use avails_convert::{check, Severity};
use serde_json::json;

use crate::input::InputArgs;
use crate::output::{self, Format};

/// Check inputs against every rule of the reference before anything is sent.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format: one diagnostic per line, or a JSON list.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Hide warnings.
    #[arg(long)]
    pub errors_only: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let mapping = args.input.mapping()?;
    let conversion = args.input.convert()?;
    let mut findings = check(&conversion, &mapping);
    if args.errors_only {
        findings.retain(|f| f.severity == Severity::Error);
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    match args.format {
        Format::Text => {
            for f in &findings {
                outln!("{f}");
            }
            crate::report::print_unreadable(&conversion.unreadable);
            errln!(
                "{} payloads from {} rows: {errors} errors, {warnings} warnings",
                conversion.payloads.len(),
                conversion.items
            );
        }
        Format::Json => {
            let list: Vec<_> = findings
                .iter()
                .map(|f| {
                    json!({
                        "code": f.code,
                        "severity": f.severity,
                        "message": f.message,
                        "file": f.location.file,
                        "sheet": f.location.sheet,
                        "row": f.location.row,
                        "column": f.location.column,
                        "path": f.location.path,
                        "alid": f.alid,
                        "transactionId": f.transaction_id,
                    })
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&list)?);
            crate::report::print_unreadable(&conversion.unreadable);
        }
    }
    Ok(if !conversion.unreadable.is_empty() {
        output::EXIT_FAILURE.into()
    } else if errors > 0 {
        output::EXIT_PROBLEMS.into()
    } else {
        output::EXIT_OK.into()
    })
}
