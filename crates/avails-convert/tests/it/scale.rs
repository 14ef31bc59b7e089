//! Streaming does not change what a sheet says (issue 11): a generated
//! 20,000-row workbook gives the same payloads whether its rows are sorted
//! by title or shuffled, and the same as a slow reference that holds every
//! row before building anything; a shuffled sheet gives every group whole.
//!
//! The reference is written here from the EMA standard (one transaction per
//! row; a date-only Start begins at T00:00:00 and a date-only End ends at
//! T23:59:59, MovieLabs' data dictionary; a group with a rejected row is
//! held back whole), never from what the streaming code prints.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

use avails_convert::Conversion;
use avails_model::canonical::canonical;
use serde_json::{json, Value};
use support::ema::*;

/// Rows in the generated workbook.
const ROWS: usize = 20_000;
/// Territories a title may have, with their currency.
const TERRITORIES: [(&str, &str); 4] = [("US", "USD"), ("CA", "CAD"), ("GB", "GBP"), ("FR", "EUR")];
/// Formats a territory's windows cycle through.
const FORMATS: [&str; 3] = ["SD", "HD", "UHD"];

/// A group: (ALID, territory).
type Key = (String, String);
/// Payloads by group, and the groups held back.
type Outcome = (BTreeMap<Key, Value>, BTreeSet<Key>);

/// A small deterministic generator (SplitMix64): the same sheet every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One generated row and what the standard says it becomes.
struct Generated {
    row: Row,
    /// (ALID, territory): its group (every row here is EST, one business line).
    group: (String, String),
    /// Its transaction, or None when the row is rejected (unreadable Start).
    transaction: Option<Value>,
}

/// A row of title `t` in `territory`, window `w`; every 211th title has a
/// Start no one can read, which holds its group back.
fn generated(t: usize, territory: (&str, &str), w: usize) -> Generated {
    let alid = format!("md:alid:org:studio:t{t:05}");
    let format = FORMATS[w % FORMATS.len()];
    let year = 2020 + (w / FORMATS.len()) as u16;
    // A decimal comma, as a French export writes it, on every fourth title.
    let (price_cell, price) = match t % 4 {
        0 => (format!("{},99", 3 + w), 3.99 + w as f64),
        _ => (format!("{}.49", 5 + t % 7), 5.49 + (t % 7) as f64),
    };
    let broken = t % 211 == 7 && w == 1;
    let start = if broken {
        "the first of May".to_string()
    } else {
        format!("{year}-05-01")
    };
    let row = movie(&alid)
        .with("ContentID", &format!("md:cid:org:studio:t{t:05}"))
        .with("AvailID", &format!("t{t:05}-{}-{w}", territory.0))
        .with("Territory", territory.0)
        .with("FormatProfile", format)
        .with("Start", &start)
        .with("End", &format!("{}-04-30", year + 1))
        .with("PriceValue", &price_cell)
        .with("PriceCurrency", territory.1);
    let transaction = (!broken).then(|| {
        json!({
            "_TransactionID": format!("t{t:05}-{}-{w}", territory.0),
            "LicenseType": "EST",
            "Territory": [{"country": territory.0}],
            "FormatProfile": {"value": format},
            "Start": format!("{year}-05-01T00:00:00"),
            "End": format!("{}-04-30T23:59:59", year + 1),
            "Terms": [{"_termName": "WSP", "Money": {"value": price, "_currency": territory.1}}]
        })
    });
    Generated {
        row,
        group: (alid, territory.0.to_string()),
        transaction,
    }
}

/// About `ROWS` rows sorted by title: 1–3 territories per title, 1–4
/// windows per territory.
fn catalog() -> Vec<Generated> {
    let mut dice = Dice(0x5EED_A7A1);
    let mut rows = Vec::with_capacity(ROWS);
    let mut t = 0;
    while rows.len() < ROWS {
        let first = dice.below(TERRITORIES.len());
        for k in 0..1 + dice.below(3) {
            let territory = TERRITORIES[(first + k) % TERRITORIES.len()];
            for w in 0..1 + dice.below(4) {
                rows.push(generated(t, territory, w));
            }
        }
        t += 1;
    }
    rows.truncate(ROWS);
    rows
}

/// The slow reference: every row held, grouped by (ALID, territory), then
/// each group built as the standard says: a FullExtract of all its rows'
/// transactions, or held back whole when one row is rejected.
fn reference(rows: &[Generated]) -> Outcome {
    let mut groups: BTreeMap<(String, String), Vec<Option<&Value>>> = BTreeMap::new();
    for g in rows {
        groups
            .entry(g.group.clone())
            .or_default()
            .push(g.transaction.as_ref());
    }
    let mut payloads = BTreeMap::new();
    let mut held_back = BTreeSet::new();
    for (key, transactions) in groups {
        if transactions.iter().any(Option::is_none) {
            held_back.insert(key);
            continue;
        }
        let (alid, _) = &key;
        let t = &alid["md:alid:org:studio:".len()..];
        let transactions = transactions.into_iter().flatten().cloned().collect();
        let payload = movie_payload(
            alid,
            &format!("md:cid:org:studio:{t}"),
            &format!("Title of {alid}"),
            transactions,
        );
        payloads.insert(key, normalised(&payload));
    }
    (payloads, held_back)
}

/// A payload in canonical form with its transactions in a fixed order: a
/// full extract's transactions are a set.
fn normalised(payload: &Value) -> Value {
    let mut v = canonical(payload);
    if let Some(Value::Array(ts)) = v.pointer_mut("/avail/Transaction") {
        ts.sort_by_cached_key(|t| t.to_string());
    }
    v
}

/// What a conversion gave, keyed by (ALID, territory); panics when a group
/// gives two payloads (a group split in two would delete windows).
fn given(c: &Conversion) -> Outcome {
    let mut payloads = BTreeMap::new();
    for p in &c.payloads {
        let key = (p.alid.clone(), p.territory.clone());
        let json = normalised(&serde_json::to_value(&p.request).unwrap());
        assert!(
            payloads.insert(key.clone(), json).is_none(),
            "{key:?} gave two payloads"
        );
    }
    let held = c
        .held_back
        .iter()
        .map(|h| (h.scope.alid.clone(), h.scope.territory.clone()))
        .collect();
    (payloads, held)
}

/// Asserts two payload sets are equal, naming the first group that differs.
#[track_caller]
fn assert_same(what: &str, got: &BTreeMap<Key, Value>, want: &BTreeMap<Key, Value>) {
    let missing: Vec<_> = want
        .keys()
        .filter(|k| !got.contains_key(*k))
        .take(3)
        .collect();
    let extra: Vec<_> = got
        .keys()
        .filter(|k| !want.contains_key(*k))
        .take(3)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: groups missing {missing:?}, extra {extra:?}"
    );
    for (key, w) in want {
        assert_eq!(&got[key], w, "{what}: payload of {key:?} differs");
    }
}

fn shuffled(mut rows: Vec<Generated>) -> Vec<Generated> {
    let mut dice = Dice(0xD1CE);
    for i in (1..rows.len()).rev() {
        rows.swap(i, dice.below(i + 1));
    }
    rows
}

fn write(rows: &[Generated], dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let sheet = Sheet::movies().with_rows(rows.iter().map(|g| g.row.clone()));
    sheet.write_xlsx(dir, name, "Movies")
}

#[test]
fn a_sorted_and_a_shuffled_catalog_give_the_reference_payloads_each_group_whole() {
    let dir = tempfile::tempdir().unwrap();
    let sorted = catalog();
    let (want, want_held) = reference(&sorted);
    assert!(want.len() > 3_000, "the catalog has {} groups", want.len());
    assert!(!want_held.is_empty());
    // One window per row that is not rejected, spread over every group.
    let windows: usize = want
        .values()
        .map(|p| p["avail"]["Transaction"].as_array().unwrap().len())
        .sum();

    let in_order = support::convert(&[write(&sorted, dir.path(), "sorted.xlsx")]);
    let (got, held) = given(&in_order);
    assert_same("sorted", &got, &want);
    assert_eq!(held, want_held, "sorted: groups held back");
    assert_eq!(in_order.rows.read, ROWS);
    assert_eq!(in_order.rows.converted, windows);
    assert!(!in_order.read_twice, "a sorted sheet is read once");

    let mixed = shuffled(sorted);
    let out_of_order = support::convert(&[write(&mixed, dir.path(), "shuffled.xlsx")]);
    let (got, held) = given(&out_of_order);
    assert_same("shuffled", &got, &want);
    assert_eq!(held, want_held, "shuffled: groups held back");
    assert!(out_of_order.read_twice, "a shuffled sheet is read again");
    // Every row is accounted for: in a payload, rejected, or held back.
    assert_eq!(out_of_order.rows, in_order.rows, "{:?}", out_of_order.rows);
}

/// A sheet sorted but for one stray row: the first read stops at that row
/// (its group was closed and not kept) and the sheet is read again, keeping
/// closed groups. The stray row's group comes out whole, and what the first
/// read found is not reported twice: each finding once, each row counted
/// once.
#[test]
fn one_stray_row_reads_the_sheet_again_and_reports_each_finding_once() {
    let dir = tempfile::tempdir().unwrap();
    let us = TERRITORIES[0];
    // 800 titles, two windows each, sorted by title; the second window of
    // titles 7, 218, 429 and 640 has an unreadable Start (their groups are
    // held back); title 0's third window comes last, 1,600 rows after its
    // group's others (further than a group stays open without a row).
    let mut rows: Vec<Generated> = (0..800)
        .flat_map(|t| (0..2).map(move |w| generated(t, us, w)))
        .collect();
    rows.push(generated(0, us, 2));
    let (want, want_held) = reference(&rows);
    assert_eq!(want_held.len(), 4);
    let sheet = Sheet::movies().with_rows(rows.iter().map(|g| g.row.clone()));
    let broken_row = sheet.row_number(15);
    let stray = ("md:alid:org:studio:t00000".to_string(), "US".to_string());
    for path in [
        sheet.write_csv(dir.path(), "stray.csv"),
        sheet.write_xlsx(dir.path(), "stray.xlsx", "Movies"),
    ] {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let c = support::convert(std::slice::from_ref(&path));
        assert!(c.read_twice, "{name}: the stray row makes it read again");
        let (got, held) = given(&c);
        assert_same(&name, &got, &want);
        assert_eq!(held, want_held, "{name}: groups held back");
        let windows = got[&stray]["avail"]["Transaction"].as_array().unwrap();
        assert_eq!(windows.len(), 3, "{name}: the stray row's group is whole");
        assert_eq!(c.rows.read, rows.len(), "{name}: rows counted once");
        let found = located(&c);
        let once: BTreeSet<&String> = found.iter().collect();
        assert_eq!(
            once.len(),
            found.len(),
            "{name}: reported twice: {found:#?}"
        );
        let at_start = found
            .iter()
            .filter(|f| f.contains(&format!("{}{broken_row}:", sheet.letter("Start"))))
            // The title it holds back is reported at that cell too (CV013).
            .filter(|f| !f.ends_with("CV013"))
            .count();
        assert_eq!(at_start, 1, "{name}: the unreadable Start once: {found:#?}");
    }
}

/// A sheet sorted by window before title (every title's first window, then
/// every title's second): each group's rows are 300 rows apart, within what
/// a first read keeps open, so it is read once and each group is whole.
#[test]
fn rows_of_a_group_a_few_hundred_rows_apart_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let us = TERRITORIES[0];
    let rows: Vec<Generated> = (0..2)
        .flat_map(|w| (0..300).map(move |t| generated(t, us, w)))
        .collect();
    let (want, want_held) = reference(&rows);
    let sheet = Sheet::movies().with_rows(rows.iter().map(|g| g.row.clone()));
    let c = support::convert(&[sheet.write_csv(dir.path(), "by-window.csv")]);
    assert!(!c.read_twice, "read once");
    let (got, held) = given(&c);
    assert_same("by window", &got, &want);
    assert_eq!(held, want_held);
    assert_eq!(c.rows.read, rows.len());
}

/// The progress bar counts every row the run reads and never counts down:
/// over two inputs, the second's rows follow the first's; when a stray row
/// makes a sheet be read again, the second read's rows follow the first
/// read's (the bar said "rows read", and they were read twice).
#[test]
fn progress_counts_rows_read_over_inputs_and_a_second_read_without_going_back() {
    let dir = tempfile::tempdir().unwrap();
    let us = TERRITORIES[0];
    let titles = |range: std::ops::Range<usize>| -> Vec<Generated> {
        range
            .flat_map(|t| (0..2).map(move |w| generated(t, us, w)))
            .collect()
    };
    let sorted = titles(0..300);
    // Other titles, sorted, then one more window of its first title,
    // 1,800 rows after its others (further than a first read keeps a group
    // open without a row).
    let mut stray = titles(300..1_200);
    stray.push(generated(300, us, 2));
    let write_csv = |rows: &[Generated], name: &str| {
        Sheet::movies()
            .with_rows(rows.iter().map(|g| g.row.clone()))
            .write_csv(dir.path(), name)
    };
    let inputs = [write_csv(&sorted, "a.csv"), write_csv(&stray, "b.csv")];
    let mut seen = Vec::new();
    let c = avails_convert::convert_inputs(
        &inputs,
        &avails_convert::ConvertOptions::default(),
        &mut |n| seen.push(n),
    );
    assert!(c.read_twice, "the stray row makes the run read again");
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "the count went back: {seen:?}"
    );
    // First read: a.csv whole, then b.csv up to its stray row (its last);
    // second read: both again.
    let once = sorted.len() + stray.len();
    assert_eq!(seen.last().copied(), Some(2 * once), "{seen:?}");
    assert_eq!(c.rows.read, once, "rows counted once in the summary");
}
