//! What a payload must hold for its `<Avail>` to pass the MDDF Avails 2.6
//! schema (`avails-v2.6.xsd`) and MovieLabs' structure rules
//! (`structure_avail_v2.6.json` of mddf-lib, the rules its validator runs),
//! and the defaults the export gives where the API leaves a value out that
//! MDDF requires and the payload itself says.
//!
//! A payload that fails one of these is not written (the caller names it);
//! what the schema's types accept is checked here only where the API's own
//! types do not already guarantee it (dates, durations and language tags
//! are strings in the API).

use avails_model::EntryType;
use serde_json::{Map, Value};

/// One reason a payload cannot be written as valid MDDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// JSON pointer inside the avail.
    pub pointer: String,
    /// Why.
    pub reason: String,
}

/// The work types the writer knows (the API's: 001 Type AvailAsset, plus
/// Collection and Series, which the reference's bundle examples use).
pub(crate) const WORK_TYPES: &[&str] = &[
    "Movie",
    "Short",
    "Supplemental",
    "Collection",
    "Episode",
    "Season",
    "Series",
];

/// MDDF's EntryType vocabulary (`vocab_avail_v2.6.json`).
const MDDF_ENTRY_TYPES: &[&str] = &["Full Extract", "Full Delete", "Create", "Update", "Delete"];

/// MDDF's FormatProfile vocabulary (the API's bundle examples also use
/// `Max`, which MDDF does not have).
const FORMAT_PROFILES: &[&str] = &["UHD", "HD", "SD", "3D", "3DUHD", "3DHD", "3DSD"];

/// The ecosystems MDDF's vocabulary has for `SharedEntitlement@ecosystem`.
const ECOSYSTEMS: &[&str] = &["MA", "DMA", "UVVU"];

/// Gives a payload the values MDDF requires that the payload itself implies:
/// - no `Disposition` (the reference's GET responses): the entry type a
///   missing one means, [`EntryType::default`] (one owner for that default);
/// - a `Series` asset's `SeriesMetadata` without `SeriesContentID` (the
///   reference's series-bundle example): the asset's own `_contentID`, the
///   series being that asset.
pub(crate) fn with_defaults(mut avail: Map<String, Value>) -> Map<String, Value> {
    if avail.get("Disposition").is_none_or(Value::is_null) {
        avail.insert(
            "Disposition".into(),
            serde_json::json!({"EntryType": EntryType::default().as_str()}),
        );
    }
    if let Some(Value::Array(assets)) = avail.get_mut("Asset") {
        for asset in assets.iter_mut().filter_map(Value::as_object_mut) {
            if asset.get("WorkType").and_then(Value::as_str) != Some("Series") {
                continue;
            }
            let Some(id) = asset
                .get("_contentID")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
            else {
                continue;
            };
            if let Some(series) = asset
                .get_mut("SeriesMetadata")
                .and_then(Value::as_object_mut)
            {
                if series.get("SeriesContentID").is_none_or(Value::is_null) {
                    series.insert("SeriesContentID".into(), Value::String(id));
                }
            }
        }
    }
    avail
}

/// MDDF's spelling of a payload's EntryType, if MDDF has one.
pub(crate) fn mddf_entry_type(entry: &str) -> Option<&str> {
    match entry {
        "FullExtract" => Some("Full Extract"),
        "FullDelete" => Some("Full Delete"),
        other if MDDF_ENTRY_TYPES.contains(&other) => Some(other),
        _ => None,
    }
}

/// The AssetLanguage entries a transaction is written once for (their
/// indices; empty when it is written once, whole): MovieLabs' structure
/// rules ("SVOD-AssetLanguage") allow one AssetLanguage in a transaction
/// whose LicenseType is not `SVOD`. An entry written as an earlier one is
/// (same language, same MDDF asset kind) adds no transaction: the two would
/// be one window.
pub(crate) fn split_languages(t: &Map<String, Value>) -> Vec<usize> {
    let list = t
        .get("AssetLanguage")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let svod = t.get("LicenseType").and_then(Value::as_str) == Some("SVOD");
    if list.len() < 2 || svod {
        return Vec::new();
    }
    // Compared as written: the language and its MDDF asset kind.
    let written = |v: &Value| {
        let asset = v.get("_asset").and_then(Value::as_str);
        (
            v.get("value").cloned(),
            asset.and_then(super::transaction::mddf_language_asset),
        )
    };
    let keys: Vec<_> = list.iter().map(written).collect();
    (0..list.len())
        .filter(|&i| !keys[..i].contains(&keys[i]))
        .collect()
}

/// Every reason `avail` (with its defaults) cannot be written validly.
pub(crate) fn problems(avail: &Map<String, Value>) -> Vec<Problem> {
    let mut p = Problems(Vec::new());
    if text(avail.get("ALID")).is_none() {
        p.push("/ALID", "MDDF requires an ALID");
    }
    let entry = avail
        .get("Disposition")
        .and_then(|d| d.get("EntryType"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if mddf_entry_type(entry).is_none() {
        p.push(
            "/Disposition/EntryType",
            format!(
                "`{entry}` has no MDDF EntryType (its vocabulary: {}): a partial extract, \
                 one window replaced by its TransactionID, is not an MDDF avail",
                MDDF_ENTRY_TYPES.join(", ")
            ),
        );
    }
    if text(avail.get("Licensor").and_then(|l| l.get("DisplayName"))).is_none() {
        p.push(
            "/Licensor/DisplayName",
            "MDDF requires the Licensor's DisplayName",
        );
    }
    let assets = avail
        .get("Asset")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    match assets {
        [] => p.push("/Asset", "MDDF requires an Asset"),
        [asset] => check_asset(&mut p, asset),
        _ => p.push(
            "/Asset/1",
            "one Asset per avail: MDDF's AvailType (single, episode, season...) names one",
        ),
    }
    let transactions = avail
        .get("Transaction")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if transactions.is_empty() {
        p.push(
            "/Transaction",
            "MDDF requires at least one Transaction (a FullDelete without one names no window)",
        );
    }
    for (i, t) in transactions.iter().enumerate() {
        check_transaction(&mut p, &format!("/Transaction/{i}"), t);
    }
    for (i, e) in avail
        .get("SharedEntitlement")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let ptr = format!("/SharedEntitlement/{i}");
        if let Some(eco) = e.get("_ecosystem").and_then(Value::as_str) {
            if !ECOSYSTEMS.contains(&eco) {
                p.push(
                    &format!("{ptr}/_ecosystem"),
                    format!(
                        "`{eco}` is none of MDDF's ecosystems ({})",
                        ECOSYSTEMS.join(", ")
                    ),
                );
            }
        }
        if text(e.get("EcosystemID")).is_none() {
            p.push(
                &format!("{ptr}/EcosystemID"),
                "MDDF requires an EcosystemID",
            );
        }
    }
    p.0
}

struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, pointer: &str, reason: impl Into<String>) {
        self.0.push(Problem {
            pointer: pointer.to_string(),
            reason: reason.into(),
        });
    }

    /// A required title list (`TitleInternalAlias`...): at least one non-empty entry.
    fn titles(&mut self, m: &Value, ptr: &str, key: &str) {
        let ok = m
            .get(key)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| text(Some(v)).is_some()));
        if !ok {
            self.push(
                &format!("{ptr}/{key}"),
                format!("MDDF requires {key} (at least one)"),
            );
        }
    }

    /// A required `{"Number": n}`.
    fn sequence(&mut self, m: &Value, ptr: &str, key: &str) {
        if m.get(key)
            .and_then(|s| s.get("Number"))
            .is_none_or(Value::is_null)
        {
            self.push(
                &format!("{ptr}/{key}/Number"),
                format!("MDDF requires {key}"),
            );
        }
    }

    fn required(&mut self, m: &Value, ptr: &str, key: &str) {
        if text(m.get(key)).is_none() {
            self.push(&format!("{ptr}/{key}"), format!("MDDF requires {key}"));
        }
    }

    fn series(&mut self, series: &Value, ptr: &str) {
        self.required(series, ptr, "SeriesContentID");
        self.titles(series, ptr, "SeriesTitleInternalAlias");
    }

    /// A season and the series MDDF requires inside it (its own, or for an
    /// episode the one beside it, which the writer moves in).
    fn season(&mut self, season: &Value, ptr: &str, beside: Option<&Value>) {
        self.required(season, ptr, "SeasonContentID");
        self.sequence(season, ptr, "SeasonNumber");
        match (season.get("SeriesMetadata"), beside) {
            (Some(own), _) => self.series(own, &format!("{ptr}/SeriesMetadata")),
            (None, Some(_)) => {}
            (None, None) => self.push(
                &format!("{ptr}/SeriesMetadata"),
                "MDDF requires the season's SeriesMetadata",
            ),
        }
    }
}

/// The metadata each work type needs (the schema's choice of one, and the
/// structure rules "Non-Episodic-WT", "Episode-WT", "Season-WT", "Series-WT",
/// "BundledAsset", "collection-AvailType").
fn check_asset(p: &mut Problems, asset: &Value) {
    let ptr = "/Asset/0";
    let work_type = asset.get("WorkType").and_then(Value::as_str).unwrap_or("");
    if !WORK_TYPES.contains(&work_type) {
        p.push(
            &format!("{ptr}/WorkType"),
            format!(
                "WorkType `{work_type}` is none the API has ({}), so no metadata of the \
                 payload says what MDDF requires of it",
                WORK_TYPES.join(", ")
            ),
        );
        return;
    }
    let needed = match work_type {
        "Episode" => "EpisodeMetadata",
        "Season" => "SeasonMetadata",
        "Series" => "SeriesMetadata",
        _ => "Metadata",
    };
    for other in [
        "Metadata",
        "EpisodeMetadata",
        "SeasonMetadata",
        "SeriesMetadata",
    ] {
        if other != needed && asset.get(other).is_some_and(|v| !v.is_null()) {
            p.push(
                &format!("{ptr}/{other}"),
                format!("an MDDF Asset holds one metadata, {needed} for a {work_type}"),
            );
        }
    }
    let Some(meta) = asset.get(needed).filter(|v| v.is_object()) else {
        p.push(
            &format!("{ptr}/{needed}"),
            format!("MDDF requires {needed} for a {work_type}"),
        );
        return;
    };
    let mptr = format!("{ptr}/{needed}");
    match work_type {
        "Episode" => {
            p.titles(meta, &mptr, "TitleInternalAlias");
            p.sequence(meta, &mptr, "EpisodeNumber");
            let series = meta.get("SeriesMetadata");
            if let Some(s) = series {
                p.series(s, &format!("{mptr}/SeriesMetadata"));
            }
            match meta.get("SeasonMetadata") {
                Some(season) if series.is_some() && season.get("SeriesMetadata").is_some() => p
                    .push(
                        &format!("{mptr}/SeriesMetadata"),
                        "MDDF has one place for an episode's series, inside its season, \
                         which already holds one",
                    ),
                Some(season) => p.season(season, &format!("{mptr}/SeasonMetadata"), series),
                None if series.is_none() => p.push(
                    &format!("{mptr}/SeasonMetadata"),
                    "MDDF requires the episode's SeasonMetadata or SeriesMetadata",
                ),
                None => {}
            }
        }
        "Season" => p.season(meta, &mptr, None),
        "Series" => p.series(meta, &mptr),
        _ => p.titles(meta, &mptr, "TitleInternalAlias"),
    }
    let bundled = asset
        .get("BundleAsset")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if work_type == "Collection" && bundled == 0 {
        p.push(
            &format!("{ptr}/BundleAsset"),
            "an MDDF collection holds two assets or more: a Collection needs its BundleAsset",
        );
    }
    if work_type != "Collection" && bundled > 0 {
        p.push(
            &format!("{ptr}/BundleAsset"),
            "MovieLabs' structure rules allow a BundledAsset only when WorkType is Collection",
        );
    }
}

/// `AvailTrans-type`'s required elements and the types of what the API
/// keeps as strings; the structure rules on POEST terms.
fn check_transaction(p: &mut Problems, ptr: &str, t: &Value) {
    let license = t.get("LicenseType").and_then(Value::as_str).unwrap_or("");
    p.required(t, ptr, "LicenseType");
    match t.get("Start").and_then(Value::as_str) {
        Some(s) if is_date_time(s) => {}
        Some(s) => p.push(
            &format!("{ptr}/Start"),
            format!("`{s}` is not an xs:dateTime"),
        ),
        None => p.push(&format!("{ptr}/Start"), "MDDF requires Start"),
    }
    if let Some(e) = t.get("End").and_then(Value::as_str) {
        if !is_date_time(e) {
            p.push(
                &format!("{ptr}/End"),
                format!("`{e}` is not an xs:dateTime"),
            );
        }
    }
    match text(t.get("FormatProfile").and_then(|f| f.get("value"))) {
        None => p.push(
            &format!("{ptr}/FormatProfile"),
            "MDDF requires FormatProfile",
        ),
        Some(f) if !FORMAT_PROFILES.contains(&f) => p.push(
            &format!("{ptr}/FormatProfile/value"),
            format!(
                "FormatProfile `{f}` is none of MDDF's ({}); MovieLabs' validator rejects it",
                FORMAT_PROFILES.join(", ")
            ),
        ),
        Some(_) => {}
    }
    for key in ["AllowedLanguage", "AssetLanguage", "HoldbackLanguage"] {
        for (i, lang) in t
            .get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let value = lang.get("value").and_then(Value::as_str).unwrap_or("");
            if !is_language(value) {
                p.push(
                    &format!("{ptr}/{key}/{i}/value"),
                    format!("`{value}` is not an xs:language tag"),
                );
            }
        }
    }
    let terms = t
        .get("Terms")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (j, term) in terms.iter().enumerate() {
        let tptr = format!("{ptr}/Terms/{j}");
        if text(term.get("_termName")).is_none() {
            p.push(&format!("{tptr}/_termName"), "MDDF requires a termName");
        }
        if let Some(e) = term.get("Event").and_then(Value::as_str) {
            if !is_date_time(e) && !is_date(e) {
                p.push(
                    &format!("{tptr}/Event"),
                    format!("`{e}` is neither an xs:dateTime nor an xs:date"),
                );
            }
        }
        if let Some(d) = term.get("Duration").and_then(Value::as_str) {
            if !is_duration(d) {
                p.push(
                    &format!("{tptr}/Duration"),
                    format!("`{d}` is not an xs:duration"),
                );
            }
        }
    }
    let named = |name: &str| {
        terms
            .iter()
            .filter(|t| t.get("_termName").and_then(Value::as_str) == Some(name))
            .count()
    };
    if license == "POEST" && named("SuppressionLiftDate") != 1 {
        p.push(
            &format!("{ptr}/Terms"),
            "MovieLabs' structure rules require exactly one SuppressionLiftDate term for LicenseType POEST",
        );
    }
    if license != "POEST" && named("PreOrderFulfillDate") > 0 {
        p.push(
            &format!("{ptr}/Terms"),
            "MovieLabs' structure rules allow the PreOrderFulfillDate term only for LicenseType POEST",
        );
    }
}

/// A string with something besides whitespace.
fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `xs:date`: `[-]YYYY-MM-DD` with an optional zone.
pub(crate) fn is_date(s: &str) -> bool {
    let (date, zone) = split_zone(s);
    valid_date(date) && valid_zone(zone)
}

/// `xs:dateTime`: `[-]YYYY-MM-DDThh:mm:ss[.s+]` with an optional zone.
pub(crate) fn is_date_time(s: &str) -> bool {
    let Some((date, time)) = s.split_once('T') else {
        return false;
    };
    let (time, zone) = split_zone(time);
    let (hms, frac) = match time.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (time, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, m, sec] = parts.as_slice() else {
        return false;
    };
    let ok_time = digits(h, 2)
        && digits(m, 2)
        && digits(sec, 2)
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    let (h, m, sec): (u32, u32, u32) = match (h.parse(), m.parse(), sec.parse()) {
        (Ok(h), Ok(m), Ok(s)) => (h, m, s),
        _ => return false,
    };
    let in_range = (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0);
    valid_date(date) && ok_time && in_range && valid_zone(zone)
}

/// The zone suffix (`Z`, `+hh:mm`, `-hh:mm`) split off a time or date.
fn split_zone(s: &str) -> (&str, &str) {
    if let Some(rest) = s.strip_suffix('Z') {
        return (rest, "Z");
    }
    if s.len() > 6 && s.is_char_boundary(s.len() - 6) {
        let (head, tail) = s.split_at(s.len() - 6);
        if tail.starts_with(['+', '-']) && tail.as_bytes()[3] == b':' {
            return (head, tail);
        }
    }
    (s, "")
}

fn valid_zone(zone: &str) -> bool {
    match zone {
        "" | "Z" => true,
        z => {
            let (h, m) = (&z[1..3], &z[4..6]);
            digits(h, 2)
                && digits(m, 2)
                && h.parse::<u32>().is_ok_and(|h| h <= 14)
                && m.parse::<u32>().is_ok_and(|m| m < 60)
        }
    }
}

fn valid_date(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    if y.len() < 4 || !y.bytes().all(|b| b.is_ascii_digit()) || !digits(m, 2) || !digits(d, 2) {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>())
    else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let last = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=last).contains(&day)
}

/// `xs:duration`: `[-]P[nY][nM][nD][T[nH][nM][n[.n]S]]`, at least one part,
/// and a `T` only before a time part.
pub(crate) fn is_duration(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let Some(body) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match body.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return false,
        None => (body, None),
    };
    let parts = |s: &str, units: &[u8], last_may_be_decimal: bool| -> Option<usize> {
        let mut count = 0;
        let mut next_unit = 0;
        let mut num = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() || (c == '.' && last_may_be_decimal) {
                num.push(c);
                continue;
            }
            let pos = units[next_unit..].iter().position(|u| *u as char == c)? + next_unit;
            let decimal = num.contains('.');
            let valid_num = !num.is_empty()
                && !num.starts_with('.')
                && !num.ends_with('.')
                && num.matches('.').count() <= 1;
            if !valid_num || (decimal && pos != units.len() - 1) {
                return None;
            }
            num.clear();
            next_unit = pos + 1;
            count += 1;
        }
        num.is_empty().then_some(count)
    };
    let Some(d) = parts(date, b"YMD", false) else {
        return false;
    };
    let t = match time {
        Some(t) => match parts(t, b"HMS", true) {
            Some(n) if n > 0 => n,
            _ => return false,
        },
        None => 0,
    };
    d + t > 0
}

/// `xs:language`: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
pub(crate) fn is_language(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    let ok = |p: &str, alpha: bool| {
        (1..=8).contains(&p.len())
            && p.bytes().all(|b| {
                if alpha {
                    b.is_ascii_alphabetic()
                } else {
                    b.is_ascii_alphanumeric()
                }
            })
    };
    ok(first, true) && parts.all(|p| ok(p, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever a payload's strings hold (multi-byte characters where a
        /// zone or a unit is expected), the checks answer, never panic.
        #[test]
        fn lexical_checks_never_panic(s in "[0-9PTYMDHS:+.Z é-]{0,32}") {
            let _ = (is_date_time(&s), is_date(&s), is_duration(&s), is_language(&s));
        }
    }

    #[test]
    fn xml_schema_lexical_forms() {
        for ok in [
            "2024-01-01T00:00:00",
            "2024-02-29T23:59:59.999Z",
            "2100-01-01T04:59:59.999Z",
            "2024-01-01T00:00:00+01:00",
            "2024-01-01T24:00:00-05:30",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "2024-01-01",
            "2024-01-01T00:00:00é:00",
            "2024-01-01T00:00:0é+01:00",
            "2024-01-01T00:00:00+é:00",
            "é",
            "2023-02-29T00:00:00",
            "2024-01-01 00:00:00",
            "2024-1-01T00:00:00",
            "2024-01-01T00:00",
            "2024-01-01T00:00:00.",
            "2024-01-01T25:00:00",
            "2024-01-01T00:00:00+1:00",
            "2024-13-01T00:00:00",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
        assert!(is_date("2024-12-31") && is_date("2024-12-31Z") && !is_date("2024-12-32"));
        for ok in [
            "PT48H",
            "PT720H",
            "P1Y2M3DT4H5M6.5S",
            "P30D",
            "-P1D",
            "PT0.5S",
        ] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in [
            "P", "PT", "48H", "P1H", "PT1D", "P1.5D", "P1DT", "PT1M1H", "", "P1é", "Pé1D",
        ] {
            assert!(!is_duration(bad), "{bad}");
        }
        for ok in ["en", "en-US", "zh-Hant-TW", "es-419", "x-klingon"] {
            assert!(is_language(ok), "{ok}");
        }
        for bad in ["", "en fr", "en_US", "-en", "en-", "toolonglang", "1en"] {
            assert!(!is_language(bad), "{bad}");
        }
    }
}
