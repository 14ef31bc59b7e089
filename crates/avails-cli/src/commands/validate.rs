//! `avails validate`: every rule of the reference, pointing at the cell;
//! with `--remote`, the API's own verdict at the same cells; with
//! `--annotate`, the user's workbook back with every finding marked.

mod annotated;
mod findings;
mod remote;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use avails_convert::check::Validating;
use avails_convert::{check, ConvertError, Diagnostic, FileSummary};

use crate::connect::ConnectArgs;
use crate::input::InputArgs;
use crate::output::{self, Format};
use findings::{group_line, is_consequence, thousands, Counts, Grouping, Headers, Later};

use super::MAX_BATCH;

/// Check inputs against every rule of the reference before anything is sent.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format: one finding per line (errors, then warnings, then
    /// the findings grouped by cause), or a JSON object with the findings,
    /// the groups and the counts (docs/findings.md).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Hide warnings (they are still counted, as hidden).
    #[arg(long)]
    pub errors_only: bool,
    /// Also write OUT.xlsx: a copy of the (first) workbook or CSV input with
    /// each finding's cell filled (red: error, amber: warning) and noted,
    /// and a last sheet "Findings" listing every finding with a link to
    /// its cell. A workbook is copied as it is (formulas, styles, comments,
    /// dropdowns, other tabs), only the marks added; the input is never
    /// overwritten.
    #[arg(long, value_name = "OUT.xlsx")]
    pub annotate: Option<PathBuf>,
    /// After the local checks, ask the API's own validate endpoints (of
    /// --profile, or of a local sandbox with --sandbox) about every payload
    /// without local errors, and report their errors at the same cells,
    /// marked `[server]`. Payloads with local errors are not sent. Exit 2 if
    /// the server cannot be reached.
    #[arg(long)]
    pub remote: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// With --remote: validate each transaction as the partial extract
    /// `submit --partial` would send, through the batch validate endpoint.
    #[arg(long, requires = "remote")]
    pub partial: bool,
    /// With --remote --partial: items per batch validate call (the
    /// reference's cap, 100, by default; fewer if asked).
    #[arg(long, default_value_t = MAX_BATCH, requires = "partial", value_parser = clap::value_parser!(u16).range(1..=MAX_BATCH as i64))]
    pub batch_size: u16,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    anyhow::ensure!(
        args.remote || !args.connect.sandbox,
        "--sandbox asks a local sandbox's validate endpoints: add --remote"
    );
    let annotate = match &args.annotate {
        Some(out) => {
            crate::memory::return_freed_memory_at_once();
            Some((annotated::target(&args.input.inputs, out)?, out))
        }
        None => None,
    };
    let options = args.input.options()?;
    let checked = if args.remote {
        // The server is asked about each payload: they are all kept.
        let conversion = args.input.convert(&options)?;
        let (mut findings, failing) = check(&conversion, &options.mapping);
        let question = remote::Question {
            conversion: &conversion,
            mapping: &options.mapping,
            local: &findings,
            failing: &failing,
            partial: args.partial,
            batch_size: args.batch_size.into(),
        };
        let outcome = remote::validate(&args.connect, &question)?;
        findings.extend(outcome.findings.iter().cloned());
        Checked {
            payloads: conversion.payloads.len(),
            refused: failing.iter().filter(|f| **f).count(),
            findings: Box::new(findings.into_iter().map(Ok)),
            files: conversion.files,
            unreadable: conversion.unreadable,
            rows: conversion.rows.read,
            held_back: conversion.held_back.len(),
            server: Some(outcome),
        }
    } else {
        // Streamed: each payload checked as its group closes, then dropped;
        // its findings wait on disk until the run ends.
        let bar = crate::input::progress_bar()?;
        let mut sink = Validating::new(&options.mapping)?;
        let run = args.input.stream(&options, &mut sink)?;
        bar.finish_and_clear();
        let (payloads, refused) = sink.counts();
        let checked = sink.findings()?.map(|f| f.map_err(anyhow::Error::from));
        Checked {
            payloads,
            refused,
            findings: Box::new(run.diagnostics.into_iter().map(Ok).chain(checked)),
            files: run.files,
            unreadable: run.unreadable,
            rows: run.rows.read,
            held_back: run.held_back.len(),
            server: None,
        }
    };
    let Checked {
        payloads,
        refused,
        findings,
        files,
        unreadable,
        rows,
        held_back,
        server,
    } = checked;
    let errors_only = args.errors_only;
    let mut counts = Counts::default();
    let mut grouping = Grouping::default();
    // An annotated workbook needs every finding at once; printing does not.
    // Each is kept as the mark it becomes (what the copy shows of it only).
    let mut all = Vec::new();
    let annotated_label = annotate
        .as_ref()
        .map(|(input, _)| input.display().to_string());
    // Every finding counted and grouped; warnings hidden by --errors-only
    // are counted as hidden, and not printed.
    let headers = Headers::of(&files);
    let counted = findings.filter_map(|f| {
        let mut f = match f {
            Ok(f) => f,
            Err(e) => return Some(Err(e)),
        };
        headers.as_written(&mut f);
        let hidden = errors_only && !f.is_error();
        if is_consequence(&f) {
            counts.held_back += 1;
        } else if f.is_error() {
            counts.errors += 1;
        } else {
            counts.warnings += 1;
            counts.hidden_warnings += usize::from(hidden);
        }
        grouping.add(&f, hidden);
        if hidden {
            return None;
        }
        if let Some(label) = &annotated_label {
            all.push(annotated::mark_of(label, &f));
        }
        Some(Ok(f))
    });
    match args.format {
        Format::Text => {
            // Errors as they come; warnings after them, waiting on disk.
            let mut later = Later::new();
            for f in counted {
                let f = f?;
                if f.is_error() {
                    outln!("{f}");
                } else {
                    later.push(&f.to_string())?;
                }
            }
            for line in later.lines()? {
                outln!("{}", line?);
            }
        }
        Format::Json => print_json_list(counted)?,
    }
    let groups = grouping.into_groups();
    match args.format {
        Format::Text => {
            if !groups.is_empty() {
                outln!();
                outln!("By cause:");
                for g in &groups {
                    outln!("  {}", group_line(g));
                }
            }
        }
        Format::Json => print_json_tail(&groups, &counts)?,
    }
    crate::report::print_unreadable(&unreadable);
    if args.format == Format::Text {
        crate::report::print_tabs(&files);
        let hidden = match counts.hidden_warnings {
            0 => String::new(),
            n => format!(" ({} hidden by --errors-only)", thousands(n)),
        };
        let held = match counts.held_back {
            0 => String::new(),
            n => format!("; {} title(s) held back by these errors", thousands(n)),
        };
        errln!(
            "{payloads} payloads from {rows} rows ({refused} refused by validation, {held_back} held back): {} errors, {} warnings{hidden}{held}",
            thousands(counts.errors),
            thousands(counts.warnings),
        );
    }
    if let Some(outcome) = &server {
        errln!("{}", outcome.summary());
    }
    if let Some((input, out)) = annotate {
        annotated::write(&input, out, &files, &all, server.as_ref())?;
    }
    let unreachable = server.as_ref().is_some_and(|o| o.unreachable.is_some());
    Ok(output::verdict(
        !unreadable.is_empty() || unreachable,
        counts.errors > 0 || counts.held_back > 0,
    ))
}

/// Findings as they are printed: kept, or read back from disk.
type Findings = Box<dyn Iterator<Item = Result<Diagnostic>>>;

/// The head of the JSON object and its list of findings, printed one
/// finding at a time (see docs/findings.md for the shape).
fn print_json_list(findings: impl Iterator<Item = Result<Diagnostic>>) -> Result<()> {
    let mut separator = "{\n\"findings\": [\n";
    for f in findings {
        out!("{separator}{}", serde_json::to_string_pretty(&f?)?);
        separator = ",\n";
    }
    match separator {
        ",\n" => out!("\n]"),
        _ => out!("{{\n\"findings\": []"),
    }
    Ok(())
}

/// The rest of the JSON object: the findings grouped by cause, and the
/// counts.
fn print_json_tail(groups: &[findings::Group], counts: &Counts) -> Result<()> {
    outln!(
        ",\n\"groups\": {},\n\"counts\": {}\n}}",
        serde_json::to_string_pretty(groups)?,
        serde_json::to_string_pretty(counts)?
    );
    Ok(())
}

/// What validating found, kept or streamed alike.
struct Checked {
    payloads: usize,
    refused: usize,
    findings: Findings,
    files: Vec<FileSummary>,
    unreadable: Vec<ConvertError>,
    rows: usize,
    held_back: usize,
    server: Option<remote::Outcome>,
}
