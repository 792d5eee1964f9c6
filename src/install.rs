//! Installing an executable so that running it right away can't fail with
//! "Text file busy".
//!
//! The race (golang/go#22315, rust-lang/rust#114554): thread A writes
//! `stub`; thread B forks to spawn anything; the child inherits A's writable
//! descriptor and keeps it until its own exec. A closes and execs `stub`:
//! ETXTBSY, because a writable open file description still exists.
//! Renaming a temp file over the destination keeps the same inode and does not
//! help; fsync with the descriptor open widens the window.
//!
//! What [`StubInstaller::install`] does, in order:
//! 1. create an unpredictable temp sibling with O_EXCL (never follows a
//!    link), mode 0o600;
//! 2. lock its description (flock), write the body, close;
//! 3. **drain barrier**: reopen read-only and wait until no copy of the
//!    writable description is left anywhere (see [`Strategy`]; on network
//!    filesystems, or where the probes can't settle it, the file is written
//!    by a child process instead);
//! 4. set the mode through the read-only descriptor (so the file is
//!    executable only once drained, and any mode works for any user, 0o111
//!    included), fsync it, rename over the destination, fsync the directory
//!    (the fsyncs skipped with `durable(false)`).
//!
//! Where exec does not refuse a file open for writing (macOS) or there is no
//! fork (Windows), steps 2 to 4 are write, mode, fsync through the first
//! handle, close, rename: nothing to wait for, nothing reopened.
//!
//! Creating, renaming and removing the temp file are retried on the OS's
//! transient errors for each ([`StubInstaller::retries`]): an antivirus
//! scanner holds a fresh file on Windows; nothing is transient there on
//! Linux. Any failure before the rename removes the temp file. A running old
//! stub keeps running: its inode is replaced by rename, never rewritten in
//! place.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::aside;
use crate::classify::{Classifier, Op};
use crate::names::{validate_name, Leftover};
use crate::os::Os;
use crate::retry::RetryPolicy;
use crate::sys::{self, ChildStep, DirFacts, FsKind, Probe};

/// How the installer makes sure no writable descriptor survives.
///
/// ```
/// use flakeproof::{StubInstaller, Strategy};
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
    /// wait is bounded by [`StubInstaller::barrier_timeout`]. The default:
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
/// use flakeproof::{Strategy, StubInstaller, WriterCheck};
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

/// What one install did, from [`StubInstaller::install_with_report`].
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
    /// (see [`StubInstaller::retries`]): 0 unless something held the file.
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
/// use flakeproof::{Durability, StubInstaller};
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
    fn of(fs: Option<FsKind>) -> Durability {
        match fs {
            Some(FsKind::Local("tmpfs" | "ramfs")) => Durability::Unsupported,
            Some(FsKind::Local(_)) => Durability::Full,
            _ => Durability::Uncertain,
        }
    }
}

/// A step of an install, as named by [`InstallError::step`].
///
/// ```
/// use flakeproof::{fault::FaultPlan, InstallStep, StubInstaller};
/// # let dir = tempfile::tempdir()?;
/// let _g = FaultPlan::parse("rename=EXDEV").unwrap().activate();
/// let e = StubInstaller::new().install(dir.path(), "git", "").unwrap_err();
/// assert_eq!(e.step(), InstallStep::Rename);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstallStep {
    /// Checking the name and the mode (nothing was touched).
    Validate,
    /// Reading the program to copy ([`crate::replace_executable`]).
    ReadSource,
    /// Asking what filesystem the directory is on.
    Classify,
    /// Starting the child process that writes the file (child writer).
    StartWriter,
    /// Creating the temp file (in a child, for the child writer).
    Create,
    /// Locking the temp file's writable description; for
    /// [`crate::Replacer::lock`], taking the destination's `ArtifactLock`.
    Lock,
    /// Writing the body.
    Write,
    /// Reading the temp file's identity.
    Identify,
    /// Closing the writable descriptor.
    Close,
    /// Reopening the temp file read-only.
    Reopen,
    /// Waiting for inherited writable descriptors to close.
    Barrier,
    /// Setting the mode.
    SetMode,
    /// fsync of the file.
    SyncFile,
    /// Renaming the temp file over the destination.
    Rename,
    /// fsync of the directory, after the rename: the stub is installed.
    SyncDir,
}

impl fmt::Display for InstallStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InstallStep::Validate => "checking the arguments",
            InstallStep::ReadSource => "reading",
            InstallStep::Classify => "classifying the filesystem of",
            InstallStep::StartWriter => "starting the child that writes",
            InstallStep::Create => "creating",
            InstallStep::Lock => "locking",
            InstallStep::Write => "writing",
            InstallStep::Identify => "reading the identity of",
            InstallStep::Close => "closing",
            InstallStep::Reopen => "reopening",
            InstallStep::Barrier => "waiting for inherited writers of",
            InstallStep::SetMode => "setting the mode of",
            InstallStep::SyncFile => "syncing",
            InstallStep::Rename => "renaming into place",
            InstallStep::SyncDir => "syncing the directory",
        })
    }
}

/// Why an install failed: the step, the path it touched, whether the stub
/// is installed all the same, and the untouched error underneath.
///
/// `raw_os_error()` and `kind()` are the OS's, and converting into
/// `io::Error` (as `?` does) gives back that error itself, unwrapped.
///
/// ```
/// use std::io;
/// use flakeproof::{fault::FaultPlan, InstallStep, StubInstaller};
/// # let dir = tempfile::tempdir()?;
/// let _g = FaultPlan::parse("write=ENOSPC").unwrap().activate();
/// let e = StubInstaller::new().install(dir.path(), "git", "#!/bin/sh\n").unwrap_err();
/// assert_eq!(e.step(), InstallStep::Write);
/// assert!(!e.is_installed());
/// # #[cfg(unix)]
/// assert_eq!(e.raw_os_error(), Some(28));
/// let plain: io::Error = e.into(); // the OS's error, as it came
/// # #[cfg(unix)]
/// assert_eq!(plain.kind(), io::ErrorKind::StorageFull);
/// # Ok::<(), io::Error>(())
/// ```
#[derive(Debug)]
pub struct InstallError {
    step: InstallStep,
    path: PathBuf,
    installed: bool,
    source: io::Error,
}

impl InstallError {
    pub(crate) fn new(step: InstallStep, path: &Path, source: io::Error) -> Self {
        InstallError {
            step,
            path: path.to_owned(),
            installed: false,
            source,
        }
    }

    /// The step that failed.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let e = flakeproof::install_executable_stub(dir.path(), "a/b", "").unwrap_err();
    /// assert_eq!(e.step(), flakeproof::InstallStep::Validate);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn step(&self) -> InstallStep {
        self.step
    }

    /// The path the failing step touched: the temp file, the destination,
    /// or the directory.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let e = flakeproof::install_executable_stub(dir.path().join("missing"), "x", "").unwrap_err();
    /// assert!(e.path().starts_with(dir.path().join("missing")));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when the stub is in place and runnable all the same: only the
    /// directory's fsync after the rename failed, so whether the rename
    /// survives a crash is unknown.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, StubInstaller};
    /// # let dir = tempfile::tempdir()?;
    /// let _g = FaultPlan::parse("sync=EIO@2").unwrap().activate(); // the second fsync: the directory's
    /// let e = StubInstaller::new().install(dir.path(), "git", "").unwrap_err();
    /// assert!(e.is_installed());
    /// assert!(dir.path().join("git").exists());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_installed(&self) -> bool {
        self.installed
    }

    /// The underlying error's raw OS code, untouched.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let e = flakeproof::install_executable_stub(dir.path().join("missing"), "x", "").unwrap_err();
    /// # #[cfg(unix)]
    /// assert_eq!(e.raw_os_error(), Some(2)); // ENOENT
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn raw_os_error(&self) -> Option<i32> {
        self.source.raw_os_error()
    }

    /// The underlying error's kind, untouched.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let e = flakeproof::install_executable_stub(dir.path().join("missing"), "x", "").unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        self.source.kind()
    }

    /// The underlying error.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let e = flakeproof::install_executable_stub(dir.path(), "", "").unwrap_err();
    /// assert_eq!(e.io_error().kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn io_error(&self) -> &io::Error {
        &self.source
    }
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.step, self.path.display(), self.source)?;
        if self.installed {
            f.write_str(" (the stub is installed; its durability is unknown)")?;
        }
        Ok(())
    }
}

impl std::error::Error for InstallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<InstallError> for io::Error {
    /// The underlying error itself, with its `raw_os_error()` and `kind()`.
    fn from(e: InstallError) -> io::Error {
        e.source
    }
}

/// Options for installing executables; [`install_executable_stub`] is
/// `StubInstaller::new().install(..)`.
///
/// # Security
///
/// `dir` must be private to you, or sticky (as `/tmp` is). Whoever can rename
/// entries in it can swap the program between the install and your exec,
/// whatever any installer does. The temp file's name is unpredictable and
/// created with `O_EXCL | O_NOFOLLOW`, so nobody can make the installer write
/// through a planted link.
///
/// ```
/// use std::time::Duration;
/// use flakeproof::StubInstaller;
/// # let dir = tempfile::tempdir()?;
/// let installer = StubInstaller::new()
///     .durable(false)                      // tmpfs or a big suite: skip the fsyncs
///     .mode(0o700)
///     .barrier_timeout(Duration::from_secs(2));
/// let path = installer.install(dir.path(), "cc", "#!/bin/sh\necho fake cc\n")?;
/// # #[cfg(unix)] {
/// use std::os::unix::fs::PermissionsExt;
/// assert_eq!(std::fs::metadata(&path)?.permissions().mode() & 0o7777, 0o700);
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StubInstaller {
    mode: u32,
    durable: bool,
    barrier_timeout: Duration,
    strategy: Strategy,
    retries: RetryPolicy,
}

impl Default for StubInstaller {
    fn default() -> Self {
        Self::new()
    }
}

/// What an install does about writers, decided from the strategy, whether
/// exec refuses writers on this OS, and the filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Barrier,
    Child,
    NoWait,
}

fn route(strategy: Strategy, exec_refuses_writers: bool, fs: Option<FsKind>) -> Route {
    match (strategy, fs) {
        (Strategy::ChildWriter, _) => Route::Child,
        _ if !exec_refuses_writers => Route::NoWait,
        (_, Some(FsKind::Network(_))) => Route::Child,
        _ => Route::Barrier,
    }
}

impl StubInstaller {
    /// Mode 0o755, durable, a 5 s barrier timeout, [`Strategy::DrainBarrier`].
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let path = flakeproof::StubInstaller::new().install(dir.path(), "tool", "#!/bin/sh\n")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new() -> Self {
        StubInstaller {
            mode: 0o755,
            durable: true,
            barrier_timeout: Duration::from_secs(5),
            strategy: Strategy::DrainBarrier,
            retries: RetryPolicy::new(Classifier::for_op(Op::Rename)),
        }
    }

    /// The exact permission bits (at most 0o7777), whatever the umask and
    /// whoever you are: 0o111 installs for a non-root user too (though a
    /// script with it can't then be run by one, as the shell must read it).
    /// Ignored on Windows.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// flakeproof::StubInstaller::new().mode(0o700).install(dir.path(), "private", "#!/bin/sh\n")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    /// fsync the file and its directory (default `true`). Off saves about
    /// 0.5 ms per install on ext4; the exec safety does not depend on it.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// flakeproof::StubInstaller::new().durable(false).install(dir.path(), "fast", "#!/bin/sh\n")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn durable(mut self, durable: bool) -> Self {
        self.durable = durable;
        self
    }

    /// How long the drain barrier may wait for forked children to drop their
    /// inherited copy of the writable descriptor (default 5 s; children that
    /// exec do so within about a millisecond).
    ///
    /// ```
    /// use std::time::Duration;
    /// let installer = flakeproof::StubInstaller::new().barrier_timeout(Duration::from_secs(1));
    /// # let _ = installer;
    /// ```
    #[must_use]
    pub fn barrier_timeout(mut self, timeout: Duration) -> Self {
        self.barrier_timeout = timeout;
        self
    }

    /// See [`Strategy`].
    ///
    /// ```
    /// use flakeproof::{Strategy, StubInstaller};
    /// let installer = StubInstaller::new().strategy(Strategy::ChildWriter);
    /// # let _ = installer;
    /// ```
    #[must_use]
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// The schedule, budget, hook and clock for the steps another process
    /// can refuse for a moment: creating the temp file, renaming it into
    /// place, and removing it after a failure (on Windows, an antivirus
    /// scanner or indexer opens a fresh file at once). Each step keeps its
    /// own classifier, [`Classifier::for_op`] of its operation, whatever
    /// `policy`'s is; nothing is transient for these steps on Linux. Default:
    /// [`RetryPolicy::new`]'s schedule, 10 attempts over 327 ms. The hook is
    /// where a test lets go of the handle it holds.
    ///
    /// ```
    /// use std::time::Duration;
    /// use flakeproof::{RetryPolicy, StubInstaller, Op};
    /// // Ride out a scanner for up to 10 s.
    /// let installer = StubInstaller::new()
    ///     .retries(RetryPolicy::for_op(Op::Rename).attempts(u32::MAX).budget(Duration::from_secs(10)));
    /// # let _ = installer;
    /// ```
    #[must_use]
    pub fn retries(mut self, policy: RetryPolicy) -> Self {
        self.retries = policy;
        self
    }

    /// Write `body` to `dir/name` so that it can be executed at once, and
    /// return its path. An empty `dir` means the current directory, and the
    /// path is then `./name`: never a bare name, which `Command::new` would
    /// look up in `PATH` (and run the real program instead of the stub).
    ///
    /// Errors ([`InstallError`] says which step and path):
    /// `InvalidInput` for an empty name, `.`, `..`, a name with a path
    /// separator or NUL, or a mode above 0o7777 (nothing is touched);
    /// otherwise the OS's own error, `raw_os_error()` intact (`NotFound` for a
    /// missing `dir`; `IsADirectory` when `dir/name` is a directory, which is
    /// left as it was). `TimedOut` if the barrier's wait ran out. On any error
    /// before the rename the temp file is removed; after it (the directory's
    /// fsync), [`InstallError::is_installed`] is true.
    ///
    /// ```
    /// use flakeproof::StubInstaller;
    /// # let dir = tempfile::tempdir()?;
    /// let stub = StubInstaller::new().install(dir.path(), "git", "#!/bin/sh\necho fake git\n")?;
    /// # #[cfg(unix)]
    /// assert_eq!(std::process::Command::new(&stub).output()?.stdout, b"fake git\n");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn install(
        &self,
        dir: impl AsRef<Path>,
        name: &str,
        body: impl AsRef<[u8]>,
    ) -> Result<PathBuf, InstallError> {
        self.install_with_report(dir, name, body).map(|r| r.path)
    }

    /// [`install`](Self::install), and say how the barrier went.
    ///
    /// ```
    /// use flakeproof::{StubInstaller, WriterCheck};
    /// # let dir = tempfile::tempdir()?;
    /// let report = StubInstaller::new().install_with_report(dir.path(), "x", "#!/bin/sh\n")?;
    /// // Lease on a local Linux filesystem; see WriterCheck for the others.
    /// println!("writers ruled out by {:?}", report.check);
    /// # #[cfg(target_os = "linux")]
    /// assert_ne!(report.check, WriterCheck::NotNeeded);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn install_with_report(
        &self,
        dir: impl AsRef<Path>,
        name: &str,
        body: impl AsRef<[u8]>,
    ) -> Result<InstallReport, InstallError> {
        let body = body.as_ref();
        let dir = match dir.as_ref() {
            d if d.as_os_str().is_empty() => Path::new("."),
            d => d,
        };
        let dest = dir.join(name);
        let invalid = |msg: String| {
            let e = io::Error::new(io::ErrorKind::InvalidInput, msg);
            InstallError::new(InstallStep::Validate, &dest, e)
        };
        validate_name(Os::CURRENT, name)
            .map_err(|why| invalid(format!("stub name {name:?} {why}")))?;
        if self.mode > 0o7777 {
            return Err(invalid(format!(
                "mode {:#o} has bits above 0o7777",
                self.mode
            )));
        }
        let facts = if self.strategy == Strategy::DrainBarrier && sys::EXEC_REFUSES_WRITERS {
            let facts = sys::dir_facts(dir)
                .map_err(|e| InstallError::new(InstallStep::Classify, dir, e))?;
            Some(facts)
        } else if self.durable {
            // Only for the durability report, and to skip fsyncs that buy
            // nothing: best effort.
            sys::dir_facts(dir).ok()
        } else {
            None
        };
        let fs = facts.map(|f| f.kind);
        let route = route(self.strategy, sys::EXEC_REFUSES_WRITERS, fs);
        // A 64-bit random name collides with nobody by chance; a few tries
        // cover an attacker who pre-creates names (O_EXCL refuses them).
        let mut tries = 0;
        let mut retries = 0;
        let (tmp, check, busy_probes) = loop {
            let tmp = dir.join(Leftover::Temp.name(name, sys::random_u64()));
            match self.write_temp(route, facts, &tmp, body, &mut retries) {
                Ok((check, busy)) => break (tmp, check, busy),
                Err(Failure::NotOurs(e))
                    if e.kind() == io::ErrorKind::AlreadyExists && tries < 8 =>
                {
                    tries += 1; // someone else's file: leave it alone
                }
                Err(Failure::NotOurs(e)) => return Err(e),
                Err(Failure::Ours(e)) => {
                    self.remove_temp(&tmp);
                    return Err(e);
                }
            }
        };
        // Asides a killed replacement left (Windows only): restored if the
        // name is missing, removed once their program has exited.
        aside::sweep(dir, name, &dest);
        let renamed = self.retrying(Op::Rename, &mut retries, || {
            aside::rename_in(dir, name, &tmp, &dest)
        });
        let aside = match renamed {
            Ok(aside) => aside,
            Err(e) => {
                self.remove_temp(&tmp);
                return Err(InstallError::new(InstallStep::Rename, &dest, e));
            }
        };
        let durability = if self.durable {
            if self.syncs(fs) {
                sys::sync_dir(dir).map_err(|e| InstallError {
                    installed: true,
                    ..InstallError::new(InstallStep::SyncDir, dir, e)
                })?;
            }
            Durability::of(fs)
        } else {
            Durability::NotRequested
        };
        Ok(InstallReport {
            path: dest,
            check,
            busy_probes,
            retries,
            aside,
            durability,
        })
    }

    /// Whether to fsync: if durable, and not on a filesystem that lives in
    /// memory, where fsync does nothing but cost a call (three, for the
    /// directory's) and the report says [`Durability::Unsupported`] anyway.
    fn syncs(&self, fs: Option<FsKind>) -> bool {
        self.durable && Durability::of(fs) != Durability::Unsupported
    }

    /// Best effort: the caller wants the first error, not this one.
    fn remove_temp(&self, tmp: &Path) {
        let _ = self.retrying(Op::RemoveFile, &mut 0, || sys::remove_file(tmp));
    }

    /// Create `tmp` with `body`, drained of writers, moded (and fsynced if
    /// durable). Errors say whether `tmp` exists and is ours to remove.
    fn write_temp(
        &self,
        route: Route,
        facts: Option<DirFacts>,
        tmp: &Path,
        body: &[u8],
        retries: &mut u32,
    ) -> Result<(WriterCheck, u32), Failure> {
        let at = |step| move |e| InstallError::new(step, tmp, e);
        match route {
            Route::Child => {
                // The child removes the file itself if it fails after
                // creating it, and the parent if the child was killed.
                sys::write_in_child(tmp, body).map_err(|(step, e)| {
                    let step = match step {
                        ChildStep::Start => InstallStep::StartWriter,
                        ChildStep::Open => InstallStep::Create,
                        ChildStep::Write => InstallStep::Write,
                        ChildStep::Close => InstallStep::Close,
                    };
                    Failure::NotOurs(InstallError::new(step, tmp, e))
                })?;
                // The child's descriptor is gone: its __fput ran before its
                // exit was reported to our waitpid.
                let file = sys::reopen(tmp, None)
                    .map_err(at(InstallStep::Reopen))
                    .map_err(Failure::Ours)?;
                self.finish(&file, tmp, facts).map_err(Failure::Ours)?;
                Ok((WriterCheck::ChildWriter, 0))
            }
            Route::Barrier | Route::NoWait => {
                let file = self
                    .retrying(Op::OpenWrite, retries, || sys::create_new(tmp))
                    .map_err(at(InstallStep::Create))
                    .map_err(Failure::NotOurs)?;
                match self.fill_and_drain(route, facts, file, tmp, body) {
                    Ok(Some(done)) => Ok(done),
                    Err(e) => Err(Failure::Ours(e)),
                    // The probes could not settle it here: start over from a
                    // child, which needs no probe.
                    Ok(None) => {
                        self.remove_temp(tmp);
                        self.write_temp(Route::Child, facts, tmp, body, retries)
                    }
                }
            }
        }
    }

    /// Set the mode, and fsync if durable, through `file`.
    fn finish(
        &self,
        file: &std::fs::File,
        tmp: &Path,
        facts: Option<DirFacts>,
    ) -> Result<(), InstallError> {
        let at = |step| move |e| InstallError::new(step, tmp, e);
        sys::set_mode(file, self.mode, tmp).map_err(at(InstallStep::SetMode))?;
        if self.syncs(facts.map(|f| f.kind)) {
            sys::sync_file(file, tmp).map_err(at(InstallStep::SyncFile))?;
        }
        Ok(())
    }

    /// On a file we just created: lock, write, close, reopen read-only, wait
    /// for writers, then mode and fsync through the read-only descriptor.
    /// Where nothing needs waiting for (macOS, Windows), mode and fsync go
    /// through the original handle before it closes, and nothing is reopened.
    fn fill_and_drain(
        &self,
        route: Route,
        facts: Option<DirFacts>,
        mut file: std::fs::File,
        tmp: &Path,
        body: &[u8],
    ) -> Result<Option<(WriterCheck, u32)>, InstallError> {
        let at = |step| move |e| InstallError::new(step, tmp, e);
        if route == Route::NoWait {
            let written = sys::write_all(&mut file, body, tmp)
                .map_err(at(InstallStep::Write))
                .and_then(|()| self.finish(&file, tmp, facts));
            let closed = sys::close(file, tmp).map_err(at(InstallStep::Close));
            written?;
            closed?;
            return Ok(Some((WriterCheck::NotNeeded, 0)));
        }
        let kind = facts.map_or(FsKind::Unknown, |f| f.kind);
        // On a local Linux filesystem the lease alone rules writers out (it
        // is refused exactly while the write count execve checks is above
        // zero): the flock would never be asked. Should the lease turn out
        // unsupported there, the barrier can't decide without the flock, the
        // install starts over from a child, and the next ones flock again.
        let lease_decides = facts.is_some_and(|f| f.lease_decides);
        // In a directory only we can change, nobody else can put another
        // file at the temp name between our close and our reopen.
        let private = facts.is_some_and(|f| f.private);
        let written = (|| {
            let locked = if lease_decides {
                false
            } else {
                sys::lock_description(&file, tmp).map_err(at(InstallStep::Lock))?
            };
            sys::write_all(&mut file, body, tmp).map_err(at(InstallStep::Write))?;
            let id = if private {
                None
            } else {
                Some(sys::file_id(&file, tmp).map_err(at(InstallStep::Identify))?)
            };
            Ok((locked, id))
        })();
        // Close before any wait or fsync: the description stays alive in
        // forked children, but no longer in this process.
        let closed = sys::close(file, tmp).map_err(at(InstallStep::Close));
        let (locked, id) = written?;
        closed?;
        let reopened = sys::reopen(tmp, id.as_ref()).map_err(at(InstallStep::Reopen))?;
        let drain = sys::wait_for_no_writers(&reopened, tmp, kind, locked, self.barrier_timeout)
            .map_err(at(InstallStep::Barrier))?;
        let check = match drain.probe {
            Probe::Lease => WriterCheck::Lease,
            Probe::Flock => WriterCheck::Flock,
            Probe::Undecided => {
                if let Some(f) = facts.filter(|f| f.lease_decides) {
                    sys::note_leases_fail(f.dev);
                }
                return Ok(None);
            }
        };
        // The mode only now: the file is not executable before it is drained.
        self.finish(&reopened, tmp, facts)?;
        Ok(Some((check, drain.busy_probes)))
    }

    /// A step another process can refuse for a moment (an antivirus scanner
    /// or indexer opening the fresh file, on Windows), retried on this OS's
    /// transient errors for `op` with the installer's schedule. Nothing is
    /// transient for these steps on Linux: there it is one call.
    fn retrying<T>(
        &self,
        op: Op,
        retries: &mut u32,
        f: impl FnMut() -> io::Result<T>,
    ) -> io::Result<T> {
        let policy = self.retries.clone().classifier(Classifier::for_op(op));
        let (result, report) = policy.run_with_report(f);
        *retries += report.attempts - 1;
        result
    }
}

/// A failed temp-file step, and whether the temp file is ours to remove.
enum Failure {
    Ours(InstallError),
    NotOurs(InstallError),
}

/// Write `body` to `dir/name`, mode 0o755 whatever the umask, so that it can
/// be executed at once, from any thread, while other threads fork.
///
/// When it returns `Ok`, the returned path holds exactly `body`, and an exec
/// of it (a plain `std::process::Command` will do) does not fail with
/// ETXTBSY because of this write. See [`StubInstaller`] for the options, the
/// errors and a security note, and the [crate docs](crate#the-race) for the
/// race it closes.
///
/// ```
/// use std::process::Command;
/// # let dir = tempfile::tempdir()?;
/// let git = flakeproof::install_executable_stub(dir.path(), "git", "#!/bin/sh\necho 'git version 0.0-fake'\n")?;
/// # #[cfg(unix)] {
/// let out = Command::new(&git).arg("--version").output()?;
/// assert_eq!(out.stdout, b"git version 0.0-fake\n");
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn install_executable_stub(
    dir: impl AsRef<Path>,
    name: &str,
    body: impl AsRef<[u8]>,
) -> Result<PathBuf, InstallError> {
    StubInstaller::new().install(dir, name, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_filesystems_get_the_child_writer_and_macos_waits_for_nothing() {
        use Strategy::*;
        let local = Some(FsKind::Local("ext4"));
        assert_eq!(route(DrainBarrier, true, local), Route::Barrier);
        assert_eq!(
            route(DrainBarrier, true, Some(FsKind::Fuse)),
            Route::Barrier
        );
        assert_eq!(
            route(DrainBarrier, true, Some(FsKind::Unknown)),
            Route::Barrier
        );
        for net in ["nfs", "cifs", "smb2", "ceph"] {
            assert_eq!(
                route(DrainBarrier, true, Some(FsKind::Network(net))),
                Route::Child
            );
        }
        // macOS (exec does not refuse writers) and Windows: no wait at all,
        // even where a process keeps children that fork and never exec.
        assert_eq!(route(DrainBarrier, false, None), Route::NoWait);
        assert_eq!(
            route(DrainBarrier, false, Some(FsKind::Network("nfs"))),
            Route::NoWait
        );
        // Asked for, the child writer is used everywhere.
        assert_eq!(route(ChildWriter, false, None), Route::Child);
        assert_eq!(route(ChildWriter, true, local), Route::Child);
    }
}
