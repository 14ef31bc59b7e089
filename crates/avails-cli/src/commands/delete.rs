//! `avails delete`: remove a full extract or a transaction, after asking.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;

use super::target::{Target, TargetArgs};
use crate::connect::{runtime, ConnectArgs};
use crate::output;

/// Delete avails. Prefer expiring them by moving End into the past: it keeps
/// the history and audit trail (the reference recommends it).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only the windows of this contract.
    #[arg(long, requires = "alid")]
    pub contract_id: Option<String>,
    /// Do not ask for confirmation (required when not on a terminal).
    #[arg(long)]
    pub yes: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let what = match args.target.target() {
        Target::Full {
            alid,
            territory,
            line,
        } => format!("every window of {alid} in {territory} ({line})"),
        Target::Transaction(t) => format!("transaction {t}"),
    };
    errln!("warning: deleting {what}. Prime Video recommends expiring instead (set End in the past), which keeps the audit trail; a full delete is only allowed before assets or metadata were delivered.");
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            errln!("error: not a terminal: pass --yes to confirm");
            return Ok(output::EXIT_FAILURE.into());
        }
        err!("Delete {what}? Type `yes` to confirm: ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            errln!("nothing deleted");
            return Ok(output::EXIT_OK.into());
        }
    }
    runtime()?.block_on(async {
        let c = args.connect.connect().await?;
        let result = match args.target.target() {
            Target::Full {
                alid,
                territory,
                line,
            } => {
                c.client
                    .delete_full_extract(alid, territory, line, args.contract_id.as_deref())
                    .await
            }
            Target::Transaction(id) => c.client.delete_partial_extract(id).await,
        };
        let profile = c.profile.clone();
        c.close().await;
        match result {
            Ok(r) if r.success => {
                errln!("deleted {what}");
                Ok(output::EXIT_OK.into())
            }
            Ok(r) => {
                errln!("not deleted: {}", serde_json::to_string(&r.errors)?);
                Ok(output::EXIT_PROBLEMS.into())
            }
            Err(e) if matches!(e.status(), Some(400 | 404)) => {
                errln!("not deleted: {e}");
                Ok(output::EXIT_PROBLEMS.into())
            }
            Err(e) => {
                errln!("error: profile `{profile}`: {e}");
                Ok(output::EXIT_FAILURE.into())
            }
        }
    })
}
