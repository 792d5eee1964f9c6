//! The Unix door: every libc call flakeproof makes on Linux, macOS and the BSDs.

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, IntoRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{Drain, Probe};
use crate::backoff::Backoff;

/// (device, inode): what "the same file" means on Unix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId(u64, u64);

pub(crate) fn create_new(path: &Path) -> io::Result<File> {
    // create_new is O_CREAT|O_EXCL: it fails on an existing symlink instead of
    // following it. 0o600 until set_mode: nobody else can open it meanwhile.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Errnos that mean "this filesystem does not do flock/leases": the barrier
/// then falls back (and on NFS may check nothing: documented).
fn unsupported(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::ENOLCK | libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP | libc::EACCES)
    ) || err.raw_os_error() == Some(libc::ENOTSUP)
}

pub(crate) fn lock_description(file: &File) -> io::Result<()> {
    // The description is minutes old at most and ours alone: LOCK_NB can't
    // meet a holder. flock locks belong to the open file description, so every
    // copy a forked child inherits holds this lock too.
    match cvt(unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }) {
        Err(e) if unsupported(&e) => Ok(()),
        other => other.map(drop),
    }
}

pub(crate) fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    cvt(unsafe { libc::fchmod(file.as_raw_fd(), mode as libc::mode_t) }).map(drop)
}

pub(crate) fn close(file: File) -> io::Result<()> {
    let fd = file.into_raw_fd();
    // POSIX leaves the fd state after EINTR unspecified; Linux always closes it.
    // Retrying could close someone else's new fd, so EINTR counts as closed.
    match cvt(unsafe { libc::close(fd) }) {
        Err(e) if e.raw_os_error() == Some(libc::EINTR) => Ok(()),
        other => other.map(drop),
    }
}

pub(crate) fn file_id(file: &File) -> io::Result<FileId> {
    let m = file.metadata()?;
    Ok(FileId(m.dev(), m.ino()))
}

pub(crate) fn reopen_for_sync(path: &Path, expect: Option<&FileId>) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    if let Some(id) = expect {
        if file_id(&file)? != *id {
            return Err(io::Error::other(format!(
                "{} was replaced by another file while flakeproof was installing it",
                path.display()
            )));
        }
    }
    Ok(file)
}

/// Poll until no writable description of the inode is left, or `timeout`.
///
/// On Linux the probe is `F_SETLEASE(F_RDLCK)` on our read-only descriptor:
/// the kernel refuses it with EAGAIN while `i_writecount > 0`, the very
/// counter execve checks before failing with ETXTBSY. So "lease granted"
/// means "exec can't fail with ETXTBSY because of a writer", including the
/// window in which `__fput` has released the flock but not yet dropped the
/// write count (LKML "ETXTBSY window in __fput", 2025). The lease is dropped
/// at once. Where leases are not available, the probe is the flock drain
/// barrier: LOCK_EX on this new description is granted only once every copy
/// of the locked writable description is closed.
pub(crate) fn wait_for_no_writers(file: &File, timeout: Duration) -> io::Result<Drain> {
    let first = if cfg!(any(target_os = "linux", target_os = "android")) {
        Probe::Lease
    } else {
        Probe::Flock
    };
    wait_with(file, timeout, first)
}

/// The barrier, starting from probe `first` (tests force the flock fallback,
/// which Linux filesystems with leases never reach).
fn wait_with(file: &File, timeout: Duration, first: Probe) -> io::Result<Drain> {
    let fd = file.as_raw_fd();
    let deadline = Instant::now() + timeout;
    // A forked sibling reaches exec in well under a millisecond on an idle
    // machine: poll fast first, then back off to 1 ms.
    let mut delays =
        Backoff::exponential(Duration::from_micros(20)).max_delay(Duration::from_millis(1));
    let mut probe = first;
    let mut busy_probes = 0;
    loop {
        let clear = match probe {
            Probe::Lease => match lease_probe(fd) {
                Err(e) if unsupported(&e) => {
                    probe = Probe::Flock;
                    continue;
                }
                r => r?,
            },
            Probe::Flock => match flock_probe(fd) {
                Err(e) if unsupported(&e) => {
                    probe = Probe::Unchecked;
                    true
                }
                r => r?,
            },
            Probe::Unchecked => true,
        };
        if clear {
            return Ok(Drain { probe, busy_probes });
        }
        busy_probes += 1;
        let now = Instant::now();
        if now >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "a writable descriptor of the new file was still open after {timeout:?}: \
                     a forked child inherited it and has neither exec'd nor exited \
                     (use Strategy::ChildWriter if your process keeps such children)"
                ),
            ));
        }
        let delay = delays.next().unwrap_or(Duration::from_millis(1));
        std::thread::sleep(delay.min(deadline - now));
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn lease_probe(fd: libc::c_int) -> io::Result<bool> {
    match cvt(unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_RDLCK) }) {
        Ok(_) => {
            cvt(unsafe { libc::fcntl(fd, libc::F_SETLEASE, libc::F_UNLCK) })?;
            Ok(true)
        }
        Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn lease_probe(_fd: libc::c_int) -> io::Result<bool> {
    Err(io::Error::from_raw_os_error(libc::ENOSYS))
}

fn flock_probe(fd: libc::c_int) -> io::Result<bool> {
    match cvt(unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) }) {
        Ok(_) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => Ok(false),
        Err(e) => Err(e),
    }
}

pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)?.sync_all()
}

/// A child process creates, writes, chmods and closes the file using only
/// async-signal-safe calls (the parent is multi-threaded: no allocation, no
/// locks in the child), then exits with 0 or the failing errno.
pub(crate) fn write_in_child(path: &Path, body: &[u8], mode: u32) -> io::Result<()> {
    let c_path = CString::new(path.as_os_str().as_bytes())?;
    let pid = start_writer_child(&c_path, body, mode)?;
    let mut status = 0;
    loop {
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            break;
        }
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EINTR) {
            return Err(e);
        }
    }
    if libc::WIFEXITED(status) {
        match libc::WEXITSTATUS(status) {
            0 => Ok(()),
            errno => Err(io::Error::from_raw_os_error(errno)),
        }
    } else {
        Err(io::Error::other(format!(
            "the child writing {} died (wait status {status:#x})",
            path.display()
        )))
    }
}

/// Linux: `clone(CLONE_VM | CLONE_VFORK)`, as glibc's posix_spawn does. The
/// child shares our memory instead of copying the page tables, so the cost
/// does not grow with this process's size (fork: 8.5 ms per install with
/// 200 MB resident, benches/install.rs --rss-mb 200), and this thread is
/// suspended until the child has exited.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn start_writer_child(path: &CString, body: &[u8], mode: u32) -> io::Result<libc::pid_t> {
    struct Job<'a> {
        path: &'a CString,
        body: &'a [u8],
        mode: u32,
    }
    extern "C" fn child_main(job: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `job` points to the Job below, alive while the parent is
        // suspended by CLONE_VFORK; child_write only makes syscalls.
        unsafe {
            let job = &*(job as *const Job<'_>);
            child_write(job.path, job.body, job.mode)
        }
    }
    // The child runs on a stack of its own; child_write needs a few hundred bytes.
    let mut stack = vec![0u8; 64 * 1024];
    let top = (stack.as_mut_ptr() as usize + stack.len()) & !15;
    let job = Job { path, body, mode };
    // A signal handler must never run in the child, which shares our memory:
    // block everything across the clone; the child inherits the mask and
    // never unblocks it.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
        let pid = libc::clone(
            child_main,
            top as *mut libc::c_void,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            &job as *const Job<'_> as *mut libc::c_void,
        );
        let err = io::Error::last_os_error();
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        drop(stack); // the child has exited: CLONE_VFORK returned
        if pid < 0 {
            Err(err)
        } else {
            Ok(pid)
        }
    }
}

/// Other Unixes: fork. The cost grows with the process's resident memory.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn start_writer_child(path: &CString, body: &[u8], mode: u32) -> io::Result<libc::pid_t> {
    // SAFETY: between fork and _exit the child calls only child_write, which
    // uses async-signal-safe functions on memory prepared before the fork.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid == 0 {
        unsafe { libc::_exit(child_write(path, body, mode)) };
    }
    Ok(pid)
}

/// Runs in the writer child. Returns 0 or an errno (all fit in an exit code).
unsafe fn child_write(path: &CString, body: &[u8], mode: u32) -> i32 {
    let errno = || {
        io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO)
            & 0xff
    };
    let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    let fd = libc::open(path.as_ptr(), flags, 0o600 as libc::c_uint);
    if fd < 0 {
        return errno();
    }
    // From here the file is ours: on failure remove it, so that the parent
    // never has to guess whether a file by that name is its to remove.
    let fail = |code: i32| {
        libc::close(fd);
        libc::unlink(path.as_ptr());
        code
    };
    let mut rest = body;
    while !rest.is_empty() {
        let n = libc::write(fd, rest.as_ptr().cast(), rest.len());
        if n < 0 {
            if io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return fail(errno());
        }
        rest = &rest[n as usize..];
    }
    if libc::fchmod(fd, mode as libc::mode_t) < 0 {
        return fail(errno());
    }
    if libc::close(fd) < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
        let code = errno();
        libc::unlink(path.as_ptr());
        return code;
    }
    0
}

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A file with a flock'ed writable description, a forked child holding a
    /// copy of it for `hold` (never exec'ing), the writer closed here, and a
    /// fresh read-only descriptor: the state the barrier must wait out.
    fn writer_inherited_by_a_child(hold: Duration) -> (tempfile::TempDir, File, libc::pid_t) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stub");
        let mut w = create_new(&path).unwrap();
        lock_description(&w).unwrap();
        w.write_all(b"#!/bin/sh\n").unwrap();
        let ts = libc::timespec {
            tv_sec: hold.as_secs() as libc::time_t,
            tv_nsec: hold.subsec_nanos() as libc::c_long,
        };
        // SAFETY: the child only sleeps and exits (async-signal-safe).
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            unsafe {
                libc::nanosleep(&ts, std::ptr::null_mut());
                libc::_exit(0);
            }
        }
        assert!(pid > 0);
        close(w).unwrap();
        let ro = reopen_for_sync(&path, None).unwrap();
        (dir, ro, pid)
    }

    fn reap(pid: libc::pid_t) {
        unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
    }

    #[test]
    fn both_probes_wait_until_the_child_drops_its_copy() {
        for probe in [Probe::Lease, Probe::Flock] {
            let (_dir, ro, pid) = writer_inherited_by_a_child(Duration::from_millis(80));
            let drain = wait_with(&ro, Duration::from_secs(10), probe).unwrap();
            if cfg!(target_os = "linux") || probe == Probe::Flock {
                assert_eq!(drain.probe, probe);
            }
            assert!(
                drain.busy_probes > 0,
                "{probe:?}: the barrier did not wait for the child"
            );
            reap(pid);
        }
    }

    #[test]
    fn both_probes_time_out_on_a_child_that_never_lets_go() {
        for probe in [Probe::Lease, Probe::Flock] {
            let (_dir, ro, pid) = writer_inherited_by_a_child(Duration::from_millis(1500));
            let e = wait_with(&ro, Duration::from_millis(30), probe).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::TimedOut, "{probe:?}");
            unsafe { libc::kill(pid, libc::SIGKILL) };
            reap(pid);
        }
    }

    #[test]
    fn with_no_writer_left_both_probes_pass_at_once() {
        for probe in [Probe::Lease, Probe::Flock] {
            let (_dir, ro, pid) = writer_inherited_by_a_child(Duration::ZERO);
            reap(pid);
            let drain = wait_with(&ro, Duration::from_secs(1), probe).unwrap();
            assert_eq!(drain.busy_probes, 0, "{probe:?}");
        }
    }
}
