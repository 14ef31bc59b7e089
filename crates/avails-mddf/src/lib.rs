//! Reads MDDF Avails XML and turns each `<Avail>` into a Prime Video Avails
//! API payload (`{"avail": {...}}`), remembering which XML line produced
//! every part of it.
//!
//! Two layers:
//! - [`xml_to_json`] applies the reference's four conversion rules
//!   ("Conversion de MDDF XML en JSON") to any XML document;
//! - [`read_avails`] reads an `AvailList` (or a lone `Avail`) and shapes each
//!   avail the way the API schema does: arrays where the schema has arrays,
//!   typed booleans, integers and amounts, `_`-prefixed attributes, MDDF
//!   spellings mapped to API ones. What the schema does not have is left out
//!   and listed in [`ParsedAvail::ignored`].
//!
//! The payload mirrors the XML: this crate neither groups avails by territory
//! or business line nor checks business rules. A required element missing
//! from the XML stays missing, so deserializing such a payload fails with
//! serde's "missing field" message (a blank `contentID` included: no default
//! is invented here). A value that cannot take its API type (a `Boolean` term
//! reading `yes`) is left out and listed in [`ParsedAvail::invalid`], so the
//! rest still deserializes.
//!
//! Beyond the four rules, the reader normalizes what MDDF says in another
//! shape than the API:
//! - `StartCondition` / `EndCondition` (a bound given as an event, e.g.
//!   `ESTStart`, with an optional `lag`): `EndCondition` `Open` is no `End`;
//!   every other condition is left for the caller in
//!   [`ParsedAvail::conditions`] (the payload then has no `Start`/`End` for
//!   it, which the caller must resolve or report);
//! - a `GroupingEntity` of type `channel` in the asset's metadata (where
//!   MovieLabs writes EMA's `GroupIdentity`) becomes a `ChannelIdentity`
//!   term on every transaction of the avail;
//! - a comma list inside one language element (`<AssetLanguage>EN, FR</AssetLanguage>`)
//!   or one `BundledALID` becomes one entry per item.

mod error;
mod json;
mod normalize;
mod tree;

use std::collections::BTreeMap;

use avails_model::AvailRequest;
use serde_json::Value;

pub use error::MddfError;

/// One `<Avail>` as an API payload, with where its parts came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAvail {
    /// `{"avail": {...}}`, deserializable into [`AvailRequest`].
    pub payload: Value,
    /// Line of the `<Avail>` element.
    pub line: u32,
    /// Line of each `<Transaction>`, in the order of `/avail/Transaction`.
    pub transaction_lines: Vec<u32>,
    /// JSON pointer inside `payload` (e.g. `/avail/Transaction/1/Territory/0/country`)
    /// → line of the XML element that produced it.
    pub pointer_lines: BTreeMap<String, u32>,
    /// Elements and attributes Prime Video does not use, in line order.
    pub ignored: Vec<Ignored>,
    /// Values left out because they do not fit their API type, in line order.
    pub invalid: Vec<Invalid>,
    /// Start and end conditions of each transaction, indexed like
    /// `transaction_lines` (one entry per transaction, empty for most).
    pub conditions: Vec<TransactionConditions>,
}

/// What bounds a transaction's window other than a `Start` or `End` date.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransactionConditions {
    /// `StartCondition`: the window starts at an event (`Theatrical`, ...).
    pub start: Option<Condition>,
    /// `EndCondition` other than `Open` (`ESTStart`, `Immediate`, ...).
    pub end: Option<Condition>,
    /// `WindowDuration`: how long the window lasts (`xs:duration`).
    pub window_duration: Option<WindowDuration>,
}

impl TransactionConditions {
    /// Whether the transaction has none of them.
    pub fn is_empty(&self) -> bool {
        self.start.is_none() && self.end.is_none() && self.window_duration.is_none()
    }
}

/// A `StartCondition` or `EndCondition` (MDDF's `DateTimeCondition`
/// vocabulary: `Open`, `Immediate`, `ESTStart`, `EST`, `Broadcast`,
/// `Completed`, `Theatrical`, `TBD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The condition as written, whitespace collapsed (empty when the element is).
    pub value: String,
    /// The `lag` attribute (an `xs:duration` such as `P30D`), as written.
    pub lag: Option<String>,
    /// Line of the element.
    pub line: u32,
}

/// A transaction's `WindowDuration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowDuration {
    /// The duration as written (`xs:duration`, e.g. `P90D`).
    pub value: String,
    /// Line of the element.
    pub line: u32,
}

/// An XML element or attribute the API schema does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// Where it would sit in the payload, e.g. `/avail/Asset/0/Metadata/RunLength`
    /// (attributes end in `/_name`).
    pub path: String,
    /// Line of the element (of the owning element for an attribute).
    pub line: u32,
}

/// An XML value that could not be given the type the API schema requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// Where the value would sit in the payload.
    pub path: String,
    /// Line of the element holding it.
    pub line: u32,
    /// The text found.
    pub value: String,
    /// What the API expects, e.g. `an integer`.
    pub expected: String,
}

impl ParsedAvail {
    /// The payload as the typed API request.
    pub fn request(&self) -> Result<AvailRequest, serde_json::Error> {
        serde_json::from_value(self.payload.clone())
    }

    /// The XML line for a JSON pointer, falling back to its nearest recorded
    /// ancestor (so a missing `End` points at its `<Transaction>`).
    pub fn line_of(&self, pointer: &str) -> u32 {
        let mut p = pointer;
        loop {
            if let Some(&line) = self.pointer_lines.get(p) {
                return line;
            }
            match p.rfind('/') {
                Some(i) if i > 0 => p = &p[..i],
                _ => return self.line,
            }
        }
    }
}

/// Converts any XML document with the reference's four rules:
/// `<alice charlie="david">bob</alice>` → `{"alice":{"_charlie":"david","value":"bob"}}`.
pub fn xml_to_json(xml: &str) -> Result<Value, MddfError> {
    let root = tree::parse(xml)?;
    Ok(json::document_value(&root))
}

/// Reads every `<Avail>` of an `AvailList` document (or a lone `<Avail>`) as
/// an API payload, in document order.
pub fn read_avails(xml: &str) -> Result<Vec<ParsedAvail>, MddfError> {
    let root = tree::parse(xml)?;
    let avails: Vec<&tree::Element> = match root.name.as_str() {
        "AvailList" => root.children.iter().filter(|c| c.name == "Avail").collect(),
        "Avail" => vec![&root],
        other => {
            return Err(MddfError::UnexpectedRoot {
                found: other.to_string(),
                line: root.line,
            })
        }
    };
    Ok(avails.into_iter().map(parse_avail).collect())
}

fn parse_avail(el: &tree::Element) -> ParsedAvail {
    let mut ctx = normalize::Ctx::default();
    let (payload, transaction_lines) = normalize::avail(el, &mut ctx);
    ctx.ignored.sort_by_key(|i| i.line);
    ctx.invalid.sort_by_key(|i| i.line);
    debug_assert_eq!(ctx.conditions.len(), transaction_lines.len());
    ParsedAvail {
        payload,
        line: el.line,
        transaction_lines,
        pointer_lines: ctx.pointer_lines,
        ignored: ctx.ignored,
        invalid: ctx.invalid,
        conditions: ctx.conditions,
    }
}
