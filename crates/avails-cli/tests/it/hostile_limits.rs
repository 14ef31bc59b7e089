//! Inputs past the readers' limits (`avails_model::limits`) through the
//! binary: decompression bombs, files that never end (a symlink to
//! `/dev/zero`), a cell or document too long to hold. Each is exit 2 with a
//! message naming the limit and the variable that raises it; raising it
//! lets the same file through. Every input is generated here, small on
//! disk; where the limit is in the hundreds of MiB the test lowers it with
//! its variable instead of writing that much.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use avails_test_support::{avails_bin, describe, text, xlsx_package, Avails};

const COLUMNS: [&str; 5] = ["ALID", "Territory", "LicenseType", "WorkType", "Start"];

/// A one-sheet workbook ("Movies"): an EMA header row, then `rows` (whole
/// `<row>` elements, or any XML to put after the header row), with a
/// shared-string table of `sst` (the inner XML of `<sst>`) when given.
fn workbook(dir: &Path, name: &str, rows: &str, sst: Option<&str>) -> PathBuf {
    let sst = sst.map(xlsx_package::shared_strings_table);
    let bytes = xlsx_package::workbook(&xlsx_package::worksheet(&COLUMNS, rows), sst.as_deref());
    xlsx_package::write(dir, name, &bytes)
}

/// `count` data rows of one movie each (an EST avail in the US).
fn movie_rows(count: u32) -> String {
    (0..count)
        .map(|i| {
            let r = i + 2;
            format!(
                r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>ALID-{i:07}</t></is></c><c r="B{r}" t="inlineStr"><is><t>US</t></is></c><c r="C{r}" t="inlineStr"><is><t>EST</t></is></c><c r="D{r}" t="inlineStr"><is><t>Movie</t></is></c><c r="E{r}" t="inlineStr"><is><t>2025-01-01</t></is></c></row>"#
            )
        })
        .collect()
}

/// `avails validate FILE`, with the environment variables given.
fn validate(dir: &Path, file: &Path, env: &[(&str, &str)]) -> Output {
    let avails = Avails::new(avails_bin!(), dir);
    let mut cmd = avails.command();
    cmd.arg("validate").arg(file);
    for (k, v) in env {
        cmd.env(k, v);
    }
    avails.run_command(cmd)
}

/// Exit 2, no panic, and `needles` on standard error.
fn assert_limit(out: &Output, needles: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", describe(out));
    assert!(!err.contains("panicked"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` not in: {err}");
    }
    assert!(err.len() < 2048, "a short message, not {} bytes", err.len());
}

/// The limit is not what stopped the run.
fn assert_past_limit(out: &Output, env: &str) {
    let err = text(&out.stderr);
    assert!(!err.contains(env), "{}", describe(out));
    assert_ne!(out.status.code(), Some(2), "{}", describe(out));
}

#[test]
fn a_worksheet_inflating_past_the_part_limit_is_exit_2_until_the_limit_is_raised() {
    let dir = tempfile::tempdir().unwrap();
    // 20,000 rows: about 6 MiB of sheet XML in a file of a few hundred KB.
    let path = workbook(dir.path(), "big.xlsx", &movie_rows(20_000), None);
    assert!(std::fs::metadata(&path).unwrap().len() < 1 << 20);
    let out = validate(dir.path(), &path, &[("AVAILS_MAX_XLSX_PART_MIB", "1")]);
    assert_limit(
        &out,
        &[
            "big.xlsx: part xl/worksheets/sheet1.xml inflates to more than 1 MiB, the limit on one part of an XLSX workbook",
            "AVAILS_MAX_XLSX_PART_MIB=2",
        ],
    );
    let out = validate(dir.path(), &path, &[("AVAILS_MAX_XLSX_PART_MIB", "16")]);
    assert_past_limit(&out, "AVAILS_MAX_XLSX_PART_MIB");
    // The default is far above a sheet this size.
    assert_past_limit(
        &validate(dir.path(), &path, &[]),
        "AVAILS_MAX_XLSX_PART_MIB",
    );
}

#[test]
fn a_shared_string_table_past_the_table_limit_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // 300,000 empty strings: small to zip, held whole by calamine.
    let sst = "<si><t/></si>".repeat(300_000);
    let path = workbook(dir.path(), "sst.xlsx", &movie_rows(2), Some(&sst));
    let out = validate(dir.path(), &path, &[("AVAILS_MAX_XLSX_TABLE_MIB", "1")]);
    assert_limit(
        &out,
        &[
            "part xl/sharedStrings.xml inflates to more than 1 MiB, the limit on one part of an XLSX workbook held whole",
            "AVAILS_MAX_XLSX_TABLE_MIB=2",
        ],
    );
    let out = validate(dir.path(), &path, &[("AVAILS_MAX_XLSX_TABLE_MIB", "8")]);
    assert_past_limit(&out, "AVAILS_MAX_XLSX_TABLE_MIB");
}

#[test]
fn white_space_and_a_huge_cell_are_exit_2_at_the_default_value_limit() {
    let dir = tempfile::tempdir().unwrap();
    // 6 MiB of white space between two rows: a bomb of the kind that
    // peaked at 5.6 GB when it was 2 GB.
    let blank = " ".repeat(6 << 20);
    let rows = format!(
        "{}{blank}{}",
        movie_rows(1),
        movie_rows(1).replace("r=\"2\"", "r=\"3\"")
    );
    let path = workbook(dir.path(), "blank.xlsx", &rows, None);
    let out = validate(dir.path(), &path, &[]);
    assert_limit(
        &out,
        &[
            "blank.xlsx: part xl/worksheets/sheet1.xml holds a text (or white space) between tags of more than 4 MiB",
            "AVAILS_MAX_VALUE_MIB=8",
        ],
    );
    assert_past_limit(
        &validate(dir.path(), &path, &[("AVAILS_MAX_VALUE_MIB", "8")]),
        "AVAILS_MAX_VALUE_MIB",
    );
    // One cell of 6 MiB, in the shared strings.
    let sst = format!("<si><t>{}</t></si>", "T".repeat(6 << 20));
    let path = workbook(dir.path(), "cell.xlsx", &movie_rows(1), Some(&sst));
    assert_limit(
        &validate(dir.path(), &path, &[]),
        &["part xl/sharedStrings.xml holds a text (or white space) between tags of more than 4 MiB"],
    );
}

/// `name` in `dir`, a symlink to `/dev/zero`.
fn endless(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    path
}

/// Runs `avails validate FILE` and returns its output and peak resident
/// memory (bytes), from `wait4`.
fn validate_measured(dir: &Path, file: &Path) -> (Output, u64) {
    let avails = Avails::new(avails_bin!(), dir);
    let mut cmd: Command = avails.command();
    let stderr = dir.join(format!(
        "{}.stderr",
        file.file_name().unwrap().to_string_lossy()
    ));
    cmd.arg("validate")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap());
    let child = cmd.spawn().expect("avails starts");
    let measured = avails_test_support::rusage::wait_measured(child, std::time::Instant::now())
        .expect("wait4");
    let out = Output {
        status: measured.status,
        stdout: Vec::new(),
        stderr: std::fs::read(&stderr).unwrap(),
    };
    (out, measured.peak)
}

#[test]
fn inputs_that_never_end_are_exit_2_naming_the_limit_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "zero.json",
            "zero.json: line 1 is more than 64 MiB, the limit on one JSON document",
            "AVAILS_MAX_JSON_MIB=128",
        ),
        (
            "zero.xml",
            "zero.xml: the file holds a text (or white space) between tags of more than 4 MiB",
            "AVAILS_MAX_VALUE_MIB=8",
        ),
        (
            "zero.csv",
            "zero.csv:line 1: the row that starts here is more than 16 MiB, the limit on one row of a CSV file",
            "AVAILS_MAX_CSV_ROW_MIB=32",
        ),
    ];
    for (name, message, raise) in cases {
        let path = endless(dir.path(), name);
        let (out, peak) = validate_measured(dir.path(), &path);
        assert_limit(&out, &[message, raise]);
        // Before, these grew to 23 GB or never ended; the limits hold them
        // to tens of MiB (a generous bound, so it cannot flake).
        assert!(peak < 400 << 20, "{name}: peak {} MiB", peak >> 20);
    }
}

#[test]
fn an_xml_file_past_the_file_limit_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xml");
    let body = "<Avail><ALID>x</ALID></Avail>\n".repeat(80_000);
    std::fs::write(&path, format!("<AvailList>{body}</AvailList>")).unwrap();
    let out = validate(dir.path(), &path, &[("AVAILS_MAX_XML_MIB", "1")]);
    assert_limit(
        &out,
        &[
            "big.xml: the file is more than 1 MiB, the limit on one MDDF XML file",
            "AVAILS_MAX_XML_MIB=2",
        ],
    );
    let out = validate(dir.path(), &path, &[("AVAILS_MAX_XML_MIB", "4")]);
    assert_past_limit(&out, "AVAILS_MAX_XML_MIB");
}

#[test]
fn json_documents_past_the_limit_are_exit_2_in_each_shape() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(2 << 20);
    let payload = |title: &str| {
        format!(
            r#"{{"avail":{{"ALID":"A1","Licensor":{{"DisplayName":"{title}"}},"Transaction":[]}}}}"#
        )
    };
    let cases = [
        // An element of an array, the others small.
        (
            "array.json",
            format!("[{},{}]", payload("ok"), payload(&long)),
            "array.json: an element of the array is more than 1 MiB",
        ),
        // A line of NDJSON after a good one.
        (
            "lines.ndjson",
            format!("{}\n{}\n", payload("ok"), payload(&long)),
            "lines.ndjson: line 2 is more than 1 MiB",
        ),
        // A document over several lines, read whole.
        (
            "whole.json",
            format!("{{\n\"requestItems\": [\"{long}\"]\n}}"),
            "whole.json: the document is more than 1 MiB",
        ),
    ];
    for (name, content, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let out = validate(dir.path(), &path, &[("AVAILS_MAX_JSON_MIB", "1")]);
        assert_limit(&out, &[message, "AVAILS_MAX_JSON_MIB=2"]);
        let out = validate(dir.path(), &path, &[("AVAILS_MAX_JSON_MIB", "4")]);
        assert_past_limit(&out, "AVAILS_MAX_JSON_MIB");
    }
}

#[test]
fn a_limit_variable_that_is_not_a_number_is_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path(), "ok.xlsx", &movie_rows(1), None);
    let out = validate(dir.path(), &path, &[("AVAILS_MAX_VALUE_MIB", "lots")]);
    assert_limit(
        &out,
        &["AVAILS_MAX_VALUE_MIB=lots: expected a whole number of MiB, at least 1"],
    );
}
