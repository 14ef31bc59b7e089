//! The wall time and peak memory of a child process, as the benchmarks and
//! the bounded-memory tests measure them: `wait4` gives the rusage of that
//! child alone.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// What one child process took.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// How it ended.
    pub status: ExitStatus,
    /// Wall time from `started` to its end.
    pub time: Duration,
    /// Peak resident memory, bytes.
    pub peak: u64,
}

/// Waits for `child`, spawned at `started`, with `wait4` for its own
/// rusage. The child is reaped: dropping its handle does not wait again.
pub fn wait_measured(child: Child, started: Instant) -> std::io::Result<Measured> {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let time = started.elapsed();
    if waited != pid {
        return Err(std::io::Error::last_os_error());
    }
    drop(child);
    Ok(Measured {
        status: std::os::unix::process::ExitStatusExt::from_raw(status),
        time,
        peak: usage.ru_maxrss as u64 * 1024,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_measured_with_its_exit_code() {
        let started = Instant::now();
        let child = std::process::Command::new("sh")
            .args(["-c", "exit 3"])
            .spawn()
            .unwrap();
        let measured = wait_measured(child, started).unwrap();
        assert_eq!(measured.status.code(), Some(3));
        assert!(measured.peak > 0);
    }
}
