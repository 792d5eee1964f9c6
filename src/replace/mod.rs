//! Put a freshly built program where another process expects it, safely:
//! never by writing into the existing file (on Linux that fails with
//! ETXTBSY while it runs; on macOS a signed binary rewritten in place keeps
//! a stale code-signature cache and is killed, "Killed: 9"; `std::fs::copy`
//! onto the destination does exactly that), but by writing a new file
//! beside it, exec-safely as [`crate::StubInstaller`] does, and renaming it
//! over the old one, which keeps running from its own inode.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

mod error;

pub use error::{ReplaceError, ReplaceStep};

use crate::install::{Durability, StubInstaller, WriterCheck};
use crate::lock::ArtifactLock;
use crate::names::{Leftover, split_file_path};
use crate::retry::RetryPolicy;
use crate::sys::{self, mirror};

/// What [`Replacer::replace`] did.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let (src, dst) = (dir.path().join("build-out"), dir.path().join("app"));
/// # std::fs::write(&src, "program v2")?;
/// let report = flakeproof::replace_executable(&src, &dst)?;
/// assert!(report.replaced);
/// let again = flakeproof::replace_executable(&src, &dst)?;
/// assert!(!again.replaced); // identical content: left alone
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplaceReport {
    /// The destination.
    pub path: PathBuf,
    /// False when the destination already held exactly the new content and
    /// was left alone (a new inode would make macOS re-scan it).
    pub replaced: bool,
    /// How "no writer left" was established for the new file.
    pub check: Option<WriterCheck>,
    /// Attempts beyond the first of the steps another process can refuse.
    pub retries: u32,
    /// Windows only: the old program, still running, moved aside to this
    /// hidden sibling; the next replacement of `path` removes it once it
    /// has exited (see [`InstallReport::aside`](crate::install::InstallReport::aside)).
    pub aside: Option<PathBuf>,
    /// How far the replacement is on stable storage
    /// ([`Durability::NotRequested`] when nothing was written).
    pub durability: Durability,
}

/// Options for [`replace_executable`].
///
/// ```
/// use flakeproof::{replace::Replacer, ArtifactLock};
/// # let dir = tempfile::tempdir()?;
/// # let (src, dst) = (dir.path().join("out"), dir.path().join("app"));
/// # std::fs::write(&src, "program")?;
/// let report = Replacer::new()
///     .durable(false)
///     .lock(ArtifactLock::new(dir.path()))   // one replacer at a time per destination
///     .replace(&src, &dst)?;
/// assert!(report.replaced);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a Replacer does nothing until you replace something"]
pub struct Replacer {
    installer: StubInstaller,
    mode: Option<u32>,
    durable: bool,
    skip_identical: bool,
    lock: Option<ArtifactLock>,
}

impl Default for Replacer {
    fn default() -> Self {
        Self::new()
    }
}

impl Replacer {
    /// The source's mode, durable, identical content left alone, no lock.
    ///
    /// ```
    /// let r = flakeproof::replace::Replacer::new();
    /// # let _ = r;
    /// ```
    pub fn new() -> Self {
        Replacer {
            installer: StubInstaller::new(),
            mode: None,
            durable: true,
            skip_identical: true,
            lock: None,
        }
    }

    /// Give the new file this mode instead of the source's.
    ///
    /// ```
    /// let r = flakeproof::replace::Replacer::new().mode(0o755);
    /// # let _ = r;
    /// ```
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = Some(mode);
        self
    }

    /// fsync the new file and the directory (default true).
    ///
    /// ```
    /// let r = flakeproof::replace::Replacer::new().durable(false);
    /// # let _ = r;
    /// ```
    pub fn durable(mut self, durable: bool) -> Self {
        self.durable = durable;
        self
    }

    /// Leave a destination that already holds exactly the new content
    /// alone (default true).
    ///
    /// ```
    /// let r = flakeproof::replace::Replacer::new().skip_identical(false);
    /// # let _ = r;
    /// ```
    pub fn skip_identical(mut self, skip: bool) -> Self {
        self.skip_identical = skip;
        self
    }

    /// Hold `locks`' lock on the destination's file name while replacing,
    /// so that replacers in other processes take turns. Under the lock, the
    /// temp files a killed replacer left beside the destination are swept.
    ///
    /// Without a lock, concurrent replacements are each atomic: the
    /// destination is always one whole program, the last renamed in. The
    /// lock adds taking turns and the sweep. The key is the file name
    /// alone, so give each project (each destination directory) its own
    /// lock directory, or two projects serving `app` wait for each other.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let r = flakeproof::replace::Replacer::new().lock(flakeproof::ArtifactLock::new(dir.path()));
    /// # let _ = r;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn lock(mut self, locks: ArtifactLock) -> Self {
        self.lock = Some(locks);
        self
    }

    /// Retries for the steps another process can refuse for a moment; see
    /// [`StubInstaller::retries`].
    ///
    /// ```
    /// use flakeproof::{robust::Budget, Op, replace::Replacer};
    /// let r = Replacer::new().retries(Budget::Antivirus.policy(Op::Rename));
    /// # let _ = r;
    /// ```
    pub fn retries(mut self, policy: RetryPolicy) -> Self {
        self.installer = self.installer.retries(policy);
        self
    }

    /// Replace `dst` with a copy of `src`, as described in [`replace_executable`].
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// # std::fs::write(dir.path().join("new"), "v2")?;
    /// let report = flakeproof::replace::Replacer::new().replace(dir.path().join("new"), dir.path().join("app"))?;
    /// assert_eq!(std::fs::read(&report.path)?, b"v2");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn replace(
        &self,
        src: impl AsRef<Path>,
        dst: impl AsRef<Path>,
    ) -> Result<ReplaceReport, ReplaceError> {
        let (src, dst) = (src.as_ref(), dst.as_ref());
        let (dir, name) = split_dst(dst)?;
        let _held = match &self.lock {
            Some(locks) => {
                let held = locks.lock(name).map_err(at(ReplaceStep::Lock, dst))?;
                // Under the lock no other replacer of this destination is
                // at work: temp files of its name are leftovers of one that
                // was killed, and are ours to sweep.
                sweep_leftovers(dir, name);
                Some(held)
            }
            None => None,
        };
        self.replace_one(src, dst, dir, name)
    }

    /// Replace a set of files that belong together (mops's `.wasm`, `.did`
    /// and `.most`; a database with its `-wal` and `-shm`) under one key of
    /// the [`lock`](Self::lock), one file after the other, each as
    /// [`replace`](Self::replace) does. Readers that take
    /// [`ArtifactLock::lock_shared`] on the same key see the whole old set
    /// or the whole new one. On an error the files before the failed one
    /// are new and the rest old; the reports of all come back on success.
    ///
    /// Every destination is checked before anything is touched. Without a
    /// lock, each file is still replaced atomically, but a reader can see
    /// a mix of old and new files. Under the lock, leftover temp files of
    /// every destination are swept: replace those destinations only under
    /// this key.
    ///
    /// ```
    /// use flakeproof::{replace::Replacer, ArtifactLock};
    /// # let dir = tempfile::tempdir()?;
    /// # let (build, out) = (dir.path().join("build"), dir.path().join("out"));
    /// # std::fs::create_dir_all(&build)?;
    /// # std::fs::create_dir_all(&out)?;
    /// # for f in ["app.wasm", "app.did", "app.most"] { std::fs::write(build.join(f), f)?; }
    /// let locks = ArtifactLock::new(dir.path().join(".locks"));
    /// let files: Vec<_> = ["app.wasm", "app.did", "app.most"]
    ///     .iter()
    ///     .map(|f| (build.join(f), out.join(f)))
    ///     .collect();
    /// let reports = Replacer::new().lock(locks.clone()).replace_set("canister-app", &files)?;
    /// assert_eq!(reports.len(), 3);
    /// let _reading = locks.lock_shared("canister-app")?; // a consistent view
    /// assert_eq!(std::fs::read(out.join("app.did"))?, b"app.did");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn replace_set<S: AsRef<Path>, D: AsRef<Path>>(
        &self,
        key: &str,
        files: &[(S, D)],
    ) -> Result<Vec<ReplaceReport>, ReplaceError> {
        let mut targets = Vec::with_capacity(files.len());
        for (src, dst) in files {
            let (dir, name) = split_dst(dst.as_ref())?;
            targets.push((src.as_ref(), dst.as_ref(), dir, name));
        }
        let _held = match &self.lock {
            Some(locks) => {
                let held = locks
                    .lock(key)
                    .map_err(at(ReplaceStep::Lock, &locks.lock_file(key)))?;
                for (_, _, dir, name) in &targets {
                    sweep_leftovers(dir, name);
                }
                Some(held)
            }
            None => None,
        };
        targets
            .into_iter()
            .map(|(src, dst, dir, name)| self.replace_one(src, dst, dir, name))
            .collect()
    }

    /// One replacement, with any lock already held.
    fn replace_one(
        &self,
        src: &Path,
        dst: &Path,
        dir: &Path,
        name: &str,
    ) -> Result<ReplaceReport, ReplaceError> {
        let body = mirror::read(src).map_err(at(ReplaceStep::ReadSource, src))?;
        let meta: Metadata = mirror::metadata(src).map_err(at(ReplaceStep::ReadSource, src))?;
        if self.skip_identical && mirror::read(dst).is_ok_and(|old| old == body) {
            return Ok(ReplaceReport {
                path: dst.to_owned(),
                replaced: false,
                check: None,
                retries: 0,
                aside: None,
                durability: Durability::NotRequested,
            });
        }
        let mode = self.mode.unwrap_or_else(|| sys::mode_of(&meta));
        let report = self
            .installer
            .clone()
            .mode(mode)
            .durable(self.durable)
            .install_with_report(dir, name, &body)?;
        Ok(ReplaceReport {
            path: report.path,
            replaced: true,
            check: Some(report.check),
            retries: report.retries,
            aside: report.aside,
            durability: report.durability,
        })
    }
}

fn at(step: ReplaceStep, path: &Path) -> impl Fn(std::io::Error) -> ReplaceError + '_ {
    move |e| ReplaceError::new(step, path, e)
}

/// The directory and UTF-8 file name of a destination, or a Validate error.
fn split_dst(dst: &Path) -> Result<(&Path, &str), ReplaceError> {
    split_file_path(dst).map_err(|e| ReplaceError::new(ReplaceStep::Validate, dst, e))
}

/// Remove `dir/.{name}.<16 hex>.flakeproof-tmp` files: what a replacer (or
/// installer) killed mid-way leaves. Best effort.
fn sweep_leftovers(dir: &Path, name: &str) {
    let Ok(entries) = sys::list_dir(dir) else {
        return;
    };
    for entry in entries {
        if Leftover::Temp.is_of(&entry, name) {
            let _ = crate::robust::remove_file(dir.join(&entry));
        }
    }
}

/// Replace the program at `dst` with a copy of `src` (a fresh build), so
/// that a process running the old one keeps running and an exec right after
/// runs the new one whole.
///
/// The copy is written to a hidden temp sibling of `dst`,
/// `.<name>.<16 hex digits>.flakeproof-tmp` (created exclusively, never
/// following a link: file watchers can ignore `*.flakeproof-tmp`), given the source's mode, drained
/// of inherited writers and fsynced as [`crate::install_executable_stub`]
/// does, then renamed over `dst`. `dst` is never opened for writing, so a
/// running program is never rewritten in place. On Windows, which refuses
/// to rename over a running `.exe` but lets it be renamed, the running one
/// is first moved aside to `.<name>.<hex>.flakeproof-old` and removed once
/// it has exited (by this call, or the next one's sweep, which also puts
/// it back if a replacer was killed between the two renames):
/// [`ReplaceReport::aside`] names it while it stays. When `dst` already holds
/// exactly the new content it is left alone. Errors are
/// [`ReplaceError`]s (step, path, the OS's error untouched); any failure
/// before the rename leaves `dst` as it was and removes the temp file.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let (src, dst) = (dir.path().join("target-out"), dir.path().join("served-app"));
/// # std::fs::write(&src, "#!/bin/sh\necho v2\n")?;
/// let report = flakeproof::replace_executable(&src, &dst)?;
/// assert!(report.replaced);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn replace_executable(
    src: impl AsRef<Path>,
    dst: impl AsRef<Path>,
) -> Result<ReplaceReport, ReplaceError> {
    Replacer::new().replace(src, dst)
}

/// [`replace_executable`] from async code (feature `tokio`): on tokio's
/// blocking pool (its copy, fsyncs and waits happen there), the plan in
/// force on the polling thread carried in.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// # let dir = tempfile::tempdir()?;
/// # let (src, dst) = (dir.path().join("target-out"), dir.path().join("served-app"));
/// # std::fs::write(&src, "#!/bin/sh\necho v2\n")?;
/// let report = flakeproof::replace::replace_executable_async(&src, &dst).await?;
/// assert!(report.replaced);
/// # Ok::<(), std::io::Error>(()) })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "tokio")]
pub async fn replace_executable_async(
    src: impl AsRef<Path>,
    dst: impl AsRef<Path>,
) -> Result<ReplaceReport, ReplaceError> {
    let (src, dst) = (src.as_ref().to_owned(), dst.as_ref().to_owned());
    crate::blocking::on_blocking_pool(move || replace_executable(src, dst)).await
}
