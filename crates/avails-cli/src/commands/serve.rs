//! `avails serve`: the local page to check, compare and send sheets
//! (`avails-serve`); this command only connects, as the others do, and
//! prints the page's address with its token.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::connect::{runtime, ConnectArgs};
use crate::output;

/// Run a local web page to check, compare and send sheets.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on. A non-loopback address needs --tls-cert and
    /// --tls-key, or --allow-remote.
    #[arg(long, default_value = "127.0.0.1:8470")]
    pub listen: SocketAddr,
    /// Serve HTTPS with this certificate chain (PEM, leaf first).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM); refused when others may read it
    /// (chmod 600).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Acknowledge listening beyond loopback without TLS: the page, its
    /// token and the sheets travel unencrypted on that network.
    #[arg(long)]
    pub allow_remote: bool,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Largest file accepted, in MB.
    #[arg(long, value_name = "MB", default_value_t = avails_serve::DEFAULT_UPLOAD_LIMIT / (1024 * 1024))]
    pub upload_limit: u64,
    /// Conversions run at once (the others wait their turn).
    #[arg(long, default_value_t = avails_serve::DEFAULT_JOBS as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    #[command(flatten)]
    pub reading: crate::input::ReadingArgs,
}

/// Runs the command until Ctrl-C (or SIGTERM).
pub fn run(args: Args) -> Result<ExitCode> {
    // Settings resolved once: the profile, its state and its avails.toml
    // (whose date_order the page reads by, as submit does).
    let settings = args.connect.settings()?;
    let options = args.reading.options_with(settings.config())?;
    let tls = args
        .tls_cert
        .clone()
        .zip(args.tls_key.clone())
        .map(|(cert, key)| avails_serve::TlsFiles { cert, key });
    // Refused before connecting: a listening address the page may not use.
    avails_serve::check_listen(args.listen, tls.as_ref(), args.allow_remote)
        .context("cannot start the page")?;
    let rt = runtime()?;
    rt.block_on(async {
        let connection = settings.connect().await?;
        let config = avails_serve::ServeConfig {
            listen: args.listen,
            state_dir: connection.state_dir.clone(),
            profile: connection.profile.clone(),
            client: connection.client.clone(),
            journal_path: connection.journal_path.clone(),
            options,
            upload_limit: args.upload_limit.saturating_mul(1024 * 1024),
            jobs: args.jobs.into(),
            token: None,
            allow_remote: args.allow_remote,
            tls,
        };
        let bound = avails_serve::bind(config)
            .await
            .context("cannot start the page")?;
        outln!("{}", bound.url());
        errln!(
            "avails serve: open the address above (its token is this run's secret); \
             requests go to profile `{}`; Ctrl-C stops and removes the uploads",
            connection.profile
        );
        {
            use std::io::Write;
            let _ = output::stdout().flush();
        }
        if args.open {
            open_browser(bound.url());
        }
        bound.run(stopped()).await?;
        connection.close().await;
        Ok(output::EXIT_OK.into())
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Opens `url` in the default browser; says so when it cannot.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        errln!("cannot open a browser ({opener}: {e}): open the address above yourself");
    }
}
