//! `avails delete`: remove a full extract or a transaction, after asking;
//! the journal then no longer counts it as landed.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use avails_journal::Journal;
use avails_submit::{DeleteError, DeleteTarget};

use super::target::{Target, TargetArgs};
use crate::connect::ConnectArgs;
use crate::output;

/// Delete a full extract (--alid, --territory, --business-line) or one
/// transaction (--transaction). Prefer expiring avails by moving End into
/// the past: it keeps the history and audit trail (the reference recommends
/// it). The journal forgets that what was deleted had landed, so the next
/// submit sends it again.
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
    let target = match args.target.target("delete")? {
        Target::Full {
            alid,
            territory,
            line,
        } => DeleteTarget::Full {
            alid,
            territory,
            business_line: line,
            contract_id: args.contract_id.as_deref(),
        },
        Target::Transaction(id) => DeleteTarget::Transaction(id),
    };
    let what = match target {
        DeleteTarget::Full {
            alid,
            territory,
            business_line,
            ..
        } => format!("every window of {alid} in {territory} ({business_line})"),
        DeleteTarget::Transaction(t) => format!("transaction {t}"),
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
    let settings = args.connect.settings()?;
    let _lock = settings.lock("delete")?;
    let result = settings.session(async |c| {
        let journal = Journal::open(&c.journal_path)
            .with_context(|| format!("cannot open the journal {}", c.journal_path.display()))?;
        Ok(avails_submit::delete(&c.client, &journal, target).await)
    })?;
    let profile = settings.profile();
    {
        match result {
            Ok(d) if d.response.success => {
                errln!(
                    "deleted {what}; the journal will send it again ({} entries)",
                    d.journal_entries
                );
                Ok(output::EXIT_OK.into())
            }
            Ok(d) => {
                errln!(
                    "not deleted: {}",
                    serde_json::to_string(&d.response.errors)?
                );
                Ok(output::EXIT_PROBLEMS.into())
            }
            Err(DeleteError::Client(e)) => {
                let code = output::client_error_code(&e);
                if code == output::EXIT_PROBLEMS {
                    errln!("not deleted: {e}");
                } else {
                    errln!("error: profile `{profile}`: {e}");
                }
                Ok(code.into())
            }
            Err(e @ DeleteError::Journal(_)) => {
                errln!("error: {e}");
                Ok(output::EXIT_FAILURE.into())
            }
        }
    }
}
