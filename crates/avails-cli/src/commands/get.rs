//! `avails get`: what the server holds, as JSON.

use std::process::ExitCode;

use anyhow::Result;
use avails_model::BusinessLine;

use crate::connect::{runtime, ConnectArgs};
use crate::output;

/// Fetch a full extract (title, territory, business line) or one transaction.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Title of a full extract.
    #[arg(long, required_unless_present = "transaction", requires_all = ["territory", "business_line"])]
    pub alid: Option<String>,
    /// Territory of the full extract (ISO 3166-1 alpha-2).
    #[arg(long)]
    pub territory: Option<String>,
    /// Business line: TVOD, PRIME_SUBSCRIPTION, CHANNELS or FVOD.
    #[arg(long)]
    pub business_line: Option<BusinessLine>,
    /// Transaction ID of a partial extract.
    #[arg(long, conflicts_with = "alid")]
    pub transaction: Option<String>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    runtime()?.block_on(async {
        let c = args.connect.connect().await?;
        let result = match (&args.alid, &args.transaction) {
            (Some(alid), _) => {
                let (territory, line) = (
                    args.territory.as_deref().unwrap_or(""),
                    args.business_line.expect("required"),
                );
                c.client.get_full_extract(alid, territory, line).await
            }
            (None, Some(id)) => c.client.get_partial_extract(id).await,
            (None, None) => unreachable!("clap requires one"),
        };
        let profile = c.profile.clone();
        c.close().await;
        match result {
            Ok(r) => {
                println!("{}", serde_json::to_string_pretty(&r)?);
                Ok(output::EXIT_OK.into())
            }
            Err(e) if e.status() == Some(404) => {
                eprintln!("not found: {e}");
                Ok(output::EXIT_PROBLEMS.into())
            }
            Err(e) => {
                eprintln!("error: profile `{profile}`: {e}");
                Ok(output::EXIT_FAILURE.into())
            }
        }
    })
}
