//! Calls for fake-command directories ([`crate::fake`]): creating their
//! folders, writing specs, reading the records the shim leaves, watching
//! for more, probing whether a call still runs, running the self-test.
//!
//! Like the `lab` calls, none of these passes the fault gate: they are the
//! test's own machinery, which a plan aimed at the code under test must not
//! fail or fill the record with. (Extracting the shim goes through the
//! installer, under [`crate::fault::exempt`].)

use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::names::Leftover;

/// The directory of the running executable (a test binary lives in
/// `target/*/deps`).
pub(crate) fn exe_dir() -> io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    exe.parent()
        .map(Path::to_owned)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "executable has no directory"))
}

/// A directory only we can enter (0o700 on Unix, whatever the umask): a
/// group-writable fake directory would let others change what the fakes
/// answer.
pub(crate) fn make_dir(path: &Path) -> io::Result<()> {
    super::imp::make_private_dir(path)
}

pub(crate) fn read(path: &Path) -> io::Result<Vec<u8>> {
    fs::read(path)
}

/// `Ok(None)` if `path` does not exist.
pub(crate) fn read_if_exists(path: &Path) -> io::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether `path` holds exactly `body` (a cached shim from this build)
/// and no one else could change it ([`super::imp::only_we_can_change`]).
pub(crate) fn holds(path: &Path, body: &[u8]) -> bool {
    let dir = path.parent().unwrap_or(Path::new("."));
    super::imp::only_we_can_change(dir, path)
        && fs::metadata(path).is_ok_and(|m| m.len() == body.len() as u64)
        && fs::read(path).is_ok_and(|b| b == body)
}

/// Writes `dir/name` whole: a temp file renamed over it, so a shim reading
/// it at the same moment sees the old spec or the new one.
pub(crate) fn write_replacing(dir: &Path, name: &str, body: &[u8]) -> io::Result<()> {
    let tmp = dir.join(Leftover::Temp.name(name, crate::rng::entropy()));
    fs::write(&tmp, body)?;
    fs::rename(&tmp, dir.join(name)).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// The UTF-8 names in `dir` (the shim writes no others).
pub(crate) fn names(dir: &Path) -> io::Result<Vec<String>> {
    Ok(fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect())
}

pub(crate) fn link(from: &Path, to: &Path) -> io::Result<()> {
    fs::hard_link(from, to)
}

/// Creates `path` if it does not exist.
pub(crate) fn touch(path: &Path) -> io::Result<()> {
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

pub(crate) fn remove(path: &Path) -> io::Result<()> {
    fs::remove_file(path)
}

/// Whether a call's shim still runs: its lock file (the record itself on
/// Unix) is locked. A lock the kernel dropped (the process died) or a file
/// removed (a Windows live file, after the end) both mean no.
pub(crate) fn is_running(path: &Path) -> io::Result<bool> {
    let file = match OpenOptions::new().read(true).open(path) {
        Ok(f) => f,
        // Gone, or deleted and pending while its last handle closes: the
        // shim is past its end either way.
        Err(e) if e.kind() == io::ErrorKind::NotFound || super::imp::delete_pending(&e) => {
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(false),
        Err(std::fs::TryLockError::WouldBlock) => Ok(true),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Whether process `pid` is alive: asked only when a fake's lock looks free
/// but it left no end record, since a lock can be missing (a filesystem
/// that refuses flock, or the moment between the shim's link and its lock
/// through the new name on FUSE).
pub(crate) fn process_alive(pid: u32) -> bool {
    super::imp::process_alive(pid)
}

/// Runs `exe` with `key=value` in its environment, stdin closed, and
/// collects its output.
pub(crate) fn run_with_env(exe: &Path, key: &str, value: &str) -> io::Result<Output> {
    Command::new(exe)
        .env(key, value)
        .stdin(Stdio::null())
        .output()
}

/// The real program `name` on `path`, leaving out the fake directory
/// `skip`: what a passthrough runs.
pub(crate) fn find_program(name: &str, path: &OsStr, skip: &Path) -> Option<PathBuf> {
    super::process::search_path(OsStr::new(name), path, Some(skip))
}

/// A fake is in place at `path`: keep plans attached to child processes
/// away from its calls (the shim's records and claims), as `fault::exempt`
/// keeps this process's plan away from the fake dir's own.
pub(crate) fn exempt_program(path: &Path) {
    super::imp::exempt_program(path);
}

/// A watch on a fake directory's `calls/`: wakes when a record arrives (a
/// name linked, created or renamed in) or a file in it is closed after
/// writing (a shim's exit closes its record, and the kernel reports that
/// just before it drops the shim's lock on it).
// Never made where the OS has no such watch (Windows): callers poll there.
pub(crate) struct RecordWatch(super::imp::CloseWatch);

/// Watch the records in `dir`. `Unsupported` where the OS has no such
/// event (everything but Linux and Android): callers poll there.
pub(crate) fn watch_records(dir: &Path) -> io::Result<RecordWatch> {
    super::imp::CloseWatch::dir_entries(dir).map(RecordWatch)
}

impl RecordWatch {
    /// Waits at most `max` for an event; true if one came (all queued
    /// events are consumed). A wake-up only says "look again".
    pub(crate) fn wait(&self, max: Duration) -> io::Result<bool> {
        self.0.wait(max)
    }
}
