//! Where time comes from: the retry engine and fault plans read and sleep on
//! a [`Clock`], so that tests can run them on a [`ManualClock`] instantly
//! and deterministically.

use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Where a retry loop or a fault plan gets the time and how it sleeps.
///
/// ```
/// use std::time::Duration;
/// use flakeproof::retry::{Clock, SystemClock};
/// let t0 = SystemClock.now();
/// SystemClock.sleep(Duration::from_millis(1));
/// assert!(SystemClock.now() - t0 >= Duration::from_millis(1));
/// ```
pub trait Clock: Send + Sync {
    /// Monotonic time since an arbitrary origin fixed for the clock's life.
    fn now(&self) -> Duration;
    /// Wait `d`.
    fn sleep(&self, d: Duration);
}

/// The real monotonic clock and `thread::sleep`.
///
/// ```
/// use flakeproof::retry::{Clock, SystemClock};
/// let a = SystemClock.now();
/// assert!(SystemClock.now() >= a);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

static ORIGIN: LazyLock<Instant> = LazyLock::new(Instant::now);

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        ORIGIN.elapsed()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d)
    }
}

/// A clock that only moves when slept on, and records every sleep: retry
/// code under test runs instantly and its schedule can be asserted.
///
/// ```
/// use std::time::Duration;
/// use flakeproof::retry::{Clock, ManualClock};
/// let clock = ManualClock::new();
/// clock.sleep(Duration::from_millis(3));
/// clock.sleep(Duration::from_millis(6));
/// assert_eq!(clock.now(), Duration::from_millis(9));
/// assert_eq!(clock.sleeps(), [3, 6].map(Duration::from_millis));
/// ```
#[derive(Debug, Default)]
pub struct ManualClock {
    state: Mutex<(Duration, Vec<Duration>)>,
}

impl ManualClock {
    /// A clock at zero that has never slept.
    ///
    /// ```
    /// use flakeproof::retry::{Clock, ManualClock};
    /// assert_eq!(ManualClock::new().now(), std::time::Duration::ZERO);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Move time forward without recording a sleep (time spent "working").
    ///
    /// ```
    /// use std::time::Duration;
    /// use flakeproof::retry::{Clock, ManualClock};
    /// let c = ManualClock::new();
    /// c.advance(Duration::from_secs(1));
    /// assert_eq!(c.now(), Duration::from_secs(1));
    /// assert!(c.sleeps().is_empty());
    /// ```
    pub fn advance(&self, d: Duration) {
        self.lock().0 += d;
    }

    /// Every sleep so far, in order.
    ///
    /// ```
    /// use flakeproof::retry::{Clock, ManualClock};
    /// let c = ManualClock::new();
    /// c.sleep(std::time::Duration::from_millis(2));
    /// assert_eq!(c.sleeps().len(), 1);
    /// ```
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().1.clone()
    }

    fn lock(&self) -> MutexGuard<'_, (Duration, Vec<Duration>)> {
        // A panic elsewhere must not hide the record from the test reading it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        self.lock().0
    }
    fn sleep(&self, d: Duration) {
        let mut s = self.lock();
        s.0 += d;
        s.1.push(d);
    }
}
