//! Local validator for Prime Video Avails API payloads (`{"avail": {...}}`).
//!
//! Works on untyped JSON (a `serde_json::Value`, or an
//! [`avails_model::doc::Doc`] filled straight from a typed payload) so that
//! type errors (a Money given as a string) are reported one by one instead
//! of failing a typed parse. Every
//! rule has a stable code (`AV001`...) listed by [`rules`] and documented in
//! `docs/rules.md`, generated from the catalogue and the rule tests.
//!
//! Where the reference's tables and its own JSON examples disagree, the
//! examples win (each choice is also written in the rule's `spec` text):
//!
//! - WorkType also allows `Collection` and `Series`, FormatProfile `Max`
//!   (bundle examples); EntryType also `PartialExtract` (003 partial extract).
//! - `BundleAsset`/`BundledALID` and an asset-level `SeriesMetadata` without
//!   `SeriesContentID` are part of the supported schema (bundle examples).
//! - A missing `Disposition` is an error (AV004), as the Avail table says,
//!   although the validate examples omit it: what a payload replaces on the
//!   server must never be a guess.
//! - Tier/Category on POEST are warnings (AV071); SRP, WSP and
//!   SuppressionLiftDate stay errors (AV070), as the POEST example has them.
//! - SVOD durations are not required on a Supplemental asset (AV072): the
//!   trailer examples have none; ChannelIdentity `FVOD` on SVOD is accepted
//!   (it infers the FVOD business line).
//! - The same `_TransactionID` twice within one avail is a warning (AV081,
//!   trailer examples); across payloads of a file or batch it is an error
//!   (AV080).
//! - ExclusiveAttributes/BrandingRightsAttributes may carry no value (GET
//!   example); a currency-only Money next to Tier/Category Text is silent.
//! - ChannelIdentity is required only for SVOD and FVOD (AV074): the TVOD
//!   examples have none although the Terms table marks it required.

use std::collections::HashMap;

use avails_model::diagnostic::codes::*;

use avails_model::doc::{Doc, Node, Obj, View};
use serde::Serialize;
use serde_json::Value;

mod avail;
mod batch;
mod catalogue;
pub mod countries;
pub mod currencies;
mod enums;
pub mod languages;
mod report;
mod schema;
mod terms;

pub use avails_model::MAX_BATCH_ITEMS;
pub use batch::{parse_item_path, ItemPath, PathError, Target};

use report::Report;

pub use avails_model::{Diagnostic, Severity};

/// One rule of the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Stable code, `AV001`...
    pub code: &'static str,
    /// Severity of every diagnostic with this code.
    pub severity: Severity,
    /// One-line summary.
    pub summary: &'static str,
    /// Where in the reference the rule comes from (and any example-driven choice).
    pub spec: &'static str,
}

/// What the caller knows about where a payload is going.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The payload is the body of a partial-extract transaction PUT.
    pub partial: bool,
    /// ALID of the path the payload is sent to.
    pub expected_alid: Option<String>,
    /// Transaction ID of the partial-extract path the payload is sent to.
    pub expected_transaction_id: Option<String>,
}

/// The rule catalogue, in code order.
pub fn rules() -> &'static [Rule] {
    catalogue::RULES
}

/// The catalogue entry of `code`, if it exists.
pub fn rule(code: &str) -> Option<&'static Rule> {
    catalogue::RULES.iter().find(|r| r.code == code)
}

/// Validates one payload `{"avail": {...}}`.
pub fn validate_payload(payload: &Value, ctx: &Context) -> Vec<Diagnostic> {
    validate_node(Doc::from_value(payload).root(), ctx)
}

/// [`validate_payload`] of a payload held in a [`Doc`] (filled straight
/// from a typed payload, say).
pub fn validate_node(payload: Node, ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut r = Report::new(&mut out, "");
    let Some(root) = payload.as_object() else {
        r.emit(
            AV001,
            format!(
                "the payload must be an object with an `avail` object, found {}",
                report::describe(payload)
            ),
        );
        return out;
    };
    for key in root.keys().filter(|k| *k != "avail") {
        r.emit_at(
            key,
            AV005,
            format!("attribute `{key}` is not part of an avails request and is ignored"),
        );
    }
    match root.get("avail").map(|v| (v, v.view())) {
        Some((_, View::Object(avail))) => {
            r.key("avail");
            schema::walk_object(avail, schema::AVAIL, "Avail", &mut r);
            avail::check(avail, ctx, &mut r);
        }
        Some((other, _)) => r.emit_at(
            "avail",
            AV001,
            format!(
                "`avail` must be an object, found {}",
                report::describe(other)
            ),
        ),
        None => r.emit_at("avail", AV001, "`avail` is missing".to_owned()),
    }
    out
}

/// Validates each payload and the rules across payloads of one file
/// (a `_TransactionID` belongs to one payload); each diagnostic comes with
/// the index of its payload.
pub fn validate_payloads<'a>(
    payloads: impl IntoIterator<Item = &'a Value>,
) -> Vec<(usize, Diagnostic)> {
    let ctx = Context::default();
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    let mut cross = Vec::new();
    let mut doc = Doc::new();
    for (i, payload) in payloads.into_iter().enumerate() {
        doc.fill_value(payload);
        out.extend(validate_node(doc.root(), &ctx).into_iter().map(|d| (i, d)));
        if let Some(avail) = avail_of(doc.root()) {
            cross_ids(avail, i, "payload", &mut seen, "", &mut cross);
            out.extend(cross.drain(..).map(|d| (i, d)));
        }
    }
    out
}

/// The `avail` object of a payload, if it has one.
fn avail_of(payload: Node) -> Option<Obj> {
    payload.as_object()?.get("avail")?.as_object()
}

/// AV080: reports each `_TransactionID` of `avail` (the `index`-th of its
/// file or batch) already used by another one (`seen`: each ID → its
/// payload and transaction); pointers start with `prefix`.
fn cross_ids(
    avail: Obj,
    index: usize,
    what: &str,
    seen: &mut HashMap<Box<str>, (usize, usize)>,
    prefix: &str,
    out: &mut Vec<Diagnostic>,
) {
    for (t, id) in avail::transaction_ids(avail) {
        match seen.get(id) {
            Some(&(other, ot)) if other != index => out.push(Diagnostic::of(
                AV080,
                avails_model::Location::pointer(format!(
                    "{prefix}/avail/Transaction/{t}/_TransactionID"
                )),
                format!(
                    "_TransactionID {} is already used by Transaction {ot} of {what} {other} (must be unique within a file)",
                    report::quote(id)
                ),
            )),
            Some(_) => {}
            None => {
                seen.insert(id.into(), (index, t));
            }
        }
    }
}

/// Whether Prime Video processes a term of this name (the reference's
/// Supported Terms table; names compare case-insensitively).
pub fn is_supported_term(name: &str) -> bool {
    terms::lookup(name).is_some()
}

/// Validates a batch request `{"requestItems": [...]}`: at most 100 items,
/// unique `requestItemId`s, well-formed paths, and each body with the context
/// its path gives (ALID of a full-extract path, transaction of a
/// partial-extract path).
pub fn validate_batch(request: &Value) -> Vec<Diagnostic> {
    batch::validate(request)
}
