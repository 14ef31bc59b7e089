//! MDDF Avails XML export: payloads (`Avail`s) written as an `AvailList` of
//! MDDF Avails 2.6 (`avails-v2.6.xsd`, the "MDDF API v2.6" the reference
//! names), the inverse of the reference's four XML→JSON rules and of
//! `avails-mddf`'s normalization, so `avails convert` of the file gives the
//! payloads back. Other platforms take MDDF too.
//!
//! What is written is what the MDDF Avails XSD and MovieLabs' structure
//! rules accept (MovieLabs' own validator, `tools/mddf-validator`, is the
//! judge in the tests):
//! - one `<Avail>` per ALID: a payload is one ALID × territory × business
//!   line, MDDF has the ALID once ("ID ALID is not unique" otherwise), so
//!   the payloads of an ALID share one `<Avail>` whose transactions carry
//!   their territories. Payloads of one ALID that differ in anything but
//!   their transactions (Licensor, Asset...) cannot share it and are
//!   refused, each named;
//! - `_name` properties become attributes (`_contentID` → `contentID`,
//!   `_asset` → `asset`, `_termName` → `termName`, `_currency` → `currency`),
//!   `value` the element's text, arrays repeated elements, in the schema's
//!   element order;
//! - `EntryType` takes MDDF's spelling (`Full Extract`, `Full Delete`); a
//!   payload without Disposition (the reference's GET responses) gets the
//!   entry type a missing one means, avails-model's `EntryType::default()`;
//! - `BundleAsset` is MDDF's `BundledAsset`; an episode's `SeriesMetadata`
//!   goes back inside its `SeasonMetadata`, where MDDF has it;
//! - a window without `End` gets `<EndCondition>Open</EndCondition>` (the
//!   schema requires an End or a condition);
//! - a `ChannelIdentity` term that every transaction carries with the same
//!   name becomes the asset's `GroupingEntity` of type `channel` (where
//!   MovieLabs writes EMA's `GroupIdentity`); otherwise it stays a `Term`;
//! - `AvailType` (from the WorkType) and `ShortDescription`, required by the
//!   schema and absent from the API, are written for MDDF readers; a
//!   supplement's `RefALID` (structure rule "supplement-AvailType") is its
//!   own ALID, the title of the metadata delivery it belongs to; a Series
//!   asset's required `SeriesContentID`, when the payload has none, is the
//!   asset's contentID;
//! - where MDDF says less than the API, the payload is written in MDDF's
//!   terms and each change reported as a [`Loss`]: a non-SVOD transaction
//!   holds one AssetLanguage (rule "SVOD-AssetLanguage"), so one with
//!   several is written once per distinct language, its TransactionID on
//!   the first; a language `asset` is subtitle, audio or subdub (`sub` and
//!   `dub` are written so, other kinds dropped); a Term holds one non-empty
//!   value (a Tier's Money currency beside its Text is dropped, a term
//!   without value left out).
//!
//! A payload MDDF cannot take at all (a partial extract, a FormatProfile
//! outside MDDF's vocabulary such as `Max`, a required element missing:
//! Licensor, Start, FormatProfile, the metadata its WorkType needs, a
//! season's number, a series' title...) is not written: it is a
//! [`Rejected`] with every reason, and the file holds the others.
//!
//! What the written payloads cannot carry is reported per value as a
//! [`Loss`], never silently: the written XML is read back with
//! `avails-mddf` and each payload's part compared with it (Terms as a set),
//! so any value that would not come back (an attribute the schema has no
//! place for, an empty string, characters XML 1.0 forbids, ...) is named
//! with its pointer and why.

mod avail;
mod check;
mod transaction;
mod valid;
mod write;

use std::collections::HashMap;
use std::path::Path;

use avails_model::canonical::canonical;
use avails_model::Avail;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{ExportError, Loss};

/// The MDDF Avails schema version written.
pub const MDDF_AVAILS_VERSION: &str = "2.6";
/// Namespace of MDDF Avails 2.6 (prefix `avails`).
pub const AVAILS_NAMESPACE: &str = "http://www.movielabs.com/schema/avails/v2.6/avails";
/// Namespace of MovieLabs Common Metadata 2.10, which Avails 2.6 imports (prefix `md`).
pub const MD_NAMESPACE: &str = "http://www.movielabs.com/schema/md/v2.10/md";
/// Namespace of MovieLabs Media Entertainment Core 2.10 (prefix `mdmec`).
pub const MDMEC_NAMESPACE: &str = "http://www.movielabs.com/schema/mdmec/v2.10";

/// A payload that cannot be written as valid MDDF, and why (one per reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// Index of the payload in the exported list.
    pub avail: usize,
    /// Its ALID.
    pub alid: String,
    /// Its territory (the first transaction's), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub territory: Option<String>,
    /// JSON pointer inside the payload's avail.
    pub pointer: String,
    /// Why MDDF cannot take it.
    pub reason: String,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "payload {} (ALID {}", self.avail + 1, self.alid)?;
        if let Some(t) = &self.territory {
            write!(f, ", territory {t}")?;
        }
        write!(f, ") {}: {}", self.pointer, self.reason)
    }
}

/// Payloads as an MDDF Avails document.
#[derive(Debug, Clone, Default)]
pub struct MddfDocument {
    /// The XML; `None` when no payload could be written (an `AvailList`
    /// needs one `Avail`, so no document is valid then).
    pub xml: Option<String>,
    /// What the payloads written cannot carry, or carry differently.
    pub losses: Vec<Loss>,
    /// The payloads not written, with every reason.
    pub rejected: Vec<Rejected>,
    /// `<Avail>` elements written: one per ALID.
    pub avails: usize,
    /// Payloads written (several per `<Avail>` when an ALID has several
    /// territories or business lines).
    pub payloads: usize,
    /// `<Transaction>` elements written.
    pub transactions: usize,
}

/// The avails as an MDDF Avails document: one `<Avail>` per ALID holding
/// the transactions of all its payloads, the payloads MDDF cannot take left
/// out and named, and what the written ones cannot carry.
pub fn mddf_xml(avails: &[Avail]) -> Result<MddfDocument, ExportError> {
    let json = |e: serde_json::Error| ExportError::Xml { source: e.into() };
    let io = |e: std::io::Error| ExportError::Xml { source: e.into() };
    let mut out = MddfDocument::default();
    let mut expected: Vec<Map<String, Value>> = Vec::with_capacity(avails.len());
    let mut ok = vec![true; avails.len()];
    for (i, avail) in avails.iter().enumerate() {
        let map = match serde_json::to_value(avail).map_err(json)? {
            Value::Object(m) => valid::with_defaults(m),
            _ => Map::new(),
        };
        for problem in valid::problems(&map) {
            ok[i] = false;
            out.rejected
                .push(rejected(avail, i, problem.pointer, problem.reason));
        }
        expected.push(map);
    }
    // One <Avail> per ALID, its payloads in the order given.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_alid: HashMap<&str, usize> = HashMap::new();
    for (i, avail) in avails.iter().enumerate().filter(|(i, _)| ok[*i]) {
        match by_alid.get(avail.alid.trim()) {
            Some(&g) => groups[g].push(i),
            None => {
                by_alid.insert(avail.alid.trim(), groups.len());
                groups.push(vec![i]);
            }
        }
    }
    groups.retain(|members| {
        let conflicts = conflicts(members, &expected, avails);
        let clean = conflicts.is_empty();
        out.rejected.extend(conflicts);
        clean
    });
    out.rejected.sort_by_key(|r| r.avail);
    if groups.is_empty() {
        return Ok(out);
    }

    let mut doc = write::Doc::new().map_err(io)?;
    doc.open(
        "avails:AvailList",
        &[
            ("xmlns:avails", AVAILS_NAMESPACE),
            ("xmlns:md", MD_NAMESPACE),
            ("xmlns:mdmec", MDMEC_NAMESPACE),
        ],
    )
    .map_err(io)?;
    let mut origins: Vec<Vec<(usize, usize)>> = Vec::with_capacity(groups.len());
    for members in &groups {
        let mut head = expected[members[0]].clone();
        head.remove("Transaction");
        let mut parts = Vec::new();
        for &p in members {
            let list = expected[p]
                .get("Transaction")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (index, t) in list.into_iter().enumerate() {
                let Value::Object(transaction) = t else {
                    doc.owners = vec![p];
                    doc.place_none(format!("/Transaction/{index}"));
                    continue;
                };
                let copies = valid::split_languages(&transaction).len();
                if copies > 0 {
                    let license = transaction
                        .get("LicenseType")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    out.losses.push(Loss {
                        avail: p,
                        alid: avails[p].alid.clone(),
                        row: None,
                        pointer: format!("/Transaction/{index}/AssetLanguage"),
                        reason: format!(
                            "MovieLabs' structure rules allow one AssetLanguage in a transaction \
                             whose LicenseType ({license}) is not SVOD: written as {copies} \
                             transactions, one per language, which read back as {copies} \
                             transactions (the TransactionID on the first: one ID names one window)"

                        ),
                    });
                }
                parts.push(avail::Part {
                    payload: p,
                    index,
                    transaction,
                });
            }
        }
        let written = avail::avail(&mut doc, members, head, parts).map_err(io)?;
        out.transactions += written.len();
        origins.push(written);
    }
    doc.close("avails:AvailList").map_err(io)?;
    let (unplaced, why) = (
        std::mem::take(&mut doc.unplaced),
        std::mem::take(&mut doc.why),
    );
    let xml = doc.finish();

    // What the XML really carries: read back as `avails convert` reads it,
    // each payload's part compared with the payload.
    let read = avails_mddf::read_avails(&xml).map_err(|source| ExportError::ReadBack { source })?;
    for (g, members) in groups.iter().enumerate() {
        let got = read.get(g).and_then(|p| p.payload.get("avail"));
        for &p in members {
            let part = got.map(|a| payload_part(a, &origins[g], p));
            let expected = Value::Object(expected[p].clone());
            for change in check::changes(&expected, part.as_ref()) {
                out.losses.push(Loss {
                    avail: p,
                    alid: avails[p].alid.clone(),
                    row: None,
                    reason: check::reason(&change, p, &unplaced, &why),
                    pointer: change.pointer,
                });
            }
        }
    }
    out.losses.sort_by_key(|l| l.avail);
    out.avails = groups.len();
    out.payloads = groups.iter().map(Vec::len).sum();
    out.xml = Some(xml);
    Ok(out)
}

fn rejected(avail: &Avail, i: usize, pointer: String, reason: String) -> Rejected {
    Rejected {
        avail: i,
        alid: avail.alid.clone(),
        territory: avail.territory().map(str::to_string),
        pointer,
        reason,
    }
}

/// Payloads of one ALID that differ in what their one `<Avail>` would
/// share (everything but transactions): each is named, with the first
/// place it differs from the ALID's first payload.
fn conflicts(
    members: &[usize],
    expected: &[Map<String, Value>],
    avails: &[Avail],
) -> Vec<Rejected> {
    let head = |p: usize| {
        let mut h = expected[p].clone();
        h.remove("Transaction");
        canonical(&Value::Object(h))
    };
    let first = head(members[0]);
    let mut differing = Vec::new();
    for &p in &members[1..] {
        let other = head(p);
        if let Some(change) = check::changes(&first, Some(&other)).into_iter().next() {
            differing.push((p, change.pointer));
        }
    }
    let Some((_, pointer)) = differing.first().cloned() else {
        return Vec::new();
    };
    let names: Vec<String> = members.iter().map(|p| (p + 1).to_string()).collect();
    members
        .iter()
        .map(|&p| {
            let at = differing
                .iter()
                .find(|(d, _)| *d == p)
                .map_or(pointer.clone(), |(_, ptr)| ptr.clone());
            let reason = format!(
                "payloads {} share this ALID but differ at {at}: MDDF has one Avail per ALID,                  so its payloads (one per territory and business line) must agree on all but                  their transactions",
                names.join(", ")
            );
            rejected(&avails[p], p, if at.is_empty() { "/".into() } else { at }, reason)
        })
        .collect()
}

/// Payload `p`'s part of a read-back avail: the shared parts, and the
/// transactions written from it (a transaction written once per
/// AssetLanguage joined back into one, its languages in order).
fn payload_part(avail: &Value, origins: &[(usize, usize)], p: usize) -> Value {
    let mut part = avail.as_object().cloned().unwrap_or_default();
    let read: Vec<Value> = match part.remove("Transaction") {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    let mut mine: Vec<(usize, Value)> = Vec::new();
    for (t, &(payload, index)) in read.into_iter().zip(origins) {
        if payload != p {
            continue;
        }
        match mine.last_mut() {
            Some((last, joined)) if *last == index => {
                let more = t.get("AssetLanguage").and_then(Value::as_array).cloned();
                if let (Some(Value::Array(langs)), Some(more)) =
                    (joined.get_mut("AssetLanguage"), more)
                {
                    langs.extend(more);
                }
            }
            _ => mine.push((index, t)),
        }
    }
    if !mine.is_empty() {
        part.insert(
            "Transaction".into(),
            Value::Array(mine.into_iter().map(|(_, t)| t).collect()),
        );
    }
    Value::Object(part)
}

/// Writes the avails as an MDDF Avails XML file; returns what it cannot
/// carry. Payloads MDDF cannot take are left out and the file holds the
/// others; the error then names them ([`ExportError::Rejected`]). Nothing
/// is written when no payload can be.
pub fn export_mddf(avails: &[Avail], path: &Path) -> Result<Vec<Loss>, ExportError> {
    let file = path.display().to_string();
    let document = mddf_xml(avails)?;
    if let Some(xml) = &document.xml {
        std::fs::write(path, xml).map_err(|source| ExportError::Write {
            file: file.clone(),
            source,
        })?;
    }
    if !document.rejected.is_empty() {
        return Err(ExportError::Rejected {
            file,
            written: document.payloads,
            rejected: document.rejected,
            losses: document.losses,
        });
    }
    if document.xml.is_none() {
        return Err(ExportError::Empty { file });
    }
    Ok(document.losses)
}
