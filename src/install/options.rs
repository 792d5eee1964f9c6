//! The choices an install makes and what it reports back: how writers are
//! ruled out ([`Strategy`], [`WriterCheck`]), what durability costs
//! ([`Durability`]), and the [`InstallReport`].

use crate::sys::FsKind;
use std::path::PathBuf;

/// How the installer makes sure no writable descriptor survives.
///
/// ```
/// use flakeproof::{StubInstaller, install::Strategy};
/// # let dir = tempfile::tempdir()?;
/// # #[cfg(unix)]
/// StubInstaller::new().strategy(Strategy::ChildWriter).install(dir.path(), "git", "#!/bin/sh\n")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Strategy {
    /// Write here, close, then wait until every copy of the writable
    /// descriptor that forked children inherited is closed. On Linux the wait
    /// asks the kernel the question execve asks (a read lease is refused while
    /// the inode has writers); elsewhere it uses the flock drain barrier. The
    /// wait is bounded by [`StubInstaller::barrier_timeout`](crate::StubInstaller::barrier_timeout). The default:
    /// the cheapest that is exact (see `benches/install.rs`).
    ///
    /// Where the barrier can't see writers it adapts: on a network
    /// filesystem (NFS, SMB/CIFS, Ceph, 9p ...) it writes from a child as
    /// [`ChildWriter`](Self::ChildWriter) does, and likewise when, on a
    /// filesystem not known to be local, the lease and flock probes can't
    /// settle it; on macOS, whose exec does not refuse a file open for
    /// writing, there is nothing to wait for. The report's [`WriterCheck`]
    /// says which happened.
    #[default]
    DrainBarrier,
    /// Write the file from a short-lived child process, so the writable
    /// descriptor never exists in this process at all. Nothing to wait for:
    /// pick it when your process keeps forked children that never exec (the
    /// barrier would time out). On Linux the child is a
    /// `clone(CLONE_VM | CLONE_VFORK)`, about 0.17 ms whatever the size of
    /// your process; other Unixes fork, whose cost grows with resident memory.
    /// `Unsupported` on Windows.
    ChildWriter,
}

/// How the installer established that no writer was left.
///
/// ```
/// use flakeproof::{StubInstaller, install::{Strategy, WriterCheck}};
/// # let dir = tempfile::tempdir()?;
/// # #[cfg(unix)] {
/// let r = StubInstaller::new().strategy(Strategy::ChildWriter).install_with_report(dir.path(), "s", "")?;
/// assert_eq!(r.check, WriterCheck::ChildWriter);
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriterCheck {
    /// Linux read lease: exact, the same condition execve checks.
    Lease,
    /// flock drain barrier: exact but for a microseconds-wide window in the
    /// kernel's close path.
    Flock,
    /// The file was written by a child process: no writer ever existed here.
    /// Also what the default strategy does on network filesystems, and where
    /// the probes could not settle it (see [`Strategy::DrainBarrier`]).
    ChildWriter,
    /// This OS does not refuse exec of a file open for writing (macOS), or
    /// has no fork to leak a descriptor (Windows): nothing to wait for.
    NotNeeded,
}

/// What one install did, from [`StubInstaller::install_with_report`](crate::StubInstaller::install_with_report).
///
/// ```
/// use flakeproof::StubInstaller;
/// # let dir = tempfile::tempdir()?;
/// let r = StubInstaller::new().install_with_report(dir.path(), "s", "#!/bin/sh\n")?;
/// assert_eq!(r.path, dir.path().join("s"));
/// assert_eq!(r.busy_probes, 0); // nobody forked meanwhile
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstallReport {
    /// The installed file, `dir/name` (`./name` for an empty `dir`).
    pub path: PathBuf,
    /// How "no writer left" was established.
    pub check: WriterCheck,
    /// How many times the barrier found a writable copy still open (a forked
    /// child had inherited it) before the all-clear. Non-zero means the
    /// barrier prevented an ETXTBSY.
    pub busy_probes: u32,
    /// Attempts beyond the first of the steps another process can refuse
    /// (see [`StubInstaller::retries`](crate::StubInstaller::retries)): 0 unless something held the file.
    pub retries: u32,
    /// Windows only: the previous file, still running, moved aside to this
    /// hidden sibling (`.<name>.<hex>.flakeproof-old`) because a running
    /// `.exe` can be renamed but not replaced. The next install or
    /// replacement of the same name removes it once it has exited.
    pub aside: Option<PathBuf>,
    /// How far the new file and its name are on stable storage.
    pub durability: Durability,
}

/// How durable an install or replacement is: whether it survives a power
/// cut right after it returned.
///
/// ```
/// use flakeproof::{StubInstaller, install::Durability};
/// # let dir = tempfile::tempdir()?;
/// let fast = StubInstaller::new().durable(false).install_with_report(dir.path(), "a", "")?;
/// assert_eq!(fast.durability, Durability::NotRequested);
/// let slow = StubInstaller::new().install_with_report(dir.path(), "b", "")?;
/// assert_ne!(slow.durability, Durability::NotRequested); // Full on ext4; see the variants
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// The file and its directory were fsynced on a local disk filesystem
    /// (ext4, xfs, btrfs, zfs, f2fs, APFS, ...): both are on storage.
    Full,
    /// The fsyncs succeeded but what they reach is not known here: a
    /// network filesystem (the server decides), FUSE (the daemon decides),
    /// a filesystem not in flakeproof's table, or Windows, where a
    /// directory can't be flushed (NTFS journals the rename, lazily).
    Uncertain,
    /// The filesystem lives in memory (tmpfs, ramfs): nothing on it
    /// survives a reboot, fsync or not.
    Unsupported,
    /// `durable(false)`: no fsync was made.
    NotRequested,
}

impl Durability {
    /// What the fsyncs made of a file on a filesystem of kind `fs`.
    pub(super) fn of(fs: Option<FsKind>) -> Durability {
        match fs {
            Some(FsKind::Local("tmpfs" | "ramfs")) => Durability::Unsupported,
            Some(FsKind::Local(_)) => Durability::Full,
            _ => Durability::Uncertain,
        }
    }
}
