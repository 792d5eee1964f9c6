//! [`FakeDir`] and its handles: making the directory, placing the shim,
//! writing specs, reading records back.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use super::calls::{describe, distance, Call, Outcome, Unmet};
use super::reply::{AfterLast, ArgMatch, Reply};
use super::wire::{self, Finish, Spec};
use crate::fault::exempt;
use crate::install::StubInstaller;
use crate::os::Os;
use crate::sys::fakes as sysf;

/// The shim `build.rs` compiled for this target, or nothing (then
/// `SHIM_WHY` says why).
static SHIM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/shim.bin"));
const SHIM_WHY: &str = include_str!(concat!(env!("OUT_DIR"), "/shim.why"));
const SHIM_HASH: &str = env!("FLAKEPROOF_SHIM_HASH");
const EXE: &str = std::env::consts::EXE_SUFFIX;
const SELF_TEST: &str = "flakeproof-self-test";

/// An error from a fake directory: what it was doing, and the OS error
/// (its `raw_os_error()` and `kind()` kept) or the reason.
///
/// ```
/// use flakeproof::fake::FakeDir;
/// let fakes = FakeDir::new()?;
/// let err = fakes.fake("a/b").install().unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// # Ok::<(), flakeproof::fake::FakeError>(())
/// ```
#[derive(Debug)]
pub struct FakeError {
    what: String,
    source: io::Error,
}

impl FakeError {
    fn new(what: impl Into<String>, source: io::Error) -> FakeError {
        FakeError {
            what: what.into(),
            source,
        }
    }

    fn invalid(what: impl Into<String>) -> FakeError {
        let what = what.into();
        FakeError {
            source: io::Error::new(io::ErrorKind::InvalidInput, what.clone()),
            what,
        }
    }

    /// The error's kind: the OS error's when one caused it.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let err = fakes.fake("").install().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        self.source.kind()
    }

    /// The OS error code, when the OS gave the error.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert_eq!(fakes.fake("").install().unwrap_err().raw_os_error(), None);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn raw_os_error(&self) -> Option<i32> {
        self.source.raw_os_error()
    }

    /// The underlying I/O error, as the OS gave it.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let err = fakes.fake("..").install().unwrap_err();
    /// assert_eq!(err.io_error().kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn io_error(&self) -> &io::Error {
        &self.source
    }
}

impl fmt::Display for FakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.raw_os_error().is_none() && self.source.to_string() == self.what {
            f.write_str(&self.what)
        } else {
            write!(f, "{}: {}", self.what, self.source)
        }
    }
}

impl std::error::Error for FakeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<FakeError> for io::Error {
    /// An OS error comes back as itself, with its `raw_os_error()` and
    /// `kind()`; any other keeps its kind and carries the whole message.
    fn from(e: FakeError) -> io::Error {
        match e.source.raw_os_error() {
            Some(_) => e.source,
            None => io::Error::new(e.kind(), e),
        }
    }
}

/// Where fakes get the shim from.
#[derive(Clone, Debug)]
enum Source {
    /// Hard-link this file (the copy next to the test executable, or the
    /// directory's own).
    Link(PathBuf),
    /// Nothing can be linked here: install a copy for each fake.
    Copy,
}

struct FakeState {
    spec: Spec,
    optional: Vec<bool>,
    path: PathBuf,
    /// The real program of the same name, for passthrough.
    real: Option<PathBuf>,
}

struct Inner {
    root: PathBuf,
    bin: PathBuf,
    /// How fakes get the shim (decided by the first placement), and the fakes.
    state: Mutex<(Option<Source>, Vec<FakeState>)>,
    /// Held through a whole `install`, so two at once can't take one index.
    installing: Mutex<()>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, (Option<Source>, Vec<FakeState>)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn dir(&self, sub: &str) -> PathBuf {
        self.root.join(sub)
    }
}

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
    inner: Arc<Inner>,
    kept: bool,
}

impl fmt::Debug for FakeDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeDir")
            .field("bin", &self.inner.bin)
            .finish()
    }
}

/// The process's copy of the shim next to the running executable, made
/// once per content hash; `None` when that directory can't take it.
fn cached_shim() -> Option<&'static Path> {
    static CACHED: OnceLock<Option<PathBuf>> = OnceLock::new();
    CACHED
        .get_or_init(|| {
            // Where a running program's names can't be removed (Windows), one
            // file shared by the fakes of every test would keep other tests'
            // directories from being removed: each gets its own copy.
            if !crate::sys::RUNNING_PROGRAMS_UNLINK {
                return None;
            }
            let dir = sysf::exe_dir().ok()?;
            let name = format!("flakeproof-shim-{SHIM_HASH}{EXE}");
            let path = dir.join(&name);
            if sysf::holds(&path, SHIM) {
                return Some(path);
            }
            let installer = StubInstaller::new().durable(false);
            let installed = exempt(|| installer.install(&dir, &name, SHIM)).ok()?;
            // Only a copy no one else can swap out is shared by links.
            sysf::holds(&installed, SHIM).then_some(installed)
        })
        .as_deref()
}

/// Why `name` can't be a fake's name: the crate's file-name rules for this
/// OS, and the self-test's prefix.
fn invalid_name(name: &str) -> Option<&'static str> {
    match crate::names::validate_name(Os::CURRENT, name) {
        Err(why) => Some(why),
        Ok(()) if name.starts_with(SELF_TEST) => Some("is reserved for the self-test"),
        Ok(()) => None,
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
                format!("flakeproof was built without its fake-command shim ({SHIM_WHY}); set FLAKEPROOF_SHIM to a shim built for this target and rebuild"),
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
                inner: Arc::new(Inner {
                    root: root.clone(),
                    bin,
                    state: Mutex::new((None, Vec::new())),
                    installing: Mutex::new(()),
                }),
                kept: false,
            };
            // From here on, an error drops `dir`, which removes the root.
            for sub in ["bin", "spec", "calls", "steps", "release"] {
                sysf::make_dir(&root.join(sub)).map_err(|e| {
                    FakeError::new(format!("creating {}", root.join(sub).display()), e)
                })?;
            }
            dir.self_test()?;
            Ok(dir)
        })
    }

    /// Places the shim once and runs it: it must print back what it is
    /// given. Also decides how fakes get the shim from now on.
    fn self_test(&self) -> Result<(), FakeError> {
        let name = format!("{SELF_TEST}-{:08x}", crate::sys::random_u64() as u32);
        let path = place(&self.inner, &name)?;
        let nonce = format!("{:016x}", crate::sys::random_u64());
        let result = sysf::run_with_env(&path, wire::SELF_TEST_ENV, &nonce);
        // With retries: Windows refuses to delete a program's file for a
        // moment after it exits (seen under Wine as ERROR_ACCESS_DENIED).
        crate::robust::remove_file(&path)
            .map_err(|e| FakeError::new(format!("removing {}", path.display()), e))?;
        let bin = self.inner.bin.display();
        match result {
            Err(e) => Err(FakeError::new(
                format!("fake commands can't run in {bin} (a noexec mount? pick another place with FakeDir::new_in)"),
                e,
            )),
            Ok(out) if out.status.success() && out.stdout == nonce.as_bytes() => Ok(()),
            Ok(out) => Err(FakeError::new(
                format!(
                    "the fake-command shim in {bin} did not answer its self-test ({}; stdout {:?}, stderr {:?})",
                    out.status,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
                io::Error::other("self-test failed"),
            )),
        }
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
        let mut name = name.to_string();
        if !EXE.is_empty() && name.to_ascii_lowercase().ends_with(EXE) {
            name.truncate(name.len() - EXE.len());
        }
        FakeBuilder {
            dir: self.inner.clone(),
            name,
            env_keys: Vec::new(),
            stdin_cap: None,
            otherwise: None,
        }
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
    /// call that is still running shows [`Outcome::Running`]).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.calls()?.is_empty());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn calls(&self) -> Result<Vec<Call>, FakeError> {
        read_calls(&self.inner)
    }

    /// The calls of the fake named `name`, in call order.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.calls_of("git")?.is_empty());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn calls_of(&self, name: &str) -> Result<Vec<Call>, FakeError> {
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
    pub fn wait_for_calls(&self, n: usize, timeout: Duration) -> Result<Vec<Call>, FakeError> {
        self.wait_until(n, timeout, "started", |_| true)
    }

    /// Waits until at least `n` calls have ended (exited, died or been
    /// killed), then returns all calls so far.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Outcome, Reply};
    /// # use std::time::Duration;
    /// # let fakes = FakeDir::new()?;
    /// let tool = fakes.fake("tool").install()?;
    /// tool.when(ArgMatch::any()).reply(Reply::exit(3))?;
    /// let mut child = std::process::Command::new(tool.path()).spawn()?;
    /// let calls = fakes.wait_for_finished(1, Duration::from_secs(10))?;
    /// assert_eq!(calls[0].outcome, Outcome::Exited(3));
    /// # child.wait()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_for_finished(&self, n: usize, timeout: Duration) -> Result<Vec<Call>, FakeError> {
        self.wait_until(n, timeout, "finished", |c| c.outcome != Outcome::Running)
    }

    fn wait_until(
        &self,
        n: usize,
        timeout: Duration,
        what: &str,
        counts: impl Fn(&Call) -> bool,
    ) -> Result<Vec<Call>, FakeError> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            let calls = self.calls()?;
            let seen = calls.iter().filter(|c| counts(c)).count();
            if seen >= n {
                return Ok(calls);
            }
            let waited = start.elapsed();
            if waited >= timeout {
                let list: Vec<String> = calls.iter().map(|c| format!("\n  {c}")).collect();
                return Err(FakeError::new(
                    format!(
                        "waited {waited:?} for {n} calls to have {what}; {seen} had:{}",
                        list.concat()
                    ),
                    io::Error::from(io::ErrorKind::TimedOut),
                ));
            }
            // Polling: the shim is a separate program with no channel back
            // but its files. 1 ms doubling to 20 ms keeps a short wait short.
            std::thread::sleep(pause.min(timeout - waited));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// Checks that every call was answered by a rule and every rule
    /// answered a call (except rules marked [`optional`](RuleBuilder::optional)).
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
        let calls = match self.calls() {
            Ok(c) => c,
            Err(e) => {
                return Err(Unmet {
                    unexpected: Vec::new(),
                    unused: Vec::new(),
                    report: format!("flakeproof fakes: can't read the records: {e}"),
                    io: Some(e.source),
                })
            }
        };
        let state = self.inner.lock();
        let mut report = String::new();
        let unexpected: Vec<Call> = calls
            .iter()
            .filter(|c| c.is_unexpected())
            .cloned()
            .collect();
        for call in &unexpected {
            report.push_str(&format!("unexpected call: {call}\n"));
            let fake = state.1.iter().find(|f| f.spec.name == call.fake);
            let args: Vec<Vec<u8>> = call.args.iter().map(|a| wire::os::to_bytes(a)).collect();
            let closest = fake.and_then(|f| {
                f.spec
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (distance(&r.matcher, &args), i, r))
                    .min_by_key(|&(d, i, _)| (d, i))
            });
            match closest {
                Some((0, i, _)) => report.push_str(&format!(
                    "    rule {i} matches it, but its replies were used up\n"
                )),
                Some((d, i, r)) => report.push_str(&format!(
                    "    closest: {} rule {i}, {} ({d} argument{} off)\n",
                    call.fake,
                    describe(&r.matcher),
                    if d == 1 { "" } else { "s" }
                )),
                None => report.push_str(&format!("    {} has no rules\n", call.fake)),
            }
        }
        let mut unused = Vec::new();
        for f in &state.1 {
            for (i, r) in f.spec.rules.iter().enumerate() {
                let used = calls
                    .iter()
                    .any(|c| c.fake == f.spec.name && c.rule == Some(i));
                if !used && !f.optional[i] {
                    report.push_str(&format!(
                        "unused rule: {} rule {i}, {}\n",
                        f.spec.name,
                        describe(&r.matcher)
                    ));
                    unused.push((f.spec.name.clone(), i));
                }
            }
        }
        if unexpected.is_empty() && unused.is_empty() {
            return Ok(());
        }
        let header = format!(
            "flakeproof fakes: {} unexpected call{}, {} unused rule{} (of {} calls)\n",
            unexpected.len(),
            if unexpected.len() == 1 { "" } else { "s" },
            unused.len(),
            if unused.len() == 1 { "" } else { "s" },
            calls.len()
        );
        Err(Unmet {
            unexpected,
            unused,
            report: header + &report,
            io: None,
        })
    }

    /// Ends every hang, now and from now on (calls that reach a
    /// [`Reply::hang`] afterwards don't wait).
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
                let calls = read_calls(&self.inner).unwrap_or_default();
                if !calls.iter().any(|c| c.outcome == Outcome::Running) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = crate::robust::remove_dir_all(&self.inner.root);
        });
    }
}

/// Puts the shim at `bin/NAME`: a hard link where it can (no writable
/// descriptor on the new name, so nothing for a fork to leak), else an
/// exec-safe copy.
fn place(inner: &Inner, name: &str) -> Result<PathBuf, FakeError> {
    let dest = inner.bin.join(format!("{name}{EXE}"));
    let mut state = inner.lock();
    let mut tries: Vec<Source> = match &state.0 {
        Some(Source::Link(p)) => vec![Source::Link(p.clone())],
        Some(Source::Copy) => vec![],
        None => {
            // First placement: the shared copy, else our own copy in
            // the root (same filesystem as bin/), else copies.
            let mut t: Vec<Source> = cached_shim()
                .map(|p| Source::Link(p.to_owned()))
                .into_iter()
                .collect();
            t.push(Source::Link(inner.root.join(format!("shim{EXE}"))));
            t
        }
    };
    tries.push(Source::Copy);
    let mut last = None;
    for source in tries {
        let result = match &source {
            Source::Link(from) => {
                if !sysf::holds(from, SHIM) && from.starts_with(&inner.root) {
                    let installer = StubInstaller::new().durable(false);
                    let file = from
                        .file_name()
                        .expect("a file")
                        .to_string_lossy()
                        .into_owned();
                    if let Err(e) = installer.install(&inner.root, &file, SHIM) {
                        last = Some(FakeError::new("copying the shim", e.into()));
                        continue;
                    }
                }
                sysf::link(from, &dest).map_err(|e| {
                    FakeError::new(
                        format!("linking {} to {}", dest.display(), from.display()),
                        e,
                    )
                })
            }
            Source::Copy => StubInstaller::new()
                .durable(false)
                .install(&inner.bin, &format!("{name}{EXE}"), SHIM)
                .map(drop)
                .map_err(|e| {
                    FakeError::new(format!("copying the shim to {}", dest.display()), e.into())
                }),
        };
        match result {
            Ok(()) => {
                state.0 = Some(source);
                sysf::exempt_program(&dest);
                return Ok(dest);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("at least one way was tried"))
}

fn read_calls(inner: &Inner) -> Result<Vec<Call>, FakeError> {
    let dir = inner.dir("calls");
    exempt(|| {
        let io_err =
            |e: io::Error| FakeError::new(format!("reading the records in {}", dir.display()), e);
        let mut numbers: Vec<u64> = sysf::names(&dir)
            .map_err(io_err)?
            .iter()
            .filter_map(|n| wire::call_number(n))
            .collect();
        numbers.sort_unstable();
        let mut calls = Vec::with_capacity(numbers.len());
        for n in numbers {
            let path = dir.join(wire::call_file(n));
            let bytes = sysf::read(&path).map_err(io_err)?;
            let start = match wire::Start::decode_prefix(&bytes) {
                Ok((s, _)) => s,
                // Claimed by exclusive creation where hard links fail, and
                // not yet replaced by its record: not a call yet (or a shim
                // killed within that moment, which left nothing to show).
                Err(_) if bytes.is_empty() => continue,
                Err(e) => return Err(io_err(e)),
            };
            let live = if start.live.is_empty() {
                path.clone()
            } else {
                dir.join(&start.live)
            };
            // The lock first: once it is free the shim is gone, and what
            // the file holds then is all it will ever hold.
            let running = sysf::is_running(&live).map_err(io_err)?;
            let mut call = Call::new(n, start, Outcome::Running);
            if !running {
                // Asked before the file is read again, so that a shim that
                // ends between the two is seen ending, not killed.
                let alive = sysf::process_alive(call.pid);
                let bytes = sysf::read(&path).map_err(io_err)?;
                let (_, rest) = wire::Start::decode_prefix(&bytes).map_err(io_err)?;
                // No end and a free lock: killed, unless the lock lied (flock
                // through some FUSE mounts doesn't exclude) and the shim's
                // process is still there.
                call.outcome = if alive {
                    Outcome::Running
                } else {
                    Outcome::Killed
                };
                // A partial end record can only be one being written by a
                // shim whose lock lied: it is still running, as said above.
                if let Ok(end) = wire::End::decode(rest) {
                    call.outcome = match end.ending {
                        wire::Ending::Exited(c) => Outcome::Exited(c),
                        wire::Ending::Signaled(s) => Outcome::Signaled(s),
                    };
                    if let Some(len) = end.stdin_len {
                        call.stdin_len = Some(len);
                        call.stdin =
                            sysf::read_if_exists(&dir.join(wire::stdin_file(n))).map_err(io_err)?;
                    }
                }
            }
            calls.push(call);
        }
        Ok(calls)
    })
}

/// A fake being configured: which environment variables to record, whether
/// to capture stdin, what an unexpected call gets. Nothing exists on disk
/// until [`install`](FakeBuilder::install).
///
/// ```
/// # let fakes = flakeproof::fake::FakeDir::new()?;
/// let ssh = fakes
///     .fake("ssh")
///     .record_env(["SSH_AUTH_SOCK"])
///     .capture_stdin(1 << 20)
///     .install()?;
/// # Ok::<(), flakeproof::fake::FakeError>(())
/// ```
#[must_use = "a fake exists only once installed"]
pub struct FakeBuilder {
    dir: Arc<Inner>,
    name: String,
    env_keys: Vec<OsString>,
    stdin_cap: Option<u64>,
    otherwise: Option<Reply>,
}

impl fmt::Debug for FakeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeBuilder")
            .field("name", &self.name)
            .finish()
    }
}

impl FakeBuilder {
    /// Record these environment variables in each call (absent and empty
    /// told apart).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let _ = fakes.fake("cargo").record_env(["RUSTFLAGS", "CARGO_TARGET_DIR"]);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn record_env<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(
        mut self,
        keys: I,
    ) -> FakeBuilder {
        self.env_keys
            .extend(keys.into_iter().map(|k| k.as_ref().to_owned()));
        self
    }

    /// Read each call's stdin to its end and keep up to `cap` bytes of it
    /// in the record ([`Call::stdin`]). Without this, a fake leaves stdin
    /// alone (unless a reply echoes it).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let _ = fakes.fake("patch").capture_stdin(64 * 1024);
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn capture_stdin(mut self, cap: usize) -> FakeBuilder {
        self.stdin_cap = Some(cap as u64);
        self
    }

    /// What a call no rule takes gets, instead of the default (a message on
    /// stderr and exit 97). It is still recorded as unexpected.
    ///
    /// ```
    /// # use flakeproof::fake::Reply;
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let _ = fakes.fake("git").otherwise(Reply::passthrough());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn otherwise(mut self, reply: Reply) -> FakeBuilder {
        self.otherwise = Some(reply);
        self
    }

    /// Puts the fake in the directory. Fails with `InvalidInput` on a name
    /// that is empty, holds a path separator or is taken, leaving nothing
    /// behind.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let git = fakes.fake("git").install()?;
    /// assert!(fakes.fake("git").install().is_err()); // taken
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn install(self) -> Result<Fake, FakeError> {
        let name = self.name.clone();
        if let Some(why) = invalid_name(&name) {
            return Err(FakeError::invalid(format!("fake name {name:?} {why}")));
        }
        let inner = &self.dir;
        let _installing = inner.installing.lock().unwrap_or_else(|p| p.into_inner());
        let index = {
            let state = inner.lock();
            if state.1.iter().any(|f| f.spec.name == name) {
                return Err(FakeError::invalid(format!(
                    "a fake named {name:?} exists already"
                )));
            }
            state.1.len() as u32
        };
        let real = std::env::var_os("PATH").and_then(|p| sysf::find_program(&name, &p, &inner.bin));
        let mut otherwise = self.otherwise.clone().unwrap_or_else(|| {
            Reply::exit(wire::UNEXPECTED_EXIT).with_stderr(format!(
                "flakeproof fake `{name}`: no rule takes this call (FakeDir::verify lists it)\n"
            ))
        });
        resolve_passthrough(&mut otherwise, &name, real.as_deref())?;
        let spec = Spec {
            fake: index,
            name: name.clone(),
            rules: Vec::new(),
            otherwise: otherwise.0,
            env_keys: self
                .env_keys
                .iter()
                .map(|k| wire::os::to_bytes(k))
                .collect(),
            stdin_cap: self.stdin_cap,
        };
        exempt(|| {
            sysf::write_replacing(&inner.dir("spec"), &name, &spec.encode())
                .map_err(|e| FakeError::new(format!("writing the spec of {name:?}"), e))?;
            let path = place(inner, &name).inspect_err(|_| {
                let _ = sysf::remove(&inner.dir("spec").join(&name));
            })?;
            let mut state = inner.lock();
            state.1.push(FakeState {
                spec,
                optional: Vec::new(),
                path,
                real,
            });
            Ok(())
        })?;
        Ok(Fake {
            dir: inner.clone(),
            index: index as usize,
        })
    }
}

fn resolve_passthrough(
    reply: &mut Reply,
    name: &str,
    real: Option<&Path>,
) -> Result<(), FakeError> {
    if let Finish::Passthrough(p) = &mut reply.0.finish {
        if reply.0.echo_stdin {
            return Err(FakeError::invalid(
                "a passthrough reply can't also echo stdin (the real program reads it)",
            ));
        }
        match real {
            Some(real) => *p = wire::os::to_bytes(real.as_os_str()),
            None => {
                return Err(FakeError::new(
                    format!(
                        "no real `{name}` on PATH (without the fake directory) to pass through to"
                    ),
                    io::Error::from(io::ErrorKind::NotFound),
                ))
            }
        }
    }
    Ok(())
}

/// An installed fake: add rules to it, read its calls.
///
/// ```
/// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
/// let fakes = FakeDir::new()?;
/// let rustc = fakes.fake("rustc").install()?;
/// rustc.when(ArgMatch::exact(["--version"])).reply(Reply::stdout("rustc 1.0.0\n"))?;
/// let out = std::process::Command::new(rustc.path()).arg("--version").output()?;
/// assert_eq!(out.stdout, b"rustc 1.0.0\n");
/// assert_eq!(rustc.calls()?.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Fake {
    dir: Arc<Inner>,
    index: usize,
}

impl fmt::Debug for Fake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fake").field("path", &self.path()).finish()
    }
}

impl Fake {
    /// Its name.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert_eq!(fakes.fake("git").install()?.name(), "git");
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn name(&self) -> String {
        self.dir.lock().1[self.index].spec.name.clone()
    }

    /// Its path (`bin/NAME`, `bin\NAME.exe` on Windows).
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.fake("git").install()?.path().is_file());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn path(&self) -> PathBuf {
        self.dir.lock().1[self.index].path.clone()
    }

    /// Starts a rule for calls whose arguments match. Rules are tried in
    /// the order they were added; the first that matches (and has a reply
    /// left) answers.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, Reply};
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// let git = fakes.fake("git").install()?;
    /// git.when(ArgMatch::prefix(["push"])).reply(Reply::exit(1))?;
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn when(&self, args: ArgMatch) -> RuleBuilder {
        RuleBuilder {
            fake: self.clone(),
            args,
            optional: false,
        }
    }

    /// Its calls, in call order.
    ///
    /// ```
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// assert!(fakes.fake("git").install()?.calls()?.is_empty());
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn calls(&self) -> Result<Vec<Call>, FakeError> {
        let name = self.name();
        Ok(read_calls(&self.dir)?
            .into_iter()
            .filter(|c| c.fake == name)
            .collect())
    }
}

/// A rule being added to a fake: finish it with [`reply`](Self::reply) or
/// [`replies`](Self::replies).
///
/// ```
/// # use flakeproof::fake::{ArgMatch, Reply};
/// # let fakes = flakeproof::fake::FakeDir::new()?;
/// # let git = fakes.fake("git").install()?;
/// let fetch = git.when(ArgMatch::prefix(["fetch"])).optional().reply(Reply::success())?;
/// # Ok::<(), flakeproof::fake::FakeError>(())
/// ```
#[must_use = "a rule is added by reply() or replies()"]
#[derive(Debug)]
pub struct RuleBuilder {
    fake: Fake,
    args: ArgMatch,
    optional: bool,
}

impl RuleBuilder {
    /// `verify()` does not complain if this rule answers no call.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, Reply};
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// git.when(ArgMatch::any()).optional().reply(Reply::success())?;
    /// fakes.verify().unwrap();
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn optional(mut self) -> RuleBuilder {
        self.optional = true;
        self
    }

    /// Every matching call gets `reply`.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, Reply};
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// let status = git.when(ArgMatch::exact(["status"])).reply(Reply::stdout("clean\n"))?;
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn reply(self, reply: Reply) -> Result<RuleHandle, FakeError> {
        self.replies([reply], AfterLast::RepeatLast)
    }

    /// Matching calls get these replies in turn, each exactly once however
    /// many calls run at the same time, then as `after_last` says. (Calls
    /// that start together may take them in either order: the K-th reply
    /// goes to the K-th call to claim one, which [`Call::step`] shows.)
    ///
    /// ```
    /// # use flakeproof::fake::{AfterLast, ArgMatch, Reply};
    /// # let fakes = flakeproof::fake::FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// // Two calls fail as if the index were locked, then the rule steps aside.
    /// let locked = Reply::exit(128).with_stderr("fatal: Unable to create '.git/index.lock': File exists.\n");
    /// git.when(ArgMatch::prefix(["add"])).replies([locked.clone(), locked], AfterLast::FallThrough)?;
    /// git.when(ArgMatch::prefix(["add"])).reply(Reply::success())?;
    /// # Ok::<(), flakeproof::fake::FakeError>(())
    /// ```
    pub fn replies(
        self,
        replies: impl IntoIterator<Item = Reply>,
        after_last: AfterLast,
    ) -> Result<RuleHandle, FakeError> {
        let fake = &self.fake;
        let mut steps = Vec::new();
        let (name, real) = {
            let state = fake.dir.lock();
            let f = &state.1[fake.index];
            (f.spec.name.clone(), f.real.clone())
        };
        for mut r in replies {
            resolve_passthrough(&mut r, &name, real.as_deref())?;
            steps.push(r.0);
        }
        if steps.is_empty() {
            return Err(FakeError::invalid("a rule needs at least one reply"));
        }
        let mut state = fake.dir.lock();
        let f = &mut state.1[fake.index];
        f.spec.rules.push(wire::Rule {
            matcher: self.args.0,
            steps,
            after_last: after_last.to_wire(),
        });
        f.optional.push(self.optional);
        let rule = f.spec.rules.len() - 1;
        let written =
            exempt(|| sysf::write_replacing(&fake.dir.dir("spec"), &name, &f.spec.encode()));
        if let Err(e) = written {
            f.spec.rules.pop();
            f.optional.pop();
            return Err(FakeError::new(format!("writing the spec of {name:?}"), e));
        }
        Ok(RuleHandle {
            fake: fake.clone(),
            rule,
        })
    }
}

/// A rule added to a fake: which calls it answered; releasing its hangs.
///
/// ```
/// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
/// # let fakes = FakeDir::new()?;
/// # let git = fakes.fake("git").install()?;
/// let pull = git.when(ArgMatch::exact(["pull"])).reply(Reply::success())?;
/// std::process::Command::new(git.path()).arg("pull").status()?;
/// assert_eq!(pull.call_count()?, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct RuleHandle {
    fake: Fake,
    rule: usize,
}

impl RuleHandle {
    /// The calls this rule answered, in call order.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # let fakes = FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// let pull = git.when(ArgMatch::exact(["pull"])).reply(Reply::success())?;
    /// assert!(pull.calls()?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn calls(&self) -> Result<Vec<Call>, FakeError> {
        Ok(self
            .fake
            .calls()?
            .into_iter()
            .filter(|c| c.rule == Some(self.rule))
            .collect())
    }

    /// How many calls this rule answered.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Reply};
    /// # let fakes = FakeDir::new()?;
    /// # let git = fakes.fake("git").install()?;
    /// let pull = git.when(ArgMatch::exact(["pull"])).reply(Reply::success())?;
    /// assert_eq!(pull.call_count()?, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn call_count(&self) -> Result<usize, FakeError> {
        Ok(self.calls()?.len())
    }

    /// Ends the hangs of this rule's replies ([`Reply::hang`]), now and
    /// from now on.
    ///
    /// ```
    /// # use flakeproof::fake::{ArgMatch, FakeDir, Outcome, Reply};
    /// # use std::time::Duration;
    /// # let fakes = FakeDir::new()?;
    /// # let tool = fakes.fake("tool").install()?;
    /// let slow = tool.when(ArgMatch::any()).reply(Reply::stdout("working...").hang())?;
    /// let child = std::process::Command::new(tool.path()).stdout(std::process::Stdio::piped()).spawn()?;
    /// fakes.wait_for_calls(1, Duration::from_secs(10))?;
    /// assert_eq!(fakes.calls()?[0].outcome, Outcome::Running);
    /// slow.release()?;
    /// let out = child.wait_with_output()?;
    /// assert_eq!(out.stdout, b"working...");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn release(&self) -> Result<(), FakeError> {
        let fake = self.fake.dir.lock().1[self.fake.index].spec.fake;
        let path = self
            .fake
            .dir
            .dir("release")
            .join(wire::release_file(fake, self.rule as u32));
        exempt(|| sysf::touch(&path)).map_err(|e| FakeError::new("releasing a rule's hangs", e))
    }
}
