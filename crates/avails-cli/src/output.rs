//! Exit codes, output format, and writing to standard output and error
//! without ever panicking.
//!
//! `println!` panics when standard output is a closed pipe
//! (`avails validate big.xlsx | head -1`), and `eprintln!` when standard
//! error is. Commands print through `outln!`, `out!` and [`stdout`]
//! (standard output) and `errln!` (standard error) instead:
//!
//! - a closed pipe (`BrokenPipe`) on standard output is a quiet end: the
//!   rest of the output is dropped, the command goes on to its end (a submit
//!   is not cut short because its reader went away), and `main` returns the
//!   command's own exit code (0, or 1 where the data had problems);
//! - any other error writing standard output (a full disk) is remembered,
//!   the rest of the output dropped, and `main` reports it and exits 2;
//! - errors writing standard error are ignored: there is nowhere left to
//!   report them.
//!
//! A standard output closed when the process starts (`avails convert -o -
//! >&-`) is such an error: Rust's runtime opens `/dev/null` in its place
//! before `main`, so every write would succeed and the payloads vanish. On
//! Linux the descriptor is looked at before that (an `.init_array`
//! function), and the first write to standard output fails with `EBADF`.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Everything worked and the data is clean.
pub const EXIT_OK: u8 = 0;
/// The tool worked but found problems in the data (or differences, for diff).
pub const EXIT_PROBLEMS: u8 = 1;
/// The tool could not do its job.
pub const EXIT_FAILURE: u8 = 2;

/// The exit code of a command's run, the one place the three codes are
/// chosen from what happened: 2 when the tool could not do its job (an
/// input unreadable, the server unreachable, a send that failed), else 1
/// when the data has problems (or differs, for diff), else 0.
pub fn verdict(could_not: bool, problems: bool) -> std::process::ExitCode {
    if could_not {
        EXIT_FAILURE.into()
    } else if problems {
        EXIT_PROBLEMS.into()
    } else {
        EXIT_OK.into()
    }
}

/// The exit code of an API call that failed: the server refusing what was
/// asked of it (400, 404, 409: the data or the name given) is a problem in
/// the data; anything else (network, credentials, the server's own failure)
/// means the tool could not do its job. The one owner of that decision for
/// `get` and `delete`.
pub fn client_error_code(error: &avails_client::ClientError) -> u8 {
    match error.status() {
        Some(400 | 404 | 409) => EXIT_PROBLEMS,
        _ => EXIT_FAILURE,
    }
}

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// Machine-readable JSON.
    Json,
}

/// Standard output was closed by its reader.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// Writing standard output failed otherwise (the error is in `STDOUT_ERROR`).
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);
/// The first error writing standard output other than a closed pipe.
static STDOUT_ERROR: Mutex<Option<String>> = Mutex::new(None);

/// Standard output was closed when the process started (see the module
/// documentation).
static STDOUT_CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Runs before `main`, so before Rust's runtime puts `/dev/null` on a
/// closed standard output.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static LOOK_AT_STDOUT: extern "C" fn() = look_at_stdout;

#[cfg(target_os = "linux")]
extern "C" fn look_at_stdout() {
    // SAFETY: F_GETFD only asks whether descriptor 1 is open; nothing is
    // read, written or changed.
    let closed = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1;
    STDOUT_CLOSED_AT_START.store(closed, Ordering::Relaxed);
}

/// Prints to standard output like `println!`, never panicking (see the
/// module documentation).
#[macro_export]
macro_rules! outln {
    () => {
        $crate::output::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints to standard output like `print!`, never panicking.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!($($arg)*))
    };
}

/// Prints to standard error like `eprintln!`, never panicking.
#[macro_export]
macro_rules! errln {
    () => {
        $crate::output::write_err(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints to standard error like `eprint!`, never panicking.
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::output::write_err(format_args!($($arg)*))
    };
}

/// Standard output as a writer (for `serde_json::to_writer`), with the
/// same rules as `outln!`: after a closed pipe or an error, writes are
/// accepted and dropped.
pub fn stdout() -> Stdout {
    Stdout(io::stdout())
}

/// See [`stdout`].
pub struct Stdout(io::Stdout);

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if stopped() {
            return Ok(buf.len());
        }
        if STDOUT_CLOSED_AT_START.load(Ordering::Relaxed) {
            let ebadf = io::Error::from_raw_os_error(libc::EBADF);
            record(io::Error::other(format!(
                "it was closed when avails started ({ebadf})"
            )));
            return Ok(buf.len());
        }
        match self.0.write(buf) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                record(e);
                Ok(buf.len())
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if !stopped() {
            if let Err(e) = self.0.flush() {
                record(e);
            }
        }
        Ok(())
    }
}

/// Writes formatted text to standard output (what `outln!` calls).
pub fn write_out(args: std::fmt::Arguments<'_>) {
    let _ = stdout().write_fmt(args);
}

/// Writes formatted text to standard error (what `errln!` calls).
pub fn write_err(args: std::fmt::Arguments<'_>) {
    let _ = io::stderr().write_fmt(args);
}

fn stopped() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed) || STDOUT_FAILED.load(Ordering::Relaxed)
}

fn record(e: io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    } else {
        lock_error().get_or_insert_with(|| e.to_string());
        STDOUT_FAILED.store(true, Ordering::Relaxed);
    }
}

fn lock_error() -> std::sync::MutexGuard<'static, Option<String>> {
    STDOUT_ERROR.lock().unwrap_or_else(|p| p.into_inner())
}

/// Flushes standard output at the end of a command; the error, other than
/// a closed pipe, that kept output from being written, if any.
pub fn finish_stdout() -> Option<String> {
    let _ = stdout().flush();
    lock_error().clone()
}

/// Whether writing standard output failed (other than a closed pipe): what
/// was to be written there was not.
pub fn stdout_failed() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// `err` and its causes as `error: cause: cause`, leaving out a cause whose
/// text is already in a message before it (`cannot write x: No space left
/// on device (os error 28)` whose source is that same I/O error).
pub fn chain(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let s = cause.to_string();
        if s.is_empty() || parts.iter().any(|p| p.contains(&s)) {
            continue;
        }
        parts.push(s);
    }
    parts.join(": ")
}

/// Whether `err` is, at its root, standard output or error closed by its
/// reader: a quiet end, not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|e| e.io_error_kind())
                == Some(io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_anywhere_in_the_chain_is_recognised() {
        let io = io::Error::new(io::ErrorKind::BrokenPipe, "closed");
        let err = anyhow::Error::new(io).context("writing payloads");
        assert!(is_broken_pipe(&err));
        let other = anyhow::Error::new(io::Error::other("disk full"));
        assert!(!is_broken_pipe(&other));
    }

    /// An error that says its source's text and also returns it as source.
    #[derive(Debug)]
    struct Repeats(io::Error);

    impl std::fmt::Display for Repeats {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "cannot write /out/x: {}", self.0)
        }
    }

    impl std::error::Error for Repeats {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_cause_already_in_its_parent_is_said_once() {
        let full = || io::Error::from_raw_os_error(28);
        let said = full().to_string();
        let err = anyhow::Error::new(Repeats(full()));
        assert_eq!(chain(&err), format!("cannot write /out/x: {said}"));
        assert_eq!(
            format!("{err:#}").matches(&said).count(),
            2,
            "anyhow repeats it"
        );
        // Context over it, and a cause that adds something, are all kept.
        let err = anyhow::Error::new(full()).context("writing the manifest");
        assert_eq!(chain(&err), format!("writing the manifest: {said}"));
        let err = anyhow::Error::new(Repeats(full())).context("converting");
        assert_eq!(
            chain(&err),
            format!("converting: cannot write /out/x: {said}")
        );
    }
}
