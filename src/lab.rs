//! Real-kernel race reproducers: produce the conditions of a flake on demand.
//!
//! Nothing here consults a fault plan: these tools make the forks, the held
//! writers and the naive installs that a test measures against, and a chaos
//! run's plan must not fail or record them.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::retry::clock::{Clock, SystemClock};
use crate::sys::lab as sys;

/// Background threads that spawn a trivial program (`true`) in a loop until
/// dropped: the sibling forks that make "Text file busy" happen.
///
/// Every spawn copies the whole descriptor table of this process into a
/// child, which keeps it until its exec. A writable descriptor that another
/// thread opens meanwhile is copied too, and an exec of that file fails with
/// ETXTBSY until the child has exec'd. With a storm running, a plain
/// `fs::write` + exec fails a few percent of the time on Linux (see
/// `examples/race_lab.rs`).
///
/// ```
/// use flakeproof::lab::ForkStorm;
/// let storm = ForkStorm::start(2);
/// let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
/// while storm.spawns() < 5 && storm.failures() == 0 && std::time::Instant::now() < deadline {
///     std::thread::yield_now();
/// }
/// # #[cfg(unix)]
/// assert_eq!(storm.failures(), 0);
/// let spawned = storm.stop();
/// # #[cfg(unix)]
/// assert!(spawned >= 5);
/// ```
#[must_use = "the storm stops when dropped"]
#[derive(Debug)]
pub struct ForkStorm {
    stop: Arc<AtomicBool>,
    spawns: Arc<AtomicU64>,
    failures: Arc<AtomicU64>,
    threads: Vec<JoinHandle<()>>,
}

impl ForkStorm {
    /// Start `threads` spawning threads.
    ///
    /// ```
    /// let storm = flakeproof::lab::ForkStorm::start(2); // stops when dropped
    /// # drop(storm);
    /// ```
    pub fn start(threads: usize) -> ForkStorm {
        let stop = Arc::new(AtomicBool::new(false));
        let spawns = Arc::new(AtomicU64::new(0));
        let failures = Arc::new(AtomicU64::new(0));
        let threads = (0..threads)
            .map(|_| {
                let (stop, spawns, failures) = (stop.clone(), spawns.clone(), failures.clone());
                std::thread::spawn(move || {
                    let mut cmd = Command::new("true");
                    cmd.stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null());
                    while !stop.load(Ordering::Relaxed) {
                        match sys::status(&mut cmd) {
                            Ok(_) => spawns.fetch_add(1, Ordering::Relaxed),
                            Err(_) => failures.fetch_add(1, Ordering::Relaxed),
                        };
                    }
                })
            })
            .collect();
        ForkStorm {
            stop,
            spawns,
            failures,
            threads,
        }
    }

    /// Children spawned so far.
    ///
    /// ```
    /// let storm = flakeproof::lab::ForkStorm::start(1);
    /// let _ = storm.spawns();
    /// ```
    pub fn spawns(&self) -> u64 {
        self.spawns.load(Ordering::Relaxed)
    }

    /// Spawns that failed (`true` missing from PATH, process limit, ...).
    ///
    /// ```
    /// let storm = flakeproof::lab::ForkStorm::start(1);
    /// # #[cfg(unix)]
    /// assert_eq!(storm.failures(), 0);
    /// ```
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Stop, wait for the threads, and return the number of spawns.
    ///
    /// ```
    /// let n = flakeproof::lab::ForkStorm::start(1).stop();
    /// # let _ = n;
    /// ```
    pub fn stop(mut self) -> u64 {
        self.halt();
        self.spawns()
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for ForkStorm {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Holds a file open for writing, so that exec of it fails with the kernel's
/// own ETXTBSY (Linux), until dropped or [released](Self::release_after) from
/// another thread after a while: a real, bounded "Text file busy" window.
///
/// ```
/// use std::process::Command;
/// use flakeproof::{install_executable_stub, lab::WriteHold, SpawnRetryExt};
/// let dir = tempfile::tempdir()?;
/// let stub = install_executable_stub(dir.path(), "tool", "#!/bin/sh\necho ok\n")?;
/// let hold = WriteHold::open(&stub)?;
/// # #[cfg(target_os = "linux")]
/// assert_eq!(Command::new(&stub).output().unwrap_err().raw_os_error(), Some(26));
/// let released = hold.release_after(std::time::Duration::from_millis(50));
/// assert_eq!(Command::new(&stub).output_retrying()?.stdout, b"ok\n");
/// released.join().unwrap();
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "the file is released when the hold drops"]
#[derive(Debug)]
pub struct WriteHold {
    file: File,
    path: PathBuf,
}

impl WriteHold {
    /// Open `path` (which must exist) for writing, without changing it.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let p = dir.path().join("tool");
    /// # std::fs::write(&p, "#!/bin/sh\n")?;
    /// let hold = flakeproof::lab::WriteHold::open(&p)?; // exec of `p` fails with ETXTBSY meanwhile
    /// drop(hold);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> io::Result<WriteHold> {
        let path = path.as_ref().to_owned();
        let file = sys::open_for_writing(&path)?;
        Ok(WriteHold { file, path })
    }

    /// The held file.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let p = dir.path().join("f");
    /// # std::fs::write(&p, "")?;
    /// let hold = flakeproof::lab::WriteHold::open(&p)?;
    /// assert_eq!(hold.path(), p);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Close the file after `hold` from another thread; join the handle to
    /// know it is closed.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # let p = dir.path().join("tool");
    /// # std::fs::write(&p, "")?;
    /// let closer = flakeproof::lab::WriteHold::open(&p)?.release_after(std::time::Duration::from_millis(5));
    /// closer.join().unwrap(); // closed now
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn release_after(self, hold: Duration) -> JoinHandle<()> {
        std::thread::spawn(move || {
            SystemClock.sleep(hold);
            drop(self.file);
        })
    }
}

/// Run `f(thread, iteration)` from `threads` threads, `iterations` times
/// each, and report failures by errno, the failure rate and latencies.
///
/// ```
/// use flakeproof::lab::stress;
/// let dir = tempfile::tempdir()?;
/// let report = stress(2, 50, |t, i| std::fs::write(dir.path().join(format!("{t}-{i}")), "x"));
/// assert_eq!(report.calls(), 100);
/// assert_eq!(report.failure_rate(), 0.0);
/// println!("{report}");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn stress<F>(threads: usize, iterations: usize, f: F) -> StressReport
where
    F: Fn(usize, usize) -> io::Result<()> + Sync,
{
    let merged = Mutex::new(StressReport::default());
    std::thread::scope(|s| {
        for t in 0..threads {
            let (f, merged) = (&f, &merged);
            s.spawn(move || {
                let mut local = StressReport::default();
                for i in 0..iterations {
                    let t0 = SystemClock.now();
                    let r = f(t, i);
                    local.latencies.push(SystemClock.now().saturating_sub(t0));
                    if let Err(e) = r {
                        *local.failures.entry(e.raw_os_error()).or_default() += 1;
                    }
                }
                let mut m = merged.lock().unwrap_or_else(|p| p.into_inner());
                m.latencies.extend(local.latencies);
                for (k, v) in local.failures {
                    *m.failures.entry(k).or_default() += v;
                }
            });
        }
    });
    let mut report = merged.into_inner().unwrap_or_else(|p| p.into_inner());
    report.latencies.sort();
    report
}

/// What [`stress`] saw.
///
/// ```
/// let r = flakeproof::lab::stress(1, 10, |_, i| if i < 3 { Err(std::io::Error::from_raw_os_error(26)) } else { Ok(()) });
/// assert_eq!(r.failures_by_errno().get(&Some(26)), Some(&3));
/// assert!((r.failure_rate() - 0.3).abs() < 1e-9);
/// assert!(r.percentile(50.0) <= r.percentile(99.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StressReport {
    latencies: Vec<Duration>,
    failures: BTreeMap<Option<i32>, u64>,
}

impl StressReport {
    /// Calls made.
    ///
    /// ```
    /// assert_eq!(flakeproof::lab::stress(3, 4, |_, _| Ok(())).calls(), 12);
    /// ```
    pub fn calls(&self) -> u64 {
        self.latencies.len() as u64
    }

    /// Failures per raw OS error (`None`: errors without one).
    ///
    /// ```
    /// let r = flakeproof::lab::stress(1, 2, |_, _| Err(std::io::Error::other("no raw code")));
    /// assert_eq!(r.failures_by_errno().get(&None), Some(&2));
    /// ```
    pub fn failures_by_errno(&self) -> &BTreeMap<Option<i32>, u64> {
        &self.failures
    }

    /// Failed calls.
    ///
    /// ```
    /// let r = flakeproof::lab::stress(1, 5, |_, i| if i == 0 { Err(std::io::Error::from_raw_os_error(16)) } else { Ok(()) });
    /// assert_eq!(r.failed(), 1);
    /// ```
    pub fn failed(&self) -> u64 {
        self.failures.values().sum()
    }

    /// Failed calls over calls, from 0 to 1.
    ///
    /// ```
    /// let r = flakeproof::lab::stress(2, 2, |t, _| if t == 0 { Err(std::io::Error::from_raw_os_error(26)) } else { Ok(()) });
    /// assert_eq!(r.failure_rate(), 0.5);
    /// ```
    pub fn failure_rate(&self) -> f64 {
        self.failed() as f64 / self.calls().max(1) as f64
    }

    /// The latency below which `pct` percent of calls finished (nearest rank).
    ///
    /// ```
    /// let r = flakeproof::lab::stress(1, 100, |_, _| Ok(()));
    /// assert!(r.percentile(50.0) <= r.percentile(100.0));
    /// ```
    pub fn percentile(&self, pct: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((pct / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }
}

impl fmt::Display for StressReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} calls, {} failed ({:.2} %)",
            self.calls(),
            self.failed(),
            100.0 * self.failure_rate()
        )?;
        for (raw, n) in &self.failures {
            match raw {
                Some(raw) => write!(f, "; {} x{n}", io::Error::from_raw_os_error(*raw))?,
                None => write!(f, "; no OS error x{n}")?,
            }
        }
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        write!(
            f,
            "; latency p50 {:.0} µs, p90 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
            us(self.percentile(50.0)),
            us(self.percentile(90.0)),
            us(self.percentile(99.0)),
            us(self.percentile(100.0))
        )
    }
}

/// The usual ways of installing an executable, as projects write them, for
/// controls: a test of a race must be shown to fail against the naive
/// version, and these are the naive versions (the same code serves
/// `examples/race_lab.rs`, the stress tests and the benchmarks).
///
/// ```
/// use flakeproof::lab::Recipe;
/// let dir = tempfile::tempdir()?;
/// for recipe in Recipe::ALL {
///     let stub = recipe.install(dir.path(), "tool", b"#!/bin/sh\nexit 0\n")?;
///     assert_eq!(std::fs::read(&stub)?, b"#!/bin/sh\nexit 0\n");
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recipe {
    /// `fs::write`, then `set_permissions(0o755)`.
    PlainWrite,
    /// Write a temp file, chmod, rename over the destination.
    TempRename,
    /// The usual "atomic install": write a temp file, chmod, fsync with the
    /// descriptor still open, rename, fsync the directory. Measured to fail
    /// *more* often than a plain write under a fork storm: the fsync holds
    /// the writable descriptor open longer.
    TempFsyncRename,
}

impl Recipe {
    /// Every recipe.
    ///
    /// ```
    /// assert_eq!(flakeproof::lab::Recipe::ALL.len(), 3);
    /// ```
    pub const ALL: [Recipe; 3] = [
        Recipe::PlainWrite,
        Recipe::TempRename,
        Recipe::TempFsyncRename,
    ];

    /// Install `body` as `dir/name` (mode 0o755) this way; return its path.
    /// The temp file is `dir/.name.tmp`: concurrent installs of one name
    /// with a temp recipe collide, as they do in the projects that use it.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let p = flakeproof::lab::Recipe::TempFsyncRename.install(dir.path(), "cc", b"")?;
    /// assert_eq!(p, dir.path().join("cc"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn install(self, dir: &Path, name: &str, body: &[u8]) -> io::Result<PathBuf> {
        let dest = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        match self {
            Recipe::PlainWrite => sys::plain_write(&dest, body, 0o755)?,
            Recipe::TempRename => sys::temp_rename(&tmp, &dest, body, 0o755, false)?,
            Recipe::TempFsyncRename => sys::temp_rename(&tmp, &dest, body, 0o755, true)?,
        }
        Ok(dest)
    }
}
