//! `avails convert`: inputs → one JSON file per payload plus a manifest.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use avails_convert::output::{Counts, Manifest, ManifestEntry, PayloadDir};
use avails_convert::{check_payload, ColumnStatus, Conversion};

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

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let options = args.input.options()?;
    // Refuse a non-empty folder before reading anything.
    let mut dir = match args.output.as_str() {
        "-" => None,
        _ if args.explain => None,
        path => Some(PayloadDir::create(&PathBuf::from(path), args.force)?),
    };
    let conversion = args.input.convert(&options)?;
    if args.explain {
        explain(&conversion, args.format)?;
        crate::report::print_unreadable(&conversion.unreadable);
        return Ok(explain_code(&conversion));
    }
    let mut entries = Vec::with_capacity(conversion.payloads.len());
    let mut counts = Counts {
        held_back: conversion.held_back.len(),
        ..Counts::default()
    };
    let mut out = crate::output::stdout();
    for p in &conversion.payloads {
        let errors = check_payload(p, &options.mapping)
            .iter()
            .filter(|d| d.is_error())
            .count();
        counts.fail_validation += usize::from(errors > 0);
        let file = match dir.as_mut() {
            Some(d) => Some(d.write(p)?),
            None => {
                serde_json::to_writer(&mut out, &p.request)?;
                out.write_all(b"\n")?;
                None
            }
        };
        counts.written += 1;
        entries.push(ManifestEntry::new(p, file, errors));
    }
    out.flush()?;
    let manifest = manifest(&conversion, entries, counts);
    if let Some(d) = dir {
        d.finish(&serde_json::to_value(&manifest)?)?;
    }
    match args.format {
        Format::Json if args.output != "-" => {
            outln!("{}", serde_json::to_string_pretty(&manifest)?)
        }
        _ => {
            crate::report::print_diagnostics(&conversion.diagnostics, Format::Text, true);
            errln!("{}", summary(&conversion, &counts, &args.output));
        }
    }
    crate::report::print_unreadable(&conversion.unreadable);
    Ok(exit_code(&conversion))
}

/// The manifest of a conversion.
fn manifest(conversion: &Conversion, payloads: Vec<ManifestEntry>, counts: Counts) -> Manifest {
    let (errors, warnings) = conversion
        .diagnostics
        .iter()
        .cloned()
        .partition(|d| d.is_error());
    Manifest {
        payloads,
        held_back: conversion.held_back.clone(),
        rows: conversion.rows,
        counts,
        errors,
        warnings,
        unreadable: conversion
            .unreadable
            .iter()
            .map(ToString::to_string)
            .collect(),
        inputs: conversion.files.clone(),
    }
}

/// One paragraph: rows, payloads, what was held back and why it matters.
fn summary(c: &Conversion, counts: &Counts, output: &str) -> String {
    let r = c.rows;
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
    s
}

/// 2 if an input could not be read, 1 if anything was rejected or held
/// back (or any error was found), else 0.
pub fn exit_code(conversion: &Conversion) -> ExitCode {
    if !conversion.unreadable.is_empty() {
        output::EXIT_FAILURE.into()
    } else if conversion.has_errors()
        || conversion.rows.rejected > 0
        || !conversion.held_back.is_empty()
    {
        output::EXIT_PROBLEMS.into()
    } else {
        output::EXIT_OK.into()
    }
}

/// Every sheet's columns and what the mapping does with each.
fn explain(conversion: &Conversion, format: Format) -> Result<()> {
    if format == Format::Json {
        outln!("{}", serde_json::to_string_pretty(&conversion.files)?);
        return Ok(());
    }
    for file in &conversion.files {
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
fn explain_code(conversion: &Conversion) -> ExitCode {
    if !conversion.unreadable.is_empty() {
        return output::EXIT_FAILURE.into();
    }
    let unknown = conversion
        .files
        .iter()
        .flat_map(|f| &f.sheets)
        .flat_map(|s| &s.columns)
        .any(|c| matches!(c.status, ColumnStatus::Unknown { .. }));
    let missing = conversion
        .diagnostics
        .iter()
        .any(|d| d.code == avails_convert::codes::CV_MISSING_COLUMN);
    if unknown || missing {
        output::EXIT_PROBLEMS.into()
    } else {
        output::EXIT_OK.into()
    }
}
