//! The payloads of one ALID as one MDDF `<avails:Avail>`: the inverse of the
//! reference's four rules (`_name` → attribute `name`, `value` → text,
//! arrays → repeated elements, nesting kept) and of `avails-mddf`'s
//! normalization (`BundleAsset` → `BundledAsset`, the episode's series back
//! inside its season, `ChannelIdentity` → `GroupingEntity`), in the element
//! order of `avails-v2.6.xsd`. MDDF has one `<Avail>` per ALID (its
//! validator reports "ID ALID is not unique" otherwise); each payload is one
//! territory and business line of it, so its transactions, which carry
//! their territory, all go into that one `<Avail>`.

use std::io;

use serde_json::{Map, Value};

use super::transaction::{channel_to_group, transaction};
use super::valid::{mddf_entry_type, split_languages};
use super::write::{take_array, take_object, take_scalar, Doc};

/// A transaction to write: from which payload, at which index there.
pub(crate) struct Part {
    /// Index of the payload in the exported list.
    pub payload: usize,
    /// Index of the transaction in that payload.
    pub index: usize,
    /// The transaction.
    pub transaction: Map<String, Value>,
}

/// `Avail-type`: ALID, Disposition, Licensor, AvailType, ShortDescription,
/// Asset*, Transaction*, SharedEntitlement*. `head` is what the payloads
/// (`members`) share, everything but their transactions; `parts` are their
/// transactions in order. Returns, per `<Transaction>` written, the payload
/// and transaction it comes from (a transaction written once per
/// AssetLanguage appears once per language).
pub(crate) fn avail(
    doc: &mut Doc,
    members: &[usize],
    mut avail: Map<String, Value>,
    parts: Vec<Part>,
) -> io::Result<Vec<(usize, usize)>> {
    doc.owners = members.to_vec();
    doc.open("avails:Avail", &[])?;
    let alid = avail
        .get("ALID")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    scalar(doc, &mut avail, "", "ALID", "avails:ALID")?;
    if let Some(mut disposition) = take_object(&mut avail, "Disposition") {
        doc.open("avails:Disposition", &[])?;
        if let Some(entry) = take_scalar(&mut disposition, "EntryType") {
            let entry = doc.text("/Disposition/EntryType", &entry);
            let mddf = mddf_entry_type(&entry).unwrap_or(&entry).to_string();
            doc.leaf("avails:EntryType", &[], &mddf)?;
        }
        doc.unplaced("/Disposition", disposition);
        doc.close("avails:Disposition")?;
    }
    if let Some(mut licensor) = take_object(&mut avail, "Licensor") {
        doc.open("avails:Licensor", &[])?;
        scalar(
            doc,
            &mut licensor,
            "/Licensor",
            "DisplayName",
            "md:DisplayName",
        )?;
        doc.unplaced("/Licensor", licensor);
        doc.close("avails:Licensor")?;
    }
    let mut assets = take_array(&mut avail, "Asset").unwrap_or_default();
    let work_type = assets
        .first()
        .and_then(|a| a.get("WorkType"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    // Required by the schema, read by nobody: what kind of avail, and a note.
    doc.leaf("avails:AvailType", &[], avail_type(&work_type))?;
    doc.leaf(
        "avails:ShortDescription",
        &[],
        "Exported by avails from Prime Video Avails API payloads",
    )?;
    let transactions: Vec<&Map<String, Value>> = parts.iter().map(|p| &p.transaction).collect();
    let channel = channel_to_group(&assets, &transactions);
    for (i, asset_value) in assets.drain(..).enumerate() {
        let ptr = format!("/Asset/{i}");
        match asset_value {
            Value::Object(a) => {
                asset(doc, &ptr, a, if i == 0 { channel.as_deref() } else { None })?
            }
            _ => {
                doc.place_none(ptr);
            }
        }
    }
    // A supplement names the title it belongs to (MovieLabs' structure rule
    // "supplement-AvailType" requires a RefALID). The API has no such field:
    // its ALID is the title's of the metadata delivery the trailer belongs
    // to, so that ALID is the reference.
    let ref_alid = (work_type == "Supplemental").then_some(alid.as_str());
    let mut written = Vec::new();
    for part in parts {
        doc.owners = vec![part.payload];
        let ptr = format!("/Transaction/{}", part.index);
        let copies = split_languages(&part.transaction);
        if copies.is_empty() {
            transaction(
                doc,
                &ptr,
                part.transaction,
                channel.is_some(),
                ref_alid,
                None,
            )?;
            written.push((part.payload, part.index));
            continue;
        }
        for (k, &language) in copies.iter().enumerate() {
            // One TransactionID names one window: the first copy keeps it.
            let mut copy = part.transaction.clone();
            if k > 0 {
                copy.remove("_TransactionID");
            }
            transaction(doc, &ptr, copy, channel.is_some(), ref_alid, Some(language))?;
            written.push((part.payload, part.index));
        }
    }
    doc.owners = members.to_vec();
    for (i, e) in take_array(&mut avail, "SharedEntitlement")
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let ptr = format!("/SharedEntitlement/{i}");
        let Value::Object(mut e) = e else {
            doc.place_none(ptr);
            continue;
        };
        let ecosystem = attribute(doc, &mut e, &ptr, "_ecosystem");
        let attrs: Vec<(&str, &str)> = ecosystem
            .iter()
            .map(|v| ("ecosystem", v.as_str()))
            .collect();
        doc.open("avails:SharedEntitlement", &attrs)?;
        scalar(doc, &mut e, &ptr, "EcosystemID", "avails:EcosystemID")?;
        doc.unplaced(&ptr, e);
        doc.close("avails:SharedEntitlement")?;
    }
    avail.remove("Transaction");
    doc.unplaced("", avail);
    doc.close("avails:Avail")?;
    Ok(written)
}

/// MDDF's `AvailType` for a WorkType (its vocabulary: single, episode,
/// season, series, collection, supplement, ...).
fn avail_type(work_type: &str) -> &'static str {
    match work_type {
        "Episode" => "episode",
        "Season" => "season",
        "Series" => "series",
        "Collection" => "collection",
        "Supplemental" => "supplement",
        _ => "single",
    }
}

/// `AvailAsset-type`: contentID, WorkType, its metadata, BundledAsset*.
fn asset(
    doc: &mut Doc,
    ptr: &str,
    mut a: Map<String, Value>,
    channel: Option<&str>,
) -> io::Result<()> {
    let content_id = attribute(doc, &mut a, ptr, "_contentID");
    let attrs: Vec<(&str, &str)> = content_id
        .iter()
        .map(|v| ("contentID", v.as_str()))
        .collect();
    doc.open("avails:Asset", &attrs)?;
    let work_type = a
        .get("WorkType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    scalar(doc, &mut a, ptr, "WorkType", "avails:WorkType")?;
    // The channel goes where the schema has a GroupingEntity for this work type.
    let channel_in_episode = channel.filter(|_| work_type == "Episode");
    let channel_in_unit = channel.filter(|_| work_type != "Episode");
    if let Some(m) = take_object(&mut a, "Metadata") {
        unit_metadata(doc, &format!("{ptr}/Metadata"), m, channel_in_unit)?;
    }
    if let Some(m) = take_object(&mut a, "EpisodeMetadata") {
        episode_metadata(
            doc,
            &format!("{ptr}/EpisodeMetadata"),
            m,
            channel_in_episode,
        )?;
    }
    if let Some(m) = take_object(&mut a, "SeasonMetadata") {
        season_metadata(doc, &format!("{ptr}/SeasonMetadata"), m, None)?;
    }
    if let Some(m) = take_object(&mut a, "SeriesMetadata") {
        series_metadata(doc, &format!("{ptr}/SeriesMetadata"), m)?;
    }
    for (i, b) in take_array(&mut a, "BundleAsset")
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let bptr = format!("{ptr}/BundleAsset/{i}");
        let Value::Object(mut b) = b else {
            doc.place_none(bptr);
            continue;
        };
        doc.open("avails:BundledAsset", &[])?;
        scalar(doc, &mut b, &bptr, "BundledALID", "avails:BundledALID")?;
        doc.unplaced(&bptr, b);
        doc.close("avails:BundledAsset")?;
    }
    doc.unplaced(ptr, a);
    doc.close("avails:Asset")
}

/// `AvailUnitMetadata-type`: TitleInternalAlias*, GroupingEntity.
fn unit_metadata(
    doc: &mut Doc,
    ptr: &str,
    mut m: Map<String, Value>,
    channel: Option<&str>,
) -> io::Result<()> {
    doc.open("avails:Metadata", &[])?;
    strings(
        doc,
        &mut m,
        ptr,
        "TitleInternalAlias",
        "avails:TitleInternalAlias",
    )?;
    if let Some(channel) = channel {
        grouping_entity(doc, channel)?;
    }
    doc.unplaced(ptr, m);
    doc.close("avails:Metadata")
}

/// `AvailEpisodeMetadata-type`: TitleInternalAlias*, GroupingEntity,
/// EpisodeNumber, then the season with the series nested in it (MDDF's
/// place; the reader moves it back beside the season), or the series alone.
fn episode_metadata(
    doc: &mut Doc,
    ptr: &str,
    mut m: Map<String, Value>,
    channel: Option<&str>,
) -> io::Result<()> {
    doc.open("avails:EpisodeMetadata", &[])?;
    strings(
        doc,
        &mut m,
        ptr,
        "TitleInternalAlias",
        "avails:TitleInternalAlias",
    )?;
    if let Some(channel) = channel {
        grouping_entity(doc, channel)?;
    }
    sequence(doc, &mut m, ptr, "EpisodeNumber", "avails:EpisodeNumber")?;
    let season = take_object(&mut m, "SeasonMetadata");
    let mut series = take_object(&mut m, "SeriesMetadata");
    if let Some(season) = season {
        // Nest the episode's series only where the season has none of its own.
        let nested = if season.contains_key("SeriesMetadata") {
            None
        } else {
            series.take().map(|s| (format!("{ptr}/SeriesMetadata"), s))
        };
        season_metadata(doc, &format!("{ptr}/SeasonMetadata"), season, nested)?;
    }
    if let Some(series) = series {
        series_metadata(doc, &format!("{ptr}/SeriesMetadata"), series)?;
    }
    doc.unplaced(ptr, m);
    doc.close("avails:EpisodeMetadata")
}

/// `AvailSeasonMetadata-type`: SeasonContentID, SeasonTitleInternalAlias*,
/// SeasonNumber, NumberOfEpisodes, SeriesMetadata (its own, or the
/// episode's given in `series` with its pointer).
fn season_metadata(
    doc: &mut Doc,
    ptr: &str,
    mut m: Map<String, Value>,
    series: Option<(String, Map<String, Value>)>,
) -> io::Result<()> {
    doc.open("avails:SeasonMetadata", &[])?;
    scalar(
        doc,
        &mut m,
        ptr,
        "SeasonContentID",
        "avails:SeasonContentID",
    )?;
    strings(
        doc,
        &mut m,
        ptr,
        "SeasonTitleInternalAlias",
        "avails:SeasonTitleInternalAlias",
    )?;
    sequence(doc, &mut m, ptr, "SeasonNumber", "avails:SeasonNumber")?;
    scalar(
        doc,
        &mut m,
        ptr,
        "NumberOfEpisodes",
        "avails:NumberOfEpisodes",
    )?;
    if let Some(own) = take_object(&mut m, "SeriesMetadata") {
        series_metadata(doc, &format!("{ptr}/SeriesMetadata"), own)?;
    } else if let Some((series_ptr, series)) = series {
        series_metadata(doc, &series_ptr, series)?;
    }
    doc.unplaced(ptr, m);
    doc.close("avails:SeasonMetadata")
}

/// `AvailSeriesMetadata-type`: SeriesContentID, SeriesTitleInternalAlias*, NumberOfSeasons.
fn series_metadata(doc: &mut Doc, ptr: &str, mut m: Map<String, Value>) -> io::Result<()> {
    doc.open("avails:SeriesMetadata", &[])?;
    scalar(
        doc,
        &mut m,
        ptr,
        "SeriesContentID",
        "avails:SeriesContentID",
    )?;
    strings(
        doc,
        &mut m,
        ptr,
        "SeriesTitleInternalAlias",
        "avails:SeriesTitleInternalAlias",
    )?;
    scalar(
        doc,
        &mut m,
        ptr,
        "NumberOfSeasons",
        "avails:NumberOfSeasons",
    )?;
    doc.unplaced(ptr, m);
    doc.close("avails:SeriesMetadata")
}

/// `md:GroupingEntity-type` of a channel, written as MovieLabs' translator
/// writes EMA's GroupIdentity: Type `channel`, the name as GroupIdentity and DisplayName.
fn grouping_entity(doc: &mut Doc, channel: &str) -> io::Result<()> {
    doc.open("avails:GroupingEntity", &[])?;
    doc.leaf("md:Type", &[], "channel")?;
    doc.leaf("md:GroupIdentity", &[], channel)?;
    doc.leaf("md:DisplayName", &[], channel)?;
    doc.close("avails:GroupingEntity")
}

/// `md:ContentSequenceInfo-type`: `{"Number": n}` → `<name><md:Number>n</md:Number></name>`.
fn sequence(
    doc: &mut Doc,
    m: &mut Map<String, Value>,
    ptr: &str,
    key: &str,
    element: &str,
) -> io::Result<()> {
    let Some(mut seq) = take_object(m, key) else {
        return Ok(());
    };
    let ptr = format!("{ptr}/{key}");
    doc.open(element, &[])?;
    scalar(doc, &mut seq, &ptr, "Number", "md:Number")?;
    doc.unplaced(&ptr, seq);
    doc.close(element)
}

/// A scalar property as a leaf element.
pub(crate) fn scalar(
    doc: &mut Doc,
    m: &mut Map<String, Value>,
    ptr: &str,
    key: &str,
    element: &str,
) -> io::Result<()> {
    match take_scalar(m, key) {
        Some(text) => {
            let text = doc.text(&format!("{ptr}/{key}"), &text);
            doc.leaf(element, &[], &text)
        }
        None => Ok(()),
    }
}

/// A `_name` property as the text of attribute `name`.
pub(crate) fn attribute(
    doc: &mut Doc,
    m: &mut Map<String, Value>,
    ptr: &str,
    key: &str,
) -> Option<String> {
    let text = take_scalar(m, key)?;
    Some(doc.text(&format!("{ptr}/{key}"), &text))
}

/// A string array as repeated elements; other items have no place.
fn strings(
    doc: &mut Doc,
    m: &mut Map<String, Value>,
    ptr: &str,
    key: &str,
    element: &str,
) -> io::Result<()> {
    for (i, v) in take_array(m, key)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let item_ptr = format!("{ptr}/{key}/{i}");
        match v {
            Value::String(s) => {
                let s = doc.text(&item_ptr, &s);
                doc.leaf(element, &[], &s)?;
            }
            _ => {
                doc.place_none(item_ptr);
            }
        }
    }
    Ok(())
}
