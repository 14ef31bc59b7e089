//! An independent check of `mappings/ema.toml`, column by column, against
//! MovieLabs' own EMA-column → MDDF-XML table
//! (`tests/data/movielabs-reference/ema-xlsx-to-mddf-mappings.json`, every
//! column of EMA 1.7 to 1.9) and the reference's four XML-to-JSON rules
//! (namespaces dropped; nested elements nest; repeated elements become an
//! array; attributes become `_`-prefixed properties, the text `value`).
//!
//! Every EMA column of every version must be, in the table, either mapped
//! (directly, through an alias, as a fallback, as a term or as the price
//! triple) to the API attribute its XPath gives, or listed in `[ignored]`
//! with a reason. A column that is neither fails the test, named with its
//! version, its XPath and what the table does instead.

use std::collections::BTreeSet;

use avails_mapping::{ColumnKind, Mapping, TermValue};
use serde_json::Value;

const TABLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/movielabs-reference/ema-xlsx-to-mddf-mappings.json"
);

/// Where an MDDF XPath lands in the API's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// This attribute of the API (`Transaction.Terms[SRP].Money`).
    Api(String),
    /// The API has no attribute for it (why, from the reference's types).
    Absent(&'static str),
}

fn api(path: impl Into<String>) -> Target {
    Target::Api(path.into())
}

/// The XPath without namespaces (rule 1) and a leading `*` (MovieLabs'
/// mark for "several elements", rule 3).
fn normalize(xpath: &str) -> String {
    xpath
        .trim_start_matches('*')
        .replace("{avail}", "")
        .replace("{md}", "")
}

/// The term name in `[../@termName='X']`.
fn term_name(xpath: &str) -> Option<&str> {
    let start = xpath.find("@termName='")? + "@termName='".len();
    let end = xpath[start..].find('\'')? + start;
    Some(&xpath[start..end])
}

/// The metadata of the API's asset types (001 "Types de données de base"):
/// AvailUnitMetadata has TitleInternalAlias; AvailEpisodeMetadata has
/// TitleInternalAlias, EpisodeNumber, SeasonMetadata and SeriesMetadata
/// (siblings, as 002 example 1 writes them, where MDDF nests SeriesMetadata
/// inside SeasonMetadata); AvailSeasonMetadata has SeasonContentID,
/// SeasonTitleInternalAlias, SeasonNumber, NumberOfEpisodes, SeriesMetadata;
/// AvailSeriesMetadata has SeriesContentID, SeriesTitleInternalAlias,
/// NumberOfSeasons.
fn metadata_target(path: &str) -> Target {
    const SEASON: &[&str] = &[
        "SeasonContentID",
        "SeasonTitleInternalAlias",
        "SeasonNumber/Number",
        "NumberOfEpisodes",
    ];
    const SERIES: &[&str] = &[
        "SeriesContentID",
        "SeriesTitleInternalAlias",
        "NumberOfSeasons",
    ];
    let dotted = |p: &str| p.replace('/', ".");
    let absent = Target::Absent("not an attribute of the API's metadata types (001)");
    if path == "Metadata/TitleInternalAlias" {
        return api("Asset.Metadata.TitleInternalAlias");
    }
    if let Some(rest) = path.strip_prefix("EpisodeMetadata/") {
        if rest == "TitleInternalAlias" || rest == "EpisodeNumber/Number" {
            return api(format!("Asset.EpisodeMetadata.{}", dotted(rest)));
        }
        if let Some(leaf) = rest.strip_prefix("SeasonMetadata/SeriesMetadata/") {
            if SERIES.contains(&leaf) {
                return api(format!(
                    "Asset.EpisodeMetadata.SeriesMetadata.{}",
                    dotted(leaf)
                ));
            }
            return absent;
        }
        if let Some(leaf) = rest.strip_prefix("SeasonMetadata/") {
            if SEASON.contains(&leaf) {
                return api(format!(
                    "Asset.EpisodeMetadata.SeasonMetadata.{}",
                    dotted(leaf)
                ));
            }
        }
        return absent;
    }
    if let Some(rest) = path.strip_prefix("SeasonMetadata/") {
        if SEASON.contains(&rest) {
            return api(format!("Asset.SeasonMetadata.{}", dotted(rest)));
        }
        if let Some(leaf) = rest.strip_prefix("SeriesMetadata/") {
            if SERIES.contains(&leaf) {
                return api(format!(
                    "Asset.SeasonMetadata.SeriesMetadata.{}",
                    dotted(leaf)
                ));
            }
        }
        return absent;
    }
    if let Some(rest) = path.strip_prefix("SeriesMetadata/") {
        if SERIES.contains(&rest) {
            return api(format!("Asset.SeriesMetadata.{}", dotted(rest)));
        }
        return absent;
    }
    if path.starts_with("VolumeMetadata/") {
        return Target::Absent("the API has no VolumeMetadata");
    }
    absent
}

/// The XPath → API path table: the reference's four rules applied to each
/// XPath MovieLabs' table uses, then the API's own spellings and shapes
/// (001 type tables, 002/003 examples) where they differ from MDDF.
fn target(xpath: &str) -> Target {
    let p = normalize(xpath);
    let p = p.as_str();
    // Grouping entity: the reference's Supported Terms map ChannelIdentity
    // ← GroupIdentity.
    if p.contains("GroupingEntity[./Type='channel']/DisplayName") {
        return api("Transaction.Terms[ChannelIdentity].Text");
    }
    // Terms: `Term/Kind[../@termName='N']` → Terms[N].Kind.
    if let (Some(rest), Some(name)) = (p.strip_prefix("Term/"), term_name(p)) {
        let kind = rest.split('[').next().unwrap_or(rest);
        return api(format!("Transaction.Terms[{name}].{kind}"));
    }
    // The price triple (PriceType / PriceValue / PriceCurrency).
    if p.starts_with("Term/@termName[") {
        return api("Transaction.Terms[PriceType]._termName");
    }
    if p.starts_with("Term[@termName[") {
        if p.ends_with("/Money/@currency") {
            return api("Transaction.Terms[PriceType].Money._currency");
        }
        if p.ends_with("/Money") {
            return api("Transaction.Terms[PriceType].Money");
        }
        if p.ends_with("/Text") {
            return api("Transaction.Terms[PriceType].Text");
        }
    }
    if p.starts_with("@contentID") {
        return api("Asset._contentID");
    }
    if p.starts_with("Metadata/")
        || p.starts_with("EpisodeMetadata/")
        || p.starts_with("SeasonMetadata/")
        || p.starts_with("SeriesMetadata/")
        || p.starts_with("VolumeMetadata/")
    {
        return metadata_target(p);
    }
    match p {
        "ALID" => api("Avail.ALID"),
        "@TransactionID" => api("Transaction._TransactionID"),
        "Disposition/EntryType" => api("Avail.Disposition.EntryType"),
        "Licensor/DisplayName" => api("Avail.Licensor.DisplayName"),
        "SharedEntitlement[@ecosystem='DMA']/EcosystemID" => {
            api("Avail.SharedEntitlement[DMA].EcosystemID")
        }
        "SharedEntitlement[@ecosystem='UVVU']/EcosystemID" => {
            Target::Absent("AvailSharedEntitlement _ecosystem allows only DMA")
        }
        // 002 example 6 writes MDDF's BundledAsset as `BundleAsset`.
        "Asset[./WorkType/text()='Collection']/BundledAsset/BundledALID" => {
            api("Asset.BundleAsset[].BundledALID")
        }
        "WorkType" => api("Asset.WorkType"),
        "LicenseType" => api("Transaction.LicenseType"),
        "Territory/country" => api("Transaction.Territory[].country"),
        "Territory/countryRegion" => Target::Absent("Region has only `country`"),
        "Start" | "StartCondition" => api("Transaction.Start"),
        "End" | "EndCondition" => api("Transaction.End"),
        "FormatProfile" => api("Transaction.FormatProfile.value"),
        "LicenseRightsDescription" => api("Transaction.LicenseRightsDescription"),
        "ContractID" => api("Transaction.ContractID"),
        "OtherInstructions" => api("Transaction.OtherInstructions"),
        "AssetLanguage" => api("Transaction.AssetLanguage"),
        "AllowedLanguage" => api("Transaction.AllowedLanguage"),
        "HoldbackLanguage" => api("Transaction.HoldbackLanguage"),
        "FormatProfile/@HDR" | "FormatProfile/@WCG" | "FormatProfile/@HFR"
        | "FormatProfile/@NGAudio" => {
            Target::Absent("AvailFormatProfile has only `value`")
        }
        "AssetLanguage[@assetProvided='true']" => {
            Target::Absent("AssetLanguage has only `value` and `_asset`")
        }
        "Description" | "ReportingID" | "WindowDuration" | "TerritoryExcluded/country"
        | "TerritoryExcluded/countryRegion" | "StartCondition/@lag" | "EndCondition/@lag"
        | "Transaction/Licensee/DisplayName" => {
            Target::Absent("not an attribute of the API's AvailTrans (001)")
        }
        "ExceptionFlag" | "ServiceProvider/DisplayName" | "AssociatedALID" => {
            Target::Absent("not an attribute of the API's Avail (001)")
        }
        "@volNumber" => Target::Absent("the API has no VolumeMetadata"),
        other => panic!("XPath `{xpath}` ({other}) is not in this test's table: add where the four rules put it"),
    }
}

/// Every (work type, XPath) one column's entry names; `None` for "any".
fn xpaths(entry: &Value) -> Vec<(Option<String>, Option<String>)> {
    match entry {
        Value::String(s) if s == "n.a" => vec![(None, None)],
        Value::String(s) => vec![(None, Some(s.clone()))],
        Value::Array(list) => list.iter().flat_map(xpaths).collect(),
        Value::Object(o) if o.contains_key("%FUNCTION") => {
            // eidr(xpath) → EditEIDR-URN / TitleEIDR-URN; caption(): neither
            // is in the API's metadata types.
            let inner = o["%FUNCTION"]["args"]["xpath"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| "{avail}Metadata/{avail}CaptionIncluded".into());
            vec![(None, Some(inner))]
        }
        Value::Object(by_type) => by_type
            .iter()
            .flat_map(|(wt, v)| {
                xpaths(v).into_iter().map(move |(_, x)| {
                    let wt = if wt == "-default-" {
                        "Movie"
                    } else {
                        wt.as_str()
                    };
                    (Some(wt.to_string()), x)
                })
            })
            .collect(),
        other => panic!("unexpected mapping entry {other}"),
    }
}

/// The API attribute a rule's path gives, with the shape its kind writes.
fn effective(path: &str, kind: ColumnKind) -> String {
    match kind {
        ColumnKind::Sequence => format!("{path}.Number"),
        ColumnKind::Countries => format!("{path}[].country"),
        ColumnKind::Format => format!("{path}.value"),
        ColumnKind::Bundle => format!("{path}[].BundledALID"),
        ColumnKind::Dma => format!("{path}[DMA].EcosystemID"),
        _ => path.to_string(),
    }
}

/// Every API attribute the table fills from `column` on a row of
/// `work_type` (any work type when `None`).
fn mapped(m: &Mapping, column: &str, work_type: Option<&str>) -> BTreeSet<String> {
    let column = m.canonical_column(column);
    let is = |c: &str| c.eq_ignore_ascii_case(column);
    let applies = |rule: &avails_mapping::ColumnRule| work_type.is_none_or(|w| rule.applies_to(w));
    let mut out = BTreeSet::new();
    for c in &m.columns {
        if (is(&c.name) || c.fallback.iter().any(|f| is(f))) && applies(c) {
            out.insert(effective(&c.path, c.kind));
        }
    }
    for t in &m.terms {
        if let (Some(col), Some(name), Some(value)) = (&t.column, &t.name, &t.value) {
            if is(col) {
                let kind = TermValue::parse(value).unwrap().kind().attribute();
                out.insert(format!("Transaction.Terms[{name}].{kind}"));
            }
        }
    }
    let p = &m.price;
    if is(&p.type_column) {
        out.insert("Transaction.Terms[PriceType]._termName".into());
    }
    if is(&p.value_column) {
        out.insert("Transaction.Terms[PriceType].Money".into());
        out.insert("Transaction.Terms[PriceType].Text".into());
    }
    if is(&p.currency_column) {
        out.insert("Transaction.Terms[PriceType].Money._currency".into());
    }
    out
}

/// The `[ignored]` reason of a column, if listed with one.
fn ignored_reason<'m>(m: &'m Mapping, column: &str) -> Option<&'m str> {
    let column = m.canonical_column(column);
    m.ignored
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(column))
        .map(|(_, v)| v.reason())
        .filter(|r| !r.trim().is_empty())
}

/// Columns whose XPath the table maps to another attribute on purpose.
const JUSTIFIED: &[(&str, &str)] = &[(
    "CampaignID",
    "MDDF types CampaignID as an `ID` term value, which the API's AvailTerms does not have; \
     the table reads it as Text, and the term is left out as one Prime Video does not \
     process (CV014), so no payload carries either",
)];

#[test]
fn every_column_movielabs_lists_is_mapped_where_mddf_puts_it_or_ignored_with_a_reason() {
    let m = Mapping::default_table();
    let table: Value = serde_json::from_str(&std::fs::read_to_string(TABLE).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut checked = BTreeSet::new();
    for (version, sheets) in table.as_object().unwrap() {
        for (sheet, columns) in sheets.as_object().unwrap() {
            for (key, entry) in columns.as_object().unwrap() {
                let column = key.split_once(':').map_or(key.as_str(), |(_, c)| c);
                checked.insert(column.to_string());
                if JUSTIFIED.iter().any(|(c, _)| *c == column) {
                    continue;
                }
                let ignored = ignored_reason(&m, column);
                let mut wanted = Vec::new();
                for (work_type, xpath) in xpaths(entry) {
                    let Some(xpath) = xpath else { continue };
                    if let Target::Api(path) = target(&xpath) {
                        wanted.push((work_type, xpath, path));
                    }
                }
                let place = format!("{version} {sheet} `{column}`");
                if wanted.is_empty() {
                    if ignored.is_none() {
                        failures.push(format!(
                            "{place}: the API has no attribute for it ({entry}) but [ignored] does not list it with a reason; the table maps it to {:?}",
                            mapped(&m, column, None)
                        ));
                    }
                    continue;
                }
                for (work_type, xpath, path) in wanted {
                    let have = mapped(&m, column, work_type.as_deref());
                    if !have.contains(&path) && ignored.is_none() {
                        failures.push(format!(
                            "{place}{}: MDDF `{xpath}` is the API's `{path}`, but the table maps it to {have:?} and does not list it in [ignored]",
                            work_type.map(|w| format!(" ({w} rows)")).unwrap_or_default()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        checked.len() > 100,
        "the reference lists every EMA column: {}",
        checked.len()
    );
    assert!(
        failures.is_empty(),
        "{} columns:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_price_type_movielabs_lists_is_a_term_of_its_mddf_value_kind() {
    // PriceValue's XPaths list which termNames carry a Money and which a
    // Text (`Term[@termName[.='WSP' or ...]]/Money`); `NA` means no price.
    let m = Mapping::default_table();
    let table: Value = serde_json::from_str(&std::fs::read_to_string(TABLE).unwrap()).unwrap();
    let mut failures = BTreeSet::new();
    for sheets in table.as_object().unwrap().values() {
        for columns in sheets.as_object().unwrap().values() {
            let Some(Value::Array(list)) = columns.get("AvailTrans:PriceValue") else {
                continue;
            };
            for xpath in list.iter().filter_map(Value::as_str) {
                let kind = if xpath.ends_with("Money") {
                    "Money"
                } else {
                    "Text"
                };
                let names = xpath.split('\'').skip(1).step_by(2);
                for name in names {
                    if m.price.is_not_applicable(name) {
                        continue;
                    }
                    let (term, got) = m.price.term_for(name);
                    if term != name || got.attribute() != kind {
                        failures.insert(format!(
                            "PriceType `{name}`: MDDF writes a {kind} term `{name}`, the table a {} term `{term}`",
                            got.attribute()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_justified_exceptions_are_still_columns_movielabs_lists() {
    let table = std::fs::read_to_string(TABLE).unwrap();
    for (column, reason) in JUSTIFIED {
        assert!(
            table.contains(&format!(":{column}\"")),
            "{column}: {reason}"
        );
    }
}
