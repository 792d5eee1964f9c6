//! `std::fs` calls for the [`crate::fs`] mirror, each behind the fault gate
//! under its operation. Never retried: the mirror's job is to behave as std
//! does, injected faults included, so that users' own retry loops meet them.

use std::fs::{File, Metadata, OpenOptions, Permissions};
use std::io::{self, Write};
use std::path::Path;

use crate::classify::Op;
use crate::fault::gate;

pub(crate) fn copy(from: &Path, to: &Path) -> io::Result<u64> {
    let _gated = gate(Op::Copy, to)?;
    std::fs::copy(from, to)
}

pub(crate) fn create_dir(path: &Path) -> io::Result<()> {
    let _gated = gate(Op::CreateDir, path)?;
    std::fs::create_dir(path)
}

pub(crate) fn create_dir_all(path: &Path) -> io::Result<()> {
    let _gated = gate(Op::CreateDir, path)?;
    std::fs::create_dir_all(path)
}

pub(crate) fn metadata(path: &Path) -> io::Result<Metadata> {
    let _gated = gate(Op::Metadata, path)?;
    std::fs::metadata(path)
}

pub(crate) fn read(path: &Path) -> io::Result<Vec<u8>> {
    let _gated = gate(Op::Open, path)?;
    std::fs::read(path)
}

pub(crate) fn read_to_string(path: &Path) -> io::Result<String> {
    let _gated = gate(Op::Open, path)?;
    std::fs::read_to_string(path)
}

pub(crate) fn remove_dir(path: &Path) -> io::Result<()> {
    let _gated = gate(Op::RemoveDir, path)?;
    std::fs::remove_dir(path)
}

pub(crate) fn remove_dir_all(path: &Path) -> io::Result<()> {
    let _gated = gate(Op::RemoveDir, path)?;
    std::fs::remove_dir_all(path)
}

pub(crate) fn remove_file(path: &Path) -> io::Result<()> {
    let _gated = gate(Op::RemoveFile, path)?;
    std::fs::remove_file(path)
}

pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    let _gated = gate(Op::Rename, to)?;
    std::fs::rename(from, to)
}

pub(crate) fn set_permissions(path: &Path, perm: Permissions) -> io::Result<()> {
    let _gated = gate(Op::SetPermissions, path)?;
    std::fs::set_permissions(path, perm)
}

/// `std::fs::write` opens then writes: a plan can fail either step. An
/// injected write failure leaves the file as it was; a real one may leave it
/// created or truncated.
pub(crate) fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    let _open = gate(Op::OpenWrite, path)?;
    let _write = gate(Op::Write, path)?;
    std::fs::write(path, contents)
}

// ---- File and OpenOptions ----

pub(crate) fn open(options: &OpenOptions, path: &Path, op: Op) -> io::Result<File> {
    let _gated = gate(op, path)?;
    options.open(path)
}

pub(crate) fn file_write(file: &mut File, buf: &[u8], path: &Path) -> io::Result<usize> {
    let _gated = gate(Op::Write, path)?;
    file.write(buf)
}

pub(crate) fn file_set_len(file: &File, size: u64, path: &Path) -> io::Result<()> {
    let _gated = gate(Op::Write, path)?;
    file.set_len(size)
}

pub(crate) fn file_sync_all(file: &File, path: &Path) -> io::Result<()> {
    let _gated = gate(Op::Sync, path)?;
    file.sync_all()
}

pub(crate) fn file_sync_data(file: &File, path: &Path) -> io::Result<()> {
    let _gated = gate(Op::Sync, path)?;
    file.sync_data()
}

pub(crate) fn file_metadata(file: &File, path: &Path) -> io::Result<Metadata> {
    let _gated = gate(Op::Metadata, path)?;
    file.metadata()
}

pub(crate) fn file_set_permissions(file: &File, perm: Permissions, path: &Path) -> io::Result<()> {
    let _gated = gate(Op::SetPermissions, path)?;
    file.set_permissions(perm)
}

/// How a lock call blocks or not, for [`file_lock`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum LockCall {
    Exclusive,
    Shared,
    TryExclusive,
    TryShared,
    Unlock,
}

pub(crate) fn file_lock(
    file: &File,
    call: LockCall,
    path: &Path,
) -> Result<(), std::fs::TryLockError> {
    use std::fs::TryLockError;
    let io_err = |e: io::Error| {
        // An injected "would block" reads as std's own.
        if super::imp::would_block(&e) {
            TryLockError::WouldBlock
        } else {
            TryLockError::Error(e)
        }
    };
    let _gated = gate(Op::Lock, path).map_err(io_err)?;
    match call {
        LockCall::Exclusive => file.lock().map_err(TryLockError::Error),
        LockCall::Shared => file.lock_shared().map_err(TryLockError::Error),
        LockCall::TryExclusive => file.try_lock(),
        LockCall::TryShared => file.try_lock_shared(),
        LockCall::Unlock => file.unlock().map_err(TryLockError::Error),
    }
}
