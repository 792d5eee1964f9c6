//! The one layer that makes OS calls.
//!
//! Every call that can fail goes through [`gate`], tagged with its [`Op`] and
//! the path it touches: the single place where the active fault plan
//! ([`crate::fault`]) is consulted. The portable functions here hold no platform
//! logic; each OS has one door (`unix.rs`, `windows.rs`) behind `imp`.
//!
//! Errors from the OS are returned exactly as the OS gave them: no wrapping,
//! so `raw_os_error()` and `kind()` survive for the caller's classifier.

use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use crate::classify::Op;
use crate::fault;

#[cfg(unix)]
#[path = "unix.rs"]
mod imp;
#[cfg(windows)]
#[path = "windows.rs"]
mod imp;

pub(crate) use imp::FileId;

/// Every fallible OS call passes here first. With no fault plan active
/// anywhere this is one atomic load; otherwise the plan in force decides
/// whether the call is delayed, failed with an injected errno (without
/// making the call), or made.
#[inline(always)]
fn gate<T>(op: Op, path: &Path, call: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    if fault::any_active() {
        inject(op, path)?;
    }
    call()
}

#[cold]
#[inline(never)]
fn inject(op: Op, path: &Path) -> io::Result<()> {
    let verdict = fault::consult(op, path, monotonic_now);
    if !verdict.delay.is_zero() {
        sleep(verdict.delay);
    }
    match verdict.fail {
        // from_raw_os_error: the same raw code and kind() the kernel's would have.
        Some(raw) => Err(io::Error::from_raw_os_error(raw)),
        None => Ok(()),
    }
}

/// A fault point for users' own code ([`crate::fault::point`]).
pub(crate) fn fault_point(op: Op, path: &Path) -> io::Result<()> {
    gate(op, path, || Ok(()))
}

/// The chaos-mode plan, `FLAKEPROOF_FAULTS`, if set and not empty.
pub(crate) fn fault_plan_from_env() -> Option<String> {
    std::env::var("FLAKEPROOF_FAULTS")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

// ---- time and randomness (infallible, not gated) ----

static ORIGIN: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Monotonic time since the first use in this process.
pub(crate) fn monotonic_now() -> Duration {
    ORIGIN.elapsed()
}

pub(crate) fn sleep(d: Duration) {
    std::thread::sleep(d)
}

/// 64 unpredictable bits: std's per-process random SipHash keys over a counter
/// and the time. Used for temp names, which must not be guessable (a guessed
/// name lets another user plant a symlink or a file there first).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(monotonic_now().as_nanos());
    h.write_u32(std::process::id());
    h.finish()
}

// ---- files ----

/// Create `path` for writing; fail if anything (a symlink included) is there.
pub(crate) fn create_new(path: &Path) -> io::Result<File> {
    gate(Op::OpenWrite, path, || imp::create_new(path))
}

/// Mark the open file description so that a later [`wait_for_no_writers`]
/// can tell when every copy of it (leaked into forked children) is closed.
pub(crate) fn lock_description(file: &File, path: &Path) -> io::Result<()> {
    gate(Op::Lock, path, || imp::lock_description(file))
}

pub(crate) fn write_all(file: &mut File, body: &[u8], path: &Path) -> io::Result<()> {
    gate(Op::Write, path, || io::Write::write_all(file, body))
}

/// Set the mode exactly (fchmod is not subject to the umask); no-op on Windows.
pub(crate) fn set_mode(file: &File, mode: u32, path: &Path) -> io::Result<()> {
    gate(Op::SetPermissions, path, || imp::set_mode(file, mode))
}

/// Close, reporting the error a plain drop would swallow (NFS reports
/// deferred write errors at close).
pub(crate) fn close(file: File, path: &Path) -> io::Result<()> {
    gate(Op::Write, path, || imp::close(file))
}

/// Identity of an open file, to check that a reopen by path found the same one.
pub(crate) fn file_id(file: &File, path: &Path) -> io::Result<FileId> {
    gate(Op::Open, path, || imp::file_id(file))
}

/// Open `path` again, after its writable descriptor was closed, and check it
/// is still the file we wrote (when `expect` is given). Read-only on Unix (a read-only descriptor does
/// not block exec); with write access on Windows, where FlushFileBuffers needs it.
pub(crate) fn reopen_for_sync(path: &Path, expect: Option<&FileId>) -> io::Result<File> {
    gate(Op::Open, path, || imp::reopen_for_sync(path, expect))
}

/// How the drain barrier knew that no writer was left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(windows, allow(dead_code))] // Windows has no writer race to probe
pub(crate) enum Probe {
    /// Linux `F_SETLEASE(F_RDLCK)`: refused exactly while the inode's write
    /// count is above zero, the same count execve checks for ETXTBSY.
    Lease,
    /// `flock` on a new description: granted once every copy of the old,
    /// locked description is closed (golang/go#22315, amonakov 2020).
    Flock,
    /// Neither works here (NFS, Windows): nothing was checked.
    Unchecked,
}

/// Outcome of the drain barrier.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Drain {
    pub(crate) probe: Probe,
    /// Probes that found a writer still there before the all-clear.
    pub(crate) busy_probes: u32,
}

/// Wait until no open file description anywhere can write `file`'s inode,
/// polling for at most `timeout`; `TimedOut` past it.
pub(crate) fn wait_for_no_writers(
    file: &File,
    path: &Path,
    timeout: Duration,
) -> io::Result<Drain> {
    gate(Op::Lock, path, || imp::wait_for_no_writers(file, timeout))
}

pub(crate) fn sync_file(file: &File, path: &Path) -> io::Result<()> {
    gate(Op::Sync, path, || file.sync_all())
}

/// Make a rename in `dir` durable; no-op on Windows, which can't open a
/// directory for FlushFileBuffers.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    gate(Op::Sync, dir, || imp::sync_dir(dir))
}

pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    gate(Op::Rename, to, || std::fs::rename(from, to))
}

/// Open an existing file for writing, without truncating it.
pub(crate) fn open_for_writing(path: &Path) -> io::Result<File> {
    gate(Op::OpenWrite, path, || {
        std::fs::OpenOptions::new().write(true).open(path)
    })
}

pub(crate) fn remove_file(path: &Path) -> io::Result<()> {
    gate(Op::RemoveFile, path, || std::fs::remove_file(path))
}

/// Create `path` (exclusively) with `body` and `mode` from a short-lived
/// child process, so the writable descriptor never exists in this process.
/// On error nothing is left at `path` by this call. Unsupported on Windows.
pub(crate) fn write_in_child(path: &Path, body: &[u8], mode: u32) -> io::Result<()> {
    gate(Op::OpenWrite, path, || {
        imp::write_in_child(path, body, mode)
    })
}

// ---- std::fs mirrors, for crate::fs ----

pub(crate) fn copy(from: &Path, to: &Path) -> io::Result<u64> {
    gate(Op::Copy, to, || std::fs::copy(from, to))
}

pub(crate) fn create_dir(path: &Path) -> io::Result<()> {
    gate(Op::CreateDir, path, || std::fs::create_dir(path))
}

pub(crate) fn create_dir_all(path: &Path) -> io::Result<()> {
    gate(Op::CreateDir, path, || std::fs::create_dir_all(path))
}

pub(crate) fn read(path: &Path) -> io::Result<Vec<u8>> {
    gate(Op::Open, path, || std::fs::read(path))
}

pub(crate) fn read_to_string(path: &Path) -> io::Result<String> {
    gate(Op::Open, path, || std::fs::read_to_string(path))
}

pub(crate) fn remove_dir(path: &Path) -> io::Result<()> {
    gate(Op::RemoveDir, path, || std::fs::remove_dir(path))
}

pub(crate) fn remove_dir_all(path: &Path) -> io::Result<()> {
    gate(Op::RemoveDir, path, || std::fs::remove_dir_all(path))
}

pub(crate) fn set_permissions(path: &Path, perm: std::fs::Permissions) -> io::Result<()> {
    gate(Op::SetPermissions, path, || {
        std::fs::set_permissions(path, perm)
    })
}

/// `std::fs::write` opens then writes: a plan can fail either step.
pub(crate) fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    gate(Op::OpenWrite, path, || Ok(()))?;
    gate(Op::Write, path, || std::fs::write(path, contents))
}

// ---- processes ----

pub(crate) fn spawn(cmd: &mut Command) -> io::Result<Child> {
    let program = Path::new(cmd.get_program()).to_owned();
    gate(Op::Spawn, &program, || cmd.spawn())
}

pub(crate) fn output(cmd: &mut Command) -> io::Result<Output> {
    let program = Path::new(cmd.get_program()).to_owned();
    gate(Op::Spawn, &program, || cmd.output())
}

pub(crate) fn status(cmd: &mut Command) -> io::Result<ExitStatus> {
    let program = Path::new(cmd.get_program()).to_owned();
    gate(Op::Spawn, &program, || cmd.status())
}
