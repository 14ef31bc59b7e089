//! `avails journal`: what was sent when, with what answer.

use std::process::ExitCode;

use anyhow::{Context, Result};
use avails_client::Config;
use avails_journal::{journal_path, HistoryFilter, Journal, State, SANDBOX_PROFILE};

use crate::connect::{ConfigArgs, StateArgs};
use crate::output::{self, Format};

/// Show the submission journal of a profile: the audit trail.
///
/// The profile is the one submit would use: --profile, else $AVAILS_PROFILE,
/// else avails.toml's default_profile (or its only profile); with --sandbox,
/// or when no profile is configured at all, the journal of --sandbox runs.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile whose journal to show.
    #[arg(long, conflicts_with = "sandbox")]
    pub profile: Option<String>,
    /// Show the journal of `--sandbox` runs.
    #[arg(long)]
    pub sandbox: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub state: StateArgs,
    /// Only keys starting with this (e.g. `full:mgm:demoALID`).
    #[arg(long)]
    pub key_prefix: Option<String>,
    /// Only events in this state (pending, sending, acknowledged, rejected, failed).
    #[arg(long = "state", value_name = "STATE")]
    pub state_filter: Option<State>,
    /// At most this many events, newest first.
    #[arg(long, default_value_t = 200)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The profile whose journal is shown.
fn profile(args: &Args) -> Result<String> {
    if args.sandbox {
        return Ok(SANDBOX_PROFILE.to_string());
    }
    let config = Config::load(args.config.config.as_deref())?;
    if args.profile.is_none() && !config.has_implicit_profile() {
        return Ok(SANDBOX_PROFILE.to_string());
    }
    Ok(config.profile_name(args.profile.as_deref()))
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let profile = profile(&args)?;
    let path = journal_path(&args.state.state_dir, &profile);
    if !path.exists() {
        errln!(
            "no journal for profile `{profile}` at {}: nothing was submitted with it from this \
             folder yet (or give --state-dir, --profile or --sandbox)",
            path.display()
        );
        return Ok(output::EXIT_FAILURE.into());
    }
    let journal =
        Journal::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let events = journal.history(&HistoryFilter {
        key: None,
        key_prefix: args.key_prefix.clone(),
        state: args.state_filter,
        limit: Some(args.limit),
    })?;
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&events)?),
        Format::Text => {
            for e in &events {
                let answer = e.answer.as_ref().map(|a| a.to_string()).unwrap_or_default();
                let note = e
                    .note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                outln!(
                    "{}  {:<12} {:>3}  {}  {}  {}{note}",
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
