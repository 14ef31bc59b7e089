//! How `validate` prints its findings: errors before warnings, counted by
//! severity (hidden ones counted as hidden, a held-back title not counted
//! as another error), and grouped by cause at the end.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};

use anyhow::Result;
use avails_convert::codes::CV_HELD_BACK;
use avails_convert::Diagnostic;
use avails_model::Severity;
use serde::Serialize;

/// Whether a finding is the consequence of others (a title held back by
/// a rejected row, reported at that row's cell) rather than a problem of
/// its own: it is printed, and not counted as another error.
pub fn is_consequence(f: &Diagnostic) -> bool {
    f.code == CV_HELD_BACK
}

/// The headers of the sheets read, as written (`territory `, `Price
/// Currency`), by file, sheet and column letter: a finding names its
/// column as the sheet heads it.
#[derive(Debug, Default)]
pub struct Headers {
    written: HashMap<(String, String, String), String>,
}

impl Headers {
    /// The headers of these files' sheets.
    pub fn of(files: &[avails_convert::FileSummary]) -> Self {
        let mut written = HashMap::new();
        for file in files {
            for sheet in &file.sheets {
                for c in &sheet.columns {
                    if !c.header.is_empty() {
                        let key = (file.file.clone(), sheet.sheet.clone(), c.column.clone());
                        written.insert(key, c.header.clone());
                    }
                }
            }
        }
        Self { written }
    }

    /// `f` naming its column as the sheet heads it, when that is not the
    /// name it is known by (another case, an alias): in `columnName`, and
    /// where the message starts with the column's name.
    pub fn as_written(&self, f: &mut Diagnostic) {
        let (Some(name), Some(letter)) = (&f.column, &f.location.column) else {
            return;
        };
        let key = (
            f.location.file.clone(),
            f.location.sheet.clone().unwrap_or_default(),
            letter.clone(),
        );
        let Some(written) = self.written.get(&key) else {
            return;
        };
        if written == name {
            return;
        }
        if let Some(rest) = f.message.strip_prefix(name.as_str()) {
            f.message = format!("{written}{rest}");
        }
        f.column = Some(written.clone());
    }
}

/// Findings counted by severity.
#[derive(Debug, Default, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Errors (held-back titles excluded).
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Warnings not printed (`--errors-only`).
    pub hidden_warnings: usize,
    /// Titles held back by an error of theirs (CV013), not counted in
    /// `errors`.
    pub held_back: usize,
}

/// Findings of one cause: one code about one column.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The finding's code.
    pub code: String,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The sheet column they are about, when they are about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_name: Option<String>,
    /// What the findings say, in general.
    pub summary: String,
    /// How many findings.
    pub count: usize,
    /// The first one's location (`file.xlsx:Movies!AD4`).
    pub first: String,
    /// The last one's location.
    pub last: String,
    /// The first one's message.
    pub example: String,
    /// Whether they were hidden (`--errors-only`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// The file of the first and of the last, when it is the same one.
    #[serde(skip)]
    file: Option<String>,
}

/// Groups findings by cause, in the order each cause is first seen.
#[derive(Debug, Default)]
pub struct Grouping {
    index: HashMap<(String, Severity, Option<String>), usize>,
    groups: Vec<Group>,
}

impl Grouping {
    /// Adds a finding to its group.
    pub fn add(&mut self, f: &Diagnostic, hidden: bool) {
        let key = (f.code.to_string(), f.severity, f.column.clone());
        let at = where_(f);
        match self.index.get(&key) {
            Some(&i) => {
                let g = &mut self.groups[i];
                g.count += 1;
                g.last = at;
                if g.file.as_deref() != Some(f.location.file.as_str()) {
                    g.file = None;
                }
            }
            None => {
                self.index.insert(key, self.groups.len());
                self.groups.push(Group {
                    code: f.code.to_string(),
                    severity: f.severity,
                    column_name: f.column.clone(),
                    summary: summary_of(&f.code),
                    count: 1,
                    first: at.clone(),
                    last: at,
                    example: f.message.clone(),
                    hidden,
                    file: Some(f.location.file.clone()).filter(|f| !f.is_empty()),
                });
            }
        }
    }

    /// The groups: errors first, then the largest first.
    pub fn into_groups(self) -> Vec<Group> {
        let mut groups = self.groups;
        groups.sort_by(|a, b| {
            (a.severity != Severity::Error)
                .cmp(&(b.severity != Severity::Error))
                .then(b.count.cmp(&a.count))
        });
        groups
    }
}

/// Where a finding is, as printed.
fn where_(f: &Diagnostic) -> String {
    if f.location.file.is_empty() {
        f.location.path.clone().unwrap_or_else(|| "/".into())
    } else {
        f.location.to_string()
    }
}

/// The one-line summary of a code.
fn summary_of(code: &str) -> String {
    avails_convert::codes::summary(code)
        .map(str::to_string)
        .unwrap_or_default()
}

/// `2137` → `2,137`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One line of the grouped summary: `AV074 GroupIdentity: ...: 2,137
/// findings, from Movies!AD4 to Movies!AD19871`.
pub fn group_line(g: &Group) -> String {
    let mut line = format!("{}[{}]", g.severity, g.code);
    if let Some(column) = &g.column_name {
        line.push(' ');
        line.push_str(column);
    }
    let about = if g.summary.is_empty() {
        &g.example
    } else {
        &g.summary
    };
    line.push_str(": ");
    line.push_str(about);
    let hidden = if g.hidden { " (hidden)" } else { "" };
    // One file: named once, the cells after it (`in m.xlsx, from Movies!AD4
    // to Movies!AD9`).
    let (file, first, last) = match &g.file {
        Some(file) => {
            let prefix = format!("{file}:");
            match (g.first.strip_prefix(&prefix), g.last.strip_prefix(&prefix)) {
                (Some(first), Some(last)) => (format!(" in {file}"), first, last),
                _ => (String::new(), g.first.as_str(), g.last.as_str()),
            }
        }
        None => (String::new(), g.first.as_str(), g.last.as_str()),
    };
    if g.count == 1 {
        line.push_str(&format!(": 1 finding{hidden}{file}, at {first}"));
    } else {
        line.push_str(&format!(
            ": {} findings{hidden}{file}, from {first} to {last}",
            thousands(g.count),
        ));
    }
    line
}

/// Warnings held back while errors are printed, so that errors come
/// first: kept on disk, one line each, so a warning on every row of a
/// large sheet takes no memory.
pub struct Later {
    file: Option<std::fs::File>,
    any: bool,
}

impl Later {
    /// Nothing held yet (the file is made at the first warning).
    pub fn new() -> Self {
        Self {
            file: None,
            any: false,
        }
    }

    /// Keeps one line for later.
    pub fn push(&mut self, line: &str) -> Result<()> {
        if self.file.is_none() {
            self.file = Some(tempfile::tempfile()?);
        }
        if let Some(file) = &mut self.file {
            // Lines never hold a newline: a message's own is escaped.
            writeln!(file, "{}", line.replace('\n', "\\n"))?;
            self.any = true;
        }
        Ok(())
    }

    /// Every line kept, in order.
    pub fn lines(self) -> Result<Box<dyn Iterator<Item = std::io::Result<String>>>> {
        match self.file {
            Some(mut file) if self.any => {
                file.seek(SeekFrom::Start(0))?;
                Ok(Box::new(BufReader::new(file).lines()))
            }
            _ => Ok(Box::new(std::iter::empty())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use avails_model::diagnostic::codes;
    use avails_model::Location;

    fn at(row: u32, column: &str) -> Location {
        Location {
            file: "m.xlsx".into(),
            sheet: Some("Movies".into()),
            row: Some(row),
            column: Some(column.into()),
            path: None,
        }
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2137), "2,137");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn findings_of_one_code_and_column_are_one_group() {
        let mut g = Grouping::default();
        for row in 4..=9 {
            let d = Diagnostic::of(codes::AV074, at(row, "AD"), "GroupIdentity is empty")
                .in_column("GroupIdentity");
            g.add(&d, false);
        }
        g.add(
            &Diagnostic::of(codes::CV014, at(5, "CR"), "term LicenseFee").in_column("LicenseFee"),
            true,
        );
        g.add(
            &Diagnostic::of(codes::AV074, at(12, "AE"), "other column").in_column("Other"),
            false,
        );
        let groups = g.into_groups();
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0].count, 6);
        assert_eq!(groups[0].first, "m.xlsx:Movies!AD4");
        assert_eq!(groups[0].last, "m.xlsx:Movies!AD9");
        assert_eq!(groups[1].column_name.as_deref(), Some("Other"));
        assert_eq!(groups[2].severity, Severity::Warning);
        assert!(groups[2].hidden);
        let line = group_line(&groups[0]);
        assert!(
            line.starts_with("error[AV074] GroupIdentity: ")
                && line.ends_with(": 6 findings in m.xlsx, from Movies!AD4 to Movies!AD9"),
            "{line}"
        );
    }

    #[test]
    fn warnings_kept_for_later_come_back_in_order() {
        let mut later = Later::new();
        assert_eq!(later_lines(Later::new()), Vec::<String>::new());
        later.push("one").unwrap();
        later.push("two\nlines").unwrap();
        assert_eq!(later_lines(later), vec!["one", "two\\nlines"]);
    }

    fn later_lines(later: Later) -> Vec<String> {
        later.lines().unwrap().map(|l| l.unwrap()).collect()
    }
}
