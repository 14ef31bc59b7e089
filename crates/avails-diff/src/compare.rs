//! Comparing a sheet payload with a server avail.

use std::collections::{HashMap, HashSet, VecDeque};

use avails_convert::locate::locate;
use avails_convert::Payload;
use avails_mapping::Mapping;
use avails_model::{Avail, AvailTrans};
use serde_json::Value;

use crate::matching::{channel, match_transactions};
use crate::model::{
    DiffReport, Difference, FieldChange, Side, Subject, TitleDiff, TitleKey, TitleStatus, Window,
};
use crate::walk::{compare_values, RawChange};

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
    let deletes = sheet.entry_type == avails_model::EntryType::FullDelete;
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
    diff_with_refusals(sheet, server, mapping, &[])
}

/// [`diff`], told which sheet payloads local validation refuses:
/// `refusals[i]` holds the reasons `sheet[i]` is refused (empty, or past
/// the end: accepted). A refused title is reported as
/// [`TitleStatus::RefusedLocally`] with its reasons, not as missing on the
/// server: it was never sent. When the server holds the title (an earlier
/// version), its differences follow the reasons.
pub fn diff_with_refusals(
    sheet: &[Payload],
    server: &[Avail],
    mapping: &Mapping,
    refusals: &[Vec<String>],
) -> DiffReport {
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
    for (i, p) in sheet.iter().enumerate() {
        let key = payload_key(p);
        let found = by_key.get_mut(&key).and_then(VecDeque::pop_front);
        if let Some(j) = found {
            used[j] = true;
        }
        let mut title = diff_title(p, found.map(|j| &server[j]), mapping);
        if let Some(reasons) = refusals.get(i).filter(|r| !r.is_empty()) {
            // Not on the server because never sent: the reasons say why.
            title.differences.retain(|d| {
                !matches!(
                    d,
                    Difference::MissingOnServer {
                        subject: Subject::Title,
                        ..
                    }
                )
            });
            title.differences.insert(
                0,
                Difference::RefusedLocally {
                    reasons: reasons.clone(),
                    location: p.avail_source.location.clone(),
                },
            );
            title.status = TitleStatus::RefusedLocally;
        }
        titles.push(title);
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

    fn payload(avail: Value, entry_type: &str) -> Payload {
        let request: avails_model::AvailRequest =
            serde_json::from_value(json!({ "avail": avail })).unwrap();
        let loc = avails_model::Location::file("s.xlsx");
        let n = request.avail.transaction.len();
        Payload {
            alid: request.avail.alid.clone(),
            territory: "US".into(),
            business_line: avails_model::BusinessLine::Tvod,
            entry_type: avails_model::EntryType::from_wire(entry_type),
            avail_source: avails_convert::Source::at(loc.clone()),
            transaction_sources: vec![avails_convert::Source::at(loc); n],
            given: None,
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
            entry_type: avails_model::EntryType::FullDelete,
            ..Default::default()
        });
        let d = diff_title(&sheet, Some(&with), &mapping);
        assert_eq!(d.status, TitleStatus::Changed);
    }

    #[test]
    fn a_refused_title_is_refused_not_missing() {
        let mapping = Mapping::default_table();
        let sheet = payload(sheet_avail(), "FullExtract");
        let reasons = vec!["AV040: Territory `JJ` is not a country".to_string()];
        // Never sent, not on the server: refused, with its reasons.
        let report = diff_with_refusals(
            std::slice::from_ref(&sheet),
            &[],
            &mapping,
            std::slice::from_ref(&reasons),
        );
        assert_eq!(report.titles[0].status, TitleStatus::RefusedLocally);
        assert_eq!(
            report.titles[0].differences,
            vec![Difference::RefusedLocally {
                reasons: reasons.clone(),
                location: sheet.avail_source.location.clone(),
            }]
        );
        assert_eq!(
            (
                report.summary.refused_locally,
                report.summary.missing_on_server
            ),
            (1, 0)
        );
        assert!(report.has_differences());
        let text = crate::render_text(&report);
        assert!(
            text.contains("a1 US TVOD: refused locally, never sent"),
            "{text}"
        );
        assert!(
            text.contains("      AV040: Territory `JJ` is not a country"),
            "{text}"
        );
        assert!(text.contains(", 1 refused locally (never sent);"), "{text}");
        // An earlier version on the server: still refused, its changes follow.
        let mut v = sheet_avail();
        v["Transaction"][1]["FormatProfile"]["value"] = json!("UHD");
        let report = diff_with_refusals(
            std::slice::from_ref(&sheet),
            &[server(v)],
            &mapping,
            &[reasons],
        );
        let t = &report.titles[0];
        assert_eq!(t.status, TitleStatus::RefusedLocally);
        assert!(matches!(
            t.differences[0],
            Difference::RefusedLocally { .. }
        ));
        assert!(t.differences.len() > 1, "{:#?}", t.differences);
        // No reasons: the plain diff.
        let report = diff_with_refusals(std::slice::from_ref(&sheet), &[], &mapping, &[vec![]]);
        assert_eq!(report.titles[0].status, TitleStatus::MissingOnServer);
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
                Difference::RefusedLocally { .. } => "refused",
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
