//! The calls of [`crate::ArtifactLock`]: the lock file (opened, never
//! deleted), std's `File::try_lock` family on it, and the holder's sidecar
//! record, each behind the fault gate.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;

use crate::classify::Op;
use crate::fault::gate;

/// Open (creating if needed, never truncating) the lock file.
pub(crate) fn open_lock_file(path: &Path) -> io::Result<File> {
    let _gated = gate(Op::OpenWrite, path)?;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// One non-blocking attempt: `Ok(true)` locked, `Ok(false)` someone holds it.
pub(crate) fn try_lock(file: &File, shared: bool, path: &Path) -> io::Result<bool> {
    let _gated = match gate(Op::Lock, path) {
        // An injected "would block" reads as contention, as the real one does.
        Err(e) if super::imp::would_block(&e) => return Ok(false),
        Err(e) => return Err(e),
        Ok(gated) => gated,
    };
    let r = if shared {
        file.try_lock_shared()
    } else {
        file.try_lock()
    };
    match r {
        Ok(()) => Ok(true),
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

/// Release a lock taken with [`try_lock`]. Not gated (see `KeyState::release`);
/// an error is ignored: the lock goes with the description at the latest.
pub(crate) fn unlock(file: &File) {
    let _ = file.unlock();
}

/// Write the holder record in place, as one write at offset 0 of a
/// fixed-size record (the caller pads it): no temp file, no rename, no
/// truncation, so it costs a page-cache write. A reader racing the write
/// may see a mix of two records, which fails to parse and reads as "unknown
/// holder": the record only informs.
pub(crate) fn write_record(path: &Path, record: &[u8]) -> io::Result<()> {
    let _gated = gate(Op::OpenWrite, path)?;
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let _gated = gate(Op::Write, path)?;
    super::imp::write_all_at(&f, record, 0)
}

/// The holder record, if there is one (`None` when missing).
pub(crate) fn read_record(path: &Path) -> io::Result<Option<String>> {
    let _gated = gate(Op::Open, path)?;
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// This machine's name, for the holder record ("" if unknown).
pub(crate) fn host_name() -> String {
    let from_env = std::env::var("COMPUTERNAME").or_else(|_| std::env::var("HOSTNAME"));
    from_env
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}
