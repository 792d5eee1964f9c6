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

mod error;
mod installer;
mod options;

use std::path::{Path, PathBuf};

pub use error::{InstallError, InstallStep};
pub use installer::StubInstaller;
pub use options::{Durability, InstallReport, Strategy, WriterCheck};

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
