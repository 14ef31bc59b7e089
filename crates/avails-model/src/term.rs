//! `AvailTerms`: a named commercial term with one typed value.

use serde::{Deserialize, Serialize};

use crate::Extra;

/// One commercial term: `_termName` plus a value of the matching kind.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Term {
    /// Term name, compared case-insensitively.
    #[serde(rename = "_termName")]
    pub name: String,
    /// Free text value.
    #[serde(rename = "Text", skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Money value (amount and currency).
    #[serde(rename = "Money", skip_serializing_if = "Option::is_none")]
    pub money: Option<Money>,
    /// Date-time value, ISO 8601.
    #[serde(rename = "Event", skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Boolean value.
    #[serde(rename = "Boolean", skip_serializing_if = "Option::is_none")]
    pub boolean: Option<bool>,
    /// ISO 8601 duration value such as `PT48H`.
    #[serde(rename = "Duration", skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Integer value.
    #[serde(rename = "Number", skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Money`: an optional decimal amount in an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Money {
    /// Amount; some price terms carry only the currency.
    #[serde(rename = "value", skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// ISO 4217 currency code; required by the reference, but optional here
    /// so a sheet that omits it is reported by validation, not lost.
    #[serde(rename = "_currency", skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Attributes not modelled here, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The kinds of value a term can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermValueKind {
    /// `Text`
    Text,
    /// `Money`
    Money,
    /// `Event`
    Event,
    /// `Boolean`
    Boolean,
    /// `Duration`
    Duration,
    /// `Number`
    Number,
}

impl TermValueKind {
    /// The JSON attribute name of this kind.
    pub fn attribute(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Money => "Money",
            Self::Event => "Event",
            Self::Boolean => "Boolean",
            Self::Duration => "Duration",
            Self::Number => "Number",
        }
    }

    /// Parses a kind from its JSON attribute name.
    pub fn from_attribute(name: &str) -> Option<Self> {
        Some(match name {
            "Text" => Self::Text,
            "Money" => Self::Money,
            "Event" => Self::Event,
            "Boolean" => Self::Boolean,
            "Duration" => Self::Duration,
            "Number" => Self::Number,
            _ => return None,
        })
    }
}

impl Term {
    /// A term with only a name; set one value with the builder methods.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The kinds of value this term carries.
    pub fn value_kinds(&self) -> Vec<TermValueKind> {
        let mut kinds = Vec::new();
        if self.text.is_some() {
            kinds.push(TermValueKind::Text);
        }
        if self.money.is_some() {
            kinds.push(TermValueKind::Money);
        }
        if self.event.is_some() {
            kinds.push(TermValueKind::Event);
        }
        if self.boolean.is_some() {
            kinds.push(TermValueKind::Boolean);
        }
        if self.duration.is_some() {
            kinds.push(TermValueKind::Duration);
        }
        if self.number.is_some() {
            kinds.push(TermValueKind::Number);
        }
        kinds
    }
}
