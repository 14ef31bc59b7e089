//! One rule for both readers: what Prime Video does not process is left
//! out of the payload and reported where it was written (a term it does not
//! know, a shared entitlement of another ecosystem), never passed on in
//! silence nor dropped in silence.

use avails_mapping::Mapping;
use avails_model::{AvailTrans, Diagnostic};
use serde_json::{Map, Value};

use crate::codes::{CV_UNSUPPORTED_ENTITLEMENT, CV_UNSUPPORTED_TERM};
use crate::locate::{line_of, term_location};
use crate::Source;

/// MDDF's per-level wholesale prices that are the API's `WSP` of an avail
/// of that WorkType (MovieLabs' translator writes a season row's WSP as
/// `SeasonWSP`): (term, WorkType).
const LEVEL_WSP: &[(&str, &str)] = &[("SeasonWSP", "Season"), ("EpisodeWSP", "Episode")];

/// What `--explain` says of a header of a sheet: its status in that sheet
/// (a column read in place of one the sheet lacks is mapped there), and a
/// column feeding only terms Prime Video does not process is left out, as
/// [`supported_terms`] leaves out each of its values.
pub(crate) fn explain_column(
    mapping: &Mapping,
    header: &avails_ema::Header,
    raw: &str,
) -> avails_mapping::ColumnStatus {
    mapping.explain_column(
        raw,
        |n| header.column(n).is_some(),
        avails_rules::is_supported_term,
    )
}

/// Removes the terms Prime Video does not process, reporting each.
/// `work_type` is the avail's asset WorkType.
pub(crate) fn supported_terms(
    t: &mut AvailTrans,
    work_type: Option<&str>,
    source: &Source,
    mapping: &Mapping,
    findings: &mut Vec<Diagnostic>,
) {
    let Some(terms) = t.terms.as_mut() else {
        return;
    };
    for term in terms.iter_mut() {
        let of_this_level = LEVEL_WSP.iter().any(|(name, level)| {
            term.name.eq_ignore_ascii_case(name)
                && work_type.is_some_and(|w| w.eq_ignore_ascii_case(level))
        });
        if of_this_level {
            term.name = "WSP".to_string();
        }
    }
    let mut index = 0;
    terms.retain(|term| {
        let i = index;
        index += 1;
        if avails_rules::is_supported_term(&term.name) {
            return true;
        }
        // MDDF's `NA` says no price applies: no term says the same.
        if mapping.price.is_not_applicable(&term.name) {
            return false;
        }
        let finding = match &source.lines {
            Some(_) => Diagnostic::of(
                CV_UNSUPPORTED_TERM,
                line_of(source, &format!("/Terms/{i}")),
                format!(
                    "term `{}` is not one Prime Video processes (see its Supported Terms); it is left out of the payload",
                    term.name
                ),
            ),
            None => unsupported_in_sheet(source, mapping, &term.name),
        };
        findings.push(finding);
        false
    });
    if terms.is_empty() {
        t.terms = None;
    }
}

/// Removes shared entitlements of ecosystems the API does not take (only
/// DMA), reporting each.
pub(crate) fn supported_entitlements(
    avail: &mut Map<String, Value>,
    source: &Source,
    findings: &mut Vec<Diagnostic>,
) {
    let Some(Value::Array(list)) = avail.get_mut("SharedEntitlement") else {
        return;
    };
    let mut index = 0;
    list.retain(|e| {
        let i = index;
        index += 1;
        let ecosystem = e.get("_ecosystem").and_then(Value::as_str).unwrap_or("");
        if avails_model::enums::ECOSYSTEMS.contains(&ecosystem) {
            return true;
        }
        findings.push(Diagnostic::of(
            CV_UNSUPPORTED_ENTITLEMENT,
            line_of(source, &format!("/SharedEntitlement/{i}")),
            format!(
                "a shared entitlement of ecosystem `{ecosystem}`: the API takes only DMA; it is left out"
            ),
        ));
        false
    });
    if list.is_empty() {
        avail.remove("SharedEntitlement");
    }
}

/// CV014 for a sheet's term, at its cell and in the sheet's words: a price
/// at its PriceType cell (`PriceType `TPR-WSP` is not a price Prime Video
/// processes`), another term at its own column's cell.
fn unsupported_in_sheet(source: &Source, mapping: &Mapping, name: &str) -> Diagnostic {
    let at = term_location(source, mapping, name);
    let price = &mapping.price;
    let own = crate::locate::term_column_name(mapping, name).filter(|c| {
        source
            .columns
            .as_ref()
            .is_some_and(|cols| cols.contains_key(*c))
    });
    match own {
        Some(column) if column == price.type_column => {
            let at = source
                .columns
                .as_ref()
                .and_then(|c| c.get(column))
                .map_or(at, |letter| source.location.with_column(letter.clone()));
            Diagnostic::of(
                CV_UNSUPPORTED_TERM,
                at,
                format!(
                    "{column} `{name}` is not a price Prime Video processes (it takes {}); the price is left out of the payload",
                    taken_prices(mapping)
                ),
            )
            .in_column(column)
        }
        Some(column) => {
            let what = match column.eq_ignore_ascii_case(name) {
                true => "a term".to_string(),
                false => format!("term `{name}`"),
            };
            Diagnostic::of(
                CV_UNSUPPORTED_TERM,
                at,
                format!(
                    "{column}: {what} Prime Video does not process (see its Supported Terms); it is left out of the payload"
                ),
            )
            .in_column(column)
        }
        None => Diagnostic::of(
            CV_UNSUPPORTED_TERM,
            at,
            format!(
                "term `{name}` is not one Prime Video processes (see its Supported Terms); it is left out of the payload"
            ),
        ),
    }
}

/// `SRP, WSP`: the PriceTypes whose term Prime Video processes.
fn taken_prices(mapping: &Mapping) -> String {
    let mut taken: Vec<&str> = mapping
        .price
        .types
        .iter()
        .filter(|(_, p)| avails_rules::is_supported_term(&p.term))
        .map(|(k, _)| k.as_str())
        .collect();
    taken.sort_unstable();
    taken.dedup();
    taken.join(", ")
}
