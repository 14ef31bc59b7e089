//! What a term column's cells hold, as the mapping table names it.

use avails_model::TermValueKind;

/// The value type of a term column: the JSON value kind it becomes, and how
/// its cells are read. Normalisation happens only where the type says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermValue {
    /// Free text, kept as written (`TRUE` stays `TRUE`).
    Text,
    /// A Text term whose values are `Yes` or `No` (Download): a boolean cell,
    /// `TRUE`/`FALSE`, `Y`/`N` are written `Yes`/`No`.
    YesNo,
    /// An amount (the currency comes from the price currency column).
    Money,
    /// A date-time; a date alone starts at the table's `start_of_day`.
    Event,
    /// `true`/`false` from Yes/No, True/False or a boolean cell.
    Boolean,
    /// Hours (`48` → `PT48H`) or an ISO 8601 duration.
    Duration,
    /// A whole number.
    Number,
}

impl TermValue {
    /// Parses the table's name for a value type.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "Text" => Self::Text,
            "YesNo" => Self::YesNo,
            "Money" => Self::Money,
            "Event" => Self::Event,
            "Boolean" => Self::Boolean,
            "Duration" => Self::Duration,
            "Number" => Self::Number,
            _ => return None,
        })
    }

    /// The JSON value kind the term carries.
    pub fn kind(self) -> TermValueKind {
        match self {
            Self::Text | Self::YesNo => TermValueKind::Text,
            Self::Money => TermValueKind::Money,
            Self::Event => TermValueKind::Event,
            Self::Boolean => TermValueKind::Boolean,
            Self::Duration => TermValueKind::Duration,
            Self::Number => TermValueKind::Number,
        }
    }

    /// The names the table accepts, for messages.
    pub const NAMES: &'static str = "Text, YesNo, Money, Event, Boolean, Duration, Number";
}
