//! The cells that say where a row goes (ALID, Territory, EntryType, and the
//! LicenseType and channel that decide the business line), checked before
//! the row is grouped.
//!
//! A full extract replaces every window its scope holds on the server, so
//! a row whose scope cells are wrong must not make a payload of its own
//! while its title's payload goes out without it: such a row cannot be
//! placed, and every payload of its title is held back. Where the meaning
//! is certain (`fr` is the country code `FR`), the cell is read as meant
//! with a warning. The same checks serve EMA rows and MDDF transactions
//! (payload JSON is taken as given).

use avails_mapping::Mapping;
use avails_model::text::{describe_char, first_hidden, quote, without_hidden};
use avails_model::{Diagnostic, EntryType};
use avails_rules::countries;

use crate::codes::{Code, CV_KEY_CASE, CV_UNPLACED};
use crate::locate::{column_location, column_name_of, line_of, term_location};
use crate::Item;

/// The path of each scope cell, as the mapping names its column.
pub(super) const ALID_PATH: &str = "Avail.ALID";
pub(super) const TERRITORY_PATH: &str = "Transaction.Territory";
pub(super) const ENTRY_TYPE_PATH: &str = "Avail.Disposition.EntryType";
pub(super) const LICENSE_TYPE_PATH: &str = "Transaction.LicenseType";
/// The term whose value decides an SVOD row's business line.
const CHANNEL_TERM: &str = "ChannelIdentity";

/// What checking a row's scope cells found.
#[derive(Debug, Default)]
pub(super) struct Placing {
    /// Findings at the scope cells (errors and the warnings of cells read
    /// as meant).
    pub findings: Vec<Diagnostic>,
    /// Why the row cannot be placed, when it cannot.
    pub unplaced: Option<String>,
    /// The channel is wrong, so the business line it gives is not known.
    pub unknown_business_line: bool,
}

impl Placing {
    fn wrong(&mut self, finding: Diagnostic) {
        if self.unplaced.is_none() {
            self.unplaced = Some(finding.message.clone());
        }
        self.findings.push(finding);
    }
}

/// Checks the scope cells of `item`, reading a territory written in lower
/// case as its code (in the key and in the transaction alike), and cleaning
/// the key's ALID of characters a reader cannot see so that the row holds
/// back the title it was meant for.
pub(super) fn check(item: &mut Item, mapping: &Mapping) -> Placing {
    let mut placing = Placing::default();
    alid(item, mapping, &mut placing);
    territories(item, mapping, &mut placing);
    license_type(item, mapping, &mut placing);
    entry_type(item, mapping, &mut placing);
    channel(item, mapping, &mut placing);
    for d in &mut placing.findings {
        d.alid = item.key.alid.clone();
        d.transaction_id = item.transaction.transaction_id.clone();
    }
    placing
}

/// A finding at the cell of a mapped attribute, naming its column.
pub(super) fn at_cell(
    finding: fn(Code, avails_model::Location, String) -> Diagnostic,
    code: Code,
    item: &Item,
    mapping: &Mapping,
    path: &str,
    message: String,
) -> Diagnostic {
    let d = finding(code, column_location(&item.source, mapping, path), message);
    match column_name_of(&item.source, mapping, path) {
        Some(column) => d.in_column(column),
        None => d,
    }
}

/// A finding at the Territory cell, or at the line of the transaction's
/// `index`th country in MDDF.
fn territory_finding(
    finding: fn(Code, avails_model::Location, String) -> Diagnostic,
    code: Code,
    item: &Item,
    mapping: &Mapping,
    index: usize,
    message: String,
) -> Diagnostic {
    match &item.source.lines {
        Some(_) => finding(
            code,
            line_of(&item.source, &format!("/Territory/{index}/country")),
            message,
        ),
        None => at_cell(finding, code, item, mapping, TERRITORY_PATH, message),
    }
}

/// What happens to the title, said once in every finding that unplaces a row.
fn consequence(item: &Item) -> String {
    match &item.key.alid {
        Some(alid) => format!(
            "The row cannot be placed, so every payload of ALID {} is held back",
            quote(alid)
        ),
        None => {
            "The row cannot be placed, so every payload it could belong to is held back".to_string()
        }
    }
}

fn alid(item: &mut Item, mapping: &Mapping, placing: &mut Placing) {
    let Some(alid) = item.key.alid.clone() else {
        return;
    };
    let Some((position, c)) = first_hidden(&alid) else {
        return;
    };
    let seen = without_hidden(&alid);
    item.key.alid = (!seen.is_empty()).then(|| seen.clone());
    let message = format!(
        "ALID {} holds {} at character {position}, which a reader cannot see: it would be another title than {}; remove it. {}",
        quote(&alid),
        describe_char(c),
        quote(&seen),
        consequence(item),
    );
    placing.wrong(at_cell(
        Diagnostic::of,
        CV_UNPLACED,
        item,
        mapping,
        ALID_PATH,
        message,
    ));
}

fn territories(item: &mut Item, mapping: &Mapping, placing: &mut Placing) {
    if item
        .key
        .territories
        .iter()
        .all(|t| countries::is_country(t))
    {
        return;
    }
    let mut unknown = false;
    for (index, written) in item.key.territories.clone().into_iter().enumerate() {
        if countries::is_country(&written) {
            continue;
        }
        let suggestion = countries::suggest(&written);
        match suggestion {
            // `fr`: the code, in another case; its meaning is certain.
            Some(code) if written.eq_ignore_ascii_case(code) => {
                for t in item.key.territories.iter_mut().filter(|t| **t == written) {
                    *t = code.to_string();
                }
                for region in item
                    .transaction
                    .territory
                    .iter_mut()
                    .filter(|r| r.country == written)
                {
                    region.country = code.to_string();
                }
                let message = format!(
                    "Territory {} is read as {} (ISO 3166-1 codes are written in capitals); write `{code}`",
                    quote(&written),
                    quote(code)
                );
                placing.findings.push(territory_finding(
                    Diagnostic::of,
                    CV_KEY_CASE,
                    item,
                    mapping,
                    index,
                    message,
                ));
            }
            _ => {
                unknown = true;
                let hint = match (first_hidden(&written), suggestion) {
                    (Some((_, c)), Some(code)) => format!(
                        "it holds {}, which a reader cannot see; write `{code}`",
                        describe_char(c)
                    ),
                    (Some((_, c)), None) => {
                        format!("it holds {}, which a reader cannot see", describe_char(c))
                    }
                    (None, Some(code)) => format!("did you mean `{code}`?"),
                    (None, None) => "expected two capital letters such as US, FR, DE".to_string(),
                };
                let message = format!(
                    "Territory {} is not an ISO 3166-1 alpha-2 country code ({hint}). {}",
                    quote(&written),
                    consequence(item)
                );
                placing.wrong(territory_finding(
                    Diagnostic::of,
                    CV_UNPLACED,
                    item,
                    mapping,
                    index,
                    message,
                ));
            }
        }
    }
    if unknown {
        // Which of the title's territories the row is for is unknown.
        item.key.territories.clear();
    }
}

fn entry_type(item: &mut Item, mapping: &Mapping, placing: &mut Placing) {
    let Some(EntryType::Other(written)) = &item.key.entry_type else {
        return;
    };
    let hint = match first_hidden(written) {
        Some((_, c)) => format!(
            " (it holds {}, which a reader cannot see)",
            describe_char(c)
        ),
        None => String::new(),
    };
    let message = format!(
        "EntryType {} is not one of `Full Extract`, `Full Delete`{hint}; it decides whether the title's windows are replaced or deleted. {}",
        quote(written),
        consequence(item)
    );
    item.key.entry_type = None;
    placing.wrong(at_cell(
        Diagnostic::of,
        CV_UNPLACED,
        item,
        mapping,
        ENTRY_TYPE_PATH,
        message,
    ));
}

/// A LicenseType the business-line rule knows in another case (`est`) is
/// read as the rule writes it; one it does not know is reported when the
/// row is grouped (it has no business line).
fn license_type(item: &mut Item, mapping: &Mapping, placing: &mut Placing) {
    let Some(written) = item.key.license_type.clone() else {
        return;
    };
    let Some(spelling) = mapping.license_type_spelling(&written) else {
        return;
    };
    if spelling == written {
        return;
    }
    let spelling = spelling.to_string();
    item.key.license_type = Some(spelling.clone());
    if item.transaction.license_type.as_deref() == Some(written.as_str()) {
        item.transaction.license_type = Some(spelling.clone());
    }
    let message = format!(
        "LicenseType {} is read as {}; write `{spelling}`",
        quote(&written),
        quote(&spelling)
    );
    placing.findings.push(at_cell(
        Diagnostic::of,
        CV_KEY_CASE,
        item,
        mapping,
        LICENSE_TYPE_PATH,
        message,
    ));
}

fn channel(item: &mut Item, mapping: &Mapping, placing: &mut Placing) {
    let Some(channel) = &item.key.channel else {
        return;
    };
    let Some((_, c)) = first_hidden(channel) else {
        return;
    };
    let message = format!(
        "the channel {} holds {}, which a reader cannot see: it decides the business line (prime, A4K, FVOD or your channel's name); remove it. {}",
        quote(channel),
        describe_char(c),
        consequence(item)
    );
    let at = match &item.source.columns {
        Some(_) => term_location(&item.source, mapping, CHANNEL_TERM),
        None => column_location(&item.source, mapping, "Transaction.Terms"),
    };
    let column = mapping
        .terms
        .iter()
        .find(|t| t.name.as_deref() == Some(CHANNEL_TERM))
        .and_then(|t| t.column.clone());
    placing.unknown_business_line = true;
    let finding = Diagnostic::of(CV_UNPLACED, at, message);
    placing.wrong(match column {
        Some(column) if item.source.columns.is_some() => finding.in_column(column),
        _ => finding,
    });
}
