//! The environment variables `avails` reads, each named once here: the
//! profile ones are read by `avails-client`'s `Config`, the others by the
//! `avails` binary's settings. Owned by no crate that uses them, so the
//! HTTP client does not own the binary's variables.
//!
//! | variable | what it does |
//! | --- | --- |
//! | `AVAILS_CONFIG` | the configuration file, instead of `./avails.toml` or the user's |
//! | `AVAILS_PROFILE` | the profile, when no `--profile` is given |
//! | `AVAILS_BASE_URL`, `AVAILS_LICENSOR` | override the profile's `base_url`, `licensor` |
//! | `AVAILS_API_KEY` | the API key, over the profile's `api_key_env` / `api_key_file` |
//! | `AVAILS_CERT`, `AVAILS_KEY`, `AVAILS_CA` | override the profile's PEM files |
//! | `AVAILS_LOG` | the log filter of the `avails` binary (`warn` by default) |
//! | `AVAILS_MAPPING` | the mapping table of the `avails` binary's conversions |
//! | `AVAILS_DATE_ORDER` | how the `avails` binary reads dates written with slashes |

/// The configuration file to read instead of `./avails.toml`.
pub const CONFIG: &str = "AVAILS_CONFIG";
/// The profile to use when none is named.
pub const PROFILE: &str = "AVAILS_PROFILE";
/// Overrides the profile's `base_url`.
pub const BASE_URL: &str = "AVAILS_BASE_URL";
/// Overrides the profile's `licensor`.
pub const LICENSOR: &str = "AVAILS_LICENSOR";
/// The API key, over the profile's `api_key_env` and `api_key_file`.
pub const API_KEY: &str = "AVAILS_API_KEY";
/// Overrides the profile's `cert`.
pub const CERT: &str = "AVAILS_CERT";
/// Overrides the profile's `key`.
pub const KEY: &str = "AVAILS_KEY";
/// Overrides the profile's `ca`.
pub const CA: &str = "AVAILS_CA";
/// The log filter of the `avails` binary (`RUST_LOG` syntax).
pub const LOG: &str = "AVAILS_LOG";
/// The mapping table of the `avails` binary's conversions.
pub const MAPPING: &str = "AVAILS_MAPPING";
/// How the `avails` binary reads dates written with slashes: `MDY` or `DMY`.
pub const DATE_ORDER: &str = "AVAILS_DATE_ORDER";

/// Every variable above, for tests and tools that must clear them.
pub const ALL: [&str; 11] = [
    CONFIG, PROFILE, BASE_URL, LICENSOR, API_KEY, CERT, KEY, CA, LOG, MAPPING, DATE_ORDER,
];

/// The value of a variable of the process's environment, `None` when unset or blank.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
