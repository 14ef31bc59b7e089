//! One JSON value back to one EMA cell, per mapping column kind.

use avails_mapping::ColumnKind;
use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::CellValue;

/// Something a conversion could not carry: pointer suffix and reason.
pub(crate) type Lost = (String, String);

/// Text as a cell, with the reason it would not come back unchanged.
pub(crate) fn text_cell(s: &str) -> (CellValue, Option<String>) {
    if s.trim().is_empty() {
        return (
            CellValue::Empty,
            Some("empty text reads as no value".into()),
        );
    }
    let why = if s.trim() != s {
        Some("EMA readers trim text".to_string())
    } else if s.starts_with("//") {
        Some("a cell starting with // is an EMA comment".to_string())
    } else {
        None
    };
    (CellValue::Text(s.to_string()), why)
}

/// A date-time as a date cell when its time is the one its column gives a
/// date alone (`time_if_absent`: the start of the day for Start and Event,
/// the end of the day for End), so reading it back gives it again; else
/// the date-time as written.
pub(crate) fn datetime_cell(s: &str, time_if_absent: &str) -> CellValue {
    if s.len() == 19 && s[10..].strip_prefix('T') == Some(time_if_absent) {
        if let Ok(d) = NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d") {
            return CellValue::Date(d);
        }
    }
    CellValue::Text(s.to_string())
}

/// `PT48H` becomes hours (`48`); other durations stay ISO 8601 text.
pub(crate) fn duration_cell(s: &str) -> CellValue {
    if let Some(hours) = s.strip_prefix("PT").and_then(|h| h.strip_suffix('H')) {
        if let Ok(n) = hours.parse::<f64>() {
            let cell = CellValue::Number(n);
            if n.is_finite() && n >= 0.0 && cell.to_text() == hours {
                return cell;
            }
        }
    }
    CellValue::Text(s.to_string())
}

/// A boolean as EMA writes it.
pub(crate) fn yes_no(b: bool) -> CellValue {
    CellValue::Text(if b { "Yes" } else { "No" }.into())
}

/// Keys of an object other than `allowed`, as lost pointer suffixes.
pub(crate) fn others(obj: &Map<String, Value>, allowed: &[&str], prefix: &str) -> Vec<Lost> {
    obj.keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| {
            (
                format!("{prefix}/{k}"),
                "no EMA column carries this attribute".to_string(),
            )
        })
        .collect()
}

fn not_carried(suffix: impl Into<String>, reason: &str) -> Lost {
    (suffix.into(), reason.to_string())
}

fn string_cell(v: &Value, lost: &mut Vec<Lost>) -> CellValue {
    match v {
        Value::String(s) => {
            let (cell, why) = text_cell(s);
            if let Some(why) = why {
                lost.push(not_carried("", &why));
            }
            cell
        }
        Value::Number(n) => CellValue::Text(n.to_string()),
        Value::Bool(b) => yes_no(*b),
        other => {
            lost.push(not_carried("", "expected text"));
            CellValue::Text(other.to_string())
        }
    }
}

fn number_cell(v: &Value, lost: &mut Vec<Lost>) -> CellValue {
    match v.as_f64() {
        Some(n) => CellValue::Number(n),
        None => string_cell(v, lost),
    }
}

/// The cell for a value of a column kind, and what it could not carry.
pub(crate) fn cell_for(
    kind: ColumnKind,
    value: &Value,
    dates: &avails_mapping::DateRule,
) -> (CellValue, Vec<Lost>) {
    let mut lost = Vec::new();
    let empty = Map::new();
    let cell = match kind {
        ColumnKind::Text => string_cell(value, &mut lost),
        ColumnKind::TextList => match value.as_array() {
            Some(items) => {
                for i in 1..items.len() {
                    lost.push(not_carried(
                        format!("/{i}"),
                        "EMA has one cell for this list",
                    ));
                }
                items
                    .first()
                    .map_or(CellValue::Empty, |v| string_cell(v, &mut lost))
            }
            None => string_cell(value, &mut lost),
        },
        ColumnKind::Integer => number_cell(value, &mut lost),
        ColumnKind::Sequence => {
            let obj = value.as_object().unwrap_or(&empty);
            lost.extend(others(obj, &["Number"], ""));
            obj.get("Number")
                .map_or(CellValue::Empty, |n| number_cell(n, &mut lost))
        }
        ColumnKind::EntryType => match value.as_str() {
            Some("FullExtract") => CellValue::Text("Full Extract".into()),
            Some("FullDelete") => CellValue::Text("Full Delete".into()),
            _ => string_cell(value, &mut lost),
        },
        ColumnKind::Countries => {
            let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
            for i in 1..items.len() {
                lost.push(not_carried(
                    format!("/{i}"),
                    "EMA has one territory per row",
                ));
            }
            match items.first().and_then(Value::as_object) {
                Some(r) => {
                    lost.extend(others(r, &["country"], "/0"));
                    r.get("country")
                        .map_or(CellValue::Empty, |c| string_cell(c, &mut lost))
                }
                None => CellValue::Empty,
            }
        }
        ColumnKind::Languages => {
            let mut tokens = Vec::new();
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                let obj = item.as_object().unwrap_or(&empty);
                lost.extend(others(obj, &["value", "_asset"], &format!("/{i}")));
                let Some(lang) = obj.get("value").and_then(Value::as_str) else {
                    lost.push(not_carried(format!("/{i}"), "a language without a value"));
                    continue;
                };
                let bad = |s: &str| s.is_empty() || s.contains([',', ';', ' ', '\n', ':']);
                match obj.get("_asset").and_then(Value::as_str) {
                    Some(asset) if !bad(lang) && !bad(asset) => {
                        tokens.push(format!("{lang}:{asset}"))
                    }
                    None if !bad(lang) => tokens.push(lang.to_string()),
                    _ => lost.push(not_carried(
                        format!("/{i}"),
                        "a language or asset kind with separators cannot be listed",
                    )),
                }
            }
            if tokens.is_empty() {
                CellValue::Empty
            } else {
                CellValue::Text(tokens.join(", "))
            }
        }
        ColumnKind::Format => {
            let obj = value.as_object().unwrap_or(&empty);
            lost.extend(others(obj, &["value"], ""));
            obj.get("value")
                .map_or(CellValue::Empty, |v| string_cell(v, &mut lost))
        }
        ColumnKind::Start | ColumnKind::End => match value.as_str() {
            Some(s) if kind == ColumnKind::End => datetime_cell(s, &dates.end_of_day),
            Some(s) => datetime_cell(s, &dates.start_of_day),
            None => string_cell(value, &mut lost),
        },
        ColumnKind::Bundle => {
            let mut ids = Vec::new();
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                let obj = item.as_object().unwrap_or(&empty);
                lost.extend(others(obj, &["BundledALID"], &format!("/{i}")));
                match obj.get("BundledALID").and_then(Value::as_str) {
                    Some(id) if !id.contains([';', ',', '\n']) => ids.push(id.trim().to_string()),
                    _ => lost.push(not_carried(format!("/{i}"), "not a listable BundledALID")),
                }
            }
            if ids.is_empty() {
                CellValue::Empty
            } else {
                CellValue::Text(ids.join(";"))
            }
        }
        ColumnKind::Dma => {
            // DMA_ID carries the DMA entitlement; other ecosystems have no column.
            let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
            let is_dma = |v: &Value| v.get("_ecosystem").and_then(Value::as_str) == Some("DMA");
            let dma = items.iter().position(is_dma);
            for (i, item) in items.iter().enumerate() {
                if Some(i) == dma {
                    continue;
                }
                let why = if is_dma(item) {
                    "EMA has one DMA_ID cell"
                } else {
                    "only the DMA ecosystem has an EMA column (DMA_ID); UV_ID is not mapped"
                };
                lost.push(not_carried(format!("/{i}"), why));
            }
            match dma.and_then(|i| items[i].as_object().map(|e| (i, e))) {
                Some((i, e)) => {
                    lost.extend(others(e, &["_ecosystem", "EcosystemID"], &format!("/{i}")));
                    e.get("EcosystemID")
                        .map_or(CellValue::Empty, |v| string_cell(v, &mut lost))
                }
                None => CellValue::Empty,
            }
        }
    };
    (cell, lost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_date_cell_only_where_reading_it_back_gives_the_same_time() {
        let d = NaiveDate::from_ymd_opt(2013, 6, 14).unwrap();
        // Start: a date alone is the start of its day.
        assert_eq!(
            datetime_cell("2013-06-14T00:00:00", "00:00:00"),
            CellValue::Date(d)
        );
        // End: a date alone is the end of its day; midnight must stay written.
        assert_eq!(
            datetime_cell("2013-06-14T23:59:59", "23:59:59"),
            CellValue::Date(d)
        );
        assert_eq!(
            datetime_cell("2013-06-14T00:00:00", "23:59:59"),
            CellValue::Text("2013-06-14T00:00:00".into())
        );
        for s in [
            "2013-06-14T00:00:00Z",
            "2013-06-14T09:00:00",
            "2032-11-22T04:59:59.999Z",
        ] {
            assert_eq!(datetime_cell(s, "00:00:00"), CellValue::Text(s.into()));
        }
    }

    fn dates() -> avails_mapping::DateRule {
        avails_mapping::Mapping::default_table().dates
    }

    #[test]
    fn hours_durations_become_numbers() {
        assert_eq!(duration_cell("PT48H"), CellValue::Number(48.0));
        assert_eq!(duration_cell("PT1.5H"), CellValue::Number(1.5));
        assert_eq!(duration_cell("P30D"), CellValue::Text("P30D".into()));
        assert_eq!(duration_cell("PT048H"), CellValue::Text("PT048H".into()));
    }

    #[test]
    fn languages_use_the_asset_extension() {
        let (cell, lost) = cell_for(
            ColumnKind::Languages,
            &json!([{"value": "en"}, {"value": "fr-CA", "_asset": "subtitle"}]),
            &dates(),
        );
        assert_eq!(cell, CellValue::Text("en, fr-CA:subtitle".into()));
        assert!(lost.is_empty());
    }

    #[test]
    fn a_second_territory_is_reported() {
        let (cell, lost) = cell_for(
            ColumnKind::Countries,
            &json!([{"country": "US"}, {"country": "CA"}]),
            &dates(),
        );
        assert_eq!(cell, CellValue::Text("US".into()));
        assert_eq!(lost[0].0, "/1");
    }
}
