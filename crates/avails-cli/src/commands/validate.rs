//! `avails validate`: every rule of the reference, pointing at the cell;
//! with `--remote`, the API's own verdict at the same cells; with
//! `--annotate`, the user's workbook back with every finding marked.

mod annotated;
mod remote;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use avails_convert::check::Validating;
use avails_convert::{check, ConvertError, Diagnostic, FileSummary};

use crate::connect::ConnectArgs;
use crate::input::InputArgs;
use crate::output::{self, Format};

/// Check inputs against every rule of the reference before anything is sent.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format: one diagnostic per line, or a JSON list.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Hide warnings.
    #[arg(long)]
    pub errors_only: bool,
    /// Also write OUT.xlsx: a copy of the (first) workbook or CSV input with
    /// each finding's cell filled (red: error, amber: warning) and noted,
    /// and a first sheet "Findings" listing every finding with a link to
    /// its cell. Formulas become their last computed values; the input is
    /// never overwritten.
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
    /// With --remote --partial: items per batch validate call (at most 100).
    #[arg(long, default_value_t = 25, requires = "partial", value_parser = clap::value_parser!(u16).range(1..=100))]
    pub batch_size: u16,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    anyhow::ensure!(
        args.remote || !args.connect.sandbox,
        "--sandbox asks a local sandbox's validate endpoints: add --remote"
    );
    let annotate = match &args.annotate {
        Some(out) => Some((annotated::target(&args.input.inputs, out)?, out)),
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
    let shown = findings.filter(|f| !errors_only || f.as_ref().map_or(true, Diagnostic::is_error));
    let mut tally = Tally::default();
    // An annotated workbook needs every finding at once; printing does not.
    let mut all = Vec::new();
    let keep_all = annotate.is_some();
    let counted = shown.inspect(|f| {
        if let Ok(f) = f {
            tally.add(f);
            if keep_all {
                all.push(f.clone());
            }
        }
    });
    match args.format {
        Format::Text => {
            for f in counted {
                outln!("{}", f?);
            }
        }
        Format::Json => print_json_list(counted)?,
    }
    crate::report::print_unreadable(&unreadable);
    if args.format == Format::Text {
        crate::report::print_tabs(&files);
        errln!(
            "{payloads} payloads from {rows} rows ({refused} refused by validation, {held_back} held back): {} errors, {} warnings",
            tally.errors,
            tally.warnings
        );
    }
    if let Some(outcome) = &server {
        errln!("{}", outcome.summary());
    }
    if let Some((input, out)) = annotate {
        annotated::write(&input, out, &files, &all, server.as_ref())?;
    }
    let unreachable = server.as_ref().is_some_and(|o| o.unreachable.is_some());
    Ok(if !unreadable.is_empty() || unreachable {
        output::EXIT_FAILURE.into()
    } else if tally.errors > 0 {
        output::EXIT_PROBLEMS.into()
    } else {
        output::EXIT_OK.into()
    })
}

/// Findings as they are printed: kept, or read back from disk.
type Findings = Box<dyn Iterator<Item = Result<Diagnostic>>>;

/// Errors and warnings shown.
#[derive(Default)]
struct Tally {
    errors: usize,
    warnings: usize,
}

impl Tally {
    fn add(&mut self, f: &Diagnostic) {
        match f.is_error() {
            true => self.errors += 1,
            false => self.warnings += 1,
        }
    }
}

/// A JSON list printed one finding at a time.
fn print_json_list(findings: impl Iterator<Item = Result<Diagnostic>>) -> Result<()> {
    let mut separator = "[\n";
    for f in findings {
        out!("{separator}{}", serde_json::to_string_pretty(&f?)?);
        separator = ",\n";
    }
    match separator {
        "[\n" => outln!("[]"),
        _ => outln!("\n]"),
    }
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
