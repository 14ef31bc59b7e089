//! `avails sandbox`: a local Prime Video Avails and Asset Status API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{ensure, Context, Result};
use avails_client::config::read_key_file;
use avails_journal::sandbox_db_path;
use avails_sandbox::{SandboxConfig, TlsConfig, DEFAULT_LISTEN};

use crate::connect::StateArgs;
use crate::output;

/// Run a local server that behaves like Prime Video's Avails API.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value_t = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// SQLite database holding what was put (kept across restarts; default:
    /// the state directory's sandbox.sqlite).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    #[command(flatten)]
    pub state: StateArgs,
    /// A licensor the server accepts (repeat; pair each with --api-key-file).
    #[arg(long = "licensor", value_name = "NAME")]
    pub licensors: Vec<String>,
    /// File holding the API key of the licensor at the same position
    /// (readable by its owner only).
    #[arg(long = "api-key-file", value_name = "FILE")]
    pub api_key_files: Vec<PathBuf>,
    /// Server certificate (PEM); serves HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Server private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// CA (PEM) whose client certificates are required (mutual TLS).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub client_ca: Option<PathBuf>,
    /// Requests per second before 429 (0: no limit).
    #[arg(long, default_value_t = avails_sandbox::DEFAULT_TPS)]
    pub tps: u32,
    /// Requests in flight before 429 (0: no limit).
    #[arg(long, default_value_t = avails_sandbox::DEFAULT_MAX_CONCURRENCY)]
    pub max_concurrency: u32,
    /// Share of requests answered 500/503 before touching state (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Delay added to every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// LICENSOR=FILE: the ALIDs (one per line) of that licensor's metadata
    /// contributions; its payloads for other ALIDs are refused with
    /// UNKNOWN_ALID (repeat per licensor; default: every ALID is accepted).
    /// FILE alone when there is one --licensor.
    #[arg(long = "known-alids", value_name = "[LICENSOR=]FILE")]
    pub known_alids: Vec<String>,
}

/// Runs the command until Ctrl-C.
pub fn run(args: Args) -> Result<ExitCode> {
    ensure!(
        args.licensors.len() == args.api_key_files.len(),
        "give one --api-key-file per --licensor ({} licensors, {} key files)",
        args.licensors.len(),
        args.api_key_files.len()
    );
    ensure!(
        (0.0..=1.0).contains(&args.fail_rate),
        "--fail-rate must be between 0 and 1"
    );
    let mut licensors = Vec::new();
    for (name, file) in args.licensors.iter().zip(&args.api_key_files) {
        let key = read_key_file(file).with_context(|| format!("licensor `{name}`"))?;
        licensors.push((name.clone(), key.expose().trim().to_string()));
    }
    ensure!(
        !licensors.is_empty(),
        "give at least one --licensor NAME --api-key-file FILE"
    );
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(TlsConfig::from_files(cert, key, args.client_ca.as_deref())?)
        }
        _ => None,
    };
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| sandbox_db_path(&args.state.resolve(&crate::connect::Target::Sandbox)));
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut known_alids = avails_sandbox::KnownAlids::default();
    for spec in &args.known_alids {
        let (licensor, file) = crate::connect::known_alids_spec(spec, &args.licensors)?;
        known_alids.insert(&licensor, avails_sandbox::KnownAlids::read_list(&file)?);
    }
    let config = SandboxConfig {
        listen: args.listen,
        db_path: Some(db.clone()),
        licensors,
        tls,
        tps: (args.tps > 0).then_some(args.tps),
        max_concurrency: (args.max_concurrency > 0).then_some(args.max_concurrency),
        fail_rate: args.fail_rate,
        latency_ms: args.latency_ms,
        known_alids,
        ..SandboxConfig::default()
    };
    avails_sandbox::run_blocking(config, |s| {
        outln!("{}", s.base_url());
        errln!(
            "sandbox listening on {} (database {}); Ctrl-C to stop",
            s.base_url(),
            db.display()
        );
    })?;
    Ok(output::EXIT_OK.into())
}
