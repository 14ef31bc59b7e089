//! `avails profiles`: the configured profiles, without secrets.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::output::{self, Format};

/// List the profiles of avails.toml (never the keys themselves).
///
/// A profile names the API's base_url, the licensor, the client certificate,
/// private key and CA (PEM files) and where the API key comes from:
/// `api_key_env = "VAR"` or `api_key_file = "path"` (readable by its owner
/// only). Environment variables override: AVAILS_PROFILE, AVAILS_BASE_URL,
/// AVAILS_LICENSOR, AVAILS_API_KEY, AVAILS_CERT, AVAILS_KEY, AVAILS_CA.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Configuration file (default: ./avails.toml, else the user's config dir).
    #[arg(long, value_name = "FILE", env = "AVAILS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let profiles = avails_client::list_profiles(args.config.as_deref())?;
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&profiles)?),
        Format::Text => {
            if profiles.is_empty() {
                errln!("no profiles: write avails.toml (see `avails profiles --help`)");
            }
            for p in &profiles {
                outln!(
                    "{}{}  {}  licensor={}  key from {}  tps={} connections={}",
                    p.name,
                    if p.is_default { " (default)" } else { "" },
                    p.base_url.as_deref().unwrap_or("-"),
                    p.licensor.as_deref().unwrap_or("-"),
                    p.api_key_source,
                    p.tps,
                    p.max_concurrency
                );
            }
        }
    }
    Ok(output::EXIT_OK.into())
}
