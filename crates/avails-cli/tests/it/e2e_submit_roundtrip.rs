//! End to end: every corpus workbook and every sample workbook is submitted
//! by the real binary to a sandbox over loopback, and the server then holds,
//! for every payload, exactly what `avails convert -o -` produced (in
//! canonical JSON, the GET answer carrying no Disposition, as the sandbox
//! documents). Payloads the validator refuses are reported and not sent.

use crate::support;

use std::path::{Path, PathBuf};

use avails_client::{ApiKey, AvailsClient};
use avails_model::canonical::canonical;
use serde_json::Value;
use support::*;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/movielabs");
const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples");

fn workbooks(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no workbook in {dir}");
    v
}

/// Indices of the payloads the validator refuses, as `submit` computes them.
fn refused_locally(file: &Path) -> (Vec<avails_convert::Payload>, Vec<usize>) {
    let mapping = avails_mapping::Mapping::default_table();
    let options = avails_convert::ConvertOptions {
        mapping: mapping.clone(),
        timezone: None,
    };
    let conversion = avails_convert::convert_inputs(&[file.to_path_buf()], &options, &mut |_| {});
    assert!(conversion.unreadable.is_empty(), "{}", file.display());
    let (_, failing) = avails_convert::check(&conversion, &mapping);
    let refused: Vec<usize> = (0..failing.len()).filter(|&i| failing[i]).collect();
    (conversion.payloads, refused)
}

fn roundtrip(file: &Path) {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let tmp = tempfile::tempdir().unwrap();
    let key = random_key("roundtrip");
    let sandbox = Sandbox::start(sandbox_config(&key).without_limits());
    write_profile(
        tmp.path(),
        &sandbox.base_url(),
        &key,
        "tps = 50\nmax_concurrency = 5",
    );

    // What convert produces.
    let out = run(avails(tmp.path()).args(["convert", "-o", "-"]).arg(file));
    assert!(out.status.code().is_some(), "{name}: {}", describe(&out));
    let converted: Vec<Value> = text(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (payloads, refused) = refused_locally(file);
    assert_eq!(
        converted.len(),
        payloads.len(),
        "{name}: {}",
        describe(&out)
    );
    for (c, p) in converted.iter().zip(&payloads) {
        assert_eq!(
            canonical(c),
            canonical(&serde_json::to_value(&p.request).unwrap()),
            "{name}: convert -o - and the library disagree on {}",
            p.key()
        );
    }

    // Submit.
    let out = run(avails(tmp.path())
        .args(["submit", "--format", "json"])
        .arg(file));
    let summary: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: no JSON summary ({e}): {}", describe(&out)));
    let has_delete = payloads
        .iter()
        .any(|p| p.entry_type == avails_model::EntryType::FullDelete);
    let expected_code = if refused.is_empty() && !has_delete {
        0
    } else {
        1
    };
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "{name}: {}",
        describe(&out)
    );
    assert_eq!(summary["profile"], PROFILE);
    assert_eq!(summary["refused"], refused.len(), "{name}: {summary:#}");
    if !refused.is_empty() {
        assert!(
            !summary["findings"].as_array().unwrap().is_empty(),
            "{name}: refused payloads without a reported finding"
        );
    }
    let report = &summary["report"];
    // The only server refusal expected: a FullDelete of a scope holding
    // nothing (the sandbox documents a 404 for it; the workbook is the first
    // delivery of these titles).
    let mut deletes_of_nothing = 0;
    for r in report["rejected"].as_array().unwrap() {
        let k = r["key"].as_str().unwrap();
        assert!(
            k.ends_with(":FullDelete") && r["status"] == 404,
            "{name}: the server refused what the validator accepted: {r:#}"
        );
        deletes_of_nothing += 1;
    }
    let full_deletes = (0..payloads.len())
        .filter(|i| {
            !refused.contains(i) && payloads[*i].entry_type == avails_model::EntryType::FullDelete
        })
        .count();
    assert_eq!(deletes_of_nothing, full_deletes, "{name}: {summary:#}");
    assert_eq!(
        report["failed"],
        serde_json::json!([]),
        "{name}: {summary:#}"
    );
    assert_eq!(
        report["sent"],
        payloads.len() - refused.len() - full_deletes,
        "{name}: {summary:#}"
    );

    // Read back what the server holds.
    let client = AvailsClient::builder(sandbox.base_url(), LICENSOR, ApiKey::new(key.clone()))
        .tps(100)
        .build()
        .unwrap();
    let writes = sandbox.counters();
    for (i, (c, p)) in converted.iter().zip(&payloads).enumerate() {
        let got =
            sandbox
                .rt()
                .block_on(client.get_full_extract(&p.alid, &p.territory, p.business_line));
        if refused.contains(&i) {
            // Not sent: unless another payload shares its scope, nothing is there.
            let shared = payloads.iter().enumerate().any(|(j, q)| {
                j != i
                    && !refused.contains(&j)
                    && q.alid == p.alid
                    && q.territory == p.territory
                    && q.business_line == p.business_line
            });
            if !shared {
                let e = got.expect_err("a refused payload is on the server");
                assert_eq!(e.status(), Some(404), "{name}: {}: {e}", p.key());
            }
            assert_eq!(
                writes.writes_for_alid(&p.alid),
                0,
                "{name}: refused {} was written",
                p.key()
            );
            continue;
        }
        if p.entry_type == avails_model::EntryType::FullDelete {
            continue;
        }
        assert_eq!(
            p.entry_type,
            avails_model::EntryType::FullExtract,
            "{name}: {}",
            p.key()
        );
        let got = got.unwrap_or_else(|e| panic!("{name}: GET {}: {e}", p.key()));
        let got = serde_json::to_value(&got).unwrap();
        let mut expected = c["avail"].clone();
        // The sandbox documents its GET answers carry no Disposition.
        expected.as_object_mut().unwrap().remove("Disposition");
        assert_eq!(
            canonical(&got["avail"]),
            canonical(&expected),
            "{name}: the server holds something else for {}",
            p.key()
        );
        let sent_of_title = (0..payloads.len())
            .filter(|j| {
                !refused.contains(j)
                    && payloads[*j].alid == p.alid
                    && payloads[*j].entry_type == avails_model::EntryType::FullExtract
            })
            .count() as u64;
        assert_eq!(
            writes.writes_for_alid(&p.alid),
            sent_of_title,
            "{name}: {} written more than once",
            p.key()
        );
    }
}

#[test]
fn every_corpus_workbook_lands_as_converted() {
    for file in workbooks(CORPUS) {
        roundtrip(&file);
    }
}

#[test]
fn every_sample_workbook_lands_as_converted() {
    for file in workbooks(SAMPLES) {
        roundtrip(&file);
    }
}
