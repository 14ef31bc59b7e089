//! Load check of `avails serve`: 20 uploads of a 10,000-row EMA workbook
//! at once. Every check page must be right (rows read, errors at the known
//! cells) and the server's memory must stay bounded: conversions wait for
//! one of `jobs` slots, so 20 uploads cost about what `jobs` cost, not 20
//! times one. Prints the resident memory (sampled every 20 ms): at rest,
//! the peak of one check alone, and the peak of the 20 at once.
//!
//! Run: `cargo bench -p avails-serve --bench load` (Linux: reads /proc).
//! The allocator is the `avails` binary's (mimalloc), so the figures are
//! the shipped server's.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use avails_client::{ApiKey, AvailsClient};
use avails_sandbox::SandboxConfig;
use rust_xlsxwriter::{Workbook, XlsxError};

/// The `avails` binary's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const ROWS: usize = 10_000;
const UPLOADS: usize = 20;
/// Every this many rows, one Territory is `UK` (not an ISO 3166-1 code).
const BAD_EVERY: usize = 500;
const COLUMNS: [&str; 17] = [
    "DisplayName",
    "ALID",
    "EntryType",
    "ContentID",
    "WorkType",
    "TitleInternalAlias",
    "AvailID",
    "LicenseType",
    "Territory",
    "FormatProfile",
    "Start",
    "End",
    "PriceType",
    "PriceValue",
    "PriceCurrency",
    "SRP",
    "AssetLanguage",
];
const TERRITORIES: [(&str, &str); 5] = [
    ("US", "USD"),
    ("FR", "EUR"),
    ("DE", "EUR"),
    ("JP", "JPY"),
    ("CA", "CAD"),
];

/// 1,000 movies x 5 territories x EST HD and SD: 10,000 rows, sorted by
/// title; the Territory of every 500th row is `UK`.
fn workbook(path: &Path) -> Result<(), XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name("Movies")?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *name)?;
    }
    for c in 0..COLUMNS.len() {
        sheet.write_string(1, c as u16, if c == 0 { "1.8" } else { "//Opt" })?;
    }
    let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap() as u16;
    for n in 0..ROWS {
        let row = 2 + n as u32;
        let title = n / 10;
        let (territory, currency) = TERRITORIES[(n / 2) % 5];
        let format = if n % 2 == 0 { "HD" } else { "SD" };
        let territory = if (n + 1) % BAD_EVERY == 0 {
            "UK"
        } else {
            territory
        };
        sheet.write_string(row, col("DisplayName"), "Load Films")?;
        sheet.write_string(row, col("ALID"), format!("md:alid:load:{title:05}"))?;
        sheet.write_string(row, col("EntryType"), "Full Extract")?;
        sheet.write_string(row, col("ContentID"), format!("md:cid:load:{title:05}"))?;
        sheet.write_string(row, col("WorkType"), "Movie")?;
        sheet.write_string(
            row,
            col("TitleInternalAlias"),
            format!("Load Movie {title}"),
        )?;
        sheet.write_string(
            row,
            col("AvailID"),
            format!("load-{title}-{territory}-{format}"),
        )?;
        sheet.write_string(row, col("LicenseType"), "EST")?;
        sheet.write_string(row, col("Territory"), territory)?;
        sheet.write_string(row, col("FormatProfile"), format)?;
        sheet.write_string(row, col("Start"), "2025-01-01")?;
        sheet.write_string(row, col("End"), "Open")?;
        sheet.write_string(row, col("PriceType"), "WSP")?;
        sheet.write_number(row, col("PriceValue"), 9.99)?;
        sheet.write_string(row, col("PriceCurrency"), currency)?;
        sheet.write_number(row, col("SRP"), 14.99)?;
        sheet.write_string(row, col("AssetLanguage"), "en")?;
    }
    book.save(path)
}

/// Resident memory of this process, in bytes.
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}

fn mib(b: u64) -> String {
    format!("{:.0} MiB", b as f64 / 1048576.0)
}

/// Uploads the workbook as one set and reads its check page; checks it.
async fn check_once(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    body: Vec<u8>,
) -> Result<Duration, BoxError> {
    let started = Instant::now();
    let set: serde_json::Value = http
        .post(format!("{base}/api/sets"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    let id = set["id"].as_u64().ok_or("no set id")?;
    let r = http
        .post(format!("{base}/api/sets/{id}/files?name=load.xlsx"))
        .bearer_auth(token)
        .body(body)
        .send()
        .await?;
    if !r.status().is_success() {
        return Err(format!("upload: {}", r.status()).into());
    }
    let page = http
        .get(format!("{base}/sets/{id}/check?column=Territory"))
        .bearer_auth(token)
        .send()
        .await?;
    if !page.status().is_success() {
        return Err(format!("check: {}", page.status()).into());
    }
    let page = page.text().await?;
    // What the sheet says: 10,000 rows read; 20 Territory cells `UK`, each
    // an error at its cell (column I, Territory; row n+3 for data row n).
    let bad = ROWS / BAD_EVERY;
    for want in [
        "<div class=\"value\">10,000</div><div class=\"label\">Rows read</div>".to_string(),
        format!("<strong>{bad} errors</strong>"),
        "Movies!I502".to_string(),
        "Movies!I10002".to_string(),
    ] {
        if !page.contains(&want) {
            return Err(format!("set {id}: the check page lacks `{want}`").into());
        }
    }
    Ok(started.elapsed())
}

fn main() -> Result<(), BoxError> {
    let dir = tempfile::tempdir()?;
    let sheet = dir.path().join("load.xlsx");
    workbook(&sheet)?;
    let body = std::fs::read(&sheet)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let state = dir.path().join("state");
        std::fs::create_dir_all(&state)?;
        let key = "k".repeat(32);
        let sandbox = avails_sandbox::start(SandboxConfig {
            listen: "127.0.0.1:0".parse()?,
            db_path: Some(avails_journal::sandbox_db_path(&state)),
            licensors: vec![("sandbox".into(), key.clone())],
            ..SandboxConfig::default()
        })
        .await?;
        let client = AvailsClient::builder(sandbox.base_url(), "sandbox", ApiKey::new(key)).build()?;
        let jobs = avails_serve::DEFAULT_JOBS;
        let bound = avails_serve::bind(avails_serve::ServeConfig {
            listen: "127.0.0.1:0".parse()?,
            state_dir: state.clone(),
            profile: "sandbox".into(),
            client,
            journal_path: avails_journal::journal_path(&state, "sandbox"),
            options: avails_convert::ConvertOptions {
                mapping: avails_mapping::Mapping::default_table(),
                timezone: None,
            },
            upload_limit: avails_serve::DEFAULT_UPLOAD_LIMIT,
            jobs,
            token: None,
            allow_remote: false,
            tls: None,
        })
        .await?;
        let base = format!("http://{}", bound.local_addr());
        let token = bound.token().to_string();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(bound.run(async move {
            let _ = rx.await;
        }));

        // Resident memory, sampled.
        let peak = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (peak, stop) = (peak.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(rss(), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(20));
                }
            })
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(600))
            .build()?;
        let at_rest = rss();
        peak.store(at_rest, Ordering::Relaxed);
        let one = check_once(&http, &base, &token, body.clone()).await?;
        let peak_one = peak.load(Ordering::Relaxed);

        peak.store(rss(), Ordering::Relaxed);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..UPLOADS {
            let (http, base, token, body) = (http.clone(), base.clone(), token.clone(), body.clone());
            tasks.push(tokio::spawn(async move { check_once(&http, &base, &token, body).await }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await??);
        }
        let all = started.elapsed();
        let peak_all = peak.load(Ordering::Relaxed);
        stop.store(true, Ordering::Relaxed);
        let _ = sampler.join();
        times.sort();

        println!(
            "load: {UPLOADS} uploads of a {ROWS}-row workbook ({:.1} MB) at once, {jobs} conversion slots",
            body.len() as f64 / 1e6
        );
        println!("  every check page right: {UPLOADS}/{UPLOADS} (10,000 rows read, 20 errors at their cells)");
        println!("  one check alone: {:.2} s", one.as_secs_f64());
        println!(
            "  20 at once: all answered in {:.1} s (fastest {:.1} s, slowest {:.1} s)",
            all.as_secs_f64(),
            times[0].as_secs_f64(),
            times[times.len() - 1].as_secs_f64()
        );
        println!(
            "  resident memory: {} at rest, peak {} for one check, peak {} for 20 at once",
            mib(at_rest),
            mib(peak_one),
            mib(peak_all)
        );
        let _ = tx.send(());
        server.await??;
        sandbox.shutdown().await;
        // Bounded: 20 at once may cost what `jobs` checks cost, with room
        // for the uploads in flight, not 20 times one.
        let per_check = peak_one.saturating_sub(at_rest).max(1);
        let budget = at_rest + per_check * (jobs as u64 + 2) + 64 * 1024 * 1024;
        if peak_all > budget {
            return Err(format!(
                "memory not bounded: peak {} for 20 at once, over {} ({} slots of {} each)",
                mib(peak_all),
                mib(budget),
                jobs,
                mib(per_check)
            )
            .into());
        }
        Ok::<(), BoxError>(())
    })?;
    Ok(())
}
