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
        let mut run = Run::new(self, timed, wake.is_some());
        let (result, stop) = loop {
            let err = match first.take().map_or_else(&mut f, Err) {
                Ok(v) => break (Ok(v), Stop::Succeeded),
                Err(e) => e,
            };
            match run.after(&err, |e| wake.as_deref_mut().is_some_and(|w| w.arm(e))) {
                Then::Stop(stop) => break (Err(err), stop),
                Then::Retry => {}
                Then::Sleep(delay) => {
                    run.clock.sleep(delay);
                    run.slept(delay);
                }
                Then::Wait(delay) => {
                    let t0 = run.clock.now();
                    let event = wake.as_deref_mut().is_some_and(|w| w.wait(delay));
                    let waited = run.clock.now().saturating_sub(t0);
                    run.woke(event, waited);
                }
                Then::Arm => unreachable!("answered inside `after`"),
            }
        };
        (result, run.report(stop))
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

/// What a driver does after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Then {
    /// Give up: the error is the result.
    Stop(Stop),
    /// Arm the waker for this error, and say whether it could
    /// ([`Run::armed`]).
    Arm,
    /// Try again at once.
    Retry,
    /// Sleep this long on the policy's clock, then try again ([`Run::slept`]).
    Sleep(Duration),
    /// Wait on the armed waker at most this long, then try again
    /// ([`Run::woke`]).
    Wait(Duration),
}

/// One retry run between its attempts: the policy's decisions (classify,
/// count, schedule, jitter, budget, waker), with the attempts and the
/// waits left to a driver, so that a blocking loop and a future share them.
pub(crate) struct Run<'p> {
    policy: &'p RetryPolicy,
    pub(crate) clock: &'p dyn Clock,
    waking: Waking,
    start: Option<Duration>,
    max: u32,
    schedule: Option<Box<dyn Iterator<Item = Duration> + Send>>,
    jitter: Option<Option<SplitMix64>>,
    attempt: u32,
    slept: Duration,
    woken: u32,
    /// The current wait's length if it follows a wake-up (see AFTER_WAKE).
    after_wake: Option<Duration>,
}

impl<'p> Run<'p> {
    /// A run of `policy`; `timed`: the report's `elapsed` is wanted;
    /// `waker`: the driver has a waker to arm.
    pub(crate) fn new(policy: &'p RetryPolicy, timed: bool, waker: bool) -> Self {
        let clock: &dyn Clock = match &policy.clock {
            Some(c) => &**c,
            None => &SystemClock,
        };
        let waking = if waker && policy.event_driven && policy.clock.is_none() {
            Waking::Unarmed
        } else {
            Waking::Off
        };
        let start = (timed || policy.budget.is_some() || !matches!(waking, Waking::Off))
            .then(|| clock.now());
        Run {
            policy,
            clock,
            waking,
            start,
            max: policy.attempts.max(1),
            schedule: None,
            jitter: None,
            attempt: 1,
            slept: Duration::ZERO,
            woken: 0,
            after_wake: None,
        }
    }

    /// The attempt failed with `err`: what next, never [`Then::Arm`]: where
    /// the run wants its waker armed, `arm` is asked to, and the answer
    /// decides. Both drivers (the blocking loop, the future) go through it.
    pub(crate) fn after(&mut self, err: &io::Error, arm: impl FnOnce(&io::Error) -> bool) -> Then {
        match self.failed(err) {
            Then::Arm => {
                let armed = arm(err);
                self.armed(armed, err)
            }
            then => then,
        }
    }

    /// The attempt failed with `err`: what next.
    fn failed(&mut self, err: &io::Error) -> Then {
        if !self.policy.classifier.is_transient(err) {
            return Then::Stop(Stop::Permanent);
        }
        if self.attempt >= self.max {
            return Then::Stop(Stop::AttemptsExhausted);
        }
        if let Waking::Unarmed = self.waking {
            return Then::Arm;
        }
        self.delay(err)
    }

    /// The driver armed its waker (`armed`) or couldn't, after [`Then::Arm`].
    fn armed(&mut self, armed: bool, err: &io::Error) -> Then {
        if armed {
            // Watching now: whatever was released before this moment is
            // seen by trying again at once.
            self.waking = Waking::Armed(None);
            self.policy.hook(self.attempt, err, Duration::ZERO);
            self.attempt += 1;
            return Then::Retry;
        }
        self.waking = Waking::Off;
        self.delay(err)
    }

    /// The wait before the next attempt, or why there is none.
    fn delay(&mut self, err: &io::Error) -> Then {
        self.after_wake = match self.waking {
            Waking::Armed(after) => after,
            _ => None,
        };
        let delay = match self.after_wake {
            Some(short) => short,
            None => {
                let policy = self.policy;
                let Some(mut delay) = self
                    .schedule
                    .get_or_insert_with(|| policy.backoff.start())
                    .next()
                else {
                    return Then::Stop(Stop::BackoffExhausted);
                };
                if let Some(rng) = self.jitter.get_or_insert_with(|| policy.jitter_stream()) {
                    delay = scale_half_to_one(delay, rng.next_u64());
                }
                delay
            }
        };
        if let (Some(budget), Some(start)) = (self.policy.budget, self.start)
            && self.clock.now().saturating_sub(start).saturating_add(delay) > budget
        {
            return Then::Stop(Stop::BudgetExhausted);
        }
        self.policy.hook(self.attempt, err, delay);
        match self.waking {
            Waking::Armed(_) => Then::Wait(delay),
            _ => Then::Sleep(delay),
        }
    }

    /// The driver slept `delay` after [`Then::Sleep`].
    pub(crate) fn slept(&mut self, delay: Duration) {
        self.slept += delay;
        self.attempt += 1;
    }

    /// The driver's wait after [`Then::Wait`] ended after `waited`, by the
    /// OS's release notice (`event`) or not.
    pub(crate) fn woke(&mut self, event: bool, waited: Duration) {
        self.slept += waited;
        self.waking = Waking::Armed(match (event, self.after_wake) {
            (true, _) => {
                self.woken += 1;
                Some(AFTER_WAKE)
            }
            // Still refused shortly after a wake-up: wait a little longer
            // each time, then the schedule again.
            (false, Some(short)) => Some(short * 2).filter(|d| *d <= AFTER_WAKE_MAX),
            (false, None) => None,
        });
        self.attempt += 1;
    }

    /// The run ended with `stop`.
    pub(crate) fn report(&self, stop: Stop) -> RetryReport {
        let elapsed = self
            .start
            .map_or(Duration::ZERO, |s| self.clock.now().saturating_sub(s));
        RetryReport {
            attempts: self.attempt,
            elapsed,
            slept: self.slept,
            woken: self.woken,
            stop,
        }
    }
}

#[cfg(test)]
mod tests;
