//! `avails diff`: what the sheet says against what the server holds.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use avails_model::Avail;
use futures::stream::{self, StreamExt};

use crate::connect::{runtime, ConnectArgs};
use crate::input::InputArgs;
use crate::output::{self, Format};

/// Compare inputs with the server's state, title by title.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write a self-contained HTML report with availability timelines.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Also look for the sheet's titles in these territories (comma-separated)
    /// and report what the server holds there as extra: the API cannot list
    /// a licensor's titles, so only probed places can be found.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub also_territories: Vec<String>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let options = args.input.options()?;
    let mapping = &options.mapping;
    let conversion = args.input.convert(&options)?;
    if !conversion.unreadable.is_empty() {
        crate::report::print_unreadable(&conversion.unreadable);
        return Ok(output::EXIT_FAILURE.into());
    }
    crate::report::print_diagnostics(
        &conversion
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect::<Vec<_>>(),
        Format::Text,
        true,
    );
    // Every (ALID, territory, business line) to fetch: the sheet's own, plus
    // the probes of --also-territories.
    let mut keys: BTreeSet<(String, String, avails_model::BusinessLine)> = conversion
        .payloads
        .iter()
        .filter(|p| p.entry_type == avails_model::EntryType::FullExtract)
        .map(|p| (p.alid.clone(), p.territory.clone(), p.business_line))
        .collect();
    let sheet_keys = keys.clone();
    for (alid, _, line) in &sheet_keys {
        for t in &args.also_territories {
            keys.insert((alid.clone(), t.trim().to_ascii_uppercase(), *line));
        }
    }
    let rt = runtime()?;
    let fetched: Result<Vec<Avail>> = rt.block_on(async {
        let c = args.connect.connect().await?;
        let client = &c.client;
        let results: Vec<_> = stream::iter(keys)
            .map(|(alid, territory, line)| async move {
                let r = client.get_full_extract(&alid, &territory, line).await;
                (alid, territory, r)
            })
            .buffer_unordered(8)
            .collect()
            .await;
        let profile = c.profile.clone();
        c.close().await;
        let mut avails = Vec::new();
        for (alid, territory, r) in results {
            match r {
                Ok(resp) => avails.extend(resp.avail),
                Err(e) if e.status() == Some(404) => {}
                Err(e) => {
                    return Err(anyhow::anyhow!(
                        "profile `{profile}`: {alid} {territory}: {e}"
                    ));
                }
            }
        }
        Ok(avails)
    });
    let server = match fetched {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot compare: {e:#}");
            return Ok(output::EXIT_FAILURE.into());
        }
    };
    let sheet: Vec<_> = conversion
        .payloads
        .iter()
        .filter(|p| p.entry_type == avails_model::EntryType::FullExtract)
        .cloned()
        .collect();
    let report = avails_diff::diff(&sheet, &server, mapping);
    match args.format {
        Format::Text => print!("{}", avails_diff::render_text(&report)),
        Format::Json => println!("{}", avails_diff::render_json(&report)?),
    }
    if let Some(path) = &args.html {
        let title = format!(
            "avails diff — {}",
            args.input
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        avails_convert::output::write_atomic(
            path,
            avails_diff::render_html(&report, &title).as_bytes(),
            true,
        )?;
    }
    // Held-back groups were not compared (their CV013 errors say so above).
    Ok(
        if report.has_differences() || !conversion.held_back.is_empty() {
            output::EXIT_PROBLEMS.into()
        } else {
            output::EXIT_OK.into()
        },
    )
}
