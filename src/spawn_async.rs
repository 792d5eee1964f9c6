//! Spawning a tokio command that rides out a transient "Text file busy"
//! (feature `tokio`): [`SpawnRetryExt`](crate::SpawnRetryExt)'s policy and
//! event-driven waits, as futures. Only the spawn is retried: tokio's
//! `Command::spawn` reports an exec failure before the child has run the
//! program, so a retried spawn never runs it twice.

use std::future::Future;
use std::io;
use std::process::{ExitStatus, Output, Stdio};

use ::tokio::process::{Child, Command};

use crate::retry::{RetryPolicy, RetryReport};
use crate::sys;

mod sealed {
    pub trait TokioCommand {}
    impl TokioCommand for ::tokio::process::Command {}
}

/// Retrying spawns for `tokio::process::Command` (feature `tokio`): the
/// async forms of [`SpawnRetryExt`](crate::SpawnRetryExt). Sealed.
///
/// They retry while the spawn fails transiently for
/// [`Op::Spawn`](crate::Op::Spawn) ([`RetryPolicy::for_spawn`]: up to 5 s
/// from the first failure). On Linux, after an ETXTBSY the program is
/// watched with inotify, registered with tokio's reactor, and tried again
/// when its writer closes it; no worker thread is blocked meanwhile. The
/// spawn consults the active fault plan as `Op::Spawn` each attempt, and a
/// plan attached with [`faults`](crate::process::ChildFaultsExt::faults)
/// reaches the child. The runtime needs its I/O driver (`enable_all()`),
/// as tokio's `Command` itself does.
///
/// ```
/// # #[cfg(unix)] {
/// use flakeproof::AsyncSpawnRetryExt;
/// # let dir = tempfile::tempdir()?;
/// # let stub = flakeproof::install_executable_stub(dir.path(), "hello", "#!/bin/sh\necho hi\n")?;
/// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// let out = rt.block_on(async { tokio::process::Command::new(&stub).output_retrying().await })?;
/// assert_eq!(out.stdout, b"hi\n");
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait AsyncSpawnRetryExt: sealed::TokioCommand {
    /// `Command::spawn`, retried while the spawn fails transiently.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use flakeproof::AsyncSpawnRetryExt;
    /// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// let status = rt.block_on(async {
    ///     tokio::process::Command::new("true").spawn_retrying().await?.wait().await
    /// })?;
    /// assert!(status.success());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn spawn_retrying(&mut self) -> impl Future<Output = io::Result<Child>> + Send;

    /// The spawn retried, then the child waited for.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use flakeproof::AsyncSpawnRetryExt;
    /// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// let status = rt.block_on(async { tokio::process::Command::new("true").status_retrying().await })?;
    /// assert!(status.success());
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn status_retrying(&mut self) -> impl Future<Output = io::Result<ExitStatus>> + Send;

    /// The spawn retried with stdout and stderr piped (as tokio's `output`
    /// captures them; one you set is replaced), then its output collected.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use flakeproof::AsyncSpawnRetryExt;
    /// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// let out = rt.block_on(async {
    ///     tokio::process::Command::new("echo").arg("hi").output_retrying().await
    /// })?;
    /// assert_eq!(out.stdout, b"hi\n");
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn output_retrying(&mut self) -> impl Future<Output = io::Result<Output>> + Send;

    /// [`spawn_retrying`](Self::spawn_retrying) under `policy` (its budget
    /// counts from the first attempt), with the report of the attempts.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use flakeproof::{AsyncSpawnRetryExt, RetryPolicy};
    /// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// let policy = RetryPolicy::for_spawn();
    /// let (child, report) = rt.block_on(async {
    ///     tokio::process::Command::new("true").spawn_with(&policy).await
    /// });
    /// assert_eq!(report.attempts, 1);
    /// rt.block_on(async { child?.wait().await })?;
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    fn spawn_with(
        &mut self,
        policy: &RetryPolicy,
    ) -> impl Future<Output = (io::Result<Child>, RetryReport)> + Send;
}

impl AsyncSpawnRetryExt for Command {
    async fn spawn_retrying(&mut self) -> io::Result<Child> {
        // The first attempt before any policy or waker exists, as the
        // blocking spawns do.
        match sys::spawn_tokio(self) {
            Ok(child) => Ok(child),
            Err(e) => {
                let mut waker = sys::CloseWaker::on_program(self.as_std());
                let policy = RetryPolicy::for_spawn();
                let attempt = || std::future::ready(sys::spawn_tokio(self));
                policy
                    .drive_async(attempt, Some(e), false, Some(&mut waker))
                    .await
                    .0
            }
        }
    }

    async fn status_retrying(&mut self) -> io::Result<ExitStatus> {
        self.spawn_retrying().await?.wait().await
    }

    async fn output_retrying(&mut self) -> io::Result<Output> {
        self.stdout(Stdio::piped()).stderr(Stdio::piped());
        self.spawn_retrying().await?.wait_with_output().await
    }

    async fn spawn_with(&mut self, policy: &RetryPolicy) -> (io::Result<Child>, RetryReport) {
        let mut waker = sys::CloseWaker::on_program(self.as_std());
        let attempt = || std::future::ready(sys::spawn_tokio(self));
        policy
            .drive_async(attempt, None, true, Some(&mut waker))
            .await
    }
}
