//! MovieLabs' own translator output (`tests/data/movielabs-twins`): its
//! conditions, channels and comma lists reach the caller with their meaning.

use std::path::PathBuf;

use avails_mddf::{read_avails, ParsedAvail};
use serde_json::{json, Value};

fn twins_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/movielabs-twins")
}

fn twin(name: &str) -> (String, Vec<ParsedAvail>) {
    let path = twins_dir().join(name);
    let xml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let avails = read_avails(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
    (xml, avails)
}

const TWINS: [&str; 4] = [
    "Movies_v1.7.2.xml",
    "Movies_v1.7.2_Bundle.xml",
    "TV_v1.7.3.xml",
    "TV_v1.8.xml",
];

fn by_alid<'a>(avails: &'a [ParsedAvail], alid: &str) -> &'a ParsedAvail {
    avails
        .iter()
        .find(|a| a.payload["avail"]["ALID"] == alid)
        .unwrap_or_else(|| panic!("no avail {alid}"))
}

#[test]
fn every_twin_reads_with_one_conditions_record_per_transaction_and_located_values() {
    for name in TWINS {
        let (xml, avails) = twin(name);
        let lines: Vec<String> = xml.lines().map(|l| l.replace([' ', '\t'], "")).collect();
        for a in &avails {
            assert!(a.invalid.is_empty(), "{name}: {:?}", a.invalid);
            assert_eq!(a.conditions.len(), a.transaction_lines.len(), "{name}");
            for (pointer, line) in &a.pointer_lines {
                let expected = match a.payload.pointer(pointer) {
                    Some(Value::String(s)) => s.split(' ').next().unwrap().to_string(),
                    Some(Value::Number(n)) if n.is_i64() => n.to_string(),
                    Some(_) => continue,
                    None => panic!("{name}: {pointer} recorded but not in the payload"),
                };
                let text = &lines[*line as usize - 1];
                assert!(
                    text.contains(&expected),
                    "{name}:{line} {pointer} = {expected}: {text}"
                );
            }
        }
    }
}

#[test]
fn the_pre_order_end_est_start_is_handed_over_not_opened() {
    let (xml, avails) = twin("Movies_v1.7.2.xml");
    let a = by_alid(&avails, "FIRSTDANCE_2012");
    let ends: Vec<(usize, &str, u32)> = a
        .conditions
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.end.as_ref().map(|e| (i, e.value.as_str(), e.line)))
        .collect();
    assert_eq!(ends, [(0, "ESTStart", 230), (1, "ESTStart", 247)]);
    for (i, _, line) in ends {
        let t = &a.payload["avail"]["Transaction"][i];
        assert_eq!(t["LicenseType"], "POEST");
        assert!(t.get("End").is_none());
        assert!(xml
            .lines()
            .nth(line as usize - 1)
            .unwrap()
            .contains("ESTStart"));
    }
    // Nothing else in the twins is conditional; every other end is Open or a date.
    for name in TWINS {
        let (_, avails) = twin(name);
        let conditional: usize = avails
            .iter()
            .map(|a| a.conditions.iter().filter(|c| !c.is_empty()).count())
            .sum();
        let expected = if name == "Movies_v1.7.2.xml" { 2 } else { 0 };
        assert_eq!(conditional, expected, "{name}");
    }
}

#[test]
fn the_episodes_channel_is_on_every_transaction() {
    let (_, avails) = twin("TV_v1.7.3.xml");
    let a = by_alid(&avails, "rs_detectives_103");
    let transactions = a.payload["avail"]["Transaction"].as_array().unwrap();
    assert_eq!(transactions.len(), 2);
    for t in transactions {
        assert_eq!(t["LicenseType"], "SVOD");
        assert_eq!(
            t["Terms"],
            json!([
                {"_termName": "TitleStatus", "Text": "Approved"},
                {"_termName": "ChannelIdentity", "Text": "Mlab Channel"}
            ])
        );
    }
    assert_eq!(a.pointer_lines["/avail/Transaction/0/Terms/1"], 134);
    assert!(!a.ignored.iter().any(|i| i.path.contains("GroupingEntity")));
    // Every episode of that twin names the channel; the season does not.
    let with_channel: Vec<&str> = avails
        .iter()
        .filter(|a| {
            a.payload["avail"]["Transaction"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| {
                    t["Terms"]
                        .as_array()
                        .is_some_and(|ts| ts.iter().any(|t| t["_termName"] == "ChannelIdentity"))
                })
        })
        .map(|a| a.payload["avail"]["ALID"].as_str().unwrap())
        .collect();
    assert_eq!(
        with_channel,
        [
            "rs_detectives_103",
            "rs_detectives_102",
            "rs_detectives_101"
        ]
    );
}

#[test]
fn the_language_list_becomes_three_languages() {
    let (_, avails) = twin("TV_v1.7.3.xml");
    let a = by_alid(&avails, "rs_detectives_103");
    assert_eq!(
        a.payload["avail"]["Transaction"][0]["AssetLanguage"],
        json!([{"value": "EN"}, {"value": "FR"}, {"value": "ES"}])
    );
    assert_eq!(
        a.pointer_lines["/avail/Transaction/0/AssetLanguage/2/value"],
        204
    );
}
