//! Comparing a sheet payload with a server avail.

use std::collections::{HashMap, HashSet, VecDeque};

use avails_convert::locate::locate;
use avails_convert::Payload;
use avails_mapping::Mapping;
use avails_model::{Avail, AvailTrans};
use serde_json::{Map, Value};

use crate::matching::{channel, match_transactions};
use crate::model::{
    DiffReport, Difference, FieldChange, Side, Subject, TitleDiff, TitleKey, TitleStatus, Window,
};
use crate::values::same_scalar;

/// Arrays whose order carries no meaning: compared as sets.
pub const SET_ARRAYS: &[&str] = &[
    "AssetLanguage",
    "AllowedLanguage",
    "HoldbackLanguage",
    "Territory",
    "BundleAsset",
    "SharedEntitlement",
];

/// A difference found by the value walk, before it is located.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawChange {
    pub pointer: String,
    pub server_pointer: String,
    pub sheet: Option<Value>,
    pub server: Option<Value>,
}

fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Walks two values and records every difference.
pub(crate) fn compare_values(
    key: &str,
    ptr: &str,
    server_ptr: &str,
    sheet: Option<&Value>,
    server: Option<&Value>,
    out: &mut Vec<RawChange>,
) {
    let change = |out: &mut Vec<RawChange>| {
        out.push(RawChange {
            pointer: ptr.to_string(),
            server_pointer: server_ptr.to_string(),
            sheet: sheet.filter(|v| !v.is_null()).cloned(),
            server: server.filter(|v| !v.is_null()).cloned(),
        })
    };
    match (present(sheet), present(server)) {
        (None, None) => {}
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            compare_objects(ptr, server_ptr, a, b, out)
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if key == "Terms" => {
            compare_terms(ptr, server_ptr, a, b, out)
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if SET_ARRAYS.contains(&key) => {
            if !same_set(key, a, b) {
                change(out)
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                compare_values(
                    key,
                    &format!("{ptr}/{i}"),
                    &format!("{server_ptr}/{i}"),
                    a.get(i),
                    b.get(i),
                    out,
                );
            }
        }
        (Some(a), Some(b)) if same_scalar(key, a, b) => {}
        _ => change(out),
    }
}

fn compare_objects(
    ptr: &str,
    server_ptr: &str,
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    out: &mut Vec<RawChange>,
) {
    let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
    for k in keys {
        compare_values(
            k,
            &format!("{ptr}/{}", escape(k)),
            &format!("{server_ptr}/{}", escape(k)),
            a.get(k),
            b.get(k),
            out,
        );
    }
}

/// Whether two values mean the same (no difference under the rules).
pub(crate) fn equivalent(key: &str, a: &Value, b: &Value) -> bool {
    let mut out = Vec::new();
    compare_values(key, "", "", Some(a), Some(b), &mut out);
    out.is_empty()
}

fn same_set(key: &str, a: &[Value], b: &[Value]) -> bool {
    // Items of a set compared as multisets: each item of one side consumes
    // one equivalent item of the other.
    let item_key = format!("{key}[]");
    let mut used = vec![false; b.len()];
    let all_found = a.iter().all(|x| {
        match (0..b.len()).find(|&j| !used[j] && equivalent(&item_key, x, &b[j])) {
            Some(j) => {
                used[j] = true;
                true
            }
            None => false,
        }
    });
    all_found && used.iter().all(|u| *u)
}

fn term_name(t: &Value) -> String {
    t.get("_termName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn compare_terms(ptr: &str, server_ptr: &str, a: &[Value], b: &[Value], out: &mut Vec<RawChange>) {
    let mut used = vec![false; b.len()];
    for (i, x) in a.iter().enumerate() {
        let name = term_name(x);
        let found = (0..b.len()).find(|&j| !used[j] && term_name(&b[j]) == name);
        let p = format!("{ptr}/{i}");
        match found {
            Some(j) => {
                used[j] = true;
                let sp = format!("{server_ptr}/{j}");
                // The name matched case-insensitively: compare the rest.
                let strip = |v: &Value| match v {
                    Value::Object(m) => {
                        let mut m = m.clone();
                        m.remove("_termName");
                        Value::Object(m)
                    }
                    other => other.clone(),
                };
                compare_values("Term", &p, &sp, Some(&strip(x)), Some(&strip(&b[j])), out);
            }
            None => out.push(RawChange {
                pointer: p,
                server_pointer: server_ptr.to_string(),
                sheet: Some(x.clone()),
                server: None,
            }),
        }
    }
    for (j, y) in b.iter().enumerate().filter(|(j, _)| !used[*j]) {
        out.push(RawChange {
            pointer: ptr.to_string(),
            server_pointer: format!("{server_ptr}/{j}"),
            sheet: None,
            server: Some(y.clone()),
        });
    }
}

/// The key a server avail is stored under, from its first transaction.
pub fn server_key(avail: &Avail, mapping: &Mapping) -> Option<TitleKey> {
    let t = avail.transaction.first()?;
    let line = mapping.business_line(t.license_type.as_deref().unwrap_or(""), channel(t))?;
    Some(TitleKey {
        alid: avail.alid.clone(),
        territory: t.country().unwrap_or("").to_string(),
        business_line: line,
    })
}

fn payload_key(p: &Payload) -> TitleKey {
    TitleKey {
        alid: p.alid.clone(),
        territory: p.territory.clone(),
        business_line: p.business_line,
    }
}

/// A readable label of a transaction for reviews.
pub(crate) fn label(t: &AvailTrans) -> String {
    let mut parts = vec![row_label(t)];
    if let Some(s) = &t.start {
        parts.push(format!("from {s}"));
    }
    if let Some(id) = &t.transaction_id {
        parts.push(format!("(AvailID {id})"));
    }
    parts.join(" ")
}

/// The timeline row of a transaction: license type, format, channel.
pub(crate) fn row_label(t: &AvailTrans) -> String {
    let mut parts = vec![t.license_type.clone().unwrap_or_else(|| "?".into())];
    if let Some(f) = &t.format_profile {
        parts.push(f.value.clone());
    }
    if let Some(c) = channel(t) {
        parts.push(c.to_string());
    }
    parts.join(" ")
}

fn subject(t: &AvailTrans) -> Subject {
    Subject::Transaction {
        label: label(t),
        transaction_id: t.transaction_id.clone(),
    }
}

fn windows(side: Side, transactions: &[AvailTrans]) -> Vec<Window> {
    transactions
        .iter()
        .map(|t| Window {
            side,
            row: row_label(t),
            transaction_id: t.transaction_id.clone(),
            start: t.start.clone(),
            end: t.end.clone(),
        })
        .collect()
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Compares one sheet payload with what the server holds for its title.
pub fn diff_title(sheet: &Payload, server: Option<&Avail>, mapping: &Mapping) -> TitleDiff {
    let key = payload_key(sheet);
    let avail = &sheet.request.avail;
    let deletes = sheet.entry_type.eq_ignore_ascii_case("FullDelete");
    let mut windows_all = if deletes {
        Vec::new()
    } else {
        windows(Side::Sheet, &avail.transaction)
    };
    let Some(server) = server else {
        let differences = if deletes {
            Vec::new()
        } else {
            vec![Difference::MissingOnServer {
                subject: Subject::Title,
                pointer: "/avail".into(),
                location: sheet.avail_source.location.clone(),
            }]
        };
        let status = if deletes {
            TitleStatus::Same
        } else {
            TitleStatus::MissingOnServer
        };
        return TitleDiff {
            key,
            status,
            differences,
            windows: windows_all,
        };
    };
    windows_all.extend(windows(Side::Server, &server.transaction));
    if deletes {
        // The sheet deletes the title; the server still has it.
        return TitleDiff {
            key,
            status: TitleStatus::ExtraOnServer,
            differences: vec![Difference::ExtraOnServer {
                subject: Subject::Title,
                server_pointer: "/avail".into(),
            }],
            windows: windows_all,
        };
    }
    let mut differences = Vec::new();
    let locate_change = |c: RawChange| FieldChange {
        location: locate(sheet, mapping, &c.pointer),
        pointer: c.pointer,
        server_pointer: c.server_pointer,
        sheet: c.sheet,
        server: c.server,
    };

    // Avail and asset attributes.
    let mut a = to_value(avail);
    let mut b = to_value(server);
    for v in [&mut a, &mut b] {
        if let Value::Object(m) = v {
            m.remove("Transaction");
        }
    }
    if b.get("Disposition").is_none() {
        // KNOWN_NORMALIZATIONS: disposition-dropped.
        if let Value::Object(m) = &mut a {
            m.remove("Disposition");
        }
    }
    let mut raw = Vec::new();
    compare_values("avail", "/avail", "/avail", Some(&a), Some(&b), &mut raw);
    if !raw.is_empty() {
        differences.push(Difference::Changed {
            subject: Subject::Title,
            changes: raw.into_iter().map(locate_change).collect(),
        });
    }

    // Transactions.
    let m = match_transactions(&avail.transaction, &server.transaction);
    let mut missing: HashSet<usize> = m.sheet_only.iter().copied().collect();
    for i in 0..avail.transaction.len() {
        let ptr = format!("/avail/Transaction/{i}");
        if missing.remove(&i) {
            differences.push(Difference::MissingOnServer {
                subject: subject(&avail.transaction[i]),
                location: locate(sheet, mapping, &ptr),
                pointer: ptr,
            });
            continue;
        }
        let Some(&(_, j)) = m.pairs.iter().find(|(x, _)| *x == i) else {
            continue;
        };
        let mut raw = Vec::new();
        compare_values(
            "Transaction",
            &ptr,
            &format!("/avail/Transaction/{j}"),
            Some(&to_value(&avail.transaction[i])),
            Some(&to_value(&server.transaction[j])),
            &mut raw,
        );
        if !raw.is_empty() {
            differences.push(Difference::Changed {
                subject: subject(&avail.transaction[i]),
                changes: raw.into_iter().map(locate_change).collect(),
            });
        }
    }
    for j in m.server_only {
        differences.push(Difference::ExtraOnServer {
            subject: subject(&server.transaction[j]),
            server_pointer: format!("/avail/Transaction/{j}"),
        });
    }
    let status = if differences.is_empty() {
        TitleStatus::Same
    } else {
        TitleStatus::Changed
    };
    TitleDiff {
        key,
        status,
        differences,
        windows: windows_all,
    }
}

/// Compares every sheet payload with the server's avails: titles are paired
/// by ALID, territory and business line; server avails no payload claims are
/// reported as extra titles.
pub fn diff(sheet: &[Payload], server: &[Avail], mapping: &Mapping) -> DiffReport {
    let server_keys: Vec<Option<TitleKey>> =
        server.iter().map(|a| server_key(a, mapping)).collect();
    let mut by_key: HashMap<&TitleKey, VecDeque<usize>> = HashMap::new();
    for (j, k) in server_keys.iter().enumerate() {
        if let Some(k) = k {
            by_key.entry(k).or_default().push_back(j);
        }
    }
    let mut used = vec![false; server.len()];
    let mut titles = Vec::with_capacity(sheet.len());
    for p in sheet {
        let key = payload_key(p);
        let found = by_key.get_mut(&key).and_then(VecDeque::pop_front);
        if let Some(j) = found {
            used[j] = true;
        }
        titles.push(diff_title(p, found.map(|j| &server[j]), mapping));
    }
    for (j, a) in server.iter().enumerate().filter(|(j, _)| !used[*j]) {
        let key = server_keys[j].clone().unwrap_or_else(|| TitleKey {
            alid: a.alid.clone(),
            territory: a.territory().unwrap_or("").to_string(),
            business_line: avails_model::BusinessLine::Tvod,
        });
        titles.push(TitleDiff {
            key,
            status: TitleStatus::ExtraOnServer,
            differences: vec![Difference::ExtraOnServer {
                subject: Subject::Title,
                server_pointer: "/avail".into(),
            }],
            windows: windows(Side::Server, &a.transaction),
        });
    }
    DiffReport::from_titles(titles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(a: Value, b: Value) -> Vec<RawChange> {
        let mut out = Vec::new();
        compare_values("Transaction", "/t", "/t", Some(&a), Some(&b), &mut out);
        out
    }

    #[test]
    fn languages_and_territory_are_sets() {
        let a = json!({"AssetLanguage": [{"value": "en"}, {"value": "fr", "_asset": "sub"}],
                       "Territory": [{"country": "US"}]});
        let b = json!({"AssetLanguage": [{"_asset": "sub", "value": "fr"}, {"value": "en"}],
                       "Territory": [{"country": "US"}]});
        assert!(changes(a.clone(), b).is_empty());
        let c = json!({"AssetLanguage": [{"value": "en"}, {"value": "en"}],
                       "Territory": [{"country": "US"}]});
        let found = changes(a, c);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "/t/AssetLanguage");
    }

    #[test]
    fn other_arrays_keep_their_order() {
        let a = json!({"TitleInternalAlias": ["a", "b"]});
        let b = json!({"TitleInternalAlias": ["b", "a"]});
        assert_eq!(changes(a, b).len(), 2);
    }

    #[test]
    fn terms_match_by_name_case_insensitively_and_typed_value() {
        let a = json!({"Terms": [
            {"_termName": "WSP", "Money": {"value": 1000, "_currency": "USD"}},
            {"_termName": "WatchDuration", "Duration": "PT48H"},
            {"_termName": "ExclusiveAttributes"}
        ]});
        let b = json!({"Terms": [
            {"_termName": "ExclusiveAttributes"},
            {"_termName": "watchduration", "Duration": "P2D"},
            {"_currency": "x", "_termName": "wsp", "Money": {"_currency": "USD", "value": 1000.0}}
        ]});
        let found = changes(a.clone(), b);
        // Only the unknown attribute on the server's WSP differs.
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/t/Terms/0/_currency");
        assert_eq!(found[0].server_pointer, "/t/Terms/2/_currency");

        let c = json!({"Terms": [
            {"_termName": "WSP", "Money": {"value": 999.0, "_currency": "USD"}},
            {"_termName": "WatchDuration", "Text": "PT48H"}
        ]});
        let found = changes(a, c);
        let pointers: Vec<&str> = found.iter().map(|c| c.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec![
                "/t/Terms/0/Money/value",
                "/t/Terms/1/Duration",
                "/t/Terms/1/Text",
                "/t/Terms/2"
            ]
        );
    }

    #[test]
    fn instants_and_numbers_are_not_differences() {
        let a = json!({"Start": "2023-03-14T09:00:00Z", "End": "2029-01-01T00:00:00",
                       "Terms": [{"_termName": "SRP", "Money": {"value": 15.99}}]});
        let b = json!({"Start": "2023-03-14T10:00:00+01:00", "End": "2029-01-01T00:00:00",
                       "Terms": [{"_termName": "SRP", "Money": {"value": 15.990}}]});
        assert!(changes(a, b).is_empty());
        let a = json!({"End": "2029-01-01T00:00:00"});
        let b = json!({"End": "2029-01-01T00:00:00Z"});
        assert_eq!(changes(a, b).len(), 1);
    }

    #[test]
    fn absent_and_null_are_the_same() {
        let a = json!({"End": null, "ContractID": "x"});
        let b = json!({"ContractID": "x"});
        assert!(changes(a, b).is_empty());
        let found = changes(json!({"End": "2030-01-01T00:00:00Z"}), json!({}));
        assert_eq!(found[0].server, None);
        assert_eq!(found[0].sheet, Some(json!("2030-01-01T00:00:00Z")));
    }

    fn payload(avail: Value, entry_type: &str) -> Payload {
        let request: avails_model::AvailRequest =
            serde_json::from_value(json!({ "avail": avail })).unwrap();
        let loc = avails_model::Location::file("s.xlsx");
        let n = request.avail.transaction.len();
        Payload {
            alid: request.avail.alid.clone(),
            territory: "US".into(),
            business_line: avails_model::BusinessLine::Tvod,
            entry_type: entry_type.into(),
            avail_source: avails_convert::Source::at(loc.clone()),
            transaction_sources: vec![avails_convert::Source::at(loc); n],
            request,
        }
    }

    fn sheet_avail() -> Value {
        json!({
            "ALID": "a1",
            "Disposition": {"EntryType": "FullExtract"},
            "Licensor": {"DisplayName": "L"},
            "Asset": [{"_contentID": "a1", "WorkType": "Movie",
                       "Metadata": {"TitleInternalAlias": ["T"]}}],
            "Transaction": [
                {"LicenseType": "EST", "Territory": [{"country": "US"}],
                 "FormatProfile": {"value": "HD"}, "Start": "2023-03-14T09:00:00Z",
                 "Terms": [{"_termName": "WSP", "Money": {"value": 1000, "_currency": "USD"}},
                           {"_termName": "ExclusiveAttributes"}]},
                {"LicenseType": "EST", "Territory": [{"country": "US"}],
                 "FormatProfile": {"value": "SD"}, "Start": "2023-03-14T09:00:00Z"}
            ]
        })
    }

    fn server(v: Value) -> Avail {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn known_normalizations_are_not_differences() {
        let mapping = Mapping::default_table();
        let sheet = payload(sheet_avail(), "FullExtract");
        // As a GET returns it: no Disposition, keys sorted, transactions and
        // terms reordered, instants in another offset, 1000 as 1000.0.
        let got = server(json!({
            "ALID": "a1",
            "Asset": [{"Metadata": {"TitleInternalAlias": ["T"]}, "WorkType": "Movie",
                       "_contentID": "a1"}],
            "Licensor": {"DisplayName": "L"},
            "Transaction": [
                {"FormatProfile": {"value": "SD"}, "LicenseType": "EST",
                 "Start": "2023-03-14T10:00:00+01:00", "Territory": [{"country": "US"}]},
                {"FormatProfile": {"value": "HD"}, "LicenseType": "EST",
                 "Start": "2023-03-14T09:00:00Z", "Territory": [{"country": "US"}],
                 "Terms": [{"_termName": "ExclusiveAttributes"},
                           {"Money": {"_currency": "USD", "value": 1000.0}, "_termName": "wsp"}]}
            ]
        }));
        let d = diff_title(&sheet, Some(&got), &mapping);
        assert_eq!(d.status, TitleStatus::Same, "{:#?}", d.differences);
        assert_eq!(d.windows.len(), 4);
        // A Disposition the server does return is compared.
        let mut with = got.clone();
        with.disposition = Some(avails_model::Disposition {
            entry_type: "FullDelete".into(),
            ..Default::default()
        });
        let d = diff_title(&sheet, Some(&with), &mapping);
        assert_eq!(d.status, TitleStatus::Changed);
    }

    #[test]
    fn missing_and_extra_titles_and_windows() {
        let mapping = Mapping::default_table();
        let sheet = payload(sheet_avail(), "FullExtract");
        let d = diff_title(&sheet, None, &mapping);
        assert_eq!(d.status, TitleStatus::MissingOnServer);
        assert!(matches!(
            d.differences[0],
            Difference::MissingOnServer {
                subject: Subject::Title,
                ..
            }
        ));

        // The server lacks the SD window and has a UHD one.
        let mut v = sheet_avail();
        v["Transaction"][1]["FormatProfile"]["value"] = json!("UHD");
        let d = diff_title(&sheet, Some(&server(v)), &mapping);
        assert_eq!(d.status, TitleStatus::Changed);
        let kinds: Vec<&str> = d
            .differences
            .iter()
            .map(|x| match x {
                Difference::MissingOnServer { .. } => "missing",
                Difference::ExtraOnServer { .. } => "extra",
                Difference::Changed { .. } => "changed",
            })
            .collect();
        assert_eq!(kinds, vec!["missing", "extra"]);

        // A sheet that deletes a title expects nothing on the server.
        let delete = payload(sheet_avail(), "FullDelete");
        assert_eq!(
            diff_title(&delete, None, &mapping).status,
            TitleStatus::Same
        );
        let still = server(sheet_avail());
        assert_eq!(
            diff_title(&delete, Some(&still), &mapping).status,
            TitleStatus::ExtraOnServer
        );

        // A title only on the server is reported by `diff`.
        let report = diff(&[], &[still], &mapping);
        assert_eq!(report.summary.extra_on_server, 1);
        assert!(report.has_differences());
        assert!(!diff(&[], &[], &mapping).has_differences());
    }
}
