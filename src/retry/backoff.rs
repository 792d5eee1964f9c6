//! Delay schedules. A schedule is any `Iterator<Item = Duration>` that can be
//! cloned: the sleeps between attempts, where `None` means "stop retrying".
//! [`Backoff`] builds the common shapes, each a type of its own, so a
//! shape's options (a factor, a cap) exist only where they mean something.
//!
//! Pure: no clock, no sleeping, no randomness (jitter is the retry policy's,
//! see [`crate::retry::Jitter`]).

use std::time::Duration;

/// Constructors for the common schedules; [`crate::RetryPolicy::backoff`]
/// takes these or any cloneable `Iterator<Item = Duration>`.
///
/// ```
/// use std::time::Duration;
/// use flakeproof::retry::Backoff;
///
/// let ms = Duration::from_millis;
/// let delays: Vec<_> = Backoff::exponential(ms(1)).max_delay(ms(5)).take(5).collect();
/// assert_eq!(delays, [ms(1), ms(2), ms(4), ms(5), ms(5)]);
///
/// let fixed: Vec<_> = Backoff::constant(ms(10)).take(2).collect();
/// assert_eq!(fixed, [ms(10), ms(10)]);
///
/// let listed: Vec<_> = Backoff::list([ms(5), ms(20)]).collect();
/// assert_eq!(listed, [ms(5), ms(20)]); // then None: give up
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Backoff {}

impl Backoff {
    /// `first`, then doubling each time, with no cap until
    /// [`max_delay`](Exponential::max_delay).
    ///
    /// ```
    /// use std::time::Duration;
    /// let first: Vec<_> = flakeproof::retry::Backoff::exponential(Duration::from_millis(1)).take(3).collect();
    /// assert_eq!(first, [1, 2, 4].map(Duration::from_millis));
    /// ```
    pub fn exponential(first: Duration) -> Exponential {
        Exponential {
            next: first,
            factor: 2,
            cap: Duration::MAX,
        }
    }

    /// The same delay every time, forever (bound it with the policy's
    /// attempts or budget).
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut b = flakeproof::retry::Backoff::constant(Duration::from_millis(10));
    /// assert_eq!(b.nth(100), Some(Duration::from_millis(10)));
    /// ```
    pub fn constant(delay: Duration) -> Constant {
        Constant(delay)
    }

    /// Exactly these delays, then stop: "5 tries, 10 ms apart", or Fibonacci.
    ///
    /// ```
    /// use std::time::Duration;
    /// let fib = flakeproof::retry::Backoff::list([1, 1, 2, 3, 5].map(Duration::from_millis));
    /// assert_eq!(fib.count(), 5);
    /// ```
    pub fn list(delays: impl IntoIterator<Item = Duration>) -> Delays {
        Delays {
            delays: delays.into_iter().collect(),
            at: 0,
        }
    }
}

/// Multiplying delays, from [`Backoff::exponential`]. A clone continues from
/// where the original is; a retry policy clones the schedule as it was given,
/// so each retried call starts from `first`.
///
/// ```
/// use std::time::Duration;
/// let mut b = flakeproof::retry::Backoff::exponential(Duration::from_millis(1));
/// b.next();
/// assert_eq!(b.clone().next(), Some(Duration::from_millis(2)));
/// ```
#[must_use = "a schedule does nothing until a retry policy uses it"]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exponential {
    next: Duration,
    factor: u32,
    cap: Duration,
}

impl Exponential {
    /// Multiply by `factor` after each delay (default 2; 0 is taken as 1).
    ///
    /// ```
    /// use std::time::Duration;
    /// use flakeproof::retry::Backoff;
    /// let d: Vec<_> = Backoff::exponential(Duration::from_millis(1)).factor(3).take(3).collect();
    /// assert_eq!(d, [1, 3, 9].map(Duration::from_millis));
    /// ```
    pub fn factor(mut self, factor: u32) -> Self {
        self.factor = factor.max(1);
        self
    }

    /// Never wait longer than `cap` between two attempts.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ms = Duration::from_millis;
    /// let b = flakeproof::retry::Backoff::exponential(ms(40)).max_delay(ms(100));
    /// assert_eq!(b.take(3).collect::<Vec<_>>(), [ms(40), ms(80), ms(100)]);
    /// ```
    pub fn max_delay(mut self, cap: Duration) -> Self {
        self.cap = cap;
        self.next = self.next.min(cap);
        self
    }
}

impl Iterator for Exponential {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        let now = self.next;
        self.next = self
            .next
            .checked_mul(self.factor)
            .unwrap_or(Duration::MAX)
            .min(self.cap);
        Some(now)
    }
}

/// The same delay every time, from [`Backoff::constant`].
///
/// ```
/// use std::time::Duration;
/// assert_eq!(flakeproof::retry::Backoff::constant(Duration::from_millis(5)).next(), Some(Duration::from_millis(5)));
/// ```
#[must_use = "a schedule does nothing until a retry policy uses it"]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constant(Duration);

impl Iterator for Constant {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        Some(self.0)
    }
}

/// A fixed list of delays, from [`Backoff::list`].
///
/// ```
/// use std::time::Duration;
/// let mut d = flakeproof::retry::Backoff::list([Duration::from_millis(1)]);
/// assert_eq!(d.next(), Some(Duration::from_millis(1)));
/// assert_eq!(d.next(), None);
/// ```
#[must_use = "a schedule does nothing until a retry policy uses it"]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delays {
    delays: Vec<Duration>,
    at: usize,
}

impl Iterator for Delays {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        let d = *self.delays.get(self.at)?;
        self.at += 1;
        Some(d)
    }
}

/// `delay * (1/2 + r/2^65)` with `r` a random u64: uniform in [delay/2, delay].
pub(crate) fn scale_half_to_one(delay: Duration, r: u64) -> Duration {
    let nanos = delay.as_nanos();
    let half = nanos / 2;
    let extra = (nanos - half) * u128::from(r >> 32) / (1u128 << 32);
    let total = half + extra;
    Duration::new(
        (total / 1_000_000_000) as u64,
        (total % 1_000_000_000) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn exponential_doubles_and_caps() {
        let d: Vec<_> = Backoff::exponential(ms(1))
            .max_delay(ms(100))
            .take(9)
            .collect();
        assert_eq!(d, [1, 2, 4, 8, 16, 32, 64, 100, 100].map(ms));
    }

    #[test]
    fn cap_below_first_delay_wins() {
        let d: Vec<_> = Backoff::exponential(ms(50))
            .max_delay(ms(20))
            .take(2)
            .collect();
        assert_eq!(d, [ms(20), ms(20)]);
    }

    #[test]
    fn exponential_saturates_instead_of_overflowing() {
        let mut b = Backoff::exponential(Duration::MAX / 2).factor(u32::MAX);
        assert_eq!(b.next(), Some(Duration::MAX / 2));
        assert_eq!(b.next(), Some(Duration::MAX));
        assert_eq!(b.next(), Some(Duration::MAX));
    }

    #[test]
    fn factor_zero_is_one() {
        let d: Vec<_> = Backoff::exponential(ms(3)).factor(0).take(3).collect();
        assert_eq!(d, [ms(3); 3]);
    }

    #[test]
    fn list_ends_with_none() {
        let mut b = Backoff::list([ms(1)]);
        assert_eq!(b.next(), Some(ms(1)));
        assert_eq!(b.next(), None);
        assert_eq!(b.next(), None);
    }

    #[test]
    fn a_clone_continues_where_the_original_is() {
        let mut b = Backoff::exponential(ms(1));
        b.next();
        b.next();
        assert_eq!(b.clone().next(), Some(ms(4)));
        assert_eq!(Backoff::exponential(ms(1)).clone().next(), Some(ms(1)));
    }

    #[test]
    fn scaling_stays_in_half_to_full() {
        assert_eq!(scale_half_to_one(ms(100), 0), ms(50));
        assert!(scale_half_to_one(ms(100), u64::MAX) <= ms(100));
        assert!(scale_half_to_one(ms(100), u64::MAX) > ms(99));
    }
}
