//! Findings said in the sheet's words: a finding about a value that came
//! from a sheet's column names that column, not the schema's path (the
//! path stays in the finding's location and JSON output).

use avails_mapping::Mapping;
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
    let missing = d.code == "AV002";
    if missing && pointer.ends_with("/Terms") && payload.avail_source.columns.is_some() {
        let price = &mapping.price;
        return format!(
            "the row has no price terms ({}/{}): {}",
            price.type_column, price.value_column, d.message
        );
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
