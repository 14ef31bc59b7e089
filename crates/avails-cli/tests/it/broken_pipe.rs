//! A reader that goes away (`avails validate big.xlsx | head -1`) is a
//! quiet, successful end: the command's own exit code (0, or 1 where the
//! data has problems), no panic, no error message.
//!
//! Each command is given far more output than a pipe buffers (64 KiB), its
//! standard output is read for one line and then closed, so the command is
//! still writing when the pipe breaks.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../samples/bundle-discount-exclusion.csv"
);

/// `avails` in `dir`, with none of the caller's AVAILS_* settings.
fn avails(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_avails"));
    cmd.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("AVAILS_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join(".config"));
    cmd
}

/// Runs `cmd`, reads one line of its standard output, closes the pipe
/// (and standard error too when `close_stderr`); its exit code and
/// standard error.
fn first_line_then_close(mut cmd: Command, close_stderr: bool) -> (Option<i32>, String) {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("avails runs");
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = (!close_stderr).then(|| {
        std::thread::spawn(move || {
            let mut s = String::new();
            stderr.read_to_string(&mut s).ok();
            s
        })
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(!line.is_empty(), "no output at all");
    drop(out);
    let status = child.wait().unwrap();
    let err = err_reader.map(|t| t.join().unwrap()).unwrap_or_default();
    (status.code(), err)
}

/// The sample CSV with `rows` data rows, each its own payload; with
/// `territory` in every row.
fn many_rows(dir: &Path, rows: usize, territory: &str) -> std::path::PathBuf {
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    let lines: Vec<&str> = sample.lines().collect();
    let mut text = lines[..3].join("\n");
    text.push('\n');
    for i in 0..rows {
        let row = lines[3]
            .replace("SKU12345", &format!("SKU{i}"))
            .replace("exclude_bundle_uhd_premium", &format!("tx{i}"))
            .replace(",US,", &format!(",{territory},"));
        text.push_str(&row);
        text.push('\n');
    }
    let path = dir.join(format!("rows-{territory}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

fn assert_quiet(what: &str, code: Option<i32>, err: &str, expected: i32) {
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(!err.contains("Broken pipe"), "{what}: {err}");
    assert_eq!(code, Some(expected), "{what}: {err}");
}

#[test]
fn validate_into_a_closed_pipe_keeps_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    // Every row has an unassigned country code: one error line each.
    let csv = many_rows(dir.path(), 3000, "XX");
    let mut cmd = avails(dir.path());
    cmd.arg("validate").arg(&csv);
    let (code, err) = first_line_then_close(cmd, false);
    assert_quiet("validate", code, &err, 1);
}

#[test]
fn validate_with_both_outputs_closed_keeps_its_exit_code() {
    // `avails validate x 2>&1 | head -1`: standard error is gone too.
    let dir = tempfile::tempdir().unwrap();
    let csv = many_rows(dir.path(), 3000, "XX");
    let mut cmd = avails(dir.path());
    cmd.arg("validate").arg(&csv);
    let (code, err) = first_line_then_close(cmd, true);
    assert_quiet("validate 2>&1", code, &err, 1);
}

#[test]
fn convert_to_stdout_into_a_closed_pipe_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let csv = many_rows(dir.path(), 3000, "US");
    let mut cmd = avails(dir.path());
    cmd.args(["convert", "-o", "-"]).arg(&csv);
    let (code, err) = first_line_then_close(cmd, false);
    assert_quiet("convert -o -", code, &err, 0);
}

#[test]
fn journal_into_a_closed_pipe_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join(".avails");
    std::fs::create_dir_all(&state).unwrap();
    let journal = avails_journal::Journal::open(state.join("journal-sandbox.sqlite")).unwrap();
    let keys: Vec<String> = (0..3000)
        .map(|i| format!("full:licensor:ALID-{i}:US:TVOD"))
        .collect();
    let hash = "ab".repeat(32);
    journal
        .mark_pending_all(keys.iter().map(|k| (k.as_str(), hash.as_str())))
        .unwrap();
    drop(journal);
    let mut cmd = avails(dir.path());
    cmd.args(["journal", "--limit", "5000"]);
    let (code, err) = first_line_then_close(cmd, false);
    assert_quiet("journal", code, &err, 0);
}

#[test]
fn profiles_into_a_closed_pipe_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut toml = String::from("default_profile = \"p0\"\n");
    for i in 0..3000 {
        toml.push_str(&format!(
            "\n[profiles.p{i}]\nbase_url = \"https://partnerapi.example.com\"\nlicensor = \"licensor{i}\"\napi_key_env = \"KEY_{i}\"\n"
        ));
    }
    std::fs::write(dir.path().join("avails.toml"), toml).unwrap();
    let mut cmd = avails(dir.path());
    cmd.arg("profiles");
    let (code, err) = first_line_then_close(cmd, false);
    assert_quiet("profiles", code, &err, 0);
}
