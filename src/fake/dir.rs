//! [`FakeDir`]: a temp directory of fake commands for one test. Making it
//! (and proving fakes can run there), the `PATH` values and commands that
//! use it, its calls, waits and `verify()`, and removing it.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::command::FakeBuilder;
use super::error::FakeError;
use super::invocation::{Invocation, RunState};
use super::records;
use super::shim::{self, SHIM, SHIM_WHY};
use super::state::DirState;
use super::verify::{self, Unmet};
use super::wait;
use super::wire;
use crate::fault::exempt;
use crate::sys::fakes as sysf;

/// A temp directory of fake commands for a test: put it on a child's `PATH`
/// and the child (or its grandchildren, through a shell or not) runs the
/// fakes instead of the real `git`, `cc` or `ssh`. Each fake answers as its
/// rules say and records every call; the test process's own `PATH` is never
/// changed, so parallel tests with their own `FakeDir`s never meet.
///
/// Each fake is the same small compiled program (built by flakeproof's
/// `build.rs` for your target), hard-linked in: no script interpreter, and
/// no writable descriptor on it for a fork to leak, so no ETXTBSY.
///
/// ```
/// use flakeproof::fake::{ArgMatch, FakeDir, Reply};
///
/// let fakes = FakeDir::new()?;
/// let git = fakes.fake("git").install()?;
/// let status = git.when(ArgMatch::exact(["status", "--porcelain"])).reply(Reply::stdout(" M src/lib.rs\n"))?;
/// git.when(ArgMatch::prefix(["commit"])).reply(Reply::exit(1).with_stderr("nothing to commit\n"))?;
///
/// // The code under test runs `git` from PATH; through a shell here.
/// # #[cfg(unix)] {
/// let out = std::process::Command::new("sh")
///     .args(["-c", "git status --porcelain && git commit -m 'two words'"])
///     .env("PATH", fakes.path_env_prepended())
///     .output()?;
/// assert_eq!(out.stdout, b" M src/lib.rs\n");
/// assert_eq!(out.status.code(), Some(1));
/// assert_eq!(status.call_count()?, 1);
/// assert_eq!(fakes.calls_of("git")?[1].args_lossy(), ["commit", "-m", "two words"]);
/// fakes.verify()?;
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Dropping it releases hanging fakes, waits up to 10 s for running ones
/// to end, then removes the directory (retrying as the Windows classifier
/// says, for handles that linger).
#[must_use = "dropping a FakeDir removes it"]
pub struct FakeDir {
    inner: Arc<DirState>,
    kept: bool,
}

impl fmt::Debug for FakeDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeDir")
            .field("bin", &self.inner.bin)
            .finish()
    }
}

impl FakeDir {
    /// A fake directory in the system temp dir. Runs a self-test first: a
    /// location where the fakes could not run (a `noexec` mount) is an
    /// error here, never a test that quietly runs the real programs.
    ///
    /// Fails with [`io::ErrorKind::Unsupported`] if flakeproof was built
    /// without its shim (the error says why; see the [module docs](super)).
    ///
    /// ```
    /// let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.bin_dir().is_dir());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn new() -> Result<FakeDir, FakeError> {
        FakeDir::new_in(std::env::temp_dir())
    }

    /// A fake directory inside `parent`.
    ///
    /// ```
    /// let parent = tempfile::tempdir()?;
    /// let fakes = flakeproof::fake::FakeDir::new_in(parent.path())?;
    /// assert!(fakes.bin_dir().starts_with(parent.path()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new_in(parent: impl AsRef<Path>) -> Result<FakeDir, FakeError> {
        if SHIM.is_empty() {
            return Err(FakeError::new(
                format!(
                    "flakeproof was built without its fake-command shim ({SHIM_WHY}); set FLAKEPROOF_SHIM to a shim built for this target and rebuild"
                ),
                io::Error::from(io::ErrorKind::Unsupported),
            ));
        }
        let parent = parent.as_ref();
        let root = parent.join(format!(
            "flakeproof-fakes-{:016x}",
            crate::sys::random_u64()
        ));
        let bin = root.join("bin");
        if std::env::join_paths([&bin]).is_err() {
            return Err(FakeError::invalid(format!(
                "{} can't be put on PATH (it contains the separator)",
                bin.display()
            )));
        }
        exempt(|| {
            sysf::make_dir(&root).map_err(|e| {
                FakeError::new(
                    format!("creating a fake directory in {}", parent.display()),
                    e,
                )
            })?;
            let dir = FakeDir {
                inner: Arc::new(DirState::new(root.clone(), bin)),
                kept: false,
            };
            // From here on, an error drops `dir`, which removes the root.
            for sub in ["bin", "spec", "calls", "steps", "release"] {
                sysf::make_dir(&root.join(sub)).map_err(|e| {
                    FakeError::new(format!("creating {}", root.join(sub).display()), e)
                })?;
            }
            let inner = &dir.inner;
            shim::self_test(&inner.root, &inner.bin, &mut inner.lock().source)?;
            Ok(dir)
        })
    }

    /// A fake named `name` (`name.exe` on Windows), to configure and then
    /// [`install`](FakeBuilder::install). Until rules are added, every call
    /// of it is unexpected: it fails (exit 97) and is recorded.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let cc = fakes.fake("cc").install()?;
    /// assert!(cc.path().starts_with(fakes.bin_dir()));
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn fake(&self, name: &str) -> FakeBuilder {
        FakeBuilder::new(self.inner.clone(), name)
    }

    /// The directory the fakes are in: the `PATH` entry.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.bin_dir().ends_with("bin"));
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    #[must_use]
    pub fn bin_dir(&self) -> &Path {
        &self.inner.bin
    }

    /// A `PATH` value holding only the fakes: a child finds nothing else
    /// (a shell needs its own builtins then; see [`path_env_prepended`](Self::path_env_prepended)).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let mut cmd = std::process::Command::new("git");
    /// cmd.env("PATH", fakes.path_env());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    #[must_use]
    pub fn path_env(&self) -> OsString {
        self.inner.bin.clone().into_os_string()
    }

    /// A `PATH` value with the fakes first, then this process's `PATH`: the
    /// fakes shadow the real programs, and everything else is still found.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let path = fakes.path_env_prepended();
    /// assert!(std::env::split_paths(&path).next().unwrap() == fakes.bin_dir());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    #[must_use]
    pub fn path_env_prepended(&self) -> OsString {
        let mut path = self.path_env();
        if let Some(rest) = std::env::var_os("PATH").filter(|p| !p.is_empty()) {
            path.push(crate::sys::PATH_SEPARATOR);
            path.push(rest);
        }
        path
    }

    /// A [`std::process::Command`] for `program` with
    /// [`path_env_prepended`](Self::path_env_prepended) as its `PATH`.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # let fakes = FakeDir::new()?;
    /// fakes.fake("make").install()?.when(ArgMatch::any()).reply(Reply::stdout("built\n"))?;
    /// let out = fakes.command("make").output()?;
    /// assert_eq!(out.stdout, b"built\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn command(&self, program: impl AsRef<OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.env("PATH", self.path_env_prepended());
        cmd
    }

    /// Every call of every fake so far, in call order (the record of a
    /// call that is still running shows [`RunState::Running`]).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.calls()?.is_empty());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn calls(&self) -> Result<Vec<Invocation>, FakeError> {
        records::read(&self.inner.calls_dir())
    }

    /// The calls of the fake named `name`, in call order.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.calls_of("git")?.is_empty());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn calls_of(&self, name: &str) -> Result<Vec<Invocation>, FakeError> {
        Ok(self
            .calls()?
            .into_iter()
            .filter(|c| c.fake == name)
            .collect())
    }

    /// Waits until at least `n` calls have started (for callers in the
    /// background: a daemon, a grandchild), then returns all calls so far.
    /// A call counts from the moment its start record exists, before its
    /// delay or output; [`wait_for_finished`](Self::wait_for_finished) waits for ends.
    /// Fails with [`io::ErrorKind::TimedOut`], listing what it saw.
    ///
    /// On Linux the wait is woken by the records themselves (inotify on the
    /// directory they land in), so it returns within microseconds of the
    /// call; elsewhere it reads them again every 1 ms, doubling to 20 ms.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # use std::time::Duration;
    /// # let fakes = FakeDir::new()?;
    /// let tool = fakes.fake("tool").install()?;
    /// tool.when(ArgMatch::any()).reply(Reply::success())?;
    /// let mut child = std::process::Command::new(tool.path()).spawn()?;
    /// assert_eq!(fakes.wait_for_calls(1, Duration::from_secs(10))?.len(), 1);
    /// # child.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_for_calls(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Invocation>, FakeError> {
        wait::until(&self.inner.calls_dir(), n, timeout, "started", |_| true)
    }

    /// Waits until at least `n` calls have ended (exited, died or been
    /// killed), then returns all calls so far. Woken as
    /// [`wait_for_calls`](Self::wait_for_calls) is.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply, RunState};
    /// # use std::time::Duration;
    /// # let fakes = FakeDir::new()?;
    /// let tool = fakes.fake("tool").install()?;
    /// tool.when(ArgMatch::any()).reply(Reply::exit(3))?;
    /// let mut child = std::process::Command::new(tool.path()).spawn()?;
    /// let calls = fakes.wait_for_finished(1, Duration::from_secs(10))?;
    /// assert_eq!(calls[0].state, RunState::Exited(3));
    /// # child.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_for_finished(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Invocation>, FakeError> {
        wait::until(&self.inner.calls_dir(), n, timeout, "finished", |c| {
            c.state != RunState::Running
        })
    }

    /// [`wait_for_calls`](Self::wait_for_calls) from async code (feature
    /// `tokio`): the wait runs on tokio's blocking pool, so no worker is
    /// blocked while the fake's caller, another task perhaps, gets going.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # use std::time::Duration;
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// # let fakes = FakeDir::new()?;
    /// let tool = fakes.fake("tool").install()?;
    /// tool.when(ArgMatch::any()).reply(Reply::success())?;
    /// let mut child = tokio::process::Command::new(tool.path()).spawn()?;
    /// assert_eq!(fakes.wait_for_calls_async(1, Duration::from_secs(10)).await?.len(), 1);
    /// # child.wait().await?;
    /// # Ok::<(), Box<dyn std::error::Error>>(()) })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "tokio")]
    pub async fn wait_for_calls_async(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Invocation>, FakeError> {
        let dir = self.inner.calls_dir();
        crate::blocking::on_blocking_pool(move || {
            wait::until(&dir, n, timeout, "started", |_| true)
        })
        .await
    }

    /// [`wait_for_finished`](Self::wait_for_finished) from async code
    /// (feature `tokio`), as [`wait_for_calls_async`](Self::wait_for_calls_async).
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply, RunState};
    /// # use std::time::Duration;
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
    /// # let fakes = FakeDir::new()?;
    /// let tool = fakes.fake("tool").install()?;
    /// tool.when(ArgMatch::any()).reply(Reply::exit(3))?;
    /// let mut child = tokio::process::Command::new(tool.path()).spawn()?;
    /// let calls = fakes.wait_for_finished_async(1, Duration::from_secs(10)).await?;
    /// assert_eq!(calls[0].state, RunState::Exited(3));
    /// # child.wait().await?;
    /// # Ok::<(), Box<dyn std::error::Error>>(()) })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "tokio")]
    pub async fn wait_for_finished_async(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Invocation>, FakeError> {
        let dir = self.inner.calls_dir();
        crate::blocking::on_blocking_pool(move || {
            wait::until(&dir, n, timeout, "finished", |c| {
                c.state != RunState::Running
            })
        })
        .await
    }

    /// Checks that every call was answered by a rule and every rule
    /// answered a call (except rules marked [`optional`](super::RuleBuilder::optional)).
    /// The error lists each unexpected call with the rule closest to it,
    /// and each unused rule.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # let fakes = FakeDir::new()?;
    /// let git = fakes.fake("git").install()?;
    /// git.when(ArgMatch::exact(["pull"])).reply(Reply::success())?;
    /// std::process::Command::new(git.path()).arg("pull").status()?;
    /// fakes.verify()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify(&self) -> Result<(), Unmet> {
        let calls = self.calls().map_err(Unmet::unreadable)?;
        verify::check(&calls, &self.inner.lock().list)
    }

    /// Ends every hang, now and from now on (calls that reach a
    /// [`Reply::hang`](super::Reply::hang) afterwards don't wait).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// fakes.release_all()?;
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn release_all(&self) -> Result<(), FakeError> {
        let path = self.inner.dir("release").join(wire::RELEASE_ALL);
        exempt(|| sysf::touch(&path)).map_err(|e| FakeError::new("releasing hangs", e))
    }

    /// Keeps the directory on disk (for a look after a failure) and returns
    /// its root.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let root = fakes.keep();
    /// assert!(root.join("bin").is_dir());
    /// # std::fs::remove_dir_all(root)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn keep(mut self) -> PathBuf {
        self.kept = true;
        self.inner.root.clone()
    }
}

impl Drop for FakeDir {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        exempt(|| {
            let _ = sysf::touch(&self.inner.dir("release").join(wire::RELEASE_ALL));
            // A running shim holds its files open: on Windows they can't be
            // removed until it ends, and FUSE keeps them as .fuse_hidden*.
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                let calls = records::read(&self.inner.calls_dir()).unwrap_or_default();
                if !calls.iter().any(|c| c.state == RunState::Running) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = crate::robust::remove_dir_all(&self.inner.root);
        });
    }
}
