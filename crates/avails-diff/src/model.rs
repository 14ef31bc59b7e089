//! The diff report: per title, what is missing, extra or changed.

use avails_model::Location;
use serde::Serialize;
use serde_json::Value;

/// The identity of a title on the server: ALID, territory, business line
/// (the one scope type of avails-model, shared with convert and client).
pub use avails_model::Scope as TitleKey;

/// How a title compares overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TitleStatus {
    /// Sheet and server agree.
    Same,
    /// The sheet has the title; the server has nothing.
    MissingOnServer,
    /// The server has the title; the sheet does not (or deletes it).
    ExtraOnServer,
    /// Both have it, with differences.
    Changed,
    /// The sheet has it but local validation refuses it, so `submit` never
    /// sends it: what the server holds (if anything) is not what the sheet says.
    RefusedLocally,
}

impl TitleStatus {
    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Same => "same",
            Self::MissingOnServer => "missing on server",
            Self::ExtraOnServer => "extra on server",
            Self::Changed => "changed",
            Self::RefusedLocally => "refused locally, never sent",
        }
    }
}

/// What a difference is about: the title's own attributes or one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Subject {
    /// The avail and asset attributes, or the whole title.
    Title,
    /// One transaction (license window).
    Transaction {
        /// Readable label, e.g. `EST HD from 2013-05-14T00:00:00 (AvailID 123)`.
        label: String,
        /// The `_TransactionID`, if any.
        #[serde(rename = "transactionId", skip_serializing_if = "Option::is_none")]
        transaction_id: Option<String>,
    },
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Title => f.write_str("title"),
            Subject::Transaction { label, .. } => write!(f, "transaction {label}"),
        }
    }
}

/// One attribute that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// JSON pointer in the sheet's payload (`/avail/Transaction/0/End`).
    pub pointer: String,
    /// JSON pointer in the server's avail.
    #[serde(rename = "serverPointer")]
    pub server_pointer: String,
    /// The sheet's value (`null` when absent).
    pub sheet: Option<Value>,
    /// The server's value (`null` when absent).
    pub server: Option<Value>,
    /// The sheet cell (or XML line) the value came from.
    pub location: Location,
}

/// One difference of a title.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Difference {
    /// The sheet has it, the server does not.
    MissingOnServer {
        /// The title or the transaction.
        subject: Subject,
        /// JSON pointer in the sheet's payload.
        pointer: String,
        /// Where the sheet says it.
        location: Location,
    },
    /// The server has it, the sheet does not.
    ExtraOnServer {
        /// The title or the transaction.
        subject: Subject,
        /// JSON pointer in the server's avail.
        #[serde(rename = "serverPointer")]
        server_pointer: String,
    },
    /// The sheet's payload is refused by local validation: never sent.
    RefusedLocally {
        /// Why (each error found: `CODE: message`).
        reasons: Vec<String>,
        /// Where the sheet says the title.
        location: Location,
    },
    /// Both have it, with attribute changes.
    Changed {
        /// The title or the transaction.
        subject: Subject,
        /// The attributes that differ.
        changes: Vec<FieldChange>,
    },
}

/// Which side a timeline window comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Side {
    /// What the sheet says.
    Sheet,
    /// What the server holds.
    Server,
}

impl Side {
    /// `sheet` or `server`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sheet => "sheet",
            Self::Server => "server",
        }
    }
}

/// One availability window for the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    /// Sheet or server.
    pub side: Side,
    /// Timeline row: license type, format and channel, e.g. `SVOD HD prime`.
    pub row: String,
    /// The `_TransactionID`, if any.
    #[serde(rename = "transactionId", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// Start as written.
    pub start: Option<String>,
    /// End as written; `None` is open-ended.
    pub end: Option<String>,
}

/// The comparison of one title.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TitleDiff {
    /// ALID, territory, business line.
    #[serde(flatten)]
    pub key: TitleKey,
    /// Overall status.
    pub status: TitleStatus,
    /// The differences, title attributes first, then windows in sheet order.
    pub differences: Vec<Difference>,
    /// The windows of both sides, for the timeline.
    pub windows: Vec<Window>,
}

/// Counts of titles by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Titles compared.
    pub titles: usize,
    /// Titles identical on both sides.
    pub same: usize,
    /// Titles only on the sheet.
    #[serde(rename = "missingOnServer")]
    pub missing_on_server: usize,
    /// Titles only on the server.
    #[serde(rename = "extraOnServer")]
    pub extra_on_server: usize,
    /// Titles on both sides with differences.
    pub changed: usize,
    /// Titles of the sheet that local validation refuses (never sent).
    #[serde(rename = "refusedLocally")]
    pub refused_locally: usize,
    /// Differences in all titles.
    pub differences: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DiffReport {
    /// Counts.
    pub summary: Summary,
    /// One entry per title, in sheet order, then server-only titles.
    pub titles: Vec<TitleDiff>,
}

impl DiffReport {
    /// Builds a report and its summary from titles.
    pub fn from_titles(titles: Vec<TitleDiff>) -> Self {
        let mut s = Summary {
            titles: titles.len(),
            ..Summary::default()
        };
        for t in &titles {
            match t.status {
                TitleStatus::Same => s.same += 1,
                TitleStatus::MissingOnServer => s.missing_on_server += 1,
                TitleStatus::ExtraOnServer => s.extra_on_server += 1,
                TitleStatus::Changed => s.changed += 1,
                TitleStatus::RefusedLocally => s.refused_locally += 1,
            }
            s.differences += t.difference_count();
        }
        Self { summary: s, titles }
    }

    /// Whether anything differs (the CLI exits 1 then).
    pub fn has_differences(&self) -> bool {
        self.titles.iter().any(|t| t.status != TitleStatus::Same)
    }
}

impl TitleDiff {
    /// Missing and extra items count one each; a change counts per attribute.
    pub fn difference_count(&self) -> usize {
        self.differences
            .iter()
            .map(|d| match d {
                Difference::Changed { changes, .. } => changes.len(),
                _ => 1,
            })
            .sum()
    }
}
