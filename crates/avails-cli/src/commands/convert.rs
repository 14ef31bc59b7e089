//! `avails convert`: inputs → one JSON file per payload plus a manifest.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use avails_convert::{Conversion, Payload};
use serde_json::{json, Value};

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
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let conversion = args.input.convert()?;
    if args.output == "-" {
        let mut out = crate::output::stdout();
        for p in &conversion.payloads {
            serde_json::to_writer(&mut out, &p.request)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        crate::report::print_problems(&conversion.problems, Format::Text, true);
    } else {
        let dir = PathBuf::from(&args.output);
        let manifest = write_dir(&dir, &conversion)?;
        match args.format {
            Format::Json => outln!("{}", serde_json::to_string_pretty(&manifest)?),
            Format::Text => {
                crate::report::print_problems(&conversion.problems, Format::Text, false);
                errln!(
                    "{} rows read, {} payloads written to {}, {} rejected",
                    conversion.items,
                    conversion.payloads.len(),
                    dir.display(),
                    conversion.rejected
                );
            }
        }
    }
    crate::report::print_unreadable(&conversion.unreadable);
    Ok(exit_code(&conversion))
}

/// 2 if an input could not be read, 1 if rows were rejected, else 0.
pub fn exit_code(conversion: &Conversion) -> ExitCode {
    if !conversion.unreadable.is_empty() {
        output::EXIT_FAILURE.into()
    } else if conversion.has_errors() || conversion.rejected > 0 {
        output::EXIT_PROBLEMS.into()
    } else {
        output::EXIT_OK.into()
    }
}

/// The manifest entry of one payload.
pub fn manifest_entry(file: &str, p: &Payload) -> Value {
    json!({
        "file": file,
        "alid": p.alid,
        "territory": p.territory,
        "businessLine": p.business_line,
        "entryType": p.entry_type,
        "transactions": p.request.avail.transaction.len(),
        "sources": p.source_locations().iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

fn write_dir(dir: &Path, conversion: &Conversion) -> Result<Value> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut used = std::collections::HashSet::new();
    let mut entries = Vec::with_capacity(conversion.payloads.len());
    for p in &conversion.payloads {
        let stem = p.file_stem();
        let mut name = format!("{stem}.json");
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{stem}-{n}.json");
            n += 1;
        }
        write_atomic(&dir.join(&name), &serde_json::to_vec_pretty(&p.request)?)?;
        entries.push(manifest_entry(&name, p));
    }
    let manifest = json!({
        "payloads": entries,
        "errors": conversion.problems.iter().filter(|p| p.severity == avails_convert::Severity::Error).collect::<Vec<_>>(),
        "warnings": conversion.problems.iter().filter(|p| p.severity == avails_convert::Severity::Warning).collect::<Vec<_>>(),
        "unreadable": conversion.unreadable.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "inputs": conversion.files,
        "rows": conversion.items,
        "rejected": conversion.rejected,
    });
    write_atomic(
        &dir.join("manifest.json"),
        &serde_json::to_vec_pretty(&manifest)?,
    )?;
    Ok(manifest)
}

/// Writes a file through a temporary sibling and a rename, so a crash never
/// leaves a half-written payload.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
