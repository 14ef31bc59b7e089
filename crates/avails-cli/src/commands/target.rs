//! What `get` and `delete` act on: a full extract or one transaction.

use avails_model::BusinessLine;

/// A full extract (title, territory, business line) or a transaction.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// Title of a full extract.
    #[arg(long, required_unless_present = "transaction", requires_all = ["territory", "business_line"])]
    pub alid: Option<String>,
    /// Territory of the full extract (ISO 3166-1 alpha-2).
    #[arg(long)]
    pub territory: Option<String>,
    /// Business line: TVOD, PRIME_SUBSCRIPTION, CHANNELS or FVOD.
    #[arg(long)]
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
    /// The target clap guarantees is given.
    pub fn target(&self) -> Target<'_> {
        match (&self.alid, &self.transaction, self.business_line) {
            (Some(alid), _, Some(line)) => Target::Full {
                alid,
                territory: self.territory.as_deref().unwrap_or(""),
                line,
            },
            (_, Some(id), _) => Target::Transaction(id),
            _ => unreachable!(
                "clap requires --alid with --territory and --business-line, or --transaction"
            ),
        }
    }
}
