//! `avails validate`: every rule of the reference, pointing at the cell.

use std::process::ExitCode;

use anyhow::Result;
use avails_convert::{check, Severity};

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
    let options = args.input.options()?;
    let conversion = args.input.convert(&options)?;
    let (mut findings, failing) = check(&conversion, &options.mapping);
    if args.errors_only {
        findings.retain(|f| f.severity == Severity::Error);
    }
    let errors = findings.iter().filter(|f| f.is_error()).count();
    let warnings = findings.len() - errors;
    match args.format {
        Format::Text => {
            for f in &findings {
                outln!("{f}");
            }
            crate::report::print_unreadable(&conversion.unreadable);
            let refused = failing.iter().filter(|f| **f).count();
            errln!(
                "{} payloads from {} rows ({} refused by validation, {} held back): {errors} errors, {warnings} warnings",
                conversion.payloads.len(),
                conversion.rows.read,
                refused,
                conversion.held_back.len(),
            );
        }
        Format::Json => {
            outln!("{}", serde_json::to_string_pretty(&findings)?);
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
