//! Export is the inverse of convert: convert → export (XLSX or CSV) →
//! convert gives back the same payloads, on every corpus file and sample.

use crate::support;
use std::path::{Path, PathBuf};

use avails_convert::{convert_inputs, Conversion, ConvertOptions};
use avails_export::{
    build_table, export_file, export_xlsx, EmaVersion, ExportError, ExportOptions,
};
use avails_model::canonical::canonical;
use avails_model::Avail;
use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;

fn corpus() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/movielabs"
    ))
}

fn samples() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples"))
}

fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
    });
    out.sort();
    out
}

fn convert(path: &Path) -> Conversion {
    convert_inputs(
        &[path.to_path_buf()],
        &ConvertOptions::default(),
        &mut |_| {},
    )
}

/// A date-time without offset whose fraction is zero, without the fraction.
///
/// avails-convert keeps MDDF/JSON dates verbatim (`2025-03-31T00:00:00.000`)
/// but rewrites EMA cells without an offset through its date formatter,
/// which drops a zero fraction (`2025-03-31T00:00:00`): the same local time,
/// written two ways. No EMA cell can bring `.000` back, so the comparison
/// treats the two spellings as one.
fn zero_fraction(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    Value::String(s) if ["Start", "End", "Event"].contains(&k.as_str()) => {
                        if let Some((head, frac)) = s.split_once('.') {
                            if !frac.is_empty() && frac.bytes().all(|b| b == b'0') {
                                *s = head.to_string();
                            }
                        }
                    }
                    other => zero_fraction(other),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(zero_fraction),
        _ => {}
    }
}

/// Payloads as (key, canonical JSON), sorted: the order of Terms and of
/// object keys carries no meaning.
fn payload_set(c: &Conversion) -> Vec<(String, Value)> {
    let mut v: Vec<(String, Value)> = c
        .payloads
        .iter()
        .map(|p| {
            let mut json = serde_json::to_value(&p.request).unwrap();
            zero_fraction(&mut json);
            (p.key(), canonical(&json))
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Removes the value at a JSON pointer (what the export reported lost).
fn remove_pointer(v: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    match v.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.remove(last);
        }
        Some(Value::Array(a)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < a.len() {
                    a.remove(i);
                }
            }
        }
        _ => {}
    }
}

fn inputs() -> Vec<PathBuf> {
    let mut all = files(&corpus(), &["xlsx", "xml"]);
    assert!(all.len() >= 9, "corpus incomplete: {all:?}");
    all.extend(files(&samples(), &["xlsx", "csv"]));
    all
}

fn round_trip(ext: &str, version: EmaVersion) {
    let dir = tempfile::tempdir().unwrap();
    let options = ExportOptions {
        version,
        ..ExportOptions::default()
    };
    for input in inputs() {
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let first = convert(&input);
        // A file whose every payload is held back has nothing to export.
        if first.payloads.is_empty() {
            assert!(!first.held_back.is_empty(), "{name}: no payload");
            continue;
        }
        let avails = support::avails_of(&first);
        let out = dir.path().join(format!("{name}.{ext}"));
        let losses = export_file(&avails, &options, &out).unwrap();
        // Every value of the corpus converts to something EMA carries (the
        // XML files' UVVU entitlement is left out at conversion, reported).
        assert!(
            losses.is_empty(),
            "{name}: {:#?}",
            losses.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
        let mut first = first;
        for loss in losses.iter().rev() {
            let avail = &mut first.payloads[loss.avail].request.avail;
            let mut json = serde_json::to_value(&*avail).unwrap();
            remove_pointer(&mut json, &loss.pointer);
            *avail = serde_json::from_value(json).unwrap();
        }
        let second = convert(&out);
        assert!(
            second.unreadable.is_empty(),
            "{name}: {:?}",
            second.unreadable
        );
        let errors: Vec<String> = second
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        if !name.ends_with(".xml") {
            // From a sheet, the payloads come back identical, in order, with
            // Terms in the same order.
            let plain = |c: &Conversion| -> Vec<Value> {
                c.payloads
                    .iter()
                    .map(|p| serde_json::to_value(&p.request).unwrap())
                    .collect()
            };
            assert_eq!(plain(&first), plain(&second), "{name}: not identical");
        }
        let (a, b) = (payload_set(&first), payload_set(&second));
        assert_eq!(a.len(), b.len(), "{name}: payload count");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "{name}: payload {} differs after the round trip", x.0);
        }
    }
}

#[test]
fn round_trip_through_xlsx_gives_equal_payloads() {
    round_trip("xlsx", EmaVersion::V1_8);
}

#[test]
fn round_trip_through_csv_gives_equal_payloads() {
    round_trip("csv", EmaVersion::V1_8);
}

#[test]
fn round_trip_through_an_ema_1_7_workbook() {
    round_trip("xlsx", EmaVersion::V1_7);
}

#[test]
fn the_workbook_has_the_ema_header_rows_and_date_cells() {
    let c = convert(&corpus().join("TV_v1.8.xlsx"));
    let avails = support::avails_of(&c);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tv.xlsx");
    export_xlsx(&avails, &ExportOptions::default(), &out).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let range = wb.worksheet_range("Avails").unwrap();
    let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(2, 0), Data::String("1.8".into()));
    assert_eq!(cell(0, 0), Data::String("Avail".into()));
    assert_eq!(cell(1, 0), Data::String("ALID".into()));
    let row1: Vec<String> = (0..range.width() as u32)
        .map(|c| cell(0, c).to_string())
        .collect();
    for section in [
        "Avail",
        "AvailTrans",
        "AvailAsset",
        "AvailMetadata",
        "Disposition",
    ] {
        assert!(
            row1.iter().any(|s| s == section),
            "{section} missing: {row1:?}"
        );
    }
    let names: Vec<String> = (0..range.width() as u32)
        .map(|c| cell(1, c).to_string())
        .collect();
    let start = names.iter().position(|n| n == "Start").unwrap() as u32;
    let end = names.iter().position(|n| n == "End").unwrap() as u32;
    let price = names.iter().position(|n| n == "PriceValue").unwrap() as u32;
    // Data from row 4: Start is a real date cell, End `Open`, price a number.
    assert!(
        matches!(cell(3, start), Data::DateTime(d) if d.is_datetime()),
        "{:?}",
        cell(3, start)
    );
    assert_eq!(cell(3, end), Data::String("Open".into()));
    assert!(
        matches!(cell(3, price), Data::Float(_)),
        "{:?}",
        cell(3, price)
    );
    let rows: usize = avails.iter().map(|a| a.transaction.len()).sum();
    assert_eq!(range.height(), 3 + rows);

    // 1.7 has no version in A3; its comment row starts with //.
    let t = build_table(
        &avails,
        &ExportOptions {
            version: EmaVersion::V1_7,
            ..ExportOptions::default()
        },
    );
    assert!(t.comments[0].starts_with("//"));
    assert_eq!(t.names[t.column("BundleALIDs").unwrap()], "BundleALIDs");
}

#[test]
fn other_extensions_and_unwritable_paths_are_errors() {
    let options = ExportOptions::default();
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        export_file(&[], &options, &dir.path().join("x.ods")),
        Err(ExportError::Unsupported { .. })
    ));
    let missing = dir.path().join("no/such/dir/x.xlsx");
    assert!(matches!(
        export_file(&[], &options, &missing),
        Err(ExportError::Xlsx { .. })
    ));
    let missing = dir.path().join("no/such/dir/x.csv");
    assert!(matches!(
        export_file(&[], &options, &missing),
        Err(ExportError::Csv { .. })
    ));
    // An empty export is the header rows alone.
    let t = build_table(&[], &options);
    assert!(t.rows.is_empty() && t.names.len() == t.sections.len());
}

/// A column is added with one table entry: a copy of the built-in table
/// (what `--mapping FILE` loads) maps EMA's AvailTrans `Description`
/// (MovieLabs' data dictionary: "A free-form description of the
/// transaction", MDDF `Transaction/Description`), which the built-in table
/// ignores because the API's transaction has no description. With that entry
/// alone the value is carried both ways: JSON → its cell (at the column the
/// EMA layout gives it) and that cell → JSON. Without it, export reports
/// the value lost and conversion leaves the cell out.
#[test]
fn a_column_added_to_a_copy_of_the_table_is_carried_both_ways() {
    let ignored = "Description = { reason = \"free text: the API's transaction has no description\", each_cell = true }\n";
    let builtin = avails_mapping::DEFAULT_TOML;
    assert!(
        builtin.contains(ignored),
        "the built-in table ignores Description"
    );
    let entry = "\n[[column]]\nname = \"Description\"\npath = \"Transaction.Description\"\nkind = \"text\"\n";
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("ema.toml");
    std::fs::write(&copy, builtin.replace(ignored, "") + entry).unwrap();
    let mapping = avails_mapping::Mapping::from_path(&copy).unwrap();

    // The reference's TVOD movie, with a description on its window.
    let text = "Box office info. Significant digital home entertainment release campaign planned.";
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/spec/003-avail-tvod-movie.json"
    ))
    .unwrap();
    let mut example: Value = serde_json::from_str(&example).unwrap();
    example["avail"]["Transaction"][0]["Description"] = Value::String(text.into());
    let avail: Avail = serde_json::from_value(example["avail"].take()).unwrap();

    for version in [EmaVersion::V1_7, EmaVersion::V1_8] {
        // JSON → cell: in the layout's own Description column (AvailTrans).
        let with = ExportOptions {
            mapping: mapping.clone(),
            version,
            ..ExportOptions::default()
        };
        let table = build_table(std::slice::from_ref(&avail), &with);
        assert!(table.losses.is_empty(), "{version:?}: {:?}", table.losses);
        let at = table.column("Description").unwrap();
        assert_eq!(table.sections[at], "AvailTrans");
        assert!(at < version.layout().len(), "{version:?}: not appended");
        assert_eq!(
            table.rows[0][at],
            avails_export::CellValue::Text(text.into())
        );
        // Without the entry the value is reported lost, not silently dropped.
        let without = ExportOptions {
            version,
            ..ExportOptions::default()
        };
        let lost = build_table(std::slice::from_ref(&avail), &without).losses;
        assert_eq!(
            lost.iter().map(|l| l.pointer.as_str()).collect::<Vec<_>>(),
            ["/Transaction/0/Description"]
        );
    }

    // Cell → JSON: the sheet the copy wrote converts back with the copy.
    let sheet = dir.path().join("avails.csv");
    let options = ExportOptions {
        mapping: mapping.clone(),
        ..ExportOptions::default()
    };
    assert!(export_file(std::slice::from_ref(&avail), &options, &sheet)
        .unwrap()
        .is_empty());
    let convert_with = |mapping: avails_mapping::Mapping| {
        convert_inputs(
            std::slice::from_ref(&sheet),
            &ConvertOptions {
                mapping,
                ..ConvertOptions::default()
            },
            &mut |_| {},
        )
    };
    let back = convert_with(mapping);
    assert_eq!(back.payloads.len(), 1, "{:?}", back.diagnostics);
    let t = &back.payloads[0].request.avail.transaction[0];
    assert_eq!(
        t.extra.get("Description"),
        Some(&Value::String(text.into()))
    );
    // The built-in table leaves the cell out (and says so at the cell).
    let builtin = convert_with(avails_mapping::Mapping::default_table());
    let t = &builtin.payloads[0].request.avail.transaction[0];
    assert!(t.extra.get("Description").is_none());
    assert!(builtin
        .diagnostics
        .iter()
        .any(|d| d.to_string().contains("Description")));
}
