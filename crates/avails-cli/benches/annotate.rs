//! On-demand benchmark of `avails validate --annotate` against `avails
//! validate` of the same workbook. Never run in CI.
//!
//! `cargo bench -p avails-cli --bench annotate` (sizes: `-- 100000`;
//! `--runs N`, default 3).
//!
//! For each size it writes (once, under `target/bench-data`) a workbook of
//! `samples/tvod-movie.xlsx`'s three header rows and its data rows repeated,
//! each title's ALID and each row's AvailID made unique, and one row in 50
//! given the territory `UK` (not an ISO code: a finding, so a marked cell).
//! Then it runs `avails validate FILE` and `avails validate FILE --annotate
//! OUT.xlsx` alternately, each as a child process measured with `wait4`
//! (wall time and peak resident memory), and prints annotate's time over
//! validate's (the median of the runs' ratios, each annotate run divided by
//! the validate run just before it) and annotate's peak memory.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;

type BoxError = Box<dyn std::error::Error>;

/// Bumped whenever the generated workbooks change.
const FORMAT_VERSION: &str = "a1";
/// One row in this many gets a territory that is not an ISO code.
const BROKEN_EVERY: usize = 50;

fn generate(path: &Path, rows: usize) -> Result<(), BoxError> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/tvod-movie.xlsx");
    let mut book: Xlsx<_> = open_workbook(&sample)?;
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name)?;
    let all: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let (headers, data) = all.split_at(3);
    let col = |title: &str| headers[1].iter().position(|d| *d == title);
    let (alid, avail_id, territory) = (
        col("ALID").ok_or("no ALID column")?,
        col("AvailID").ok_or("no AvailID column")?,
        col("Territory").ok_or("no Territory column")?,
    );
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet_with_constant_memory()?;
    ws.set_name(&name)?;
    let put = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, d: &Data| match d {
        Data::String(s) => ws.write_string(r, c, s).map(drop),
        Data::Float(f) => ws.write_number(r, c, *f).map(drop),
        Data::Int(i) => ws.write_number(r, c, *i as f64).map(drop),
        Data::Bool(b) => ws.write_boolean(r, c, *b).map(drop),
        Data::Empty => Ok(()),
        other => ws.write_string(r, c, other.to_string()).map(drop),
    };
    for (r, row) in headers.iter().enumerate() {
        for (c, d) in row.iter().enumerate() {
            put(ws, r as u32, c as u16, d)?;
        }
    }
    for i in 0..rows {
        let row = &data[i % data.len()];
        let r = 3 + i as u32;
        for (c, d) in row.iter().enumerate() {
            let d = if c == alid {
                Data::String(format!("{d}-{}", i / data.len()))
            } else if c == avail_id {
                Data::String(format!("{d}-{i}"))
            } else if c == territory && i % BROKEN_EVERY == BROKEN_EVERY - 1 {
                Data::String("UK".into())
            } else {
                d.clone()
            };
            put(ws, r, c as u16, &d)?;
        }
    }
    workbook.save(path)?;
    Ok(())
}

fn workbook(dir: &Path, rows: usize) -> Result<PathBuf, BoxError> {
    let path = dir.join(format!("annotate-{FORMAT_VERSION}-{rows}.xlsx"));
    if !path.exists() {
        std::fs::create_dir_all(dir)?;
        eprintln!("generating {} ...", path.display());
        let tmp = path.with_extension("xlsx.tmp");
        generate(&tmp, rows)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(path)
}

/// Wall time and peak resident memory (bytes) of one child process.
struct Run {
    time: Duration,
    peak: u64,
    status: i32,
}

/// Runs a command to completion, waiting with `wait4` for its own rusage.
fn measure(cmd: &mut Command, log: &Path) -> Result<Run, BoxError> {
    let err = File::create(log)?;
    let started = Instant::now();
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::from(err)).spawn()?;
    let measured = avails_test_support::rusage::wait_measured(child, started)
        .map_err(|e| format!("wait4: {e}"))?;
    Ok(Run {
        time: measured.time,
        peak: measured.peak,
        status: measured.status.code().unwrap_or(-1),
    })
}

fn check(what: &str, run: &Run, log: &Path) -> Result<(), BoxError> {
    // 1: the workbook has findings, as it should.
    if run.status == 1 {
        Ok(())
    } else {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        Err(format!("{what} exited {}: {text}", run.status).into())
    }
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--prepare") {
        let rows = args
            .get(2)
            .and_then(|n| n.parse().ok())
            .ok_or("--prepare ROWS DIR")?;
        let dir = args.get(3).ok_or("--prepare ROWS DIR")?;
        return workbook(Path::new(dir), rows).map(drop);
    }
    let (mut sizes, mut runs) = (Vec::<usize>::new(), 3usize);
    let mut rest = args[1..].iter();
    while let Some(a) = rest.next() {
        if a == "--runs" {
            runs = rest.next().and_then(|n| n.parse().ok()).unwrap_or(3);
        } else if let Ok(n) = a.parse() {
            sizes.push(n);
        }
    }
    if sizes.is_empty() {
        sizes = vec![100_000];
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let data = target.join("bench-data");
    let avails = env!("CARGO_BIN_EXE_avails");
    let me = std::env::current_exe()?;
    for rows in sizes {
        // Written by a child, so this process stays small: Linux carries a
        // parent's peak memory over into its children's.
        if !Command::new(&me)
            .arg("--prepare")
            .arg(rows.to_string())
            .arg(&data)
            .status()?
            .success()
        {
            return Err(format!("preparing the {rows}-row workbook failed").into());
        }
        let xlsx = data.join(format!("annotate-{FORMAT_VERSION}-{rows}.xlsx"));
        let out = data.join(format!("annotated-{rows}.xlsx"));
        let log = data.join(format!("annotate-{rows}.log"));
        let mut ratios = Vec::new();
        let (mut best_validate, mut best_annotate) = (Duration::MAX, Duration::MAX);
        let (mut peak_validate, mut peak_annotate) = (0u64, 0u64);
        for _ in 0..runs {
            let v = measure(Command::new(avails).arg("validate").arg(&xlsx), &log)?;
            check("validate", &v, &log)?;
            let _ = std::fs::remove_file(&out);
            let a = measure(
                Command::new(avails)
                    .arg("validate")
                    .arg(&xlsx)
                    .arg("--annotate")
                    .arg(&out),
                &log,
            )?;
            check("validate --annotate", &a, &log)?;
            ratios.push(a.time.as_secs_f64() / v.time.as_secs_f64());
            best_validate = best_validate.min(v.time);
            best_annotate = best_annotate.min(a.time);
            peak_validate = peak_validate.max(v.peak);
            peak_annotate = peak_annotate.max(a.peak);
        }
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ratios.len() / 2];
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        // validate's last line: "... N errors, M warnings" (each a marked cell).
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let findings = text
            .lines()
            .rev()
            .find_map(|l| l.split_once("): "))
            .map_or("?", |(_, counts)| counts)
            .to_string();
        println!(
            "{rows} rows ({findings}), {runs} runs: validate best {:.2}s, peak {:.0} MiB; \
             validate --annotate best {:.2}s, peak {:.0} MiB; annotate/validate median {:.2}x \
             (goal: at most 2x and under 150 MB: {})",
            best_validate.as_secs_f64(),
            mib(peak_validate),
            best_annotate.as_secs_f64(),
            mib(peak_annotate),
            median,
            if median <= 2.0 && peak_annotate < 150_000_000 {
                "met"
            } else {
                "NOT met"
            }
        );
    }
    Ok(())
}
