//! `avails get`: what the server holds, as JSON.

use std::process::ExitCode;

use anyhow::Result;

use super::target::{Target, TargetArgs};
use crate::connect::ConnectArgs;
use crate::output;

/// Fetch a full extract (--alid, --territory, --business-line) or one
/// transaction (--transaction).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let target = args.target.target("get")?;
    // What was asked for, in words, for the messages below.
    let what = match &target {
        Target::Full {
            alid,
            territory,
            line,
        } => format!(
            "no full extract for ALID `{alid}` in territory `{territory}` on business line {line}"
        ),
        Target::Transaction(id) => format!("no transaction `{id}`"),
    };
    let settings = args.connect.settings()?;
    let result = settings.session(async |c| {
        Ok(match target {
            Target::Full {
                alid,
                territory,
                line,
            } => c.client.get_full_extract(alid, territory, line).await,
            Target::Transaction(id) => c.client.get_partial_extract(id).await,
        })
    })?;
    let profile = settings.profile();
    match result {
        Ok(r) => {
            outln!("{}", serde_json::to_string_pretty(&r)?);
            Ok(output::EXIT_OK.into())
        }
        Err(e) => {
            let code = output::client_error_code(&e);
            if e.status() == Some(404) {
                errln!("not found (404): the server of profile `{profile}` holds {what}");
            } else if code == output::EXIT_PROBLEMS {
                errln!("refused: {e}");
            } else {
                errln!("error: profile `{profile}`: {e}");
            }
            Ok(code.into())
        }
    }
}
