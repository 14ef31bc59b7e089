//! On-demand benchmark of `avails convert` and `avails validate` on large
//! generated EMA 1.8 workbooks. Never run in CI.
//!
//! `cargo bench -p avails-cli --bench convert` (sizes: `-- 100000 1000000`;
//! `--runs N` repeats each measurement and keeps the best time).
//!
//! For each size it writes (once, under `target/bench-data`) a workbook laid
//! out like `samples/*.xlsx` (three header rows, 43 columns) with many titles
//! × territories × 2–6 rows per payload, real date cells, numbers and text.
//! Then it runs, each as a child process measured with `wait4`:
//! - a bare calamine read of the sheet (this binary re-invoked with
//!   `--read-only FILE`, streaming every cell with `worksheet_cells_reader`),
//! - `avails convert FILE -o DIR` (the real binary),
//! - `avails convert FILE -o -` (NDJSON, discarded), to tell the cost of
//!   writing one file per payload from the rest,
//! - `avails validate FILE` (on the smallest size only),
//!
//! and prints rows/s, the convert/read time ratio and each child's peak memory.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{open_workbook, DataRef, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

type BoxError = Box<dyn std::error::Error>;

/// Bumped whenever the generated workbooks change, so stale ones are not reused.
const FORMAT_VERSION: &str = "v2";

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
    let sheet = workbook.add_worksheet_with_constant_memory();
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

/// The workbook of `rows` rows, generated if not already there.
fn workbook(dir: &Path, rows: usize) -> Result<PathBuf, BoxError> {
    let path = dir.join(format!("ema-{FORMAT_VERSION}-{rows}.xlsx"));
    if !path.exists() {
        std::fs::create_dir_all(dir)?;
        eprintln!("generating {} ...", path.display());
        let started = Instant::now();
        let tmp = dir.join(format!("ema-{FORMAT_VERSION}-{rows}.xlsx.tmp"));
        generate(&tmp, rows)?;
        std::fs::rename(&tmp, &path)?;
        eprintln!("  done in {:.1?}", started.elapsed());
    }
    Ok(path)
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

/// The fastest of `runs` runs of a command, with the highest peak memory.
fn best_of(
    runs: usize,
    mut cmd: impl FnMut() -> Command,
    log: &Path,
    what: &str,
    allowed: &[i32],
    before: &dyn Fn(),
    discard_stdout: bool,
) -> Result<Run, BoxError> {
    let mut best: Option<Run> = None;
    for _ in 0..runs.max(1) {
        before();
        let run = measure(&mut cmd(), log, discard_stdout)?;
        check(what, &run, log, allowed)?;
        best = Some(match best {
            None => run,
            Some(b) => Run {
                time: b.time.min(run.time),
                peak: b.peak.max(run.peak),
                status: run.status,
            },
        });
    }
    best.ok_or_else(|| "no run".into())
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
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let time = started.elapsed();
    if waited != pid {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()).into());
    }
    // The child is reaped; dropping the handle does not wait again.
    drop(child);
    let status = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok(Run {
        time,
        peak: usage.ru_maxrss as u64 * 1024,
        status,
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

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--read-only") {
        let path = args.get(2).ok_or("--read-only FILE")?;
        return read_only(Path::new(path));
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

    let mut table = Vec::new();
    let mut validate_line = None;
    let smallest = sizes.iter().copied().min().unwrap_or(0);
    for &rows in &sizes {
        let file = workbook(&data, rows)?;
        let log = data.join(format!("ema-{rows}.log"));
        let out_dir = data.join(format!("out-{rows}"));

        // Runs alternate between the read and convert so that load from
        // elsewhere on the machine hits both alike; each keeps its best time.
        let runs = runs.unwrap_or(if rows >= 1_000_000 { 1 } else { 3 });
        let (mut read, mut convert, mut ndjson): (Option<Run>, Option<Run>, Option<Run>) =
            (None, None, None);
        let mut last_summary = String::new();
        let keep = |best: Option<Run>, run: Run| match best {
            None => run,
            Some(b) => Run {
                time: b.time.min(run.time),
                peak: b.peak.max(run.peak),
                status: run.status,
            },
        };
        for run in 1..=runs {
            eprintln!("{rows} rows, run {run}/{runs}: calamine read ...");
            let r = best_of(
                1,
                || {
                    let mut c = Command::new(&me);
                    c.arg("--read-only").arg(&file);
                    c
                },
                &log,
                "calamine read",
                &[0],
                &|| {},
                false,
            )?;
            read = Some(keep(read, r));
            eprintln!("{rows} rows, run {run}/{runs}: avails convert ...");
            let c = best_of(
                1,
                || {
                    let mut c = Command::new(avails);
                    c.arg("convert").arg(&file).arg("-o").arg(&out_dir);
                    c
                },
                &log,
                "avails convert",
                &[0, 1],
                &|| {
                    let _ = std::fs::remove_dir_all(&out_dir);
                },
                false,
            )?;
            convert = Some(keep(convert, c));
            let summary = tail(&log);
            let _ = std::fs::remove_dir_all(&out_dir);
            last_summary = summary;
            // The same conversion with the payloads as NDJSON on standard
            // output (discarded): what writing one file per payload costs.
            eprintln!("{rows} rows, run {run}/{runs}: avails convert -o - ...");
            let n = best_of(
                1,
                || {
                    let mut c = Command::new(avails);
                    c.arg("convert").arg(&file).arg("-o").arg("-");
                    c
                },
                &log,
                "avails convert -o -",
                &[0, 1],
                &|| {},
                true,
            )?;
            ndjson = Some(keep(ndjson, n));
        }
        let (read, convert, ndjson) = match (read, convert, ndjson) {
            (Some(r), Some(c), Some(n)) => (r, c, n),
            _ => return Err("no run".into()),
        };

        table.push((rows, read, convert, ndjson, last_summary));

        if rows == smallest {
            eprintln!("{rows} rows: avails validate ...");
            let validate = best_of(
                runs,
                || {
                    let mut c = Command::new(avails);
                    c.arg("validate").arg(&file);
                    c
                },
                &log,
                "avails validate",
                &[0, 1],
                &|| {},
                true,
            )?;
            validate_line = Some((rows, validate, tail(&log)));
        }
    }

    let mut out = std::io::stdout().lock();
    writeln!(out)?;
    writeln!(
        out,
        "| rows | calamine read | read peak | convert -o DIR | convert rows/s | convert/read | convert peak | convert -o - (no files) | -o - /read |"
    )?;
    writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    let (mut first_convert, mut goals) = (None, Vec::new());
    for (rows, read, convert, ndjson, _) in &table {
        let ratio = convert.time.as_secs_f64() / read.time.as_secs_f64();
        writeln!(
            out,
            "| {rows} | {:.2?} ({} rows/s) | {} | {:.2?} | {} | {ratio:.2}x | {} | {:.2?} ({} rows/s, {}) | {:.2}x |",
            read.time,
            rate(*rows, read.time),
            mib(read.peak),
            convert.time,
            rate(*rows, convert.time),
            mib(convert.peak),
            ndjson.time,
            rate(*rows, ndjson.time),
            mib(ndjson.peak),
            ndjson.time.as_secs_f64() / read.time.as_secs_f64(),
        )?;
        goals.push(format!(
            "{rows} rows: convert/read {ratio:.2}x (goal <= 1.5x: {})",
            if ratio <= 1.5 { "met" } else { "NOT met" }
        ));
        if *rows >= 1_000_000 {
            goals.push(format!(
                "{rows} rows: convert peak {} (goal < 1 GB: {})",
                mib(convert.peak),
                if convert.peak < 1_000_000_000 {
                    "met"
                } else {
                    "NOT met"
                }
            ));
        }
        if *rows == smallest {
            first_convert = Some((convert.time, ndjson.time));
        }
    }
    if let (Some((rows, validate, _)), Some((convert, ndjson))) = (&validate_line, first_convert) {
        let over = |t: Duration| (validate.time.as_secs_f64() / t.as_secs_f64() - 1.0) * 100.0;
        let (added, added_ndjson) = (over(convert), over(ndjson));
        writeln!(out)?;
        writeln!(
            out,
            "| rows | validate | validate rows/s | over convert -o DIR | over convert -o - | validate peak |"
        )?;
        writeln!(out, "|---:|---:|---:|---:|---:|---:|")?;
        writeln!(
            out,
            "| {rows} | {:.2?} | {} | {added:+.0}% | {added_ndjson:+.0}% | {} |",
            validate.time,
            rate(*rows, validate.time),
            mib(validate.peak)
        )?;
        goals.push(format!(
            "{rows} rows: validate adds {added:.0}% over convert (goal < 25%: {})",
            if added < 25.0 { "met" } else { "NOT met" }
        ));
    }
    writeln!(out)?;
    for (rows, _, _, _, summary) in &table {
        writeln!(out, "convert {rows}: {summary}")?;
    }
    if let Some((rows, _, summary)) = &validate_line {
        writeln!(out, "validate {rows}: {summary}")?;
    }
    writeln!(out)?;
    for g in goals {
        writeln!(out, "{g}")?;
    }
    Ok(())
}
