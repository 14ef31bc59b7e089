//! Uploaded sheets: written only under the state directory, in one folder
//! per run, removed when the run ends; each file checked against the size
//! limit as it arrives.

use std::path::{Path, PathBuf};

use avails_convert::InputKind;
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::error::{RequestError, ServeError};
use crate::format;

/// The run's uploads folder: `STATE_DIR/serve-uploads/run-PID-RANDOM`.
#[derive(Debug)]
pub struct Uploads {
    root: PathBuf,
    limit: u64,
}

impl Uploads {
    /// Creates the run's folder under `state_dir`.
    pub fn create(state_dir: &Path, limit: u64) -> Result<Self, ServeError> {
        let root = state_dir.join("serve-uploads").join(format!(
            "run-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&root).map_err(|e| ServeError::Io {
            what: format!("cannot create {}", root.display()),
            source: e,
        })?;
        Ok(Self { root, limit })
    }

    /// The run's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The size limit per file, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// A new folder for one sheet set.
    pub fn batch_dir(&self, id: &str) -> Result<PathBuf, RequestError> {
        let dir = self.root.join(id);
        std::fs::create_dir_all(&dir)
            .map_err(|e| RequestError::failed("cannot create the upload folder", &e))?;
        Ok(dir)
    }

    /// Writes one uploaded file as `DIR/N/NAME` (its own folder keeps the
    /// user's file name, which findings and the annotated copy show),
    /// refusing it past the size limit.
    pub async fn store(
        &self,
        dir: &Path,
        index: usize,
        name: &str,
        body: axum::body::Body,
    ) -> Result<(PathBuf, u64), RequestError> {
        let name = file_name(name)?;
        let folder = dir.join(index.to_string());
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|e| RequestError::failed("cannot create the upload folder", &e))?;
        let path = folder.join(&name);
        let mut file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| RequestError::failed("cannot store the upload", &e))?;
        let mut size = 0u64;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = tokio::fs::remove_dir_all(&folder).await;
                    return Err(RequestError::Bad(format!(
                        "{name}: the upload was cut short: {e}"
                    )));
                }
            };
            size += chunk.len() as u64;
            if size > self.limit {
                drop(file);
                let _ = tokio::fs::remove_dir_all(&folder).await;
                return Err(RequestError::TooLarge(format!(
                    "{name} is larger than the limit of {} (avails serve --upload-limit)",
                    format::bytes(self.limit)
                )));
            }
            file.write_all(&chunk)
                .await
                .map_err(|e| RequestError::failed("cannot store the upload", &e))?;
        }
        file.flush()
            .await
            .map_err(|e| RequestError::failed("cannot store the upload", &e))?;
        Ok((path, size))
    }

    /// Removes every upload of the run (at its end).
    pub fn remove_all(&self) {
        if let Err(e) = std::fs::remove_dir_all(&self.root) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!("cannot remove the uploads {}: {e}", self.root.display());
            }
        }
        // The parent goes too once no other run uses it.
        if let Some(parent) = self.root.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
}

/// The name the user gave a file, as the page shows it: its last
/// component, without control characters.
pub fn shown_name(name: &str) -> String {
    last_component(name)
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

fn last_component(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or("").trim()
}

/// The user's file name, reduced to its last component and to characters
/// safe in any file system; its extension must be one the engine reads.
pub fn file_name(name: &str) -> Result<String, RequestError> {
    let base = last_component(name);
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " ._-()[]+,&'".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        return Err(RequestError::Bad("a file without a name".into()));
    }
    let clean: String = if clean.chars().count() > 150 {
        // Keep the extension: the kind of input is read from it.
        let ext = Path::new(&clean)
            .extension()
            .map(|e| e.to_string_lossy().to_string())
            .unwrap_or_default();
        let head: String = clean.chars().take(140).collect();
        format!("{head}.{ext}")
    } else {
        clean
    };
    if InputKind::of(Path::new(&clean)).is_none() {
        return Err(RequestError::Bad(format!(
            "{clean}: not a sheet avails reads (EMA .xlsx, .xlsm, .xls or .csv, MDDF .xml, payload .json)"
        )));
    }
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_reduced_to_a_safe_last_component() {
        assert_eq!(file_name("Q3 avails.xlsx").unwrap(), "Q3 avails.xlsx");
        assert_eq!(file_name("../../etc/x.csv").unwrap(), "x.csv");
        assert_eq!(file_name("C:\\Users\\a\\b.xml").unwrap(), "b.xml");
        assert_eq!(file_name("..hidden.json").unwrap(), "hidden.json");
        assert_eq!(file_name("a;b|c.xlsx").unwrap(), "a_b_c.xlsx");
        assert!(file_name("notes.txt").is_err());
        assert!(file_name("").is_err());
        assert!(file_name("../").is_err());
        let long = format!("{}.xlsx", "x".repeat(400));
        let short = file_name(&long).unwrap();
        assert!(short.ends_with(".xlsx") && short.len() < 160);
    }

    #[test]
    fn the_shown_name_is_the_users_last_component() {
        assert_eq!(
            shown_name("Avails: Q3 (final?).xlsx"),
            "Avails: Q3 (final?).xlsx"
        );
        assert_eq!(shown_name("C:\\Users\\a\\Q3.xlsx"), "Q3.xlsx");
        assert_eq!(shown_name("Q3\u{7}.csv"), "Q3.csv");
    }
}
