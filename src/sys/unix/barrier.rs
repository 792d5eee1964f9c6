//! The drain barrier: wait until no open file description anywhere can
//! write a file we just wrote and closed, so that exec of it can't fail with
//! ETXTBSY because of a descriptor a forked child inherited
//! (golang/go#22315, rust-lang/rust#114554).
//!
//! Two probes, on a fresh read-only descriptor of the file:
//! - **lease**: Linux `F_SETLEASE(F_RDLCK)` is refused with EAGAIN while the
//!   inode's write count is above zero: the very counter execve checks. It
//!   is exact, including the window in which the kernel's `__fput` has
//!   released a flock but not yet dropped the write count (LKML "ETXTBSY
//!   window in __fput", 2025). But NFSv4 without a delegation and SMB
//!   without an oplock answer EAGAIN for reasons that have nothing to do
//!   with writers.
//! - **flock**: the writer took `LOCK_EX` on its description, which every
//!   inherited copy shares; `LOCK_SH` on our new description is granted once
//!   the last copy is closed. `LOCK_SH`, because where flock is emulated with
//!   fcntl locks an exclusive lock on a read-only descriptor fails (EBADF).
//!
//! The lease is authoritative on filesystems known to be local, and flock
//! stands in where leases are unsupported there. Elsewhere (FUSE, unknown
//! filesystems) only a granted lease is conclusive: a refused one is
//! believed only while flock sees the writer too, and flock alone is not
//! trusted (a network filesystem may emulate it with per-process locks that
//! forked children don't share). When the probes can't settle it for
//! [`GRACE`] rounds in a row (far longer than the `__fput` window), the
//! barrier says so ([`Probe::Undecided`]) and the installer writes the file
//! from a child process instead, which needs no probe at all.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::{Duration, Instant};

use super::close_watch::CloseWatch;
use super::files::{cvt, unsupported};
use crate::retry::backoff::Backoff;
use crate::sys::types::{Drain, FsKind, Probe};

/// Consecutive rounds in which a refused lease was not confirmed by flock,
/// after which the barrier stops trusting it (about 3 ms of polling).
const GRACE: u32 = 8;

/// Mark the writable description: every copy a forked child inherits holds
/// this lock too, until the last copy is closed. False where the filesystem
/// has no flock: then the flock probe can prove nothing.
pub(crate) fn lock_description(file: &File) -> io::Result<bool> {
    // The description is ours alone and seconds old at most: LOCK_NB can't
    // meet a holder.
    // SAFETY: a plain syscall on a descriptor `file` keeps open.
    match cvt(unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }) {
        Err(e) if unsupported(&e) => Ok(false),
        other => other.map(|_| true),
    }
}

/// Poll until no writable description of `file`'s inode is left, or
/// `timeout` (then `TimedOut`, naming the probe that still saw a writer).
/// `locked`: whether [`lock_description`] took the writer's lock.
pub(crate) fn wait_for_no_writers(
    file: &File,
    kind: FsKind,
    locked: bool,
    timeout: Duration,
) -> io::Result<Drain> {
    let fd = file.as_raw_fd();
    let mut barrier = Barrier::new(kind);
    barrier.flock_usable = locked;
    // Event-driven where the kernel can tell: the inherited copy's close
    // (at the forked child's exec) sends IN_CLOSE_WRITE, which ends a wait
    // at once. The watch is set at the first busy round, and the probes run
    // again right after it: a close between that round and the watch would
    // send no event we could see. Without a watch (not Linux, EMFILE), the
    // poll delays are slept.
    let mut watch: Option<Option<CloseWatch>> = None;
    let pause = |d: Duration| match &watch {
        None => watch = Some(CloseWatch::new(Path::new(&format!("/proc/self/fd/{fd}"))).ok()),
        Some(Some(w)) if w.wait(d).is_ok() => {}
        Some(_) => std::thread::sleep(d),
    };
    wait_with(
        barrier,
        timeout,
        || lease_probe(fd),
        || flock_probe(fd),
        pause,
    )
}

/// What one probe said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Clear,
    Busy,
    Unsupported,
}

fn answer(r: io::Result<bool>) -> io::Result<Answer> {
    match r {
        Ok(true) => Ok(Answer::Clear),
        Ok(false) => Ok(Answer::Busy),
        Err(e) if unsupported(&e) => Ok(Answer::Unsupported),
        Err(e) => Err(e),
    }
}

/// The barrier's reasoning across rounds. Pure: the probes come in as
/// closures, so tests can play any filesystem's answers.
struct Barrier {
    kind: FsKind,
    lease_usable: bool,
    flock_usable: bool,
    disagreements: u32,
}

/// One round's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    Clear(Probe),
    Busy(Probe),
}

impl Barrier {
    fn new(kind: FsKind) -> Self {
        Barrier {
            kind,
            lease_usable: true,
            flock_usable: true,
            disagreements: 0,
        }
    }

    fn round(
        &mut self,
        lease: &mut impl FnMut() -> io::Result<bool>,
        flock: &mut impl FnMut() -> io::Result<bool>,
    ) -> io::Result<Round> {
        let local = matches!(self.kind, FsKind::Local(_));
        if self.lease_usable {
            match answer(lease())? {
                // A granted lease means no writable description is left on
                // this machine: conclusive on any filesystem.
                Answer::Clear => return Ok(Round::Clear(Probe::Lease)),
                Answer::Unsupported => self.lease_usable = false,
                Answer::Busy if local => return Ok(Round::Busy(Probe::Lease)),
                Answer::Busy => {
                    // Not known to be local: a refusal counts only while
                    // flock sees the writer too.
                    let confirmed = self.flock_usable
                        && match answer(flock())? {
                            Answer::Busy => true,
                            Answer::Clear => false,
                            Answer::Unsupported => {
                                self.flock_usable = false;
                                false
                            }
                        };
                    if confirmed {
                        self.disagreements = 0;
                        return Ok(Round::Busy(Probe::Lease));
                    }
                    self.disagreements += 1;
                    if self.disagreements < GRACE {
                        return Ok(Round::Busy(Probe::Lease));
                    }
                    return Ok(Round::Clear(Probe::Undecided));
                }
            }
        }
        // No lease here. Flock alone is trusted only where the filesystem is
        // known to be local.
        if local && self.flock_usable {
            match answer(flock())? {
                Answer::Clear => return Ok(Round::Clear(Probe::Flock)),
                Answer::Busy => return Ok(Round::Busy(Probe::Flock)),
                Answer::Unsupported => self.flock_usable = false,
            }
        }
        Ok(Round::Clear(Probe::Undecided))
    }
}

/// The polling loop: `pause(d)` waits at most `d` before the next round
/// (sleeps, or waits for a close event).
fn wait_with(
    mut barrier: Barrier,
    timeout: Duration,
    mut lease: impl FnMut() -> io::Result<bool>,
    mut flock: impl FnMut() -> io::Result<bool>,
    mut pause: impl FnMut(Duration),
) -> io::Result<Drain> {
    let deadline = Instant::now() + timeout;
    // A forked sibling reaches exec in well under a millisecond on an idle
    // machine: poll fast first, then back off to 1 ms.
    let mut delays =
        Backoff::exponential(Duration::from_micros(20)).max_delay(Duration::from_millis(1));
    let mut busy_probes = 0;
    loop {
        let busy = match barrier.round(&mut lease, &mut flock)? {
            Round::Clear(probe) => return Ok(Drain { probe, busy_probes }),
            Round::Busy(probe) => probe,
        };
        busy_probes += 1;
        let now = Instant::now();
        if now >= deadline {
            let which = match busy {
                Probe::Lease => "the kernel still refused a read lease (the file has a writer)",
                _ => "flock still saw the writer's lock (its description is open)",
            };
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "after {timeout:?} {which}: a forked child inherited the writable \
                     descriptor and has neither exec'd nor exited (use Strategy::ChildWriter \
                     if your process keeps such children)"
                ),
            ));
        }
        let delay = delays.next().unwrap_or(Duration::from_millis(1));
        pause(delay.min(deadline - now));
    }
}

/// Does the file open on `fd` have no writer? A read lease, taken and
/// dropped at once: Ok(true) granted, Ok(false) refused with EAGAIN (a
/// writer), the OS error otherwise (EACCES: not our file and no
/// CAP_LEASE; EINVAL: a filesystem without leases). The shield asks the
/// same question (`notify/shield.rs`).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn lease_probe(fd: libc::c_int) -> io::Result<bool> {
    /// `F_SETSIG` (Linux, all architectures; not in the libc crate).
    const F_SETSIG: libc::c_int = 10;
    // A writer opening the file in the microseconds the lease is held
    // makes the kernel signal the lease's owner, this process: SIGIO by
    // default, whose default action ends it. SIGURG is ignored by default.
    // SAFETY: fcntl on a descriptor the caller keeps open.
    unsafe { libc::fcntl(fd, F_SETSIG, libc::SIGURG) };
    // SAFETY: as above.
    match cvt(unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) }) {
        Ok(_) => {
            // SAFETY: as above; drop the lease at once.
            cvt(unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK) })?;
            Ok(true)
        }
        Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn lease_probe(_fd: libc::c_int) -> io::Result<bool> {
    Err(io::Error::from_raw_os_error(libc::ENOSYS))
}

fn flock_probe(fd: libc::c_int) -> io::Result<bool> {
    // SAFETY: flock on a descriptor the caller keeps open.
    match cvt(unsafe { libc::flock(fd, libc::LOCK_SH | libc::LOCK_NB) }) {
        Ok(_) => {
            // SAFETY: as above; the probe must not keep the lock.
            cvt(unsafe { libc::flock(fd, libc::LOCK_UN) })?;
            Ok(true)
        }
        Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::super::files::{close, create_new, reopen};
    use super::*;
    use std::io::Write;

    fn err(code: i32) -> io::Result<bool> {
        Err(io::Error::from_raw_os_error(code))
    }

    /// Plays a script of answers; `None` past its end means "clear".
    fn script(answers: Vec<io::Result<bool>>) -> impl FnMut() -> io::Result<bool> {
        let mut it = answers.into_iter();
        move || it.next().unwrap_or(Ok(true))
    }

    fn rounds(
        kind: FsKind,
        lease: &mut dyn FnMut() -> io::Result<bool>,
        flock: &mut dyn FnMut() -> io::Result<bool>,
        n: usize,
    ) -> Vec<Round> {
        let mut b = Barrier::new(kind);
        (0..n)
            .map(|_| b.round(&mut || lease(), &mut || flock()).unwrap())
            .collect()
    }

    #[test]
    fn a_lease_that_always_says_busy_while_flock_says_clear_is_undecided_not_a_timeout() {
        // NFSv4 without a delegation: EAGAIN whatever the writers. The old
        // barrier believed the lease and polled until its 5 s timeout; now,
        // after GRACE unconfirmed refusals, it says it can't decide (and the
        // installer writes from a child instead).
        let mut lease = || Ok(false);
        let mut flock = || Ok(true);
        let r = rounds(FsKind::Unknown, &mut lease, &mut flock, GRACE as usize);
        assert!(
            r[..GRACE as usize - 1]
                .iter()
                .all(|r| *r == Round::Busy(Probe::Lease))
        );
        assert_eq!(r[GRACE as usize - 1], Round::Clear(Probe::Undecided));
        let d = wait_with(
            Barrier::new(FsKind::Fuse),
            Duration::from_secs(5),
            || Ok(false),
            || Ok(true),
            std::thread::sleep,
        )
        .unwrap();
        assert_eq!(d.probe, Probe::Undecided);
    }

    #[test]
    fn on_a_local_filesystem_the_lease_is_authoritative() {
        // Lease refused, flock granted: the __fput window, microseconds wide.
        // Flock is not even asked; the barrier waits for the lease.
        let mut flock_asked = 0;
        let mut lease = script(vec![Ok(false), Ok(false), Ok(false)]);
        let mut flock = || {
            flock_asked += 1;
            Ok(true)
        };
        let r = rounds(FsKind::Local("ext4"), &mut lease, &mut flock, 4);
        assert_eq!(r[..3], [Round::Busy(Probe::Lease); 3]);
        assert_eq!(r[3], Round::Clear(Probe::Lease));
        assert_eq!(flock_asked, 0);
    }

    #[test]
    fn a_short_disagreement_is_the_fput_window_not_a_broken_lease() {
        let mut lease = script(vec![Ok(false), Ok(false)]);
        let mut flock = || Ok(true);
        let r = rounds(FsKind::Unknown, &mut lease, &mut flock, 3);
        assert_eq!(
            r,
            [
                Round::Busy(Probe::Lease),
                Round::Busy(Probe::Lease),
                Round::Clear(Probe::Lease)
            ]
        );
    }

    #[test]
    fn agreement_resets_the_grace_and_both_busy_waits() {
        let mut lease = || Ok(false);
        let mut n = 0;
        let mut flock = move || {
            n += 1;
            Ok(n % 2 == 0) // busy, clear, busy, clear ...: never GRACE in a row
        };
        let r = rounds(FsKind::Unknown, &mut lease, &mut flock, 40);
        assert!(r.iter().all(|r| *r == Round::Busy(Probe::Lease)));
    }

    #[test]
    fn a_refused_lease_that_flock_can_not_confirm_is_undecided_after_the_grace() {
        // FUSE or unknown, no flock: the refusal may be real (a forked child)
        // or not (NFS-like); waiting out the timeout would blame a child
        // that may not exist. The child writer needs no probe.
        let mut lease = || Ok(false);
        let mut flock = || err(libc::ENOLCK);
        let r = rounds(FsKind::Fuse, &mut lease, &mut flock, GRACE as usize);
        assert_eq!(r[GRACE as usize - 1], Round::Clear(Probe::Undecided));
    }

    #[test]
    fn without_leases_flock_decides_only_on_a_known_local_filesystem() {
        let mut lease = || err(libc::EINVAL);
        let mut flock = script(vec![Ok(false)]);
        let r = rounds(FsKind::Local("ufs"), &mut lease, &mut flock, 2);
        assert_eq!(r, [Round::Busy(Probe::Flock), Round::Clear(Probe::Flock)]);
        // Elsewhere flock may be emulated per process (NFS): not evidence.
        let r = rounds(FsKind::Unknown, &mut lease, &mut || Ok(true), 1);
        assert_eq!(r, [Round::Clear(Probe::Undecided)]);
        let r = rounds(
            FsKind::Local("ufs"),
            &mut lease,
            &mut || err(libc::ENOLCK),
            1,
        );
        assert_eq!(r, [Round::Clear(Probe::Undecided)]);
    }

    #[test]
    fn a_writer_lock_that_was_never_taken_proves_nothing() {
        // lock_description found no flock: the probe's "clear" would be
        // about a lock nobody holds.
        let mut b = Barrier::new(FsKind::Local("ext4"));
        b.flock_usable = false;
        let r = b
            .round(&mut || err(libc::EINVAL), &mut || Ok(true))
            .unwrap();
        assert_eq!(r, Round::Clear(Probe::Undecided));
    }

    #[test]
    fn other_errors_surface_untouched() {
        let mut b = Barrier::new(FsKind::Unknown);
        let e = b
            .round(&mut || err(libc::EIO), &mut || Ok(true))
            .unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EIO));
    }

    #[test]
    fn the_timeout_names_the_probe_that_saw_the_writer() {
        let local = || Barrier::new(FsKind::Local("ext4"));
        let e = wait_with(local(), Duration::ZERO, || Ok(false), || Ok(true), drop).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert!(e.to_string().contains("read lease"), "{e}");
        let e = wait_with(
            local(),
            Duration::ZERO,
            || err(libc::EINVAL),
            || Ok(false),
            drop,
        )
        .unwrap_err();
        assert!(e.to_string().contains("flock"), "{e}");
    }

    /// A file with a flock'ed writable description, a forked child holding a
    /// copy of it and blocked reading a pipe (never exec'ing), the writer
    /// closed here, and a fresh read-only descriptor: the state the barrier
    /// must wait out. Closing the returned pipe end lets the child exit.
    fn writer_inherited_by_a_blocked_child() -> (tempfile::TempDir, File, libc::pid_t, File) {
        use std::os::fd::AsRawFd as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stub");
        let mut w = create_new(&path).unwrap();
        lock_description(&w).unwrap();
        // flakeproof: allow(shell-script-stub) a stub held open for writing to test the exec barrier
        w.write_all(b"#!/bin/sh\n").unwrap();
        let mut fds = [0; 2];
        // SAFETY: pipe fills the array we own.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: the child only reads and exits (async-signal-safe).
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // SAFETY: in the child: keep only the read end and the writer's
            // description (other tests' pipe write ends, inherited too, would
            // keep each other's children blocked forever), block until the
            // parent closes its write end, exit without unwinding.
            unsafe {
                let writer = w.as_raw_fd();
                for fd in 3..4096 {
                    if fd != fds[0] && fd != writer {
                        libc::close(fd);
                    }
                }
                let mut b = 0u8;
                libc::read(fds[0], (&mut b as *mut u8).cast(), 1);
                libc::_exit(0);
            }
        }
        assert!(pid > 0);
        // SAFETY: fds[0] is ours and closed once; fds[1] moves into a File.
        let release = unsafe {
            libc::close(fds[0]);
            <File as std::os::fd::FromRawFd>::from_raw_fd(fds[1])
        };
        close(w).unwrap();
        let ro = reopen(&path, None).unwrap();
        (dir, ro, pid, release)
    }

    /// The tests that fork hold this: one forked child at a time.
    static FORKING: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn reap(pid: libc::pid_t) {
        // SAFETY: waits for our own child.
        unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
    }

    /// Does the temp dir's filesystem grant us read leases? Not on NFS, nor
    /// where `fs.leases-enable` is 0.
    fn leases_here() -> bool {
        let dir = tempfile::tempdir().unwrap();
        let f = create_new(&dir.path().join("probe")).unwrap();
        drop(f);
        let ro = reopen(&dir.path().join("probe"), None).unwrap();
        match lease_probe(ro.as_raw_fd()) {
            Ok(granted) => granted,
            Err(e) => {
                crate::test_support::skip("leases", &format!("no read lease in the temp dir: {e}"));
                false
            }
        }
    }

    /// The barrier on `fd`, on a local filesystem: with the lease probe, or
    /// (`use_lease` false) as where leases are unsupported, with flock
    /// alone; the deciding probe's answers pass through `seen`.
    fn barrier_on(
        fd: libc::c_int,
        use_lease: bool,
        timeout: Duration,
        seen: &mut dyn FnMut(io::Result<bool>) -> io::Result<bool>,
    ) -> io::Result<Drain> {
        let b = Barrier::new(FsKind::Local("test"));
        if use_lease {
            wait_with(
                b,
                timeout,
                || seen(lease_probe(fd)),
                || flock_probe(fd),
                std::thread::sleep,
            )
        } else {
            wait_with(
                b,
                timeout,
                || err(libc::EINVAL),
                || seen(flock_probe(fd)),
                std::thread::sleep,
            )
        }
    }

    #[test]
    fn both_probes_wait_until_the_child_drops_its_copy() {
        let _one_at_a_time = FORKING.lock().unwrap_or_else(|p| p.into_inner());
        for use_lease in [true, false] {
            if use_lease && !(cfg!(target_os = "linux") && leases_here()) {
                continue;
            }
            let (_dir, ro, pid, release) = writer_inherited_by_a_blocked_child();
            let fd = ro.as_raw_fd();
            let mut release = Some(release);
            // The child is blocked: the first probe must see its copy. Only
            // then is it let go; the barrier must then pass.
            let mut probe = |r: io::Result<bool>| {
                if matches!(r, Ok(false)) {
                    drop(release.take());
                }
                r
            };
            let drain = barrier_on(fd, use_lease, Duration::from_secs(30), &mut probe).unwrap();
            assert!(
                drain.busy_probes > 0,
                "lease={use_lease}: the barrier did not see the child"
            );
            let want = if use_lease && cfg!(target_os = "linux") {
                Probe::Lease
            } else {
                Probe::Flock
            };
            assert_eq!(drain.probe, want);
            reap(pid);
        }
    }

    #[test]
    fn both_probes_time_out_on_a_child_that_never_lets_go() {
        let _one_at_a_time = FORKING.lock().unwrap_or_else(|p| p.into_inner());
        for use_lease in [true, false] {
            if use_lease && !(cfg!(target_os = "linux") && leases_here()) {
                continue;
            }
            let (_dir, ro, pid, release) = writer_inherited_by_a_blocked_child();
            let fd = ro.as_raw_fd();
            let e = barrier_on(fd, use_lease, Duration::from_millis(30), &mut |r| r).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::TimedOut, "lease={use_lease}");
            drop(release);
            reap(pid);
        }
    }

    #[test]
    fn with_no_writer_left_both_probes_pass_at_once() {
        let _one_at_a_time = FORKING.lock().unwrap_or_else(|p| p.into_inner());
        let (_dir, ro, pid, release) = writer_inherited_by_a_blocked_child();
        drop(release);
        reap(pid);
        let fd = ro.as_raw_fd();
        assert!(flock_probe(fd).unwrap());
        if cfg!(target_os = "linux") && leases_here() {
            assert!(lease_probe(fd).unwrap());
        }
        let drain =
            wait_for_no_writers(&ro, FsKind::Local("test"), true, Duration::from_secs(1)).unwrap();
        assert_eq!(drain.busy_probes, 0);
    }
}
