//! Spawning that rides out a transient "Text file busy".
//!
//! Only the spawn itself is retried: std reports an exec failure before the
//! child has run a single instruction of the program (through a close-on-exec
//! pipe, or posix_spawn's return code), so a retried spawn never runs the
//! program twice. A child that ran and exited non-zero is a result, not an
//! error, and is returned as it is.

use std::io;
use std::process::{Child, Command, ExitStatus, Output};

#[cfg(doc)]
use crate::classify::Op;
use crate::retry::{RetryPolicy, RetryReport};
use crate::sys;

mod sealed {
    pub trait Sealed {}
    impl Sealed for std::process::Command {}
}

/// Retrying versions of [`Command::spawn`], [`Command::output`] and
/// [`Command::status`], for `std::process::Command`. Sealed: implemented
/// for std's `Command` only. (Named so as not to collide with
/// `std::os::unix::process::CommandExt`, which test code imports for
/// `pre_exec` and `process_group`.)
///
/// They retry when the spawn failed with a transient error for
/// [`Op::Spawn`] on this OS: ETXTBSY on Unix (another process, often a forked
/// sibling thread's child, still holds the program open for writing), a
/// sharing violation on Windows. Policy: [`RetryPolicy::for_spawn`], for up
/// to 5 s from the first failure, however many attempts that takes; the
/// `_with` methods take your own policy (its budget then counts from the
/// first attempt) and report the attempts.
///
/// The waits are event-driven on Linux: after an ETXTBSY the program (as the
/// spawn resolves it: a path, or a name in the command's `PATH`) is watched
/// with inotify, tried once more at once, and tried again the moment its
/// writer closes it, within about 2 ms where a sleeping retry overshoots by
/// up to 100 ms (`benches/wait.rs`). Elsewhere, or when the file can't be
/// watched, the 1 ms ... 100 ms schedule is slept
/// ([`RetryPolicy::event_driven`] lists the cases).
///
/// Each attempt is a new child: a `pre_exec` closure
/// (`std::os::unix::process::CommandExt::pre_exec`) runs again in every
/// retried attempt's child, so it must be safe to run more than once. The
/// spawn consults the active fault plan as [`Op::Spawn`] each attempt.
///
/// ```
/// use std::process::Command;
/// use flakeproof::SpawnRetryExt;
/// # let dir = tempfile::tempdir()?;
/// # let stub = flakeproof::install_executable_stub(dir.path(), "hello", "#!/bin/sh\necho hi\n")?;
/// let out = Command::new(&stub).output_retrying()?;
/// # #[cfg(unix)]
/// assert_eq!(out.stdout, b"hi\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait SpawnRetryExt: sealed::Sealed {
    /// [`Command::spawn`], retried while the spawn fails transiently.
    ///
    /// ```
    /// use std::process::Command;
    /// use flakeproof::SpawnRetryExt;
    /// # #[cfg(unix)] {
    /// let status = Command::new("true").spawn_retrying()?.wait()?;
    /// assert!(status.success());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn spawn_retrying(&mut self) -> io::Result<Child>;

    /// [`Command::output`] (stdout and stderr captured), retried while the
    /// spawn fails transiently.
    ///
    /// ```
    /// use std::process::Command;
    /// use flakeproof::SpawnRetryExt;
    /// # #[cfg(unix)] {
    /// let out = Command::new("echo").arg("x").output_retrying()?;
    /// assert_eq!(out.stdout, b"x\n");
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn output_retrying(&mut self) -> io::Result<Output>;

    /// [`Command::status`], retried while the spawn fails transiently.
    ///
    /// ```
    /// use std::process::Command;
    /// use flakeproof::SpawnRetryExt;
    /// # #[cfg(unix)] {
    /// assert!(!Command::new("false").status_retrying()?.success());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn status_retrying(&mut self) -> io::Result<ExitStatus>;

    /// [`Command::spawn`] under your own policy; the report says how many
    /// attempts the spawn took.
    ///
    /// ```
    /// use std::process::Command;
    /// use flakeproof::{Op, RetryPolicy, SpawnRetryExt, retry::Stop};
    /// # #[cfg(unix)] {
    /// let policy = RetryPolicy::for_op(Op::Spawn).attempts(20);
    /// let (child, report) = Command::new("true").spawn_with(&policy);
    /// assert!(child?.wait()?.success());
    /// assert_eq!((report.attempts, report.stop), (1, Stop::Succeeded));
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "the result says whether the spawn succeeded"]
    fn spawn_with(&mut self, policy: &RetryPolicy) -> (io::Result<Child>, RetryReport);

    /// [`Command::output`] under your own policy, with its report.
    ///
    /// ```
    /// use std::process::Command;
    /// use flakeproof::{Op, RetryPolicy, SpawnRetryExt};
    /// # #[cfg(unix)] {
    /// let (out, report) = Command::new("echo").arg("y").output_with(&RetryPolicy::for_op(Op::Spawn));
    /// assert_eq!(out?.stdout, b"y\n");
    /// assert_eq!(report.attempts, 1);
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "the result says whether the spawn succeeded"]
    fn output_with(&mut self, policy: &RetryPolicy) -> (io::Result<Output>, RetryReport);

    /// [`Command::status`] under your own policy, with its report.
    ///
    /// ```
    /// use std::process::Command;
    /// use flakeproof::{Op, RetryPolicy, SpawnRetryExt};
    /// # #[cfg(unix)] {
    /// let (status, report) = Command::new("true").status_with(&RetryPolicy::for_op(Op::Spawn));
    /// assert!(status?.success());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "the result says whether the spawn succeeded"]
    fn status_with(&mut self, policy: &RetryPolicy) -> (io::Result<ExitStatus>, RetryReport);
}

impl SpawnRetryExt for Command {
    fn spawn_retrying(&mut self) -> io::Result<Child> {
        retrying(self, sys::spawn)
    }

    fn output_retrying(&mut self) -> io::Result<Output> {
        // Command::output fails only at spawn with ETXTBSY; once the child has
        // run, errors come from pipes and wait, which the classifier never
        // calls transient, so the program is never run twice.
        retrying(self, sys::output)
    }

    fn status_retrying(&mut self) -> io::Result<ExitStatus> {
        retrying(self, sys::status)
    }

    fn spawn_with(&mut self, policy: &RetryPolicy) -> (io::Result<Child>, RetryReport) {
        retrying_with(self, policy, sys::spawn)
    }

    fn output_with(&mut self, policy: &RetryPolicy) -> (io::Result<Output>, RetryReport) {
        retrying_with(self, policy, sys::output)
    }

    fn status_with(&mut self, policy: &RetryPolicy) -> (io::Result<ExitStatus>, RetryReport) {
        retrying_with(self, policy, sys::status)
    }
}

/// One spawn under [`RetryPolicy::for_spawn`]. The first attempt runs before
/// any policy or waker exists: a spawn that succeeds costs nothing more.
fn retrying<T>(cmd: &mut Command, call: fn(&mut Command) -> io::Result<T>) -> io::Result<T> {
    match call(cmd) {
        Ok(v) => Ok(v),
        Err(e) => {
            let mut waker = sys::CloseWaker::on_program(cmd);
            RetryPolicy::for_spawn()
                .drive_waking(|| call(cmd), Some(e), false, Some(&mut waker))
                .0
        }
    }
}

/// One spawn under `policy`, waiting on the program's writer between
/// attempts where the OS can say when it closes.
fn retrying_with<T>(
    cmd: &mut Command,
    policy: &RetryPolicy,
    call: fn(&mut Command) -> io::Result<T>,
) -> (io::Result<T>, RetryReport) {
    let mut waker = sys::CloseWaker::on_program(cmd);
    policy.drive_waking(|| call(cmd), None, true, Some(&mut waker))
}
