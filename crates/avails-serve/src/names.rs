//! The names of a sheet set's files as the user dropped them, by the path
//! each is stored at under the state directory: the one place that turns
//! a stored path into the name the page (and every file it gives back)
//! shows. The engine names a file by the path it read, in a location
//! (`file.xlsx:Movies!C5`) and inside messages (CV015's "repeats the one
//! at ..."); none of those paths is the user's business.

use std::path::{Path, PathBuf};

use avails_model::Location;

/// The files of a set: stored path and the user's name, in upload order.
#[derive(Debug, Clone, Default)]
pub struct FileNames {
    files: Vec<(PathBuf, String)>,
    /// Stored paths as the engine writes them, longest first (a path that
    /// is the start of another is replaced after it).
    texts: Vec<(String, usize)>,
}

impl FileNames {
    /// The names of `files`: (stored path, the user's name).
    pub fn new(files: Vec<(PathBuf, String)>) -> Self {
        let mut texts: Vec<(String, usize)> = files
            .iter()
            .enumerate()
            .map(|(i, (path, _))| (path.display().to_string(), i))
            .collect();
        texts.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        Self { files, texts }
    }

    /// The stored paths, in upload order (what the engine reads).
    pub fn paths(&self) -> Vec<PathBuf> {
        self.files.iter().map(|(p, _)| p.clone()).collect()
    }

    /// The user's name of the file a location (or the engine) names by its
    /// stored path; another text is reduced to its last component.
    pub fn name_of(&self, file: &str) -> String {
        match self.texts.iter().find(|(t, _)| t == file) {
            Some((_, i)) => self.files[*i].1.clone(),
            None => Path::new(file)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| file.to_string()),
        }
    }

    /// The user's name of a stored path.
    pub fn name_of_path(&self, path: &Path) -> String {
        self.name_of(&path.display().to_string())
    }

    /// `text` with every stored path in it replaced by the user's name.
    pub fn in_text(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (stored, i) in &self.texts {
            if text.contains(stored.as_str()) {
                text = text.replace(stored.as_str(), &self.files[*i].1);
            }
        }
        text
    }

    /// A location naming its file by the user's name (for texts only: the
    /// engine's matching of findings to cells uses the stored path).
    pub fn located(&self, at: &Location) -> Location {
        let mut at = at.clone();
        at.file = self.name_of(&at.file);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> FileNames {
        FileNames::new(vec![
            (
                PathBuf::from("/state/serve-uploads/run-1-ab/1/0/Q3 avails.xlsx"),
                "Q3 avails.xlsx".into(),
            ),
            (
                PathBuf::from("/state/serve-uploads/run-1-ab/1/1/Avails: Q3?.xlsx"),
                "Avails: Q3?.xlsx".into(),
            ),
            (
                PathBuf::from("/state/serve-uploads/run-1-ab/1/10/Q3 avails.xlsx"),
                "Q3 avails (copy).xlsx".into(),
            ),
        ])
    }

    #[test]
    fn stored_paths_in_messages_become_the_users_names() {
        let n = names();
        let message = "BUNNY_2008 US: this window repeats the one at \
            /state/serve-uploads/run-1-ab/1/0/Q3 avails.xlsx:Movies!A7 (everything sent is the same)";
        assert_eq!(
            n.in_text(message),
            "BUNNY_2008 US: this window repeats the one at Q3 avails.xlsx:Movies!A7 \
             (everything sent is the same)"
        );
        // Folder 10 is not folder 1 followed by 0: each path is its own.
        assert_eq!(
            n.in_text("/state/serve-uploads/run-1-ab/1/10/Q3 avails.xlsx:Movies!B2"),
            "Q3 avails (copy).xlsx:Movies!B2"
        );
        assert_eq!(n.in_text("no path here"), "no path here");
    }

    #[test]
    fn a_file_is_named_as_the_user_named_it() {
        let n = names();
        assert_eq!(
            n.name_of("/state/serve-uploads/run-1-ab/1/1/Avails: Q3?.xlsx"),
            "Avails: Q3?.xlsx"
        );
        assert_eq!(n.name_of("/elsewhere/other.csv"), "other.csv");
        let mut at = Location::file("/state/serve-uploads/run-1-ab/1/0/Q3 avails.xlsx");
        at.sheet = Some("Movies".into());
        at.row = Some(7);
        at.column = Some("A".into());
        assert_eq!(n.located(&at).to_string(), "Q3 avails.xlsx:Movies!A7");
    }
}
