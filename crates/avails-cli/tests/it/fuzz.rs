//! Mutation fuzzing of every reader through the `avails` binary.
//!
//! Seeds are the repository's own inputs: the sample workbooks and CSV
//! (`samples/`), the MovieLabs workbooks and MDDF XML (`tests/data/`), and
//! the reference's payload JSON (`tests/fixtures/spec/`, `samples/*.json`);
//! CSV seeds are also made from the sample workbooks' sheets. Each mutant
//! is a seed damaged a few times over: inside an XLSX, the XML parts of the
//! zip are mutated (byte flips, truncation, duplicated or deleted elements,
//! huge numbers in `<v>`, shared-string indexes past the table, odd cell
//! references, types and dimensions, cell formats made dates or durations
//! and date cells given serials far outside Excel's range, missing parts),
//! and sometimes the zip itself;
//! CSV, MDDF XML and payload JSON get the same kinds of damage in their own
//! syntax (quotes, delimiters, NULs, bad bytes, UTF-16, entities, deep
//! nesting, huge values, some past the limit on one value).
//!
//! Mutants are run in batches (`avails convert` or `avails validate` on
//! many files at once, alternately); a batch that fails is re-run file by
//! file to name the mutant, which is kept under the target folder. What
//! must hold: no panic (no exit 101, no `panicked at` on standard error),
//! no hang (a run has `AVAILS_FUZZ_TIMEOUT_SECS`, default 60), and an exit
//! code of 0, 1 or 2.
//!
//! By default each reader gets 300 mutants from a fixed seed. A long run:
//! `AVAILS_FUZZ_MUTANTS=20000 cargo test -p avails-cli --test it fuzz:: -- --nocapture`
//! (`AVAILS_FUZZ_SEED` picks another sequence).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
/// Mutants per reader unless `AVAILS_FUZZ_MUTANTS` says otherwise.
const DEFAULT_MUTANTS: usize = 300;
/// Mutants given to one run of the binary.
const BATCH: usize = 25;

#[test]
fn fuzz_xlsx() {
    let seeds = seed_files(&["samples", "tests/data/movielabs"], &["xlsx"]);
    fuzz("xlsx", 1, &seeds, mutate_xlsx);
}

#[test]
fn fuzz_csv() {
    let mut seeds = seed_files(&["samples"], &["csv"]);
    seeds.extend(csv_from_workbooks());
    fuzz("csv", 2, &seeds, mutate_csv);
}

#[test]
fn fuzz_mddf_xml() {
    let seeds = seed_files(
        &["tests/data/movielabs", "tests/data/movielabs-twins"],
        &["xml"],
    );
    fuzz("xml", 3, &seeds, mutate_xml);
}

#[test]
fn fuzz_payload_json() {
    let mut seeds = seed_files(&["tests/fixtures/spec"], &["json"]);
    seeds.extend(seed_files(&["samples"], &["json"]));
    fuzz("json", 4, &seeds, mutate_json);
}

// ---------------------------------------------------------------- driver

type Mutator = fn(&mut StdRng, &[u8]) -> Vec<u8>;

/// How the binary is run on a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `avails convert -o DIR`.
    ConvertDir,
    /// `avails convert -o -` (NDJSON on standard output).
    ConvertStdout,
    /// `avails validate`.
    Validate,
}

const MODES: [Mode; 4] = [
    Mode::ConvertDir,
    Mode::Validate,
    Mode::ConvertStdout,
    Mode::Validate,
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn fuzz(ext: &str, stream: u64, seeds: &[(String, Vec<u8>)], mutate: Mutator) {
    assert!(!seeds.is_empty(), "no {ext} seeds");
    let total = env_number("AVAILS_FUZZ_MUTANTS", DEFAULT_MUTANTS as u64) as usize;
    let seed = env_number("AVAILS_FUZZ_SEED", 14);
    let timeout = Duration::from_secs(env_number("AVAILS_FUZZ_TIMEOUT_SECS", 60));
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(1_000_003).wrapping_add(stream));
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    // Runs by exit code, and mutants read (not named unreadable).
    let mut exits = [0usize; 3];
    let mut read = 0;
    let mut failures = Vec::new();
    let mut made = 0;
    let mut batch_no = 0;
    while made < total {
        let n = BATCH.min(total - made);
        let mut files = Vec::with_capacity(n);
        for i in 0..n {
            let (_, seed_bytes) = &seeds[rng.random_range(0..seeds.len())];
            // The first mutants of a run are the seeds themselves, so the
            // harness is shown to read good input.
            let bytes = if made + i < seeds.len() {
                seeds[made + i].1.clone()
            } else {
                mutate(&mut rng, seed_bytes)
            };
            let path = dir.path().join(format!("b{batch_no}-m{i}.{ext}"));
            std::fs::write(&path, &bytes).unwrap();
            files.push(path);
        }
        let mode = MODES[batch_no % MODES.len()];
        let result = run(dir.path(), &files, mode, timeout);
        match result {
            Ok((code, stderr)) => {
                exits[code as usize] += 1;
                let unreadable = files
                    .iter()
                    .filter(|f| stderr.contains(&format!("error: {}", f.display())))
                    .count();
                read += files.len() - unreadable;
            }
            Err(why) => failures.extend(name_culprits(dir.path(), &files, mode, timeout, why)),
        }
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
        made += n;
        batch_no += 1;
    }
    println!(
        "fuzz {ext}: {made} mutants from {} seeds (seed {seed}) in {batch_no} runs, {:.1} s: \
         {read} mutants read, {} unreadable; runs exiting 0: {}, 1: {}, 2: {}; {} failures",
        seeds.len(),
        started.elapsed().as_secs_f64(),
        made - read,
        exits[0],
        exits[1],
        exits[2],
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(
        read > 0,
        "no {ext} input was read at all: the harness is broken"
    );
}

/// Runs `avails convert` or `validate` on `files`; the exit code and
/// standard error, or why the run is a failure.
fn run(
    dir: &Path,
    files: &[PathBuf],
    mode: Mode,
    timeout: Duration,
) -> Result<(i32, String), String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_avails"));
    cmd.current_dir(dir)
        .env("AVAILS_LOG", "error")
        .env_remove("RUST_BACKTRACE");
    let out_dir = dir.join("out");
    let _ = std::fs::remove_dir_all(&out_dir);
    match mode {
        Mode::Validate => cmd.arg("validate"),
        Mode::ConvertStdout => cmd.args(["convert", "-o", "-"]),
        Mode::ConvertDir => cmd.arg("convert").arg("-o").arg(&out_dir),
    };
    cmd.args(files);
    let stdout = std::fs::File::create(dir.join("stdout")).unwrap();
    let stderr = std::fs::File::create(dir.join("stderr")).unwrap();
    cmd.stdin(Stdio::null()).stdout(stdout).stderr(stderr);
    let mut child = cmd.spawn().expect("avails runs");
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("hang: no exit within {} s", timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut err = String::new();
    std::fs::File::open(dir.join("stderr"))
        .unwrap()
        .take(16 << 20)
        .read_to_string(&mut err)
        .ok();
    let code = status.code();
    if let Some(at) = err.find("panicked at") {
        let end = (at + 600).min(err.len());
        let end = (end..err.len())
            .find(|&i| err.is_char_boundary(i))
            .unwrap_or(err.len());
        return Err(format!("panic (exit {code:?}): {}", &err[at..end]));
    }
    match code {
        Some(c @ 0..=2) => Ok((c, err)),
        other => Err(format!(
            "exit {other:?}: {}",
            err.chars().take(600).collect::<String>()
        )),
    }
}

/// Re-runs each file of a failed batch alone, in every mode; keeps the
/// ones that fail.
fn name_culprits(
    dir: &Path,
    files: &[PathBuf],
    mode: Mode,
    timeout: Duration,
    batch_why: String,
) -> Vec<String> {
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    std::fs::create_dir_all(&keep).unwrap();
    let mut found = Vec::new();
    for f in files {
        let modes = std::iter::once(mode).chain(MODES.into_iter().filter(|&m| m != mode));
        for m in modes {
            if let Err(why) = run(dir, std::slice::from_ref(f), m, timeout) {
                let kept = keep.join(f.file_name().unwrap());
                std::fs::copy(f, &kept).unwrap();
                found.push(format!("{m:?} {}: {why}", kept.display()));
                break;
            }
        }
    }
    if found.is_empty() {
        // Only the combination fails: keep the whole batch.
        for f in files {
            std::fs::copy(f, keep.join(f.file_name().unwrap())).unwrap();
        }
        found.push(format!(
            "{mode:?} on a batch of {} files (kept in {}), not alone: {batch_why}",
            files.len(),
            keep.display()
        ));
    }
    found
}

// ------------------------------------------------------------------ seeds

fn seed_files(dirs: &[&str], exts: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for d in dirs {
        let mut entries: Vec<_> = std::fs::read_dir(Path::new(ROOT).join(d))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| exts.contains(&e))
            })
            .collect();
        entries.sort();
        for p in entries {
            seeds.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    seeds
}

/// Every sheet of the sample workbooks, written as CSV the way Excel does.
fn csv_from_workbooks() -> Vec<(String, Vec<u8>)> {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut seeds = Vec::new();
    for (name, _) in seed_files(&["samples"], &["xlsx"]) {
        let mut wb: Xlsx<_> = open_workbook(&name).unwrap();
        for sheet in wb.sheet_names() {
            let range = wb.worksheet_range(&sheet).unwrap();
            let mut text = String::new();
            for row in range.rows() {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| {
                        let s = match c {
                            Data::Empty => String::new(),
                            Data::DateTime(d) => d
                                .as_datetime()
                                .map(|d| d.format("%Y-%m-%d").to_string())
                                .unwrap_or_default(),
                            other => other.to_string(),
                        };
                        if s.contains([',', '"', '\n']) {
                            format!("\"{}\"", s.replace('"', "\"\""))
                        } else {
                            s
                        }
                    })
                    .collect();
                text.push_str(&cells.join(","));
                text.push_str("\r\n");
            }
            seeds.push((format!("{name}:{sheet}"), text.into_bytes()));
        }
    }
    seeds
}

// ----------------------------------------------------- generic mutations

const TEXT_TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b";",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\0",
    b"\xFF",
    b"\xC3",
    b"\xE9",
    b"\xEF\xBB\xBF",
    b"\xED\xA0\x80",
    b"<",
    b">",
    b"&",
    b"]]>",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"\\",
    b"\\u0000",
    b"-",
    b"1e999",
    b"99999999999999999999",
    b"NaN",
    b"//",
    b"Open",
    b"2025-02-30",
    b"0000-00-00T25:61:61",
    b"%s%n",
    b"\x1b[31m",
];

const HUGE_NUMBERS: &[&str] = &[
    "1e308",
    "-1e308",
    "1e309",
    "-1e400",
    "1E+99999",
    "4.9e-324",
    "99999999999999999999999999",
    "-0",
    "NaN",
    "inf",
    "-inf",
    "2958466",
    "2958465.99999999",
    "-1",
    "0x1F",
    "1,5",
    "",
    "   ",
    "18446744073709551616",
    "1.7976931348623157e308",
    "60",
    "1e-999",
];

fn pick<'a, T: ?Sized>(rng: &mut StdRng, items: &'a [&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

fn position(rng: &mut StdRng, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        rng.random_range(0..=len)
    }
}

fn flip_bytes(rng: &mut StdRng, data: &mut [u8]) {
    if data.is_empty() {
        return;
    }
    for _ in 0..rng.random_range(1..=4) {
        let at = rng.random_range(0..data.len());
        if rng.random_bool(0.5) {
            data[at] ^= 1 << rng.random_range(0..8);
        } else {
            data[at] = rng.random();
        }
    }
}

fn truncate(rng: &mut StdRng, data: &mut Vec<u8>) {
    let at = position(rng, data.len());
    data.truncate(at);
}

fn insert_token(rng: &mut StdRng, data: &mut Vec<u8>, tokens: &[&[u8]]) {
    let token = pick(rng, tokens).to_vec();
    let at = position(rng, data.len());
    data.splice(at..at, token);
}

fn delete_range(rng: &mut StdRng, data: &mut Vec<u8>) {
    if data.is_empty() {
        return;
    }
    let at = rng.random_range(0..data.len());
    let len = rng.random_range(1..=64.min(data.len() - at));
    data.drain(at..at + len);
}

fn duplicate_range(rng: &mut StdRng, data: &mut Vec<u8>) {
    if data.is_empty() {
        return;
    }
    let at = rng.random_range(0..data.len());
    let len = rng.random_range(1..=256.min(data.len() - at));
    let copy = data[at..at + len].to_vec();
    let to = position(rng, data.len());
    data.splice(to..to, copy);
}

fn huge_value(rng: &mut StdRng) -> Vec<u8> {
    let n = match rng.random_range(0..3) {
        0 => 1_000,
        1 => 100_000,
        // Now and then past the limit on one value (4 MiB by default).
        _ if rng.random_bool(0.2) => 5 << 20,
        _ => 2_000_000,
    };
    let c = *pick(rng, &[&b'X', &b'9', &b'"', &b',', &b'<']);
    vec![c; n]
}

/// Byte-level damage any format gets.
fn mutate_bytes(rng: &mut StdRng, data: &mut Vec<u8>, tokens: &[&[u8]]) {
    match rng.random_range(0..7) {
        0 => flip_bytes(rng, data),
        1 => truncate(rng, data),
        2 | 3 => insert_token(rng, data, tokens),
        4 => delete_range(rng, data),
        5 => duplicate_range(rng, data),
        _ => {
            let at = position(rng, data.len());
            let value = huge_value(rng);
            data.splice(at..at, value);
        }
    }
}

// -------------------------------------------------------------- XML

/// Start and end of a random element (`<name ...>...</name>` or `<name/>`).
fn random_element(rng: &mut StdRng, xml: &[u8]) -> Option<(usize, usize)> {
    let starts: Vec<usize> = xml
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] == b'<' && w[1].is_ascii_alphabetic())
        .map(|(i, _)| i)
        .collect();
    if starts.is_empty() {
        return None;
    }
    let start = starts[rng.random_range(0..starts.len())];
    let name_end = xml[start + 1..]
        .iter()
        .position(|&b| b == b' ' || b == b'>' || b == b'/' || b == b'\n' || b == b'\t')
        .map(|p| start + 1 + p)?;
    let name = &xml[start + 1..name_end];
    let tag_end = xml[start..]
        .iter()
        .position(|&b| b == b'>')
        .map(|p| start + p)?;
    if xml[tag_end - 1] == b'/' {
        return Some((start, tag_end + 1));
    }
    let mut close = b"</".to_vec();
    close.extend_from_slice(name);
    close.push(b'>');
    let end = find(&xml[tag_end..], &close).map(|p| tag_end + p + close.len())?;
    Some((start, end))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    hay.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

/// Replaces the text between a random `open` and the next `close`.
fn replace_between(rng: &mut StdRng, xml: &mut Vec<u8>, open: &[u8], close: &[u8], value: &[u8]) {
    let opens = all(xml, open);
    if opens.is_empty() {
        return;
    }
    let at = opens[rng.random_range(0..opens.len())] + open.len();
    if let Some(len) = find(&xml[at..], close) {
        xml.splice(at..at + len, value.iter().copied());
    }
}

const XML_TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"&#xD800;",
    b"&lt;",
    b"&unknown;",
    b"<![CDATA[x]]>",
    b"]]>",
    b"<!-- c -->",
    b"<?pi x?>",
    b"\"",
    b"'",
    b"\0",
    b"\xFF",
    b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>",
    b"<!DOCTYPE x SYSTEM \"file:///etc/passwd\">",
    b"xmlns=\"urn:x\"",
    b"xmlns:md=\"\"",
    b"</x>",
    b"<x>",
    b"<x/>",
    b"=\"\"",
];

/// XML damage: elements duplicated, deleted, emptied, nested deep, or
/// byte-level damage.
fn mutate_xml_part(rng: &mut StdRng, xml: &mut Vec<u8>) {
    match rng.random_range(0..8) {
        0 | 1 => {
            if let Some((s, e)) = random_element(rng, xml) {
                let copy = xml[s..e].to_vec();
                let times = if rng.random_bool(0.1) { 200 } else { 1 };
                for _ in 0..times {
                    xml.splice(e..e, copy.iter().copied());
                }
            }
        }
        2 => {
            if let Some((s, e)) = random_element(rng, xml) {
                xml.drain(s..e);
            }
        }
        3 => {
            // The text of an element becomes a huge number, a long text or nothing.
            let value: Vec<u8> = match rng.random_range(0..3) {
                0 => pick(rng, HUGE_NUMBERS).as_bytes().to_vec(),
                1 => huge_value(rng),
                _ => Vec::new(),
            };
            let opens: Vec<usize> = xml
                .windows(2)
                .enumerate()
                .filter(|(_, w)| w[0] == b'>' && w[1] != b'<')
                .map(|(i, _)| i + 1)
                .collect();
            if !opens.is_empty() {
                let at = opens[rng.random_range(0..opens.len())];
                let len = xml[at..].iter().position(|&b| b == b'<').unwrap_or(0);
                xml.splice(at..at + len, value);
            }
        }
        4 => {
            let depth = if rng.random_bool(0.5) { 50 } else { 5_000 };
            let at = position(rng, xml.len());
            let mut nest = b"<d>".repeat(depth);
            nest.extend(b"</d>".repeat(depth));
            xml.splice(at..at, nest);
        }
        _ => mutate_bytes(rng, xml, XML_TOKENS),
    }
}

fn mutate_xml(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut xml = seed.to_vec();
    for _ in 0..rng.random_range(1..=3) {
        mutate_xml_part(rng, &mut xml);
    }
    xml
}

// ------------------------------------------------------------- XLSX

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().into_owned();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (name, data)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

const CELL_REFERENCES: &[&str] = &[
    "A0",
    "XFD1048576",
    "XFE1",
    "A1048577",
    "ZZZZZZZ1",
    "A99999999999",
    "1A",
    "",
    "AA",
    "a1",
    "A-1",
    "$A$1",
];
const CELL_TYPES: &[&str] = &["s", "b", "e", "d", "str", "inlineStr", "n", "x", ""];
const DIMENSIONS: &[&str] = &[
    "B5:A1",
    "1:65536",
    "A1:XFD1048576",
    "",
    "A1:B2:C3",
    "Z",
    "A1:",
];

/// Damage an XLSX part with the cell-level changes a spreadsheet reader
/// must survive, or XML damage.
fn mutate_sheet(rng: &mut StdRng, xml: &mut Vec<u8>, strings: usize) {
    match rng.random_range(0..10) {
        0 | 1 => {
            let v = pick(rng, HUGE_NUMBERS).as_bytes().to_vec();
            replace_between(rng, xml, b"<v>", b"</v>", &v);
        }
        2 | 3 => {
            // A shared-string index past the table (or not a number).
            let index = match rng.random_range(0..4) {
                0 => strings.to_string(),
                1 => (strings + 1_000_000).to_string(),
                2 => "-1".into(),
                _ => "4294967296".into(),
            };
            let cells = all(xml, b"t=\"s\"");
            if let Some(&at) = cells.get(rng.random_range(0..cells.len().max(1))) {
                if let Some(v) = find(&xml[at..], b"<v>") {
                    let from = at + v + 3;
                    if let Some(len) = find(&xml[from..], b"</v>") {
                        xml.splice(from..from + len, index.into_bytes());
                    }
                }
            }
        }
        4 => {
            let r = pick(rng, CELL_REFERENCES).as_bytes().to_vec();
            replace_between(rng, xml, b" r=\"", b"\"", &r);
        }
        5 => {
            let t = pick(rng, CELL_TYPES).as_bytes().to_vec();
            replace_between(rng, xml, b" t=\"", b"\"", &t);
        }
        6 => {
            let d = pick(rng, DIMENSIONS).as_bytes().to_vec();
            replace_between(rng, xml, b"<dimension ref=\"", b"\"", &d);
        }
        7 => {
            let s = pick(rng, &["999999", "-1", "x", "4294967296"])
                .as_bytes()
                .to_vec();
            replace_between(rng, xml, b" s=\"", b"\"", &s);
        }
        _ => mutate_xml_part(rng, xml),
    }
}

const EXTREME_SERIALS: &[&str] = &[
    "-1e308",
    "-1e400",
    "-inf",
    "1e308",
    "inf",
    "NaN",
    "2958466",
    "2958465.9999999",
    "-1",
    "-0.0000001",
    "1e20",
    "-2958466",
    "60",
    "0",
];

/// A cell becomes a date, time or duration with a serial far outside
/// Excel's range: a new cell format is added and a random number cell of
/// a sheet uses it.
fn extreme_date_cell(rng: &mut StdRng, parts: &mut [(String, Vec<u8>)]) {
    let Some(styles) = parts.iter().position(|(n, _)| n.ends_with("styles.xml")) else {
        return;
    };
    let sheets: Vec<usize> = (0..parts.len())
        .filter(|&i| parts[i].0.starts_with("xl/worksheets/"))
        .collect();
    if sheets.is_empty() {
        return;
    }
    let xml = &mut parts[styles].1;
    let (Some(open), Some(close)) = (find(xml, b"<cellXfs"), find(xml, b"</cellXfs>")) else {
        return;
    };
    let index = all(&xml[open..close], b"<xf ").len();
    let id = pick(rng, &["14", "21", "22", "46", "47"]);
    let xf = format!(r#"<xf numFmtId="{id}" applyNumberFormat="1"/>"#);
    xml.splice(close..close, xf.into_bytes());
    let sheet = &mut parts[sheets[rng.random_range(0..sheets.len())]].1;
    let cells = all(sheet, b"<c r=\"");
    if cells.is_empty() {
        return;
    }
    let start = cells[rng.random_range(0..cells.len())];
    let reference_end = start
        + 6
        + sheet[start + 6..]
            .iter()
            .position(|&b| b == b'"')
            .unwrap_or(0);
    let reference = String::from_utf8_lossy(&sheet[start + 6..reference_end]).into_owned();
    let Some(tag_end) = sheet[start..]
        .iter()
        .position(|&b| b == b'>')
        .map(|p| start + p)
    else {
        return;
    };
    let end = if sheet[tag_end - 1] == b'/' {
        tag_end + 1
    } else {
        match find(&sheet[tag_end..], b"</c>") {
            Some(p) => tag_end + p + 4,
            None => return,
        }
    };
    let serial = pick(rng, EXTREME_SERIALS);
    let cell = format!(r#"<c r="{reference}" s="{index}"><v>{serial}</v></c>"#);
    sheet.splice(start..end, cell.into_bytes());
}

/// Sets every `numFmtId` of a styles part to `id`.
fn retype_formats(xml: &mut Vec<u8>, id: &[u8]) {
    let key = b"numFmtId=\"";
    let mut out = Vec::with_capacity(xml.len());
    let mut rest = &xml[..];
    while let Some(at) = find(rest, key) {
        out.extend_from_slice(&rest[..at + key.len()]);
        rest = &rest[at + key.len()..];
        let end = rest.iter().position(|&b| b == b'"').unwrap_or(0);
        out.extend_from_slice(id);
        rest = &rest[end..];
    }
    out.extend_from_slice(rest);
    *xml = out;
}

fn mutate_xlsx(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut parts = unzip(seed);
    let strings = parts
        .iter()
        .find(|(n, _)| n.ends_with("sharedStrings.xml"))
        .map(|(_, d)| all(d, b"<si>").len() + all(d, b"<si ").len())
        .unwrap_or(0);
    for _ in 0..rng.random_range(1..=3) {
        if parts.is_empty() {
            break;
        }
        let sheets: Vec<usize> = (0..parts.len())
            .filter(|&i| parts[i].0.starts_with("xl/worksheets/"))
            .collect();
        let choice = rng.random_range(0..20);
        let index = match choice {
            0..=10 if !sheets.is_empty() => sheets[rng.random_range(0..sheets.len())],
            11..=14 => match parts
                .iter()
                .position(|(n, _)| n.ends_with("sharedStrings.xml"))
            {
                Some(i) => i,
                None => continue,
            },
            16 => {
                // Every cell format becomes a date, time or duration, so
                // numbers go through the date conversions.
                if let Some(i) = parts.iter().position(|(n, _)| n.ends_with("styles.xml")) {
                    let id = pick(rng, &["14", "21", "22", "46", "47"])
                        .as_bytes()
                        .to_vec();
                    retype_formats(&mut parts[i].1, &id);
                }
                continue;
            }
            17 => {
                extreme_date_cell(rng, &mut parts);
                continue;
            }
            15 if parts.len() > 1 => {
                // A part goes missing.
                parts.remove(rng.random_range(0..parts.len()));
                continue;
            }
            _ => rng.random_range(0..parts.len()),
        };
        let (name, data) = &mut parts[index];
        if name.ends_with(".xml") || name.ends_with(".rels") {
            mutate_sheet(rng, data, strings);
        } else {
            mutate_bytes(rng, data, XML_TOKENS);
        }
    }
    let mut bytes = rezip(&parts);
    if rng.random_bool(0.05) {
        // The zip itself is damaged.
        if rng.random_bool(0.5) {
            truncate(rng, &mut bytes);
        } else {
            flip_bytes(rng, &mut bytes);
        }
    }
    bytes
}

// -------------------------------------------------------------- CSV

fn line_starts(data: &[u8]) -> Vec<usize> {
    std::iter::once(0)
        .chain(
            data.iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|&i| i < data.len())
        .collect()
}

fn mutate_csv(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut csv = seed.to_vec();
    for _ in 0..rng.random_range(1..=3) {
        match rng.random_range(0..10) {
            0 | 1 => {
                // A line duplicated or deleted.
                let starts = line_starts(&csv);
                if starts.is_empty() {
                    continue;
                }
                let i = rng.random_range(0..starts.len());
                let end = starts.get(i + 1).copied().unwrap_or(csv.len());
                let line = csv[starts[i]..end].to_vec();
                if rng.random_bool(0.5) {
                    csv.drain(starts[i]..end);
                } else {
                    csv.splice(end..end, line);
                }
            }
            2 => {
                let v = pick(rng, HUGE_NUMBERS).as_bytes().to_vec();
                let commas = all(&csv, b",");
                if let Some(&at) = commas.get(rng.random_range(0..commas.len().max(1))) {
                    let len = csv[at + 1..]
                        .iter()
                        .position(|&b| b == b',' || b == b'\n')
                        .unwrap_or(0);
                    csv.splice(at + 1..at + 1 + len, v);
                }
            }
            3 => {
                // Another delimiter throughout.
                let to = *pick(rng, &[&b';', &b'\t', &b'|']);
                for b in csv.iter_mut().filter(|b| **b == b',') {
                    *b = to;
                }
            }
            4 if rng.random_bool(0.3) => {
                // Saved as UTF-16 (with or without a byte-order mark).
                let text = String::from_utf8_lossy(&csv).into_owned();
                let big_endian = rng.random_bool(0.5);
                let bom = rng.random_bool(0.7).then_some(0xFEFFu16);
                csv = bom
                    .into_iter()
                    .chain(text.encode_utf16())
                    .flat_map(|u| {
                        if big_endian {
                            u.to_be_bytes()
                        } else {
                            u.to_le_bytes()
                        }
                    })
                    .collect();
            }
            _ => mutate_bytes(rng, &mut csv, TEXT_TOKENS),
        }
    }
    csv
}

// ------------------------------------------------------------- JSON

const JSON_VALUES: &[&str] = &[
    "1e999",
    "-1",
    "null",
    "true",
    "[]",
    "{}",
    "\"\"",
    "\"x\"",
    "18446744073709551616",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "0.1e-400",
    "[[[[[[[[[[]]]]]]]]]]",
    "\"2025-13-45\"",
    "\"Open\"",
    "-0",
    "{\"a\":{\"b\":{}}}",
];

fn mutate_json(rng: &mut StdRng, seed: &[u8]) -> Vec<u8> {
    let mut json = seed.to_vec();
    for _ in 0..rng.random_range(1..=3) {
        match rng.random_range(0..10) {
            0..=2 => {
                // A value replaced.
                let colons = all(&json, b": ");
                if let Some(&at) = colons.get(rng.random_range(0..colons.len().max(1))) {
                    let from = at + 2;
                    let len = json[from..]
                        .iter()
                        .position(|&b| b == b',' || b == b'\n')
                        .unwrap_or(0);
                    let value = if rng.random_bool(0.1) {
                        let mut v = b"\"".to_vec();
                        v.extend(vec![b'X'; 1_000_000]);
                        v.push(b'"');
                        v
                    } else {
                        pick(rng, JSON_VALUES).as_bytes().to_vec()
                    };
                    json.splice(from..from + len, value);
                }
            }
            3 | 4 => {
                // A line (a member, mostly) duplicated or deleted.
                let starts = line_starts(&json);
                if starts.is_empty() {
                    continue;
                }
                let i = rng.random_range(0..starts.len());
                let end = starts.get(i + 1).copied().unwrap_or(json.len());
                let line = json[starts[i]..end].to_vec();
                if rng.random_bool(0.5) {
                    json.drain(starts[i]..end);
                } else {
                    json.splice(end..end, line);
                }
            }
            5 => {
                let depth = if rng.random_bool(0.5) { 100 } else { 100_000 };
                let at = position(rng, json.len());
                let mut nest = b"[".repeat(depth);
                nest.extend(b"]".repeat(depth));
                json.splice(at..at, nest);
            }
            _ => mutate_bytes(rng, &mut json, TEXT_TOKENS),
        }
    }
    json
}
