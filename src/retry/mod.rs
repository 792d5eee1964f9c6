//! Retrying calls that fail for a moment: how many attempts, how long
//! between them, for how long in all, and which errors are worth another try.
//!
//! [`RetryPolicy`] (re-exported at the crate root with [`retry_etxtbsy`]) is
//! the engine. The rest of this module is what you tune it with: the delay
//! shapes ([`Backoff`]), the [`Jitter`], the [`Clock`] it sleeps on
//! ([`ManualClock`] makes a retry loop's tests instant and deterministic), and
//! what it reports ([`RetryEvent`] before each wait, [`RetryReport`] and
//! [`Stop`] at the end). In async code (feature `tokio`),
//! `RetryPolicy::run_async` drives the same engine from a future that
//! sleeps on tokio's timer, never blocking a worker.
//!
//! ```
//! use std::{io, sync::Arc, time::Duration};
//! use flakeproof::retry::{Backoff, ManualClock, Stop};
//! use flakeproof::{Classifier, RetryPolicy};
//!
//! let clock = Arc::new(ManualClock::new());
//! let policy = RetryPolicy::new(Classifier::etxtbsy())
//!     .attempts(3)
//!     .backoff(Backoff::constant(Duration::from_millis(5)))
//!     .clock(clock.clone());
//! let (r, report) = policy.run_with_report(|| Err::<(), _>(io::Error::from_raw_os_error(26)));
//! assert!(r.is_err());
//! assert_eq!(report.stop, Stop::AttemptsExhausted);
//! assert_eq!(clock.sleeps(), [Duration::from_millis(5); 2]); // no real time passed
//! ```

pub(crate) mod backoff;
pub(crate) mod clock;
mod engine;
mod policy;
mod report;
#[cfg(feature = "tokio")]
mod run_async;
mod run_on;

pub use backoff::{Backoff, Constant, Delays, Exponential};
pub use clock::{Clock, ManualClock, SystemClock};
pub use policy::{Jitter, RetryPolicy, retry_etxtbsy};
pub use report::{RetryEvent, RetryReport, Stop};

pub(crate) use engine::Wake;
