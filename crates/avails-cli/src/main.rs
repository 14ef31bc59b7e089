//! `avails`: EMA Avails spreadsheets and MDDF XML to Prime Video's Avails API.
//!
//! The binary only parses arguments and prints; every command's logic lives
//! in the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod input;
mod output;
mod report;

/// Convert, validate, submit and compare Prime Video avails.
#[derive(Debug, Parser)]
#[command(name = "avails", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Convert EMA workbooks, CSV, MDDF XML or payload JSON into API payloads.
    Convert(commands::convert::Args),
    /// Check inputs against every rule of the reference, pointing at the cell.
    Validate(commands::validate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Convert(args) => commands::convert::run(args),
        Command::Validate(args) => commands::validate::run(args),
    };
    match result {
        Ok(code) => code.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            output::EXIT_FAILURE.into()
        }
    }
}
