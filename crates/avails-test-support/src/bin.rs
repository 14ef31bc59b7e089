//! Running the `avails` binary: in a given folder, with none of the caller's
//! `AVAILS_*` variables and no user config directory, output captured in
//! files (no pipe can fill up), killed when it outlives its time limit.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// `XDG_DATA_HOME` of the binary run by [`Avails`], inside its folder.
pub const DATA_HOME: &str = ".local/share";

/// Where the binary run by [`Avails`] in `dir` keeps a real profile's
/// journal by default: `avails` in its `XDG_DATA_HOME`.
pub fn profile_state_dir(dir: &Path) -> PathBuf {
    dir.join(DATA_HOME).join("avails")
}

/// Time a run may take unless told otherwise.
pub const DEFAULT_LIMIT: Duration = Duration::from_secs(300);

static RUNS: AtomicUsize = AtomicUsize::new(0);

/// The binary, the folder it runs in, and how long a run may take.
#[derive(Debug, Clone)]
pub struct Avails {
    bin: PathBuf,
    dir: PathBuf,
    limit: Duration,
}

/// A run started with [`Avails::spawn`]; [`Running::wait`] finishes it.
#[derive(Debug)]
pub struct Running {
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
    started: Instant,
    limit: Duration,
    what: String,
}

impl Avails {
    /// Runs `bin` (see [`crate::avails_bin!`]) in `dir`.
    pub fn new(bin: impl Into<PathBuf>, dir: impl AsRef<Path>) -> Self {
        Self {
            bin: bin.into(),
            dir: dir.as_ref().to_path_buf(),
            limit: DEFAULT_LIMIT,
        }
    }

    /// The time a run may take before it is killed and the test fails.
    pub fn limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// The folder runs happen in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A command for the binary in the folder: no `AVAILS_*` or `RUST_LOG`
    /// variable of the caller, `HOME`, `XDG_CONFIG_HOME` and `XDG_DATA_HOME`
    /// inside the folder (so no user `avails.toml` is found and a profile's
    /// journal is written in `.local/share/avails` of the folder, never in
    /// the real home), `NO_COLOR=1`.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.current_dir(&self.dir);
        for (k, _) in std::env::vars_os() {
            let name = k.to_string_lossy();
            if name.starts_with("AVAILS_") || name == "RUST_LOG" {
                cmd.env_remove(&k);
            }
        }
        cmd.env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join(".config"))
            .env("XDG_DATA_HOME", self.dir.join(DATA_HOME))
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs `avails ARGS` to its end (at most the time limit).
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command();
        cmd.args(args);
        self.run_command(cmd)
    }

    /// Runs a command made with [`Avails::command`] to its end (at most the time limit).
    pub fn run_command(&self, cmd: Command) -> Output {
        self.spawn_command(cmd).wait()
    }

    /// Starts `avails ARGS` without waiting.
    pub fn spawn<I, S>(&self, args: I) -> Running
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command();
        cmd.args(args);
        self.spawn_command(cmd)
    }

    /// Starts a command made with [`Avails::command`] without waiting; its
    /// output goes to files in the folder.
    pub fn spawn_command(&self, mut cmd: Command) -> Running {
        let n = RUNS.fetch_add(1, Ordering::Relaxed);
        let stdout = self.dir.join(format!(".avails-run-{n}.stdout"));
        let stderr = self.dir.join(format!(".avails-run-{n}.stderr"));
        let file = |p: &Path| {
            std::fs::File::create(p)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", p.display()))
        };
        if cmd.get_current_dir().is_none() {
            cmd.current_dir(&self.dir);
        }
        cmd.stdin(Stdio::null())
            .stdout(file(&stdout))
            .stderr(file(&stderr));
        let what = format!("{cmd:?}");
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        Running {
            child,
            stdout,
            stderr,
            started: Instant::now(),
            limit: self.limit,
            what,
        }
    }
}

impl Running {
    /// The child's process ID.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// What it has written to stdout so far.
    pub fn stdout_so_far(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    /// What it has written to stderr so far.
    pub fn stderr_so_far(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Whether it has ended (without waiting).
    pub fn has_ended(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Sends SIGKILL (as `kill -9` would) and returns what it had written.
    pub fn kill(mut self) -> Output {
        let _ = self.child.kill();
        let status = self.child.wait().expect("wait for the killed child");
        self.output(status)
    }

    /// Waits for the end, polling every 20 ms; kills it and fails the test
    /// when it outlives its time limit.
    pub fn wait(mut self) -> Output {
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) => {}
                Err(e) => panic!("cannot wait for {}: {e}", self.what),
            }
            if self.started.elapsed() > self.limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "{} did not finish within {:?}; stderr:\n{}",
                    self.what,
                    self.limit,
                    std::fs::read_to_string(&self.stderr).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        self.output(status)
    }

    fn output(&self, status: std::process::ExitStatus) -> Output {
        let read = |p: &Path| std::fs::read(p).unwrap_or_default();
        let out = Output {
            status,
            stdout: read(&self.stdout),
            stderr: read(&self.stderr),
        };
        let _ = std::fs::remove_file(&self.stdout);
        let _ = std::fs::remove_file(&self.stderr);
        out
    }
}

/// Runs any command to its end in `dir` (its output captured in files
/// there), killed and failing the test after `limit`.
pub fn run_bounded(cmd: Command, dir: &Path, limit: Duration) -> Output {
    Avails {
        bin: PathBuf::from(cmd.get_program()),
        dir: dir.to_path_buf(),
        limit,
    }
    .run_command(cmd)
}

/// Bytes as text (lossy).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// An output for assertion messages: exit code and the ends of stdout and stderr.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        tail(&text(&out.stdout)),
        tail(&text(&out.stderr))
    )
}

fn tail(s: &str) -> &str {
    let max = 6000;
    if s.len() <= max {
        return s;
    }
    let mut i = s.len() - max;
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}
