//! On-demand benchmark of `avails convert`, `validate` and `submit
//! --dry-run` on large generated EMA 1.8 workbooks. Never run in CI.
//!
//! `cargo bench -p avails-cli --bench convert` (sizes: `-- 100000 1000000`;
//! `--runs N` repeats each measurement and keeps the best time).
//!
//! For each size it writes (once, under `target/bench-data`) a workbook laid
//! out like `samples/*.xlsx` (three header rows, 43 columns) with many titles
//! × territories × 2–6 rows per payload, real date cells, numbers and text,
//! and the same rows as CSV. Then it runs, each as a child process measured
//! with `wait4` (wall time and peak resident memory):
//! - a bare calamine read of the sheet (this binary re-invoked with
//!   `--read-only FILE`, streaming every cell with `worksheet_cells_reader`):
//!   the floor every other figure is a ratio to,
//! - `avails convert FILE -o -` (NDJSON, discarded) and `-o DIR`,
//! - `avails validate FILE`,
//! - `avails submit FILE --dry-run --sandbox` (plan and journal),
//! - a bare read of the CSV (the csv crate's byte records) and
//!   `avails convert FILE.csv -o -`,
//!
//! and prints a table per size, then each goal of issue 11, met or not.
//! Each XLSX command's runs alternate with bare reads: each run is divided
//! by the read just before it, and a goal is judged by the median of those
//! ratios (the machine's speed drifts over the minutes a size takes, and a
//! bare read alone varies by a third between two runs). The table also
//! gives the best run over the fastest read beside it, and the ratio to the
//! first read.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{open_workbook, DataRef, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

type BoxError = Box<dyn std::error::Error>;

/// Bumped whenever the generated workbooks change, so stale ones are not reused.
const FORMAT_VERSION: &str = "v3";

const SECTIONS_AND_COLUMNS: [(&str, &str); 43] = [
    ("Avail", "DisplayName"),
    ("Avail", "ALID"),
    ("Disposition", "EntryType"),
    ("Avail", "DMA_ID"),
    ("AvailAsset", "ContentID"),
    ("AvailAsset", "WorkType"),
    ("AvailMetadata", "TitleInternalAlias"),
    ("AvailMetadata", "EpisodeTitleInternalAlias"),
    ("AvailMetadata", "EpisodeNumber"),
    ("AvailAsset", "SeasonContentID"),
    ("AvailMetadata", "SeasonTitleInternalAlias"),
    ("AvailMetadata", "SeasonNumber"),
    ("AvailMetadata", "EpisodeCount"),
    ("AvailAsset", "SeriesContentID"),
    ("AvailMetadata", "SeriesTitleInternalAlias"),
    ("AvailMetadata", "SeasonCount"),
    ("Avail", "BundledALIDs"),
    ("Avail", "AvailID"),
    ("AvailTrans", "LicenseType"),
    ("AvailTrans", "Territory"),
    ("AvailTrans", "FormatProfile"),
    ("AvailTrans", "Start"),
    ("AvailTrans", "End"),
    ("AvailTrans", "LicenseRightsDescription"),
    ("AvailTrans", "ContractID"),
    ("AvailTrans", "AssetLanguage"),
    ("AvailTrans", "AllowedLanguages"),
    ("AvailTrans", "HoldbackLanguage"),
    ("AvailMetadata", "GroupIdentity"),
    ("AvailTrans", "PriceType"),
    ("AvailTrans", "PriceValue"),
    ("AvailTrans", "PriceCurrency"),
    ("AvailTrans", "SRP"),
    ("AvailTrans", "RentalDuration"),
    ("AvailTrans", "WatchDuration"),
    ("AvailTrans", "Download"),
    ("AvailTrans", "Exclusive"),
    ("AvailTrans", "ExclusiveAttributes"),
    ("AvailTrans", "AnnounceDate"),
    ("AvailTrans", "SuppressionLiftDate"),
    ("Extension", "adKey"),
    ("Extension", "CompleteYourBundleDiscountPercentage"),
    ("Extension", "ExcludedFromBundleDiscount"),
];

/// Column index by name in [`SECTIONS_AND_COLUMNS`].
fn col(name: &str) -> u16 {
    SECTIONS_AND_COLUMNS
        .iter()
        .position(|(_, c)| *c == name)
        .unwrap_or_else(|| panic!("no column {name}")) as u16
}

const TERRITORIES: [(&str, &str); 12] = [
    ("US", "USD"),
    ("GB", "GBP"),
    ("FR", "EUR"),
    ("DE", "EUR"),
    ("JP", "JPY"),
    ("CA", "CAD"),
    ("BR", "BRL"),
    ("IN", "INR"),
    ("ES", "EUR"),
    ("IT", "EUR"),
    ("AU", "AUD"),
    ("MX", "MXN"),
];

const LICENSORS: [&str; 5] = ["mgm", "lionsgate", "studiocanal", "a24", "paramount"];
const LANGUAGES: [&str; 4] = [
    "en-US, fr-FR, fr-CA",
    "en-GB, de",
    "en, es-419:subtitle, pt-BR:audio",
    "ja, en:subtitle",
];

/// One transaction row of a payload: license type, format, price tier or not.
#[derive(Clone, Copy)]
struct Window {
    license_type: &'static str,
    format: &'static str,
}

/// Payload shapes: 2 to 6 rows each, all of one business line.
const SHAPES: [&[Window]; 6] = [
    &[
        Window {
            license_type: "VOD",
            format: "HD",
        },
        Window {
            license_type: "VOD",
            format: "SD",
        },
    ],
    &[
        Window {
            license_type: "EST",
            format: "HD",
        },
        Window {
            license_type: "EST",
            format: "UHD",
        },
        Window {
            license_type: "POEST",
            format: "HD",
        },
    ],
    &[
        Window {
            license_type: "VOD",
            format: "HD",
        },
        Window {
            license_type: "VOD",
            format: "SD",
        },
        Window {
            license_type: "VOD",
            format: "UHD",
        },
        Window {
            license_type: "EST",
            format: "HD",
        },
    ],
    &[
        Window {
            license_type: "SVOD",
            format: "HD",
        },
        Window {
            license_type: "SVOD",
            format: "SD",
        },
    ],
    &[
        Window {
            license_type: "VOD",
            format: "HD",
        },
        Window {
            license_type: "VOD",
            format: "SD",
        },
        Window {
            license_type: "VOD",
            format: "UHD",
        },
        Window {
            license_type: "EST",
            format: "HD",
        },
        Window {
            license_type: "EST",
            format: "SD",
        },
    ],
    &[
        Window {
            license_type: "VOD",
            format: "HD",
        },
        Window {
            license_type: "VOD",
            format: "SD",
        },
        Window {
            license_type: "VOD",
            format: "UHD",
        },
        Window {
            license_type: "EST",
            format: "HD",
        },
        Window {
            license_type: "EST",
            format: "SD",
        },
        Window {
            license_type: "EST",
            format: "UHD",
        },
    ],
];

/// A tiny deterministic generator (xorshift), so every run writes the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Formats {
    date: Format,
    money: Format,
}

/// Writes a workbook of `rows` data rows (plus the three header rows).
fn generate(path: &Path, rows: usize) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    let formats = Formats {
        date: Format::new().set_num_format("yyyy-mm-dd"),
        money: Format::new().set_num_format("0.00"),
    };
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("Avails")?;
    // Constant-memory mode writes rows in order: one header row at a time.
    for (c, (section, _)) in SECTIONS_AND_COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *section)?;
    }
    for (c, (_, name)) in SECTIONS_AND_COLUMNS.iter().enumerate() {
        sheet.write_string(1, c as u16, *name)?;
    }
    for c in 0..SECTIONS_AND_COLUMNS.len() {
        sheet.write_string(2, c as u16, if c == 0 { "1.8" } else { "//Opt" })?;
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut written = 0usize;
    let mut title = 0usize;
    let mut row = 3u32;
    while written < rows {
        title += 1;
        let episode = title.is_multiple_of(3);
        let licensor = LICENSORS[title % LICENSORS.len()];
        // Each title is offered in 3 to 8 territories.
        let territories = 3 + rng.below(6) as usize;
        let first = rng.below(TERRITORIES.len() as u64) as usize;
        for t in 0..territories {
            if written >= rows {
                break;
            }
            let (territory, currency) = TERRITORIES[(first + t) % TERRITORIES.len()];
            let shape = SHAPES[rng.below(SHAPES.len() as u64) as usize];
            for (i, w) in shape.iter().enumerate() {
                if written >= rows {
                    break;
                }
                write_row(
                    sheet, &formats, &mut rng, row, title, episode, licensor, territory, currency,
                    i, *w,
                )?;
                row += 1;
                written += 1;
            }
        }
    }
    workbook.save(path)
}

#[allow(clippy::too_many_arguments)]
fn write_row(
    sheet: &mut Worksheet,
    f: &Formats,
    rng: &mut Rng,
    row: u32,
    title: usize,
    episode: bool,
    licensor: &str,
    territory: &str,
    currency: &str,
    index: usize,
    w: Window,
) -> Result<(), XlsxError> {
    let alid = format!(
        "md:alid:eidr-s:{:08X}-{title:06}",
        title * 2_654_435_761 % 0xFFFF_FFFF
    );
    sheet.write_string(row, col("DisplayName"), licensor)?;
    sheet.write_string(row, col("ALID"), &alid)?;
    sheet.write_string(row, col("EntryType"), "Full Extract")?;
    sheet.write_string(
        row,
        col("ContentID"),
        format!(
            "md:cid:eidr-s:{:08X}-{title:06}",
            title * 40_503 % 0xFFFF_FFFF
        ),
    )?;
    if title.is_multiple_of(7) {
        sheet.write_string(row, col("DMA_ID"), format!("DMA{title:07}"))?;
    }
    if episode {
        let series = title / 30;
        let season = 1 + (title / 10) % 5;
        sheet.write_string(row, col("WorkType"), "Episode")?;
        sheet.write_string(
            row,
            col("EpisodeTitleInternalAlias"),
            format!("Series {series} S{season} Episode {}", title % 10 + 1),
        )?;
        sheet.write_number(row, col("EpisodeNumber"), (title % 10 + 1) as f64)?;
        sheet.write_string(
            row,
            col("SeasonContentID"),
            format!("md:cid:season:{series}-{season}"),
        )?;
        sheet.write_string(
            row,
            col("SeasonTitleInternalAlias"),
            format!("Series {series} Season {season}"),
        )?;
        sheet.write_number(row, col("SeasonNumber"), season as f64)?;
        sheet.write_number(row, col("EpisodeCount"), 10.0)?;
        sheet.write_string(
            row,
            col("SeriesContentID"),
            format!("md:cid:series:{series}"),
        )?;
        sheet.write_string(
            row,
            col("SeriesTitleInternalAlias"),
            format!("Series {series}"),
        )?;
        sheet.write_number(row, col("SeasonCount"), 5.0)?;
    } else {
        sheet.write_string(row, col("WorkType"), "Movie")?;
        sheet.write_string(
            row,
            col("TitleInternalAlias"),
            format!("The Movie Number {title}"),
        )?;
    }
    sheet.write_string(
        row,
        col("AvailID"),
        format!("avail-{title}-{territory}-{}-{}", w.license_type, w.format),
    )?;
    sheet.write_string(row, col("LicenseType"), w.license_type)?;
    sheet.write_string(row, col("Territory"), territory)?;
    sheet.write_string(row, col("FormatProfile"), w.format)?;
    let year = 2024 + (title % 3) as u16;
    let month = 1 + (title % 12) as u8;
    let day = 1 + (index % 28) as u8;
    let start = if w.license_type == "POEST" {
        ExcelDateTime::from_ymd(year - 1, month, day)?
    } else {
        ExcelDateTime::from_ymd(year, month, day)?
    };
    sheet.write_datetime_with_format(row, col("Start"), &start, &f.date)?;
    match (w.license_type, rng.below(3)) {
        ("POEST", _) => sheet.write_string(row, col("End"), "ESTStart")?,
        (_, 0) => sheet.write_string(row, col("End"), "Open")?,
        _ => sheet.write_datetime_with_format(
            row,
            col("End"),
            &ExcelDateTime::from_ymd(year + 3, month, day)?,
            &f.date,
        )?,
    };
    sheet.write_string(row, col("LicenseRightsDescription"), "DAB")?;
    sheet.write_string(row, col("ContractID"), format!("CT-{}", title / 50))?;
    sheet.write_string(
        row,
        col("AssetLanguage"),
        LANGUAGES[title % LANGUAGES.len()],
    )?;
    if title.is_multiple_of(4) {
        sheet.write_string(row, col("HoldbackLanguage"), "fr-CA:subtitle")?;
    }
    let price = 2.99 + (rng.below(15) as f64);
    match w.license_type {
        "SVOD" => {
            sheet.write_string(row, col("GroupIdentity"), "prime")?;
        }
        _ => {
            sheet.write_string(row, col("PriceType"), "WSP")?;
            sheet.write_number_with_format(row, col("PriceValue"), price, &f.money)?;
            sheet.write_string(row, col("PriceCurrency"), currency)?;
            sheet.write_number_with_format(row, col("SRP"), price + 1.0, &f.money)?;
        }
    }
    if w.license_type == "VOD" || w.license_type == "SVOD" {
        sheet.write_number(row, col("RentalDuration"), 720.0)?;
        sheet.write_number(row, col("WatchDuration"), 48.0)?;
    }
    sheet.write_string(
        row,
        col("Download"),
        if rng.below(2) == 0 { "Yes" } else { "No" },
    )?;
    sheet.write_string(row, col("Exclusive"), "No")?;
    if w.license_type == "EST" || w.license_type == "POEST" {
        sheet.write_datetime_with_format(
            row,
            col("AnnounceDate"),
            &ExcelDateTime::from_ymd(year - 1, month, 1)?,
            &f.date,
        )?;
    }
    if w.license_type == "POEST" {
        sheet.write_datetime_with_format(
            row,
            col("SuppressionLiftDate"),
            &ExcelDateTime::from_ymd(year - 1, month, 15)?,
            &f.date,
        )?;
    }
    Ok(())
}

/// The workbook of `rows` rows and the same rows as CSV, generated if not
/// already there.
/// Where the workbook of `rows` rows and its CSV twin are kept.
fn workbook_paths(dir: &Path, rows: usize) -> (PathBuf, PathBuf) {
    let path = dir.join(format!("ema-{FORMAT_VERSION}-{rows}.xlsx"));
    let csv = path.with_extension("csv");
    (path, csv)
}

/// Writes the workbook of `rows` rows and its CSV twin unless they exist.
fn workbook(dir: &Path, rows: usize) -> Result<(PathBuf, PathBuf), BoxError> {
    let (path, csv) = workbook_paths(dir, rows);
    if !path.exists() {
        std::fs::create_dir_all(dir)?;
        eprintln!("generating {} ...", path.display());
        let started = Instant::now();
        let tmp = dir.join(format!("ema-{FORMAT_VERSION}-{rows}.xlsx.tmp"));
        generate(&tmp, rows)?;
        std::fs::rename(&tmp, &path)?;
        eprintln!("  done in {:.1?}", started.elapsed());
    }
    if !csv.exists() {
        eprintln!("writing {} ...", csv.display());
        let tmp = csv.with_extension("csv.tmp");
        write_csv(&path, &tmp)?;
        std::fs::rename(&tmp, &csv)?;
    }
    Ok((path, csv))
}

/// The workbook's cells as CSV (UTF-8, dates as `yyyy-mm-dd`, numbers as
/// Excel shows them), the way a rights team's "Save as CSV" gives them.
fn write_csv(xlsx: &Path, out: &Path) -> Result<(), BoxError> {
    let mut wb: Xlsx<_> = open_workbook(xlsx)?;
    let name = wb.sheet_names().first().cloned().ok_or("no sheet")?;
    let range = wb.worksheet_range(&name)?;
    let mut w = csv::Writer::from_path(out)?;
    for row in range.rows() {
        let fields: Vec<String> = row
            .iter()
            .map(|c| match c {
                calamine::Data::DateTime(d) => d
                    .as_datetime()
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                calamine::Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                calamine::Data::Float(f) => format!("{f:.2}"),
                other => other.to_string(),
            })
            .collect();
        w.write_record(&fields)?;
    }
    w.flush()?;
    Ok(())
}

/// Child mode: every byte record of a CSV file, each field touched.
fn read_csv_only(path: &Path) -> Result<(), BoxError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)?;
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record)? {
        records += 1;
        bytes += record.iter().map(|f| f.len() as u64).sum::<u64>();
    }
    println!("{records} records, {bytes} bytes");
    Ok(())
}

/// Child mode: stream every cell of the first sheet and touch its value.
fn read_only(path: &Path) -> Result<(), BoxError> {
    let mut wb: Xlsx<_> = open_workbook(path)?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or("workbook has no sheet")?;
    let mut reader = wb.worksheet_cells_reader(&name)?;
    let (mut cells, mut bytes, mut sum) = (0u64, 0u64, 0f64);
    while let Some(cell) = reader.next_cell()? {
        cells += 1;
        match cell.get_value() {
            DataRef::String(s) => bytes += s.len() as u64,
            DataRef::SharedString(s) => bytes += s.len() as u64,
            DataRef::Float(f) => sum += f,
            DataRef::Int(i) => sum += *i as f64,
            DataRef::DateTime(d) => sum += d.as_f64(),
            DataRef::Bool(b) => bytes += *b as u64,
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => bytes += s.len() as u64,
            DataRef::Error(_) | DataRef::Empty => {}
        }
    }
    println!(
        "{cells} cells, {bytes} text bytes, sum {}",
        std::hint::black_box(sum)
    );
    Ok(())
}

/// Wall time and peak resident memory (bytes) of one child process.
struct Run {
    time: Duration,
    peak: u64,
    status: i32,
}

/// Runs a command to completion, waiting with `wait4` for its own rusage.
/// Standard output goes to the log too, unless `discard_stdout`.
fn measure(cmd: &mut Command, log: &Path, discard_stdout: bool) -> Result<Run, BoxError> {
    let err = File::create(log)?;
    let out = match discard_stdout {
        true => Stdio::null(),
        false => Stdio::from(err.try_clone()?),
    };
    let started = Instant::now();
    let child = cmd.stdout(out).stderr(Stdio::from(err)).spawn()?;
    let measured = avails_test_support::rusage::wait_measured(child, started)
        .map_err(|e| format!("wait4: {e}"))?;
    Ok(Run {
        time: measured.time,
        peak: measured.peak,
        status: measured.status.code().unwrap_or(-1),
    })
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(3)..].join(" | ")
}

fn check(what: &str, run: &Run, log: &Path, allowed: &[i32]) -> Result<(), BoxError> {
    if allowed.contains(&run.status) {
        Ok(())
    } else {
        Err(format!("{what} exited {}: {}", run.status, tail(log)).into())
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn rate(rows: usize, t: Duration) -> String {
    format!("{:.0}", rows as f64 / t.as_secs_f64())
}

/// One command measured at one size.
struct Measured {
    what: &'static str,
    run: Run,
    summary: String,
    /// The fastest of the bare reads run just before each of its runs,
    /// when it was measured against one.
    beside: Option<Duration>,
    /// Each run's time over the bare read run just before it: on a shared
    /// machine whose speed drifts over minutes (a bare read alone varies
    /// by a third from one run to the next), the median of these is what
    /// a goal is judged by, as issue 11 measured ("medians of several runs
    /// measured side by side").
    ratios: Vec<f64>,
}

impl Measured {
    /// The median of the per-run ratios to the read beside each run.
    fn median_ratio(&self) -> Option<f64> {
        let mut r = self.ratios.clone();
        r.sort_by(f64::total_cmp);
        let n = r.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(r[n / 2]),
            _ => Some((r[n / 2 - 1] + r[n / 2]) / 2.0),
        }
    }
}

/// The best of `runs` runs of `cmd` (fastest time, highest peak); `before`
/// runs ahead of each (clearing an output folder), and so does a run of
/// `floor` (the bare read) when given.
fn best(
    runs: usize,
    what: &'static str,
    log: &Path,
    allowed: &[i32],
    before: &dyn Fn(),
    cmd: &dyn Fn() -> Command,
    floor: Option<&dyn Fn() -> Command>,
) -> Result<Measured, BoxError> {
    let mut kept: Option<Run> = None;
    let mut beside: Option<Duration> = None;
    let mut ratios = Vec::new();
    for _ in 0..runs.max(1) {
        let mut read_time = None;
        if let Some(floor) = floor {
            eprintln!("  calamine read, beside {what} ...");
            let read = measure(&mut floor(), log, true)?;
            check("calamine read", &read, log, &[0])?;
            beside = Some(beside.map_or(read.time, |b| b.min(read.time)));
            read_time = Some(read.time);
        }
        before();
        eprintln!("  {what} ...");
        let run = measure(&mut cmd(), log, true)?;
        check(what, &run, log, allowed)?;
        if let Some(read) = read_time {
            ratios.push(run.time.as_secs_f64() / read.as_secs_f64());
        }
        kept = Some(match kept {
            None => run,
            Some(b) => Run {
                time: b.time.min(run.time),
                peak: b.peak.max(run.peak),
                status: run.status,
            },
        });
    }
    Ok(Measured {
        what,
        run: kept.ok_or("no run")?,
        summary: tail(log),
        beside,
        ratios,
    })
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--read-only") => {
            let path = args.get(2).ok_or("--read-only FILE")?;
            return read_only(Path::new(path));
        }
        Some("--read-csv") => {
            let path = args.get(2).ok_or("--read-csv FILE")?;
            return read_csv_only(Path::new(path));
        }
        Some("--prepare") => {
            let rows = args.get(2).and_then(|n| n.parse().ok());
            let dir = args.get(3).ok_or("--prepare ROWS DIR")?;
            return workbook(Path::new(dir), rows.ok_or("--prepare ROWS DIR")?).map(drop);
        }
        _ => {}
    }
    // Sizes, and `--runs N` (default: best of 3 below a million rows, 1 from there).
    let (mut sizes, mut runs) = (Vec::<usize>::new(), None::<usize>);
    let mut rest = args[1..].iter();
    while let Some(a) = rest.next() {
        if a == "--runs" {
            runs = rest.next().and_then(|n| n.parse().ok());
        } else if let Ok(n) = a.parse() {
            sizes.push(n);
        }
    }
    if sizes.is_empty() {
        sizes = vec![100_000, 1_000_000];
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let data = target.join("bench-data");
    let avails = env!("CARGO_BIN_EXE_avails");
    let me = std::env::current_exe()?;

    let mut out = std::io::stdout().lock();
    let mut goals = Vec::new();
    for &rows in &sizes {
        // Written by a child: Linux carries a parent's peak resident memory
        // over fork and exec into its children's, so this process must stay
        // small for the children's peaks to be their own.
        let prepared = Command::new(&me)
            .arg("--prepare")
            .arg(rows.to_string())
            .arg(&data)
            .status()?;
        if !prepared.success() {
            return Err(format!("preparing the {rows}-row workbook failed").into());
        }
        let (xlsx, csv) = workbook_paths(&data, rows);
        let log = data.join(format!("ema-{rows}.log"));
        let out_dir = data.join(format!("out-{rows}"));
        let state = data.join(format!("state-{rows}"));
        let runs = runs.unwrap_or(if rows >= 1_000_000 { 1 } else { 3 });
        let nothing = || {};
        let clear_dir = || {
            let _ = std::fs::remove_dir_all(&out_dir);
        };
        // A fresh journal each run: every unit is planned, none skipped.
        let clear_state = || {
            let _ = std::fs::remove_dir_all(&state);
        };
        let avails_cmd = |args: &[&dyn AsRef<std::ffi::OsStr>]| {
            let mut c = Command::new(avails);
            for a in args {
                c.arg(a);
            }
            c
        };
        eprintln!("{rows} rows:");
        let read_cmd = || {
            let mut c = Command::new(&me);
            c.arg("--read-only").arg(&xlsx);
            c
        };
        let read = best(
            runs,
            "calamine read (floor)",
            &log,
            &[0],
            &nothing,
            &read_cmd,
            None,
        )?;
        let beside: Option<&dyn Fn() -> Command> = Some(&read_cmd);
        let measured = vec![
            best(
                runs,
                "convert -o -",
                &log,
                &[0, 1],
                &nothing,
                &|| avails_cmd(&[&"convert", &xlsx, &"-o", &"-"]),
                beside,
            )?,
            best(
                runs,
                "convert -o DIR",
                &log,
                &[0, 1],
                &clear_dir,
                &|| avails_cmd(&[&"convert", &xlsx, &"-o", &out_dir]),
                beside,
            )?,
            best(
                runs,
                "validate",
                &log,
                &[0, 1],
                &nothing,
                &|| avails_cmd(&[&"validate", &xlsx]),
                beside,
            )?,
            best(
                runs,
                "submit --dry-run",
                &log,
                &[0, 1],
                &clear_state,
                &|| {
                    avails_cmd(&[
                        &"submit",
                        &xlsx,
                        &"--dry-run",
                        &"--sandbox",
                        &"--state-dir",
                        &state,
                    ])
                },
                beside,
            )?,
        ];
        clear_dir();
        clear_state();
        let csv_read = best(
            runs,
            "csv read (floor)",
            &log,
            &[0],
            &nothing,
            &|| {
                let mut c = Command::new(&me);
                c.arg("--read-csv").arg(&csv);
                c
            },
            None,
        )?;
        let csv_convert = best(
            runs,
            "convert CSV -o -",
            &log,
            &[0, 1],
            &nothing,
            &|| avails_cmd(&[&"convert", &csv, &"-o", &"-"]),
            None,
        )?;

        let floor = read.run.time.as_secs_f64();
        writeln!(out)?;
        writeln!(out, "### {rows} rows")?;
        writeln!(out)?;
        writeln!(
            out,
            "| command | time | rows/s | × calamine read | best × fastest read beside | median × read beside | peak memory |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---:|---:|---:|")?;
        for m in std::iter::once(&read)
            .chain(&measured)
            .chain([&csv_read, &csv_convert])
        {
            let beside = match m.beside {
                Some(b) => format!(
                    "{:.2}× ({:.2?})",
                    m.run.time.as_secs_f64() / b.as_secs_f64(),
                    b
                ),
                None => "-".to_string(),
            };
            let median = match m.median_ratio() {
                Some(r) => format!("{r:.2}× ({} runs)", m.ratios.len()),
                None => "-".to_string(),
            };
            writeln!(
                out,
                "| {} | {:.2?} | {} | {:.2}× | {beside} | {median} | {} |",
                m.what,
                m.run.time,
                rate(rows, m.run.time),
                m.run.time.as_secs_f64() / floor,
                mib(m.run.peak)
            )?;
        }
        writeln!(out)?;
        for m in measured.iter().chain([&csv_convert]) {
            writeln!(out, "{}: {}", m.what, m.summary)?;
        }
        let bound: u64 = if rows >= 1_000_000 { 400 } else { 150 } * 1_000_000;
        // Issue 11 sets no speed goal for `-o DIR`: the memory bound, and
        // files written as their groups close.
        let ratio_goal = |what: &str| match what {
            "convert -o -" => Some(1.3),
            "convert -o DIR" => None,
            "validate" => Some(1.5),
            _ => Some(2.0),
        };
        for m in &measured {
            // The median of its runs, each against the read run just
            // before it (the first read otherwise).
            let ratio = m.median_ratio().unwrap_or(m.run.time.as_secs_f64() / floor);
            let speed = match ratio_goal(m.what) {
                Some(limit) => format!("goal ≤ {limit}×: {}", met(ratio <= limit)),
                None => "no speed goal".to_string(),
            };
            goals.push(format!(
                "{rows} rows, {}: {ratio:.2}× the read beside it, median of runs ({speed}), peak {} (goal < {} MB: {})",
                m.what,
                mib(m.run.peak),
                bound / 1_000_000,
                met(m.run.peak < bound),
            ));
        }
        goals.push(format!(
            "{rows} rows, CSV: convert {:.2?} vs XLSX convert {:.2?} (goal: CSV at least as fast: {})",
            csv_convert.run.time,
            measured[0].run.time,
            met(csv_convert.run.time <= measured[0].run.time),
        ));
    }
    writeln!(out)?;
    for g in goals {
        writeln!(out, "{g}")?;
    }
    Ok(())
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}
