//! Errors writing the output, with real failing files:
//!
//! - standard output closed when avails starts (`convert -o - >&-`): exit 2
//!   saying so, never "N payloads written to standard output" (Rust's
//!   runtime quietly puts `/dev/null` there);
//! - standard output on a full device (`/dev/full`): exit 2 with the error;
//! - an error whose message already holds its cause's text prints that
//!   cause once (`Not a directory (os error 20)`, not twice).
//!
//! A reader that goes away (EPIPE) stays a quiet end: `broken_pipe.rs`.

use crate::support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use support::*;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/tvod-movie.xlsx");

/// `cmd` run to its end in `dir`, bounded in time.
fn bounded(cmd: Command, dir: &Path) -> Output {
    avails_test_support::run_bounded(cmd, dir, Duration::from_secs(120))
}

#[cfg(target_os = "linux")]
#[test]
fn convert_to_a_closed_standard_output_is_exit_2_not_a_success() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("sh");
    // `>&-`: the shell closes descriptor 1 before avails starts.
    cmd.args(["-c", r#"exec "$0" convert -o - "$1" >&-"#])
        .arg(env!("CARGO_BIN_EXE_avails"))
        .arg(SAMPLE)
        .current_dir(tmp.path())
        .env("HOME", tmp.path())
        .env("XDG_CONFIG_HOME", tmp.path().join(".config"))
        .env_remove("AVAILS_LOG")
        .env_remove("RUST_LOG");
    let out = bounded(cmd, tmp.path());
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        err.contains("error: cannot write to standard output: it was closed"),
        "{err}"
    );
    assert!(!err.contains("payloads written"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // Standard output sent to /dev/null on purpose is not closed: exit 0.
    let out = bounded(
        {
            let mut c = avails(tmp.path());
            c.args(["convert", "-o", "-", SAMPLE]).stdout(Stdio::null());
            c
        },
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stderr).contains("1 payloads written to standard output"));
}

#[cfg(target_os = "linux")]
#[test]
fn convert_to_a_full_standard_output_is_exit_2_with_the_error_once() {
    let tmp = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let mut cmd = avails(tmp.path());
    cmd.args(["convert", "-o", "-", SAMPLE]).stdout(full);
    let out = cmd.output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let enospc = std::io::Error::from_raw_os_error(28).to_string();
    assert!(
        err.contains(&format!("error: cannot write to standard output: {enospc}")),
        "{err}"
    );
    assert_eq!(err.matches(&enospc).count(), 1, "{err}");
    assert!(!err.contains("payloads written"), "{err}");
}

#[test]
fn an_os_error_is_printed_once() {
    let tmp = tempfile::tempdir().unwrap();
    // A regular file where a folder is needed: ENOTDIR from the OS.
    std::fs::write(tmp.path().join("file"), "x").unwrap();
    let enotdir = std::io::Error::from_raw_os_error(20).to_string();
    for target in ["file/out", "/dev/full/out"] {
        if target.starts_with("/dev") && !Path::new("/dev/full").exists() {
            continue;
        }
        let out = run(avails(tmp.path()).args(["convert", "-o", target, SAMPLE]));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{target}: {}", describe(&out));
        assert!(err.contains(&enotdir), "{target}: {err}");
        assert_eq!(err.matches(&enotdir).count(), 1, "{target}: {err}");
    }
}
