//! [`RetryPolicy::run_async`] (feature `tokio`): the policy's engine
//! (`engine::Run`, shared with the blocking loop) driven by a future, which
//! sleeps on tokio's timer between attempts instead of blocking the worker
//! it runs on. Beside `clock.rs`, the one other place a retry waits.

use std::future::Future;
use std::io;

use super::engine::{Run, Then, Wake};
use super::policy::RetryPolicy;
use super::report::{RetryReport, Stop};
use crate::sys::CloseWaker;

impl RetryPolicy {
    /// [`run`](Self::run) for async code: `f` makes each attempt's future,
    /// and between attempts the task sleeps on tokio's timer (a policy
    /// with its own [`clock`](Self::clock), a test's `ManualClock`, sleeps
    /// on that clock instead: no real time passes). No worker is blocked
    /// and no thread started. Cancel-safe: dropping the future during a
    /// wait drops the timer and leaves nothing behind.
    ///
    /// The waits are the policy's schedule (`f` is any future: there is no
    /// file to watch); [`AsyncSpawnRetryExt`](crate::AsyncSpawnRetryExt)'s
    /// spawns wait on the program's writer instead.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use flakeproof::RetryPolicy;
    /// let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    /// let mut calls = 0;
    /// let done = rt.block_on(RetryPolicy::etxtbsy().run_async(|| {
    ///     calls += 1;
    ///     let n = calls;
    ///     async move {
    ///         // Busy twice (ETXTBSY), then done.
    ///         if n < 3 { Err(std::io::Error::from_raw_os_error(26)) } else { Ok(n) }
    ///     }
    /// }));
    /// assert_eq!(done?, 3);
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn run_async<T, F, Fut>(&self, mut f: F) -> io::Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = io::Result<T>>,
    {
        if self.budget.is_some() {
            return self.drive_async(f, None, false, None).await.0;
        }
        // As `run`: the first attempt before any retry state exists.
        match f().await {
            Ok(v) => Ok(v),
            Err(e) => self.drive_async(f, Some(e), false, None).await.0,
        }
    }

    /// [`run_async`](Self::run_async), and say how many attempts it took
    /// and how long.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use flakeproof::{RetryPolicy, retry::Stop};
    /// let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    /// let (r, report) = rt.block_on(RetryPolicy::etxtbsy().run_async_with_report(|| async {
    ///     Ok::<_, std::io::Error>(())
    /// }));
    /// assert!(r.is_ok() && report.stop == Stop::Succeeded);
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn run_async_with_report<T, F, Fut>(&self, f: F) -> (io::Result<T>, RetryReport)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = io::Result<T>>,
    {
        self.drive_async(f, None, true, None).await
    }

    /// The loop, as a future. With a waker (the async spawns' watch on the
    /// program), the schedule's delays are the longest waits, ended early
    /// when the program's writer closes it, as in the blocking loop.
    pub(crate) async fn drive_async<T, F, Fut>(
        &self,
        mut f: F,
        mut first: Option<io::Error>,
        timed: bool,
        mut wake: Option<&mut CloseWaker>,
    ) -> (io::Result<T>, RetryReport)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = io::Result<T>>,
    {
        let mut run = Run::new(self, timed, wake.is_some());
        let (result, stop) = loop {
            let err = match first.take() {
                Some(e) => e,
                None => match f().await {
                    Ok(v) => break (Ok(v), Stop::Succeeded),
                    Err(e) => e,
                },
            };
            match run.after(&err, |e| wake.as_deref_mut().is_some_and(|w| w.arm(e))) {
                Then::Stop(stop) => break (Err(err), stop),
                Then::Retry => {}
                Then::Sleep(delay) => {
                    match self.clock {
                        Some(_) => run.clock.sleep(delay),
                        None => ::tokio::time::sleep(delay).await,
                    }
                    run.slept(delay);
                }
                Then::Wait(delay) => {
                    let t0 = run.clock.now();
                    let event = match wake.as_deref_mut() {
                        Some(w) => w.wait_async(delay).await,
                        None => false,
                    };
                    let waited = run.clock.now().saturating_sub(t0);
                    run.woke(event, waited);
                }
                Then::Arm => unreachable!("answered inside `after`"),
            }
        };
        (result, run.report(stop))
    }
}
