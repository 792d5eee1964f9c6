//! What both scenarios share: a private scratch directory, the parent/child
//! protocol of the worker processes, and small helpers.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// errno 26 on Linux: `open` for writing of a file some process is running,
/// or `execve` of a file some process holds open for writing.
pub const ETXTBSY: i32 = 26;

/// A fresh directory under `std::env::temp_dir()` (so `TMPDIR` decides where),
/// created exclusively so two runs never share one; removed on drop.
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    pub fn new(prefix: &str) -> io::Result<Self> {
        let base = std::env::temp_dir();
        let pid = std::process::id();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        for attempt in 0..1000u32 {
            let path = base.join(format!("{prefix}-{pid}-{nanos:x}-{attempt}"));
            // create_dir, not create_dir_all: it fails if the name exists,
            // so the directory is ours alone.
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Self { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free scratch directory name",
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.path) {
            eprintln!("warning: could not remove {}: {e}", self.path.display());
        }
    }
}

/// A worker: this same binary, started with a subcommand.
///
/// Protocol: the worker prints `ready`, waits for a line on stdin (the start
/// gun, so that all workers begin together instead of one process start
/// apart), works, and prints one final line `result name=value ...`.
pub struct Worker {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Worker {
    pub fn spawn(name: impl Into<String>, args: &[String]) -> io::Result<Self> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Ok(Self {
            name: name.into(),
            child,
            stdin,
            stdout,
        })
    }

    /// Blocks until the worker has said `ready`.
    pub fn wait_ready(&mut self) -> io::Result<()> {
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        if line.trim() == "ready" {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "worker {} did not start (said {line:?})",
                self.name
            )))
        }
    }

    pub fn go(&mut self) -> io::Result<()> {
        let mut stdin = self.stdin.take().expect("go sent once");
        stdin.write_all(b"go\n")
        // stdin is closed here; the worker has read its line.
    }

    /// Waits for the worker to exit and returns its counters.
    pub fn finish(mut self) -> io::Result<Counters> {
        let mut result = None;
        for line in (&mut self.stdout).lines() {
            let line = line?;
            if let Some(rest) = line.strip_prefix("result ") {
                result = Some(Counters::parse(rest)?);
            }
        }
        let status = self.child.wait()?;
        match result {
            Some(counters) if status.success() => Ok(counters),
            _ => Err(io::Error::other(format!(
                "worker {} failed ({status}) without a result",
                self.name
            ))),
        }
    }
}

/// Worker side of the protocol: announce, then block until the start gun.
pub fn worker_ready_and_wait() -> io::Result<()> {
    println!("ready");
    io::stdout().flush()?;
    let mut line = String::new();
    io::stdin().read_line(&mut line)?;
    Ok(())
}

/// Named counters, sent from worker to parent as `name=value` words.
#[derive(Default, Debug, Clone)]
pub struct Counters(BTreeMap<String, u64>);

impl Counters {
    pub fn add(&mut self, name: &str, n: u64) {
        *self.0.entry(name.to_string()).or_default() += n;
    }

    pub fn get(&self, name: &str) -> u64 {
        self.0.get(name).copied().unwrap_or(0)
    }

    pub fn merge(&mut self, other: &Counters) {
        for (k, v) in &other.0 {
            self.add(k, *v);
        }
    }

    pub fn print_result(&self) {
        let words: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!("result {}", words.join(" "));
    }

    fn parse(s: &str) -> io::Result<Self> {
        let mut c = Counters::default();
        for word in s.split_whitespace() {
            let parsed = word
                .split_once('=')
                .and_then(|(k, v)| v.parse::<u64>().ok().map(|v| (k, v)));
            match parsed {
                Some((k, v)) => c.add(k, v),
                None => {
                    return Err(io::Error::other(format!("bad result word {word:?}")));
                }
            }
        }
        Ok(c)
    }
}

/// FNV-1a, 64 bits: enough to tell two known contents from each other and
/// from any mix of them; not a security hash.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Starts all workers, fires the start gun once every one is ready, and
/// returns them (still running).
pub fn start_together(mut workers: Vec<Worker>) -> io::Result<Vec<Worker>> {
    for w in &mut workers {
        w.wait_ready()?;
    }
    for w in &mut workers {
        w.go()?;
    }
    Ok(workers)
}

/// A short description of an OS error for the log: "os error 26 (ETXTBSY)".
pub fn describe(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(ETXTBSY) => format!("{e} [ETXTBSY]"),
        _ => e.to_string(),
    }
}
