//! Named profiles from `avails.toml`, with environment overrides.
//!
//! ```toml
//! default_profile = "sandbox"
//!
//! [profiles.sandbox]
//! base_url = "https://partnerapi.primevideo.com"
//! licensor = "testlicensor"
//! cert = "certs/sandbox-client.pem"   # relative paths are relative to this file
//! key = "certs/sandbox-client.key"
//! ca = "certs/ca.pem"
//! tps = 10
//! max_concurrency = 5
//! max_attempts = 6                    # optional, the first attempt included
//! timeout_secs = 60                   # optional, per attempt
//! api_key_env = "AVAILS_SANDBOX_KEY"  # or: api_key_file = "~/.config/avails/sandbox.key"
//! ```
//!
//! Lookup order: a path given by the caller, else `$AVAILS_CONFIG`, else
//! `./avails.toml`, else `avails.toml` in the user's config directory
//! (`directories`). The profile is the one named by the caller, else
//! `$AVAILS_PROFILE`, else `default_profile`, else the only profile, else
//! `default`. `AVAILS_BASE_URL`, `AVAILS_LICENSOR`, `AVAILS_API_KEY`,
//! `AVAILS_CERT`, `AVAILS_KEY` and `AVAILS_CA` override the profile's values.
//! The variables' names are in [`crate::env`]; this module is the one place
//! that reads them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::env;
use crate::errors::ConfigError;
use crate::secret::ApiKey;

pub use avails_model::api::{DEFAULT_MAX_CONCURRENCY, DEFAULT_TPS};
/// Default attempts per request, the first included.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 6;
/// Default per-request timeout in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;
/// The config file name.
pub const CONFIG_FILE: &str = "avails.toml";
/// An `avails.toml` with one profile, every setting explained (shown by
/// `avails profiles --help` and when no profile can be used).
pub const EXAMPLE_PROFILE: &str = r#"    default_profile = "prod"            # used when --profile is not given

    [profiles.prod]
    base_url = "https://partnerapi.primevideo.com"
    licensor = "yourlicensor"           # your licensor name in the API's URLs
    cert = "certs/client.pem"           # client certificate from Prime Video (mutual TLS)
    key = "certs/client.key"            # its private key
    ca = "certs/ca.pem"                 # optional: a CA to trust besides the system's
    api_key_file = "secrets/api-key"    # the x-api-key, readable by you only (chmod 600)
    # api_key_env = "AVAILS_PROD_KEY"   # or: the variable holding it
    tps = 10                            # optional: requests per second (partner default 10)
    max_concurrency = 5                 # optional: requests in flight (partner default 5)
    # max_attempts = 6                  # optional: attempts per request, the first included
    # timeout_secs = 60                 # optional: per attempt

Relative paths are relative to the file. Environment variables override the
profile: AVAILS_PROFILE, AVAILS_BASE_URL, AVAILS_LICENSOR, AVAILS_API_KEY,
AVAILS_CERT, AVAILS_KEY, AVAILS_CA; AVAILS_CONFIG names another file."#;

/// A profile as written in the file (no secret in it, only where the key comes from).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// API root, e.g. `https://partnerapi.primevideo.com`.
    pub base_url: Option<String>,
    /// Licensor name used in URLs.
    pub licensor: Option<String>,
    /// Client certificate PEM.
    pub cert: Option<PathBuf>,
    /// Private key PEM of the client certificate.
    pub key: Option<PathBuf>,
    /// CA certificate PEM, trusted in addition to the system roots.
    pub ca: Option<PathBuf>,
    /// Requests per second.
    pub tps: Option<u32>,
    /// Concurrent requests.
    pub max_concurrency: Option<u32>,
    /// Attempts per request, the first included.
    pub max_attempts: Option<u32>,
    /// Per-request timeout in seconds.
    pub timeout_secs: Option<u64>,
    /// Name of the environment variable holding the API key.
    pub api_key_env: Option<String>,
    /// File holding the API key (must not be readable by group/others).
    pub api_key_file: Option<PathBuf>,
}

/// The parsed config file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Profile used when none is named.
    pub default_profile: Option<String>,
    /// Profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileSpec>,
    /// How conversions read dates written with slashes: `MDY`
    /// (`3/14/2023`) or `DMY` (`14/03/2023`); `--date-order` wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<String>,
    /// The file this was read from, if any.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// A resolved profile, ready to build a client.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Profile name.
    pub name: String,
    /// API root.
    pub base_url: String,
    /// Licensor used in URLs.
    pub licensor: String,
    /// Client certificate PEM.
    pub cert: Option<PathBuf>,
    /// Private key PEM.
    pub key: Option<PathBuf>,
    /// Extra CA certificate PEM.
    pub ca: Option<PathBuf>,
    /// Requests per second.
    pub tps: u32,
    /// Concurrent requests.
    pub max_concurrency: u32,
    /// Attempts per request.
    pub max_attempts: u32,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The API key (prints as `***`).
    pub api_key: ApiKey,
}

/// A profile as listed to a user: no secret, only where the key comes from.
/// Its JSON keys are camelCase, as every `--format json` output's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSummary {
    /// Profile name.
    pub name: String,
    /// Whether it is the default one.
    pub is_default: bool,
    /// API root.
    pub base_url: Option<String>,
    /// Licensor.
    pub licensor: Option<String>,
    /// Client certificate path.
    pub cert: Option<PathBuf>,
    /// Private key path.
    pub key: Option<PathBuf>,
    /// CA path.
    pub ca: Option<PathBuf>,
    /// Requests per second.
    pub tps: u32,
    /// Concurrent requests.
    pub max_concurrency: u32,
    /// `env NAME`, `file PATH` or `none`.
    pub api_key_source: String,
}

impl Config {
    /// Loads `path`, else `$AVAILS_CONFIG`, else `./avails.toml`, else the
    /// user config dir's file; an absent default file gives an empty config.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        if let Some(p) = path {
            return Self::from_file(p);
        }
        if let Some(p) = env::var(env::CONFIG) {
            return Self::from_file(Path::new(&p));
        }
        let local = PathBuf::from(CONFIG_FILE);
        if local.is_file() {
            return Self::from_file(&local);
        }
        if let Some(user) = user_config_file() {
            if user.is_file() {
                return Self::from_file(&user);
            }
        }
        Ok(Self::default())
    }

    /// Reads and parses one file; relative paths in it become relative to its directory.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        let mut cfg = Self::parse(&text).map_err(|reason| ConfigError::Parse {
            path: path.to_path_buf(),
            reason,
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for spec in cfg.profiles.values_mut() {
            for p in [
                &mut spec.cert,
                &mut spec.key,
                &mut spec.ca,
                &mut spec.api_key_file,
            ]
            .into_iter()
            .flatten()
            {
                *p = anchor(&dir, p);
            }
        }
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Parses TOML text (paths are kept as written).
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The name a resolution would pick given an explicit name and `$AVAILS_PROFILE`.
    pub fn pick_name(&self, explicit: Option<&str>, env_profile: Option<String>) -> String {
        if let Some(n) = explicit.filter(|n| !n.is_empty()) {
            return n.to_string();
        }
        if let Some(n) = env_profile.filter(|n| !n.is_empty()) {
            return n;
        }
        if let Some(n) = &self.default_profile {
            return n.clone();
        }
        if self.profiles.len() == 1 {
            if let Some(n) = self.profiles.keys().next() {
                return n.clone();
            }
        }
        "default".to_string()
    }

    /// The profile name a resolution picks: `explicit`, else `$AVAILS_PROFILE`,
    /// else `default_profile`, else the only profile, else `default`.
    pub fn profile_name(&self, explicit: Option<&str>) -> String {
        self.pick_name(explicit, env::var(env::PROFILE))
    }

    /// Whether a profile would be picked without being named: by
    /// `$AVAILS_PROFILE`, `default_profile`, or a file of one profile.
    pub fn has_implicit_profile(&self) -> bool {
        env::var(env::PROFILE).is_some()
            || self.default_profile.is_some()
            || self.profiles.len() == 1
    }

    /// Resolves a profile with the process environment's overrides.
    pub fn resolve(&self, name: Option<&str>) -> Result<Profile, ConfigError> {
        self.resolve_with(name, &env::var)
    }

    /// Resolves a profile with `env` as the environment (testable without touching the process's).
    pub fn resolve_with(
        &self,
        name: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Profile, ConfigError> {
        let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let name = self.pick_name(name, var(env::PROFILE));
        let spec = match self.profiles.get(&name) {
            Some(s) => s.clone(),
            // A profile made only of environment variables is allowed when the
            // file does not define any profile.
            None if self.profiles.is_empty() && var(env::BASE_URL).is_some() => {
                ProfileSpec::default()
            }
            None => {
                return Err(ConfigError::UnknownProfile {
                    name,
                    source_desc: self
                        .path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| format!("any {CONFIG_FILE}")),
                    known: if self.profiles.is_empty() {
                        "none".to_string()
                    } else {
                        self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                    },
                })
            }
        };
        let base_url = var(env::BASE_URL)
            .or(spec.base_url.clone())
            .ok_or_else(|| ConfigError::Missing {
                profile: name.clone(),
                field: "base_url",
                env: env::BASE_URL,
            })?;
        let licensor = var(env::LICENSOR)
            .or(spec.licensor.clone())
            .ok_or_else(|| ConfigError::Missing {
                profile: name.clone(),
                field: "licensor",
                env: env::LICENSOR,
            })?;
        if licensor.trim() != licensor {
            return Err(ConfigError::Invalid {
                profile: name,
                field: "licensor",
                reason: format!("`{licensor}` has surrounding spaces"),
            });
        }
        if let Err(problem) = avails_model::api::check_path_segment(&licensor) {
            return Err(ConfigError::Invalid {
                profile: name,
                field: "licensor",
                reason: format!("`{}`: {problem}", licensor.escape_debug()),
            });
        }
        let positive = |field: &'static str, v: Option<u32>, d: u32| match v {
            Some(0) => Err(ConfigError::Invalid {
                profile: name.clone(),
                field,
                reason: "must be at least 1".to_string(),
            }),
            Some(n) => Ok(n),
            None => Ok(d),
        };
        let tps = positive("tps", spec.tps, DEFAULT_TPS)?;
        let max_concurrency = positive(
            "max_concurrency",
            spec.max_concurrency,
            DEFAULT_MAX_CONCURRENCY,
        )?;
        let max_attempts = positive("max_attempts", spec.max_attempts, DEFAULT_MAX_ATTEMPTS)?;
        let timeout = Duration::from_secs(match spec.timeout_secs {
            Some(0) => {
                return Err(ConfigError::Invalid {
                    profile: name,
                    field: "timeout_secs",
                    reason: "must be at least 1".to_string(),
                })
            }
            Some(n) => n,
            None => DEFAULT_TIMEOUT_SECS,
        });
        let api_key = resolve_key(&name, &spec, &var)?;
        Ok(Profile {
            base_url,
            licensor,
            cert: var(env::CERT).map(PathBuf::from).or(spec.cert),
            key: var(env::KEY).map(PathBuf::from).or(spec.key),
            ca: var(env::CA).map(PathBuf::from).or(spec.ca),
            tps,
            max_concurrency,
            max_attempts,
            timeout,
            api_key,
            name,
        })
    }

    /// The profiles of the file, without secrets.
    pub fn list_profiles(&self) -> Vec<ProfileSummary> {
        let default = self.pick_name(None, None);
        self.profiles
            .iter()
            .map(|(name, s)| ProfileSummary {
                name: name.clone(),
                is_default: *name == default,
                base_url: s.base_url.clone(),
                licensor: s.licensor.clone(),
                cert: s.cert.clone(),
                key: s.key.clone(),
                ca: s.ca.clone(),
                tps: s.tps.unwrap_or(DEFAULT_TPS),
                max_concurrency: s.max_concurrency.unwrap_or(DEFAULT_MAX_CONCURRENCY),
                api_key_source: match (&s.api_key_env, &s.api_key_file) {
                    (Some(v), _) => format!("env {v}"),
                    (None, Some(f)) => format!("file {}", f.display()),
                    (None, None) => "none".to_string(),
                },
            })
            .collect()
    }
}

/// Loads the config like [`Config::load`] and lists its profiles without secrets.
pub fn list_profiles(path: Option<&Path>) -> Result<Vec<ProfileSummary>, ConfigError> {
    Ok(Config::load(path)?.list_profiles())
}

/// `avails.toml` in the user's config directory (e.g. `~/.config/avails/avails.toml`).
pub fn user_config_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "avails").map(|d| d.config_dir().join(CONFIG_FILE))
}

/// Expands `~/` and makes a relative path relative to `dir`.
fn anchor(dir: &Path, p: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~") {
        if let Some(home) = directories::BaseDirs::new() {
            return home.home_dir().join(rest);
        }
    }
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// `AVAILS_API_KEY`, else the profile's `api_key_env`, else its `api_key_file`.
fn resolve_key(
    profile: &str,
    spec: &ProfileSpec,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<ApiKey, ConfigError> {
    if let Some(k) = var(env::API_KEY) {
        return Ok(ApiKey::new(k));
    }
    if let Some(name) = &spec.api_key_env {
        return var(name)
            .map(ApiKey::new)
            .ok_or_else(|| ConfigError::ApiKeyEnvUnset {
                profile: profile.to_string(),
                var: name.clone(),
            });
    }
    if let Some(path) = &spec.api_key_file {
        return read_key_file(path);
    }
    Err(ConfigError::NoApiKey {
        profile: profile.to_string(),
    })
}

/// Reads a key file, refusing one readable by group or others (unix).
pub fn read_key_file(path: &Path) -> Result<ApiKey, ConfigError> {
    let open = crate::secret::too_open(path).map_err(|error| ConfigError::ApiKeyFileRead {
        path: path.to_path_buf(),
        error,
    })?;
    if let Some(mode) = open {
        return Err(ConfigError::ApiKeyFileTooOpen {
            path: path.to_path_buf(),
            mode,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|error| ConfigError::ApiKeyFileRead {
        path: path.to_path_buf(),
        error,
    })?;
    let key = ApiKey::new(text);
    if key.is_empty() {
        return Err(ConfigError::ApiKeyFileEmpty {
            path: path.to_path_buf(),
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TOML: &str = r#"
default_profile = "sandbox"
[profiles.sandbox]
base_url = "https://sandbox.example"
licensor = "testlicensor"
cert = "c.pem"
key = "k.pem"
api_key_env = "SANDBOX_KEY"

[profiles.prod]
base_url = "https://partnerapi.primevideo.com"
licensor = "acme"
tps = 5
api_key_file = "prod.key"
"#;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn resolves_default_profile_with_env_key() {
        let cfg = Config::parse(TOML).unwrap();
        let p = cfg
            .resolve_with(None, &env(&[("SANDBOX_KEY", "k-123456")]))
            .unwrap();
        assert_eq!(p.name, "sandbox");
        assert_eq!(p.licensor, "testlicensor");
        assert_eq!(p.tps, DEFAULT_TPS);
        assert_eq!(p.max_concurrency, DEFAULT_MAX_CONCURRENCY);
        assert_eq!(p.api_key.expose(), "k-123456");
        assert!(!format!("{p:?}").contains("k-123456"));
    }

    #[test]
    fn environment_overrides_the_profile() {
        let cfg = Config::parse(TOML).unwrap();
        let p = cfg
            .resolve_with(
                None,
                &env(&[
                    ("AVAILS_PROFILE", "prod"),
                    ("AVAILS_BASE_URL", "http://127.0.0.1:9"),
                    ("AVAILS_LICENSOR", "other"),
                    ("AVAILS_API_KEY", "from-env-key"),
                    ("AVAILS_CERT", "/x/c.pem"),
                    ("AVAILS_KEY", "/x/k.pem"),
                    ("AVAILS_CA", "/x/ca.pem"),
                ]),
            )
            .unwrap();
        assert_eq!(p.name, "prod");
        assert_eq!(p.base_url, "http://127.0.0.1:9");
        assert_eq!(p.licensor, "other");
        assert_eq!(p.tps, 5);
        assert_eq!(p.api_key.expose(), "from-env-key");
        assert_eq!(p.cert.as_deref(), Some(Path::new("/x/c.pem")));
        assert_eq!(p.ca.as_deref(), Some(Path::new("/x/ca.pem")));
    }

    #[test]
    fn unknown_profile_and_missing_key_say_what_to_do() {
        let cfg = Config::parse(TOML).unwrap();
        let e = cfg.resolve_with(Some("nope"), &env(&[])).unwrap_err();
        assert!(e.to_string().contains("prod, sandbox"), "{e}");
        let e = cfg.resolve_with(Some("sandbox"), &env(&[])).unwrap_err();
        assert!(e.to_string().contains("SANDBOX_KEY"), "{e}");
        assert!(Config::parse("[profiles.x]\nbogus = 1\n").is_err());
    }

    #[test]
    fn env_only_profile_when_no_file() {
        let p = Config::default()
            .resolve_with(
                None,
                &env(&[
                    ("AVAILS_BASE_URL", "http://127.0.0.1:1"),
                    ("AVAILS_LICENSOR", "lic"),
                    ("AVAILS_API_KEY", "kkkk"),
                ]),
            )
            .unwrap();
        assert_eq!(p.name, "default");
    }

    #[cfg(unix)]
    #[test]
    fn key_file_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("prod.key");
        std::fs::write(&f, "file-secret-key\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        let cfg_path = dir.path().join("avails.toml");
        std::fs::write(&cfg_path, TOML).unwrap();
        let cfg = Config::from_file(&cfg_path).unwrap();
        let e = cfg.resolve_with(Some("prod"), &env(&[])).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&format!("chmod 600 {}", f.display())), "{msg}");
        assert!(!msg.contains("file-secret-key"));
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        let p = cfg.resolve_with(Some("prod"), &env(&[])).unwrap();
        assert_eq!(p.api_key.expose(), "file-secret-key");
        assert_eq!(p.cert, None);
    }

    #[test]
    fn list_profiles_has_no_secret() {
        let cfg = Config::parse(TOML).unwrap();
        let list = cfg.list_profiles();
        assert_eq!(list.len(), 2);
        let sandbox = list.iter().find(|p| p.name == "sandbox").unwrap();
        assert!(sandbox.is_default);
        assert_eq!(sandbox.api_key_source, "env SANDBOX_KEY");
        let prod = list.iter().find(|p| p.name == "prod").unwrap();
        assert_eq!(prod.api_key_source, "file prod.key");
        assert_eq!(prod.tps, 5);
    }
}
