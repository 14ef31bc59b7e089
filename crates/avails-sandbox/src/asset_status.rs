//! Asset Status API: `GET` [`avails_model::api::ASSET_STATUS`] `?marketplace=`,
//! answering the `ProductStatus` schema, and the sandbox-only delivery
//! recorder (`POST` [`crate::SANDBOX_DELIVERIES`]).
//!
//! Required deliveries are derived from the stored windows of the title:
//!
//! | part | rule |
//! | --- | --- |
//! | `METADATA` / `DESCRIPTIVE` in the primary locale | required |
//! | `VIDEO` / `FEATURE` (`TRAILER` for Supplemental) at the highest FormatProfile | required, except Season, Series and Collection titles |
//! | `AUDIO` / `PRIMARY` in the primary locale | required with the video |
//! | `IMAGE` / `16:9` | required |
//! | `IMAGE` / `2:3` | recommended |
//! | each other `AssetLanguage` with `_asset` audio/dub/ov/mta | `AUDIO` / `DUB` required |
//! | each other `AssetLanguage` with `_asset` subtitle/sub | `TIMED_TEXT` / `SUBTITLE` required |
//! | each other `AssetLanguage` without `_asset` (or subdub/any) | `AUDIO` and `TIMED_TEXT` conditional, one `SINGLE` group: either satisfies |
//! | each `AllowedLanguage` not covered above | `TIMED_TEXT` / `SUBTITLE` recommended |
//!
//! The primary locale is the first `AssetLanguage` usable for audio.
//! `HoldbackLanguage` removes a language (for its `_asset` kind) from the
//! requirements. A part with no delivery is `Missing`; a recorded delivery
//! makes it `Ready` (success), `In-Process` or `Issue` (error code).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::api::{codes, Failure};
use crate::ops::db;
use crate::state::Shared;
use crate::store::StoredWindow;

/// Marketplaces the Asset Status API accepts.
pub const MARKETPLACES: &[&str] = &["GLOBAL", "US", "DE", "JP", "GB"];

/// State of one recorded delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryState {
    /// Delivered and processed.
    Success,
    /// Delivered, being processed.
    InProcess,
    /// Delivered with an error.
    Error,
}

/// A delivery as recorded by the sandbox-only endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    /// `METADATA`, `VIDEO`, `IMAGE`, `AUDIO` or `TIMED_TEXT`.
    pub primary_type: String,
    /// Sub-type, e.g. `FEATURE`, `16:9`; `None` matches any.
    pub secondary_type: Option<String>,
    /// Language of the delivery; `None` means the primary locale.
    pub locale: Option<String>,
    /// Quality of a video delivery; `None` satisfies any.
    pub format_profile: Option<String>,
    /// Outcome.
    pub status: DeliveryState,
    /// Error code of a failed delivery.
    pub error_code: Option<String>,
    /// File name.
    pub file_name: Option<String>,
    /// File hash.
    pub hash: Option<String>,
    /// Delivery account.
    pub service_provider: Option<String>,
    /// Presentation type.
    pub presentation_type: Option<String>,
    /// Dynamic range type (video).
    pub dynamic_range_type: Option<String>,
    /// ISO 8601 date of the delivery.
    pub delivered_date: String,
}

/// Body of `POST /sandbox/{licensor}/deliveries/{ALID}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRequest {
    /// `METADATA`, `VIDEO`, `IMAGE`, `AUDIO` or `TIMED_TEXT` (alias `kind`).
    #[serde(alias = "kind")]
    pub primary_type: Option<String>,
    /// Sub-type (e.g. `FEATURE`, `16:9`, `2:3`, `DUB`, `SUBTITLE`).
    pub secondary_type: Option<String>,
    /// Language (alias `language`).
    #[serde(alias = "language")]
    pub locale: Option<String>,
    /// Video quality delivered.
    pub format_profile: Option<String>,
    /// `SUCCESS`, `IN_PROCESS` or `ERROR`; defaults to `ERROR` when `errorCode` is given, else `SUCCESS`.
    pub status: Option<String>,
    /// Error code of a failed delivery.
    pub error_code: Option<String>,
    /// File name.
    pub file_name: Option<String>,
    /// File hash.
    pub hash: Option<String>,
    /// Delivery account.
    pub service_provider: Option<String>,
    /// Presentation type.
    pub presentation_type: Option<String>,
    /// Dynamic range type.
    pub dynamic_range_type: Option<String>,
    /// Date of the delivery (default: now).
    pub delivered_date: Option<String>,
}

const PRIMARY_TYPES: &[&str] = &["METADATA", "VIDEO", "IMAGE", "AUDIO", "TIMED_TEXT"];

fn bad(message: impl Into<String>) -> Failure {
    Failure::bad_request(codes::INVALID_PAYLOAD, message)
}

impl DeliveryRequest {
    /// Checks the request and turns it into a record.
    pub fn into_record(self) -> Result<DeliveryRecord, Failure> {
        let primary = self
            .primary_type
            .map(|p| p.trim().to_ascii_uppercase().replace(['-', ' '], "_"))
            .ok_or_else(|| bad("`primaryType` (or `kind`) is required"))?;
        if !PRIMARY_TYPES.contains(&primary.as_str()) {
            return Err(bad(format!(
                "`primaryType` `{primary}` is not one of {}",
                PRIMARY_TYPES.join(", ")
            )));
        }
        let status = match self
            .status
            .as_deref()
            .map(|s| s.trim().to_ascii_uppercase().replace(['-', ' '], "_"))
        {
            None if self.error_code.is_some() => DeliveryState::Error,
            None => DeliveryState::Success,
            Some(s) => match s.as_str() {
                "SUCCESS" | "SUCCESSFULLY_DELIVERED" | "READY" => DeliveryState::Success,
                "IN_PROCESS" | "PROCESSING" => DeliveryState::InProcess,
                "ERROR" | "ISSUE" | "FAILED" => DeliveryState::Error,
                other => {
                    return Err(bad(format!(
                        "`status` `{other}` is not one of SUCCESS, IN_PROCESS, ERROR"
                    )))
                }
            },
        };
        let error_code = match status {
            DeliveryState::Error => {
                Some(self.error_code.unwrap_or_else(|| "DELIVERY_FAILED".into()))
            }
            _ => self.error_code,
        };
        Ok(DeliveryRecord {
            primary_type: primary,
            secondary_type: self.secondary_type,
            locale: self.locale,
            format_profile: self.format_profile,
            status,
            error_code,
            file_name: self.file_name,
            hash: self.hash,
            service_provider: self.service_provider,
            presentation_type: self.presentation_type,
            dynamic_range_type: self.dynamic_range_type,
            delivered_date: self.delivered_date.unwrap_or_else(|| {
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }),
        })
    }
}

fn parse_records(records: &[String]) -> Vec<DeliveryRecord> {
    records
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect()
}

/// Whether any recorded delivery succeeded (a FullDelete is then refused).
pub(crate) fn has_successful_delivery(records: &[String]) -> bool {
    parse_records(records)
        .iter()
        .any(|r| r.status == DeliveryState::Success)
}

/// Records a delivery for a title.
pub(crate) fn record_delivery(
    sh: &Shared,
    licensor: &str,
    alid: &str,
    body: &Value,
) -> Result<Value, Failure> {
    let request: DeliveryRequest =
        serde_json::from_value(body.clone()).map_err(|e| bad(format!("delivery body: {e}")))?;
    let record = request.into_record()?;
    let text = serde_json::to_string(&record).map_err(|e| Failure::internal(e.to_string()))?;
    sh.store.add_delivery(licensor, alid, &text).map_err(db)?;
    Ok(json!({ "success": true, "delivery": record }))
}

/// How much of a rule a part is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleType {
    Required,
    Recommended,
    Conditional,
}

impl RuleType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Recommended => "recommended",
            Self::Conditional => "conditional",
        }
    }
}

/// One required (or recommended) delivery.
#[derive(Debug, Clone)]
struct Part {
    primary: &'static str,
    secondary: &'static str,
    format_profile: Option<String>,
    locale: Option<String>,
    rule: RuleType,
    sources: Vec<&'static str>,
    /// Index of the SINGLE group this conditional part belongs to.
    group: Option<usize>,
}

impl Part {
    fn new(
        primary: &'static str,
        secondary: &'static str,
        rule: RuleType,
        source: &'static str,
    ) -> Self {
        Self {
            primary,
            secondary,
            format_profile: None,
            locale: None,
            rule,
            sources: vec![source],
            group: None,
        }
    }

    fn locale(mut self, l: Option<String>) -> Self {
        self.locale = l;
        self
    }

    fn descriptor(&self) -> Value {
        let mut m = Map::new();
        m.insert("PrimaryType".into(), json!(self.primary));
        m.insert("SecondaryType".into(), json!(self.secondary));
        if let Some(f) = &self.format_profile {
            m.insert("FormatProfile".into(), json!(f));
        }
        if let Some(l) = &self.locale {
            m.insert("Locale".into(), json!(l));
        }
        Value::Object(m)
    }
}

fn format_rank(f: &str) -> u8 {
    match f.to_ascii_uppercase().as_str() {
        "SD" => 1,
        "HD" => 2,
        "UHD" => 3,
        "MAX" => 4,
        _ => 0,
    }
}

/// A stored window, parsed.
struct Offer {
    territory: String,
    license_type: Option<String>,
    format_profile: Option<String>,
    benefit: Option<String>,
    start: Option<String>,
    work_type: Option<String>,
    /// (language, kind) the partner will deliver.
    languages: Vec<(String, Option<String>)>,
    allowed: Vec<String>,
    holdback: Vec<(String, Option<String>)>,
}

fn langs(v: &Value, key: &str) -> Vec<(String, Option<String>)> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|l| {
                    let value = l.get("value")?.as_str()?.to_string();
                    let kind = l
                        .get("_asset")
                        .and_then(Value::as_str)
                        .map(|k| k.to_ascii_lowercase());
                    Some((value, kind))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn offer(w: &StoredWindow) -> Offer {
    let t: Value = serde_json::from_str(&w.trans).unwrap_or(Value::Null);
    let h: Value = serde_json::from_str(&w.header).unwrap_or(Value::Null);
    let s = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
    let benefit = t
        .get("Terms")
        .and_then(Value::as_array)
        .and_then(|terms| {
            terms.iter().find(|x| {
                x.get("_termName")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("ChannelIdentity"))
            })
        })
        .and_then(|x| x.get("Text").and_then(Value::as_str))
        .map(str::to_string);
    Offer {
        territory: w.territory.clone(),
        license_type: s("LicenseType"),
        format_profile: t
            .get("FormatProfile")
            .and_then(|f| f.get("value"))
            .and_then(Value::as_str)
            .map(str::to_string),
        benefit,
        start: s("Start"),
        work_type: h
            .get("Asset")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(|a| a.get("WorkType"))
            .and_then(Value::as_str)
            .map(str::to_string),
        languages: langs(&t, "AssetLanguage"),
        allowed: langs(&t, "AllowedLanguage")
            .into_iter()
            .map(|(l, _)| l)
            .collect(),
        holdback: langs(&t, "HoldbackLanguage"),
    }
}

const AUDIO_KINDS: &[&str] = &["audio", "dub", "ov", "mta"];
const SUB_KINDS: &[&str] = &["subtitle", "sub"];

fn held_back(offers: &[Offer], lang: &str, audio: bool) -> bool {
    // Held back only if every offer holds it back for that kind.
    !offers.is_empty()
        && offers.iter().all(|o| {
            o.holdback.iter().any(|(l, k)| {
                l.eq_ignore_ascii_case(lang)
                    && match k.as_deref() {
                        None | Some("any") | Some("subdub") => true,
                        Some(k) if audio => AUDIO_KINDS.contains(&k),
                        Some(k) => SUB_KINDS.contains(&k),
                    }
            })
        })
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x.eq_ignore_ascii_case(s)) {
        v.push(s.to_string());
    }
}

/// Derives the parts a title needs from its offers, and the SINGLE groups.
fn required_parts(offers: &[Offer]) -> (Vec<Part>, Vec<Vec<usize>>, Option<String>) {
    let work_type = offers
        .iter()
        .find_map(|o| o.work_type.clone())
        .unwrap_or_default();
    // Languages in first-seen order, with the kinds asked for each.
    let mut order: Vec<String> = Vec::new();
    let mut kinds: Vec<(String, Option<String>)> = Vec::new();
    for o in offers {
        for (l, k) in &o.languages {
            push_unique(&mut order, l);
            kinds.push((l.clone(), k.clone()));
        }
    }
    let primary = kinds
        .iter()
        .find(|(_, k)| k.as_deref().is_none_or(|k| !SUB_KINDS.contains(&k)))
        .map(|(l, _)| l.clone());
    let has_video = !matches!(work_type.as_str(), "Season" | "Series" | "Collection");
    let mut parts = vec![
        Part::new("METADATA", "DESCRIPTIVE", RuleType::Required, "AVAILS")
            .locale(primary.clone().or_else(|| Some("en-US".into()))),
    ];
    if has_video {
        let mut video = Part::new(
            "VIDEO",
            if work_type == "Supplemental" {
                "TRAILER"
            } else {
                "FEATURE"
            },
            RuleType::Required,
            "AVAILS",
        );
        video.format_profile = offers
            .iter()
            .filter_map(|o| o.format_profile.clone())
            .max_by_key(|f| format_rank(f));
        parts.push(video);
        parts.push(
            Part::new("AUDIO", "PRIMARY", RuleType::Required, "AssetLanguage")
                .locale(primary.clone()),
        );
    }
    parts.push(Part::new(
        "IMAGE",
        "16:9",
        RuleType::Required,
        "PLATFORM_POLICY",
    ));
    parts.push(Part::new(
        "IMAGE",
        "2:3",
        RuleType::Recommended,
        "PLATFORM_POLICY",
    ));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut covered: Vec<String> = primary.iter().cloned().collect();
    if has_video {
        for lang in &order {
            if primary
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(lang))
            {
                continue;
            }
            let asked: Vec<Option<&str>> = kinds
                .iter()
                .filter(|(l, _)| l.eq_ignore_ascii_case(lang))
                .map(|(_, k)| k.as_deref())
                .collect();
            let mut audio = asked
                .iter()
                .any(|k| k.is_some_and(|k| AUDIO_KINDS.contains(&k)));
            let mut sub = asked
                .iter()
                .any(|k| k.is_some_and(|k| SUB_KINDS.contains(&k)));
            let either = asked
                .iter()
                .any(|k| matches!(k, None | Some("subdub") | Some("any")));
            let audio_ok = !held_back(offers, lang, true);
            let sub_ok = !held_back(offers, lang, false);
            audio &= audio_ok;
            sub &= sub_ok;
            let audio_part = Part::new("AUDIO", "DUB", RuleType::Required, "AssetLanguage")
                .locale(Some(lang.clone()));
            let sub_part = Part::new(
                "TIMED_TEXT",
                "SUBTITLE",
                RuleType::Required,
                "AssetLanguage",
            )
            .locale(Some(lang.clone()));
            if either && !audio && !sub && audio_ok && sub_ok {
                let group = groups.len();
                let mut members = Vec::new();
                for mut p in [audio_part, sub_part] {
                    p.rule = RuleType::Conditional;
                    p.group = Some(group);
                    members.push(parts.len());
                    parts.push(p);
                }
                groups.push(members);
            } else {
                if audio || (either && audio_ok && !sub_ok && !sub) {
                    parts.push(audio_part);
                }
                if sub || (either && sub_ok && !audio_ok && !audio) {
                    parts.push(sub_part);
                }
            }
            push_unique(&mut covered, lang);
        }
        for o in offers {
            for lang in &o.allowed {
                if covered.iter().any(|c| c.eq_ignore_ascii_case(lang))
                    || held_back(offers, lang, false)
                {
                    continue;
                }
                push_unique(&mut covered, lang);
                parts.push(
                    Part::new(
                        "TIMED_TEXT",
                        "SUBTITLE",
                        RuleType::Recommended,
                        "AllowedLanguage",
                    )
                    .locale(Some(lang.clone())),
                );
            }
        }
    }
    (parts, groups, primary)
}

fn matches(part: &Part, r: &DeliveryRecord, primary: Option<&str>) -> bool {
    if !r.primary_type.eq_ignore_ascii_case(part.primary) {
        return false;
    }
    if r.secondary_type
        .as_deref()
        .is_some_and(|s| !s.eq_ignore_ascii_case(part.secondary))
    {
        return false;
    }
    let locale_ok = match (&part.locale, &r.locale) {
        (None, _) => true,
        (Some(p), Some(l)) => p.eq_ignore_ascii_case(l),
        (Some(p), None) => primary.is_some_and(|x| x.eq_ignore_ascii_case(p)),
    };
    let format_ok = match (&part.format_profile, &r.format_profile) {
        (Some(need), Some(got)) => format_rank(got) >= format_rank(need),
        _ => true,
    };
    locale_ok && format_ok
}

fn progress_of(r: Option<&DeliveryRecord>) -> &'static str {
    match r.map(|r| r.status) {
        None => "Missing",
        Some(DeliveryState::Success) => "Ready",
        Some(DeliveryState::InProcess) => "In-Process",
        Some(DeliveryState::Error) => "Issue",
    }
}

fn delivery_json(r: &DeliveryRecord, part: &Part, regions: &[String]) -> Value {
    let mut m = Map::new();
    let status = if r.status == DeliveryState::Success {
        "SUCCESSFULLY_DELIVERED"
    } else {
        "NOT_DELIVERED"
    };
    m.insert("Status".into(), json!(status));
    let mut opt = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    };
    opt("FileName", &r.file_name);
    opt("Hash", &r.hash);
    opt("DeliveredDate", &Some(r.delivered_date.clone()));
    opt("Locale", &r.locale.clone().or_else(|| part.locale.clone()));
    opt(
        "ServiceProvider",
        &Some(
            r.service_provider
                .clone()
                .unwrap_or_else(|| "sandbox".into()),
        ),
    );
    opt("PresentationType", &r.presentation_type);
    opt("DynamicRangeType", &r.dynamic_range_type);
    if r.status == DeliveryState::Error {
        m.insert(
            "Instructions".into(),
            json!([{
                "TitlePart": part.descriptor(),
                "TitlePartStatus": "NOT_DELIVERED",
                "ErrorCode": r.error_code.clone().unwrap_or_else(|| "DELIVERY_FAILED".into()),
                "Regions": regions,
            }]),
        );
    }
    Value::Object(m)
}

fn unique<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Option<&'a str> {
    let set: BTreeSet<Option<&str>> = values.collect();
    match set.len() {
        1 => set.into_iter().next().flatten(),
        _ => None,
    }
}

/// Builds the `ProductStatus` of a title in a marketplace.
pub(crate) fn product_status(
    sh: &Shared,
    licensor: &str,
    alid: &str,
    marketplace: Option<&str>,
) -> Result<Value, Failure> {
    let marketplace = marketplace.unwrap_or("GLOBAL").trim().to_ascii_uppercase();
    if !MARKETPLACES.contains(&marketplace.as_str()) {
        return Err(Failure::bad_request(
            codes::INVALID_PARAMETER,
            format!(
                "marketplace `{marketplace}` is not one of {}",
                MARKETPLACES.join(", ")
            ),
        ));
    }
    let windows = sh.store.title(licensor, alid).map_err(db)?;
    let offers: Vec<Offer> = windows
        .iter()
        .filter(|w| marketplace == "GLOBAL" || w.territory.eq_ignore_ascii_case(&marketplace))
        .map(offer)
        .collect();
    if offers.is_empty() {
        return Err(Failure::not_found(format!(
            "no title {alid} in marketplace {marketplace}"
        )));
    }
    let records = parse_records(&sh.store.deliveries(licensor, alid).map_err(db)?);
    let (parts, groups, primary) = required_parts(&offers);
    let regions: Vec<String> = {
        let mut r = Vec::new();
        for o in &offers {
            push_unique(&mut r, &o.territory);
        }
        r
    };
    let contexts: Vec<Value> = offers
        .iter()
        .map(|o| {
            scope_json(
                alid,
                &marketplace,
                Some(&o.territory),
                o.format_profile.as_deref(),
                o.license_type.as_deref(),
                o.benefit.as_deref(),
            )
        })
        .collect();
    let earliest = offers.iter().filter_map(|o| o.start.clone()).min();

    // Progress of each part first: conditional parts look at their group.
    let delivered: Vec<Vec<&DeliveryRecord>> = parts
        .iter()
        .map(|p| {
            records
                .iter()
                .filter(|r| matches(p, r, primary.as_deref()))
                .collect()
        })
        .collect();
    let progress: Vec<&str> = delivered
        .iter()
        .map(|d| progress_of(d.last().copied()))
        .collect();
    let mut statuses = Vec::new();
    let mut instructions = Vec::new();
    let mut detail = [
        ("Ready", 0u64, 0u64),
        ("Issue", 0, 0),
        ("In-Process", 0, 0),
        ("Missing", 0, 0),
    ];
    let mut needed_progress: Vec<&str> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let prog = progress[i];
        let action = match (prog, part.rule) {
            ("Ready" | "In-Process", _) => "NO_ACTION_NEEDED",
            (_, RuleType::Required) => "ACTION_NEEDED",
            (_, RuleType::Recommended) => "ACTION_RECOMMENDED",
            (_, RuleType::Conditional) => {
                let satisfied = part
                    .group
                    .is_some_and(|g| groups[g].iter().any(|&j| j != i && progress[j] == "Ready"));
                if satisfied {
                    "NO_ACTION_NEEDED"
                } else {
                    "ACTION_NEEDED"
                }
            }
        };
        if let Some(d) = detail.iter_mut().find(|d| d.0 == prog) {
            d.1 += 1;
            if action == "ACTION_NEEDED" {
                d.2 += 1;
            }
        }
        let hist = &delivered[i];
        let last = hist.last().copied();
        let prior = match last {
            Some(_) => hist[..hist.len() - 1]
                .iter()
                .rev()
                .find(|r| r.status == DeliveryState::Success)
                .copied(),
            None => None,
        };
        let mut m = Map::new();
        m.insert("PrimaryType".into(), json!(part.primary));
        m.insert("SecondaryType".into(), json!(part.secondary));
        if let Some(f) = &part.format_profile {
            m.insert("FormatProfile".into(), json!(f));
        }
        if let Some(l) = &part.locale {
            m.insert("Locale".into(), json!(l));
        }
        m.insert("OfferContexts".into(), json!(contexts));
        if let Some(g) = part.group {
            let members: Vec<Value> = groups[g].iter().map(|&j| parts[j].descriptor()).collect();
            m.insert(
                "ConditionalTitleParts".into(),
                json!([{ "RuleType": "SINGLE", "Regions": regions, "TitleParts": members }]),
            );
        }
        m.insert("RuleType".into(), json!(part.rule.as_str()));
        m.insert("ActionType".into(), json!(action));
        m.insert("RuleSources".into(), json!(part.sources));
        if let Some(r) = last {
            m.insert("LastDelivery".into(), delivery_json(r, part, &regions));
        }
        if let Some(r) = prior {
            m.insert(
                "PriorSuccessfulDelivery".into(),
                delivery_json(r, part, &regions),
            );
        }
        if let Some(first) = hist.first() {
            m.insert("FirstDeliveryDate".into(), json!(first.delivered_date));
        }
        m.insert("Progress".into(), json!(prog));
        if let Some(e) = &earliest {
            m.insert("EarliestStartDate".into(), json!(e));
        }
        statuses.push(Value::Object(m));
        if action == "ACTION_NEEDED" {
            needed_progress.push(prog);
            instructions.push(json!({
                "TitlePart": part.descriptor(),
                "TitlePartStatus": "NOT_DELIVERED",
                "ErrorCode": last
                    .and_then(|r| r.error_code.clone())
                    .unwrap_or_else(|| "ASSET_NOT_DELIVERED".into()),
                "Regions": regions,
            }));
        }
    }
    let overall = if needed_progress.contains(&"Issue") {
        "Issue"
    } else if needed_progress.contains(&"Missing") {
        "Missing"
    } else if progress.contains(&"In-Process") {
        "In-Process"
    } else {
        "Ready"
    };
    let scope = scope_json(
        alid,
        &marketplace,
        unique(offers.iter().map(|o| Some(o.territory.as_str()))),
        unique(offers.iter().map(|o| o.format_profile.as_deref())),
        unique(offers.iter().map(|o| o.license_type.as_deref())),
        unique(offers.iter().map(|o| o.benefit.as_deref())),
    );
    let mut out = Map::new();
    out.insert("Source".into(), json!({ "Platform": "Prime Video" }));
    out.insert("Destination".into(), json!({ "Publisher": licensor }));
    out.insert("Scope".into(), scope);
    out.insert(
        "PlatformIDs".into(),
        json!({
            "GTI": gti(licensor, alid),
            "PublisherIDs": [{ "ALID": alid, "Marketplace": marketplace }],
        }),
    );
    out.insert("OverallProgressCode".into(), json!(overall));
    out.insert(
        "ProgressDetail".into(),
        Value::Array(
            detail
                .iter()
                .map(|(p, t, a)| json!({ "Progress": p, "Total": t, "ActionNeeded": a }))
                .collect(),
        ),
    );
    out.insert("TitlePartStatus".into(), Value::Array(statuses));
    if !instructions.is_empty() {
        out.insert("Instructions".into(), Value::Array(instructions));
    }
    Ok(Value::Object(out))
}

fn scope_json(
    alid: &str,
    marketplace: &str,
    region: Option<&str>,
    format_profile: Option<&str>,
    license_type: Option<&str>,
    benefit: Option<&str>,
) -> Value {
    let mut m = Map::new();
    m.insert("ALID".into(), json!(alid));
    m.insert("Marketplace".into(), json!(marketplace));
    if let Some(r) = region {
        m.insert("Region".into(), json!(r));
    }
    if let Some(f) = format_profile {
        m.insert("FormatProfile".into(), json!(f));
    }
    if let Some(l) = license_type {
        m.insert("LicenseType".into(), json!(l));
        if l.eq_ignore_ascii_case("SVOD") {
            if let Some(b) = benefit {
                m.insert("BenefitID".into(), json!(b));
            }
        }
    }
    Value::Object(m)
}

/// A stable, made-up GTI for a title (FNV-1a of licensor and ALID).
fn gti(licensor: &str, alid: &str) -> String {
    let hash = |seed: u64| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for b in licensor.bytes().chain([0u8]).chain(alid.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    let (a, b) = (hash(0), hash(0x9e37_79b9_7f4a_7c15));
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "amzn1.dv.gti.{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
