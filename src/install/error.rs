//! Why an install failed: the step, the path, and the OS's error, carried
//! whole so that `raw_os_error()` and `kind()` reach the caller's classifier.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A step of an install, as named by [`InstallError::step`].
///
/// ```
/// use flakeproof::{fault::FaultPlan, StubInstaller, install::InstallStep};
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
    /// Asking what filesystem the directory is on.
    Classify,
    /// Starting the child process that writes the file (child writer).
    StartWriter,
    /// Creating the temp file (in a child, for the child writer).
    Create,
    /// Locking the temp file's writable description (flock, for the drain
    /// barrier).
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
/// use flakeproof::{fault::FaultPlan, StubInstaller, install::InstallStep};
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

    /// The same error, for a step after the rename: the stub is in place.
    pub(crate) fn installed_all_the_same(self) -> Self {
        InstallError {
            installed: true,
            ..self
        }
    }

    /// The step that failed.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let e = flakeproof::install_executable_stub(dir.path(), "a/b", "").unwrap_err();
    /// assert_eq!(e.step(), flakeproof::install::InstallStep::Validate);
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
