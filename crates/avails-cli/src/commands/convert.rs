//! `avails convert`: inputs → one JSON file per payload plus a manifest.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use avails_convert::output::{Counts, Manifest, ManifestPayloads, PayloadSink};
use avails_convert::pipeline::Run;
use avails_convert::{ColumnStatus, FileSummary};

use crate::input::InputArgs;
use crate::output::{self, Format};

/// Convert EMA workbooks, CSV, MDDF XML or payload JSON into API payloads.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory (one file per payload plus manifest.json), or `-`
    /// for NDJSON payloads on standard output.
    #[arg(short, long, value_name = "DIR|-", default_value = "avails-out")]
    pub output: String,
    /// Write into a folder that holds files a conversion did not write
    /// (what a previous conversion wrote there is always replaced).
    #[arg(long)]
    pub force: bool,
    /// Print what the mapping does with every column of every sheet
    /// (mapped, ignored and why, unknown and the nearest known name), and
    /// write nothing.
    #[arg(long)]
    pub explain: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command: streamed, each payload written as its group closes
/// (NDJSON once no group can reopen), checked as it comes.
pub fn run(args: Args) -> Result<ExitCode> {
    let options = args.input.options()?;
    if args.explain {
        let mut sink = avails_convert::check::Validating::new(&options.mapping)?;
        let run = args.input.stream(&options, &mut sink)?;
        explain(&run.files, args.format)?;
        crate::report::print_unreadable(&run.unreadable);
        return Ok(explain_code(&run));
    }
    let bar = crate::input::progress_bar()?;
    // A folder is refused (or emptied of a previous conversion) before
    // anything is read.
    let sink = match args.output.as_str() {
        "-" => PayloadSink::lines(&options.mapping)?,
        dir => PayloadSink::dir(&PathBuf::from(dir), args.force, &options.mapping)?,
    };
    let mut sink = sink.with_progress(|n| bar.set_position(n as u64));
    let run = args.input.stream(&options, &mut sink)?;
    bar.finish_and_clear();
    let (written, fail_validation) = sink.counts();
    let counts = Counts {
        written,
        held_back: run.held_back.len(),
        fail_validation,
    };
    // A folder gets a manifest; NDJSON on standard output has none.
    let manifest = if args.output == "-" {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, crate::output::stdout());
        sink.finish_lines(&mut out)?;
        None
    } else if let Some((dir, payloads)) = sink.into_dir() {
        let manifest = manifest(&run, payloads, counts);
        dir.finish(&manifest)?;
        Some(manifest)
    } else {
        None
    };
    match (args.format, &manifest) {
        (Format::Json, Some(manifest)) => {
            // Streamed: the entries are read back from disk as they are written.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, crate::output::stdout());
            serde_json::to_writer_pretty(&mut out, manifest)?;
            std::io::Write::write_all(&mut out, b"\n")?;
            std::io::Write::flush(&mut out)?;
        }
        _ => {
            crate::report::print_diagnostics(&run.diagnostics, Format::Text, true);
            // Payloads that could not be written to standard output were
            // not written: `main` says why, and exits 2.
            if !(args.output == "-" && output::stdout_failed()) {
                crate::report::print_tabs(&run.files);
                errln!("{}", summary(&run, &counts, &args.output));
            }
        }
    }
    crate::report::print_unreadable(&run.unreadable);
    Ok(exit_code(&run))
}

/// The manifest of a run.
fn manifest(run: &Run, payloads: ManifestPayloads, counts: Counts) -> Manifest {
    let (errors, warnings) = run.diagnostics.iter().cloned().partition(|d| d.is_error());
    Manifest {
        payloads,
        held_back: run.held_back.clone(),
        rows: run.rows,
        counts,
        errors,
        warnings,
        unreadable: run.unreadable.iter().map(ToString::to_string).collect(),
        inputs: run.files.clone(),
    }
}

/// One paragraph: rows, payloads, what was held back and why it matters.
fn summary(run: &Run, counts: &Counts, output: &str) -> String {
    let r = run.rows;
    let to = if output == "-" {
        "to standard output".to_string()
    } else {
        format!("to {output}")
    };
    let mut s = format!(
        "{} rows read: {} converted, {} rejected, {} held back with their payload; {} payloads written {to}",
        r.read, r.converted, r.rejected, r.held_back, counts.written
    );
    if counts.held_back > 0 {
        s.push_str(&format!(
            ", {} held back (not written: a full extract missing a rejected row would delete that window)",
            counts.held_back
        ));
    }
    if counts.fail_validation > 0 {
        s.push_str(&format!(
            "; {} of the payloads written would fail validation (`avails validate` says why)",
            counts.fail_validation
        ));
    }
    if run.read_twice {
        s.push_str(
            "; read twice: rows of one payload are far apart (sorting the sheet by title saves the second read)",
        );
    }
    s
}

/// 2 if an input could not be read, 1 if anything was rejected or held
/// back (or any error was found), else 0.
pub fn exit_code(run: &Run) -> ExitCode {
    output::verdict(
        !run.unreadable.is_empty(),
        run.diagnostics.iter().any(|d| d.is_error())
            || run.rows.rejected > 0
            || !run.held_back.is_empty(),
    )
}

/// Every sheet's columns and what the mapping does with each.
fn explain(files: &[FileSummary], format: Format) -> Result<()> {
    if format == Format::Json {
        outln!("{}", serde_json::to_string_pretty(files)?);
        return Ok(());
    }
    for file in files {
        for sheet in &file.sheets {
            let name = if sheet.sheet.is_empty() {
                file.file.clone()
            } else {
                format!("{}:{}", file.file, sheet.sheet)
            };
            let version = sheet
                .version
                .as_deref()
                .map(|v| format!(", EMA {v}"))
                .unwrap_or_default();
            outln!("{name} ({} rows{version})", sheet.rows);
            for c in &sheet.columns {
                let what = match &c.status {
                    ColumnStatus::Mapped { targets } => format!("→ {}", targets.join(", ")),
                    ColumnStatus::Ignored { reason } => format!("not sent: {reason}"),
                    ColumnStatus::Unknown { nearest: Some(n) } => {
                        format!("UNKNOWN, not read (did you mean `{n}`?)")
                    }
                    ColumnStatus::Unknown { nearest: None } => "UNKNOWN, not read".to_string(),
                    ColumnStatus::Blank => continue,
                };
                outln!("  {:>3}  {:<32} {what}", c.column, c.header);
            }
        }
    }
    Ok(())
}

/// 1 when a sheet has an unknown column or lacks a required one.
fn explain_code(run: &Run) -> ExitCode {
    if !run.unreadable.is_empty() {
        return output::EXIT_FAILURE.into();
    }
    let unknown = run
        .files
        .iter()
        .flat_map(|f| &f.sheets)
        .flat_map(|s| &s.columns)
        .any(|c| matches!(c.status, ColumnStatus::Unknown { .. }));
    let missing = run
        .diagnostics
        .iter()
        .any(|d| d.code == avails_convert::codes::CV_MISSING_COLUMN);
    output::verdict(false, unknown || missing)
}
