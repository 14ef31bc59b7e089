//! The MovieLabs MDDF files of the shared corpus: every one reads, every
//! payload is an `AvailRequest`, and values and lines match the XML text.

use std::path::PathBuf;

use avails_mddf::{read_avails, xml_to_json, ParsedAvail};
use serde_json::Value;

/// The MovieLabs corpus, copied into the repository (`tests/data/movielabs`).
fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/movielabs")
}

fn corpus(name: &str) -> String {
    let path = corpus_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn xml_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus folder")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    names
}

fn at<'a>(avail: &'a ParsedAvail, pointer: &str) -> &'a Value {
    avail
        .payload
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in {}", avail.payload))
}

#[test]
fn every_xml_file_reads_and_every_payload_is_an_avail_request() {
    let files = xml_files();
    assert!(files.len() >= 4, "corpus XML files: {files:?}");
    for name in files {
        let xml = corpus(&name);
        xml_to_json(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        let avails = read_avails(&xml).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!avails.is_empty(), "{name}: no avail");
        for avail in &avails {
            let request = avail
                .request()
                .unwrap_or_else(|e| panic!("{name} line {}: {e}", avail.line));
            // Nothing fell into the model's catch-all maps: every property
            // written is one the API schema has.
            assert!(request.extra.is_empty() && request.avail.extra.is_empty());
            assert_eq!(
                serde_json::to_value(&request).unwrap(),
                avail.payload,
                "{name}"
            );
            assert!(avail.invalid.is_empty(), "{name}: {:?}", avail.invalid);
            let transactions = at(avail, "/avail/Transaction").as_array().unwrap();
            assert_eq!(transactions.len(), avail.transaction_lines.len());
        }
    }
}

#[test]
fn no_errors_file_has_12_avails_and_24_transactions() {
    let avails = read_avails(&corpus("Avails_noErrors_v2.3.xml")).unwrap();
    assert_eq!(avails.len(), 12);
    let transactions: usize = avails.iter().map(|a| a.transaction_lines.len()).sum();
    assert_eq!(transactions, 24);
    assert_eq!(
        corpus("Avails_noErrors_v2.3.xml")
            .matches("<avails:Transaction ")
            .count(),
        24
    );
}

/// Every string or integer the payload holds is written on the XML line its
/// pointer names (spaces aside: `Full Extract` became `FullExtract`).
#[test]
fn pointer_lines_name_the_line_holding_the_value() {
    for name in xml_files() {
        let xml = corpus(&name);
        let lines: Vec<String> = xml.lines().map(|l| l.replace([' ', '\t'], "")).collect();
        for avail in read_avails(&xml).unwrap() {
            assert!(lines[avail.line as usize - 1].contains("Avail>"));
            for (k, line) in avail.transaction_lines.iter().enumerate() {
                assert!(lines[*line as usize - 1].contains("<avails:Transaction"));
                assert_eq!(
                    avail.pointer_lines[&format!("/avail/Transaction/{k}")],
                    *line
                );
            }
            for (pointer, line) in &avail.pointer_lines {
                let text = &lines[*line as usize - 1];
                let expected = match at(&avail, pointer) {
                    Value::String(s) => s.split(' ').next().unwrap().to_string(),
                    Value::Number(n) if n.is_i64() => n.to_string(),
                    _ => continue,
                };
                assert!(
                    text.contains(&expected),
                    "{name}:{line} {pointer} = {expected}: {text}"
                );
            }
        }
    }
}

#[test]
fn spot_check_movie_values_against_the_xml() {
    let xml = corpus("Avails_noErrors_v2.3.xml");
    let avails = read_avails(&xml).unwrap();
    let first = &avails[0];
    assert_eq!(
        at(first, "/avail/ALID"),
        "md:pseudoalid:wprid.fox.com:001143"
    );
    assert_eq!(at(first, "/avail/Disposition/EntryType"), "FullExtract");
    assert_eq!(at(first, "/avail/Licensor/DisplayName"), "20th Century Fox");
    assert_eq!(
        at(first, "/avail/Asset/0/_contentID"),
        "md:cid:eidr-s:8FF3-1C20-84F5-F247-8BCD-E"
    );
    assert_eq!(
        at(first, "/avail/Asset/0/Metadata/TitleInternalAlias/0"),
        "Bravados, The"
    );
    assert_eq!(at(first, "/avail/Transaction/1/_TransactionID"), "1432642");
    assert_eq!(at(first, "/avail/Transaction/1/Territory/0/country"), "US");
    assert_eq!(at(first, "/avail/Transaction/1/FormatProfile/value"), "SD");
    assert_eq!(
        at(first, "/avail/Transaction/0/AssetLanguage/0/value"),
        "EN"
    );
    assert_eq!(
        at(first, "/avail/Transaction/0/AllowedLanguage")
            .as_array()
            .unwrap()
            .len(),
        6
    );
    let srp = at(first, "/avail/Transaction/0/Terms/0");
    assert_eq!(srp["_termName"], "SRP");
    assert_eq!(srp["Money"]["_currency"], "XTS");
    assert_eq!(srp["Money"]["value"].as_f64(), Some(1000.0));
    // EndCondition Open: no End.
    assert!(first.payload.pointer("/avail/Transaction/0/End").is_none());
    assert_eq!(at(first, "/avail/SharedEntitlement/1/_ecosystem"), "DMA");
    assert_eq!(
        at(first, "/avail/SharedEntitlement/1/EcosystemID"),
        "10.5240/77C5-ED35-8FC2-7D9D-9531-1"
    );

    // Territory line of the second transaction: `<md:country>US</md:country>` on line 67.
    let line = first.pointer_lines["/avail/Transaction/1/Territory/0/country"];
    assert_eq!(line, 67);
    assert_eq!(
        xml.lines().nth(66).unwrap().trim(),
        "<md:country>US</md:country>"
    );

    // Money without currency, and a Text term.
    let second = &avails[1];
    assert_eq!(
        at(second, "/avail/Transaction/0/Terms/0/Money/value").as_f64(),
        Some(999.99)
    );
    assert!(second
        .payload
        .pointer("/avail/Transaction/0/Terms/0/Money/_currency")
        .is_none());
    assert_eq!(at(second, "/avail/Transaction/1/Terms/0/Text"), "NR");

    // Events stay text; End is kept when given.
    let third = &avails[2];
    assert_eq!(
        at(third, "/avail/Transaction/0/Terms/1/_termName"),
        "SuppressionLiftDate"
    );
    assert_eq!(
        at(third, "/avail/Transaction/0/Terms/1/Event"),
        "2015-04-06"
    );
    assert_eq!(at(third, "/avail/Transaction/0/End"), "2017-12-11T23:59:59");
    assert_eq!(at(third, "/avail/Transaction/0/ContractID"), "16623");
}

#[test]
fn what_the_api_does_not_have_is_listed_as_ignored() {
    let xml = corpus("Avails_noErrors_v2.3.xml");
    let first = &read_avails(&xml).unwrap()[0];
    let ignored: Vec<(&str, u32)> = first
        .ignored
        .iter()
        .map(|i| (i.path.as_str(), i.line))
        .collect();
    for (path, line) in [
        ("/avail/ServiceProvider", 18),
        ("/avail/AvailType", 19),
        ("/avail/ShortDescription", 20),
        ("/avail/Asset/0/Metadata/TitleDisplayUnlimited", 25),
        ("/avail/Asset/0/Metadata/AltIdentifier", 29),
        ("/avail/Asset/0/Metadata/ReleaseDate", 33),
        ("/avail/Asset/0/Metadata/RunLength", 34),
        ("/avail/Transaction/0/ReportingID", 59),
    ] {
        assert!(
            ignored.contains(&(path, line)),
            "{path} at {line} not in {ignored:?}"
        );
        assert!(first.payload.pointer(path).is_none());
    }
    // Line order, and the Open EndCondition is not reported: it was understood.
    assert!(first.ignored.windows(2).all(|w| w[0].line <= w[1].line));
    assert!(!first
        .ignored
        .iter()
        .any(|i| i.path.ends_with("EndCondition")));
}

#[test]
fn collection_lists_its_bundled_titles() {
    let avails = read_avails(&corpus("Avails_noErrors_v2.3.xml")).unwrap();
    let collection = avails
        .iter()
        .find(|a| at(a, "/avail/Asset/0/WorkType") == "Collection")
        .expect("a collection");
    assert_eq!(at(collection, "/avail/ALID"), "596509");
    let bundled: Vec<&str> = at(collection, "/avail/Asset/0/BundleAsset")
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["BundledALID"].as_str().unwrap())
        .collect();
    assert_eq!(
        bundled,
        ["33483_OV", "33600_OV", "33601_OV", "33602_OV", "33603_OV"]
    );
    // The title was wrapped over two lines in the XML.
    assert_eq!(
        at(collection, "/avail/Asset/0/Metadata/TitleInternalAlias/0"),
        "Star Wars: The Digital Movie Collection (5)"
    );
}

#[test]
fn episodes_and_seasons_take_the_api_shape() {
    let avails = read_avails(&corpus("Avails_noErrors_v2.3.xml")).unwrap();
    let episode = avails
        .iter()
        .find(|a| at(a, "/avail/ALID") == "md:alid:disney.com:jake-s01e02")
        .unwrap();
    let meta = at(episode, "/avail/Asset/0/EpisodeMetadata");
    assert_eq!(
        meta["TitleInternalAlias"][0],
        "Hats Off to Hook! / Escape From Belch"
    );
    assert_eq!(meta["EpisodeNumber"]["Number"], 2);
    assert_eq!(
        meta["SeasonMetadata"]["SeasonContentID"],
        "md:cid:disney.com:jake-s01"
    );
    assert_eq!(meta["SeasonMetadata"]["SeasonNumber"]["Number"], 1);
    // MDDF nests the series in the season; the API's episode has it beside.
    assert!(meta["SeasonMetadata"].get("SeriesMetadata").is_none());
    assert_eq!(
        meta["SeriesMetadata"]["SeriesContentID"],
        "md:cid:disney.com:jake"
    );
    assert_eq!(
        meta["SeriesMetadata"]["SeriesTitleInternalAlias"][0],
        "Jake and the Neverland Pirates"
    );
    let series_line =
        episode.pointer_lines["/avail/Asset/0/EpisodeMetadata/SeriesMetadata/SeriesContentID"];
    let xml = corpus("Avails_noErrors_v2.3.xml");
    assert!(xml
        .lines()
        .nth(series_line as usize - 1)
        .unwrap()
        .contains("<avails:SeriesContentID>"));

    let season = avails
        .iter()
        .find(|a| at(a, "/avail/Asset/0/WorkType") == "Season")
        .unwrap();
    let meta = at(season, "/avail/Asset/0/SeasonMetadata");
    assert_eq!(meta["SeasonNumber"]["Number"], 1);
    assert_eq!(
        meta["SeriesMetadata"]["SeriesContentID"],
        "md:cid:disney.com:jake"
    );
    assert_eq!(at(season, "/avail/Transaction/0/LicenseType"), "SVOD");
}

#[test]
fn deliberate_errors_are_carried_through_for_the_validator() {
    let avails = read_avails(&corpus("Avails_withErrors.xml")).unwrap();
    assert_eq!(avails.len(), 2);
    let first = &avails[0];
    assert_eq!(at(first, "/avail/Transaction/0/Territory/0/country"), "JJ");
    assert_eq!(
        at(first, "/avail/Transaction/0/AllowedLanguage/3/value"),
        "XYZ"
    );
    assert_eq!(
        at(first, "/avail/Transaction/1/AssetLanguage/0/value"),
        "ENg"
    );
    assert_eq!(
        at(&avails[1], "/avail/Transaction/1/LicenseRightsDescription"),
        "Librry"
    );
}

#[test]
fn structure_tests_read_supplementals_and_assets_without_metadata() {
    let avails = read_avails(&corpus("Avails_Structure_Tests_v2.3.xml")).unwrap();
    assert_eq!(avails.len(), 2);
    assert_eq!(at(&avails[0], "/avail/Asset/0/WorkType"), "Supplemental");
    assert_eq!(
        at(&avails[0], "/avail/Transaction/0/Territory/0/country"),
        "NL"
    );
    assert_eq!(at(&avails[0], "/avail/Transaction/0/Terms/0/Text"), "Yes");
    assert!(avails[0]
        .ignored
        .iter()
        .any(|i| i.path == "/avail/Disposition/IssueDate"));
    assert!(avails[0]
        .ignored
        .iter()
        .any(|i| i.path == "/avail/Transaction/0/RefALID"));
    assert!(avails[1]
        .payload
        .pointer("/avail/Asset/0/Metadata")
        .is_none());
    assert_eq!(at(&avails[1], "/avail/Asset/0/WorkType"), "Supplemental");
    // The `_errors` twin differs only in the second avail's work type.
    let errors = read_avails(&corpus("Avails_Structure_Tests_v2.3_errors.xml")).unwrap();
    assert_eq!(at(&errors[1], "/avail/Asset/0/WorkType"), "Movie");
}

#[test]
fn generic_conversion_of_the_corpus_follows_the_four_rules() {
    let v = xml_to_json(&corpus("Avails_noErrors_v2.3.xml")).unwrap();
    let avails = v["AvailList"]["Avail"].as_array().unwrap();
    assert_eq!(avails.len(), 12);
    // One Asset is not an array under the generic rules; attributes are `_`.
    assert_eq!(
        avails[0]["Asset"]["_contentID"],
        "md:cid:eidr-s:8FF3-1C20-84F5-F247-8BCD-E"
    );
    assert_eq!(avails[0]["Transaction"][0]["_TransactionID"], "1431081");
    assert_eq!(
        avails[0]["Transaction"][0]["Term"]["Money"]["_currency"],
        "XTS"
    );
    assert_eq!(
        avails[0]["Transaction"][0]["Term"]["Money"]["value"],
        "1000.00"
    );
    assert_eq!(avails[0]["ServiceProvider"], "");
    assert!(v["AvailList"].get("_avails").is_none());
}
