//! MDDF export judged by MovieLabs' own validator (`tools/mddf-validator`,
//! mddf-lib 2.0.9: the MDDF Avails XSD plus MovieLabs' structure rules),
//! then converted back.
//!
//! Every MovieLabs workbook and valid MDDF file in `tests/data`, every
//! example of the reference (`tests/fixtures/spec`) and every sample
//! payload (`samples/*.expected.json`) is converted, exported once as MDDF,
//! and all the files go through one validator run (one JVM start). Each
//! must be valid, and `avails convert` of it must give the payloads
//! exported back, in their MDDF form: where MDDF cannot say what a payload
//! says, [`mddf_form`] states precisely what differs and why.
//!
//! Payloads MDDF cannot take at all are not written, and each is expected
//! here by name with its reason ([`refused`]); `Avails_withErrors.xml`
//! (MovieLabs' file of deliberate errors: country `JJ`, language `XYZ`,
//! which the API rejects too) is left out.
//!
//! The validator needs Java: without `java` the validator part is skipped,
//! saying so, unless `AVAILS_REQUIRE_JAVA=1` (CI sets it), which makes a
//! missing Java a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use avails_convert::{convert_inputs, Conversion, ConvertOptions};
use avails_export::mddf_xml;
use avails_model::canonical::canonical;
use serde_json::{json, Value};

use crate::support;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &str, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| keep(&p.file_name().unwrap().to_string_lossy()))
        .collect();
    out.sort();
    out
}

/// Every input: MovieLabs' workbooks and valid MDDF files, the reference's
/// examples, the samples.
fn inputs() -> Vec<PathBuf> {
    let mut all = files("tests/data/movielabs", |n| {
        n.ends_with(".xlsx") || (n.ends_with(".xml") && n != "Avails_withErrors.xml")
    });
    all.extend(files("tests/data/movielabs-twins", |n| n.ends_with(".xml")));
    all.extend(files("tests/fixtures/spec", |n| n.ends_with(".json")));
    all.extend(files("samples", |n| n.ends_with(".expected.json")));
    assert!(all.len() >= 45, "{all:?}");
    all
}

fn convert(paths: &[PathBuf]) -> Conversion {
    convert_inputs(paths, &ConvertOptions::default(), &mut |_| {})
}

/// The payloads MDDF cannot take, by input, with the reason each is named
/// for. From MDDF's vocabularies (`vocab_avail_v2.6.json`), not from the
/// writer:
/// - EntryType is one of Full Extract, Full Delete, Create, Update, Delete:
///   the API's PartialExtract (one window replaced by its TransactionID)
///   is none of them;
/// - FormatProfile is one of UHD, HD, SD and the 3D ones: the bundle
///   examples' `Max` is none of them, and MovieLabs' validator rejects it.
fn refused(input: &str) -> Option<&'static str> {
    const PARTIAL: &str = "`PartialExtract` has no MDDF EntryType";
    const MAX: &str = "FormatProfile `Max` is none of MDDF's";
    match input {
        "003-avail-channels-svod.json"
        | "003-avail-fvod-movie.json"
        | "003-avail-prime-subscription-season.json"
        | "003-avail-tvod-movie.json"
        | "003-get-partial-extract-response.json"
        | "003-put-partial-extract-request.json"
        | "003-put-partial-tvod-movie.json"
        | "003-validate-partial-extract-request.json" => Some(PARTIAL),
        "002-ex6-movie-bundle.json"
        | "002-ex7-series-bundle.json"
        | "movie-bundle.expected.json"
        | "series-bundle.expected.json" => Some(MAX),
        _ => None,
    }
}

/// What a payload becomes through MDDF, and why: the changes of
/// [`support::mddf_form`] (the MDDF Avails 2.6 schema and MovieLabs'
/// structure rules), and two that only the files of this test meet:
/// - no Disposition (the reference's GET responses): the entry type a
///   missing one means, FullExtract (avails-model's default);
/// - a Term's value must not be empty: a term without value is left out.
///
/// (A supplement's RefALID, which MDDF requires, is the avail's own ALID;
/// the API has no RefALID, so reading it back drops it: no difference.)
fn mddf_form(avail: &Value) -> Value {
    let mut a = avail.clone();
    if a.get("Disposition").is_none() {
        a["Disposition"] = json!({"EntryType": "FullExtract"});
    }
    let has_value = |term: &Value| {
        ["Event", "Text", "Number", "Boolean", "Duration"]
            .iter()
            .any(|k| term.get(*k).is_some())
            || term["Money"].get("value").is_some()
    };
    for t in a["Transaction"].as_array_mut().unwrap() {
        if let Some(terms) = t.get_mut("Terms").and_then(Value::as_array_mut) {
            terms.retain(has_value);
        }
    }
    support::mddf_form(&a)
}

/// A payload compared as the API sees it: canonical, its windows as a set
/// (a transaction written once per language is several windows whose order
/// among the others carries no meaning; two equal windows are one).
fn comparable(avail: &Value) -> Value {
    let mut v = canonical(avail);
    if let Some(list) = v["Transaction"].as_array_mut() {
        list.sort_by_key(|t| t.to_string());
        list.dedup();
    }
    v
}

/// Payloads by key (ALID, territory, business line, entry type).
fn by_key(c: &Conversion) -> BTreeMap<String, Value> {
    c.payloads
        .iter()
        .map(|p| {
            let avail = serde_json::to_value(&p.request.avail).unwrap();
            (p.key(), avail)
        })
        .collect()
}

/// The validator's verdict per file: (valid, findings at Error level).
fn validate(files: &[PathBuf]) -> Option<BTreeMap<String, (bool, Vec<String>)>> {
    let script = root().join("tools/mddf-validator/validate");
    let has_java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_java {
        assert!(
            std::env::var("AVAILS_REQUIRE_JAVA").as_deref() != Ok("1"),
            "AVAILS_REQUIRE_JAVA=1 but `java` cannot run: MovieLabs' validator needs it"
        );
        eprintln!("skipped: no `java`, MovieLabs' validator cannot run (AVAILS_REQUIRE_JAVA=1 makes this a failure)");
        return None;
    }
    let out = Command::new("sh")
        .arg(&script)
        .args(files)
        .output()
        .expect("runs tools/mddf-validator/validate");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.code() == Some(2) {
        // Java is here but not Debian's Java libraries the validator needs
        // (its script installs them when it can).
        assert!(
            std::env::var("AVAILS_REQUIRE_JAVA").as_deref() != Ok("1"),
            "the validator could not run:\n{stderr}"
        );
        eprintln!("skipped: MovieLabs' validator could not run:\n{stderr}");
        return None;
    }
    let mut verdicts = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut errors: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if let Some(file) = line.strip_prefix("FILE\t") {
            current = Some(file.to_string());
            errors.clear();
        } else if let Some(summary) = line.strip_prefix("SUMMARY\t") {
            let file = current.take().expect("a FILE line before SUMMARY");
            let valid = summary.starts_with("valid=true");
            verdicts.insert(file, (valid, std::mem::take(&mut errors)));
        } else if line.starts_with("Error\t") || line.starts_with("Fatal\t") {
            errors.push(line.to_string());
        }
    }
    assert_eq!(verdicts.len(), files.len(), "{stderr}");
    Some(verdicts)
}

#[test]
fn every_export_is_valid_for_movielabs_and_converts_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut written: Vec<(String, PathBuf, BTreeMap<String, Value>)> = Vec::new();
    for input in inputs() {
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let first = convert(std::slice::from_ref(&input));
        assert!(first.unreadable.is_empty(), "{name}");
        if first.payloads.is_empty() {
            // The batch requests (not payloads) and MovieLabs' errors file.
            continue;
        }
        let avails = support::avails_of(&first);
        let document = mddf_xml(&avails).unwrap();
        match refused(&name) {
            Some(reason) => {
                assert!(!document.rejected.is_empty(), "{name} should be refused");
                assert!(
                    document.rejected.iter().all(|r| r.reason.contains(reason)),
                    "{name}: {:#?}",
                    document.rejected
                );
                assert!(document.xml.is_none(), "{name}: nothing else to write");
                continue;
            }
            None => assert!(
                document.rejected.is_empty(),
                "{name}: {:#?}",
                document.rejected
            ),
        }
        // Every loss reported is one of the changes `mddf_form` states.
        for loss in &document.losses {
            let documented = loss.pointer.contains("/AssetLanguage")
                || loss.pointer.ends_with("/_asset")
                || (loss.pointer.ends_with("/Money") && loss.reason.contains("holds one value"))
                || loss.reason.contains("Term without a value");
            assert!(documented, "{name}: {loss}");
        }
        let xml = document.xml.unwrap();
        // One <Avail> per ALID: the validator's "ID ALID is not unique".
        let alids: std::collections::BTreeSet<&str> =
            avails.iter().map(|a| a.alid.as_str()).collect();
        assert_eq!(xml.matches("<avails:Avail>").count(), alids.len(), "{name}");
        let out = dir.path().join(format!("{name}.xml"));
        std::fs::write(&out, &xml).unwrap();
        written.push((name, out, by_key(&first)));
    }
    // The case: one title in three territories is one <Avail>.
    let merged = three_territories(dir.path());
    written.push(merged);
    assert!(written.len() >= 30, "{}", written.len());

    for (name, out, exported) in &written {
        let back = convert(std::slice::from_ref(out));
        assert!(back.unreadable.is_empty(), "{name}");
        let problems: Vec<String> = back.diagnostics.iter().map(ToString::to_string).collect();
        assert!(!back.has_errors(), "{name}: {problems:#?}");
        let back = by_key(&back);
        assert_eq!(
            back.keys().collect::<Vec<_>>(),
            exported.keys().collect::<Vec<_>>(),
            "{name}"
        );
        for (key, avail) in exported {
            assert_eq!(
                comparable(&back[key]),
                comparable(&mddf_form(avail)),
                "{name}: {key} differs after MDDF"
            );
        }
    }

    let paths: Vec<PathBuf> = written.iter().map(|(_, p, _)| p.clone()).collect();
    let Some(verdicts) = validate(&paths) else {
        return;
    };
    for (name, out, _) in &written {
        let (valid, errors) = &verdicts[&out.display().to_string()];
        assert!(*valid && errors.is_empty(), "{name}: {errors:#?}");
    }
}

/// The reference's TVOD movie in three territories (US, CA, FR): three
/// payloads of one ALID, written as one `<Avail>` whose transactions carry
/// their territories.
fn three_territories(dir: &Path) -> (String, PathBuf, BTreeMap<String, Value>) {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("samples/tvod-movie.expected.json")).unwrap(),
    )
    .unwrap();
    let mut files = Vec::new();
    for country in ["US", "CA", "FR"] {
        let mut payload = sample.clone();
        for t in payload["avail"]["Transaction"].as_array_mut().unwrap() {
            t["Territory"] = json!([{"country": country}]);
        }
        let path = dir.join(format!("tvod-{country}.json"));
        std::fs::write(&path, payload.to_string()).unwrap();
        files.push(path);
    }
    let first = convert(&files);
    assert_eq!(first.payloads.len(), 3);
    let avails = support::avails_of(&first);
    let document = mddf_xml(&avails).unwrap();
    assert!(document.rejected.is_empty(), "{:#?}", document.rejected);
    assert_eq!((document.avails, document.payloads), (1, 3));
    let xml = document.xml.unwrap();
    assert_eq!(xml.matches("<avails:ALID>").count(), 1, "{xml}");
    for country in ["US", "CA", "FR"] {
        assert!(xml.contains(&format!("<md:country>{country}</md:country>")));
    }
    let out = dir.join("one-title-three-territories.xml");
    std::fs::write(&out, xml).unwrap();
    ("three territories".into(), out, by_key(&first))
}
