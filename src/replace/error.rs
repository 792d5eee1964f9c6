//! Why a replacement failed. A replacement is an install of a copy, plus
//! steps an install never makes (reading the source, taking the
//! destination's lock), so its error names those steps itself and carries
//! the install's step for the rest. The OS's error is carried whole.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::install::{InstallError, InstallStep};

/// The step of a replacement that failed.
///
/// ```
/// use flakeproof::replace::ReplaceStep;
/// # let dir = tempfile::tempdir()?;
/// let e = flakeproof::replace_executable(dir.path().join("missing"), dir.path().join("app"))
///     .unwrap_err();
/// assert_eq!(e.step(), ReplaceStep::ReadSource);
/// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplaceStep {
    /// Checking the destination's path (nothing was touched).
    Validate,
    /// Reading the program to copy, or its mode.
    ReadSource,
    /// Taking the destination's [`ArtifactLock`](crate::ArtifactLock)
    /// ([`Replacer::lock`](super::Replacer::lock)).
    Lock,
    /// A step of the exec-safe install of the copy.
    Install(InstallStep),
}

impl fmt::Display for ReplaceStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplaceStep::Validate => f.write_str("checking the destination"),
            ReplaceStep::ReadSource => f.write_str("reading"),
            ReplaceStep::Lock => f.write_str("locking"),
            ReplaceStep::Install(step) => step.fmt(f),
        }
    }
}

/// Why a replacement failed: the step, the path it touched, whether the
/// new program is in place all the same, and the untouched error underneath.
///
/// `raw_os_error()` and `kind()` are the OS's, and converting into
/// `io::Error` (as `?` does) gives back that error itself, unwrapped.
///
/// ```
/// use std::io;
/// use flakeproof::fault::FaultPlan;
/// use flakeproof::install::InstallStep;
/// use flakeproof::replace::ReplaceStep;
/// # let dir = tempfile::tempdir()?;
/// # let (src, dst) = (dir.path().join("build-out"), dir.path().join("app"));
/// # std::fs::write(&src, "v2")?;
/// let _g = FaultPlan::parse("rename(*/app)=EXDEV").unwrap().activate();
/// let e = flakeproof::replace_executable(&src, &dst).unwrap_err();
/// assert_eq!(e.step(), ReplaceStep::Install(InstallStep::Rename));
/// assert!(!e.is_installed());
/// # #[cfg(unix)]
/// assert_eq!(e.raw_os_error(), Some(18));
/// let plain: io::Error = e.into(); // the OS's error, as it came
/// # #[cfg(unix)]
/// assert_eq!(plain.kind(), io::ErrorKind::CrossesDevices);
/// # Ok::<(), io::Error>(())
/// ```
#[derive(Debug)]
pub struct ReplaceError {
    step: ReplaceStep,
    path: PathBuf,
    installed: bool,
    source: io::Error,
}

impl ReplaceError {
    pub(crate) fn new(step: ReplaceStep, path: &Path, source: io::Error) -> Self {
        ReplaceError {
            step,
            path: path.to_owned(),
            installed: false,
            source,
        }
    }

    /// The step that failed.
    ///
    /// ```
    /// use flakeproof::replace::ReplaceStep;
    /// # let dir = tempfile::tempdir()?;
    /// # std::fs::write(dir.path().join("new"), "v2")?;
    /// let e = flakeproof::replace_executable(dir.path().join("new"), "").unwrap_err();
    /// assert_eq!(e.step(), ReplaceStep::Validate);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn step(&self) -> ReplaceStep {
        self.step
    }

    /// The path the failed step touched.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let missing = dir.path().join("missing");
    /// let e = flakeproof::replace_executable(&missing, dir.path().join("app")).unwrap_err();
    /// assert_eq!(e.path(), missing);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Is the new program in place all the same? True only when the install
    /// renamed it over the destination and a later step (the directory's
    /// fsync) failed: see [`InstallError::is_installed`].
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let e = flakeproof::replace_executable(dir.path().join("missing"), dir.path().join("app")).unwrap_err();
    /// assert!(!e.is_installed());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn is_installed(&self) -> bool {
        self.installed
    }

    /// The OS's error code, untouched.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let e = flakeproof::replace_executable(dir.path().join("missing"), dir.path().join("app")).unwrap_err();
    /// # #[cfg(unix)]
    /// assert_eq!(e.raw_os_error(), Some(2)); // ENOENT
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn raw_os_error(&self) -> Option<i32> {
        self.source.raw_os_error()
    }

    /// The error's kind, untouched.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let e = flakeproof::replace_executable(dir.path().join("missing"), dir.path().join("app")).unwrap_err();
    /// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        self.source.kind()
    }

    /// The underlying error, as the OS gave it.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let e = flakeproof::replace_executable(dir.path().join("missing"), dir.path().join("app")).unwrap_err();
    /// assert_eq!(e.io_error().kind(), std::io::ErrorKind::NotFound);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn io_error(&self) -> &io::Error {
        &self.source
    }
}

impl From<InstallError> for ReplaceError {
    fn from(e: InstallError) -> Self {
        let (step, path, installed) = (e.step(), e.path().to_owned(), e.is_installed());
        ReplaceError {
            step: ReplaceStep::Install(step),
            path,
            installed,
            source: e.into(),
        }
    }
}

impl fmt::Display for ReplaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.step, self.path.display(), self.source)?;
        if self.installed {
            f.write_str(" (the new program is in place; its durability is unknown)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ReplaceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<ReplaceError> for io::Error {
    /// The OS's error itself, as it came: `raw_os_error()` and `kind()`
    /// survive, which an `io::Error::new(kind, ..)` wrapper would erase.
    fn from(e: ReplaceError) -> io::Error {
        e.source
    }
}
