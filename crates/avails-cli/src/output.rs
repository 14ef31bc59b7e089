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

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Everything worked and the data is clean.
pub const EXIT_OK: u8 = 0;
/// The tool worked but found problems in the data (or differences, for diff).
pub const EXIT_PROBLEMS: u8 = 1;
/// The tool could not do its job.
pub const EXIT_FAILURE: u8 = 2;

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
}
