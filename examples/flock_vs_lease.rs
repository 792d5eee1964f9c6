//! How often is the flock drain barrier granted while the file still has a
//! writer? Linux only.
//!
//! The flock drain barrier (golang/go#22315) takes `flock(LOCK_EX)` on the
//! writable descriptor, closes it, reopens the file read-only and waits for
//! `flock(LOCK_SH)`: a forked child that inherited the writable descriptor
//! shares the lock, so the wait lasts until the child has closed its copy. But
//! the kernel's `__fput` drops flock locks a moment *before* it drops the
//! inode's write count (the count `execve` checks for ETXTBSY), so "flock
//! granted" can briefly still mean "exec would fail".
//!
//! This example measures that window. Writer threads each install many small
//! files while two threads spawn `/bin/true` in a loop (the forks that inherit
//! the writable descriptors). After each install the writer polls the flock
//! barrier, and at the instant it is granted asks the kernel for a read lease
//! (`F_SETLEASE`, `F_RDLCK`), which is refused with EAGAIN exactly while some
//! open file description of the inode still has write access. Each refusal is
//! an install the flock barrier alone would have let through too early.
//!
//! It prints what it measured and exits 0; the counts vary from run to run.
//!
//!     cargo run --release --example flock_vs_lease [-- --writers 4 --installs 5000]
//!
//! Files go to a temp directory under `TMPDIR` (set it to try another
//! filesystem, e.g. `TMPDIR=/dev/shm`).

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!(
        "flock_vs_lease needs Linux (read leases and ETXTBSY on exec); nothing to measure here."
    );
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::{File, OpenOptions};
    use std::io::{self, Write};
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::{AsRawFd, RawFd};
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::thread;
    use std::time::{Duration, Instant};

    /// Pause between two flock polls.
    const POLL: Duration = Duration::from_micros(20);
    /// Give up on one install's barrier after this long (a child that never
    /// execs or exits would hold the lock forever).
    const GIVE_UP: Duration = Duration::from_secs(5);
    /// Background threads spawning `/bin/true`.
    const SPAWNERS: usize = 2;

    struct Args {
        writers: usize,
        installs: u64,
    }

    fn parse_args() -> Result<Args, String> {
        let mut args = Args {
            writers: 4,
            installs: 5_000,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .ok_or_else(|| format!("{name} needs a value"))?
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("{name} needs a positive integer"))
            };
            match flag.as_str() {
                "--writers" => args.writers = value("--writers")? as usize,
                "--installs" => args.installs = value("--installs")?,
                "-h" | "--help" => {
                    return Err(
                        "usage: flock_vs_lease [--writers N (4)] [--installs M per writer (5000)]"
                            .into(),
                    );
                }
                other => return Err(format!("unknown argument {other:?} (try --help)")),
            }
        }
        Ok(args)
    }

    #[derive(Default)]
    struct Counts {
        installs: AtomicU64,
        /// flock was refused at least once before it was granted.
        waited: AtomicU64,
        /// Of `waited`: the lease was refused (EAGAIN) right when flock was granted.
        lease_refused_after_wait: AtomicU64,
        /// flock was granted at the first try, yet the lease was refused.
        lease_refused_no_wait: AtomicU64,
        /// Longest time from flock grant to lease grant, in nanoseconds.
        longest_gap_ns: AtomicU64,
        /// flock still refused after `GIVE_UP`.
        timeouts: AtomicU64,
        /// Any other error (listed on stderr).
        errors: AtomicU64,
        spawns: AtomicU64,
    }

    fn flock(fd: RawFd, op: libc::c_int) -> io::Result<()> {
        // SAFETY: flock only reads its two integer arguments; `fd` is a
        // descriptor owned by a `File` that outlives this call.
        if unsafe { libc::flock(fd, op) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    /// Asks for a read lease and gives it back at once. `Ok(false)`: refused
    /// with EAGAIN, i.e. some open file description still has write access.
    fn lease_granted(fd: RawFd) -> io::Result<bool> {
        // SAFETY: F_SETLEASE takes an integer argument and touches no memory
        // of ours; `fd` is owned by a `File` that outlives this call.
        if unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) } == -1 {
            let e = io::Error::last_os_error();
            return if e.raw_os_error() == Some(libc::EAGAIN) {
                Ok(false)
            } else {
                Err(e)
            };
        }
        // SAFETY: as above; releases the lease this descriptor just took.
        if unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK) } == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(true)
    }

    fn would_block(e: &io::Error) -> bool {
        e.raw_os_error() == Some(libc::EWOULDBLOCK)
    }

    /// One install: write under an exclusive flock, close, then wait on the
    /// barrier and probe the lease at the moment it opens.
    fn install(path: &Path, counts: &Counts) -> Result<(), (&'static str, io::Error)> {
        let step = |name| move |e| (name, e);
        let mut writer = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o755)
            .open(path)
            .map_err(step("open for writing"))?;
        flock(writer.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB)
            .map_err(step("flock(LOCK_EX) on the writer"))?;
        writer
            .write_all(b"#!/bin/sh\nexit 0\n")
            .map_err(step("write"))?;
        drop(writer); // close: forked children may still hold copies

        let reader = File::open(path).map_err(step("open read-only"))?;
        let fd = reader.as_raw_fd();
        let start = Instant::now();
        let mut waited = false;
        loop {
            match flock(fd, libc::LOCK_SH | libc::LOCK_NB) {
                Ok(()) => break,
                Err(e) if would_block(&e) => {
                    waited = true;
                    if start.elapsed() >= GIVE_UP {
                        counts.timeouts.fetch_add(1, Ordering::Relaxed);
                        return Ok(());
                    }
                    thread::sleep(POLL);
                }
                Err(e) => return Err(("flock(LOCK_SH) on the reader", e)),
            }
        }
        // flock granted: ask the question execve asks, right now.
        let granted_at = Instant::now();
        if waited {
            counts.waited.fetch_add(1, Ordering::Relaxed);
        }
        let lease = step("F_SETLEASE");
        if !lease_granted(fd).map_err(lease)? {
            let refused = if waited {
                &counts.lease_refused_after_wait
            } else {
                &counts.lease_refused_no_wait
            };
            refused.fetch_add(1, Ordering::Relaxed);
            // How long until the writer really is gone?
            while !lease_granted(fd).map_err(lease)? {
                if granted_at.elapsed() >= GIVE_UP {
                    counts.timeouts.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                thread::yield_now();
            }
            let gap = u64::try_from(granted_at.elapsed().as_nanos()).unwrap_or(u64::MAX);
            counts.longest_gap_ns.fetch_max(gap, Ordering::Relaxed);
        }
        Ok(())
    }

    fn kernel_release() -> String {
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".into(), |s| s.trim().to_owned())
    }

    fn pct(part: u64, whole: u64) -> String {
        if whole == 0 {
            "-".into()
        } else {
            format!("{:.2} %", 100.0 * part as f64 / whole as f64)
        }
    }

    pub fn main() {
        let args = match parse_args() {
            Ok(a) => a,
            Err(msg) => {
                eprintln!("{msg}");
                return;
            }
        };
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => {
                eprintln!("cannot create a temp dir: {e}");
                return;
            }
        };
        let counts = Arc::new(Counts::default());
        let stop = Arc::new(AtomicBool::new(false));

        let spawners: Vec<_> = (0..SPAWNERS)
            .map(|_| {
                let (stop, counts) = (Arc::clone(&stop), Arc::clone(&counts));
                thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let status = Command::new("/bin/true")
                            .stdin(Stdio::null())
                            .stdout(Stdio::null())
                            .stderr(Stdio::null())
                            .status();
                        if status.is_ok() {
                            counts.spawns.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();

        let started = Instant::now();
        let writers: Vec<_> = (0..args.writers)
            .map(|t| {
                let counts = Arc::clone(&counts);
                let dir = dir.path().to_owned();
                let installs = args.installs;
                thread::spawn(move || {
                    for i in 0..installs {
                        let path = dir.join(format!("stub-{t}-{i}"));
                        match install(&path, &counts) {
                            Ok(()) => {
                                counts.installs.fetch_add(1, Ordering::Relaxed);
                            }
                            Err((step, e)) => {
                                if counts.errors.fetch_add(1, Ordering::Relaxed) < 5 {
                                    eprintln!("install {}: {step}: {e}", path.display());
                                }
                            }
                        }
                        let _ = std::fs::remove_file(&path);
                    }
                })
            })
            .collect();
        for w in writers {
            let _ = w.join();
        }
        let elapsed = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        for s in spawners {
            let _ = s.join();
        }

        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let installs = get(&counts.installs);
        let waited = get(&counts.waited);
        let after_wait = get(&counts.lease_refused_after_wait);
        let no_wait = get(&counts.lease_refused_no_wait);
        let cores = thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);

        println!(
            "Linux {}, {} cores; {} writer threads x {} installs, {} threads spawning /bin/true; temp dir {}\n",
            kernel_release(),
            cores,
            args.writers,
            args.installs,
            SPAWNERS,
            dir.path().display(),
        );
        println!("| | count |");
        println!("|---|---:|");
        println!("| installs | {installs} |");
        println!(
            "| flock had to wait | {waited} ({}) |",
            pct(waited, installs)
        );
        println!(
            "| of those: lease still refused when flock was granted | {after_wait} ({}) |",
            pct(after_wait, waited)
        );
        println!("| flock granted at once, lease refused | {no_wait} |");
        println!(
            "| timeouts (> {} s) | {} |",
            GIVE_UP.as_secs(),
            get(&counts.timeouts)
        );
        println!("| other errors | {} |", get(&counts.errors));
        println!();
        if after_wait + no_wait > 0 {
            println!(
                "Longest time from flock grant to lease grant: {} µs.",
                get(&counts.longest_gap_ns) / 1_000
            );
        }
        println!(
            "Background spawns: {}; wall time {:.1} s.",
            get(&counts.spawns),
            elapsed.as_secs_f64()
        );
        println!(
            "Each refusal is an install where flock alone would have reported \"no writer left\" too early."
        );
    }
}
