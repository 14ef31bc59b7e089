//! `avails status`: each title's delivery state from the Asset Status API.

use std::process::ExitCode;

use anyhow::Result;
use avails_client::asset_status::{blocking, has_missing_or_failed, render_table};
use serde_json::Value;

use crate::connect::ConnectArgs;
use crate::output::{self, Format};

/// Show what each title still needs before it can go live. Exits 1 when a
/// title has a missing or failed delivery it needs (ActionType
/// ACTION_NEEDED, or an overall Missing or Issue); recommended parts are
/// shown but do not change the exit code.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Titles to look up.
    #[arg(required = true, value_name = "ALID")]
    pub alids: Vec<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Marketplace: GLOBAL (default), US, DE, JP or GB.
    #[arg(long)]
    pub marketplace: Option<String>,
    /// `text` for a table, `json` for the API's ProductStatus objects.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let settings = args.connect.settings()?;
    let (all, not_found, could_not) = settings.session(async |c| {
        let mut all = Vec::new();
        let mut not_found = false;
        let mut could_not = false;
        for alid in &args.alids {
            match c
                .client
                .asset_status(alid, args.marketplace.as_deref())
                .await
            {
                Ok(status) => all.push((alid.clone(), status)),
                Err(e) if e.status() == Some(404) => {
                    errln!("{alid}: not found: {e}");
                    not_found = true;
                }
                Err(e) => {
                    errln!("error: profile `{}`: {e}", c.profile);
                    could_not = true;
                    break;
                }
            }
        }
        Ok((all, not_found, could_not))
    })?;
    match args.format {
        Format::Json => {
            let list: Vec<&Value> = all.iter().map(|(_, s)| s).collect();
            outln!("{}", serde_json::to_string_pretty(&list)?);
        }
        Format::Text => {
            for (alid, status) in &all {
                out!("{}", render_table(alid, status));
            }
        }
    }
    let mut missing_or_failed = false;
    for (alid, status) in &all {
        if has_missing_or_failed(status) {
            missing_or_failed = true;
            let parts: Vec<String> = blocking(status)
                .iter()
                .map(|b| format!("{} ({})", b.part, b.progress))
                .collect();
            errln!(
                "{alid}: missing or failed deliveries: {}",
                if parts.is_empty() {
                    "see the table".to_string()
                } else {
                    parts.join(", ")
                }
            );
        }
    }
    Ok(output::verdict(could_not, not_found || missing_or_failed))
}
