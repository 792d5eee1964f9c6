//! [`std::process::Command`] with the same builder methods, whose `spawn`,
//! `output` and `status` consult the active fault plan first: adopting it in
//! code under test is a change of `use`.
//!
//! ```
//! use flakeproof::process::Command; // was: use std::process::Command;
//! # #[cfg(unix)] {
//! let out = Command::new("echo").arg("hi").output()?;
//! assert_eq!(out.stdout, b"hi\n");
//! # }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::ffi::OsStr;
use std::io;
use std::path::Path;
use std::process::{Child, ExitStatus, Output, Stdio};

use crate::fault::FaultScope;
use crate::sys;

/// A process builder: [`std::process::Command`], consulting the fault plan as
/// [`Op::Spawn`](crate::Op::Spawn) on the program before each spawn. It does
/// not retry: for that, see [`SpawnRetryExt`](crate::SpawnRetryExt) (which
/// [`as_std_mut`](Self::as_std_mut) reaches).
///
/// ```
/// use flakeproof::{fault::FaultPlan, process::Command};
/// let _g = FaultPlan::parse("spawn(*true)=ETXTBSY@1").unwrap().activate();
/// # #[cfg(unix)] {
/// let mut cmd = Command::new("/bin/true");
/// assert_eq!(cmd.status().unwrap_err().kind(), std::io::ErrorKind::ExecutableFileBusy);
/// assert!(cmd.status()?.success());
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Command {
    inner: std::process::Command,
}

impl Command {
    /// [`std::process::Command::new`].
    ///
    /// ```
    /// let cmd = flakeproof::process::Command::new("git");
    /// assert_eq!(cmd.as_std().get_program(), "git");
    /// ```
    pub fn new<S: AsRef<OsStr>>(program: S) -> Command {
        Command {
            inner: std::process::Command::new(program),
        }
    }

    /// [`std::process::Command::arg`].
    ///
    /// ```
    /// let mut cmd = flakeproof::process::Command::new("git");
    /// cmd.arg("status");
    /// ```
    pub fn arg<S: AsRef<OsStr>>(&mut self, arg: S) -> &mut Command {
        self.inner.arg(arg);
        self
    }

    /// [`std::process::Command::args`].
    ///
    /// ```
    /// flakeproof::process::Command::new("git").args(["log", "-1"]);
    /// ```
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.inner.args(args);
        self
    }

    /// [`std::process::Command::env`].
    ///
    /// ```
    /// flakeproof::process::Command::new("git").env("GIT_DIR", "/tmp/x");
    /// ```
    pub fn env<K: AsRef<OsStr>, V: AsRef<OsStr>>(&mut self, key: K, val: V) -> &mut Command {
        self.inner.env(key, val);
        self
    }

    /// [`std::process::Command::envs`].
    ///
    /// ```
    /// flakeproof::process::Command::new("git").envs([("A", "1"), ("B", "2")]);
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.inner.envs(vars);
        self
    }

    /// [`std::process::Command::env_remove`].
    ///
    /// ```
    /// flakeproof::process::Command::new("git").env_remove("GIT_DIR");
    /// ```
    pub fn env_remove<K: AsRef<OsStr>>(&mut self, key: K) -> &mut Command {
        self.inner.env_remove(key);
        self
    }

    /// [`std::process::Command::env_clear`].
    ///
    /// ```
    /// flakeproof::process::Command::new("git").env_clear();
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.inner.env_clear();
        self
    }

    /// [`std::process::Command::current_dir`].
    ///
    /// ```
    /// flakeproof::process::Command::new("git").current_dir("/");
    /// ```
    pub fn current_dir<P: AsRef<Path>>(&mut self, dir: P) -> &mut Command {
        self.inner.current_dir(dir);
        self
    }

    /// [`std::process::Command::stdin`].
    ///
    /// ```
    /// flakeproof::process::Command::new("cat").stdin(std::process::Stdio::null());
    /// ```
    pub fn stdin<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.inner.stdin(cfg);
        self
    }

    /// [`std::process::Command::stdout`].
    ///
    /// ```
    /// flakeproof::process::Command::new("cat").stdout(std::process::Stdio::piped());
    /// ```
    pub fn stdout<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.inner.stdout(cfg);
        self
    }

    /// [`std::process::Command::stderr`].
    ///
    /// ```
    /// flakeproof::process::Command::new("cat").stderr(std::process::Stdio::null());
    /// ```
    pub fn stderr<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.inner.stderr(cfg);
        self
    }

    /// [`std::process::Command::spawn`], after consulting the plan.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// let mut child = flakeproof::process::Command::new("true").spawn()?;
    /// assert!(child.wait()?.success());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn spawn(&mut self) -> io::Result<Child> {
        sys::spawn(&mut self.inner)
    }

    /// [`std::process::Command::output`], after consulting the plan.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// let out = flakeproof::process::Command::new("echo").arg("x").output()?;
    /// assert_eq!(out.stdout, b"x\n");
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn output(&mut self) -> io::Result<Output> {
        sys::output(&mut self.inner)
    }

    /// [`std::process::Command::status`], after consulting the plan.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// assert!(flakeproof::process::Command::new("true").status()?.success());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn status(&mut self) -> io::Result<ExitStatus> {
        sys::status(&mut self.inner)
    }

    /// Put every child this command spawns from now on, and every process
    /// that child starts, under `plan` (Linux): their file and exec calls
    /// consult it, counted and recorded with the test's own, with the
    /// child's pid in [`Call::pid`](crate::fault::Call::pid). See
    /// [faults in child processes](crate::fault#faults-in-child-processes)
    /// for which calls, the limits, and what it costs. A
    /// [`FaultGuard`](crate::fault::FaultGuard) derefs to the scope, so
    /// `cmd.faults(&guard)` works.
    ///
    /// The spawn itself is counted once, as [`Op::Spawn`](crate::Op::Spawn):
    /// by this process's gate when the plan in force on the spawning thread
    /// is the attached one, and otherwise by the child's first exec (the
    /// same event), on the file it execs.
    ///
    /// Fails with `Unsupported` where the kernel can't do it (another OS;
    /// seccomp refused by a sandbox; a process tree that already has a
    /// seccomp listener, which the kernel allows one of): the error names
    /// the reason, and a test can skip on it. A plan is never silently left
    /// out.
    ///
    /// On success the command's environment gains
    /// `FLAKEPROOF_SECCOMP_OWNER=child-plan <this pid>`: the processes of
    /// the tree see it, and a plan asked for inside the tree names this
    /// owner in its `Unsupported` error.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, process::Command, Op};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("a"), "x")?;
    /// let guard = FaultPlan::parse("rename(*/b)=EBUSY@1").unwrap().activate();
    /// let mut mv = Command::new("mv");
    /// mv.arg("a").arg("b").current_dir(dir.path());
    /// match mv.faults(&guard) {
    ///     Ok(mv) => {
    ///         assert!(!mv.status()?.success()); // mv: cannot move 'a' to 'b': Device or resource busy
    ///         assert_eq!(guard.injected(Op::Rename, "*/b"), 1);
    ///         assert!(mv.status()?.success()); // the second rename passes
    ///     }
    ///     Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::Unsupported), // not Linux, or no seccomp
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn faults(&mut self, plan: &FaultScope) -> io::Result<&mut Command> {
        sys::attach_faults(&mut self.inner, plan.shared().clone())?;
        Ok(self)
    }

    /// The std builder, to read it.
    ///
    /// ```
    /// let cmd = flakeproof::process::Command::new("x");
    /// assert_eq!(cmd.as_std().get_args().count(), 0);
    /// ```
    pub fn as_std(&self) -> &std::process::Command {
        &self.inner
    }

    /// The std builder, for what this type does not mirror (Unix `uid`,
    /// `pre_exec`, or [`SpawnRetryExt`](crate::SpawnRetryExt)'s retrying
    /// spawns, which consult the plan too). Its own `spawn`, `output` and
    /// `status` bypass the plan.
    ///
    /// ```
    /// use flakeproof::SpawnRetryExt;
    /// # #[cfg(unix)] {
    /// let mut cmd = flakeproof::process::Command::new("true");
    /// assert!(cmd.as_std_mut().status_retrying()?.success());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.inner
    }
}

impl From<std::process::Command> for Command {
    fn from(inner: std::process::Command) -> Command {
        Command { inner }
    }
}

impl From<Command> for std::process::Command {
    fn from(cmd: Command) -> std::process::Command {
        cmd.inner
    }
}

/// [`Command::faults`] for [`std::process::Command`]: code under test that
/// builds its own commands can still have its children faulted.
///
/// ```
/// use flakeproof::{fault::FaultPlan, process::ChildFaultsExt, Op};
/// let dir = tempfile::tempdir()?;
/// let guard = FaultPlan::parse("create_dir=EROFS").unwrap().activate();
/// let mut mkdir = std::process::Command::new("mkdir");
/// mkdir.arg(dir.path().join("d"));
/// if mkdir.faults(&guard).is_ok() {
///     assert!(!mkdir.status()?.success()); // mkdir: ... Read-only file system
///     assert_eq!(guard.injected(Op::CreateDir, "*/d"), 1);
///     assert!(!dir.path().join("d").exists());
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait ChildFaultsExt {
    /// See [`Command::faults`]. Spawned through std, the child's first exec
    /// is the spawn, and is counted (and can be failed) as [`Op::Spawn`](crate::Op::Spawn)
    /// on the file it execs.
    ///
    /// ```
    /// use flakeproof::{fault::FaultPlan, process::ChildFaultsExt};
    /// let guard = FaultPlan::parse("spawn(*/true)=ETXTBSY@1").unwrap().activate();
    /// let mut t = std::process::Command::new("true");
    /// if t.faults(&guard).is_ok() {
    ///     let e = t.status().unwrap_err(); // the kernel's answer to the exec, through std
    ///     assert_eq!(e.kind(), std::io::ErrorKind::ExecutableFileBusy);
    ///     assert!(t.status()?.success());
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn faults(&mut self, plan: &FaultScope) -> io::Result<&mut Self>;
}

impl ChildFaultsExt for std::process::Command {
    fn faults(&mut self, plan: &FaultScope) -> io::Result<&mut Self> {
        sys::attach_faults(self, plan.shared().clone())?;
        Ok(self)
    }
}

/// With the `tokio` feature, tokio's command takes a plan as std's does
/// (through the std command it wraps: the spawn hook is the same).
///
/// ```
/// # #[cfg(target_os = "linux")] {
/// use flakeproof::{fault::FaultPlan, process::ChildFaultsExt};
/// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// let guard = FaultPlan::parse("spawn(*/true)=ETXTBSY@1").unwrap().activate();
/// let mut t = tokio::process::Command::new("true");
/// if t.faults(&guard).is_ok() {
///     // Spawned inside the runtime: tokio's child needs its reactor.
///     let e = rt.block_on(async { t.status().await }).unwrap_err();
///     assert_eq!(e.raw_os_error(), Some(26)); // ETXTBSY, from the child's exec
///     assert!(rt.block_on(async { t.status().await })?.success());
/// }
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "tokio")]
impl ChildFaultsExt for ::tokio::process::Command {
    fn faults(&mut self, plan: &FaultScope) -> io::Result<&mut Self> {
        sys::attach_faults(self.as_std_mut(), plan.shared().clone())?;
        Ok(self)
    }
}
