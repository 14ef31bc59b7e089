//! The API key, kept in a type that never prints it, and the one check
//! that a secret file (the API key file, the TLS private key) is private.

use std::fmt;
use std::path::Path;

/// The permission bits of the secret file `path` when group or others may
/// read or write it (unix), `None` when only its owner can; the caller
/// refuses the file and says `chmod 600 FILE`. Always `None` elsewhere.
///
/// The one owner of that rule: [`crate::config::read_key_file`] (the API
/// key) and [`crate::tls::configure`] (the client certificate's private
/// key) both ask it.
pub fn too_open(path: &Path) -> std::io::Result<Option<u32>> {
    let meta = std::fs::metadata(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        Ok((mode & 0o077 != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Ok(None)
    }
}

/// An `x-api-key` value; `Debug` and `Display` print `***`, never the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key, trimming surrounding whitespace (a trailing newline of a key file).
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into().trim().to_string())
    }

    /// The key itself, for the `x-api-key` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the key is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Replaces every occurrence of the key in `text` with `***` (for server bodies kept in errors).
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_string();
        }
        text.replace(&self.0, "***")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_key() {
        let k = ApiKey::new("s3cr3t-key\n");
        assert_eq!(k.expose(), "s3cr3t-key");
        assert_eq!(format!("{k}"), "***");
        assert!(!format!("{k:?}").contains("s3cr3t"));
        assert_eq!(k.redact("echo s3cr3t-key back"), "echo *** back");
    }

    #[cfg(unix)]
    #[test]
    fn only_owner_only_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("secret");
        std::fs::write(&f, "x").unwrap();
        for (mode, open) in [
            (0o600, None),
            (0o400, None),
            (0o644, Some(0o644)),
            (0o640, Some(0o640)),
            (0o604, Some(0o604)),
            (0o620, Some(0o620)),
        ] {
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(too_open(&f).unwrap(), open, "{mode:o}");
        }
        assert!(too_open(&dir.path().join("missing")).is_err());
    }
}
