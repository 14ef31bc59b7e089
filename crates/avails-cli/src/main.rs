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
mod memory;
mod report;

/// Convert, validate, submit and compare Prime Video avails.
#[derive(Debug, Parser)]
#[command(
    name = "avails",
    version,
    about,
    long_about = None,
    after_help = "Examples:\n  avails validate avails.xlsx\n  avails submit --sandbox avails.xlsx\n\n`avails COMMAND --help` gives each command's options and examples."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Convert EMA workbooks, CSV, MDDF XML or payload JSON into API payloads.
    #[command(
        after_help = "Examples:\n  avails convert avails.xlsx -o payloads/          one JSON file per title, territory and business line\n  avails convert avails.csv -o - | jq .            payloads on standard output"
    )]
    Convert(commands::convert::Args),
    /// Check inputs against every rule of the reference, pointing at the cell.
    #[command(
        after_help = "Examples:\n  avails validate avails.xlsx                      every problem, at its cell\n  avails validate --errors-only --format json avails.xlsx"
    )]
    Validate(commands::validate::Args),
    /// Convert, validate and send payloads, once each, resumable.
    #[command(
        after_help = "Examples:\n  avails submit --dry-run avails.xlsx              the plan per title, nothing sent\n  avails submit --sandbox samples/*.xlsx samples/*.csv\n  avails submit --profile prod avails.xlsx         send what changed since the last run"
    )]
    Submit(commands::submit::Args),
    /// Fetch what the server holds for a title or a transaction (JSON).
    #[command(
        after_help = "Examples:\n  avails get --sandbox --alid demoALID --territory US --business-line TVOD\n  avails get --profile prod --transaction availId123movie"
    )]
    Get(commands::get::Args),
    /// Delete a full extract or a transaction (expiring is preferred).
    #[command(
        after_help = "Examples:\n  avails delete --sandbox --alid demoALID --territory US --business-line TVOD --yes\n  avails delete --profile prod --transaction availId123movie"
    )]
    Delete(commands::delete::Args),
    /// Show each title's delivery state from the Asset Status API.
    #[command(
        after_help = "Examples:\n  avails status --sandbox demoALID\n  avails status --profile prod --format json demoALID otherALID"
    )]
    Status(commands::status::Args),
    /// Show what was sent when, with what answer (the audit trail).
    #[command(
        after_help = "Examples:\n  avails journal --profile prod --limit 20           the last 20 events, newest first\n  avails journal --sandbox-runs --state rejected    what the --sandbox runs had refused"
    )]
    Journal(commands::journal::Args),
    /// List the configured profiles, without secrets.
    #[command(
        after_help = "Examples:\n  avails profiles\n  avails profiles --config ~/avails.toml --format json"
    )]
    Profiles(commands::profiles::Args),
    /// Run a local server that behaves like Prime Video's Avails API.
    #[command(
        after_help = "Examples:\n  avails sandbox --licensor mgm --api-key-file mgm.key\n  avails sandbox --licensor mgm --api-key-file mgm.key --known-alids alids.txt --fail-rate 0.1"
    )]
    Sandbox(commands::sandbox::Args),
    /// Compare inputs with what the server holds, title by title.
    #[command(
        after_help = "Examples:\n  avails diff --profile prod avails.xlsx\n  avails diff --sandbox --html diff.html avails.xlsx"
    )]
    Diff(commands::diff::Args),
    /// Write what the server holds (or payload files) as an EMA workbook or CSV.
    #[command(
        after_help = "Examples:\n  avails export --profile prod --from avails.xlsx -o server.xlsx\n  avails export --offline --from payloads/*.json -o avails.xml"
    )]
    Export(commands::export::Args),
    /// Run a local web page to check, compare and send sheets.
    #[command(
        after_help = "Examples:\n  avails serve --sandbox --open                    try the page with nothing configured\n  avails serve --profile prod --listen 127.0.0.1:8470"
    )]
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
    let filter = avails_env::var(avails_env::LOG)
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command's --help has examples, and each example parses (its
    /// words up to a comment or a pipe).
    #[test]
    fn every_command_has_examples_that_parse() {
        let cli = Cli::command();
        let mut seen = 0;
        for sub in cli.get_subcommands() {
            let help = sub
                .get_after_help()
                .unwrap_or_else(|| panic!("`{}` has no examples", sub.get_name()))
                .to_string();
            let examples: Vec<&str> = help
                .lines()
                .map(str::trim_start)
                .filter(|l| l.starts_with("avails "))
                .collect();
            assert!(!examples.is_empty(), "`{}`: {help}", sub.get_name());
            for line in examples {
                let words = line.split("  ").next().unwrap().split(" |").next().unwrap();
                let parsed = Cli::try_parse_from(words.split_whitespace());
                assert!(parsed.is_ok(), "`{words}`: {}", parsed.unwrap_err());
                seen += 1;
            }
        }
        assert!(seen >= 22, "{seen} examples");
    }
}
