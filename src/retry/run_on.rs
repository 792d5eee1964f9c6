//! [`RetryPolicy::run_on`]: a retry whose waits end when a named file's
//! writer closes it. It lives apart from the policy's engine because it
//! reaches the OS (an inotify watch, `sys::CloseWaker`), which the engine,
//! pure and tested on a scripted waker, never does.

use std::io;
use std::path::Path;

use super::policy::RetryPolicy;
use super::report::RetryReport;
use crate::sys;

impl RetryPolicy {
    /// [`run`](Self::run) for a call that execs the file at `path` some
    /// other way (an async runtime's command, `posix_spawn`, a library that
    /// runs a tool): between attempts it waits for `path`'s writer to close
    /// it, where the OS can say so, as the spawns of
    /// [`SpawnRetryExt`](crate::SpawnRetryExt) do (see [`event_driven`](Self::event_driven)).
    ///
    /// ```
    /// use std::process::Command;
    /// use flakeproof::RetryPolicy;
    /// # let dir = tempfile::tempdir()?;
    /// # let tool = flakeproof::install_executable_stub(dir.path(), "tool", "#!/bin/sh\n")?;
    /// let (status, report) = RetryPolicy::for_spawn()
    ///     .run_on(&tool, || Command::new(&tool).status());
    /// # #[cfg(unix)]
    /// assert!(status?.success());
    /// assert_eq!(report.attempts, 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "the result says whether the call succeeded"]
    pub fn run_on<T>(
        &self,
        path: impl AsRef<Path>,
        f: impl FnMut() -> io::Result<T>,
    ) -> (io::Result<T>, RetryReport) {
        let mut waker = sys::CloseWaker::on_path(path.as_ref().to_owned());
        self.drive_waking(f, None, true, Some(&mut waker))
    }

    /// [`run_on`](Self::run_on) for async code (feature `tokio`): `f` makes
    /// each attempt's future; between attempts the task waits for `path`'s
    /// writer to close it, the watch registered with tokio's reactor (no
    /// worker blocked), the schedule's delay at most, as
    /// [`AsyncSpawnRetryExt`](crate::AsyncSpawnRetryExt)'s spawns do.
    /// Cancel-safe: dropped mid-wait, its watch goes with it. The runtime
    /// needs its I/O driver (`enable_all()` or `enable_io()`, as tokio's
    /// process API does): tokio panics on registering a descriptor
    /// without one.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use flakeproof::RetryPolicy;
    /// # let dir = tempfile::tempdir()?;
    /// # let tool = flakeproof::install_executable_stub(dir.path(), "tool", "#!/bin/sh\n")?;
    /// let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// let (status, report) = rt.block_on(RetryPolicy::for_spawn().run_on_async(&tool, || {
    ///     tokio::process::Command::new(&tool).status()
    /// }));
    /// assert!(status?.success());
    /// assert_eq!(report.attempts, 1);
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[cfg(feature = "tokio")]
    pub async fn run_on_async<T, F, Fut>(
        &self,
        path: impl AsRef<Path>,
        f: F,
    ) -> (io::Result<T>, RetryReport)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = io::Result<T>>,
    {
        let mut waker = sys::CloseWaker::on_path(path.as_ref().to_owned());
        self.drive_async(f, None, true, Some(&mut waker)).await
    }
}
