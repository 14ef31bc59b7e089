//! `avails diff`: what the sheet says against what the server holds.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use avails_client::{FetchFailed, Scope};
use avails_model::Avail;

use crate::connect::ConnectArgs;
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
    // A profile that cannot be used is said when the server is asked,
    // after the sheet's own errors.
    let settings = args.connect.settings();
    let options = args
        .input
        .options_with(settings.as_ref().ok().and_then(|s| s.config()))?;
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
    let mut scopes: BTreeSet<Scope> = conversion
        .payloads
        .iter()
        .filter(|p| p.entry_type == avails_model::EntryType::FullExtract)
        .map(|p| Scope {
            alid: p.alid.clone(),
            territory: p.territory.clone(),
            business_line: p.business_line,
        })
        .collect();
    let sheet_scopes = scopes.clone();
    for s in &sheet_scopes {
        for t in &args.also_territories {
            scopes.insert(Scope {
                territory: t.trim().to_ascii_uppercase(),
                ..s.clone()
            });
        }
    }
    let fetched: Result<Vec<Avail>> = settings.and_then(|settings| {
        settings.session(async |c| {
            c.client.fetch_full_extracts(scopes, |_| {}).await.map_err(
                |FetchFailed { scope, source }| {
                    anyhow::anyhow!(
                        "profile `{}`: {} {}: {source}",
                        c.profile,
                        scope.alid,
                        scope.territory
                    )
                },
            )
        })
    });
    let server = match fetched {
        Ok(s) => s,
        Err(e) => {
            errln!("error: cannot compare: {}", output::chain(&e));
            return Ok(output::EXIT_FAILURE.into());
        }
    };
    let sheet: Vec<_> = conversion
        .payloads
        .iter()
        .filter(|p| p.entry_type == avails_model::EntryType::FullExtract)
        .cloned()
        .collect();
    // What submit would refuse was never sent: said as refused, with why,
    // not as missing on the server.
    let mut checker = avails_convert::check::Checker::new(mapping);
    let refusals: Vec<Vec<String>> = sheet
        .iter()
        .map(|p| {
            checker
                .check(p)
                .into_iter()
                .filter(|d| d.is_error())
                .map(|d| format!("{} {}: {}", d.location, d.code, d.message))
                .collect()
        })
        .collect();
    let report = avails_diff::diff_with_refusals(&sheet, &server, mapping, &refusals);
    match args.format {
        Format::Text => out!("{}", avails_diff::render_text(&report)),
        Format::Json => outln!("{}", avails_diff::render_json(&report)?),
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
    Ok(output::verdict(
        false,
        report.has_differences() || !conversion.held_back.is_empty(),
    ))
}
