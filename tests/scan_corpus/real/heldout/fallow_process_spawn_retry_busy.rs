// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `fallow-process` 3.38.1
// (https://static.crates.io/crates/fallow-process/fallow-process-3.38.1.crate), file `src/spawn_retry.rs`.
// Licence: MIT (see ../licences/fallow-process-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
//! Bounded retry for a spawn whose executable is momentarily busy.
//!
//! Unix refuses to `exec` a file while any process holds it open for writing,
//! and the writer is not always the process that opened it: a fork from any
//! other thread inherits the descriptor and releases it only when that child
//! reaches its own `exec`. A process that writes an executable and runs it, or
//! that starts a binary a package manager is still writing, meets
//! `ExecutableFileBusy` until the window closes. Nothing about the command is
//! wrong and the condition clears without help, so a bounded retry is the whole
//! remedy. The blocking and Tokio spawns share the schedule below so the two
//! cannot drift apart.

use std::io;
use std::time::{Duration, Instant};

/// Total time a spawn keeps retrying an `ExecutableFileBusy` failure.
const EXECUTABLE_BUSY_BUDGET: Duration = Duration::from_secs(1);

/// First pause between `ExecutableFileBusy` retries.
const EXECUTABLE_BUSY_FIRST_BACKOFF: Duration = Duration::from_micros(200);

/// Upper bound for the doubling `ExecutableFileBusy` backoff.
const EXECUTABLE_BUSY_MAX_BACKOFF: Duration = Duration::from_millis(20);

/// Pause schedule for a spawn that keeps meeting a busy executable.
struct ExecutableBusyRetry {
    deadline: Instant,
    backoff: Duration,
}

impl ExecutableBusyRetry {
    fn start(budget: Duration) -> Self {
        Self {
            deadline: Instant::now() + budget,
            backoff: EXECUTABLE_BUSY_FIRST_BACKOFF,
        }
    }

    /// How long to wait before spawning again, or `None` when `error` is not a
    /// busy executable or the budget is spent.
    fn pause_after(&mut self, error: &io::Error) -> Option<Duration> {
        if error.kind() != io::ErrorKind::ExecutableFileBusy || Instant::now() >= self.deadline {
            return None;
        }
        let pause = self.backoff;
        self.backoff = (self.backoff * 2).min(EXECUTABLE_BUSY_MAX_BACKOFF);
        Some(pause)
    }
}

/// Spawn `command`, waiting out an executable that is momentarily busy.
///
/// Every other spawn failure is returned from the first attempt, and a spawn
/// that succeeds immediately pays nothing.
pub fn spawn_retrying_busy_executable(
    command: &mut std::process::Command,
) -> io::Result<std::process::Child> {
    retry_while_executable_busy(EXECUTABLE_BUSY_BUDGET, || command.spawn())
}

/// Spawn `command` on the Tokio runtime, waiting out an executable that is
/// momentarily busy.
///
/// The pause yields to the runtime rather than blocking the worker thread.
#[cfg(feature = "tokio")]
pub async fn spawn_tokio_retrying_busy_executable(
    command: &mut tokio::process::Command,
) -> io::Result<tokio::process::Child> {
    retry_while_executable_busy_async(EXECUTABLE_BUSY_BUDGET, || command.spawn()).await
}

/// Twin of [`retry_while_executable_busy`] whose pause yields to the runtime
/// instead of blocking the worker thread. Both drive the same schedule, so a
/// change to one cannot leave the other behind.
#[cfg(feature = "tokio")]
async fn retry_while_executable_busy_async<T>(
    budget: Duration,
    mut attempt: impl FnMut() -> io::Result<T>,
) -> io::Result<T> {
    let mut retry = ExecutableBusyRetry::start(budget);
    loop {
        let error = match attempt() {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let Some(pause) = retry.pause_after(&error) else {
            return Err(error);
        };
        tokio::time::sleep(pause).await;
    }
}

/// Repeat `attempt` while it reports `ExecutableFileBusy` and `budget` has not
/// elapsed. Every other outcome is returned from the first attempt.
fn retry_while_executable_busy<T>(
    budget: Duration,
    mut attempt: impl FnMut() -> io::Result<T>,
) -> io::Result<T> {
    let mut retry = ExecutableBusyRetry::start(budget);
    loop {
        let error = match attempt() {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let Some(pause) = retry.pause_after(&error) else {
            return Err(error);
        };
        std::thread::sleep(pause);
    }
}
