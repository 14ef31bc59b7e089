//! A corpus workbook diffed against itself (as the server returns it) shows
//! nothing; three edits on the server side are reported, located on the sheet.

use std::path::PathBuf;

use avails_convert::{convert_inputs, ConvertOptions, Payload};
use avails_diff::{diff, render_html, render_json, render_text, Difference, Subject, TitleStatus};
use avails_mapping::Mapping;
use avails_model::Avail;

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/movielabs"
    ))
    .join(name)
}

fn payloads(name: &str) -> Vec<Payload> {
    let c = convert_inputs(&[corpus(name)], &ConvertOptions::default(), &mut |_| {});
    assert!(c.unreadable.is_empty(), "{:?}", c.unreadable);
    assert!(!c.payloads.is_empty());
    c.payloads
}

/// What a GET would return: the payload through JSON, without Disposition.
fn as_server(p: &Payload) -> Avail {
    let text = serde_json::to_string(&p.request.avail).unwrap();
    let mut avail: Avail = serde_json::from_str(&text).unwrap();
    avail.disposition = None;
    avail
}

#[test]
fn every_corpus_workbook_equals_itself_on_the_server() {
    let mapping = Mapping::default_table();
    for name in [
        "TV_v1.8.xlsx",
        "TV_v1.7.3.xlsx",
        "Movies_v1.7.2.xlsx",
        "Movies_v1.7.2_Bundle.xlsx",
        "Avails_noErrors_v2.3_v1.8.xlsx",
        "Avails_noErrors_v2.3.xml",
    ] {
        let sheet = payloads(name);
        // The server returns titles in any order; titles the sheet deletes
        // (FullDelete) are gone from it.
        let server: Vec<Avail> = sheet
            .iter()
            .rev()
            .filter(|p| p.entry_type != avails_model::EntryType::FullDelete)
            .map(as_server)
            .collect();
        let report = diff(&sheet, &server, &mapping);
        assert!(
            !report.has_differences(),
            "{name}:\n{}",
            render_text(&report)
        );
        assert_eq!(report.summary.same, sheet.len());
    }
}

#[test]
fn three_edits_are_exactly_the_three_differences() {
    let mapping = Mapping::default_table();
    let sheet = payloads("TV_v1.8.xlsx");
    let mut server: Vec<Avail> = sheet.iter().map(as_server).collect();

    // 1. End a window that is open on the sheet.
    let (ti, wi) = sheet
        .iter()
        .enumerate()
        .find_map(|(i, p)| {
            p.request
                .avail
                .transaction
                .iter()
                .position(|t| t.end.is_none())
                .map(|w| (i, w))
        })
        .expect("an open window");
    server[ti].transaction[wi].end = Some("2020-12-31T00:00:00".into());

    // 2. Change a WSP price (in another title).
    let (pi, pw, pk) = sheet
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != ti)
        .find_map(|(i, p)| {
            p.request
                .avail
                .transaction
                .iter()
                .enumerate()
                .find_map(|(w, t)| {
                    let k = t.terms.as_ref()?.iter().position(|x| x.name == "WSP")?;
                    Some((i, w, k))
                })
        })
        .expect("a WSP price");
    let money = server[pi].transaction[pw].terms.as_mut().unwrap()[pk]
        .money
        .as_mut()
        .unwrap();
    money.value = Some(money.value.unwrap_or(0.0) + 1.0);

    // 3. The server has the first title in one more territory.
    let mut extra = server[0].clone();
    for t in &mut extra.transaction {
        t.territory[0].country = "CA".into();
    }
    server.push(extra);

    let report = diff(&sheet, &server, &mapping);
    assert!(report.has_differences());
    assert_eq!(report.summary.differences, 3, "{}", render_text(&report));
    assert_eq!(report.summary.changed, 2);
    assert_eq!(report.summary.extra_on_server, 1);

    let header = |name: &str| {
        let cols = sheet[ti].transaction_sources[wi].columns.as_ref().unwrap();
        cols[name].clone()
    };
    // The End change points at the End cell of the window's row.
    let t = &report.titles[ti];
    assert_eq!(t.status, TitleStatus::Changed);
    let Difference::Changed { subject, changes } = &t.differences[0] else {
        panic!("{:?}", t.differences)
    };
    assert!(matches!(subject, Subject::Transaction { .. }));
    assert_eq!(changes[0].pointer, format!("/avail/Transaction/{wi}/End"));
    assert_eq!(changes[0].sheet, None);
    assert_eq!(
        changes[0].server,
        Some(serde_json::json!("2020-12-31T00:00:00"))
    );
    let end_cell = &changes[0].location;
    assert_eq!(end_cell.column.as_deref(), Some(header("End").as_str()));
    assert_eq!(end_cell.row, sheet[ti].transaction_sources[wi].location.row);
    assert!(end_cell.to_string().ends_with(&format!(
        "Template-TV!{}{}",
        header("End"),
        end_cell.row.unwrap()
    )));

    // The price change points at the PriceValue cell.
    let t = &report.titles[pi];
    let Difference::Changed { changes, .. } = &t.differences[0] else {
        panic!("{:?}", t.differences)
    };
    assert_eq!(
        changes[0].pointer,
        format!("/avail/Transaction/{pw}/Terms/{pk}/Money/value")
    );
    assert_eq!(
        changes[0].location.column.as_deref(),
        Some(header("PriceValue").as_str())
    );

    // The extra territory is a whole title on the server only.
    let last = report.titles.last().unwrap();
    assert_eq!(last.status, TitleStatus::ExtraOnServer);
    assert_eq!(last.key.territory, "CA");

    // Renderers.
    let text = render_text(&report);
    assert!(
        text.contains("/End: sheet (absent) / server 2020-12-31T00:00:00"),
        "{text}"
    );
    assert!(text.contains("extra on server"));
    let json: serde_json::Value = serde_json::from_str(&render_json(&report).unwrap()).unwrap();
    assert_eq!(json["summary"]["differences"], 3);
    assert_eq!(json["titles"][ti]["differences"][0]["kind"], "changed");
    let html = render_html(&report, "TV_v1.8.xlsx against the server");
    // Set AVAILS_DIFF_HTML=/tmp/diff.html to look at the page in a browser.
    if let Some(path) = std::env::var_os("AVAILS_DIFF_HTML") {
        std::fs::write(path, &html).unwrap();
    }
    let windows: usize = sheet
        .iter()
        .map(|p| p.request.avail.transaction.len())
        .sum();
    assert_eq!(html.matches("class=\"window sheet").count(), windows);
    assert_eq!(
        html.matches("class=\"window server").count(),
        windows + server.last().unwrap().transaction.len()
    );
}
