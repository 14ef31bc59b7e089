//! Rules across the attributes of one `avail`: asset and metadata by work
//! type, territories, dates, terms by license type, business line,
//! transaction IDs and the caller's context.

use avails_model::diagnostic::codes::*;
use std::cmp::Ordering;

use avails_model::api::check_path_segment;
use avails_model::BusinessLine;

use crate::report::{quote, Report};
use crate::{terms, Context};
use avails_model::doc::{Arr, Obj};
use avails_model::text::trim;
use avails_model::time::DateTime;

fn obj<'a>(m: Obj<'a>, key: &str) -> Option<Obj<'a>> {
    m.get(key)?.as_object()
}

fn arr<'a>(m: Obj<'a>, key: &str) -> Option<Arr<'a>> {
    m.get(key)?.as_array()
}

fn string<'a>(m: Obj<'a>, key: &str) -> Option<&'a str> {
    m.get(key)?.as_str()
}

fn has(m: Obj, key: &str) -> bool {
    m.get(key).is_some_and(|v| !v.is_null())
}

/// Checks the rules of one avail; the report's pointer is at `/avail`.
pub fn check(avail: Obj, ctx: &Context, r: &mut Report) {
    let entry_type = obj(avail, "Disposition").and_then(|d| string(d, "EntryType"));
    let work_type = arr(avail, "Asset")
        .and_then(|a| a.first())
        .and_then(|a| a.as_object())
        .and_then(|a| string(a, "WorkType"));
    check_assets(avail, r);
    check_transactions(avail, ctx, entry_type, work_type == Some("Supplemental"), r);
    if let Some(alid) = string(avail, "ALID").filter(|s| !s.trim().is_empty()) {
        path_segment(alid, "ALID", r);
    }
    if let (Some(expected), Some(alid)) = (&ctx.expected_alid, string(avail, "ALID")) {
        if alid != expected {
            r.emit_at(
                "ALID",
                AV084,
                format!(
                    "ALID {} differs from {} in the request path",
                    quote(alid),
                    quote(expected)
                ),
            );
        }
    }
}

/// AV085: an ALID or _TransactionID (not empty: that is AV002's) that
/// cannot be one URL path segment ([`check_path_segment`]).
fn path_segment(id: &str, key: &str, r: &mut Report) {
    if let Err(problem) = check_path_segment(id) {
        r.emit_at(
            key,
            AV085,
            format!("{key} {} cannot be sent: {problem}", quote(id)),
        );
    }
}

fn check_assets(avail: Obj, r: &mut Report) {
    let Some(assets) = arr(avail, "Asset") else {
        return;
    };
    if assets.len() > 1 {
        r.emit_at(
            "Asset",
            AV020,
            format!("Asset has {} entries (allowed: exactly one)", assets.len()),
        );
    }
    for (i, asset) in assets.iter().enumerate() {
        let Some(asset) = asset.as_object() else {
            continue;
        };
        let m = r.mark();
        r.key("Asset").index(i);
        check_asset(asset, r);
        r.truncate(m);
    }
}

/// Work types whose metadata is `Metadata` (AvailUnitMetadata).
const UNIT_WORK_TYPES: &[&str] = &["Movie", "Short", "Supplemental", "Collection"];

fn check_asset(asset: Obj, r: &mut Report) {
    check_aliases(asset, r);
    let Some(wt) = string(asset, "WorkType") else {
        return;
    };
    // Which asset-level metadata attributes the work type uses.
    let uses: &[&str] = match wt {
        w if UNIT_WORK_TYPES.contains(&w) => {
            if !has(asset, "Metadata") {
                r.emit_at(
                    "Metadata",
                    AV030,
                    format!("Metadata is missing; it is required for WorkType {wt}"),
                );
            }
            if wt == "Collection" {
                &["Metadata", "BundleAsset"]
            } else {
                &["Metadata"]
            }
        }
        "Episode" => {
            match obj(asset, "EpisodeMetadata") {
                None => r.emit_at(
                    "EpisodeMetadata",
                    AV031,
                    "EpisodeMetadata is missing; it is required for WorkType Episode".to_owned(),
                ),
                Some(ep) => {
                    let m = r.mark();
                    r.key("EpisodeMetadata");
                    require_season(ep, "EpisodeMetadata", r);
                    require_series(ep, "EpisodeMetadata", "Episode", r);
                    r.truncate(m);
                }
            }
            &["EpisodeMetadata"]
        }
        "Season" => {
            match obj(asset, "SeasonMetadata") {
                None => r.emit_at(
                    "SeasonMetadata",
                    AV032,
                    "SeasonMetadata is missing; it is required for WorkType Season".to_owned(),
                ),
                Some(season) => {
                    let m = r.mark();
                    r.key("SeasonMetadata");
                    require_series(season, "SeasonMetadata", "Season", r);
                    r.truncate(m);
                }
            }
            &["SeasonMetadata"]
        }
        "Series" => {
            if !has(asset, "SeriesMetadata") {
                r.emit_at(
                    "SeriesMetadata",
                    AV033,
                    "SeriesMetadata is missing; it is required for WorkType Series".to_owned(),
                );
            }
            &["SeriesMetadata", "BundleAsset"]
        }
        _ => return,
    };
    for key in [
        "Metadata",
        "EpisodeMetadata",
        "SeasonMetadata",
        "SeriesMetadata",
        "BundleAsset",
    ] {
        if has(asset, key) && !uses.contains(&key) {
            r.emit_at(
                key,
                AV034,
                format!(
                    "{key} is ignored for WorkType {wt} (it uses {})",
                    uses.join(", ")
                ),
            );
        }
    }
}

fn require_season(parent: Obj, parent_name: &str, r: &mut Report) {
    if !has(parent, "SeasonMetadata") {
        r.emit_at(
            "SeasonMetadata",
            AV032,
            format!(
                "SeasonMetadata is missing in {parent_name}; it is required for WorkType Episode"
            ),
        );
    }
}

fn require_series(parent: Obj, parent_name: &str, wt: &str, r: &mut Report) {
    if !has(parent, "SeriesMetadata") {
        r.emit_at(
            "SeriesMetadata",
            AV033,
            format!("SeriesMetadata is missing in {parent_name}; it is required for WorkType {wt}"),
        );
    }
}

/// AV023 on every title alias list of an asset's metadata.
fn check_aliases(asset: Obj, r: &mut Report) {
    fn alias(m: Obj, key: &str, required: bool, r: &mut Report) {
        if let Some(list) = arr(m, key) {
            // An empty required list is AV002's.
            if list.len() > 1 || (list.is_empty() && !required) {
                r.emit_at(
                    key,
                    AV023,
                    format!(
                        "{key} has {} entries (allowed: exactly one title name)",
                        list.len()
                    ),
                );
            }
        }
    }
    fn series(m: Obj, r: &mut Report) {
        if let Some(s) = obj(m, "SeriesMetadata") {
            let k = r.mark();
            r.key("SeriesMetadata");
            alias(s, "SeriesTitleInternalAlias", false, r);
            r.truncate(k);
        }
    }
    fn season(m: Obj, r: &mut Report) {
        if let Some(s) = obj(m, "SeasonMetadata") {
            let k = r.mark();
            r.key("SeasonMetadata");
            alias(s, "SeasonTitleInternalAlias", false, r);
            series(s, r);
            r.truncate(k);
        }
    }
    if let Some(meta) = obj(asset, "Metadata") {
        let k = r.mark();
        r.key("Metadata");
        alias(meta, "TitleInternalAlias", true, r);
        r.truncate(k);
    }
    if let Some(ep) = obj(asset, "EpisodeMetadata") {
        let k = r.mark();
        r.key("EpisodeMetadata");
        alias(ep, "TitleInternalAlias", true, r);
        season(ep, r);
        series(ep, r);
        r.truncate(k);
    }
    season(asset, r);
    series(asset, r);
}

fn country<'a>(tx: Obj<'a>) -> Option<&'a str> {
    arr(tx, "Territory")?
        .first()?
        .as_object()
        .and_then(|t| t.get("country"))?
        .as_str()
}

fn check_transactions(
    avail: Obj,
    ctx: &Context,
    entry_type: Option<&str>,
    supplemental: bool,
    r: &mut Report,
) {
    let Some(transactions) = arr(avail, "Transaction") else {
        return;
    };
    let partial = ctx.partial || entry_type == Some("PartialExtract");
    // An empty list is AV002's.
    if ctx.partial && transactions.len() > 1 {
        r.emit_at(
            "Transaction",
            AV082,
            format!(
                "a partial-extract payload has {} transactions (allowed: exactly one)",
                transactions.len()
            ),
        );
    }
    let mut first_country: Option<(usize, &str)> = None;
    let mut first_line: Option<(usize, BusinessLine, &str)> = None;
    for (i, tx) in transactions.iter().enumerate() {
        let Some(tx) = tx.as_object() else { continue };
        let m = r.mark();
        r.key("Transaction").index(i);

        let id = string(tx, "_TransactionID").filter(|s| !s.trim().is_empty());
        // With a path ID, a missing _TransactionID is AV083's.
        if id.is_none()
            && partial
            && ctx.expected_transaction_id.is_none()
            && !tx
                .get("_TransactionID")
                .is_some_and(|v| !v.is_null() && !v.is_string())
        {
            r.emit_at(
                "_TransactionID",
                AV002,
                "required attribute _TransactionID is missing in AvailTrans (optional only with FullExtract)"
                    .to_owned(),
            );
        }
        if let Some(id) = id {
            path_segment(id, "_TransactionID", r);
            if let Some(j) = transactions
                .iter()
                .take(i)
                .position(|t| t.as_object().and_then(|t| string(t, "_TransactionID")) == Some(id))
            {
                r.emit_at(
                    "_TransactionID",
                    AV081,
                    format!(
                        "_TransactionID {} is also used by Transaction {j} of this avail",
                        quote(id)
                    ),
                );
            }
        }
        if let Some(expected) = &ctx.expected_transaction_id {
            match id {
                Some(id) if id == expected => {}
                Some(id) => r.emit_at(
                    "_TransactionID",
                    AV083,
                    format!(
                        "_TransactionID {} differs from {} in the request path",
                        quote(id),
                        quote(expected)
                    ),
                ),
                None => r.emit_at(
                    "_TransactionID",
                    AV083,
                    format!(
                        "_TransactionID is missing; the request path names {}",
                        quote(expected)
                    ),
                ),
            }
        }

        if let Some(territory) = arr(tx, "Territory") {
            if territory.len() > 1 {
                r.emit_at(
                    "Territory",
                    AV021,
                    format!(
                        "Territory has {} entries (allowed: exactly one)",
                        territory.len()
                    ),
                );
            }
        }
        if let Some(c) = country(tx).filter(|c| !c.is_empty()) {
            match first_country {
                None => first_country = Some((i, c)),
                Some((j, first)) if first != c => {
                    let k = r.mark();
                    r.key("Territory").index(0);
                    r.emit_at(
                        "country",
                        AV022,
                        format!(
                            "territory {} differs from {} of Transaction {j} (one avail has one territory)",
                            quote(c),
                            quote(first)
                        ),
                    );
                    r.truncate(k);
                }
                Some(_) => {}
            }
        }

        check_window(tx, r);

        let seen = arr(tx, "Terms").map(|terms| {
            let k = r.mark();
            r.key("Terms");
            let seen = terms::check_terms(terms, r);
            r.truncate(k);
            seen
        });
        if let Some(lt) = string(tx, "LicenseType") {
            if let Some(seen) = &seen {
                terms::check_license_terms(seen, lt, supplemental, r);
            }
            let channel = seen.as_ref().and_then(|s| s.channel_identity());
            if let Some(line) = BusinessLine::infer(lt, channel) {
                match first_line {
                    None => first_line = Some((i, line, lt)),
                    Some((j, first, first_lt)) if first != line => r.emit_at(
                        "LicenseType",
                        AV075,
                        format!(
                            "LicenseType {lt}{} is business line {line} but Transaction {j} ({first_lt}) is {first} (one avail has one business line)",
                            channel.map(|c| format!(" with ChannelIdentity {}", quote(c))).unwrap_or_default(),
                        ),
                    ),
                    Some(_) => {}
                }
            }
        }
        r.truncate(m);
    }
}

/// AV044: Start before End; pointer at the transaction.
fn check_window(tx: Obj, r: &mut Report) {
    let (Some(start), Some(end)) = (string(tx, "Start"), string(tx, "End")) else {
        return;
    };
    let (Some(s), Some(e)) = (DateTime::parse(start), DateTime::parse(end)) else {
        return;
    };
    if s.compare(&e) != Ordering::Less {
        let how = if s.has_offset() && e.has_offset() {
            "as instants"
        } else {
            "as local times"
        };
        r.emit_at(
            "End",
            AV044,
            format!(
                "End {} is not after Start {} (compared {how}); Start must be before End",
                quote(end),
                quote(start)
            ),
        );
    }
}

/// The `_TransactionID`s of an avail's transactions, with their index.
pub fn transaction_ids<'a>(avail: Obj<'a>) -> impl Iterator<Item = (usize, &'a str)> {
    arr(avail, "Transaction")
        .into_iter()
        .flat_map(Arr::iter)
        .enumerate()
        .filter_map(|(i, t)| {
            let id = t.as_object().and_then(|t| string(t, "_TransactionID"))?;
            (!is_empty_str(id)).then_some((i, id))
        })
}

fn is_empty_str(s: &str) -> bool {
    trim(s).is_empty()
}
