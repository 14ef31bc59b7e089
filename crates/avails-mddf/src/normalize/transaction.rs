//! `Transaction`, its territories, languages and terms.

use serde_json::Value;

use super::build::{boolean, collapse_ws, decimal, integer, leaf_text, string, Ctx, Node, Out};
use crate::tree::Element;

/// `Transaction`; `EndCondition` `Open` means no `End`.
pub(super) fn transaction(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.attr(ctx, &mut node, "TransactionID", "_TransactionID");
    out.one(ctx, &mut node, "LicenseType", "LicenseType", string);
    out.many(ctx, &mut node, &["Territory"], "Territory", region);
    out.one(
        ctx,
        &mut node,
        "FormatProfile",
        "FormatProfile",
        format_profile,
    );
    out.one(ctx, &mut node, "Start", "Start", string);
    let end = node.take("End");
    if let Some(end) = end {
        out.emit(ctx, "End", end, string);
    }
    if let Some(cond) = node.take("EndCondition") {
        // `Open` is what an absent `End` already says; any other condition
        // (or one beside an `End`) has no place in the API.
        let open =
            leaf_text(cond, &out.child_ptr("EndCondition"), ctx).eq_ignore_ascii_case("Open");
        if end.is_some() || !open {
            ctx.ignore(out.child_ptr("EndCondition"), cond.line);
        }
    }
    out.one(
        ctx,
        &mut node,
        "LicenseRightsDescription",
        "LicenseRightsDescription",
        string,
    );
    out.one(ctx, &mut node, "ContractID", "ContractID", string);
    out.many(
        ctx,
        &mut node,
        &["AssetLanguage"],
        "AssetLanguage",
        language,
    );
    out.many(
        ctx,
        &mut node,
        &["AllowedLanguage"],
        "AllowedLanguage",
        language,
    );
    out.many(
        ctx,
        &mut node,
        &["HoldbackLanguage"],
        "HoldbackLanguage",
        language,
    );
    out.many(ctx, &mut node, &["Term"], "Terms", term);
    out.one(
        ctx,
        &mut node,
        "OtherInstructions",
        "OtherInstructions",
        string,
    );
    node.finish(ctx);
    out.into_value()
}

/// `Territory` → `Region`: only `country`.
fn region(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.one(ctx, &mut node, "country", "country", string);
    node.finish(ctx);
    out.into_value()
}

/// `FormatProfile` → `{"value": ...}`; its MDDF attributes (HDR, ...) are ignored.
fn format_profile(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    text_value(&mut out, ctx, el);
    node.finish(ctx);
    out.into_value()
}

/// A language → `{"value": tag, "_asset": kind}`.
fn language(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    text_value(&mut out, ctx, el);
    out.attr(ctx, &mut node, "asset", "_asset");
    node.finish(ctx);
    out.into_value()
}

/// Puts an element's own text in `value` when it has any.
fn text_value(out: &mut Out, ctx: &mut Ctx, el: &Element) {
    let text = collapse_ws(&el.text);
    if !text.is_empty() {
        out.put(ctx, "value", Value::String(text), el.line);
    }
}

/// `Term` → `Terms` item: `termName` → `_termName` and one typed value.
fn term(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.attr(ctx, &mut node, "termName", "_termName");
    out.one(ctx, &mut node, "Text", "Text", string);
    out.one(ctx, &mut node, "Money", "Money", money);
    out.one(ctx, &mut node, "Event", "Event", string);
    out.one(ctx, &mut node, "Boolean", "Boolean", boolean);
    out.one(ctx, &mut node, "Duration", "Duration", string);
    out.one(ctx, &mut node, "Number", "Number", integer);
    node.finish(ctx);
    out.into_value()
}

/// `Money` → `{"value": amount, "_currency": code}`; either may be absent.
fn money(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    let text = collapse_ws(&el.text);
    if !text.is_empty() {
        match decimal(&text) {
            Some(n) => out.put(ctx, "value", n, el.line),
            None => ctx.invalid(&out.child_ptr("value"), el, "a decimal amount"),
        }
    }
    out.attr(ctx, &mut node, "currency", "_currency");
    node.finish(ctx);
    out.into_value()
}
