//! `Asset` and its work-type metadata.
//!
//! MDDF nests `SeriesMetadata` inside the episode's `SeasonMetadata`; the
//! API's episode example has it beside `SeasonMetadata` in `EpisodeMetadata`,
//! so for an episode without its own `SeriesMetadata` the season's one is
//! moved up. A season asset keeps it nested, as the API's season example does.

use serde_json::Value;

use super::build::{integer, string, Ctx, Node, Out};
use crate::tree::Element;

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
    // MDDF spells it `BundledAsset`; the API `BundleAsset`.
    out.many(
        ctx,
        &mut node,
        &["BundledAsset", "BundleAsset"],
        "BundleAsset",
        bundle_asset,
    );
    node.finish(ctx);
    out.into_value()
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
    node.finish(ctx);
    out.into_value()
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
    node.finish(ctx);
    out.into_value()
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
    node.finish(ctx);
    out.into_value()
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
    node.finish(ctx);
    out.into_value()
}

/// `ContentSequenceInfo`: only `Number`, as an integer.
fn sequence(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.one(ctx, &mut node, "Number", "Number", integer);
    node.finish(ctx);
    out.into_value()
}

/// `BundledAsset` → `BundleAsset`: only `BundledALID`.
fn bundle_asset(el: &Element, ptr: &str, ctx: &mut Ctx) -> Option<Value> {
    let mut node = Node::new(el, ptr);
    let mut out = Out::new(ptr);
    out.one(ctx, &mut node, "BundledALID", "BundledALID", string);
    node.finish(ctx);
    out.into_value()
}
