//! The supported schema of an `avail` payload and a walk that reports
//! missing required attributes (AV002), wrong JSON types (AV003), a missing
//! Disposition (AV004), unsupported attributes (AV005) and every check that
//! depends on one attribute alone (enumerations, formats).

use crate::enums;
use crate::report::{describe, quote, Report};
use crate::{countries, currencies, languages};
use avails_model::diagnostic::codes::*;
use avails_model::doc::{Node, Obj as Object, View};
use avails_model::text::trim;
use avails_model::time::{DateTime, DateTimeError, Duration, ImpossibleDate, DATE_TIME_FORM};

/// What a string attribute must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Any string.
    Any,
    /// `WorkType` (AV010).
    WorkType,
    /// `LicenseType` (AV011).
    LicenseType,
    /// `EntryType` (AV012).
    EntryType,
    /// `FormatProfile/value` (AV013).
    FormatProfile,
    /// `_ecosystem` (AV014).
    Ecosystem,
    /// `_asset` of AssetLanguage (AV015).
    AssetLanguageAsset,
    /// `_asset` of AllowedLanguage/HoldbackLanguage (AV016).
    AllowedLanguageAsset,
    /// ISO 3166-1 alpha-2 (AV040).
    Country,
    /// RFC 5646 (AV041).
    Language,
    /// ISO 8601 date-time (AV042).
    DateTime,
    /// ISO 8601 duration (AV043).
    Duration,
    /// ISO 4217 (AV045).
    Currency,
}

/// The JSON shape of an attribute.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string, with a check.
    Str(Check),
    /// A 32-bit signed integer (`Nombre entier`).
    Int,
    /// Any number (`Valeur décimale`).
    Decimal,
    /// `true` or `false`.
    Bool,
    /// A struct with these attributes.
    Obj(&'static [Field]),
    /// An array of this kind.
    Arr(&'static Kind),
}

/// Whether an attribute must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Optional.
    No,
    /// Required (AV002).
    Yes,
    /// Required by the table but absent from accepted examples (AV004).
    Warn,
}

/// One attribute of a struct.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// JSON name.
    pub name: &'static str,
    /// Shape.
    pub kind: Kind,
    /// Whether it must be present.
    pub need: Need,
    /// The reference's type name of the struct, for messages.
    pub owner: &'static str,
}

const fn f(owner: &'static str, name: &'static str, kind: Kind, need: Need) -> Field {
    Field {
        name,
        kind,
        need,
        owner,
    }
}

use Check as C;
use Kind::{Arr, Bool, Decimal, Int, Obj, Str};
use Need::{No, Warn, Yes};

const STRINGS: Kind = Str(C::Any);

/// `ContentSequenceInfo`.
const SEQUENCE: &[Field] = &[f("ContentSequenceInfo", "Number", Int, Yes)];

/// `AvailSeriesMetadata` nested in episode or season metadata.
const SERIES: &[Field] = &[
    f("AvailSeriesMetadata", "SeriesContentID", STRINGS, Yes),
    f(
        "AvailSeriesMetadata",
        "SeriesTitleInternalAlias",
        Arr(&STRINGS),
        No,
    ),
    f("AvailSeriesMetadata", "NumberOfSeasons", Int, No),
];

/// `AvailSeriesMetadata` directly on a `Series` asset (002 example 7 has no
/// SeriesContentID there: the asset's `_contentID` is the series).
const SERIES_ON_ASSET: &[Field] = &[
    f("AvailSeriesMetadata", "SeriesContentID", STRINGS, No),
    f(
        "AvailSeriesMetadata",
        "SeriesTitleInternalAlias",
        Arr(&STRINGS),
        No,
    ),
    f("AvailSeriesMetadata", "NumberOfSeasons", Int, No),
];

/// `AvailSeasonMetadata`.
const SEASON: &[Field] = &[
    f("AvailSeasonMetadata", "SeasonContentID", STRINGS, Yes),
    f(
        "AvailSeasonMetadata",
        "SeasonTitleInternalAlias",
        Arr(&STRINGS),
        No,
    ),
    f("AvailSeasonMetadata", "SeasonNumber", Obj(SEQUENCE), Yes),
    f("AvailSeasonMetadata", "NumberOfEpisodes", Int, Yes),
    f("AvailSeasonMetadata", "SeriesMetadata", Obj(SERIES), No),
];

/// `AvailEpisodeMetadata`.
const EPISODE: &[Field] = &[
    f(
        "AvailEpisodeMetadata",
        "TitleInternalAlias",
        Arr(&STRINGS),
        Yes,
    ),
    f("AvailEpisodeMetadata", "EpisodeNumber", Obj(SEQUENCE), Yes),
    f("AvailEpisodeMetadata", "SeasonMetadata", Obj(SEASON), No),
    f("AvailEpisodeMetadata", "SeriesMetadata", Obj(SERIES), No),
];

/// `AvailUnitMetadata`.
const UNIT: &[Field] = &[f(
    "AvailUnitMetadata",
    "TitleInternalAlias",
    Arr(&STRINGS),
    Yes,
)];

/// `BundleAsset` entries (002 example 6; not in the reference's tables).
const BUNDLE: &[Field] = &[f("BundleAsset", "BundledALID", STRINGS, Yes)];

/// `AvailAsset`.
const ASSET: &[Field] = &[
    f("AvailAsset", "_contentID", STRINGS, Yes),
    f("AvailAsset", "WorkType", Str(C::WorkType), Yes),
    f("AvailAsset", "Metadata", Obj(UNIT), No),
    f("AvailAsset", "EpisodeMetadata", Obj(EPISODE), No),
    f("AvailAsset", "SeasonMetadata", Obj(SEASON), No),
    f("AvailAsset", "SeriesMetadata", Obj(SERIES_ON_ASSET), No),
    f("AvailAsset", "BundleAsset", Arr(&Obj(BUNDLE)), No),
];

/// `Money`.
const MONEY: &[Field] = &[
    f("Money", "value", Decimal, No),
    f("Money", "_currency", Str(C::Currency), Yes),
];

/// `AvailTerms`.
const TERM: &[Field] = &[
    f("AvailTerms", "_termName", STRINGS, Yes),
    f("AvailTerms", "Money", Obj(MONEY), No),
    f("AvailTerms", "Text", STRINGS, No),
    f("AvailTerms", "Event", Str(C::DateTime), No),
    f("AvailTerms", "Boolean", Bool, No),
    f("AvailTerms", "Duration", Str(C::Duration), No),
    f("AvailTerms", "Number", Int, No),
];

/// `Region`.
const REGION: &[Field] = &[f("Region", "country", Str(C::Country), Yes)];

/// `AssetLanguage` as used by `AssetLanguage`.
const ASSET_LANGUAGE: &[Field] = &[
    f("AssetLanguage", "value", Str(C::Language), Yes),
    f("AssetLanguage", "_asset", Str(C::AssetLanguageAsset), No),
];

/// `AssetLanguage` as used by `AllowedLanguage` and `HoldbackLanguage`.
const ALLOWED_LANGUAGE: &[Field] = &[
    f("AssetLanguage", "value", Str(C::Language), Yes),
    f("AssetLanguage", "_asset", Str(C::AllowedLanguageAsset), No),
];

/// `AvailFormatProfile`.
const FORMAT: &[Field] = &[f("AvailFormatProfile", "value", Str(C::FormatProfile), Yes)];

/// `AvailTrans`. `_TransactionID` is optional here; its requirement outside
/// FullExtract is checked by the avail rules.
const TRANSACTION: &[Field] = &[
    f("AvailTrans", "_TransactionID", STRINGS, No),
    f("AvailTrans", "LicenseType", Str(C::LicenseType), Yes),
    f("AvailTrans", "Territory", Arr(&Obj(REGION)), Yes),
    f("AvailTrans", "Start", Str(C::DateTime), Yes),
    f("AvailTrans", "End", Str(C::DateTime), No),
    f("AvailTrans", "AssetLanguage", Arr(&Obj(ASSET_LANGUAGE)), No),
    f(
        "AvailTrans",
        "AllowedLanguage",
        Arr(&Obj(ALLOWED_LANGUAGE)),
        No,
    ),
    f(
        "AvailTrans",
        "HoldbackLanguage",
        Arr(&Obj(ALLOWED_LANGUAGE)),
        No,
    ),
    f("AvailTrans", "LicenseRightsDescription", STRINGS, No),
    f("AvailTrans", "FormatProfile", Obj(FORMAT), Yes),
    f("AvailTrans", "ContractID", STRINGS, No),
    f("AvailTrans", "Terms", Arr(&Obj(TERM)), Yes),
    f("AvailTrans", "OtherInstructions", STRINGS, No),
];

/// `AvailSharedEntitlement`.
const SHARED: &[Field] = &[
    f(
        "AvailSharedEntitlement",
        "_ecosystem",
        Str(C::Ecosystem),
        Yes,
    ),
    f("AvailSharedEntitlement", "EcosystemID", STRINGS, Yes),
];

/// `AvailDisposition`.
const DISPOSITION: &[Field] = &[f("AvailDisposition", "EntryType", Str(C::EntryType), Yes)];

/// `Publisher`.
const PUBLISHER: &[Field] = &[f("Publisher", "DisplayName", STRINGS, Yes)];

/// `Avail`.
pub const AVAIL: &[Field] = &[
    f("Avail", "ALID", STRINGS, Yes),
    f("Avail", "Disposition", Obj(DISPOSITION), Warn),
    f("Avail", "Licensor", Obj(PUBLISHER), Yes),
    f("Avail", "Asset", Arr(&Obj(ASSET)), Yes),
    f("Avail", "Transaction", Arr(&Obj(TRANSACTION)), Yes),
    f("Avail", "SharedEntitlement", Arr(&Obj(SHARED)), No),
];

/// Whether a value counts as absent for a required attribute: null, an empty
/// or blank string, an empty array.
pub fn is_empty(v: Node) -> bool {
    match v.view() {
        View::Null => true,
        View::String(s) => trim(s).is_empty(),
        View::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// What a required attribute was found to be in an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Missing,
    Empty,
    Filled,
}

/// Required attributes whose presence a walk tracks as it goes (the
/// largest struct of the schema has fewer); one further along is looked up.
const TRACKED: usize = 64;

/// The place of the attribute `name` in `fields`. Members come mostly in
/// the schema's order, so the one after the previous match is tried first.
fn field_index(fields: &[Field], name: &str, next: usize) -> Option<usize> {
    match fields.get(next) {
        Some(f) if f.name == name => Some(next),
        _ => fields.iter().position(|f| f.name == name),
    }
}

/// Walks `map` against `fields`; the report's pointer is at `map`.
pub fn walk_object(map: Object, fields: &'static [Field], owner: &str, r: &mut Report) {
    let mut found = [Found::Missing; TRACKED];
    let mut next = 0;
    for (name, value) in map.iter() {
        let Some(i) = field_index(fields, name, next) else {
            r.emit_at(
                name,
                AV005,
                format!(
                    "attribute `{name}` is not supported in {owner} and is ignored by Prime Video"
                ),
            );
            continue;
        };
        next = i + 1;
        let field = &fields[i];
        if field.need != No {
            let empty = is_empty(value);
            if let Some(slot) = found.get_mut(i) {
                *slot = if empty { Found::Empty } else { Found::Filled };
            }
            if empty {
                continue; // reported as missing or empty below
            }
        } else if value.is_null() {
            continue;
        }
        let m = r.mark();
        r.plain_key(field.name);
        walk_value(value, field.kind, field, r);
        r.truncate(m);
    }
    for (i, field) in fields.iter().enumerate() {
        if field.need == No {
            continue;
        }
        let state = match found.get(i) {
            Some(state) => *state,
            None => match map.get(field.name) {
                None => Found::Missing,
                Some(v) if is_empty(v) => Found::Empty,
                Some(_) => Found::Filled,
            },
        };
        let how = match state {
            Found::Filled => continue,
            Found::Empty => "is empty",
            Found::Missing => "is missing",
        };
        if field.need == Warn {
            r.emit_at(
                field.name,
                AV004,
                format!(
                    "{} {how} in {}; the reference requires it (EntryType FullExtract or FullDelete)",
                    field.name, field.owner
                ),
            );
        } else {
            r.emit_at(
                field.name,
                AV002,
                format!("required attribute {} {how} in {}", field.name, field.owner),
            );
        }
    }
}

fn type_error(value: Node, field: &Field, expected: &str, r: &mut Report) {
    r.emit(
        AV003,
        format!(
            "{}/{} must be {expected}, found {}",
            field.owner,
            field.name,
            describe(value)
        ),
    );
}

fn walk_value(value: Node, kind: Kind, field: &Field, r: &mut Report) {
    match (kind, value.view()) {
        (Str(check), View::String(s)) => check_string(s, check, field, r),
        (Str(_), _) => type_error(value, field, "a string", r),
        (Int, View::Number(n)) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => {}
        (Int, _) => type_error(value, field, "a 32-bit integer", r),
        (Decimal, View::Number(_)) => {}
        (Decimal, _) => type_error(value, field, "a number", r),
        (Bool, View::Bool(_)) => {}
        (Bool, _) => type_error(value, field, "a boolean (true or false)", r),
        (Obj(fields), View::Object(map)) => {
            let owner = fields.first().map_or(field.name, |f| f.owner);
            walk_object(map, fields, owner, r);
        }
        (Obj(_), _) => type_error(value, field, "an object", r),
        (Arr(item), View::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                let m = r.mark();
                r.index(i);
                if v.is_null() {
                    type_error(v, field, "a list without null entries", r);
                } else {
                    walk_value(v, *item, field, r);
                }
                r.truncate(m);
            }
        }
        (Arr(_), _) => type_error(value, field, "an array", r),
    }
}

fn enum_error(code: Code, what: &str, s: &str, allowed: &[&str], r: &mut Report) {
    let hint = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(s.trim()))
        .map(|a| format!("; did you mean `{a}`?"))
        .unwrap_or_default();
    r.emit(
        code,
        format!(
            "{what} {} is not allowed (allowed: {}){hint}",
            quote(s),
            enums::list(allowed)
        ),
    );
}

fn check_string(s: &str, check: Check, field: &Field, r: &mut Report) {
    let one_of = |allowed: &[&str]| enums::contains(allowed, s);
    match check {
        C::Any => {}
        C::WorkType if !one_of(enums::WORK_TYPES) => {
            enum_error(AV010, "WorkType", s, enums::WORK_TYPES, r)
        }
        C::LicenseType if !one_of(enums::LICENSE_TYPES) => {
            enum_error(AV011, "LicenseType", s, enums::LICENSE_TYPES, r)
        }
        C::EntryType if !one_of(enums::ENTRY_TYPES) => {
            enum_error(AV012, "EntryType", s, enums::ENTRY_TYPES, r)
        }
        C::FormatProfile if !one_of(enums::FORMAT_PROFILES) => {
            enum_error(AV013, "FormatProfile", s, enums::FORMAT_PROFILES, r)
        }
        C::Ecosystem if !one_of(enums::ECOSYSTEMS) => {
            enum_error(AV014, "_ecosystem", s, enums::ECOSYSTEMS, r)
        }
        C::AssetLanguageAsset if !one_of(enums::ASSET_LANGUAGE_ASSETS) => enum_error(
            AV015,
            "AssetLanguage _asset",
            s,
            enums::ASSET_LANGUAGE_ASSETS,
            r,
        ),
        C::AllowedLanguageAsset if !one_of(enums::ALLOWED_LANGUAGE_ASSETS) => enum_error(
            AV016,
            "AllowedLanguage/HoldbackLanguage _asset",
            s,
            enums::ALLOWED_LANGUAGE_ASSETS,
            r,
        ),
        C::Country if !countries::is_country(s) => r.emit(AV040, country_message(s)),
        C::Language => match languages::verdict(s) {
            languages::Verdict::Valid => {}
            languages::Verdict::Malformed => r.emit(
                AV041,
                format!(
                    "language {} is not a well-formed RFC 5646 tag (expected language[-script][-region][-variant]..., e.g. en-US)",
                    quote(s)
                ),
            ),
            languages::Verdict::Unregistered(why) => r.emit(
                AV041,
                format!("language {} is not a valid RFC 5646 tag: {why}", quote(s)),
            ),
        },
        C::DateTime => match DateTime::parse_explained(s) {
            Ok(_) => {}
            Err(DateTimeError::Form) => r.emit(
                AV042,
                format!(
                    "{} {} is not an ISO 8601 date-time (expected {DATE_TIME_FORM})",
                    field.name,
                    quote(s)
                ),
            ),
            Err(DateTimeError::Impossible(why)) => r.emit(
                AV042,
                format!(
                    "{} {} is not a date: {why}{}",
                    field.name,
                    quote(s),
                    did_you_mean(s, why)
                ),
            ),
        },
        C::Duration if Duration::parse(s).is_none() => r.emit(
            AV043,
            format!(
                "Duration {} is not an ISO 8601 duration (expected e.g. PT48H, P30D)",
                quote(s)
            ),
        ),
        C::Currency if !currencies::is_currency(s) => r.emit(
            AV045,
            match s {
                "XTS" | "XXX" => format!(
                    "_currency {} is ISO 4217's code for {} and cannot price a title (expected e.g. USD, EUR)",
                    quote(s),
                    if s == "XTS" { "testing" } else { "no currency" }
                ),
                _ => format!(
                    "_currency {} is not an ISO 4217 currency code (expected e.g. USD, EUR)",
                    quote(s)
                ),
            },
        ),
        _ => {}
    }
}

/// `; did you mean ...?` with the date-time `s` at the date its impossible
/// date likely meant, its time and offset kept; empty when none is likely.
fn did_you_mean(s: &str, why: ImpossibleDate) -> String {
    match (why.likely_fix(), s.get(10..)) {
        (Some(date), Some(rest)) => format!(
            "; did you mean {}?",
            quote(&format!("{}{rest}", date.iso()))
        ),
        _ => String::new(),
    }
}

/// The AV040 message for `s`, suggesting the upper-case form when it is a code.
pub fn country_message(s: &str) -> String {
    let upper = s.to_ascii_uppercase();
    if countries::is_country(&upper) {
        format!(
            "country {} is not an ISO 3166-1 alpha-2 code as written (did you mean `{upper}`?)",
            quote(s)
        )
    } else {
        format!(
            "country {} is not an assigned ISO 3166-1 alpha-2 code (expected two upper-case letters such as US, FR)",
            quote(s)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(json: &str) -> Vec<(String, String, String)> {
        let doc = avails_model::doc::Doc::from_value(&serde_json::from_str(json).unwrap());
        let mut out = Vec::new();
        walk_object(
            doc.root().as_object().unwrap(),
            SEASON,
            "AvailSeasonMetadata",
            &mut Report::new(&mut out, "/s"),
        );
        out.into_iter()
            .map(|d| (d.code.to_string(), d.pointer().to_string(), d.message))
            .collect()
    }

    #[test]
    fn a_required_attribute_is_told_empty_or_missing_and_an_unknown_one_unsupported() {
        let found = findings(
            r#"{"SeasonContentID":" ","Odd/Name":1,"SeasonNumber":{"Number":2},"SeriesMetadata":null}"#,
        );
        assert_eq!(
            found,
            [
                (
                    "AV005".to_string(),
                    "/s/Odd~1Name".to_string(),
                    "attribute `Odd/Name` is not supported in AvailSeasonMetadata and is ignored by Prime Video".to_string()
                ),
                (
                    "AV002".to_string(),
                    "/s/SeasonContentID".to_string(),
                    "required attribute SeasonContentID is empty in AvailSeasonMetadata".to_string()
                ),
                (
                    "AV002".to_string(),
                    "/s/NumberOfEpisodes".to_string(),
                    "required attribute NumberOfEpisodes is missing in AvailSeasonMetadata".to_string()
                ),
            ]
        );
    }

    #[test]
    fn a_whole_object_gives_no_finding_and_a_wrong_type_is_found_inside_it() {
        let whole = r#"{"SeasonContentID":"S1","SeasonNumber":{"Number":2},"NumberOfEpisodes":10}"#;
        assert!(findings(whole).is_empty());
        let wrong =
            r#"{"SeasonContentID":"S1","SeasonNumber":{"Number":"two"},"NumberOfEpisodes":10}"#;
        let found = findings(wrong);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].0.as_str(), found[0].1.as_str()),
            ("AV003", "/s/SeasonNumber/Number")
        );
    }

    #[test]
    fn members_in_any_order_are_found_as_in_schema_order() {
        // Reversed and shuffled: every member still found, nothing told
        // missing; an empty one told empty, wherever it stands.
        let reversed =
            r#"{"NumberOfEpisodes":10,"SeasonNumber":{"Number":2},"SeasonContentID":"S1"}"#;
        assert!(findings(reversed).is_empty(), "{:?}", findings(reversed));
        let empty_last =
            r#"{"SeasonNumber":{"Number":2},"NumberOfEpisodes":10,"SeasonContentID":""}"#;
        let found = findings(empty_last);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "/s/SeasonContentID");
        assert!(found[0].2.ends_with("is empty in AvailSeasonMetadata"));
    }

    /// Every struct of the schema, from the avail down.
    fn structs(fields: &'static [Field], out: &mut Vec<&'static [Field]>) {
        out.push(fields);
        for field in fields {
            let mut kind = field.kind;
            while let Arr(inner) = kind {
                kind = *inner;
            }
            if let Obj(inner) = kind {
                structs(inner, out);
            }
        }
    }

    #[test]
    fn no_attribute_name_needs_escaping_in_a_pointer() {
        let mut all = Vec::new();
        structs(AVAIL, &mut all);
        for field in all.into_iter().flatten() {
            assert!(!field.name.contains(['~', '/']), "{}", field.name);
        }
    }

    #[test]
    fn each_struct_names_an_attribute_once_and_fits_the_tracked_attributes() {
        let mut all = Vec::new();
        structs(AVAIL, &mut all);
        assert!(all.len() > 10);
        for fields in all {
            // Beyond TRACKED the walk looks attributes up: right, but slower.
            assert!(fields.len() <= TRACKED, "{}", fields[0].owner);
            let mut names: Vec<&str> = fields.iter().map(|f| f.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), fields.len(), "{}", fields[0].owner);
        }
    }

    #[test]
    fn the_transaction_schema_checks_every_modelled_attribute() {
        // The model owns the list of a transaction's attributes: a field it
        // gains without a rule here would go unchecked.
        let mut checked: Vec<&str> = TRANSACTION.iter().map(|f| f.name).collect();
        let mut modelled = avails_model::AvailTrans::FIELDS.to_vec();
        checked.sort_unstable();
        modelled.sort_unstable();
        assert_eq!(checked, modelled);
    }
}
