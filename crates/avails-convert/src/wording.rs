//! Findings said in the sheet's words: a finding about a value that came
//! from a sheet's column names that column, not the schema's path (the
//! path stays in the finding's location and JSON output).

use avails_mapping::Mapping;
use avails_model::diagnostic::codes;
use avails_model::Diagnostic;

use crate::Payload;

/// The message of `d` as a rights team reads it, given the sheet column
/// the value came from (None when it came from no column).
pub(crate) fn in_sheet_words(
    d: &Diagnostic,
    column: Option<&str>,
    payload: &Payload,
    mapping: &Mapping,
) -> String {
    let pointer = d.pointer();
    let missing = d.code == codes::AV002;
    if pointer.ends_with("/Terms") && payload.avail_source.columns.is_some() {
        if let Some(said) = about_terms(d, column, payload, mapping) {
            return said;
        }
    }
    let Some(column) = column else {
        return d.message.clone();
    };
    if missing && pointer.ends_with("/Money/_currency") {
        let priced = priced_term(payload, pointer).unwrap_or_else(|| "the price".to_string());
        return format!(
            "{column} is empty: {priced} needs a currency ({})",
            d.message
        );
    }
    if missing {
        return format!(
            "{column} is empty, and the API requires it here ({})",
            d.message
        );
    }
    if d.message.contains(column) {
        d.message.clone()
    } else {
        format!("{column}: {}", d.message)
    }
}

/// `WSP 7.99`: the term a `/Transaction/i/Terms/k/...` pointer is in, with
/// its amount.
fn priced_term(payload: &Payload, pointer: &str) -> Option<String> {
    let mut parts = pointer
        .split('/')
        .skip_while(|p| *p != "Transaction")
        .skip(1);
    let i: usize = parts.next()?.parse().ok()?;
    let k: usize = parts.nth(1)?.parse().ok()?;
    let term = payload.term(i, k)?;
    Some(match term.money.as_ref().and_then(|m| m.value) {
        Some(amount) => format!("{} {amount}", term.name),
        None => term.name.clone(),
    })
}

/// A finding about a row's terms as a whole (`/Transaction/i/Terms`: a
/// term its LicenseType requires is missing, or it has no term at all),
/// said in the sheet's words: the column where the term would be, or the
/// LicenseType that requires it, what is allowed, and the API's words
/// after, in parentheses.
fn about_terms(
    d: &Diagnostic,
    column: Option<&str>,
    payload: &Payload,
    mapping: &Mapping,
) -> Option<String> {
    let pointer = d.pointer();
    let license = license_type(payload, pointer).unwrap_or("this");
    let price = &mapping.price;
    let Some(term) = crate::locate::term_named(&d.message) else {
        if d.code != codes::AV002 {
            return None;
        }
        let at = column.unwrap_or(price.type_column.as_str());
        let needs = match license {
            "SVOD" | "FVOD" => {
                let channel = crate::locate::term_column_name(mapping, "ChannelIdentity")
                    .unwrap_or("ChannelIdentity");
                format!(
                    "a subscription row needs no price, but its {channel} ({} or your channel's name) and, for SVOD, its RentalDuration and WatchDuration",
                    channels(mapping)
                )
            }
            _ => format!(
                "a price Prime Video takes: a {at} such as WSP or SRP, with its {} and {}",
                price.value_column, price.currency_column
            ),
        };
        return Some(format!(
            "{at}: this {license} row gives no term the API takes ({needs}) ({})",
            d.message
        ));
    };
    if !d.message.contains("is missing") {
        return column.map(|c| format!("{c}: {}", d.message));
    }
    let own = crate::locate::term_column_name(mapping, term);
    let column = column?;
    let said = if own == Some(column) && column == price.type_column {
        format!(
            "{column}: no {term} price on this {license} row; LicenseType {license} requires one (a {column} {term} with its {} and {})",
            price.value_column, price.currency_column
        )
    } else if own == Some(column) {
        let allowed = match term {
            "ChannelIdentity" => {
                format!(" ({column}: {} or your channel's name)", channels(mapping))
            }
            _ => String::new(),
        };
        format!("{column} is empty: LicenseType {license} requires it{allowed}")
    } else {
        match own {
            Some(own) => {
                format!("{column} {license} requires {own}, and the sheet has no {own} column")
            }
            None => format!(
                "{column} {license} requires the term {term}, and no column of the sheet gives it"
            ),
        }
    };
    Some(format!("{said} ({})", d.message))
}

/// `prime, A4K or FVOD`: the channels the mapping knows by name.
fn channels(mapping: &Mapping) -> String {
    let names: Vec<&str> = mapping
        .business_line
        .svod_channels
        .keys()
        .map(String::as_str)
        .collect();
    names.join(", ")
}

/// The LicenseType of the transaction a `/Transaction/i/...` pointer is in.
fn license_type<'p>(payload: &'p Payload, pointer: &str) -> Option<&'p str> {
    let i: usize = pointer
        .split('/')
        .skip_while(|p| *p != "Transaction")
        .nth(1)?
        .parse()
        .ok()?;
    payload
        .request
        .avail
        .transaction
        .get(i)?
        .license_type
        .as_deref()
}
