//! `Asset` and its work-type metadata.
//!
//! MDDF nests `SeriesMetadata` inside the episode's `SeasonMetadata`; the
//! API's episode example has it beside `SeasonMetadata` in `EpisodeMetadata`,
//! so for an episode without its own `SeriesMetadata` the season's one is
//! moved up. A season asset keeps it nested, as the API's season example does.
//!
//! A metadata element that is present stays an object, `{}` when nothing
//! in it is the API's (a series bundle's `SeriesMetadata` may hold nothing
//! the API requires), so its presence is not lost.
//!
//! A `GroupingEntity` of type `channel` in any of the asset's metadata is the
//! avail's channel ([`Ctx::channel`]), which the transactions then carry as
//! their `ChannelIdentity` term; other grouping types are reported as ignored.

use serde_json::{Map, Value};

use super::build::{collapse_ws, integer, split_list, string, Channel, Ctx, Node, Out};
use crate::tree::Element;

/// What separates several ALIDs in one `BundledALID` (ALIDs hold `:`).
const BUNDLE_SEPARATORS: &[char] = &[',', ';', '\r', '\n'];

/// `Asset`: `contentID`, `WorkType`, the metadata of its work type, bundled titles.
pub(super) fn asset(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.attr(ctx, &mut node, "contentID", "_contentID");
    out.one(ctx, &mut node, "WorkType", "WorkType", string);
    out.one(ctx, &mut node, "Metadata", "Metadata", unit_metadata);
    out.one(
        ctx,
        &mut node,
        "EpisodeMetadata",
        "EpisodeMetadata",
        episode_metadata,
    );
    out.one(
        ctx,
        &mut node,
        "SeasonMetadata",
        "SeasonMetadata",
        season_metadata,
    );
    out.one(
        ctx,
        &mut node,
        "SeriesMetadata",
        "SeriesMetadata",
        series_metadata,
    );
    bundle_assets(&mut out, ctx, &mut node);
    node.finish(ctx);
    out.into_value()
}

/// Takes every `GroupingEntity` of a metadata element: a channel becomes
/// the avail's channel; any other type is reported as ignored.
fn grouping_entities(node: &mut Node<'_>, ptr: &str, ctx: &mut Ctx) {
    let ptr = format!("{ptr}/GroupingEntity");
    for el in node.take_all(&["GroupingEntity"]) {
        grouping_entity(el, &ptr, ctx);
    }
}

/// One `GroupingEntity` (`Type`, `GroupIdentity`, `DisplayName`). MovieLabs
/// writes EMA's `GroupIdentity` column in its `DisplayName` (and in
/// `GroupIdentity` too), so `DisplayName` names the channel, else `GroupIdentity`.
fn grouping_entity(el: &Element, ptr: &str, ctx: &mut Ctx) {
    let is_channel = el
        .children
        .iter()
        .find(|c| c.name == "Type")
        .is_some_and(|t| collapse_ws(&t.text).eq_ignore_ascii_case("channel"));
    if !is_channel {
        ctx.ignore(ptr.to_string(), el.line);
        return;
    }
    let mut node = Node::new(el, ptr);
    node.take("Type");
    let text = |e: Option<&Element>| e.map(|e| (collapse_ws(&e.text), e.line));
    let display = text(node.take("DisplayName")).filter(|(t, _)| !t.is_empty());
    let identity = text(node.take("GroupIdentity")).filter(|(t, _)| !t.is_empty());
    node.finish(ctx);
    let (name, name_line) = match (display, identity) {
        (Some(d), Some(i)) => {
            if d.0 != i.0 {
                ctx.ignore(format!("{ptr}/GroupIdentity"), i.1);
            }
            d
        }
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => {
            ctx.invalid(
                &format!("{ptr}/DisplayName"),
                el,
                "a channel name in DisplayName or GroupIdentity",
            );
            return;
        }
    };
    match &ctx.channel {
        None => {
            ctx.channel = Some(Channel {
                name,
                line: el.line,
                name_line,
            })
        }
        Some(first) if first.name == name => {}
        Some(first) => {
            let expected = format!(
                "one channel per avail (`{}` at line {})",
                first.name, first.name_line
            );
            ctx.invalid_value(&format!("{ptr}/DisplayName"), name_line, &name, expected);
        }
    }
}

/// Every `BundledAsset` (the API's `BundleAsset`) → array `BundleAsset` of
/// `{"BundledALID": id}`; several ALIDs in one `BundledALID` (`a, b; c`)
/// give one entry each, pointing at the element's line.
fn bundle_assets(out: &mut Out, ctx: &mut Ctx, node: &mut Node<'_>) {
    let array_ptr = out.child_ptr("BundleAsset");
    let mut items = Vec::new();
    let mut first_line = None;
    // MDDF spells it `BundledAsset`; the API `BundleAsset`.
    for el in node.take_all(&["BundledAsset", "BundleAsset"]) {
        let mut bundled = Node::new(el, &format!("{array_ptr}/{}", items.len()));
        let alid = bundled.take("BundledALID");
        bundled.finish(ctx);
        let Some(alid) = alid else { continue };
        Node::new(alid, &format!("{array_ptr}/{}/BundledALID", items.len())).finish(ctx);
        for id in split_list(&alid.text, BUNDLE_SEPARATORS) {
            let item_ptr = format!("{array_ptr}/{}", items.len());
            ctx.pointer_lines
                .insert(format!("{item_ptr}/BundledALID"), alid.line);
            ctx.pointer_lines.insert(item_ptr, el.line);
            let mut item = Map::new();
            item.insert("BundledALID".into(), Value::String(id));
            items.push(Value::Object(item));
            first_line.get_or_insert(el.line);
        }
    }
    out.put_array(ctx, "BundleAsset", items, first_line);
}

/// `Metadata` of a movie, short, supplemental or collection.
fn unit_metadata(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.many(
        ctx,
        &mut node,
        &["TitleInternalAlias"],
        "TitleInternalAlias",
        string,
    );
    grouping_entities(&mut node, ptr, ctx);
    node.finish(ctx);
    Some(
        out.into_value()
            .unwrap_or_else(|| Value::Object(Map::new())),
    )
}

/// `EpisodeMetadata`, with the series hoisted out of the season when needed.
fn episode_metadata(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.many(
        ctx,
        &mut node,
        &["TitleInternalAlias"],
        "TitleInternalAlias",
        string,
    );
    out.one(ctx, &mut node, "EpisodeNumber", "EpisodeNumber", sequence);
    let season = node.take("SeasonMetadata");
    let own_series = node.take("SeriesMetadata");
    let nested_series = match own_series {
        Some(_) => None,
        None => season.and_then(|s| s.children.iter().find(|c| c.name == "SeriesMetadata")),
    };
    if let Some(season) = season {
        let season_ptr = out.child_ptr("SeasonMetadata");
        if let Some(v) = season_fields(season, &season_ptr, ctx, nested_series.is_some()) {
            out.put(ctx, "SeasonMetadata", v, season.line);
        }
    }
    if let Some(series) = own_series.or(nested_series) {
        out.emit(ctx, "SeriesMetadata", series, series_metadata);
    }
    grouping_entities(&mut node, ptr, ctx);
    node.finish(ctx);
    Some(
        out.into_value()
            .unwrap_or_else(|| Value::Object(Map::new())),
    )
}

/// `SeasonMetadata` of a season asset.
fn season_metadata(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    season_fields(el, ptr, ctx, false)
}

/// `SeasonMetadata`; with `series_hoisted` its first `SeriesMetadata` is
/// left out because the caller writes it elsewhere.
fn season_fields(el: &Element, ptr: &str, ctx: &mut Ctx, series_hoisted: bool) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.one(ctx, &mut node, "SeasonContentID", "SeasonContentID", string);
    out.many(
        ctx,
        &mut node,
        &["SeasonTitleInternalAlias"],
        "SeasonTitleInternalAlias",
        string,
    );
    out.one(ctx, &mut node, "SeasonNumber", "SeasonNumber", sequence);
    out.one(
        ctx,
        &mut node,
        "NumberOfEpisodes",
        "NumberOfEpisodes",
        integer,
    );
    if series_hoisted {
        node.take("SeriesMetadata");
    } else {
        out.one(
            ctx,
            &mut node,
            "SeriesMetadata",
            "SeriesMetadata",
            series_metadata,
        );
    }
    grouping_entities(&mut node, ptr, ctx);
    node.finish(ctx);
    Some(
        out.into_value()
            .unwrap_or_else(|| Value::Object(Map::new())),
    )
}

/// `SeriesMetadata`.
fn series_metadata(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.one(ctx, &mut node, "SeriesContentID", "SeriesContentID", string);
    out.many(
        ctx,
        &mut node,
        &["SeriesTitleInternalAlias"],
        "SeriesTitleInternalAlias",
        string,
    );
    out.one(
        ctx,
        &mut node,
        "NumberOfSeasons",
        "NumberOfSeasons",
        integer,
    );
    grouping_entities(&mut node, ptr, ctx);
    node.finish(ctx);
    Some(
        out.into_value()
            .unwrap_or_else(|| Value::Object(Map::new())),
    )
}

/// `ContentSequenceInfo`: only `Number`, as an integer.
fn sequence(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.one(ctx, &mut node, "Number", "Number", integer);
    node.finish(ctx);
    out.into_value()
}
