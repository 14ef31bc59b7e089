//! All or nothing per full extract, as a property: for generated sheets of
//! several titles × territories × windows with randomly broken cells (a bad
//! date, a bad or ambiguous number, a title conflicting with the rest of its
//! payload, two territories in one cell, an empty ALID), no payload holds a
//! group that had a rejected row, the payloads are exactly the unbroken
//! groups with every one of their rows, and every row is counted once
//! (read = converted + rejected + heldBack).
//!
//! And (issue 27) for the cells that say where a row goes: a valid sheet
//! with one ALID, Territory, EntryType or LicenseType cell of one row
//! changed to a wrong value (invisible characters, another case, an
//! alpha-3 code or a country's name, a typo) never loses a window that a
//! scope of that title held before: each such scope is either not sent or
//! sent with every window it had.
//!
//! The model of what is broken is the generator's, not the converter's: a
//! group (ALID × territory × business line) is broken when one of its rows
//! has a bad cell, names two territories (it could be in either), or when
//! its rows disagree on the title. A row with an empty ALID could belong to
//! any title: every group of its territory and business line is broken.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use support::ema::*;

const TERRITORIES: &[&str] = &["US", "CA", "GB"];
/// LicenseType and the business line the reference gives it.
const LICENSES: &[(&str, &str)] = &[
    ("EST", "TVOD"),
    ("SVOD", "PRIME_SUBSCRIPTION"),
    ("FVOD", "FVOD"),
];
const FORMATS: &[&str] = &["HD", "SD", "UHD"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Break {
    None,
    BadDate,
    AmbiguousNumber,
    NotANumber,
    ConflictingTitle,
    TwoTerritories,
    EmptyAlid,
}

#[derive(Debug, Clone)]
struct GenRow {
    title: usize,
    territory: usize,
    license: usize,
    format: usize,
    brk: Break,
}

fn breaks(with_empty_alid: bool) -> BoxedStrategy<Break> {
    let mut choices = vec![
        (12, Just(Break::None).boxed()),
        (1, Just(Break::BadDate).boxed()),
        (1, Just(Break::AmbiguousNumber).boxed()),
        (1, Just(Break::NotANumber).boxed()),
        (1, Just(Break::ConflictingTitle).boxed()),
        (1, Just(Break::TwoTerritories).boxed()),
    ];
    if with_empty_alid {
        choices.push((1, Just(Break::EmptyAlid).boxed()));
    }
    prop::strategy::Union::new_weighted(choices).boxed()
}

fn sheets(with_empty_alid: bool) -> impl Strategy<Value = Vec<GenRow>> {
    (1usize..=4, 1usize..=3).prop_flat_map(move |(titles, territories)| {
        prop::collection::vec(
            (
                0..titles,
                0..territories,
                0..LICENSES.len(),
                0..FORMATS.len(),
                breaks(with_empty_alid),
            )
                .prop_map(|(title, territory, license, format, brk)| GenRow {
                    title,
                    territory,
                    license,
                    format,
                    brk,
                }),
            1..=24,
        )
    })
}

fn alid(title: usize) -> String {
    format!("md:alid:org:studio:t{title}")
}

type Group = (String, String, String);

fn group_of(r: &GenRow) -> Group {
    (
        alid(r.title),
        TERRITORIES[r.territory].to_string(),
        LICENSES[r.license].1.to_string(),
    )
}

/// The row as a studio's export writes it, broken as generated.
fn row(i: usize, r: &GenRow) -> Row {
    let mut row = movie(&alid(r.title))
        .with("AvailID", &format!("w{i}"))
        .with("Territory", TERRITORIES[r.territory])
        .with("LicenseType", LICENSES[r.license].0)
        .with("FormatProfile", FORMATS[r.format]);
    row = match r.brk {
        Break::None => row,
        Break::BadDate => row.with("Start", "2024-02-30"),
        Break::AmbiguousNumber => row.with("PriceValue", "1,299"),
        Break::NotANumber => row.with("PriceValue", "9.99 USD"),
        Break::ConflictingTitle => row.with("TitleInternalAlias", "Another title"),
        Break::TwoTerritories => row.with(
            "Territory",
            &format!(
                "{};{}",
                TERRITORIES[r.territory],
                TERRITORIES[(r.territory + 1) % TERRITORIES.len()]
            ),
        ),
        Break::EmptyAlid => row.blank("ALID"),
    };
    row
}

/// What the generator says must happen.
struct Model {
    /// Groups that must not be sent.
    broken: BTreeSet<Group>,
    /// Rows of each group whose cells are good (every row but two-territory
    /// and empty-ALID ones belongs to exactly one group).
    rows: BTreeMap<Group, Vec<usize>>,
    /// Rows rejected for an error of their own.
    rejected: usize,
}

fn model(rows: &[GenRow]) -> Model {
    let mut broken = BTreeSet::new();
    let mut members: BTreeMap<Group, Vec<usize>> = BTreeMap::new();
    let mut rejected = 0;
    for (i, r) in rows.iter().enumerate() {
        match r.brk {
            Break::BadDate | Break::AmbiguousNumber | Break::NotANumber => {
                broken.insert(group_of(r));
                rejected += 1;
            }
            Break::TwoTerritories => {
                let (a, _, line) = group_of(r);
                for t in [r.territory, (r.territory + 1) % TERRITORIES.len()] {
                    broken.insert((a.clone(), TERRITORIES[t].to_string(), line.clone()));
                }
                rejected += 1;
            }
            Break::EmptyAlid => {
                rejected += 1;
            }
            Break::None | Break::ConflictingTitle => {
                members.entry(group_of(r)).or_default().push(i);
            }
        }
    }
    // Title conflicts: the first row merged sets the title, a later row
    // with another one is rejected.
    for (g, idx) in &members {
        let first = idx[0];
        let conflicting = idx
            .iter()
            .filter(|&&i| {
                (rows[i].brk == Break::ConflictingTitle)
                    != (rows[first].brk == Break::ConflictingTitle)
            })
            .count();
        if conflicting > 0 {
            broken.insert(g.clone());
            rejected += conflicting;
        }
    }
    // An empty ALID: any title of its territory and business line.
    for r in rows.iter().filter(|r| r.brk == Break::EmptyAlid) {
        let (_, t, line) = group_of(r);
        for g in members.keys() {
            if g.1 == t && g.2 == line {
                broken.insert(g.clone());
            }
        }
    }
    Model {
        broken,
        rows: members,
        rejected,
    }
}

fn check(rows: &[GenRow]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().with_rows(rows.iter().enumerate().map(|(i, r)| row(i, r)));
    let file = sheet.write_csv(dir.path(), "generated.csv");
    let c = convert_one(&file);
    let m = model(rows);
    let sent: BTreeMap<Group, usize> = c
        .payloads
        .iter()
        .map(|p| {
            (
                (
                    p.alid.clone(),
                    p.territory.clone(),
                    p.business_line.to_string(),
                ),
                p.request.avail.transaction.len(),
            )
        })
        .collect();
    prop_assert_eq!(
        sent.len(),
        c.payloads.len(),
        "one payload per group: {}",
        describe(&c)
    );
    for g in sent.keys() {
        prop_assert!(
            !m.broken.contains(g),
            "payload {:?} holds a group with a rejected row\n{}",
            g,
            describe(&c)
        );
    }
    let unbroken: BTreeMap<Group, usize> = m
        .rows
        .iter()
        .filter(|(g, _)| !m.broken.contains(*g))
        .map(|(g, idx)| (g.clone(), idx.len()))
        .collect();
    prop_assert_eq!(
        &sent,
        &unbroken,
        "payloads are exactly the unbroken groups, whole\n{}",
        describe(&c)
    );
    for h in &c.held_back {
        let g = (
            h.scope.alid.clone(),
            h.scope.territory.clone(),
            h.scope.business_line.to_string(),
        );
        prop_assert!(
            m.broken.contains(&g),
            "held back without cause: {:?}\n{}",
            g,
            describe(&c)
        );
    }
    let r = c.rows;
    prop_assert_eq!(r.read, rows.len());
    prop_assert_eq!(r.read, r.converted + r.rejected + r.held_back, "{:?}", r);
    prop_assert_eq!(r.converted, unbroken.values().sum::<usize>(), "{:?}", r);
    prop_assert_eq!(r.rejected, m.rejected, "{:?}\n{}", r, describe(&c));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_payload_holds_a_group_with_a_rejected_row_and_every_row_counts_once(rows in sheets(false)) {
        check(&rows)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// BUG: a row whose ALID cell is empty is rejected (CV001) but holds back
    /// nothing, so the title it belongs to is sent without that window, which
    /// deletes it on the server.
    #[test]
    fn a_row_without_alid_holds_back_every_group_it_could_be_in(rows in sheets(true)) {
        check(&rows)?;
    }
}

#[test]
fn a_row_without_alid_holds_back_the_groups_of_its_territory_and_business_line() {
    // The smallest case: two windows of one title, the second with its ALID
    // cell emptied. Sending the first alone as a full extract deletes the
    // second on the server.
    let rows = [
        GenRow {
            title: 0,
            territory: 0,
            license: 0,
            format: 0,
            brk: Break::None,
        },
        GenRow {
            title: 0,
            territory: 0,
            license: 0,
            format: 1,
            brk: Break::EmptyAlid,
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let sheet = Sheet::movies().with_rows(rows.iter().enumerate().map(|(i, r)| row(i, r)));
    let c = convert_one(&sheet.write_csv(dir.path(), "no-alid.csv"));
    assert!(c.payloads.is_empty(), "{}", describe(&c));
}

/// Characters a reader of a sheet cannot see, as studios' exports carry them.
const INVISIBLE: &[char] = &[
    '\u{200b}', '\u{a0}', '\u{feff}', '\u{ad}', '\u{200d}', '\u{2060}',
];

/// A wrong value for one scope cell, given the value it replaces.
#[derive(Debug, Clone)]
enum Wrong {
    /// An invisible character inserted at a position (modulo the length).
    Invisible(char, usize),
    /// The value in another case.
    OtherCase,
    /// A value of this list (a country's alpha-3 code or name, a typo).
    Text(&'static str),
}

impl Wrong {
    fn apply(&self, value: &str) -> String {
        match self {
            Wrong::Invisible(c, at) => {
                let chars: Vec<char> = value.chars().collect();
                let at = at % (chars.len() + 1);
                chars[..at].iter().chain([c]).chain(&chars[at..]).collect()
            }
            Wrong::OtherCase => {
                let upper = value.to_uppercase();
                match upper == value {
                    true => value.to_lowercase(),
                    false => upper,
                }
            }
            Wrong::Text(t) => t.to_string(),
        }
    }
}

const KEY_COLUMNS: &[(&str, &[&str])] = &[
    ("ALID", &[]),
    (
        "Territory",
        &["USA", "CAN", "United Kingdom", "XX", "U.S.", "F R"],
    ),
    ("EntryType", &["Fool Extract", "FullExtrakt", "Extract"]),
    ("LicenseType", &["ESTT", "Rent", "S VOD"]),
];

fn wrongs(column: usize) -> BoxedStrategy<Wrong> {
    let texts = KEY_COLUMNS[column].1;
    let invisible = (prop::sample::select(INVISIBLE), 0usize..40)
        .prop_map(|(c, at)| Wrong::Invisible(c, at))
        .boxed();
    let mut choices = vec![(3, invisible), (1, Just(Wrong::OtherCase).boxed())];
    if !texts.is_empty() {
        choices.push((2, prop::sample::select(texts).prop_map(Wrong::Text).boxed()));
    }
    prop::strategy::Union::new_weighted(choices).boxed()
}

/// A generated valid sheet, the row and column changed, and the wrong value.
fn mutated_sheets() -> impl Strategy<Value = (Vec<GenRow>, usize, usize, Wrong)> {
    (sheets(false), 0..KEY_COLUMNS.len()).prop_flat_map(|(rows, column)| {
        let n = rows.len();
        let rows: Vec<GenRow> = rows
            .into_iter()
            .map(|r| GenRow {
                brk: Break::None,
                ..r
            })
            .collect();
        (Just(rows), 0..n, Just(column), wrongs(column))
    })
}

/// Each payload's scope, entry type and windows (canonical JSON).
fn windows_by_scope(c: &avails_convert::Conversion) -> BTreeMap<Group, (String, BTreeSet<String>)> {
    c.payloads
        .iter()
        .map(|p| {
            let windows = p
                .request
                .avail
                .transaction
                .iter()
                .map(|t| {
                    avails_model::canonical::canonical(&serde_json::to_value(t).unwrap())
                        .to_string()
                })
                .collect();
            (
                (
                    p.alid.clone(),
                    p.territory.clone(),
                    p.business_line.to_string(),
                ),
                (p.entry_type.to_string(), windows),
            )
        })
        .collect()
}

/// The text a row's cell holds (empty when blank).
fn text_of(row: &Row, column: &str) -> String {
    row.0
        .iter()
        .find(|(c, _)| c == column)
        .map(|(_, cell)| match cell {
            Cell::Text(s) => s.clone(),
            other => format!("{other:?}"),
        })
        .unwrap_or_default()
}

fn check_one_wrong_scope_cell(
    rows: &[GenRow],
    changed: usize,
    column: usize,
    wrong: &Wrong,
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let valid = Sheet::movies().with_rows(rows.iter().enumerate().map(|(i, r)| row(i, r)));
    let before = convert_one(&valid.write_csv(dir.path(), "valid.csv"));
    prop_assert!(before.held_back.is_empty(), "{}", describe(&before));
    let live = windows_by_scope(&before);

    let (name, _) = KEY_COLUMNS[column];
    let original = row(changed, &rows[changed]);
    let value = wrong.apply(&text_of(&original, name));
    let broken =
        Sheet::movies().with_rows(rows.iter().enumerate().map(|(i, r)| match i == changed {
            true => row(i, r).with(name, &value),
            false => row(i, r),
        }));
    let after = convert_one(&broken.write_csv(dir.path(), "broken.csv"));
    let sent = windows_by_scope(&after);
    let title = alid(rows[changed].title);
    for (scope, (_, windows)) in live.iter().filter(|(s, _)| s.0 == title) {
        if let Some((entry_type, now)) = sent.get(scope) {
            prop_assert_eq!(
                entry_type.as_str(),
                "FullExtract",
                "{:?} = {:?}: scope {:?} is deleted\n{}",
                name,
                &value,
                scope,
                describe(&after)
            );
            prop_assert!(
                now.is_superset(windows),
                "{:?} = {:?}: scope {:?} loses a window\n{}",
                name,
                &value,
                scope,
                describe(&after)
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn one_wrong_scope_cell_never_loses_a_live_window(
        (rows, changed, column, wrong) in mutated_sheets()
    ) {
        check_one_wrong_scope_cell(&rows, changed, column, &wrong)?;
    }
}
