//! `avails profiles`: the configured profiles, without secrets.

use std::process::ExitCode;

use anyhow::Result;
use avails_client::config::EXAMPLE_PROFILE;

use crate::connect::{no_profile_help, ConfigArgs};
use crate::output::{self, Format};

/// List the profiles of avails.toml (never the keys themselves).
///
/// A profile tells avails where to send and with which credentials: the
/// API's base_url, your licensor name, the client certificate and private
/// key Prime Video issued for mutual TLS, an optional CA, and where the API
/// key comes from (`api_key_file`, readable by its owner only, or
/// `api_key_env`). avails reads `avails.toml` from --config, else
/// $AVAILS_CONFIG, else the current folder, else the user's config directory
/// (e.g. ~/.config/avails/avails.toml).
#[derive(Debug, clap::Args)]
#[command(after_long_help = format!("An avails.toml with one profile:\n\n{EXAMPLE_PROFILE}"))]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let profiles = avails_client::list_profiles(args.config.config.as_deref())?;
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&profiles)?),
        Format::Text => {
            if profiles.is_empty() {
                errln!("{}", no_profile_help());
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
