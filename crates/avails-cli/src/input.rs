//! Input arguments shared by every command that reads sheets, XML or JSON.

use std::path::PathBuf;

use anyhow::{Context, Result};
use avails_convert::pipeline::{self, Run, Sink};
use avails_convert::{convert_inputs, Conversion, ConvertOptions};
use avails_mapping::Mapping;
use avails_model::time::{UtcOffset, OFFSET_FORMS};
use indicatif::{ProgressBar, ProgressStyle};

/// The mapping table argument, declared once for every command that reads
/// or writes sheets.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct MappingArg {
    /// Mapping table to use instead of the built-in one (see mappings/ema.toml).
    #[arg(long = "mapping", value_name = "FILE", env = avails_env::MAPPING)]
    pub path: Option<PathBuf>,
}

impl MappingArg {
    /// The mapping table: the user's file, else the built-in one. The one
    /// place a mapping is loaded; the commands hand the result on.
    pub fn load(&self) -> Result<Mapping> {
        Ok(match &self.path {
            Some(path) => Mapping::from_path(path)?,
            None => Mapping::default_table(),
        })
    }
}

/// How sheets are read, declared once for the commands that take inputs
/// and for `serve`, which takes them as uploads.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReadingArgs {
    #[command(flatten)]
    pub mapping: MappingArg,
    /// How to read dates written with slashes, as Excel writes them: MDY
    /// (`3/14/2023`, a US CSV) or DMY (`14/03/2023`). Without it such a date
    /// is an error at its cell showing it under each order; an ambiguous one
    /// (`3/4/2023`) is never guessed. Default: `date_order` of avails.toml,
    /// else `[dates] order` of the mapping table.
    #[arg(long, value_name = "MDY|DMY", env = avails_env::DATE_ORDER)]
    pub date_order: Option<avails_mapping::DateOrder>,
    /// Offset for dates without one, e.g. `Z` or `+02:00` (default: none,
    /// so Prime Video applies the territory's easternmost zone).
    #[arg(long, value_name = "OFFSET")]
    pub timezone: Option<String>,
}

impl ReadingArgs {
    /// The conversion options: the mapping table (the user's file or the
    /// built-in one), parsed once; how to read dates written with slashes
    /// (`--date-order`, else `$AVAILS_DATE_ORDER`, else `date_order` of
    /// `config`, else the table's); the time zone.
    pub fn options_with(&self, config: Option<&avails_client::Config>) -> Result<ConvertOptions> {
        let mut mapping = self.mapping.load()?;
        match (self.date_order, config) {
            (Some(order), _) => mapping.dates.order = Some(order),
            (None, Some(config)) => {
                if let Some(order) = &config.date_order {
                    let place = config
                        .path
                        .as_deref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| avails_client::config::CONFIG_FILE.to_string());
                    mapping.dates.order = Some(
                        order
                            .parse()
                            .map_err(|e| anyhow::anyhow!("{place}: date_order: {e}"))?,
                    );
                }
            }
            (None, None) => {}
        }
        let timezone = self.timezone.as_deref().map(check_offset).transpose()?;
        Ok(ConvertOptions { mapping, timezone })
    }
}

/// Inputs and how to read them.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// EMA workbooks (.xlsx, .xls), CSV exports, MDDF XML or payload JSON.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub reading: ReadingArgs,
    /// Read only the workbook tab of this name (repeat for more; default:
    /// every tab with an EMA header). A name a workbook lacks is an error
    /// listing its tabs. CSV files have no tabs and ignore it.
    #[arg(long = "sheet", value_name = "NAME")]
    pub sheets: Vec<String>,
}

impl InputArgs {
    /// The conversion options, `avails.toml` found as for profiles (see
    /// [`options_with`](Self::options_with)); a file that does not parse
    /// is said by the commands that need a profile.
    pub fn options(&self) -> Result<ConvertOptions> {
        self.options_with(avails_client::Config::load(None).ok().as_ref())
    }

    /// The conversion options ([`ReadingArgs::options_with`]), reading only
    /// the tabs `--sheet` names.
    pub fn options_with(&self, config: Option<&avails_client::Config>) -> Result<ConvertOptions> {
        let mut options = self.reading.options_with(config)?;
        if !self.sheets.is_empty() {
            options.mapping.sheet.only = self.sheets.clone();
        }
        Ok(options)
    }

    /// Reads and groups every input, keeping every payload, with a
    /// progress bar on a terminal.
    pub fn convert(&self, options: &ConvertOptions) -> Result<Conversion> {
        let bar = progress_bar()?;
        let conversion = convert_inputs(&self.inputs, options, &mut |n| bar.set_position(n as u64));
        bar.finish_and_clear();
        Ok(conversion)
    }

    /// Streams every input into `sink`, payloads handed over as their
    /// groups close (memory stays flat whatever the catalog's size).
    pub fn stream(&self, options: &ConvertOptions, sink: &mut (dyn Sink + Send)) -> Result<Run> {
        pipeline::run(&self.inputs, options, sink).map_err(|e| anyhow::anyhow!(e))
    }
}

/// A spinner with the rows read and their rate on a terminal; nothing when
/// standard error is not one.
pub fn progress_bar() -> Result<ProgressBar> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} rows read ({per_sec}) {elapsed}")
            .context("progress template")?,
    );
    Ok(bar)
}

fn check_offset(tz: &str) -> Result<String> {
    anyhow::ensure!(
        UtcOffset::parse_setting(tz).is_some(),
        "--timezone `{tz}`: expected {OFFSET_FORMS}"
    );
    Ok(tz.to_string())
}
