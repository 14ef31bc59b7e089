//! Every complete payload example of the reference (002, 003) validates with
//! no error; each warning it gets is listed here with the reason it is right.

use std::path::PathBuf;

use avails_rules::{validate_batch, validate_payload, validate_payloads, Context, Severity};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/spec")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// How a fixture is sent.
enum Kind {
    /// A full-extract body (no path known, or the path's ALID).
    Full(Option<&'static str>),
    /// A partial-extract transaction body, with the path's transaction ID if known.
    Partial(Option<&'static str>),
    /// A batch request.
    Batch,
}

// Warnings the examples get, and why they are right:
const GET_SUCCESS: (&str, &str) = ("AV005", "/success"); // a GET response's `success` has no effect when sent back
                                                         // GET responses and the validate examples omit Disposition. The reference's
                                                         // Avail table marks it required, so a payload without one is an error (AV004)
                                                         // and is never sent: a GET answer is not a submission, and the validate
                                                         // examples are the only requests without one.
const NO_DISPOSITION: (&str, &str) = ("AV004", "/avail/Disposition");

struct Case {
    name: &'static str,
    kind: Kind,
    warnings: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        name: "002-ex1-req1-episode-channels-svod.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    Case {
        name: "002-ex1-req2-season-channels-svod.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    Case {
        name: "002-ex2-fvod-movie.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    // POEST without Tier/Category: the table requires them, the example
    // (which Prime Video presents as correct) has neither: AV071 warns.
    Case {
        name: "002-ex3-tvod-movie.json",
        kind: Kind::Full(None),
        warnings: &[
            ("AV071", "/avail/Transaction/2/Terms"),
            ("AV071", "/avail/Transaction/2/Terms"),
        ],
    },
    // The trailers repeat one _TransactionID for HD and SD: AV081 warns
    // that a partial-extract call by that ID cannot tell them apart.
    Case {
        name: "002-ex4-movie-trailer.json",
        kind: Kind::Full(None),
        warnings: &[("AV081", "/avail/Transaction/1/_TransactionID")],
    },
    Case {
        name: "002-ex5-series-trailer.json",
        kind: Kind::Full(None),
        warnings: &[("AV081", "/avail/Transaction/1/_TransactionID")],
    },
    Case {
        name: "002-ex6-movie-bundle.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    Case {
        name: "002-ex7-series-bundle.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    Case {
        name: "002-ex8-bundle-discount-exclusion.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    Case {
        name: "002-get-full-extract-response.json",
        kind: Kind::Full(Some("demoAlid")),
        warnings: &[GET_SUCCESS, NO_DISPOSITION],
    },
    Case {
        name: "002-validate-full-extract-request.json",
        kind: Kind::Full(Some("demoAlid")),
        warnings: &[NO_DISPOSITION],
    },
    Case {
        name: "003-put-full-channels-svod-episode-1.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    Case {
        name: "003-put-full-channels-svod-episode-2.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    Case {
        name: "003-put-full-fvod-movie.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    Case {
        name: "003-put-full-tvod-movie.json",
        kind: Kind::Full(None),
        warnings: &[
            ("AV071", "/avail/Transaction/2/Terms"),
            ("AV071", "/avail/Transaction/2/Terms"),
        ],
    },
    Case {
        name: "003-put-partial-tvod-movie.json",
        kind: Kind::Partial(None),
        warnings: &[],
    },
    Case {
        name: "003-put-partial-extract-request.json",
        kind: Kind::Partial(Some("demoTransactionId")),
        warnings: &[],
    },
    Case {
        name: "003-put-partial-batch-request.json",
        kind: Kind::Batch,
        warnings: &[],
    },
    Case {
        name: "003-get-full-extract-response.json",
        kind: Kind::Full(Some("demoAlid")),
        warnings: &[GET_SUCCESS, NO_DISPOSITION],
    },
    Case {
        name: "003-get-partial-extract-response.json",
        kind: Kind::Partial(Some("demoTransactionId")),
        warnings: &[],
    },
    Case {
        name: "003-get-partial-batch-request.json",
        kind: Kind::Batch,
        warnings: &[],
    },
    Case {
        name: "003-delete-partial-batch-request.json",
        kind: Kind::Batch,
        warnings: &[],
    },
    Case {
        name: "003-validate-full-extract-request.json",
        kind: Kind::Full(Some("demoAlid")),
        warnings: &[NO_DISPOSITION],
    },
    Case {
        name: "003-validate-partial-extract-request.json",
        kind: Kind::Partial(Some("demoTransactionId")),
        warnings: &[],
    },
    Case {
        name: "003-validate-partial-batch-request.json",
        kind: Kind::Batch,
        warnings: &[],
    },
    Case {
        name: "003-avail-prime-subscription-season.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    Case {
        name: "003-avail-channels-svod.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
    // Exclusive false with ExclusiveAttributes: the reference says the
    // attributes count only when Exclusive is true, so AV061 warns.
    Case {
        name: "003-avail-fvod-movie.json",
        kind: Kind::Full(None),
        warnings: &[("AV061", "/avail/Transaction/0/Terms")],
    },
    Case {
        name: "003-avail-tvod-movie.json",
        kind: Kind::Full(None),
        warnings: &[],
    },
];

#[test]
fn every_spec_example_validates_with_exactly_the_expected_findings() {
    let mut failures = Vec::new();
    for case in CASES {
        let value = fixture(case.name);
        let diagnostics = match case.kind {
            Kind::Batch => validate_batch(&value),
            Kind::Full(alid) => validate_payload(
                &value,
                &Context {
                    expected_alid: alid.map(str::to_owned),
                    ..Context::default()
                },
            ),
            Kind::Partial(id) => validate_payload(
                &value,
                &Context {
                    partial: true,
                    expected_transaction_id: id.map(str::to_owned),
                    ..Context::default()
                },
            ),
        };
        let mut got: Vec<(&str, &str)> = diagnostics
            .iter()
            .map(|d| (d.code.as_ref(), d.pointer()))
            .collect();
        let mut want = case.warnings.to_vec();
        got.sort();
        want.sort();
        let unexpected_error = diagnostics.iter().any(|d| {
            d.severity == Severity::Error && !want.contains(&(d.code.as_ref(), d.pointer()))
        });
        if got != want || unexpected_error {
            failures.push(format!("{}: {diagnostics:#?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_is_covered() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/spec");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            assert!(CASES.iter().any(|c| c.name == name), "{name} has no case");
        }
    }
}

#[test]
fn the_two_channels_payloads_of_003_validate_together() {
    let a = fixture("003-put-full-channels-svod-episode-1.json");
    let b = fixture("003-put-full-channels-svod-episode-2.json");
    assert_eq!(validate_payloads([&a, &b]), vec![]);
}
