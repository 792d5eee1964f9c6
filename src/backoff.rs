//! Delay schedules: a [`Backoff`] is an `Iterator<Item = Duration>` of the
//! sleeps between attempts, where `None` means "stop retrying".
//!
//! Pure: no clock, no sleeping, no OS randomness. Jitter comes from an explicit
//! seed, so the same seed gives the same delays on every run and machine.

use std::time::Duration;

/// A schedule of delays between attempts.
///
/// Cloning gives a schedule that starts over, which is what each new
/// retried call gets.
///
/// ```
/// use std::time::Duration;
/// use flakeproof::Backoff;
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
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    shape: Shape,
    jitter: Option<SplitMix64>,
}

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Exponential {
        next: Duration,
        factor: u32,
        cap: Duration,
    },
    Constant(Duration),
    List {
        delays: Vec<Duration>,
        at: usize,
    },
}

impl Backoff {
    /// `first`, then doubling each time, with no cap until [`max_delay`](Self::max_delay).
    ///
    /// ```
    /// use std::time::Duration;
    /// let first: Vec<_> = flakeproof::Backoff::exponential(Duration::from_millis(1)).take(3).collect();
    /// assert_eq!(first, [1, 2, 4].map(Duration::from_millis));
    /// ```
    pub fn exponential(first: Duration) -> Self {
        Backoff {
            shape: Shape::Exponential {
                next: first,
                factor: 2,
                cap: Duration::MAX,
            },
            jitter: None,
        }
    }

    /// The same delay every time.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut b = flakeproof::Backoff::constant(Duration::from_millis(10));
    /// assert_eq!(b.nth(100), Some(Duration::from_millis(10)));
    /// ```
    pub fn constant(delay: Duration) -> Self {
        Backoff {
            shape: Shape::Constant(delay),
            jitter: None,
        }
    }

    /// Exactly these delays, then stop: for schedules such as
    /// "5 tries, 10 ms apart" or Fibonacci.
    ///
    /// ```
    /// use std::time::Duration;
    /// let fib = flakeproof::Backoff::list([1, 1, 2, 3, 5].map(Duration::from_millis));
    /// assert_eq!(fib.count(), 5);
    /// ```
    pub fn list(delays: impl IntoIterator<Item = Duration>) -> Self {
        Backoff {
            shape: Shape::List {
                delays: delays.into_iter().collect(),
                at: 0,
            },
            jitter: None,
        }
    }

    /// Multiply by `factor` after each delay (exponential only; default 2,
    /// and 0 is taken as 1).
    ///
    /// ```
    /// use std::time::Duration;
    /// use flakeproof::Backoff;
    /// let d: Vec<_> = Backoff::exponential(Duration::from_millis(1)).factor(3).take(3).collect();
    /// assert_eq!(d, [1, 3, 9].map(Duration::from_millis));
    /// ```
    pub fn factor(mut self, factor: u32) -> Self {
        if let Shape::Exponential { factor: f, .. } = &mut self.shape {
            *f = factor.max(1);
        }
        self
    }

    /// Never wait longer than `cap` between two attempts (exponential only).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ms = Duration::from_millis;
    /// let b = flakeproof::Backoff::exponential(ms(40)).max_delay(ms(100));
    /// assert_eq!(b.take(3).collect::<Vec<_>>(), [ms(40), ms(80), ms(100)]);
    /// ```
    pub fn max_delay(mut self, cap: Duration) -> Self {
        if let Shape::Exponential { next, cap: c, .. } = &mut self.shape {
            *c = cap;
            *next = (*next).min(cap);
        }
        self
    }

    /// Scale each delay by a pseudo-random factor in [1/2, 1], drawn from
    /// `seed`: threads that failed together stop retrying in lockstep, and
    /// the same seed always gives the same delays.
    ///
    /// ```
    /// use std::time::Duration;
    /// use flakeproof::Backoff;
    /// let ms = Duration::from_millis;
    /// let a: Vec<_> = Backoff::constant(ms(10)).jitter(7).take(4).collect();
    /// let b: Vec<_> = Backoff::constant(ms(10)).jitter(7).take(4).collect();
    /// assert_eq!(a, b);
    /// assert!(a.iter().all(|d| *d >= ms(5) && *d <= ms(10)));
    /// ```
    pub fn jitter(mut self, seed: u64) -> Self {
        self.jitter = Some(SplitMix64(seed));
        self
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let delay = match &mut self.shape {
            Shape::Exponential { next, factor, cap } => {
                let now = *next;
                *next = next.checked_mul(*factor).unwrap_or(Duration::MAX).min(*cap);
                now
            }
            Shape::Constant(d) => *d,
            Shape::List { delays, at } => {
                let d = *delays.get(*at)?;
                *at += 1;
                d
            }
        };
        Some(match &mut self.jitter {
            None => delay,
            Some(rng) => scale_half_to_one(delay, rng.next_u64()),
        })
    }
}

/// `delay * (1/2 + r/2^65)` with `r` a random u64: uniform in [delay/2, delay].
fn scale_half_to_one(delay: Duration, r: u64) -> Duration {
    let nanos = delay.as_nanos();
    let half = nanos / 2;
    let extra = (nanos - half) * u128::from(r >> 32) / (1u128 << 32);
    let total = half + extra;
    Duration::new(
        (total / 1_000_000_000) as u64,
        (total % 1_000_000_000) as u32,
    )
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough to
/// spread retries. Shared with the fault plans' probability triggers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
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
    fn clone_starts_over() {
        let mut b = Backoff::exponential(ms(1));
        b.next();
        b.next();
        let fresh = Backoff::exponential(ms(1));
        assert_ne!(b, fresh);
        assert_eq!(b.clone().next(), Some(ms(4)));
        assert_eq!(fresh.clone().next(), Some(ms(1)));
    }

    #[test]
    fn jitter_stays_in_half_to_full_and_differs_by_seed() {
        let a: Vec<_> = Backoff::constant(ms(100)).jitter(1).take(1000).collect();
        let b: Vec<_> = Backoff::constant(ms(100)).jitter(2).take(1000).collect();
        assert!(a.iter().all(|d| (ms(50)..=ms(100)).contains(d)));
        assert_ne!(a, b);
        // Spread over the whole range, not bunched at one end.
        let min = a.iter().min().unwrap();
        let max = a.iter().max().unwrap();
        assert!(*min < ms(52) && *max > ms(98), "{min:?} {max:?}");
    }

    #[test]
    fn splitmix_reference_values() {
        // First outputs for seed 0, from the reference implementation.
        let mut r = SplitMix64(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }
}
