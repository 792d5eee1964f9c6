//! [`StubInstaller`]: the steps of an install, in order, and the choice of
//! route (drain barrier, child writer, or no wait) per OS and filesystem.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{InstallError, InstallStep};
use super::options::{Durability, InstallReport, Strategy, WriterCheck};
use crate::classify::{Classifier, Op};
use crate::move_aside;
use crate::names::{Leftover, validate_name};
use crate::os::Os;
use crate::retry::RetryPolicy;
use crate::sys::{self, ChildStep, DirFacts, FsKind, Probe};

/// Options for installing executables; [`install_executable_stub`](crate::install_executable_stub) is
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
    /// use flakeproof::{StubInstaller, install::Strategy};
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
    /// use flakeproof::{StubInstaller, install::WriterCheck};
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
        move_aside::sweep(dir, name, &dest);
        let renamed = self.retrying(Op::Rename, &mut retries, || {
            move_aside::rename_in(dir, name, &tmp, &dest)
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
                sys::sync_dir(dir).map_err(|e| {
                    InstallError::new(InstallStep::SyncDir, dir, e).installed_all_the_same()
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
        let _ = self.retrying(Op::RemoveFile, &mut 0, || sys::mirror::remove_file(tmp));
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
