//! Real-kernel race reproducers: produce the conditions of a flake on demand.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::sys;

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
/// # #[cfg(unix)]
/// while storm.spawns() < 5 { std::thread::yield_now(); }
/// let spawned = storm.stop();
/// # #[cfg(unix)]
/// assert!(spawned >= 5);
/// ```
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
