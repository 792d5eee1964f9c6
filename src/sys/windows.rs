//! The Windows door.
//!
//! Windows has no fork: a child inherits only handles marked inheritable, and
//! std opens every file non-inheritable. So the ETXTBSY race does not exist
//! here and the drain barrier has nothing to wait for. What Windows has
//! instead is other processes (antivirus, indexers) opening a new file at
//! once; the retry classifiers cover that (`Os::Windows` rows).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
use std::time::Duration;

use super::types::{ChildStep, DirFacts, Drain, FsKind, Probe};
use crate::fault::Verdict;

/// No fork, so no inherited writable handle can make a spawn fail.
pub(crate) const EXEC_REFUSES_WRITERS: bool = false;

/// Windows won't delete any name of a program that is running, hard links
/// included: fake commands can't share one copy of the shim across tests.
pub(crate) const RUNNING_PROGRAMS_UNLINK: bool = false;

/// What joins `PATH` entries.
pub(crate) const PATH_SEPARATOR: &str = ";";

/// Windows files are not compared by identity here: nothing can swap a file
/// between our close and reopen that a rename could not swap just after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId;

/// Unused on Windows (there is no child writer); kept for the portable layer.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ChildFaults {
    #[allow(dead_code)]
    pub(crate) write: Verdict,
    #[allow(dead_code)]
    pub(crate) close: Verdict,
}

pub(crate) fn fs_kind(_dir: &Path) -> io::Result<FsKind> {
    Ok(FsKind::Unknown)
}

/// Nothing is known of a Windows directory: every check stays.
pub(crate) fn dir_facts(dir: &Path) -> io::Result<DirFacts> {
    std::fs::metadata(dir)?;
    Ok(DirFacts {
        kind: FsKind::Unknown,
        dev: 0,
        private: false,
        lease_decides: false,
    })
}

pub(crate) fn note_leases_fail(_dev: u64) {}

pub(crate) fn create_new(path: &Path) -> io::Result<File> {
    // CREATE_NEW fails on an existing file or link; it never follows one.
    OpenOptions::new().write(true).create_new(true).open(path)
}

pub(crate) fn lock_description(_file: &File) -> io::Result<bool> {
    Ok(false)
}

/// No error means "no flock here" on Windows: the installer takes no lock.
pub(crate) fn lock_unsupported(_err: &io::Error) -> bool {
    false
}

pub(crate) fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

pub(crate) fn set_mode_path(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

pub(crate) fn close(file: File) -> io::Result<()> {
    drop(file);
    Ok(())
}

pub(crate) fn file_id(_file: &File) -> io::Result<FileId> {
    Ok(FileId)
}

pub(crate) fn reopen(path: &Path, _expect: Option<&FileId>) -> io::Result<File> {
    // FlushFileBuffers needs a handle with write access: a read-only handle
    // gets ERROR_ACCESS_DENIED from sync_all.
    OpenOptions::new().write(true).open(path)
}

/// Never called: installs take no barrier where exec does not refuse
/// writers (`EXEC_REFUSES_WRITERS`).
pub(crate) fn wait_for_no_writers(
    _file: &File,
    _kind: FsKind,
    _locked: bool,
    _timeout: Duration,
) -> io::Result<Drain> {
    Ok(Drain {
        probe: Probe::Undecided,
        busy_probes: 0,
    })
}

pub(crate) fn sync_dir(_dir: &Path) -> io::Result<()> {
    // A directory can't be opened for FlushFileBuffers; NTFS journals the
    // rename itself. Every project that hit this made it a no-op.
    Ok(())
}

/// Open `path` to flush it: FlushFileBuffers needs a handle with write
/// access and fails with ERROR_ACCESS_DENIED on a read-only one (the
/// Windows daemon crash of issue 8: fsync of a read-only handle).
pub(crate) fn open_for_sync(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).open(path)
}

/// Open an existing file for writing, without truncating it.
pub(crate) fn open_for_writing(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).open(path)
}

pub(crate) fn write_in_child(
    _path: &Path,
    _body: &[u8],
    _faults: ChildFaults,
) -> Result<(), (ChildStep, io::Error)> {
    Err((
        ChildStep::Start,
        io::Error::new(
            io::ErrorKind::Unsupported,
            "Strategy::ChildWriter needs fork; Windows has no fork race to avoid",
        ),
    ))
}

/// Is `err` what a non-blocking lock says when someone else holds it?
/// `LockFileEx` reports ERROR_LOCK_VIOLATION (33), which std's `try_lock`
/// turns into `WouldBlock`.
pub(crate) fn would_block(err: &io::Error) -> bool {
    err.raw_os_error() == Some(crate::errno::windows::ERROR_LOCK_VIOLATION)
        || err.kind() == io::ErrorKind::WouldBlock
}

/// Write all of `buf` at `offset`.
pub(crate) fn write_all_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_write(buf, offset)? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Windows has no permission bits to copy.
pub(crate) fn mode_of(_meta: &std::fs::Metadata) -> u32 {
    0o755
}

/// Opening a file whose delete is pending (its last handle not yet closed)
/// fails with ERROR_ACCESS_DENIED: for a fake's live file, that means the
/// shim has passed its end (some Windows versions and Wine keep the name).
pub(crate) fn delete_pending(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::PermissionDenied
}

/// A new directory. Its ACL comes from its parent (the per-user temp
/// directory, by default).
pub(crate) fn make_private_dir(path: &Path) -> io::Result<()> {
    std::fs::create_dir(path)
}

/// Not needed on Windows: its locks always exclude, so a fake's live file
/// decides alone.
pub(crate) fn process_alive(_pid: u32) -> bool {
    false
}

/// Only used for a fake directory's own copy of the shim, inside a
/// directory we just made (the shared copy is not used on Windows): nothing
/// to check beyond the file being there.
pub(crate) fn only_we_can_change(_dir: &Path, file: &Path) -> bool {
    std::fs::symlink_metadata(file).is_ok_and(|m| m.is_file())
}

/// No close notification for a file's writers on Windows (and its spawns
/// fail with sharing violations, which a watch would not end): callers sleep.
pub(crate) enum CloseWatch {}

impl CloseWatch {
    pub(crate) fn new(_path: &Path) -> io::Result<CloseWatch> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }

    /// No directory watch either (`ReadDirectoryChangesW` is future work):
    /// a fake directory's waits poll.
    pub(crate) fn dir_entries(_dir: &Path) -> io::Result<CloseWatch> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }

    pub(crate) fn wait(&self, _max: std::time::Duration) -> io::Result<bool> {
        match *self {}
    }

    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn close_on_drop(&mut self) {
        match *self {}
    }

    #[cfg(feature = "tokio")]
    pub(crate) async fn wait_async(&self, _max: std::time::Duration) -> Option<bool> {
        match *self {}
    }
}

/// Fault plans can't reach child processes on Windows yet (a Detours-style
/// backend is future work): spawns are counted in this process only.
/// No child plans on Windows: nothing to keep away from the shim.
pub(crate) fn exempt_program(_: &Path) {}

pub(crate) fn spawn_counted<R>(_: usize, spawn: impl FnOnce() -> R) -> R {
    spawn()
}

pub(crate) fn attach_shield(
    _: &mut std::process::Command,
    _: std::sync::Arc<crate::sys::ShieldStats>,
) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "the shield can hold execs only on Linux (x86_64, aarch64), through seccomp user \
         notification; Windows has no such mechanism flakeproof uses yet",
    ))
}

pub(crate) fn attach_both(
    cmd: &mut std::process::Command,
    _: std::sync::Arc<crate::fault::Shared>,
    stats: std::sync::Arc<crate::sys::ShieldStats>,
) -> io::Result<()> {
    attach_shield(cmd, stats)
}

pub(crate) fn attach_faults(
    _: &mut std::process::Command,
    _: std::sync::Arc<crate::fault::Shared>,
) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "fault plans can reach child processes only on Linux (x86_64, aarch64), through \
         seccomp user notification; Windows has no such mechanism flakeproof uses yet",
    ))
}

pub(crate) fn enforce_on_thread(_: &std::sync::Arc<crate::fault::Shared>) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "kernel plans reach a thread's system calls only on Linux (x86_64, aarch64), through \
         seccomp user notification; Windows has no such mechanism flakeproof uses yet",
    ))
}
