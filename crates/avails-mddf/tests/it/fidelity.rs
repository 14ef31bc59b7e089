//! What MDDF says in another shape than the API reaches the payload with its
//! meaning, or is handed to the caller, never dropped in silence: conditions,
//! the channel (`GroupingEntity`), comma lists in one element, every term,
//! a blank `contentID`.
//!
//! Expected values come from the MDDF Avails schema (`avails-v2.6.xsd`), its
//! vocabulary (`DateTimeCondition`), MovieLabs' EMA → MDDF mapping
//! (`GroupIdentity` → `GroupingEntity[Type='channel']/DisplayName`) and the
//! reference's XML-to-JSON rules and schema (`AvailTerms`, `AssetLanguage`).

use avails_mddf::{read_avails, Condition, ParsedAvail, TransactionConditions, WindowDuration};
use avails_model::BusinessLine;
use serde_json::json;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<avails:AvailList xmlns:avails="http://www.movielabs.com/schema/avails/v2.6/avails" xmlns:md="http://www.movielabs.com/schema/md/v2.10/md">"#;

/// Reads an AvailList holding `body`; line 3 is the first line of `body`.
fn read(body: &str) -> Vec<ParsedAvail> {
    read_avails(&format!("{HEAD}\n{body}\n</avails:AvailList>")).unwrap()
}

fn read_one(body: &str) -> ParsedAvail {
    let mut all = read(body);
    assert_eq!(all.len(), 1);
    all.remove(0)
}

fn ignored(a: &ParsedAvail) -> Vec<(&str, u32)> {
    a.ignored
        .iter()
        .map(|i| (i.path.as_str(), i.line))
        .collect()
}

fn invalid(a: &ParsedAvail) -> Vec<(&str, u32, &str)> {
    a.invalid
        .iter()
        .map(|i| (i.path.as_str(), i.line, i.value.as_str()))
        .collect()
}

// ------------------------------------------------------------ conditions ---

#[test]
fn start_and_end_conditions_are_handed_to_the_caller_with_lag_and_line() {
    let a = read_one(
        r#"<avails:Avail>
<avails:ALID>A</avails:ALID>
<avails:Transaction TransactionID="est">
  <avails:LicenseType>EST</avails:LicenseType>
  <avails:Start>2024-03-01T00:00:00</avails:Start>
  <avails:EndCondition>Open</avails:EndCondition>
</avails:Transaction>
<avails:Transaction TransactionID="pre">
  <avails:LicenseType>POEST</avails:LicenseType>
  <avails:Start>2024-01-01T00:00:00</avails:Start>
  <avails:EndCondition lag="-P1D">ESTStart</avails:EndCondition>
</avails:Transaction>
<avails:Transaction TransactionID="theatrical">
  <avails:LicenseType>EST</avails:LicenseType>
  <avails:StartCondition lag="P90D">Theatrical</avails:StartCondition>
  <avails:EndCondition>Immediate</avails:EndCondition>
  <avails:WindowDuration>P30D</avails:WindowDuration>
</avails:Transaction>
<avails:Transaction/>
</avails:Avail>"#,
    );
    let t = &a.payload["avail"]["Transaction"];
    // No End is invented for any of them, and none is "ignored".
    for i in 0..3 {
        assert!(t[i].get("End").is_none(), "{}", t[i]);
    }
    assert!(t[2].get("Start").is_none());
    assert!(ignored(&a).is_empty(), "{:?}", a.ignored);
    // The empty transaction stays (as `{}`), so the indexes stay aligned.
    assert_eq!(t[3], json!({}));
    assert_eq!(a.transaction_lines, vec![5, 10, 15, 21]);
    assert_eq!(a.conditions.len(), a.transaction_lines.len());
    assert_eq!(
        a.conditions,
        vec![
            // `Open` is no End: nothing to resolve.
            TransactionConditions::default(),
            TransactionConditions {
                end: Some(Condition {
                    value: "ESTStart".into(),
                    lag: Some("-P1D".into()),
                    line: 13,
                }),
                ..Default::default()
            },
            TransactionConditions {
                start: Some(Condition {
                    value: "Theatrical".into(),
                    lag: Some("P90D".into()),
                    line: 17,
                }),
                end: Some(Condition {
                    value: "Immediate".into(),
                    lag: None,
                    line: 18,
                }),
                window_duration: Some(WindowDuration {
                    value: "P30D".into(),
                    line: 19,
                }),
            },
            TransactionConditions::default(),
        ]
    );
    assert!(a.conditions[0].is_empty() && !a.conditions[1].is_empty());
}

#[test]
fn an_open_end_beside_a_date_or_with_a_lag_is_reported_not_kept() {
    let a = read_one(
        r#"<avails:Avail><avails:ALID>A</avails:ALID>
<avails:Transaction>
  <avails:End>2030-01-01T23:59:59</avails:End>
  <avails:EndCondition>Open</avails:EndCondition>
</avails:Transaction>
<avails:Transaction>
  <avails:EndCondition lag="P1D">Open</avails:EndCondition>
</avails:Transaction>
<avails:Transaction>
  <avails:EndCondition />
</avails:Transaction>
</avails:Avail>"#,
    );
    assert_eq!(
        a.payload["avail"]["Transaction"][0]["End"],
        "2030-01-01T23:59:59"
    );
    assert_eq!(
        ignored(&a),
        [
            ("/avail/Transaction/0/EndCondition", 6),
            ("/avail/Transaction/1/EndCondition/_lag", 9),
        ]
    );
    assert!(a.conditions[0].is_empty() && a.conditions[1].is_empty());
    // An empty EndCondition is not "Open": the caller gets it.
    assert_eq!(a.conditions[2].end.as_ref().unwrap().value, "");
    assert_eq!(a.conditions[2].end.as_ref().unwrap().line, 12);
}

// --------------------------------------------------------------- channel ---

#[test]
fn a_channel_grouping_entity_becomes_channel_identity_on_every_transaction() {
    let a = read_one(
        r#"<avails:Avail>
<avails:ALID>md:alid:eidr-s:1</avails:ALID>
<avails:Asset contentID="md:cid:eidr-s:1">
  <avails:WorkType>Movie</avails:WorkType>
  <avails:Metadata>
    <avails:TitleInternalAlias>Movie</avails:TitleInternalAlias>
    <avails:GroupingEntity>
      <md:Type>channel</md:Type>
      <md:GroupIdentity>mgm_plus_subscription</md:GroupIdentity>
      <md:DisplayName>mgm_plus_subscription</md:DisplayName>
    </avails:GroupingEntity>
    <avails:GroupingEntity>
      <md:Type>network</md:Type>
      <md:GroupIdentity>HBO</md:GroupIdentity>
    </avails:GroupingEntity>
  </avails:Metadata>
</avails:Asset>
<avails:Transaction>
  <avails:LicenseType>SVOD</avails:LicenseType>
  <avails:Term termName="RentalDuration"><avails:Duration>PT48H</avails:Duration></avails:Term>
</avails:Transaction>
<avails:Transaction>
  <avails:LicenseType>SVOD</avails:LicenseType>
</avails:Transaction>
</avails:Avail>"#,
    );
    let t = &a.payload["avail"]["Transaction"];
    assert_eq!(
        t[0]["Terms"],
        json!([
            {"_termName": "RentalDuration", "Duration": "PT48H"},
            {"_termName": "ChannelIdentity", "Text": "mgm_plus_subscription"}
        ])
    );
    assert_eq!(
        t[1]["Terms"],
        json!([{"_termName": "ChannelIdentity", "Text": "mgm_plus_subscription"}])
    );
    // Each channel term points at the GroupingEntity, its Text at DisplayName.
    assert_eq!(a.pointer_lines["/avail/Transaction/0/Terms/1"], 9);
    assert_eq!(a.pointer_lines["/avail/Transaction/0/Terms/1/Text"], 12);
    assert_eq!(a.pointer_lines["/avail/Transaction/1/Terms/0"], 9);
    assert_eq!(a.pointer_lines["/avail/Transaction/1/Terms"], 9);
    // A network is not a channel: reported, not processed.
    assert_eq!(
        ignored(&a),
        [("/avail/Asset/0/Metadata/GroupingEntity", 14)]
    );
    // So the title lands in CHANNELS, not PRIME_SUBSCRIPTION.
    let request = a.request().unwrap();
    let channel = request.avail.transaction[1]
        .term("ChannelIdentity")
        .and_then(|t| t.text.as_deref());
    assert_eq!(
        BusinessLine::infer("SVOD", channel),
        Some(BusinessLine::Channels)
    );
}

#[test]
fn an_episode_channel_and_a_transaction_term_that_names_another_channel() {
    let a = read_one(
        r#"<avails:Avail>
<avails:ALID>ep1</avails:ALID>
<avails:Asset contentID="ep1">
  <avails:WorkType>Episode</avails:WorkType>
  <avails:EpisodeMetadata>
    <avails:TitleInternalAlias>Pilot</avails:TitleInternalAlias>
    <avails:GroupingEntity><md:Type>Channel</md:Type><md:GroupIdentity>Mlab Channel</md:GroupIdentity></avails:GroupingEntity>
    <avails:EpisodeNumber><md:Number>1</md:Number></avails:EpisodeNumber>
  </avails:EpisodeMetadata>
</avails:Asset>
<avails:Transaction>
  <avails:LicenseType>SVOD</avails:LicenseType>
  <avails:Term termName="ChannelIdentity"><avails:Text>Mlab Channel</avails:Text></avails:Term>
</avails:Transaction>
<avails:Transaction>
  <avails:LicenseType>SVOD</avails:LicenseType>
  <avails:Term termName="Download"><avails:Text>No</avails:Text></avails:Term>
  <avails:Term termName="channelidentity">
    <avails:Text>prime</avails:Text>
  </avails:Term>
</avails:Transaction>
</avails:Avail>"#,
    );
    let t = &a.payload["avail"]["Transaction"];
    // The same channel named twice: one term, the transaction's own.
    assert_eq!(
        t[0]["Terms"],
        json!([{"_termName": "ChannelIdentity", "Text": "Mlab Channel"}])
    );
    assert_eq!(a.pointer_lines["/avail/Transaction/0/Terms/0"], 15);
    // Another channel: left out and reported at its line; the avail's stays.
    assert_eq!(
        t[1]["Terms"],
        json!([
            {"_termName": "Download", "Text": "No"},
            {"_termName": "ChannelIdentity", "Text": "Mlab Channel"}
        ])
    );
    assert_eq!(
        invalid(&a),
        [("/avail/Transaction/1/Terms/1/Text", 21, "prime")]
    );
    assert!(a.invalid[0].expected.contains("Mlab Channel"));
    assert!(a.invalid[0].expected.contains("line 9"));
    assert!(a.ignored.is_empty(), "{:?}", a.ignored);
}

#[test]
fn display_name_names_the_channel_and_a_differing_group_identity_is_reported() {
    let a = read_one(
        r#"<avails:Avail><avails:ALID>A</avails:ALID>
<avails:Asset contentID="A"><avails:WorkType>Movie</avails:WorkType><avails:Metadata>
<avails:GroupingEntity>
<md:Type>channel</md:Type>
<md:GroupIdentity>chan-42</md:GroupIdentity>
<md:DisplayName>Channel 42</md:DisplayName>
</avails:GroupingEntity>
<avails:GroupingEntity><md:Type>channel</md:Type></avails:GroupingEntity>
</avails:Metadata></avails:Asset>
<avails:Transaction><avails:LicenseType>SVOD</avails:LicenseType></avails:Transaction>
</avails:Avail>"#,
    );
    assert_eq!(
        a.payload["avail"]["Transaction"][0]["Terms"],
        json!([{"_termName": "ChannelIdentity", "Text": "Channel 42"}])
    );
    assert_eq!(
        ignored(&a),
        [("/avail/Asset/0/Metadata/GroupingEntity/GroupIdentity", 7)]
    );
    // A channel without a name is not a channel nobody mentioned.
    assert_eq!(
        invalid(&a),
        [("/avail/Asset/0/Metadata/GroupingEntity/DisplayName", 10, "")]
    );
}

// ------------------------------------------------------------ comma lists ---

#[test]
fn a_language_list_in_one_element_gives_one_entry_per_language() {
    let a = read_one(
        r#"<avails:Avail><avails:ALID>A</avails:ALID>
<avails:Transaction>
  <avails:AllowedLanguage asset="subtitle">fr, de</avails:AllowedLanguage>
  <avails:AssetLanguage asset="audio">EN, FR, ES</avails:AssetLanguage>
  <avails:AssetLanguage>pt-BR</avails:AssetLanguage>
  <avails:HoldbackLanguage>it;  ja</avails:HoldbackLanguage>
</avails:Transaction>
</avails:Avail>"#,
    );
    let t = &a.payload["avail"]["Transaction"][0];
    assert_eq!(
        t["AssetLanguage"],
        json!([
            {"value": "EN", "_asset": "audio"},
            {"value": "FR", "_asset": "audio"},
            {"value": "ES", "_asset": "audio"},
            {"value": "pt-BR"}
        ])
    );
    assert_eq!(
        t["AllowedLanguage"],
        json!([{"value": "fr", "_asset": "subtitle"}, {"value": "de", "_asset": "subtitle"}])
    );
    assert_eq!(
        t["HoldbackLanguage"],
        json!([{"value": "it"}, {"value": "ja"}])
    );
    for (pointer, line) in [
        ("/avail/Transaction/0/AssetLanguage/0/value", 6),
        ("/avail/Transaction/0/AssetLanguage/2", 6),
        ("/avail/Transaction/0/AssetLanguage/2/value", 6),
        ("/avail/Transaction/0/AssetLanguage/2/_asset", 6),
        ("/avail/Transaction/0/AssetLanguage/3/value", 7),
        ("/avail/Transaction/0/AllowedLanguage/1/_asset", 5),
        ("/avail/Transaction/0/HoldbackLanguage/1/value", 8),
    ] {
        assert_eq!(a.pointer_lines[pointer], line, "{pointer}");
    }
    assert!(a.ignored.is_empty() && a.invalid.is_empty());
    a.request().unwrap();
}

#[test]
fn several_alids_in_one_bundled_alid_give_one_bundled_asset_each() {
    let a = read_one(
        r#"<avails:Avail><avails:ALID>B</avails:ALID>
<avails:Asset contentID="B"><avails:WorkType>Collection</avails:WorkType>
  <avails:Metadata><avails:TitleInternalAlias>Box</avails:TitleInternalAlias></avails:Metadata>
  <avails:BundledAsset>
    <avails:BundledALID>md:alid:org:a:1, md:alid:org:a:2; md:alid:org:a:3</avails:BundledALID>
  </avails:BundledAsset>
  <avails:BundledAsset><avails:BundledALID>md:alid:org:a:4</avails:BundledALID></avails:BundledAsset>
</avails:Asset>
</avails:Avail>"#,
    );
    assert_eq!(
        a.payload["avail"]["Asset"][0]["BundleAsset"],
        json!([
            {"BundledALID": "md:alid:org:a:1"},
            {"BundledALID": "md:alid:org:a:2"},
            {"BundledALID": "md:alid:org:a:3"},
            {"BundledALID": "md:alid:org:a:4"}
        ])
    );
    assert_eq!(
        a.pointer_lines["/avail/Asset/0/BundleAsset/2/BundledALID"],
        7
    );
    assert_eq!(a.pointer_lines["/avail/Asset/0/BundleAsset/2"], 6);
    assert_eq!(
        a.pointer_lines["/avail/Asset/0/BundleAsset/3/BundledALID"],
        9
    );
    assert!(a.ignored.is_empty() && a.invalid.is_empty());
}

// ------------------------------------------------------------------ terms ---

#[test]
fn every_term_is_typed_as_the_api_has_it_and_others_are_reported() {
    let a = read_one(
        r#"<avails:Avail><avails:ALID>A</avails:ALID>
<avails:Transaction>
<avails:Term termName="TPR-WSP"><avails:Money currency="USD">1.99</avails:Money></avails:Term>
<avails:Term termName="Tier"><avails:Text>1</avails:Text></avails:Term>
<avails:Term termName="AnnounceDate"><avails:Event>2024-01-01T00:00:00Z</avails:Event></avails:Term>
<avails:Term termName="Exclusive"><avails:Boolean>true</avails:Boolean></avails:Term>
<avails:Term termName="WatchDuration"><avails:Duration>PT48H</avails:Duration></avails:Term>
<avails:Term termName="CompleteYourBundleDiscountPercentage"><avails:Number>20.0</avails:Number></avails:Term>
<avails:Term termName="CampaignID">
  <avails:ID>md:campaign:1</avails:ID>
</avails:Term>
<avails:Term termName="TitleStatus"><avails:Text>Pending</avails:Text></avails:Term>
<avails:Term><avails:Text>nameless</avails:Text></avails:Term>
<avails:Term termName="N"><avails:Number>2.5</avails:Number></avails:Term>
</avails:Transaction>
</avails:Avail>"#,
    );
    assert_eq!(
        a.payload["avail"]["Transaction"][0]["Terms"],
        json!([
            {"_termName": "TPR-WSP", "Money": {"value": 1.99, "_currency": "USD"}},
            {"_termName": "Tier", "Text": "1"},
            {"_termName": "AnnounceDate", "Event": "2024-01-01T00:00:00Z"},
            {"_termName": "Exclusive", "Boolean": true},
            {"_termName": "WatchDuration", "Duration": "PT48H"},
            {"_termName": "CompleteYourBundleDiscountPercentage", "Number": 20},
            // The API has no ID value: the term keeps its name, the ID is reported.
            {"_termName": "CampaignID"},
            // Which names Prime Video processes is not decided here.
            {"_termName": "TitleStatus", "Text": "Pending"},
            {"_termName": "N"}
        ])
    );
    for (j, line) in [5, 6, 7, 8, 9, 10, 11, 14, 16].into_iter().enumerate() {
        assert_eq!(
            a.pointer_lines[&format!("/avail/Transaction/0/Terms/{j}")],
            line,
            "term {j}"
        );
    }
    assert_eq!(ignored(&a), [("/avail/Transaction/0/Terms/6/ID", 12)]);
    assert_eq!(
        invalid(&a),
        [
            ("/avail/Transaction/0/Terms/8", 15, "nameless"),
            ("/avail/Transaction/0/Terms/8/Number", 16, "2.5"),
        ]
    );
    a.request().unwrap();
}

// ------------------------------------------------------------- contentID ---

#[test]
fn a_blank_or_missing_content_id_stays_absent() {
    let all = read(
        r#"<avails:Avail><avails:ALID>A</avails:ALID>
<avails:Asset contentID=""><avails:WorkType>Movie</avails:WorkType></avails:Asset></avails:Avail>
<avails:Avail><avails:ALID>B</avails:ALID>
<avails:Asset contentID="  "><avails:WorkType>Movie</avails:WorkType></avails:Asset></avails:Avail>
<avails:Avail><avails:ALID>C</avails:ALID>
<avails:Asset><avails:WorkType>Movie</avails:WorkType></avails:Asset></avails:Avail>"#,
    );
    for a in &all {
        assert_eq!(
            a.payload["avail"]["Asset"][0],
            json!({"WorkType": "Movie"}),
            "no default here: the caller applies one rule for both readers"
        );
        assert!(a.invalid.is_empty());
        assert!(a.request().unwrap().avail.asset[0].content_id.is_none());
    }
}

#[test]
fn an_empty_metadata_element_stays_present() {
    // The reference's series bundle has nothing required in SeriesMetadata:
    // its presence is kept, not turned into "no SeriesMetadata".
    let a = read_one(
        r#"<avails:Avail><avails:ALID>S</avails:ALID>
<avails:Asset contentID="S"><avails:WorkType>Series</avails:WorkType><avails:SeriesMetadata/></avails:Asset>
</avails:Avail>"#,
    );
    assert_eq!(
        a.payload["avail"]["Asset"][0],
        json!({"_contentID": "S", "WorkType": "Series", "SeriesMetadata": {}})
    );
}
