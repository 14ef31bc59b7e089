//! Each sample workbook in samples/ produces exactly the payload next to it:
//! the reference's own example (Terms compared as a set, as the API does).

use crate::support;

use avails_model::canonical::canonical;
use serde_json::Value;
use support::*;

#[test]
fn every_sample_produces_exactly_its_expected_payload() {
    let mut checked = 0;
    for entry in std::fs::read_dir(samples()).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "xlsx" && ext != "csv" {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let expected_path = samples().join(format!("{stem}.expected.json"));
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        let c = convert(std::slice::from_ref(&path));
        // Samples that leave ContentID blank are told the ALID is used
        // (CV018), as the reference's examples do; nothing else is said.
        let said: Vec<String> = c
            .diagnostics
            .iter()
            .filter(|d| d.code != "CV018" || d.is_error())
            .map(ToString::to_string)
            .collect();
        assert!(said.is_empty(), "{stem}: {said:#?}");
        assert_eq!(c.payloads.len(), 1, "{stem}: one payload expected");
        let got = serde_json::to_value(&c.payloads[0].request).unwrap();
        assert_eq!(
            canonical(&got),
            canonical(&expected),
            "{stem}: converted payload differs from {}",
            name(&expected_path)
        );
        checked += 1;
    }
    assert!(checked >= 9, "found only {checked} samples");
}

#[test]
fn samples_land_in_the_business_line_of_their_license() {
    use avails_model::BusinessLine::*;
    for (file, line) in [
        ("episode-channel.xlsx", Channels),
        ("season-prime.xlsx", PrimeSubscription),
        ("fvod-movie.xlsx", Fvod),
        ("tvod-movie.xlsx", Tvod),
        ("movie-trailer.xlsx", Fvod),
        ("bundle-discount-exclusion.csv", Tvod),
    ] {
        let c = convert(&[samples().join(file)]);
        assert_eq!(c.payloads[0].business_line, line, "{file}");
    }
}
