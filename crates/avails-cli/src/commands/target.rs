//! What `get` and `delete` act on: a full extract or one transaction.

use anyhow::{bail, Result};
use avails_model::BusinessLine;

/// A full extract (title, territory, business line) or a transaction.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// Title of a full extract (with --territory and --business-line).
    #[arg(long, requires_all = ["territory", "business_line"])]
    pub alid: Option<String>,
    /// Territory of the full extract (ISO 3166-1 alpha-2).
    #[arg(long, requires = "alid")]
    pub territory: Option<String>,
    /// Business line: TVOD, PRIME_SUBSCRIPTION, CHANNELS or FVOD.
    #[arg(long, requires = "alid")]
    pub business_line: Option<BusinessLine>,
    /// Transaction ID of a partial extract.
    #[arg(long, conflicts_with = "alid")]
    pub transaction: Option<String>,
}

/// The target, resolved.
pub enum Target<'a> {
    /// A full extract.
    Full {
        /// Title.
        alid: &'a str,
        /// Territory.
        territory: &'a str,
        /// Business line.
        line: BusinessLine,
    },
    /// A partial extract's transaction.
    Transaction(&'a str),
}

impl TargetArgs {
    /// The target given, or a message naming both ways to give one.
    ///
    /// An ID that cannot travel as one URL path segment (`..`, `/`, `?`,
    /// `#`, `%`, a control character, empty) is refused here, naming its
    /// argument, before any request: `--alid ..` would otherwise address
    /// another resource.
    pub fn target(&self, verb: &str) -> Result<Target<'_>> {
        for (arg, value) in [("--alid", &self.alid), ("--transaction", &self.transaction)] {
            if let Some(v) = value {
                if let Err(problem) = avails_model::api::check_path_segment(v) {
                    bail!("{arg} {:?} is not a usable ID: {problem}", v);
                }
            }
        }
        match (&self.alid, &self.transaction, self.business_line) {
            (Some(alid), _, Some(line)) => Ok(Target::Full {
                alid,
                territory: self.territory.as_deref().unwrap_or(""),
                line,
            }),
            (_, Some(id), _) => Ok(Target::Transaction(id)),
            _ => bail!(
                "say what to {verb}: a full extract with --alid ALID --territory CC \
                 --business-line LINE (TVOD, PRIME_SUBSCRIPTION, CHANNELS or FVOD), or one \
                 transaction with --transaction ID"
            ),
        }
    }
}
