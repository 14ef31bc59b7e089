//! `avails journal`: what was sent when, with what answer.

use std::process::ExitCode;

use anyhow::{Context, Result};
use avails_journal::{journal_path, HistoryFilter, Journal, State};

use crate::connect::{ConfigArgs, StateArgs, Target, Unnamed};
use crate::output::{self, Format};

/// Show the submission journal of a profile: the audit trail, newest first.
///
/// The profile is the one submit would use: --profile, else $AVAILS_PROFILE,
/// else avails.toml's default_profile (or its only profile); with
/// --sandbox-runs, or when no profile is configured at all, the journal of
/// the commands run with --sandbox.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Profile whose journal to show.
    #[arg(long, conflicts_with = "sandbox_runs")]
    pub profile: Option<String>,
    /// Show the journal written by the commands run with `--sandbox`. Unlike
    /// `--sandbox` on other commands, this starts no sandbox: it only reads
    /// that journal (`--sandbox` is still accepted here, with this meaning).
    #[arg(long, alias = "sandbox")]
    pub sandbox_runs: bool,
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

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    // The profile submit would use (one choice, `Target::choose`), else
    // the sandbox's runs when none is configured.
    let target = Target::choose(
        args.sandbox_runs,
        args.profile.as_deref(),
        &args.config,
        Unnamed::SandboxRuns,
    )?;
    let profile = target.profile();
    let path = journal_path(&args.state.resolve(&target), profile);
    if !path.exists() {
        let since = match &target {
            Target::Sandbox => "from this folder yet",
            Target::Profile { .. } => "yet",
        };
        errln!(
            "no journal for profile `{profile}` at {}: nothing was submitted with it {since} \
             (or give --state-dir, --profile or --sandbox-runs)",
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
                // The title as the sheet names it, the scope, the sheet row.
                let mut what = match &e.title {
                    Some(title) => format!("{title} ({})", describe_key(&e.key)),
                    None => describe_key(&e.key),
                };
                if let Some(source) = &e.source {
                    what.push_str(&format!(" at {source}"));
                }
                let answer = e.answer.as_ref().map(|a| a.to_string()).unwrap_or_default();
                let note = e
                    .note
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                outln!(
                    "{}  {:<12} {:>3}  {what}  {}  {}{note}",
                    e.at,
                    e.state.as_str(),
                    e.http_status
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "-".into()),
                    &e.hash[..e.hash.len().min(12)],
                    answer
                );
            }
        }
    }
    Ok(output::EXIT_OK.into())
}

/// A journal key in words: `ALID territory line` for a full extract,
/// `transaction ID` for a partial one (the key itself for any other).
pub fn describe_key(key: &str) -> String {
    let mut parts = key.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("full"), Some(_licensor), Some(rest)) => {
            // ALIDs may hold `:` (URNs): territory and line are the last two.
            let mut tail = rest.rsplitn(3, ':');
            match (tail.next(), tail.next(), tail.next()) {
                (Some(line), Some(territory), Some(alid)) => {
                    format!("{alid} {territory} {line}")
                }
                _ => key.to_string(),
            }
        }
        (Some("partial"), Some(_licensor), Some(id)) => format!("transaction {id}"),
        _ => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe_key;

    #[test]
    fn keys_in_words() {
        assert_eq!(
            describe_key("full:mgm:md:alid:mgm:123:US:TVOD"),
            "md:alid:mgm:123 US TVOD"
        );
        assert_eq!(describe_key("partial:mgm:tx-9"), "transaction tx-9");
        assert_eq!(describe_key("odd"), "odd");
        assert_eq!(describe_key("full:mgm:US"), "full:mgm:US");
    }
}
