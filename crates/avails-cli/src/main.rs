//! `avails`: EMA Avails spreadsheets and MDDF XML to Prime Video's Avails API.
//!
//! The binary only parses arguments and prints; every command's logic lives
//! in the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: conversion allocates many small strings and maps; the system
/// allocator spent a quarter of a large conversion in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// First, so its printing macros (`outln!`, `errln!`, ...) are in scope in
// every module after it.
#[macro_use]
mod output;
mod commands;
mod connect;
mod input;
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
    /// Convert, validate and send payloads, once each, resumable.
    Submit(commands::submit::Args),
    /// Fetch what the server holds for a title or a transaction (JSON).
    Get(commands::get::Args),
    /// Delete a full extract or a transaction (expiring is preferred).
    Delete(commands::delete::Args),
    /// Show each title's delivery state from the Asset Status API.
    Status(commands::status::Args),
    /// Show what was sent when, with what answer (the audit trail).
    Journal(commands::journal::Args),
    /// List the configured profiles, without secrets.
    Profiles(commands::profiles::Args),
    /// Run a local server that behaves like Prime Video's Avails API.
    Sandbox(commands::sandbox::Args),
    /// Compare inputs with what the server holds, title by title.
    Diff(commands::diff::Args),
    /// Write what the server holds (or payload files) as an EMA workbook or CSV.
    Export(commands::export::Args),
    /// Run a local web page to check, compare and send sheets.
    Serve(commands::serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Convert(args) => commands::convert::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Submit(args) => commands::submit::run(args),
        Command::Get(args) => commands::get::run(args),
        Command::Delete(args) => commands::delete::run(args),
        Command::Status(args) => commands::status::run(args),
        Command::Journal(args) => commands::journal::run(args),
        Command::Profiles(args) => commands::profiles::run(args),
        Command::Sandbox(args) => commands::sandbox::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Serve(args) => commands::serve::run(args),
    };
    let code = match result {
        Ok(code) => code,
        // The reader of the output went away: a quiet end (output.rs).
        Err(err) if output::is_broken_pipe(&err) => output::EXIT_OK.into(),
        Err(err) => {
            errln!("error: {}", output::chain(&err));
            output::EXIT_FAILURE.into()
        }
    };
    match output::finish_stdout() {
        Some(why) => {
            errln!("error: cannot write to standard output: {why}");
            output::EXIT_FAILURE.into()
        }
        None => code,
    }
}

/// Logs to standard error, filtered by `AVAILS_LOG` (or `RUST_LOG`);
/// warnings only by default; colours only on a terminal.
fn init_logging() {
    use std::io::IsTerminal;
    let filter = avails_client::env::var(avails_client::env::LOG)
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
