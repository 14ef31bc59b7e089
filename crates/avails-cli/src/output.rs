//! Exit codes and output format shared by every command.

/// Everything worked and the data is clean.
pub const EXIT_OK: u8 = 0;
/// The tool worked but found problems in the data (or differences, for diff).
pub const EXIT_PROBLEMS: u8 = 1;
/// The tool could not do its job.
pub const EXIT_FAILURE: u8 = 2;

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// Machine-readable JSON.
    Json,
}
