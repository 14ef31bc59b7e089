//! `avails export`: what the server holds (or payload files) as an EMA sheet
//! or MDDF Avails XML.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use avails_client::{FetchFailed, Scope};
use avails_export::{EmaVersion, ExportOptions};
use avails_model::{Avail, BusinessLine};

use crate::connect::ConnectArgs;
use crate::output;

/// Write avails as an EMA workbook (.xlsx) or CSV with the version's header
/// rows, or as MDDF Avails 2.6 XML (.xml).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Titles to fetch from the server (with --territory and --business-line).
    #[arg(long, num_args = 1.., value_name = "ALID", requires_all = ["territory", "business_line"])]
    pub alid: Vec<String>,
    /// Territory of the titles given with --alid.
    #[arg(long)]
    pub territory: Option<String>,
    /// Business line of the titles given with --alid.
    #[arg(long)]
    pub business_line: Option<BusinessLine>,
    /// Fetch every title, territory and business line these inputs hold.
    #[arg(long, num_args = 1.., value_name = "INPUT", conflicts_with = "alid")]
    pub from: Vec<PathBuf>,
    /// Export the converted inputs themselves, without asking any server
    /// (e.g. payload JSON files back to EMA).
    #[arg(long, requires = "from")]
    pub offline: bool,
    /// Output file: .xlsx or .csv (EMA), or .xml (MDDF Avails 2.6).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// EMA version of the header rows: 1.8 (default) or 1.7.
    #[arg(long, default_value = "1.8")]
    pub ema_version: EmaVersion,
    /// The mapping table to invert.
    #[command(flatten)]
    pub mapping: crate::input::MappingArg,
}

/// What to say when neither --from nor --alid says what to export.
const NO_SOURCE: &str = "say what to export: --from INPUT... exports what the server holds for \
    the titles of these sheets, XML or payload files (with --offline, the files themselves, \
    no server asked); or --alid ALID... --territory CC --business-line LINE exports those \
    titles from the server";

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.from.is_empty() && args.alid.is_empty() {
        bail!("{NO_SOURCE}");
    }
    let mapping = args.mapping.load()?;
    let ext = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !["xlsx", "csv", "xml"].contains(&ext.as_str()) {
        bail!(
            "{}: the output must end in .xlsx, .csv or .xml",
            args.output.display()
        );
    }
    let mut scopes: BTreeSet<Scope> = BTreeSet::new();
    let mut avails: Vec<Avail> = Vec::new();
    if !args.from.is_empty() {
        let options = avails_convert::ConvertOptions {
            mapping: mapping.clone(),
            timezone: None,
        };
        let conversion = avails_convert::convert_inputs(&args.from, &options, &mut |_| {});
        if !conversion.unreadable.is_empty() {
            crate::report::print_unreadable(&conversion.unreadable);
            return Ok(output::EXIT_FAILURE.into());
        }
        for p in &conversion.payloads {
            if args.offline {
                avails.push(p.request.avail.clone());
            } else if p.entry_type == avails_model::EntryType::FullExtract {
                scopes.insert(Scope {
                    alid: p.alid.clone(),
                    territory: p.territory.clone(),
                    business_line: p.business_line,
                });
            }
        }
    } else {
        let (Some(territory), Some(line)) = (&args.territory, args.business_line) else {
            bail!("{NO_SOURCE}");
        };
        scopes.extend(args.alid.iter().map(|a| Scope {
            alid: a.clone(),
            territory: territory.clone(),
            business_line: line,
        }));
    }
    if !args.offline {
        let fetched: Result<Vec<Avail>> = args.connect.settings().and_then(|settings| {
            settings.session(async |c| {
                c.client
                    .fetch_full_extracts(scopes, |absent| {
                        errln!("not on the server: {absent}");
                    })
                    .await
                    .map_err(|FetchFailed { scope, source }| {
                        anyhow::anyhow!("profile `{}`: {}: {source}", c.profile, scope.alid)
                    })
            })
        });
        match fetched {
            Ok(a) => avails = a,
            Err(e) => {
                errln!("error: {}", output::chain(&e));
                return Ok(output::EXIT_FAILURE.into());
            }
        }
        // A full extract's GET answer omits Disposition (see the reference's
        // GET example): the export writes the entry type a missing one
        // means (avails-model's default), in the sheet and in MDDF.
        // Stable order: by title, then territory.
        avails.sort_by(|a, b| {
            (a.alid.as_str(), a.territory()).cmp(&(b.alid.as_str(), b.territory()))
        });
    }
    let options = ExportOptions {
        mapping,
        version: args.ema_version,
        ..ExportOptions::default()
    };
    let (losses, rejected) = match avails_export::export_file(&avails, &options, &args.output) {
        Ok(losses) => (losses, Vec::new()),
        // Payloads MDDF cannot take: named, the others written; a data problem.
        Err(avails_export::ExportError::Rejected {
            losses, rejected, ..
        }) => (losses, rejected),
        Err(e @ avails_export::ExportError::Empty { .. }) => {
            errln!("error: {e}");
            return Ok(output::EXIT_PROBLEMS.into());
        }
        Err(e) => return Err(e).with_context(|| format!("cannot write {}", args.output.display())),
    };
    for loss in &losses {
        errln!("warning: {loss}");
    }
    for r in &rejected {
        errln!("error: not written: {r}");
    }
    let left_out: BTreeSet<usize> = rejected.iter().map(|r| r.avail).collect();
    let written: Vec<&Avail> = avails
        .iter()
        .enumerate()
        .filter(|(i, _)| !left_out.contains(i))
        .map(|(_, a)| a)
        .collect();
    let format = match ext.as_str() {
        "xml" => format!("MDDF Avails {}", avails_export::mddf::MDDF_AVAILS_VERSION),
        _ => format!("EMA {}", args.ema_version.as_str()),
    };
    if written.is_empty() {
        errln!(
            "{} written: none of the {} payloads can be written as valid {format}",
            args.output.display(),
            avails.len()
        );
        return Ok(output::EXIT_PROBLEMS.into());
    }
    let titles = match ext.as_str() {
        "xml" => {
            let alids: BTreeSet<&str> = written.iter().map(|a| a.alid.trim()).collect();
            format!(", in {} <Avail> elements, one per ALID", alids.len())
        }
        _ => String::new(),
    };
    errln!(
        "{} avails, {} transactions written to {} ({format}{titles})",
        written.len(),
        written.iter().map(|a| a.transaction.len()).sum::<usize>(),
        args.output.display(),
    );
    if !left_out.is_empty() {
        errln!(
            "{} payloads not written: MDDF cannot take them as they are",
            left_out.len()
        );
        return Ok(output::EXIT_PROBLEMS.into());
    }
    Ok(output::EXIT_OK.into())
}
