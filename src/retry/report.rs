//! What a retried call reports: the hook's event before each wait, why it
//! stopped, and the totals. Plain data, so that a test can assert on a run
//! without sleeping (see [`super::ManualClock`]).

use std::io;
use std::time::Duration;

/// What a retry hook is told before each sleep.
///
/// ```
/// use std::{io, sync::{Arc, Mutex}, time::Duration};
/// use flakeproof::{RetryPolicy, retry::ManualClock};
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let log = seen.clone();
/// let policy = RetryPolicy::etxtbsy()
///     .clock(Arc::new(ManualClock::new()))
///     .on_retry(move |ev| log.lock().unwrap().push((ev.attempt, ev.next_delay)));
/// let mut n = 0;
/// let _ = policy.run(|| { n += 1; if n == 1 { Err(io::Error::from(io::ErrorKind::ExecutableFileBusy)) } else { Ok(()) } });
/// assert_eq!(*seen.lock().unwrap(), [(1, Duration::from_millis(1))]);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct RetryEvent<'a> {
    /// The attempt that just failed, from 1.
    pub attempt: u32,
    /// Its error, untouched.
    pub error: &'a io::Error,
    /// How long the policy will wait before the next attempt, at most: 0
    /// after it has just started watching the file (it retries at once), and
    /// an event-driven wait may end sooner ([`RetryPolicy::event_driven`](crate::RetryPolicy::event_driven)).
    pub next_delay: Duration,
}

/// Why a retried call stopped.
///
/// ```
/// use std::io;
/// use flakeproof::{RetryPolicy, retry::Stop};
/// let (_, report) = RetryPolicy::etxtbsy().run_with_report(|| Err::<(), _>(io::Error::from_raw_os_error(2)));
/// assert_eq!(report.stop, Stop::Permanent); // ENOENT is never retried
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stop {
    /// An attempt succeeded.
    Succeeded,
    /// The classifier called the error permanent.
    Permanent,
    /// The last allowed attempt failed.
    AttemptsExhausted,
    /// The next sleep would have ended past the budget.
    BudgetExhausted,
    /// The backoff schedule ran out of delays.
    BackoffExhausted,
}

/// How a retried call went.
///
/// ```
/// use flakeproof::{RetryPolicy, retry::Stop};
/// let (r, report) = RetryPolicy::etxtbsy().run_with_report(|| Ok(7));
/// assert_eq!(r.unwrap(), 7);
/// assert_eq!((report.attempts, report.stop), (1, Stop::Succeeded));
/// assert_eq!(report.slept, std::time::Duration::ZERO);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryReport {
    /// Calls made, from 1.
    pub attempts: u32,
    /// Time from the first call's start to the end, on the policy's clock.
    pub elapsed: Duration,
    /// Time spent waiting between attempts (sleeping, or waiting for the OS
    /// to say a writer closed).
    pub slept: Duration,
    /// Waits the OS ended early by saying what was busy was released (Linux
    /// inotify on a spawned program; see [`RetryPolicy::event_driven`](crate::RetryPolicy::event_driven)).
    pub woken: u32,
    /// Why it stopped.
    pub stop: Stop,
}
