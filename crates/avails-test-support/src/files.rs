//! Files a test writes for the binary: an API key file, an `avails.toml`.

use std::path::{Path, PathBuf};

/// A fresh API key, unique to this process and moment.
pub fn random_key(tag: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{tag}-{n:x}-{:x}", std::process::id())
}

/// Writes `key` to `dir/api-key` with permission bits `mode` (unix).
pub fn write_key_file(dir: &Path, key: &str, mode: u32) -> PathBuf {
    let path = dir.join("api-key");
    std::fs::write(&path, format!("{key}\n")).expect("write the key file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .expect("chmod the key file");
    }
    #[cfg(not(unix))]
    let _ = mode;
    path
}

/// Writes `dir/avails.toml` with one profile `profile` (the default one) at
/// `base_url` for `licensor`, its key read from `api-key` beside it, plus
/// `extra` TOML lines of the profile (`tps = 10`, `cert = "..."`, ...).
pub fn write_profile(dir: &Path, profile: &str, base_url: &str, licensor: &str, extra: &str) {
    let toml = format!(
        "default_profile = \"{profile}\"\n\n[profiles.\"{profile}\"]\nbase_url = \"{base_url}\"\nlicensor = \"{licensor}\"\napi_key_file = \"api-key\"\n{extra}\n"
    );
    std::fs::write(dir.join("avails.toml"), toml).expect("write avails.toml");
}
