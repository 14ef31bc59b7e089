//! Normalization of small hand-written avails.

use serde_json::json;

use crate::{read_avails, MddfError, ParsedAvail};

const HEAD: &str = r#"<avails:Avail xmlns:avails="http://www.movielabs.com/schema/avails/v2.3/avails" xmlns:md="http://www.movielabs.com/schema/md/v2.6/md">"#;

/// One lone `<Avail>` document around `body`.
fn one(body: &str) -> ParsedAvail {
    let xml = format!("{HEAD}\n{body}\n</avails:Avail>");
    let mut avails = read_avails(&xml).unwrap();
    assert_eq!(avails.len(), 1);
    avails.remove(0)
}

fn transaction(body: &str) -> ParsedAvail {
    one(&format!(
        "<avails:ALID>A</avails:ALID><avails:Transaction TransactionID=\"t1\">\n{body}\n</avails:Transaction>"
    ))
}

#[test]
fn a_lone_avail_is_read_and_single_elements_become_arrays() {
    let a = one(r#"<avails:ALID>A1</avails:ALID>
<avails:Disposition><avails:EntryType>Full Delete</avails:EntryType></avails:Disposition>
<avails:Licensor><md:DisplayName>mgm</md:DisplayName></avails:Licensor>
<avails:Asset contentID="A1"><avails:WorkType>Movie</avails:WorkType>
  <avails:Metadata><avails:TitleInternalAlias>T</avails:TitleInternalAlias></avails:Metadata>
</avails:Asset>
<avails:Transaction TransactionID="t1"><avails:LicenseType>EST</avails:LicenseType>
  <avails:Territory><md:country>FR</md:country></avails:Territory>
</avails:Transaction>
<avails:SharedEntitlement ecosystem="DMA"><avails:EcosystemID>E</avails:EcosystemID></avails:SharedEntitlement>"#);
    assert_eq!(
        a.payload,
        json!({"avail": {
            "ALID": "A1",
            "Disposition": {"EntryType": "FullDelete"},
            "Licensor": {"DisplayName": "mgm"},
            "Asset": [{"_contentID": "A1", "WorkType": "Movie", "Metadata": {"TitleInternalAlias": ["T"]}}],
            "Transaction": [{"_TransactionID": "t1", "LicenseType": "EST", "Territory": [{"country": "FR"}]}],
            "SharedEntitlement": [{"_ecosystem": "DMA", "EcosystemID": "E"}]
        }})
    );
    assert_eq!(a.line, 1);
    assert_eq!(a.transaction_lines, vec![8]);
    assert_eq!(a.pointer_lines["/avail"], 1);
    assert_eq!(a.pointer_lines["/avail/Disposition/EntryType"], 3);
    assert_eq!(
        a.pointer_lines["/avail/Transaction/0/Territory/0/country"],
        9
    );
    assert_eq!(a.pointer_lines["/avail/SharedEntitlement/0/_ecosystem"], 11);
    assert!(a.ignored.is_empty(), "{:?}", a.ignored);
    a.request().unwrap();
}

#[test]
fn properties_follow_the_api_order_not_the_xml_order() {
    let a = transaction(
        "<avails:Term termName=\"X\"><avails:Text>x</avails:Text></avails:Term>\
         <avails:FormatProfile>HD</avails:FormatProfile><avails:LicenseType>EST</avails:LicenseType>",
    );
    let keys: Vec<_> = a.payload["avail"]["Transaction"][0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        keys,
        ["_TransactionID", "LicenseType", "FormatProfile", "Terms"]
    );
}

#[test]
fn terms_are_typed() {
    let a = transaction(
        r#"<avails:Term termName="Exclusive"><avails:Boolean>true</avails:Boolean></avails:Term>
<avails:Term termName="ExcludedFromBundleDiscount"><avails:Boolean>0</avails:Boolean></avails:Term>
<avails:Term termName="CompleteYourBundleDiscountPercentage"><avails:Number>20</avails:Number></avails:Term>
<avails:Term termName="SRP"><avails:Money currency="USD">8.99</avails:Money></avails:Term>
<avails:Term termName="Tier"><avails:Text>CAT EST</avails:Text><avails:Money currency="USD"/></avails:Term>
<avails:Term termName="RentalDuration"><avails:Duration>PT720H</avails:Duration></avails:Term>
<avails:Term termName="AnnounceDate"><avails:Event>2022-05-22T10:00:00Z</avails:Event></avails:Term>
<avails:Term termName="ExclusiveAttributes"/>"#,
    );
    assert_eq!(
        a.payload["avail"]["Transaction"][0]["Terms"],
        json!([
            {"_termName": "Exclusive", "Boolean": true},
            {"_termName": "ExcludedFromBundleDiscount", "Boolean": false},
            {"_termName": "CompleteYourBundleDiscountPercentage", "Number": 20},
            {"_termName": "SRP", "Money": {"value": 8.99, "_currency": "USD"}},
            {"_termName": "Tier", "Text": "CAT EST", "Money": {"_currency": "USD"}},
            {"_termName": "RentalDuration", "Duration": "PT720H"},
            {"_termName": "AnnounceDate", "Event": "2022-05-22T10:00:00Z"},
            {"_termName": "ExclusiveAttributes"}
        ])
    );
    let request = a.request().unwrap();
    let t = &request.avail.transaction[0];
    assert_eq!(
        t.term("srp").unwrap().money.as_ref().unwrap().value,
        Some(8.99)
    );
    assert!(a.invalid.is_empty());
}

#[test]
fn values_that_do_not_fit_their_type_are_left_out_and_reported() {
    let a = transaction(
        r#"<avails:Term termName="Exclusive"><avails:Boolean>yes</avails:Boolean></avails:Term>
<avails:Term termName="N"><avails:Number>3.5</avails:Number></avails:Term>
<avails:Term termName="SRP"><avails:Money currency="EUR">9,99</avails:Money></avails:Term>"#,
    );
    assert_eq!(
        a.payload["avail"]["Transaction"][0]["Terms"],
        json!([
            {"_termName": "Exclusive"},
            {"_termName": "N"},
            {"_termName": "SRP", "Money": {"_currency": "EUR"}}
        ])
    );
    let found: Vec<(&str, u32, &str)> = a
        .invalid
        .iter()
        .map(|i| (i.path.as_str(), i.line, i.value.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("/avail/Transaction/0/Terms/0/Boolean", 3, "yes"),
            ("/avail/Transaction/0/Terms/1/Number", 4, "3.5"),
            ("/avail/Transaction/0/Terms/2/Money/value", 5, "9,99"),
        ]
    );
    a.request().unwrap();
}

#[test]
fn languages_and_format_profile_become_value_objects() {
    let a = transaction(
        r#"<avails:FormatProfile HDR="HDR10">UHD</avails:FormatProfile>
<avails:AssetLanguage asset="audio" descriptive="false">en-US</avails:AssetLanguage>
<avails:AllowedLanguage>fr</avails:AllowedLanguage>
<avails:HoldbackLanguage asset="subtitle">fr-CA</avails:HoldbackLanguage>
<avails:HoldbackLanguage asset="audio">fr-CA</avails:HoldbackLanguage>"#,
    );
    let t = &a.payload["avail"]["Transaction"][0];
    assert_eq!(t["FormatProfile"], json!({"value": "UHD"}));
    assert_eq!(
        t["AssetLanguage"],
        json!([{"value": "en-US", "_asset": "audio"}])
    );
    assert_eq!(t["AllowedLanguage"], json!([{"value": "fr"}]));
    assert_eq!(
        t["HoldbackLanguage"],
        json!([{"value": "fr-CA", "_asset": "subtitle"}, {"value": "fr-CA", "_asset": "audio"}])
    );
    let ignored: Vec<(&str, u32)> = a
        .ignored
        .iter()
        .map(|i| (i.path.as_str(), i.line))
        .collect();
    assert_eq!(
        ignored,
        [
            ("/avail/Transaction/0/FormatProfile/_HDR", 3),
            ("/avail/Transaction/0/AssetLanguage/0/_descriptive", 4),
        ]
    );
    a.request().unwrap();
}

#[test]
fn end_condition_open_means_no_end_and_other_conditions_are_exposed() {
    let open = transaction("<avails:Start>2024-01-01T00:00:00Z</avails:Start><avails:EndCondition>Open</avails:EndCondition>");
    assert!(open.payload.pointer("/avail/Transaction/0/End").is_none());
    assert!(open.ignored.is_empty());
    assert_eq!(
        open.conditions,
        vec![crate::TransactionConditions::default()]
    );

    // Not "ignored" (which would send the window out open-ended in silence):
    // the caller gets the condition to resolve or report.
    let other = transaction("<avails:EndCondition>ESTStart</avails:EndCondition>");
    assert!(other.payload.pointer("/avail/Transaction/0/End").is_none());
    assert!(other.ignored.is_empty(), "{:?}", other.ignored);
    let end = other.conditions[0].end.as_ref().unwrap();
    assert_eq!(
        (end.value.as_str(), end.lag.as_deref(), end.line),
        ("ESTStart", None, 3)
    );

    let both = transaction(
        "<avails:End>2030-01-01T00:00:00Z</avails:End><avails:EndCondition>Open</avails:EndCondition>",
    );
    assert_eq!(
        both.payload["avail"]["Transaction"][0]["End"],
        "2030-01-01T00:00:00Z"
    );
    assert_eq!(both.ignored[0].path, "/avail/Transaction/0/EndCondition");
}

#[test]
fn season_and_series_numbers_are_integers_and_titles_arrays() {
    let a = one(
        r#"<avails:ALID>S1</avails:ALID><avails:Asset contentID="S1"><avails:WorkType>Season</avails:WorkType>
<avails:SeasonMetadata>
  <avails:SeasonContentID>S1</avails:SeasonContentID>
  <avails:SeasonTitleInternalAlias>Season 1</avails:SeasonTitleInternalAlias>
  <avails:SeasonNumber><md:Number>1</md:Number><md:HouseSequence>x</md:HouseSequence></avails:SeasonNumber>
  <avails:NumberOfEpisodes>77</avails:NumberOfEpisodes>
  <avails:SeriesMetadata>
    <avails:SeriesContentID>SR</avails:SeriesContentID>
    <avails:SeriesTitleInternalAlias>Show</avails:SeriesTitleInternalAlias>
    <avails:NumberOfSeasons>4</avails:NumberOfSeasons>
  </avails:SeriesMetadata>
</avails:SeasonMetadata></avails:Asset>"#,
    );
    assert_eq!(
        a.payload["avail"]["Asset"][0]["SeasonMetadata"],
        json!({
            "SeasonContentID": "S1",
            "SeasonTitleInternalAlias": ["Season 1"],
            "SeasonNumber": {"Number": 1},
            "NumberOfEpisodes": 77,
            "SeriesMetadata": {
                "SeriesContentID": "SR",
                "SeriesTitleInternalAlias": ["Show"],
                "NumberOfSeasons": 4
            }
        })
    );
    assert_eq!(
        a.ignored[0].path,
        "/avail/Asset/0/SeasonMetadata/SeasonNumber/HouseSequence"
    );
    a.request().unwrap();
}

#[test]
fn an_episode_with_its_own_series_keeps_the_season_one_nested() {
    let a = one(
        r#"<avails:Asset><avails:WorkType>Episode</avails:WorkType><avails:EpisodeMetadata>
<avails:SeasonMetadata><avails:SeriesMetadata><avails:SeriesContentID>A</avails:SeriesContentID></avails:SeriesMetadata></avails:SeasonMetadata>
<avails:SeriesMetadata><avails:SeriesContentID>B</avails:SeriesContentID></avails:SeriesMetadata>
</avails:EpisodeMetadata></avails:Asset>"#,
    );
    let meta = &a.payload["avail"]["Asset"][0]["EpisodeMetadata"];
    assert_eq!(
        meta["SeasonMetadata"]["SeriesMetadata"]["SeriesContentID"],
        "A"
    );
    assert_eq!(meta["SeriesMetadata"]["SeriesContentID"], "B");
}

#[test]
fn series_bundle_and_bundled_assets() {
    let a = one(
        r#"<avails:Asset contentID="B"><avails:WorkType>Series</avails:WorkType>
<avails:SeriesMetadata><avails:SeriesTitleInternalAlias>TV</avails:SeriesTitleInternalAlias><avails:NumberOfSeasons>2</avails:NumberOfSeasons></avails:SeriesMetadata>
<avails:BundledAsset><avails:BundledALID>X</avails:BundledALID><avails:Metadata/></avails:BundledAsset>
</avails:Asset>"#,
    );
    assert_eq!(
        a.payload["avail"]["Asset"][0],
        json!({
            "_contentID": "B",
            "WorkType": "Series",
            "SeriesMetadata": {"SeriesTitleInternalAlias": ["TV"], "NumberOfSeasons": 2},
            "BundleAsset": [{"BundledALID": "X"}]
        })
    );
    assert_eq!(a.ignored[0].path, "/avail/Asset/0/BundleAsset/0/Metadata");
}

#[test]
fn line_of_falls_back_to_the_nearest_ancestor() {
    let a = transaction("<avails:Start>2024</avails:Start>");
    assert_eq!(a.line_of("/avail/Transaction/0/Start"), 3);
    assert_eq!(a.line_of("/avail/Transaction/0/End"), 2);
    assert_eq!(a.line_of("/avail/ALID"), 2);
    assert_eq!(a.line_of("/avail/Asset/0/WorkType"), 1);
    assert_eq!(a.line_of(""), 1);
}

#[test]
fn list_wrapper_other_roots_and_empty_lists() {
    let xml =
        "<AvailList><Avail><ALID>1</ALID></Avail><Other/><Avail><ALID>2</ALID></Avail></AvailList>";
    let avails = read_avails(xml).unwrap();
    assert_eq!(avails.len(), 2);
    assert_eq!(avails[1].payload, json!({"avail": {"ALID": "2"}}));
    assert!(read_avails("<AvailList/>").unwrap().is_empty());
    assert_eq!(
        read_avails("<Avail/>").unwrap()[0].payload,
        json!({"avail": {}})
    );
    assert!(matches!(
        read_avails("<x/>"),
        Err(MddfError::UnexpectedRoot { line: 1, .. })
    ));
    let err = read_avails("<AvailList>\n<Avail>\n<ALID>1</ALD>\n</Avail></AvailList>").unwrap_err();
    assert!(matches!(err, MddfError::Xml { line: 3, .. }), "{err}");
}

#[test]
fn garbage_never_panics() {
    for xml in [
        "",
        "<",
        "<<>>",
        "<a",
        "</a>",
        "<a></b>",
        "<a x='1' x='2'/>",
        "\u{feff}<a/>",
        "<a>&#0;</a>",
        "<a>&#xFFFFFFFF;</a>",
        "<?xml?>",
        "<!DOCTYPE a><a/>",
        "<a><![CDATA[</a>",
        "<Avail>\u{0}</Avail>",
        "<Avail><Transaction><Term><Money currency=\"\">--</Money></Term></Transaction></Avail>",
    ] {
        let _ = read_avails(xml);
        let _ = crate::xml_to_json(xml);
    }
}
