//! `avails journal`: what was sent when, with what answer.

use std::process::ExitCode;

use anyhow::{Context, Result};
use avails_journal::{HistoryFilter, Journal, State};

use crate::output::{self, Format};

/// Show the submission journal of a profile: the audit trail.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile whose journal to show (`sandbox` for --sandbox runs).
    #[arg(long, env = "AVAILS_PROFILE", default_value = "sandbox")]
    pub profile: String,
    /// Folder holding the journals.
    #[arg(long, value_name = "DIR", default_value = ".avails")]
    pub state_dir: std::path::PathBuf,
    /// Only keys starting with this (e.g. `full:mgm:demoALID`).
    #[arg(long)]
    pub key_prefix: Option<String>,
    /// Only events in this state (pending, sending, acknowledged, rejected, failed).
    #[arg(long)]
    pub state: Option<State>,
    /// At most this many events, newest first.
    #[arg(long, default_value_t = 200)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let path = args
        .state_dir
        .join(format!("journal-{}.sqlite", args.profile));
    if !path.exists() {
        errln!(
            "no journal for profile `{}` at {}",
            args.profile,
            path.display()
        );
        return Ok(output::EXIT_FAILURE.into());
    }
    let journal =
        Journal::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let events = journal.history(&HistoryFilter {
        key: None,
        key_prefix: args.key_prefix.clone(),
        state: args.state,
        limit: Some(args.limit),
    })?;
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&events)?),
        Format::Text => {
            for e in &events {
                let answer = e.answer.as_ref().map(|a| a.to_string()).unwrap_or_default();
                outln!(
                    "{}  {:<12} {:>3}  {}  {}  {}",
                    e.at,
                    e.state.as_str(),
                    e.http_status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "-".into()),
                    e.key,
                    &e.hash[..e.hash.len().min(12)],
                    answer
                );
            }
        }
    }
    Ok(output::EXIT_OK.into())
}
