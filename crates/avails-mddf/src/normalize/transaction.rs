//! `Transaction`, its territories, conditions, languages and terms.

use serde_json::{json, Map, Value};

use super::build::{boolean, collapse_ws, decimal, leaf_text, split_list, string, Ctx, Node, Out};
use crate::tree::Element;
use crate::{Condition, TransactionConditions, WindowDuration};

/// What separates the items of a language list in one element (as in an
/// EMA cell: `EN, FR, ES`); an RFC 5646 tag holds none of them.
const LANGUAGE_SEPARATORS: &[char] = &[',', ';', ' ', '\t', '\r', '\n'];

/// `Transaction`. Always an object (an empty `<Transaction/>` is `{}`), so
/// that the Transaction array and [`Ctx::conditions`] stay aligned.
pub(super) fn transaction(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    let mut conditions = TransactionConditions::default();
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
    if let Some(cond) = node.take("StartCondition") {
        conditions.start = Some(condition(cond, &out.child_ptr("StartCondition"), ctx));
    }
    let end = node.take("End");
    if let Some(end) = end {
        out.emit(ctx, "End", end, string);
    }
    if let Some(cond) = node.take("EndCondition") {
        let cond_ptr = out.child_ptr("EndCondition");
        let found = condition(cond, &cond_ptr, ctx);
        if !found.value.eq_ignore_ascii_case("Open") {
            conditions.end = Some(found);
        } else if end.is_some() {
            // `Open` beside an `End`: the End says more.
            ctx.ignore(cond_ptr, cond.line);
        } else if found.lag.is_some() {
            ctx.ignore(format!("{cond_ptr}/_lag"), cond.line);
        }
    }
    if let Some(duration) = node.take("WindowDuration") {
        let value = leaf_text(duration, &out.child_ptr("WindowDuration"), ctx);
        conditions.window_duration = Some(WindowDuration {
            value,
            line: duration.line,
        });
    }
    out.one(
        ctx,
        &mut node,
        "LicenseRightsDescription",
        "LicenseRightsDescription",
        string,
    );
    out.one(ctx, &mut node, "ContractID", "ContractID", string);
    for name in ["AssetLanguage", "AllowedLanguage", "HoldbackLanguage"] {
        languages(&mut out, ctx, &mut node, name);
    }
    terms(&mut out, ctx, &mut node);
    out.one(
        ctx,
        &mut node,
        "OtherInstructions",
        "OtherInstructions",
        string,
    );
    node.finish(ctx);
    ctx.conditions.push(conditions);
    Some(
        out.into_value()
            .unwrap_or_else(|| Value::Object(Map::new())),
    )
}

/// A `StartCondition` or `EndCondition` with its `lag`.
fn condition(el: &Element, ptr: &str, ctx: &mut Ctx) -> Condition {
    let mut node = Node::new(el, ptr);
    let lag = node.attr("lag").map(collapse_ws).filter(|l| !l.is_empty());
    node.finish(ctx);
    Condition {
        value: collapse_ws(&el.text),
        lag,
        line: el.line,
    }
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
    let text = collapse_ws(&el.text);
    if !text.is_empty() {
        out.put(ctx, "value", Value::String(text), el.line);
    }
    node.finish(ctx);
    out.into_value()
}

/// Every `name` language element → array `name` of `{"value": tag, "_asset": kind}`.
/// A list in one element (`EN, FR, ES`) gives one entry per tag, each with
/// the element's `asset` and pointing at the element's line.
fn languages(out: &mut Out, ctx: &mut Ctx, node: &mut Node<'_>, name: &str) {
    let array_ptr = out.child_ptr(name);
    let mut items = Vec::new();
    let mut first_line = None;
    for el in node.take_all(&[name]) {
        let mut lang = Node::new(el, &format!("{array_ptr}/{}", items.len()));
        let asset = lang
            .attr("asset")
            .map(collapse_ws)
            .filter(|a| !a.is_empty());
        lang.finish(ctx);
        let tags = split_list(&el.text, LANGUAGE_SEPARATORS);
        // No tag at all: what the element had (its `asset`), so the missing
        // `value` is reported where the payload is read.
        let values: Vec<Option<String>> = if tags.is_empty() {
            vec![None]
        } else {
            tags.into_iter().map(Some).collect()
        };
        for value in values {
            let item_ptr = format!("{array_ptr}/{}", items.len());
            let mut item = Map::new();
            if let Some(v) = value {
                ctx.pointer_lines
                    .insert(format!("{item_ptr}/value"), el.line);
                item.insert("value".into(), Value::String(v));
            }
            if let Some(a) = &asset {
                ctx.pointer_lines
                    .insert(format!("{item_ptr}/_asset"), el.line);
                item.insert("_asset".into(), Value::String(a.clone()));
            }
            if item.is_empty() {
                continue;
            }
            ctx.pointer_lines.insert(item_ptr, el.line);
            items.push(Value::Object(item));
            first_line.get_or_insert(el.line);
        }
    }
    out.put_array(ctx, name, items, first_line);
}

/// Every `Term` → `Terms`, then the avail's channel as a `ChannelIdentity`
/// term unless the transaction already names the same one. A term naming
/// another channel, or one without a `termName`, is left out and reported.
fn terms(out: &mut Out, ctx: &mut Ctx, node: &mut Node<'_>) {
    let array_ptr = out.child_ptr("Terms");
    let mut items = Vec::new();
    let mut first_line = None;
    let mut has_channel = false;
    for el in node.take_all(&["Term"]) {
        let item_ptr = format!("{array_ptr}/{}", items.len());
        let name = el
            .attrs
            .iter()
            .find(|(k, _)| k == "termName")
            .map(|(_, v)| collapse_ws(v))
            .unwrap_or_default();
        if name.is_empty() {
            // Reported with the value it held, which has no name to go by.
            let held = el.children.first().map_or(&el.text, |c| &c.text);
            let expected = "a Term with a termName attribute";
            ctx.invalid_value(&item_ptr, el.line, &collapse_ws(held), expected);
            continue;
        }
        if name.eq_ignore_ascii_case("ChannelIdentity") {
            if let Some(channel) = ctx.channel.clone() {
                let text = el.children.iter().find(|c| c.name == "Text");
                let own = text.map(|t| collapse_ws(&t.text)).unwrap_or_default();
                if own != channel.name {
                    let line = text.map_or(el.line, |t| t.line);
                    ctx.invalid_value(
                        &format!("{item_ptr}/Text"),
                        line,
                        &own,
                        format!(
                            "the channel the avail's GroupingEntity names (`{}`, line {})",
                            channel.name, channel.name_line
                        ),
                    );
                    continue;
                }
                has_channel = true;
            }
        }
        if let Some(value) = term(el, &item_ptr, ctx) {
            ctx.pointer_lines.insert(item_ptr, el.line);
            items.push(value);
            first_line.get_or_insert(el.line);
        }
    }
    if let (Some(channel), false) = (ctx.channel.clone(), has_channel) {
        let item_ptr = format!("{array_ptr}/{}", items.len());
        ctx.pointer_lines
            .insert(format!("{item_ptr}/Text"), channel.name_line);
        ctx.pointer_lines.insert(item_ptr, channel.line);
        items.push(json!({"_termName": "ChannelIdentity", "Text": channel.name}));
        first_line.get_or_insert(channel.line);
    }
    out.put_array(ctx, "Terms", items, first_line);
}

/// `Term` → `Terms` item: `termName` → `_termName` and its values typed as
/// the API has them; MDDF value kinds the API lacks (`ID`, `URI`,
/// `Language`, ...) are reported as ignored at their line.
fn term(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.attr(ctx, &mut node, "termName", "_termName");
    out.one(ctx, &mut node, "Text", "Text", string);
    out.one(ctx, &mut node, "Money", "Money", money);
    out.one(ctx, &mut node, "Event", "Event", string);
    out.one(ctx, &mut node, "Boolean", "Boolean", boolean);
    out.one(ctx, &mut node, "Duration", "Duration", string);
    out.one(ctx, &mut node, "Number", "Number", number);
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

/// A term's `Number`: MDDF's is an `xs:decimal`, the API's an integer, so a
/// whole decimal (`20.0`) is that integer and any other is invalid.
fn number(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let text = leaf_text(el, ptr, ctx);
    if text.is_empty() {
        return None;
    }
    let whole = text.parse::<i64>().ok().or_else(|| {
        let (int, frac) = text.split_once('.')?;
        let int = if int.is_empty() || int == "-" || int == "+" {
            format!("{int}0")
        } else {
            int.to_string()
        };
        frac.bytes()
            .all(|b| b == b'0')
            .then(|| int.parse::<i64>().ok())
            .flatten()
    });
    match whole {
        Some(n) => Some(Value::from(n)),
        None => {
            ctx.invalid(ptr, el, "an integer");
            None
        }
    }
}
