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
//! 1. create an unpredictable temp sibling with O_EXCL (never follows a link);
//! 2. lock its description (flock), write the body, set the mode, close;
//! 3. **drain barrier**: reopen read-only and wait until no copy of the
//!    writable description is left anywhere (see [`Strategy`]);
//! 4. fsync through that read-only descriptor, rename over the destination
//!    (retried on Windows' transient sharing errors), fsync the directory
//!    (the fsyncs skipped with `durable(false)`).
//!
//! Any failure removes the temp file. A running old stub keeps running: its
//! inode is replaced by rename, never rewritten in place.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::classify::{Op, Os};
use crate::retry::RetryPolicy;
use crate::sys;

/// How the installer makes sure no writable descriptor survives.
///
/// ```
/// use flakeproof::{StubInstaller, Strategy};
/// # let dir = tempfile::tempdir()?;
/// StubInstaller::new().strategy(Strategy::ChildWriter).install(dir.path(), "git", "#!/bin/sh\n")?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Write here, close, then wait until every copy of the writable
    /// descriptor that forked children inherited is closed. On Linux the wait
    /// asks the kernel the question execve asks (a read lease is refused while
    /// the inode has writers); elsewhere it uses the flock drain barrier. The
    /// wait is bounded by [`StubInstaller::barrier_timeout`]. The default:
    /// the cheapest that is exact (see `benches/install.rs`).
    #[default]
    DrainBarrier,
    /// Write the file from a short-lived child process, so the writable
    /// descriptor never exists in this process at all. Nothing to wait for:
    /// pick it when your process keeps forked children that never exec (the
    /// barrier would time out), or on NFS, where flock may be emulated and
    /// the barrier checks nothing. On Linux the child is a
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
/// let r = StubInstaller::new().strategy(Strategy::ChildWriter).install_with_report(dir.path(), "s", "")?;
/// # #[cfg(unix)]
/// assert_eq!(r.check, WriterCheck::ChildWriter);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriterCheck {
    /// Linux read lease: exact, the same condition execve checks.
    Lease,
    /// flock drain barrier: exact but for a microseconds-wide window in the
    /// kernel's close path.
    Flock,
    /// The file was written by a child process: no writer ever existed here.
    ChildWriter,
    /// Nothing could be checked (Windows, where the race does not exist; or a
    /// filesystem without leases and flock, such as some NFS mounts).
    Unchecked,
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
pub struct InstallReport {
    /// The installed file, `dir/name`.
    pub path: PathBuf,
    /// How "no writer left" was established.
    pub check: WriterCheck,
    /// How many times the barrier found a writable copy still open (a forked
    /// child had inherited it) before the all-clear. Non-zero means the
    /// barrier prevented an ETXTBSY.
    pub busy_probes: u32,
}

/// Options for installing executables; [`install_executable_stub`] is
/// `StubInstaller::new().install(..)`.
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
}

impl Default for StubInstaller {
    fn default() -> Self {
        Self::new()
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
        }
    }

    /// The exact permission bits (at most 0o7777), whatever the umask.
    /// Ignored on Windows.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// flakeproof::StubInstaller::new().mode(0o700).install(dir.path(), "private", "#!/bin/sh\n")?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
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
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Write `body` to `dir/name` so that it can be executed at once.
    ///
    /// Errors: `InvalidInput` for an empty name, `.`, `..`, a name with a path
    /// separator or NUL, or a mode above 0o7777 (nothing is touched);
    /// otherwise the OS's own error, `raw_os_error()` intact (`NotFound` for a
    /// missing `dir`; `IsADirectory` when `dir/name` is a directory, which is
    /// left as it was). `TimedOut` if the barrier's wait ran out. On any error
    /// the temp file is removed.
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
    ) -> io::Result<PathBuf> {
        self.install_with_report(dir, name, body).map(|r| r.path)
    }

    /// [`install`](Self::install), and say how the barrier went.
    ///
    /// ```
    /// use flakeproof::{StubInstaller, WriterCheck};
    /// # let dir = tempfile::tempdir()?;
    /// let report = StubInstaller::new().install_with_report(dir.path(), "x", "#!/bin/sh\n")?;
    /// # #[cfg(target_os = "linux")]
    /// assert_eq!(report.check, WriterCheck::Lease);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn install_with_report(
        &self,
        dir: impl AsRef<Path>,
        name: &str,
        body: impl AsRef<[u8]>,
    ) -> io::Result<InstallReport> {
        let (dir, body) = (dir.as_ref(), body.as_ref());
        validate_name(Os::CURRENT, name)
            .map_err(|why| invalid(format!("stub name {name:?} {why}")))?;
        if self.mode > 0o7777 {
            return Err(invalid(format!(
                "mode {:#o} has bits above 0o7777",
                self.mode
            )));
        }
        let dest = dir.join(name);
        // A 64-bit random name collides with nobody by chance; a few tries
        // cover an attacker who pre-creates names (O_EXCL refuses them).
        let mut tries = 0;
        loop {
            let tmp = dir.join(temp_name(name, sys::random_u64()));
            // `Err((e, true))`: the temp file is ours and must be removed.
            let result =
                self.write_temp(&tmp, body)
                    .and_then(|ok| match rename_retrying(&tmp, &dest) {
                        Ok(()) => Ok(ok),
                        Err(e) => Err((e, true)),
                    });
            let (check, busy_probes) = match result {
                Ok(ok) => ok,
                Err((e, false)) if e.kind() == io::ErrorKind::AlreadyExists && tries < 8 => {
                    tries += 1;
                    continue; // someone else's file: leave it alone
                }
                Err((e, ours)) => {
                    if ours {
                        // Best effort: the caller wants the first error, not this one.
                        let _ = sys::remove_file(&tmp);
                    }
                    return Err(e);
                }
            };
            if self.durable {
                sys::sync_dir(dir)?;
            }
            return Ok(InstallReport {
                path: dest,
                check,
                busy_probes,
            });
        }
    }

    /// Create `tmp` with `body`, drained of writers (and fsynced if durable).
    /// Errors say whether `tmp` exists and is ours to remove.
    fn write_temp(&self, tmp: &Path, body: &[u8]) -> Result<(WriterCheck, u32), (io::Error, bool)> {
        match self.strategy {
            Strategy::DrainBarrier => {
                let file = sys::create_new(tmp).map_err(|e| (e, false))?;
                self.fill_and_drain(file, tmp, body).map_err(|e| (e, true))
            }
            Strategy::ChildWriter => {
                // The child removes the file itself if it fails after creating it.
                sys::write_in_child(tmp, body, self.mode).map_err(|e| (e, false))?;
                if self.durable {
                    // The child's descriptor is gone: its __fput ran before its
                    // exit was reported to our waitpid.
                    let synced =
                        sys::reopen_for_sync(tmp, None).and_then(|f| sys::sync_file(&f, tmp));
                    synced.map_err(|e| (e, true))?;
                }
                Ok((WriterCheck::ChildWriter, 0))
            }
        }
    }

    /// Steps 2-3 and the file fsync, on a file we just created.
    fn fill_and_drain(
        &self,
        mut file: std::fs::File,
        tmp: &Path,
        body: &[u8],
    ) -> io::Result<(WriterCheck, u32)> {
        let written = (|| {
            sys::lock_description(&file, tmp)?;
            sys::write_all(&mut file, body, tmp)?;
            sys::set_mode(&file, self.mode, tmp)?;
            sys::file_id(&file, tmp)
        })();
        // Close before any wait or fsync: the description stays alive in
        // forked children, but no longer in this process.
        let closed = sys::close(file, tmp);
        let id = written?;
        closed?;
        let reopened = sys::reopen_for_sync(tmp, Some(&id))?;
        let drain = sys::wait_for_no_writers(&reopened, tmp, self.barrier_timeout)?;
        if self.durable {
            sys::sync_file(&reopened, tmp)?;
        }
        let check = match drain.probe {
            sys::Probe::Lease => WriterCheck::Lease,
            sys::Probe::Flock => WriterCheck::Flock,
            sys::Probe::Unchecked => WriterCheck::Unchecked,
        };
        Ok((check, drain.busy_probes))
    }
}

/// Write `body` to `dir/name`, mode 0o755 whatever the umask, so that it can
/// be executed at once, from any thread, while other threads fork.
///
/// When it returns `Ok`, `dir/name` holds exactly `body`, and an exec of it
/// (a plain `std::process::Command` will do) does not fail with ETXTBSY
/// because of this write. See [`StubInstaller`] for the options and the
/// errors, and the [module docs](crate#the-race) for the race it closes.
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
) -> io::Result<PathBuf> {
    StubInstaller::new().install(dir, name, body)
}

/// Rename, retried on this OS's transient rename errors: on Windows an
/// antivirus scanner or indexer opening the fresh temp file makes the rename
/// fail with a sharing violation or access denied for a moment. Nothing is
/// transient for rename on Linux, so there this is a plain rename.
fn rename_retrying(from: &Path, to: &Path) -> io::Result<()> {
    RetryPolicy::for_op(Op::Rename).run(|| sys::rename(from, to))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// A single, plain file name on `os`, or why not.
fn validate_name(os: Os, name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name == "." || name == ".." {
        return Err("is not a file name");
    }
    if name.contains('\0') {
        return Err("contains a NUL byte");
    }
    if name.contains('/') || (os == Os::Windows && name.contains(['\\', ':'])) {
        return Err("must be a file name, not a path");
    }
    Ok(())
}

/// `.<name>.<16 hex>.flakeproof-tmp`: hidden, recognisable if a crash leaves
/// it, and short enough whatever the name (which is cut to 64 bytes here).
fn temp_name(name: &str, random: u64) -> String {
    let mut cut = name.len().min(64);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(".{}.{random:016x}.flakeproof-tmp", &name[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_single_file_names_are_refused() {
        for bad in ["", ".", "..", "a/b", "/abs", "x\0y"] {
            assert!(validate_name(Os::Linux, bad).is_err(), "{bad:?}");
            assert!(validate_name(Os::Windows, bad).is_err(), "{bad:?}");
        }
        for win_only in ["a\\b", "c:x"] {
            assert!(validate_name(Os::Linux, win_only).is_ok());
            assert!(validate_name(Os::Windows, win_only).is_err());
        }
        for ok in ["git", ".hidden", "...", "x.exe", "ünï"] {
            assert!(validate_name(Os::Linux, ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn temp_names_are_hidden_bounded_and_keep_utf8() {
        assert_eq!(
            temp_name("git", 0xab),
            ".git.00000000000000ab.flakeproof-tmp"
        );
        let long = "é".repeat(100); // 200 bytes
        let t = temp_name(&long, 1);
        assert!(t.len() <= 1 + 64 + 1 + 16 + 16, "{}", t.len());
        assert!(t.starts_with(".é"));
    }
}
