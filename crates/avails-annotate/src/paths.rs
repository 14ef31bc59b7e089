//! The output must never be the input: not the same path, not a link to it,
//! not a name that differs only in letter case (the same file on macOS and
//! Windows, and on any share the workbook is later copied to).

use std::path::{Path, PathBuf};

use crate::AnnotateError;

/// Checks that `output` can receive the annotated copy of `input` without
/// touching it: an `.xlsx` name, not a folder, not the input in any guise.
pub fn ensure_distinct(input: &Path, output: &Path) -> Result<(), AnnotateError> {
    let same = |why| AnnotateError::SameFile {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        why,
    };
    let bad = |reason: &str| AnnotateError::BadOutput {
        output: output.to_path_buf(),
        reason: reason.to_string(),
    };
    let is_xlsx = output
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !is_xlsx {
        return Err(bad(
            "the annotated copy is an XLSX workbook: give a file name ending in .xlsx",
        ));
    }
    if output.is_dir() {
        return Err(bad("is a folder: give a file name ending in .xlsx"));
    }
    let input_real = std::fs::canonicalize(input).map_err(|e| AnnotateError::Read {
        input: input.to_path_buf(),
        source: e.into(),
    })?;
    if output.exists() {
        if std::fs::canonicalize(output).is_ok_and(|o| o == input_real) {
            return Err(same("it is the input, or a link to it"));
        }
        if same_inode(input, output) {
            return Err(same("it is a hard link to the input"));
        }
    }
    if let Some(out_real) = resolved(output) {
        if out_real == input_real {
            return Err(same("it is the input"));
        }
        let fold = |p: &Path| p.to_string_lossy().to_lowercase();
        if fold(&out_real) == fold(&input_real) {
            return Err(same("the names differ only in letter case"));
        }
    }
    Ok(())
}

/// The output path with its folder resolved (the file itself may not exist).
fn resolved(output: &Path) -> Option<PathBuf> {
    let name = output.file_name()?;
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_input_in_every_guise() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("Avails.xlsx");
        std::fs::write(&input, b"not really a workbook").unwrap();
        let refused = |out: &Path| {
            matches!(
                ensure_distinct(&input, out),
                Err(AnnotateError::SameFile { .. })
            )
        };
        assert!(refused(&input));
        assert!(refused(&dir.path().join("./Avails.xlsx")));
        assert!(refused(&dir.path().join("avails.XLSX")));
        #[cfg(unix)]
        {
            let link = dir.path().join("link.xlsx");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            assert!(refused(&link));
            let hard = dir.path().join("hard.xlsx");
            std::fs::hard_link(&input, &hard).unwrap();
            assert!(refused(&hard));
        }
        assert!(ensure_distinct(&input, &dir.path().join("Avails-annotated.xlsx")).is_ok());
    }

    #[test]
    fn the_output_is_an_xlsx_file() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, b"a,b\n").unwrap();
        for out in ["out.csv", "out", "out.xls"] {
            assert!(matches!(
                ensure_distinct(&input, &dir.path().join(out)),
                Err(AnnotateError::BadOutput { .. })
            ));
        }
        let folder = dir.path().join("folder.xlsx");
        std::fs::create_dir(&folder).unwrap();
        assert!(matches!(
            ensure_distinct(&input, &folder),
            Err(AnnotateError::BadOutput { .. })
        ));
    }
}
