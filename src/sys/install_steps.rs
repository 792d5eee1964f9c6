//! The steps of an install (and of the replacements and fake directories
//! built on it), each one OS call behind the fault gate, under the operation
//! a real failure of it would belong to. Plain renames and removals are
//! `mirror`'s, shared with `flakeproof::fs`.

use std::fs::File;
use std::io;
use std::path::Path;
use std::time::Duration;

use super::imp::{self, FileId};
use super::types::{ChildStep, DirFacts, Drain, FsKind};

use crate::classify::Op;
use crate::fault::gate;

/// What kind of filesystem `dir` is on (cached per device).
pub(crate) fn fs_kind(dir: &Path) -> io::Result<FsKind> {
    let _gated = gate(Op::Metadata, dir)?;
    imp::fs_kind(dir)
}

/// The filesystem's kind and what else an install needs to know of `dir`.
pub(crate) fn dir_facts(dir: &Path) -> io::Result<DirFacts> {
    let _gated = gate(Op::Metadata, dir)?;
    imp::dir_facts(dir)
}

/// Remember that leases turned out unsupported on device `dev` (no OS
/// call).
pub(crate) fn note_leases_fail(dev: u64) {
    imp::note_leases_fail(dev)
}

/// Create `path` for writing; fail if anything (a symlink included) is there.
pub(crate) fn create_new(path: &Path) -> io::Result<File> {
    let _gated = gate(Op::OpenWrite, path)?;
    imp::create_new(path)
}

/// Mark the open file description so that a later [`wait_for_no_writers`]
/// can tell when every copy of it (leaked into forked children) is closed.
/// False where the filesystem has no flock.
pub(crate) fn lock_description(file: &File, path: &Path) -> io::Result<bool> {
    // An injected error lands as a real one would: one that means "no flock
    // on this filesystem" leaves the description unlocked, not the install
    // failed.
    match gate(Op::Lock, path) {
        Err(e) if imp::lock_unsupported(&e) => Ok(false),
        Err(e) => Err(e),
        Ok(_gated) => imp::lock_description(file),
    }
}

pub(crate) fn write_all(file: &mut File, body: &[u8], path: &Path) -> io::Result<()> {
    let _gated = gate(Op::Write, path)?;
    io::Write::write_all(file, body)
}

/// Set the mode exactly (fchmod is not subject to the umask); no-op on Windows.
pub(crate) fn set_mode(file: &File, mode: u32, path: &Path) -> io::Result<()> {
    let _gated = gate(Op::SetPermissions, path)?;
    imp::set_mode(file, mode)
}

/// Close, reporting the error a plain drop would swallow (NFS reports
/// deferred write errors at close).
pub(crate) fn close(file: File, path: &Path) -> io::Result<()> {
    let _gated = gate(Op::Close, path)?;
    imp::close(file)
}

/// Identity of an open file, to check that a reopen by path found the same one.
pub(crate) fn file_id(file: &File, path: &Path) -> io::Result<FileId> {
    let _gated = gate(Op::Metadata, path)?;
    imp::file_id(file)
}

/// Open `path` again after its writable descriptor was closed (read-only on
/// Unix: a read-only descriptor does not block exec), and check it is still
/// the file we wrote (when `expect` is given).
pub(crate) fn reopen(path: &Path, expect: Option<&FileId>) -> io::Result<File> {
    let _gated = gate(Op::Open, path)?;
    imp::reopen(path, expect)
}

/// Wait until no open file description anywhere can write `file`'s inode,
/// polling for at most `timeout`; `TimedOut` past it.
pub(crate) fn wait_for_no_writers(
    file: &File,
    path: &Path,
    kind: FsKind,
    locked: bool,
    timeout: Duration,
) -> io::Result<Drain> {
    let _gated = gate(Op::Lock, path)?;
    imp::wait_for_no_writers(file, kind, locked, timeout)
}

/// Open `path` for an fsync of it: read-only on Unix, writable on Windows
/// (see the doors for why).
pub(crate) fn open_for_sync(path: &Path) -> io::Result<File> {
    let _gated = gate(Op::Open, path)?;
    imp::open_for_sync(path)
}

pub(crate) fn sync_file(file: &File, path: &Path) -> io::Result<()> {
    let _gated = gate(Op::Sync, path)?;
    file.sync_all()
}

/// Make a rename in `dir` durable; no-op on Windows, which can't open a
/// directory for FlushFileBuffers.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    let _gated = gate(Op::Sync, dir)?;
    imp::sync_dir(dir)
}

/// A second name for `from` at `to`, failing with AlreadyExists if `to`
/// exists: the no-replace rename std lacks (gated as a rename onto `to`).
pub(crate) fn hard_link(from: &Path, to: &Path) -> io::Result<()> {
    let _gated = gate(Op::Rename, to)?;
    std::fs::hard_link(from, to)
}

/// Whether anything (a dangling link included) is at `path`.
pub(crate) fn exists(path: &Path) -> io::Result<bool> {
    let _gated = gate(Op::Metadata, path)?;
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Create `path` (exclusively, mode 0o600) with `body` from a short-lived
/// child process, so the writable descriptor never exists in this process.
/// On error nothing is left at `path` by this call. Unsupported on Windows.
///
/// The child can't consult the fault plan, so its write and close are
/// decided here, before it starts, and it fails (or pauses) at the step where
/// the real error would come. The record lists them even when an earlier
/// step of the child fails for real.
pub(crate) fn write_in_child(path: &Path, body: &[u8]) -> Result<(), (ChildStep, io::Error)> {
    let open = |e| (ChildStep::Open, e);
    let start = |e| (ChildStep::Start, e);
    let _gated = gate(Op::OpenWrite, path).map_err(open)?;
    let faults = imp::ChildFaults {
        write: crate::fault::decide(Op::Write, path).map_err(start)?,
        close: crate::fault::decide(Op::Close, path).map_err(start)?,
    };
    imp::write_in_child(path, body, faults)
}
