//! Where requests go and where their state lives, resolved once per command
//! into [`Settings`] (flags first, then `avails.toml`, then the
//! environment): a named profile of `avails.toml` or a sandbox started
//! in-process on a loopback port (`--sandbox`), and the state directory that
//! holds the profile's journal and writer lock. [`Settings::session`] is the
//! one way a command connects and closes.

use std::path::PathBuf;

use anyhow::{Context, Result};
use avails_client::config::{user_config_file, CONFIG_FILE, EXAMPLE_PROFILE};
use avails_client::{ApiKey, AvailsClient, Config, ConfigError};
use avails_journal::{
    journal_path, sandbox_db_path, user_state_dir, WriterLock, DEFAULT_STATE_DIR, SANDBOX_PROFILE,
};
use avails_sandbox::{KnownAlids, RunningSandbox, SandboxConfig};

/// The configuration file argument (`AVAILS_CONFIG` is read by `avails-client`).
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Configuration file (default: $AVAILS_CONFIG, else ./avails.toml, else
    /// avails.toml in the user's config directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The state directory argument.
#[derive(Debug, Clone, clap::Args)]
pub struct StateArgs {
    /// Folder for the journal, the writer lock and the sandbox database
    /// (default: a profile's live in the user's data directory, e.g.
    /// ~/.local/share/avails, whatever folder the command runs from; the
    /// --sandbox runs' in .avails beside the sheet).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

impl StateArgs {
    /// The state directory of `target`: `--state-dir`, else `.avails` in
    /// the current folder for the sandbox, else the user's data directory
    /// (`.avails` when the system names none).
    pub fn resolve(&self, target: &Target) -> PathBuf {
        if let Some(dir) = &self.state_dir {
            return dir.clone();
        }
        match target {
            Target::Sandbox => PathBuf::from(DEFAULT_STATE_DIR),
            Target::Profile { .. } => {
                user_state_dir().unwrap_or_else(|| PathBuf::from(DEFAULT_STATE_DIR))
            }
        }
    }
}

/// Where a command's requests go.
#[derive(Debug, Clone)]
pub enum Target {
    /// The sandbox started in-process (`--sandbox`), or, for `journal`, the
    /// journal its runs wrote.
    Sandbox,
    /// A profile of the configuration file (or of the environment alone).
    Profile {
        /// The profile's name.
        name: String,
        /// The configuration it is read from.
        config: Box<Config>,
    },
}

/// What to use when neither `--profile`, `$AVAILS_PROFILE`,
/// `default_profile` nor a file of one profile names a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unnamed {
    /// The profile `default` (an error explaining `avails.toml` when the
    /// file lacks it and the environment does not define one).
    DefaultProfile,
    /// The sandbox's runs (`avails journal` without any profile configured).
    SandboxRuns,
}

impl Target {
    /// Chooses the target, the one place a profile is chosen: the sandbox
    /// when asked, else `profile`, else `$AVAILS_PROFILE`, else the file's
    /// `default_profile`, else its only profile, else `unnamed`.
    pub fn choose(
        sandbox: bool,
        profile: Option<&str>,
        config: &ConfigArgs,
        unnamed: Unnamed,
    ) -> Result<Self> {
        if sandbox {
            return Ok(Self::Sandbox);
        }
        let config = Config::load(config.config.as_deref())?;
        if profile.is_none() && !config.has_implicit_profile() && unnamed == Unnamed::SandboxRuns {
            return Ok(Self::Sandbox);
        }
        Ok(Self::Profile {
            name: config.profile_name(profile),
            config: Box::new(config),
        })
    }

    /// The profile's name (`sandbox` for the sandbox).
    pub fn profile(&self) -> &str {
        match self {
            Self::Sandbox => SANDBOX_PROFILE,
            Self::Profile { name, .. } => name,
        }
    }
}

/// A command's settings, resolved once: where requests go and where the
/// journal and the writer lock live.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where requests go.
    pub target: Target,
    /// The state directory (see [`StateArgs::resolve`]).
    pub state_dir: PathBuf,
    /// `--known-alids` of the in-process sandbox.
    known_alids: Option<String>,
    /// The configuration file read for `--sandbox` (found as for a profile;
    /// none when there is none or it does not parse: the sandbox needs no
    /// profile).
    sandbox_config: Option<Config>,
}

/// Connection arguments shared by the commands that talk to the API.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// Profile of avails.toml to use (default: $AVAILS_PROFILE, else the
    /// file's default_profile, else its only profile).
    #[arg(long, conflicts_with = "sandbox")]
    pub profile: Option<String>,
    /// Use a local sandbox started in-process (no credentials needed); its
    /// state lives in the state directory's sandbox.sqlite.
    #[arg(long)]
    pub sandbox: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub state: StateArgs,
    /// With --sandbox: the ALIDs (one per line) whose metadata the sandbox
    /// treats as contributed; it refuses payloads for any other ALID with
    /// UNKNOWN_ALID, as Prime Video does (default: every ALID is accepted).
    /// FILE, or LICENSOR=FILE as on `avails sandbox` (the in-process
    /// sandbox's only licensor is `sandbox`).
    #[arg(long, value_name = "FILE", requires = "sandbox")]
    pub known_alids: Option<String>,
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
    /// The state directory of this profile (journal, writer lock).
    pub state_dir: PathBuf,
}

/// What to do when no profile can be used: what `avails.toml` is and where.
pub fn no_profile_help() -> String {
    let user = user_config_file()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| format!("the user's config directory's {CONFIG_FILE}"));
    format!(
        "no usable profile. A profile says where avails sends and with which credentials; \
         write {CONFIG_FILE} in this folder (or {user}), for example:\n\n{EXAMPLE_PROFILE}\n\
         `avails profiles --help` explains each setting; `avails profiles` lists what is \
         configured. Or try everything locally with --sandbox"
    )
}

impl ConnectArgs {
    /// The settings of this command: the target chosen and its state
    /// directory.
    pub fn settings(&self) -> Result<Settings> {
        let target = Target::choose(
            self.sandbox,
            self.profile.as_deref(),
            &self.config,
            Unnamed::DefaultProfile,
        )?;
        let sandbox_config = match target {
            Target::Sandbox => Config::load(self.config.config.as_deref()).ok(),
            Target::Profile { .. } => None,
        };
        Ok(Settings {
            state_dir: self.state.resolve(&target),
            target,
            known_alids: self.known_alids.clone(),
            sandbox_config,
        })
    }

    /// Resolves the settings and connects (see [`Settings::connect`]).
    pub async fn connect(&self) -> Result<Connection> {
        self.settings()?.connect().await
    }
}

impl Settings {
    /// The profile's name (`sandbox` for `--sandbox`).
    pub fn profile(&self) -> &str {
        self.target.profile()
    }

    /// The configuration file this command reads (the profile's; with
    /// `--sandbox`, the one found as for a profile, if any), read once:
    /// its `date_order` goes to the conversion
    /// ([`InputArgs::options_with`](crate::input::InputArgs::options_with)).
    pub fn config(&self) -> Option<&Config> {
        match &self.target {
            Target::Profile { config, .. } => Some(config),
            Target::Sandbox => self.sandbox_config.as_ref(),
        }
    }

    /// Takes the state directory's writer lock for `command`: a second
    /// writer is refused with a message naming the first.
    pub fn lock(&self, command: &str) -> Result<WriterLock> {
        Ok(WriterLock::acquire(&self.state_dir, command)?)
    }

    /// Connects, runs `work` with the connection and closes it, on a
    /// runtime of its own: the one way a command talks to the API.
    pub fn session<T>(&self, work: impl AsyncFnOnce(&Connection) -> Result<T>) -> Result<T> {
        runtime()?.block_on(async {
            let connection = self.connect().await?;
            let result = work(&connection).await;
            connection.close().await;
            result
        })
    }

    /// Connects: starts the sandbox or resolves the profile.
    pub async fn connect(&self) -> Result<Connection> {
        let state_dir = &self.state_dir;
        let (name, config) = match &self.target {
            Target::Sandbox => return self.connect_sandbox().await,
            Target::Profile { name, config } => (name, config),
        };
        let profile = config.resolve(Some(name)).map_err(|e| match e {
            ConfigError::UnknownProfile { .. } => {
                anyhow::anyhow!("{e}\n{}", no_profile_help())
            }
            // The profile exists but a setting is wrong (e.g. its key
            // file): say which profile, and not that there is none.
            e if e.profile() == Some(name.as_str()) => e.into(),
            e => anyhow::Error::new(e).context(format!("profile `{name}`")),
        })?;
        let client = AvailsClient::from_profile(&profile)
            .with_context(|| format!("profile `{}`", profile.name))?;
        Ok(Connection {
            journal_path: journal_path(state_dir, &profile.name),
            state_dir: state_dir.clone(),
            profile: profile.name,
            client,
            sandbox: None,
        })
    }

    /// Starts the sandbox on its database in the state directory (created
    /// if needed; a profile's is created by whatever writes there first,
    /// so commands that only read leave no folder behind).
    async fn connect_sandbox(&self) -> Result<Connection> {
        let state_dir = &self.state_dir;
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("cannot create {}", state_dir.display()))?;
        // A fresh random key per run: nothing to configure, nothing to leak.
        let key: String = (0..32)
            .map(|_| format!("{:x}", rand::random::<u8>() % 16))
            .collect();
        let config = SandboxConfig {
            listen: "127.0.0.1:0".parse().expect("loopback address"),
            db_path: Some(sandbox_db_path(state_dir)),
            licensors: vec![(SANDBOX_PROFILE.to_string(), key.clone())],
            known_alids: match &self.known_alids {
                Some(spec) => {
                    let (licensor, file) = known_alids_spec(spec, &[SANDBOX_PROFILE.to_string()])?;
                    KnownAlids::default().with(&licensor, KnownAlids::read_list(&file)?)
                }
                None => KnownAlids::default(),
            },
            ..SandboxConfig::default()
        };
        let sandbox = avails_sandbox::start(config)
            .await
            .context("cannot start the sandbox")?;
        let client = AvailsClient::builder(sandbox.base_url(), SANDBOX_PROFILE, ApiKey::new(key))
            .build()
            .context("sandbox client")?;
        Ok(Connection {
            client,
            profile: SANDBOX_PROFILE.into(),
            sandbox: Some(sandbox),
            journal_path: journal_path(state_dir, SANDBOX_PROFILE),
            state_dir: state_dir.clone(),
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

/// A multi-threaded Tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The licensor and file of a `--known-alids` value: `LICENSOR=FILE`, or
/// `FILE` alone when the sandbox serves one licensor (`licensors`). A
/// value whose part before `=` names no licensor is a file name when such
/// a file exists (a path may hold `=`).
pub fn known_alids_spec(spec: &str, licensors: &[String]) -> Result<(String, PathBuf)> {
    if let Some((licensor, file)) = spec.split_once('=') {
        if licensors.iter().any(|l| l == licensor) {
            return Ok((licensor.to_string(), PathBuf::from(file)));
        }
        if !std::path::Path::new(spec).exists() {
            anyhow::bail!(
                "--known-alids `{spec}`: `{licensor}` is not a licensor of this sandbox \
                 (its licensors: {})",
                licensors.join(", ")
            );
        }
    }
    match licensors {
        [only] => Ok((only.clone(), PathBuf::from(spec))),
        _ => anyhow::bail!(
            "--known-alids `{spec}`: this sandbox serves {} licensors ({}): say whose ALIDs \
             these are with LICENSOR=FILE",
            licensors.len(),
            licensors.join(", ")
        ),
    }
}
