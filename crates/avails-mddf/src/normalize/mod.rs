//! From an MDDF `<Avail>` element to the API's `{"avail": {...}}` shape.
//!
//! Properties are written in the order of `avails_model` (the order of the
//! reference's examples), whatever their order in the XML. Anything the API
//! schema does not have is left out and recorded in [`Ctx::ignored`].

mod asset;
mod build;
mod transaction;

use serde_json::{Map, Value};

pub(crate) use build::Ctx;
use build::{leaf_text, string, Node, Out};

use crate::tree::Element;

/// The payload of one `<Avail>` and the lines of its transactions.
pub(crate) fn avail(el: &Element, ctx: &mut Ctx) -> (Value, Vec<u32>) {
    let ptr = "/avail";
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.one(ctx, &mut node, "ALID", "ALID", string);
    out.one(ctx, &mut node, "Disposition", "Disposition", disposition);
    out.one(ctx, &mut node, "Licensor", "Licensor", licensor);
    out.many(ctx, &mut node, &["Asset"], "Asset", asset::asset);
    let transaction_lines = out.many(
        ctx,
        &mut node,
        &["Transaction"],
        "Transaction",
        transaction::transaction,
    );
    out.many(
        ctx,
        &mut node,
        &["SharedEntitlement"],
        "SharedEntitlement",
        shared_entitlement,
    );
    node.finish(ctx);
    ctx.pointer_lines.insert(ptr.to_string(), el.line);
    let body = out
        .into_value()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let mut payload = Map::new();
    payload.insert("avail".into(), body);
    (Value::Object(payload), transaction_lines)
}

/// `Disposition`: `EntryType` with MDDF's spaced values made API enum values.
fn disposition(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.one(ctx, &mut node, "EntryType", "EntryType", entry_type);
    node.finish(ctx);
    out.into_value()
}

/// `Full Extract` → `FullExtract`, `Full Delete` → `FullDelete` (also
/// `Partial Extract`); any other value is kept for the validator to judge.
fn entry_type(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let text = leaf_text(el, ptr, ctx);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let known = ["FullExtract", "FullDelete", "PartialExtract"]
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(&compact));
    let value = known.map_or(text, str::to_string);
    (!value.is_empty()).then_some(Value::String(value))
}

/// `Licensor`: only `DisplayName`.
fn licensor(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.one(ctx, &mut node, "DisplayName", "DisplayName", string);
    node.finish(ctx);
    out.into_value()
}

/// `SharedEntitlement`: `ecosystem` attribute and `EcosystemID`.
fn shared_entitlement(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.attr(ctx, &mut node, "ecosystem", "_ecosystem");
    out.one(ctx, &mut node, "EcosystemID", "EcosystemID", string);
    node.finish(ctx);
    out.into_value()
}

#[cfg(test)]
mod tests;
