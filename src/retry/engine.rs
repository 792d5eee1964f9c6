//! The retry loop itself: attempt, classify, wait (sleeping the schedule,
//! or until the OS says what was busy was released), report. Pure: time and
//! sleep come from the policy's [`Clock`], and the OS's release notices from
//! a [`Wake`] the OS layer implements, so the loop is unit-tested with a
//! manual clock and a scripted waker.

use std::io;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::backoff::scale_half_to_one;
use super::clock::{Clock, SystemClock};
use super::policy::{Jitter, RetryPolicy};
use super::report::{RetryEvent, RetryReport, Stop};
use crate::rng::SplitMix64;

/// What can end a wait between attempts early: the OS saying that what a
/// failed call found busy was released. The OS layer implements it (Linux
/// inotify on a program, `sys::CloseWaker`); the engine only decides when to
/// ask and for how long, so its logic is tested here with a scripted waker.
pub(crate) trait Wake {
    /// Watch for the release of what `err` found busy. Called once, after
    /// the first transient failure and *before* the next attempt: a release
    /// between the failure and the watch would otherwise be lost, so the
    /// engine retries at once after arming. False: nothing to watch (not an
    /// error the OS notifies about, or the watch could not be set), and the
    /// engine sleeps its schedule.
    fn arm(&mut self, err: &io::Error) -> bool;
    /// Wait at most `max`; true if the OS said a release happened.
    fn wait(&mut self, max: Duration) -> bool;
}

/// After a wake-up, the first retry may still be refused: Linux sends
/// IN_CLOSE_WRITE from `__fput` just before it drops the inode's write count.
/// The next waits then start this short and double, then go back to the
/// schedule again: 50, 100 ... 800 µs, far longer than `__fput` takes.
const AFTER_WAKE: Duration = Duration::from_micros(50);
const AFTER_WAKE_MAX: Duration = Duration::from_micros(800);

/// Where a run stands with its waker.
#[derive(Clone, Copy)]
enum Waking {
    /// No waker, or it could not be armed: sleep the schedule.
    Off,
    /// Not armed yet: arm at the first transient failure.
    Unarmed,
    /// Armed; `Some(d)`: the last wait ended in a wake-up, and the next one
    /// lasts at most `d`.
    Armed(Option<Duration>),
}

impl RetryPolicy {
    /// This run's jitter generator, if any.
    fn jitter_stream(&self) -> Option<SplitMix64> {
        let base = match self.jitter {
            Jitter::None => return None,
            Jitter::Seeded(seed) => seed,
            Jitter::Random => self.entropy,
        };
        let run = self.runs.fetch_add(1, Ordering::Relaxed);
        Some(SplitMix64::stream(base, run))
    }

    /// The retry loop, sleeping the schedule.
    pub(super) fn drive<T>(
        &self,
        f: impl FnMut() -> io::Result<T>,
        first: Option<io::Error>,
        timed: bool,
    ) -> (io::Result<T>, RetryReport) {
        self.drive_waking(f, first, timed, None)
    }

    /// The retry loop. `first` is the error of a first call already made
    /// (by `run`'s fast path, which has no budget to account it to). With a
    /// waker (and the system clock: a custom clock means a test that wants
    /// its sleeps recorded, not real waits), the schedule's delays become the
    /// longest waits, which the OS may end early.
    #[cold]
    pub(crate) fn drive_waking<T>(
        &self,
        mut f: impl FnMut() -> io::Result<T>,
        mut first: Option<io::Error>,
        timed: bool,
        mut wake: Option<&mut dyn Wake>,
    ) -> (io::Result<T>, RetryReport) {
        let clock: &dyn Clock = match &self.clock {
            Some(c) => &**c,
            None => &SystemClock,
        };
        let mut waking = if wake.is_some() && self.event_driven && self.clock.is_none() {
            Waking::Unarmed
        } else {
            Waking::Off
        };
        let start =
            (timed || self.budget.is_some() || !matches!(waking, Waking::Off)).then(|| clock.now());
        let max = self.attempts.max(1);
        let mut schedule: Option<Box<dyn Iterator<Item = Duration> + Send>> = None;
        let mut jitter: Option<Option<SplitMix64>> = None;
        let mut attempt = 1;
        let mut slept = Duration::ZERO;
        let mut woken = 0;
        let (result, stop) = loop {
            let err = match first.take().map_or_else(&mut f, Err) {
                Ok(v) => break (Ok(v), Stop::Succeeded),
                Err(e) => e,
            };
            if !self.classifier.is_transient(&err) {
                break (Err(err), Stop::Permanent);
            }
            if attempt >= max {
                break (Err(err), Stop::AttemptsExhausted);
            }
            if let (Waking::Unarmed, Some(w)) = (waking, wake.as_deref_mut()) {
                if w.arm(&err) {
                    // Watching now: whatever was released before this
                    // moment is seen by trying again at once.
                    waking = Waking::Armed(None);
                    self.hook(attempt, &err, Duration::ZERO);
                    attempt += 1;
                    continue;
                }
                waking = Waking::Off;
            }
            let after_wake = match waking {
                Waking::Armed(after) => after,
                _ => None,
            };
            let delay = match after_wake {
                Some(short) => short,
                None => {
                    let Some(mut delay) =
                        schedule.get_or_insert_with(|| self.backoff.start()).next()
                    else {
                        break (Err(err), Stop::BackoffExhausted);
                    };
                    if let Some(rng) = jitter.get_or_insert_with(|| self.jitter_stream()) {
                        delay = scale_half_to_one(delay, rng.next_u64());
                    }
                    delay
                }
            };
            if let (Some(budget), Some(start)) = (self.budget, start)
                && clock.now().saturating_sub(start).saturating_add(delay) > budget
            {
                break (Err(err), Stop::BudgetExhausted);
            }
            self.hook(attempt, &err, delay);
            match (waking, wake.as_deref_mut()) {
                (Waking::Armed(_), Some(w)) => {
                    let t0 = clock.now();
                    let event = w.wait(delay);
                    slept += clock.now().saturating_sub(t0);
                    waking = Waking::Armed(match (event, after_wake) {
                        (true, _) => {
                            woken += 1;
                            Some(AFTER_WAKE)
                        }
                        // Still refused shortly after a wake-up: wait a
                        // little longer each time, then the schedule again.
                        (false, Some(short)) => Some(short * 2).filter(|d| *d <= AFTER_WAKE_MAX),
                        (false, None) => None,
                    });
                }
                _ => {
                    clock.sleep(delay);
                    slept += delay;
                }
            }
            attempt += 1;
        };
        let elapsed = start.map_or(Duration::ZERO, |s| clock.now().saturating_sub(s));
        (
            result,
            RetryReport {
                attempts: attempt,
                elapsed,
                slept,
                woken,
                stop,
            },
        )
    }

    fn hook(&self, attempt: u32, error: &io::Error, next_delay: Duration) {
        if let Some(hook) = &self.on_retry {
            hook(&RetryEvent {
                attempt,
                error,
                next_delay,
            });
        }
    }
}

#[cfg(test)]
mod tests;
