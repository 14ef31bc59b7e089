//! Input arguments shared by every command that reads sheets, XML or JSON.

use std::path::PathBuf;

use anyhow::{Context, Result};
use avails_convert::{convert_inputs, Conversion, ConvertOptions};
use avails_mapping::Mapping;
use indicatif::{ProgressBar, ProgressStyle};

/// Inputs and how to read them.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// EMA workbooks (.xlsx, .xls), CSV exports, MDDF XML or payload JSON.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Mapping table to use instead of the built-in one (see mappings/ema.toml).
    #[arg(long, value_name = "FILE", env = "AVAILS_MAPPING")]
    pub mapping: Option<PathBuf>,
    /// Offset for dates without one, e.g. `Z` or `+02:00` (default: none,
    /// so Prime Video applies the territory's easternmost zone).
    #[arg(long, value_name = "OFFSET")]
    pub timezone: Option<String>,
}

impl InputArgs {
    /// The mapping table: the user's file or the built-in one.
    pub fn mapping(&self) -> Result<Mapping> {
        match &self.mapping {
            Some(path) => Ok(Mapping::from_path(path)?),
            None => Ok(Mapping::default_table()),
        }
    }

    /// Reads and groups every input, with a progress bar on a terminal.
    pub fn convert(&self) -> Result<Conversion> {
        let timezone = self.timezone.as_deref().map(check_offset).transpose()?;
        let options = ConvertOptions {
            mapping: self.mapping()?,
            timezone,
        };
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos} rows read ({per_sec}) {elapsed}")
                .context("progress template")?,
        );
        let conversion =
            convert_inputs(&self.inputs, &options, &mut |n| bar.set_position(n as u64));
        bar.finish_and_clear();
        Ok(conversion)
    }
}

fn check_offset(tz: &str) -> Result<String> {
    let ok = tz == "Z"
        || (tz.len() == 6
            && (tz.starts_with('+') || tz.starts_with('-'))
            && tz.as_bytes()[3] == b':'
            && tz[1..3]
                .bytes()
                .chain(tz[4..].bytes())
                .all(|b| b.is_ascii_digit()));
    anyhow::ensure!(
        ok,
        "--timezone `{tz}`: expected Z or an offset such as +02:00"
    );
    Ok(tz.to_string())
}
