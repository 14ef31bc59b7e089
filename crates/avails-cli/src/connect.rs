//! Where requests go: a named profile of `avails.toml`, or a sandbox started
//! in-process on a loopback port with a local database (`--sandbox`).

use std::path::PathBuf;

use anyhow::{Context, Result};
use avails_client::{ApiKey, AvailsClient, Config, ConfigError};
use avails_sandbox::{KnownAlids, RunningSandbox, SandboxConfig};

/// The licensor name used with `--sandbox`.
pub const SANDBOX_LICENSOR: &str = "sandbox";

/// Connection arguments shared by the commands that talk to the API.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// Profile of avails.toml to use (default: the file's default_profile,
    /// or AVAILS_PROFILE).
    #[arg(long, env = "AVAILS_PROFILE", conflicts_with = "sandbox")]
    pub profile: Option<String>,
    /// Use a local sandbox started in-process (no credentials needed); its
    /// state lives in .avails/sandbox.sqlite.
    #[arg(long)]
    pub sandbox: bool,
    /// Configuration file (default: ./avails.toml, else the user's config dir).
    #[arg(long, value_name = "FILE", env = "AVAILS_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder for the journal and the sandbox database.
    #[arg(long, value_name = "DIR", default_value = ".avails")]
    pub state_dir: PathBuf,
    /// With --sandbox: the ALIDs (one per line) whose metadata the sandbox
    /// treats as contributed; it refuses payloads for any other ALID with
    /// UNKNOWN_ALID, as Prime Video does (default: every ALID is accepted).
    #[arg(long, value_name = "FILE", requires = "sandbox")]
    pub known_alids: Option<PathBuf>,
}

/// A ready client, the sandbox behind it if any, and the profile's name.
pub struct Connection {
    /// The API client.
    pub client: AvailsClient,
    /// The profile name (`sandbox` for `--sandbox`).
    pub profile: String,
    /// Keeps the in-process sandbox running.
    pub sandbox: Option<RunningSandbox>,
    /// Where this profile's journal lives.
    pub journal_path: PathBuf,
}

impl ConnectArgs {
    /// Connects: starts the sandbox or resolves the profile.
    pub async fn connect(&self) -> Result<Connection> {
        std::fs::create_dir_all(&self.state_dir)
            .with_context(|| format!("cannot create {}", self.state_dir.display()))?;
        if self.sandbox {
            return self.connect_sandbox().await;
        }
        let config = Config::load(self.config.as_deref())?;
        let name = config.pick_name(
            self.profile.as_deref(),
            std::env::var("AVAILS_PROFILE").ok(),
        );
        let profile = config
            .resolve(self.profile.as_deref())
            .map_err(|e| match e {
                ConfigError::UnknownProfile { .. } => anyhow::Error::new(e).context(
                    "no usable profile: write one in avails.toml (see `avails profiles --help`) or use --sandbox",
                ),
                // The profile exists but a setting is wrong (e.g. its key
                // file): say which profile, and not that there is none.
                e if e.to_string().contains(&format!("profile `{name}`")) => e.into(),
                e => anyhow::Error::new(e).context(format!("profile `{name}`")),
            })?;
        let client = AvailsClient::from_profile(&profile)
            .with_context(|| format!("profile `{}`", profile.name))?;
        Ok(Connection {
            journal_path: self
                .state_dir
                .join(format!("journal-{}.sqlite", safe(&profile.name))),
            profile: profile.name,
            client,
            sandbox: None,
        })
    }

    async fn connect_sandbox(&self) -> Result<Connection> {
        // A fresh random key per run: nothing to configure, nothing to leak.
        let key: String = (0..32)
            .map(|_| format!("{:x}", rand::random::<u8>() % 16))
            .collect();
        let config = SandboxConfig {
            listen: "127.0.0.1:0".parse().expect("loopback address"),
            db_path: Some(self.state_dir.join("sandbox.sqlite")),
            licensors: vec![(SANDBOX_LICENSOR.to_string(), key.clone())],
            known_alids: match &self.known_alids {
                Some(file) => {
                    KnownAlids::default().with(SANDBOX_LICENSOR, KnownAlids::read_list(file)?)
                }
                None => KnownAlids::default(),
            },
            ..SandboxConfig::default()
        };
        let sandbox = avails_sandbox::start(config)
            .await
            .context("cannot start the sandbox")?;
        let client = AvailsClient::builder(sandbox.base_url(), SANDBOX_LICENSOR, ApiKey::new(key))
            .build()
            .context("sandbox client")?;
        Ok(Connection {
            client,
            profile: "sandbox".into(),
            sandbox: Some(sandbox),
            journal_path: self.state_dir.join("journal-sandbox.sqlite"),
        })
    }
}

impl Connection {
    /// Stops the in-process sandbox, if any.
    pub async fn close(self) {
        if let Some(s) = self.sandbox {
            s.shutdown().await;
        }
    }
}

fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A multi-threaded Tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
