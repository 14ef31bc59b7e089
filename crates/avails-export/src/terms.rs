//! Terms back to their columns: one column per mapped term, and the
//! PriceType / PriceValue / PriceCurrency triple for one price term.

use avails_mapping::{kind_of, Mapping};
use avails_model::TermValueKind;
use serde_json::{Map, Value};

use crate::rows::RowCells;
use crate::values::{datetime_cell, duration_cell, text_cell, yes_no, Lost};
use crate::CellValue;

const SECTION: &str = "AvailTrans";

/// The cell of a term value of a kind, if the value has that kind's type.
fn value_cell(
    kind: TermValueKind,
    v: &Value,
    start_of_day: &str,
) -> Option<(CellValue, Option<String>)> {
    Some(match kind {
        TermValueKind::Text => text_cell(v.as_str()?),
        TermValueKind::Money => (
            CellValue::Number(v.as_object()?.get("value")?.as_f64()?),
            None,
        ),
        TermValueKind::Event => (datetime_cell(v.as_str()?, start_of_day), None),
        TermValueKind::Boolean => (yes_no(v.as_bool()?), None),
        TermValueKind::Duration => (duration_cell(v.as_str()?), None),
        TermValueKind::Number => (CellValue::Number(v.as_i64()? as f64), None),
    })
}

/// Whether `v` is a value of `kind` a cell can carry.
fn has_value_of(kind: TermValueKind, v: &Value) -> bool {
    // The time of day only decides date cell or text: any will do here.
    value_cell(kind, v, "").is_some()
}

/// A Money object's currency, if it is a string.
fn currency_of(money: Option<&Value>) -> Option<String> {
    money?.get("_currency")?.as_str().map(str::to_string)
}

/// Whether a Money object holds only a currency.
fn currency_only(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.keys().all(|k| k == "_currency") && m.contains_key("_currency"))
}

/// The term fits a term column of this kind: name, that value, nothing else.
fn fits_column(obj: &Map<String, Value>, kind: TermValueKind) -> bool {
    let attr = kind.attribute();
    let Some(v) = obj.get(attr) else { return false };
    if kind == TermValueKind::Money
        && !v
            .as_object()
            .is_some_and(|m| m.keys().all(|k| k == "value" || k == "_currency"))
    {
        return false;
    }
    obj.keys().all(|k| k == "_termName" || k == attr) && has_value_of(kind, v)
}

/// The term fits the price triple with this kind: the value of that kind
/// (or none), and a Money holding only a currency when the kind is not Money.
fn fits_price(obj: &Map<String, Value>, kind: TermValueKind) -> bool {
    let attr = kind.attribute();
    obj.iter().all(|(k, v)| match k.as_str() {
        "_termName" => true,
        "Money" if kind == TermValueKind::Money => {
            currency_only(v) || has_value_of(kind, v) && fits_column(obj, kind)
        }
        "Money" => currency_only(v),
        k if k == attr => has_value_of(kind, v),
        _ => false,
    })
}

/// Currency bookkeeping of a row: one PriceCurrency for every Money term.
#[derive(Default)]
struct Currency {
    value: Option<String>,
    /// Terms that carry no currency but would get the row's back.
    without: Vec<usize>,
}

impl Currency {
    fn offer(&mut self, k: usize, c: Option<String>, lost: &mut Vec<Lost>) {
        match (c, &self.value) {
            (None, _) => self.without.push(k),
            (Some(c), None) => self.value = Some(c),
            (Some(c), Some(v)) if &c == v => {}
            (Some(c), Some(v)) => lost.push((
                format!("/{k}/Money/_currency"),
                format!("one PriceCurrency per row: {v} already, {c} cannot be carried"),
            )),
        }
    }
}

/// Places a transaction's Terms into the row; returns what did not fit
/// (pointer suffixes relative to the Terms array).
pub(crate) fn place(terms: &Value, mapping: &Mapping, row: &mut RowCells) -> Vec<Lost> {
    let mut lost = Vec::new();
    let Some(list) = terms.as_array() else {
        return vec![(String::new(), "Terms is not a list".into())];
    };
    let price = &mapping.price;
    let mut currency = Currency::default();
    let mut price_used = false;
    for (k, term) in list.iter().enumerate() {
        let Some(obj) = term.as_object() else {
            lost.push((format!("/{k}"), "a term that is not an object".into()));
            continue;
        };
        let Some(name) = obj.get("_termName").and_then(Value::as_str) else {
            lost.push((format!("/{k}"), "a term without _termName".into()));
            continue;
        };
        // 1. The term's own column.
        let column_rule = mapping.terms.iter().filter(|r| !r.price).find_map(|r| {
            let kind = kind_of(r.value.as_deref()?)?;
            let column = r.column.as_deref()?;
            (r.name.as_deref() == Some(name) && fits_column(obj, kind) && row.is_free(column))
                .then_some((kind, column))
        });
        if let Some((kind, column)) = column_rule {
            let Some((cell, why)) = obj
                .get(kind.attribute())
                .and_then(|v| value_cell(kind, v, &mapping.dates.start_of_day))
            else {
                continue;
            };
            if let Some(why) = why {
                lost.push((format!("/{k}/{}", kind.attribute()), why));
            }
            if kind == TermValueKind::Money {
                currency.offer(k, currency_of(obj.get("Money")), &mut lost);
            }
            row.set(column, SECTION, cell);
            continue;
        }
        // 2. The price triple.
        let price_type = price
            .types
            .iter()
            .find(|(_, t)| t.term == name)
            .map_or(name, |(key, _)| key.as_str());
        let (term_name, kind) = price.term_for(price_type);
        let free =
            !price_used && row.is_free(&price.type_column) && row.is_free(&price.value_column);
        if free && term_name == name && price_type.trim() == price_type && fits_price(obj, kind) {
            price_used = true;
            row.set(
                &price.type_column,
                SECTION,
                CellValue::Text(price_type.to_string()),
            );
            let value = obj
                .get(kind.attribute())
                .and_then(|v| value_cell(kind, v, &mapping.dates.start_of_day));
            if let Some((cell, why)) = value {
                if let Some(why) = why {
                    lost.push((format!("/{k}/{}", kind.attribute()), why));
                }
                row.set(&price.value_column, SECTION, cell);
            }
            currency.offer(k, currency_of(obj.get("Money")), &mut lost);
            continue;
        }
        lost.push((
            format!("/{k}"),
            format!("no column left for term `{name}` (one price triple per row)"),
        ));
    }
    if let Some(c) = &currency.value {
        for k in currency.without {
            lost.push((
                format!("/{k}"),
                format!("the row's PriceCurrency {c} applies to this term too"),
            ));
        }
        row.set(&price.currency_column, SECTION, CellValue::Text(c.clone()));
    }
    lost
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn placed(terms: Value) -> (RowCells, Vec<Lost>) {
        let mapping = Mapping::default_table();
        let mut row = RowCells::default();
        let lost = place(&terms, &mapping, &mut row);
        (row, lost)
    }

    #[test]
    fn column_terms_and_the_price_triple() {
        let (row, lost) = placed(json!([
            {"_termName": "ChannelIdentity", "Text": "prime"},
            {"_termName": "WSP", "Money": {"value": 7.99, "_currency": "USD"}},
            {"_termName": "WatchDuration", "Duration": "PT48H"},
            {"_termName": "Exclusive", "Boolean": true}
        ]));
        assert!(lost.is_empty(), "{lost:?}");
        assert_eq!(
            row.get("GroupIdentity"),
            Some(&CellValue::Text("prime".into()))
        );
        assert_eq!(row.get("PriceType"), Some(&CellValue::Text("WSP".into())));
        assert_eq!(row.get("PriceValue"), Some(&CellValue::Number(7.99)));
        assert_eq!(
            row.get("PriceCurrency"),
            Some(&CellValue::Text("USD".into()))
        );
        assert_eq!(row.get("WatchDuration"), Some(&CellValue::Number(48.0)));
        assert_eq!(row.get("Exclusive"), Some(&CellValue::Text("Yes".into())));
    }

    #[test]
    fn text_price_with_currency_and_valueless_terms() {
        let (row, lost) = placed(json!([
            {"_termName": "Category", "Text": "LB", "Money": {"_currency": "USD"}}
        ]));
        assert!(lost.is_empty(), "{lost:?}");
        assert_eq!(
            row.get("PriceType"),
            Some(&CellValue::Text("Category".into()))
        );
        assert_eq!(
            row.get("PriceCurrency"),
            Some(&CellValue::Text("USD".into()))
        );
        // A second price-like term has no place.
        let (_, lost) = placed(json!([
            {"_termName": "Tier", "Text": "1"},
            {"_termName": "Category", "Text": "LB"}
        ]));
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].0, "/1");
        // A valueless term rides the price triple.
        let (row, lost) = placed(json!([{"_termName": "ExclusiveAttributes"}]));
        assert!(lost.is_empty());
        assert_eq!(
            row.get("PriceType"),
            Some(&CellValue::Text("ExclusiveAttributes".into()))
        );
    }

    #[test]
    fn conflicting_currencies_are_reported() {
        let (_, lost) = placed(json!([
            {"_termName": "SRP", "Money": {"value": 10, "_currency": "USD"}},
            {"_termName": "WSP", "Money": {"value": 7, "_currency": "EUR"}}
        ]));
        assert_eq!(lost.len(), 1);
        assert!(lost[0].1.contains("EUR"));
    }
}
