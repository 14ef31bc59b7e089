//! `avails submit`: convert, validate, then send what is clean, once.

mod report;

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

use super::MAX_BATCH;

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
    /// Items per batch call with --partial (the reference's cap, 100, by
    /// default; fewer if asked).
    #[arg(long, default_value_t = MAX_BATCH, value_parser = clap::value_parser!(u16).range(1..=MAX_BATCH as i64))]
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
    /// Also write the workbook back to OUT.xlsx with what became of each
    /// row (sent, unchanged, refused, held back, failed), its
    /// TransactionID and the time, in new columns at its right; `--format
    /// json` then lists the same per row. With several inputs: the first
    /// .xlsx/.xlsm, else the first .csv/.xls (an XLSX of its cells); the
    /// other inputs' rows are in `--format json` only.
    #[arg(long, value_name = "OUT.xlsx")]
    pub report: Option<std::path::PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    // One writer per state directory for the whole submit.
    let settings = args.connect.settings()?;
    let _lock = settings.lock("submit")?;
    // Checked before anything is sent: the report may not overwrite an input.
    let report_to = match &args.report {
        Some(out) => {
            crate::memory::return_freed_memory_at_once();
            Some((report::target(&args.input.inputs, out)?, out.clone()))
        }
        None => None,
    };
    let options = args.input.options_with(settings.config())?;
    let rt = runtime()?;
    rt.block_on(async {
        let connection = settings.connect().await?;
        // Streamed: each payload checked and planned as its group closes,
        // its body kept on disk; nothing leaves before the whole input is
        // read (a later row could still reopen a group).
        let bar = crate::input::progress_bar()?;
        let spool = Spool::new(&options.mapping, connection.client.licensor(), args.partial)
            .context("cannot create the temporary file for the payloads")?;
        let spool = if report_to.is_some() { spool.with_sources() } else { spool };
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
        let (mut spooled, problems) = spool.finish().context("cannot read back the payloads to send")?;
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
        let unit_rows: std::collections::HashMap<String, Vec<avails_submit::RowSource>> = match report_to {
            Some(_) => spooled.units().iter().map(|u| (u.key.clone(), u.sources().to_vec())).collect(),
            None => Default::default(),
        };
        let journal = Journal::open(&connection.journal_path)
            .with_context(|| format!("cannot open the journal {}", connection.journal_path.display()))?;
        // A dry run says which fields of a changed title differ from what
        // the server holds (the journal keeps only a hash).
        let changed = if args.dry_run {
            changed_fields(&connection.client, &journal, &mut spooled, &options.mapping).await?
        } else {
            std::collections::HashMap::new()
        };
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
        // The report shows the warnings too, as validate --annotate does.
        let all_findings: Vec<Diagnostic> = match report_to {
            Some(_) => findings
                .iter()
                .chain(&problems)
                .chain(conversion.diagnostics.iter().filter(|f| !f.is_error()))
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        let rows = match &report_to {
            Some(_) => report::outcomes(&unit_rows, &report, &all_findings, &conversion.held_back),
            None => Vec::new(),
        };
        if let Some((input, out)) = &report_to {
            let verb = if args.dry_run { "would send" } else { "sent" };
            let count = if args.dry_run { report.planned } else { report.sent };
            let summary = format!(
                "Profile {profile}: {verb} {count}, unchanged {}, refused by the server {}, refused locally {locally_rejected}, failed {}.",
                report.unchanged,
                report.rejected.len(),
                report.failed.len()
            );
            report::write(input, out, &rows, &all_findings, &conversion.held_back, summary)?;
        }
        let plan = args
            .dry_run
            .then(|| dry_run_plan(&report, &refusals, &problems, &conversion.held_back, &changed));
        match args.format {
            Format::Json => {
                let mut out = json!({
                    "profile": profile,
                    "report": report,
                    "refused": refused,
                    "heldBack": conversion.held_back,
                    "rows": conversion.rows,
                    "findings": findings.iter().chain(&problems).collect::<Vec<_>>(),
                });
                if report_to.is_some() {
                    out["rowOutcomes"] = serde_json::to_value(&rows)?;
                }
                if let Some(plan) = &plan {
                    out["plan"] = serde_json::to_value(plan)?;
                }
                outln!("{}", serde_json::to_string_pretty(&out)?)
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
        Ok(output::verdict(
            !report.failed.is_empty(),
            !report.rejected.is_empty() || locally_rejected > 0 || conversion.rows.rejected > 0,
        ))
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
    /// For `changed` full extracts: what differs from what the server
    /// holds (JSON pointers into the payload, windows only on one side).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<String>,
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
    changed: &std::collections::HashMap<String, Vec<String>>,
) -> Plan {
    let titles = report
        .plan
        .iter()
        .map(|u| PlannedTitle {
            title: super::journal::describe_key(&u.key),
            key: u.key.clone(),
            action: u.action,
            sends: u.action.sends(),
            fields: changed.get(&u.key).cloned().unwrap_or_default(),
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

/// For each full extract the journal says changed: what differs from the
/// server's copy (its body read back from the spool, the server's fetched).
async fn changed_fields(
    client: &avails_client::AvailsClient,
    journal: &Journal,
    spooled: &mut avails_submit::Spooled,
    mapping: &avails_mapping::Mapping,
) -> Result<std::collections::HashMap<String, Vec<String>>> {
    use avails_journal::{Decision, SendReason};
    let mut indices = Vec::new();
    for (i, u) in spooled.units().iter().enumerate() {
        if matches!(u.kind, avails_submit::UnitKind::Full { .. })
            && journal.should_send(&u.key, &u.hash)? == Decision::Send(SendReason::Changed)
        {
            indices.push(i);
        }
    }
    let mut out = std::collections::HashMap::new();
    if indices.is_empty() {
        return Ok(out);
    }
    let units = spooled
        .load(&indices)
        .context("cannot read back the payloads to compare")?;
    let mut payloads = Vec::new();
    for u in units {
        let Some((alid, territory, line)) = full_scope(&u.key) else {
            continue;
        };
        payloads.push((
            u.key.clone(),
            avails_convert::Payload {
                alid: alid.clone(),
                territory: territory.clone(),
                business_line: line,
                entry_type: avails_model::EntryType::FullExtract,
                avail_source: avails_convert::payload::Source::at(avails_model::Location::default()),
                transaction_sources: Vec::new(),
                given: None,
                request: u.request,
            },
        ));
    }
    let scopes = payloads.iter().map(|(_, p)| avails_client::Scope {
        alid: p.alid.clone(),
        territory: p.territory.clone(),
        business_line: p.business_line,
    });
    let fetched = client.get_full_extracts(scopes.collect::<Vec<_>>()).await;
    for ((key, payload), f) in payloads.iter().zip(fetched) {
        let fields = match f.result {
            Ok(server) => avails_diff::diff_title(payload, server.as_ref(), mapping)
                .differences
                .iter()
                .flat_map(|d| match d {
                    avails_diff::Difference::Changed { subject, changes } => changes
                        .iter()
                        .map(|c| {
                            format!(
                                "{subject}: {} is {} on the server, {} in the input",
                                c.pointer,
                                shown(&c.server),
                                shown(&c.sheet)
                            )
                        })
                        .collect::<Vec<_>>(),
                    avails_diff::Difference::MissingOnServer { subject, .. } => {
                        vec![format!("{subject}: not on the server yet")]
                    }
                    avails_diff::Difference::ExtraOnServer { subject, .. } => {
                        vec![format!("{subject}: on the server, no longer in the input")]
                    }
                    avails_diff::Difference::RefusedLocally { .. } => Vec::new(),
                })
                .collect(),
            Err(e) => vec![format!("(the server's copy could not be fetched: {e})")],
        };
        out.insert(key.clone(), fields);
    }
    Ok(out)
}

/// A value for a plan line: strings bare, absent as `(absent)`.
fn shown(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// ALID, territory and business line of a full extract's journal key.
fn full_scope(key: &str) -> Option<(String, String, avails_model::BusinessLine)> {
    let rest = key.strip_prefix("full:")?;
    let (_licensor, rest) = rest.split_once(':')?;
    let mut tail = rest.rsplitn(3, ':');
    let line = tail.next()?.parse().ok()?;
    let territory = tail.next()?.to_string();
    let alid = tail.next()?.to_string();
    Some((alid, territory, line))
}

/// The plan on standard output, one title a line (reasons indented).
fn print_plan(plan: &Plan) {
    for t in &plan.titles {
        let verb = if t.sends { "would send" } else { "would skip" };
        outln!("{:<10} {}  ({verb})", t.action.as_str(), t.title);
        for f in &t.fields {
            outln!("             {f}");
        }
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
