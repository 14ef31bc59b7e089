//! `avails submit`: convert, validate, then send what is clean, once.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use avails_convert::Diagnostic;
use avails_journal::Journal;
use avails_submit::{Event, Spool, SubmitError, SubmitOptions};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::connect::{runtime, ConnectArgs};
use crate::input::InputArgs;
use crate::output::{self, Format};

/// Convert, validate and send payloads; re-runs skip what already landed.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Send each transaction as a partial extract through the batch endpoint.
    #[arg(long)]
    pub partial: bool,
    /// Items per batch call with --partial (at most 100).
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub batch_size: u16,
    /// Plan only: list each title as new, changed, unchanged, refused or
    /// held back, and send nothing (`--format json`: see docs/dry-run.md).
    #[arg(long)]
    pub dry_run: bool,
    /// Send even payloads the journal says already landed unchanged.
    #[arg(long)]
    pub force: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    // One writer per state directory for the whole submit.
    let _lock = args.connect.lock("submit")?;
    let options = args.input.options()?;
    let rt = runtime()?;
    rt.block_on(async {
        let connection = args.connect.connect().await?;
        // Streamed: each payload checked and planned as its group closes,
        // its body kept on disk; nothing leaves before the whole input is
        // read (a later row could still reopen a group).
        let bar = crate::input::progress_bar()?;
        let spool = Spool::new(&options.mapping, connection.client.licensor(), args.partial)
            .context("cannot create the temporary file for the payloads")?;
        let mut spool = spool.with_progress(|n| bar.set_position(n as u64));
        let conversion = args.input.stream(&options, &mut spool)?;
        bar.finish_and_clear();
        if !conversion.unreadable.is_empty() {
            crate::report::print_unreadable(&conversion.unreadable);
            errln!("error: nothing sent: fix or remove the unreadable inputs first");
            return Ok(output::EXIT_FAILURE.into());
        }
        let refused = spool.refused();
        let unsendable = spool.unsendable();
        let mut findings: Vec<Diagnostic> = conversion.diagnostics.iter().filter(|f| f.is_error()).cloned().collect();
        // The errors of the payloads validation refuses, for the plan.
        let refusals: Vec<Diagnostic> = spool.findings().filter(|f| f.is_error()).cloned().collect();
        findings.extend(refusals.iter().cloned());
        let (spooled, problems) = spool.finish().context("cannot read back the payloads to send")?;
        for f in &findings {
            errln!("{f}");
        }
        // What is held back is never sent: the server keeps every window it
        // holds for those titles.
        for h in &conversion.held_back {
            errln!(
                "protected: {} ({}) is not sent, so the server keeps the windows it holds for it; fix {} first",
                h.scope,
                h.entry_type,
                h.blocking
                    .iter()
                    .map(|b| b.location.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for p in &problems {
            errln!("{p}");
        }
        let units = spooled.units().len();
        let journal = Journal::open(&connection.journal_path)
            .with_context(|| format!("cannot open the journal {}", connection.journal_path.display()))?;
        // Each key's title and sheet row, for `avails journal`.
        if !args.dry_run {
            journal
                .describe_all(spooled.units().iter().map(|u| avails_journal::Description {
                    key: &u.key,
                    title: &u.title,
                    source: &u.source,
                }))
                .with_context(|| format!("cannot write the journal {}", connection.journal_path.display()))?;
        }
        let journal = Arc::new(Mutex::new(journal));
        let options = SubmitOptions {
            batch_size: args.batch_size.into(),
            force: args.force,
            dry_run: args.dry_run,
            ..SubmitOptions::for_client(&connection.client)
        };
        let progress = Progress::new(units as u64);
        let result = avails_submit::submit_spooled(&connection.client, journal, spooled, &options, &|e| progress.on(e)).await;
        progress.finish();
        let profile = connection.profile.clone();
        connection.close().await;
        let report = match result {
            Ok(r) => r,
            Err(SubmitError::Credentials(e)) => {
                errln!("error: profile `{profile}`: {e}");
                return Ok(output::EXIT_FAILURE.into());
            }
            Err(e @ SubmitError::Unreachable(_)) => {
                errln!("error: profile `{profile}`: {e}");
                return Ok(output::EXIT_FAILURE.into());
            }
            Err(e) => return Err(e.into()),
        };
        let locally_rejected = refused + unsendable + problems.len() + conversion.held_back.len();
        let plan = args.dry_run.then(|| dry_run_plan(&report, &refusals, &problems, &conversion.held_back));
        match args.format {
            Format::Json => {
                let mut summary = json!({
                    "profile": profile,
                    "report": report,
                    "refused": refused,
                    "heldBack": conversion.held_back,
                    "rows": conversion.rows,
                    "findings": findings.iter().chain(&problems).collect::<Vec<_>>(),
                });
                if let Some(plan) = &plan {
                    summary["plan"] = serde_json::to_value(plan)?;
                }
                outln!("{}", serde_json::to_string_pretty(&summary)?)
            }
            Format::Text => {
                if let Some(plan) = &plan {
                    print_plan(plan);
                }
                for r in &report.rejected {
                    let errors: Vec<String> = r.errors.iter().map(|e| format!("{}: {}", e.code, e.message)).collect();
                    errln!("rejected by the server: {}: {}", r.key, errors.join("; "));
                }
                for f in &report.failed {
                    errln!("failed: {}: {}", f.key, f.message);
                }
                crate::report::print_tabs(&conversion.files);
                let verb = if args.dry_run { "would send" } else { "sent" };
                let count = if args.dry_run { report.planned } else { report.sent };
                errln!(
                    "{verb} {count}, unchanged {}, rejected {} (+{locally_rejected} refused locally), failed {} — {} requests, {} retries, {} throttled, {:.1}s [{profile}]",
                    report.unchanged,
                    report.rejected.len(),
                    report.failed.len(),
                    report.requests,
                    report.retries,
                    report.throttled,
                    report.seconds,
                );
            }
        }
        Ok(if !report.failed.is_empty() {
            output::EXIT_FAILURE.into()
        } else if !report.rejected.is_empty() || locally_rejected > 0 || conversion.rows.rejected > 0 {
            output::EXIT_PROBLEMS.into()
        } else {
            output::EXIT_OK.into()
        })
    })
}

/// A dry run's plan, per title (docs/dry-run.md).
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Plan {
    /// Every unit planned, in order: what would be done with it.
    titles: Vec<PlannedTitle>,
    /// Payloads local validation refuses: never sent.
    refused: Vec<RefusedTitle>,
    /// Full extracts held back because a row of theirs could not be placed.
    held_back: Vec<HeldBackTitle>,
}

#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PlannedTitle {
    /// `ALID TERRITORY LINE`, or `transaction ID` for a partial extract.
    title: String,
    key: String,
    action: avails_submit::PlannedAction,
    /// Whether it would be sent.
    sends: bool,
}

#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct RefusedTitle {
    alid: String,
    /// Each error: `LOCATION CODE: message`.
    reasons: Vec<String>,
}

#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct HeldBackTitle {
    title: String,
    /// Each cell to fix: `LOCATION: reason`.
    blocking: Vec<String>,
}

fn dry_run_plan(
    report: &avails_submit::Report,
    refusals: &[Diagnostic],
    problems: &[Diagnostic],
    held_back: &[avails_convert::HeldBack],
) -> Plan {
    let titles = report
        .plan
        .iter()
        .map(|u| PlannedTitle {
            title: super::journal::describe_key(&u.key),
            key: u.key.clone(),
            action: u.action,
            sends: u.action.sends(),
        })
        .collect();
    // Grouped by title, in the order first found.
    let mut refused: Vec<RefusedTitle> = Vec::new();
    for d in refusals.iter().chain(problems) {
        let alid = d.alid.clone().unwrap_or_default();
        let reason = format!("{} {}: {}", d.location, d.code, d.message);
        match refused.iter_mut().find(|r| r.alid == alid) {
            Some(r) => r.reasons.push(reason),
            None => refused.push(RefusedTitle {
                alid,
                reasons: vec![reason],
            }),
        }
    }
    let held_back = held_back
        .iter()
        .map(|h| HeldBackTitle {
            title: h.scope.to_string(),
            blocking: h
                .blocking
                .iter()
                .map(|b| format!("{}: {}", b.location, b.reason))
                .collect(),
        })
        .collect();
    Plan {
        titles,
        refused,
        held_back,
    }
}

/// The plan on standard output, one title a line (reasons indented).
fn print_plan(plan: &Plan) {
    for t in &plan.titles {
        let verb = if t.sends { "would send" } else { "would skip" };
        outln!("{:<10} {}  ({verb})", t.action.as_str(), t.title);
    }
    for r in &plan.refused {
        outln!("{:<10} {}  (never sent)", "refused", r.alid);
        for reason in &r.reasons {
            outln!("             {reason}");
        }
    }
    for h in &plan.held_back {
        outln!(
            "{:<10} {}  (not sent: the server keeps what it holds)",
            "held back",
            h.title
        );
        for b in &h.blocking {
            outln!("             {b}");
        }
    }
}

/// A bar with rate and ETA on a terminal; a line per tenth when piped.
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: std::sync::atomic::AtomicU64,
}

impl Progress {
    fn new(total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} ({per_sec}, ETA {eta})")
            {
                bar.set_style(style);
            }
            bar
        });
        Self {
            bar,
            total,
            done: 0.into(),
        }
    }

    fn on(&self, event: Event) {
        let Event::Done(n) = event;
        let before = self
            .done
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        let now = before + n as u64;
        match &self.bar {
            Some(bar) => bar.set_position(now),
            None => {
                let step = (self.total / 10).max(1);
                if now / step != before / step || now == self.total {
                    errln!("progress: {now}/{}", self.total);
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
