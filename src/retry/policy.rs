//! Retry policies: how many attempts, how long between them, for how long in
//! all, and which errors are worth another try.
//!
//! The engine makes no OS call: time and sleep come from a [`Clock`] (the
//! real one by default, a [`ManualClock`] in tests), so a retry loop is
//! tested in microseconds and deterministically.

use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::backoff::{scale_half_to_one, Backoff};
#[cfg(doc)]
use super::clock::ManualClock;
use super::clock::{Clock, SystemClock};
use super::report::{RetryEvent, RetryReport, Stop};
use crate::classify::Classifier;
use crate::rng::{entropy, SplitMix64};

/// Random spread applied to every delay of a policy's schedule: each delay
/// is scaled by a factor drawn uniformly from [1/2, 1], so that threads and
/// processes that failed together do not retry in lockstep.
///
/// Every run of a policy (each call of [`RetryPolicy::run`], on any thread,
/// through any clone of the policy) draws from its own stream: run *k* of a
/// policy with `Seeded(s)` always sleeps the same delays, and runs *k* and
/// *k+1* differ.
///
/// ```
/// use std::{io, sync::Arc, time::Duration};
/// use flakeproof::{RetryPolicy, retry::{Jitter, ManualClock}};
/// let delays = |jitter| {
///     let clock = Arc::new(ManualClock::new());
///     let policy = RetryPolicy::etxtbsy().attempts(4).jitter(jitter).clock(clock.clone());
///     for _ in 0..2 {
///         let _ = policy.run(|| Err::<(), _>(io::Error::from(io::ErrorKind::ExecutableFileBusy)));
///     }
///     clock.sleeps()
/// };
/// let (a, b) = (delays(Jitter::Seeded(7)), delays(Jitter::Seeded(7)));
/// assert_eq!(a, b);                 // reproducible, run by run
/// assert_ne!(a[..3], a[3..]);       // but the second run differs from the first
/// assert_ne!(delays(Jitter::Random), delays(Jitter::Random));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Jitter {
    /// The schedule's delays as they are (the default).
    #[default]
    None,
    /// Reproducible: the same seed gives the same delays for the same run
    /// index of a policy.
    Seeded(u64),
    /// Different in every process and every run.
    Random,
}

type Hook = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// A schedule the policy can restart for each run.
trait Schedule: Send + Sync {
    fn start(&self) -> Box<dyn Iterator<Item = Duration> + Send>;
}

impl<B> Schedule for B
where
    B: Iterator<Item = Duration> + Clone + Send + Sync + 'static,
{
    fn start(&self) -> Box<dyn Iterator<Item = Duration> + Send> {
        Box::new(self.clone())
    }
}

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

/// A retry policy: attempts, backoff, jitter, budget, classifier, hook, clock.
///
/// The default (`RetryPolicy::new`) makes at most 10 attempts, sleeping
/// 1 ms, 2 ms, 4 ms ... capped at 100 ms: 327 ms of sleep in all, with no
/// budget and no jitter. The final error is always the one the operation
/// returned, with its `kind()` and `raw_os_error()` intact.
///
/// ```
/// use std::io;
/// use std::sync::Arc;
/// use std::time::Duration;
/// use flakeproof::{Classifier, RetryPolicy, retry::{Backoff, ManualClock, Stop}};
///
/// // The default schedule, asserted: 9 sleeps between 10 attempts, 327 ms.
/// let clock = Arc::new(ManualClock::new());
/// let (_, report) = RetryPolicy::etxtbsy().clock(clock.clone())
///     .run_with_report(|| Err::<(), _>(io::Error::from(io::ErrorKind::ExecutableFileBusy)));
/// assert_eq!(report.attempts, 10);
/// assert_eq!(clock.sleeps().iter().sum::<Duration>(), Duration::from_millis(327));
///
/// // Your own.
/// let clock = Arc::new(ManualClock::new());
/// let policy = RetryPolicy::new(Classifier::etxtbsy())
///     .attempts(5)
///     .backoff(Backoff::exponential(Duration::from_millis(2)))
///     .clock(clock.clone());
/// let mut calls = 0;
/// let (result, report) = policy.run_with_report(|| {
///     calls += 1;
///     if calls < 3 { Err(io::Error::from(io::ErrorKind::ExecutableFileBusy)) } else { Ok(calls) }
/// });
/// assert_eq!(result.unwrap(), 3);
/// assert_eq!((report.attempts, report.stop), (3, Stop::Succeeded));
/// assert_eq!(clock.sleeps(), [2, 4].map(Duration::from_millis));
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    attempts: u32,
    backoff: Arc<dyn Schedule>,
    backoff_name: &'static str,
    jitter: Jitter,
    /// Runs started, shared by clones: each run's jitter stream.
    runs: Arc<AtomicU64>,
    /// For `Jitter::Random`: this policy's random base.
    entropy: u64,
    budget: Option<Duration>,
    classifier: Classifier,
    on_retry: Option<Hook>,
    clock: Option<Arc<dyn Clock>>,
    event_driven: bool,
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("attempts", &self.attempts)
            .field("backoff", &self.backoff_name)
            .field("jitter", &self.jitter)
            .field("budget", &self.budget)
            .field("classifier", &self.classifier)
            .field("on_retry", &self.on_retry.is_some())
            .field("event_driven", &self.event_driven)
            .field(
                "clock",
                &if self.clock.is_some() {
                    "custom"
                } else {
                    "system"
                },
            )
            .finish()
    }
}

impl RetryPolicy {
    /// Retry what `classifier` calls transient, with the default schedule.
    ///
    /// ```
    /// use flakeproof::{Classifier, RetryPolicy};
    /// let p = RetryPolicy::new(Classifier::etxtbsy());
    /// assert_eq!(p.run(|| Ok::<_, std::io::Error>(5)).unwrap(), 5);
    /// ```
    pub fn new(classifier: Classifier) -> Self {
        RetryPolicy {
            attempts: 10,
            backoff: Arc::new(
                Backoff::exponential(Duration::from_millis(1))
                    .max_delay(Duration::from_millis(100)),
            ),
            backoff_name: "Backoff::exponential(1ms).max_delay(100ms)",
            jitter: Jitter::None,
            runs: Arc::new(AtomicU64::new(0)),
            entropy: 0,
            budget: None,
            classifier,
            on_retry: None,
            clock: None,
            event_driven: true,
        }
    }

    /// Retry this OS's transient errors for `op` ([`Classifier::for_op`](crate::Classifier::for_op)).
    ///
    /// ```
    /// use flakeproof::{Op, RetryPolicy};
    /// let policy = RetryPolicy::for_op(Op::Rename);
    /// let r: std::io::Result<()> = policy.run(|| Ok(()));
    /// assert!(r.is_ok());
    /// ```
    pub fn for_op(op: crate::classify::Op) -> Self {
        Self::new(Classifier::for_op(op))
    }

    /// The preset behind [`retry_etxtbsy`]: only ETXTBSY, 1 ms doubling to a
    /// 100 ms cap, 10 attempts unless changed.
    ///
    /// ```
    /// use flakeproof::RetryPolicy;
    /// let r: std::io::Result<u8> = RetryPolicy::etxtbsy().attempts(3).run(|| Ok(1));
    /// assert_eq!(r.unwrap(), 1);
    /// ```
    pub fn etxtbsy() -> Self {
        Self::new(Classifier::etxtbsy())
    }

    /// The default of [`SpawnRetryExt`](crate::SpawnRetryExt)'s `_retrying`
    /// spawns: transient spawn errors ([`for_op`](Self::for_op)`(Op::Spawn)`),
    /// for up to 5 s ([`SPAWN_BUDGET`](Self::SPAWN_BUDGET)) however many
    /// attempts that takes, waiting 1 ms, 2, 4 ... capped at 100 ms between
    /// them. Event-driven: on Linux, after an ETXTBSY the wait ends when the
    /// program's writer closes it (see [`event_driven`](Self::event_driven)),
    /// so the delays are only the longest waits.
    ///
    /// A budget, not a count: a writer that holds the program 700 ms is
    /// ridden out, where 10 attempts of the schedule give up after 327 ms.
    ///
    /// ```
    /// use std::{io, sync::Arc};
    /// use flakeproof::{RetryPolicy, retry::{ManualClock, Stop}};
    /// # #[cfg(unix)] { // ETXTBSY: Windows' spawns retry sharing violations
    /// let clock = Arc::new(ManualClock::new());
    /// let (_, report) = RetryPolicy::for_spawn().clock(clock.clone())
    ///     .run_with_report(|| Err::<(), _>(io::Error::from(io::ErrorKind::ExecutableFileBusy)));
    /// assert_eq!(report.stop, Stop::BudgetExhausted);
    /// assert!(report.elapsed <= RetryPolicy::SPAWN_BUDGET);
    /// assert!(report.attempts > 10);
    /// # }
    /// ```
    pub fn for_spawn() -> Self {
        Self::for_op(crate::classify::Op::Spawn)
            .attempts(u32::MAX)
            .budget(Self::SPAWN_BUDGET)
    }

    /// How long [`for_spawn`](Self::for_spawn) keeps trying: 5 s, past the
    /// 2 s a test may reasonably spend writing a program, and short enough
    /// that a writer that never lets go fails the test soon.
    ///
    /// ```
    /// assert_eq!(flakeproof::RetryPolicy::SPAWN_BUDGET.as_secs(), 5);
    /// ```
    pub const SPAWN_BUDGET: Duration = Duration::from_secs(5);

    /// Whether a wait between attempts may end early when the OS says what
    /// was busy is free (default: yes). Applies where the retried call names
    /// a file and the OS can notify: on Linux, a spawn (or
    /// [`run_on`](Self::run_on)) that failed with ETXTBSY watches the
    /// program with inotify for `IN_CLOSE_WRITE`, retries once at once (a
    /// close between the failure and the watch must not be missed), then
    /// waits for the event, the schedule's delay at most. The event comes
    /// just before the kernel drops the write count, so a retry refused right
    /// after one waits 50 µs, then 100 ... 800 µs, then the schedule again.
    ///
    /// It falls back to the schedule, silently, wherever no event can come:
    /// other OSes; a program it can't watch (`inotify_add_watch` needs read
    /// permission, so a 0o111 program as non-root; the per-user limit of
    /// inotify instances reached by a parallel suite); a writer on another
    /// NFS client or behind a FUSE filesystem, which sends no event (the
    /// delays still bound each wait). A policy with its own
    /// [`clock`](Self::clock) never waits on the OS: its sleeps stay
    /// recorded and instant.
    ///
    /// ```
    /// use std::process::Command;
    /// use flakeproof::{RetryPolicy, SpawnRetryExt};
    /// // The schedule only, as before event-driven waits existed.
    /// let sleep_only = RetryPolicy::for_spawn().event_driven(false);
    /// # #[cfg(unix)] {
    /// let (status, report) = Command::new("true").status_with(&sleep_only);
    /// assert!(status?.success() && report.woken == 0);
    /// # }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn event_driven(mut self, yes: bool) -> Self {
        self.event_driven = yes;
        self
    }

    /// Total calls allowed, the first included; 0 is taken as 1.
    ///
    /// ```
    /// use std::{io, sync::Arc};
    /// use flakeproof::{RetryPolicy, retry::ManualClock};
    /// let mut calls = 0;
    /// let _ = RetryPolicy::etxtbsy().attempts(4).clock(Arc::new(ManualClock::new()))
    ///     .run(|| { calls += 1; Err::<(), _>(io::Error::from(io::ErrorKind::ExecutableFileBusy)) });
    /// assert_eq!(calls, 4);
    /// ```
    #[must_use]
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The delays between attempts: any cloneable `Iterator<Item = Duration>`,
    /// such as [`Backoff`]'s shapes. Each run starts from a clone of what was
    /// given here; when it runs out, the policy gives up.
    ///
    /// ```
    /// use std::time::Duration;
    /// use flakeproof::{RetryPolicy, retry::Backoff};
    /// // uv's schedule: 10 ms doubling.
    /// let uv = RetryPolicy::etxtbsy().backoff(Backoff::exponential(Duration::from_millis(10)));
    /// // A linear 20 ms x k, 8 sleeps: any iterator will do.
    /// let linear = RetryPolicy::etxtbsy().backoff((1..=8u32).map(|k| Duration::from_millis(20) * k));
    /// # let _ = (uv, linear);
    /// ```
    #[must_use]
    pub fn backoff<B>(mut self, backoff: B) -> Self
    where
        B: Iterator<Item = Duration> + Clone + Send + Sync + 'static,
    {
        self.backoff = Arc::new(backoff);
        self.backoff_name = std::any::type_name::<B>();
        self
    }

    /// Spread every delay randomly; see [`Jitter`].
    ///
    /// ```
    /// use flakeproof::{RetryPolicy, retry::Jitter};
    /// let p = RetryPolicy::etxtbsy().jitter(Jitter::Seeded(42));
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        if jitter == Jitter::Random {
            self.entropy = entropy();
        }
        self
    }

    /// Never sleep past `budget` from the first call's start: if the next
    /// delay would end later, give up with the last error instead.
    ///
    /// ```
    /// use std::{io, sync::Arc, time::Duration};
    /// use flakeproof::{Classifier, RetryPolicy, retry::{Backoff, ManualClock, Stop}};
    /// let clock = Arc::new(ManualClock::new());
    /// let policy = RetryPolicy::new(Classifier::new(|_: &io::Error| true))
    ///     .attempts(1000)
    ///     .backoff(Backoff::constant(Duration::from_millis(30)))
    ///     .budget(Duration::from_millis(100))
    ///     .clock(clock.clone());
    /// let (r, report) = policy.run_with_report(|| Err::<(), _>(io::Error::other("x")));
    /// assert!(r.is_err());
    /// assert_eq!((report.attempts, report.stop), (4, Stop::BudgetExhausted));
    /// assert_eq!(report.slept, Duration::from_millis(90));
    /// ```
    #[must_use]
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Which errors to retry.
    ///
    /// ```
    /// use flakeproof::{Classifier, Op, RetryPolicy};
    /// let p = RetryPolicy::etxtbsy().classifier(Classifier::for_op(Op::Rename));
    /// # let _ = p;
    /// ```
    #[must_use]
    pub fn classifier(mut self, classifier: Classifier) -> Self {
        self.classifier = classifier;
        self
    }

    /// Called before each sleep with the failed attempt, its error and the
    /// coming delay: log it, count it, assert on it, or release what holds
    /// the resource.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use std::sync::Arc;
    /// use std::io;
    /// use flakeproof::{RetryPolicy, retry::ManualClock};
    /// let retries = Arc::new(AtomicU32::new(0));
    /// let seen = retries.clone();
    /// let policy = RetryPolicy::etxtbsy()
    ///     .clock(Arc::new(ManualClock::new()))
    ///     .on_retry(move |ev| { seen.fetch_add(1, Ordering::Relaxed); eprintln!("attempt {} failed: {}", ev.attempt, ev.error); });
    /// let mut n = 0;
    /// policy.run(|| { n += 1; if n < 4 { Err(io::Error::from(io::ErrorKind::ExecutableFileBusy)) } else { Ok(()) } }).unwrap();
    /// assert_eq!(retries.load(Ordering::Relaxed), 3);
    /// ```
    #[must_use]
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// Where time comes from and how to sleep; [`SystemClock`] by default.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use flakeproof::{RetryPolicy, retry::ManualClock};
    /// let clock = Arc::new(ManualClock::new());
    /// let p = RetryPolicy::etxtbsy().clock(clock.clone());
    /// let _ = p.run(|| Err::<(), _>(std::io::Error::from(std::io::ErrorKind::ExecutableFileBusy)));
    /// assert_eq!(clock.sleeps().len(), 9); // slept without sleeping
    /// ```
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Call `f` until it succeeds, fails permanently, or the policy gives up;
    /// return its last result untouched.
    ///
    /// ```
    /// use flakeproof::{Op, RetryPolicy};
    /// let policy = RetryPolicy::for_op(Op::Spawn);
    /// # #[cfg(unix)]
    /// let status = policy.run(|| std::process::Command::new("true").status())?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn run<T>(&self, mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
        if self.budget.is_some() {
            return self.drive(f, None, false).0;
        }
        // Fast path: the first call runs before any retry state exists, so a
        // first-call success costs the call and a branch (benches/retry.rs).
        match f() {
            Ok(v) => Ok(v),
            Err(e) => self.drive(f, Some(e), false).0,
        }
    }

    /// [`run`](Self::run), and say how many attempts it took and how long.
    ///
    /// ```
    /// use flakeproof::{RetryPolicy, retry::Stop};
    /// let (r, report) = RetryPolicy::etxtbsy().run_with_report(|| Ok::<_, std::io::Error>(()));
    /// assert!(r.is_ok() && report.stop == Stop::Succeeded);
    /// ```
    pub fn run_with_report<T>(
        &self,
        f: impl FnMut() -> io::Result<T>,
    ) -> (io::Result<T>, RetryReport) {
        self.drive(f, None, true)
    }

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
    fn drive<T>(
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
            if let (Some(budget), Some(start)) = (self.budget, start) {
                if clock.now().saturating_sub(start).saturating_add(delay) > budget {
                    break (Err(err), Stop::BudgetExhausted);
                }
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

/// Call `f` up to `attempts` times (0 behaves as 1) while it fails with
/// "Text file busy" (ETXTBSY); any other error returns at once.
///
/// Schedule: sleep 1 ms, then 2, 4, 8 ... capped at 100 ms; ten attempts
/// sleep 327 ms in all, far past the ~1 ms a forked sibling needs to reach
/// its exec and drop the inherited writable descriptor (the usual cause,
/// golang/go#22315). The error returned is the one `f` returned last, with
/// its `kind()` and `raw_os_error()`.
///
/// `attempts` counts calls of `f`, and every wait is a sleep: `f` is any
/// closure, so there is no file to watch. To retry the moment a writer
/// closes the program instead (Linux), and for a time budget rather than a
/// count, use [`SpawnRetryExt`](crate::SpawnRetryExt)'s spawns or
/// [`RetryPolicy::run_on`] with the program's path.
///
/// ```
/// use std::process::Command;
/// # let dir = tempfile::tempdir()?;
/// # let stub = flakeproof::install_executable_stub(dir.path(), "hello", "#!/bin/sh\necho hi\n")?;
/// let out = flakeproof::retry_etxtbsy(10, || Command::new(&stub).output())?;
/// # #[cfg(unix)]
/// assert_eq!(out.stdout, b"hi\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn retry_etxtbsy<T>(attempts: u32, mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    // The policy is built only after a failure: building and dropping it
    // cost 17 ns a call, most of the happy path's overhead.
    match f() {
        Ok(v) => Ok(v),
        Err(e) => {
            RetryPolicy::etxtbsy()
                .attempts(attempts)
                .drive(f, Some(e), false)
                .0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::clock::ManualClock;
    use std::sync::Mutex;

    fn busy() -> io::Error {
        io::Error::from(io::ErrorKind::ExecutableFileBusy)
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn manual(policy: RetryPolicy) -> (RetryPolicy, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new());
        (policy.clock(clock.clone()), clock)
    }

    /// A closure that fails with `errs` in turn, then succeeds.
    fn script(errs: Vec<io::Error>) -> impl FnMut() -> io::Result<u32> {
        let mut errs = errs.into_iter();
        let mut calls = 0;
        move || {
            calls += 1;
            match errs.next() {
                Some(e) => Err(e),
                None => Ok(calls),
            }
        }
    }

    #[test]
    fn first_call_success_makes_one_call_and_never_sleeps() {
        let (p, clock) = manual(RetryPolicy::etxtbsy());
        let (r, rep) = p.run_with_report(script(vec![]));
        assert_eq!(r.unwrap(), 1);
        assert_eq!(rep.attempts, 1);
        assert_eq!(rep.stop, Stop::Succeeded);
        assert!(clock.sleeps().is_empty());
    }

    #[test]
    fn busy_twice_then_ok_sleeps_the_documented_schedule() {
        let (p, clock) = manual(RetryPolicy::etxtbsy());
        let (r, rep) = p.run_with_report(script(vec![busy(), busy()]));
        assert_eq!(r.unwrap(), 3);
        assert_eq!(rep.attempts, 3);
        assert_eq!(clock.sleeps(), [ms(1), ms(2)]);
        assert_eq!(rep.slept, ms(3));
        assert_eq!(rep.elapsed, ms(3));
    }

    #[test]
    fn default_schedule_caps_at_100ms() {
        let (p, clock) = manual(RetryPolicy::etxtbsy());
        let (r, rep) = p.run_with_report(|| Err::<(), _>(busy()));
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::ExecutableFileBusy);
        assert_eq!(rep.attempts, 10);
        assert_eq!(rep.stop, Stop::AttemptsExhausted);
        assert_eq!(
            clock.sleeps(),
            [1, 2, 4, 8, 16, 32, 64, 100, 100].map(ms).to_vec()
        );
    }

    #[test]
    fn permanent_error_returns_at_once_untouched() {
        let (p, clock) = manual(RetryPolicy::etxtbsy());
        let (r, rep) = p.run_with_report(script(vec![io::Error::from_raw_os_error(13)]));
        let e = r.unwrap_err();
        assert_eq!(e.raw_os_error(), Some(13));
        assert_eq!(e.kind(), io::Error::from_raw_os_error(13).kind());
        assert_eq!((rep.attempts, rep.stop), (1, Stop::Permanent));
        assert!(clock.sleeps().is_empty());
    }

    #[test]
    fn zero_attempts_behaves_as_one() {
        let (p, _) = manual(RetryPolicy::etxtbsy().attempts(0));
        let (r, rep) = p.run_with_report(|| Err::<(), _>(busy()));
        assert!(r.is_err());
        assert_eq!((rep.attempts, rep.stop), (1, Stop::AttemptsExhausted));
    }

    #[test]
    fn the_last_error_is_returned_not_the_first() {
        let (p, _) = manual(RetryPolicy::new(Classifier::new(|_| true)).attempts(3));
        let errs = vec![
            io::Error::from_raw_os_error(11),
            io::Error::from_raw_os_error(16),
            io::Error::from_raw_os_error(26),
        ];
        let e = p.run(script(errs)).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(26));
    }

    #[test]
    fn backoff_running_out_stops_with_the_last_error() {
        let (p, clock) = manual(
            RetryPolicy::etxtbsy()
                .attempts(100)
                .backoff(Backoff::list([ms(5), ms(7)])),
        );
        let (r, rep) = p.run_with_report(|| Err::<(), _>(busy()));
        assert!(r.is_err());
        assert_eq!((rep.attempts, rep.stop), (3, Stop::BackoffExhausted));
        assert_eq!(clock.sleeps(), [ms(5), ms(7)]);
    }

    #[test]
    fn budget_counts_time_spent_in_the_calls_too() {
        let clock = Arc::new(ManualClock::new());
        let c = clock.clone();
        let p = RetryPolicy::etxtbsy()
            .attempts(100)
            .backoff(Backoff::constant(ms(10)))
            .budget(ms(50))
            .clock(clock.clone());
        // Each call "works" 15 ms. t=15 fail, sleep to 25; t=40 fail, sleep to 50
        // (ends exactly at the budget: allowed); t=65 fail, 75 > 50: stop.
        let (r, rep) = p.run_with_report(|| {
            c.advance(ms(15));
            Err::<(), _>(busy())
        });
        assert!(r.is_err());
        assert_eq!(rep.stop, Stop::BudgetExhausted);
        assert_eq!(rep.attempts, 3);
        assert_eq!(rep.elapsed, ms(65));
        assert_eq!(rep.slept, ms(20));
    }

    #[test]
    fn hook_sees_each_failed_attempt_error_and_delay() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        let (p, _) = manual(RetryPolicy::etxtbsy().on_retry(move |ev| {
            l.lock()
                .unwrap()
                .push((ev.attempt, ev.error.kind(), ev.next_delay))
        }));
        p.run(script(vec![busy(), busy()])).unwrap();
        let k = io::ErrorKind::ExecutableFileBusy;
        assert_eq!(*log.lock().unwrap(), [(1, k, ms(1)), (2, k, ms(2))]);
    }

    #[test]
    fn policy_is_reusable_and_each_run_restarts_the_schedule() {
        let (p, clock) = manual(RetryPolicy::etxtbsy());
        p.run(script(vec![busy()])).unwrap();
        p.run(script(vec![busy()])).unwrap();
        assert_eq!(clock.sleeps(), [ms(1), ms(1)]);
    }

    #[test]
    fn seeded_jitter_separates_runs_and_threads_but_repeats_per_run_index() {
        let sleeps_of = |policy: &RetryPolicy, clock: &ManualClock, runs: usize| {
            for _ in 0..runs {
                let _ = policy.run(|| Err::<(), _>(busy()));
            }
            clock.sleeps()
        };
        let (p, clock) = manual(RetryPolicy::etxtbsy().attempts(4).jitter(Jitter::Seeded(9)));
        let two_runs = sleeps_of(&p, &clock, 2);
        assert_ne!(two_runs[..3], two_runs[3..], "runs sleep in lockstep");
        // A clone (another thread's copy) continues the run count.
        let (p2, clock2) = manual(p.clone());
        let third = sleeps_of(&p2, &clock2, 1);
        assert_ne!(third[..], two_runs[3..]);
        // Same seed, fresh policy: the same delays, run by run.
        let (again, clock3) = manual(RetryPolicy::etxtbsy().attempts(4).jitter(Jitter::Seeded(9)));
        assert_eq!(sleeps_of(&again, &clock3, 2), two_runs);
        for d in &two_runs {
            assert!(*d <= ms(4));
        }
    }

    #[test]
    fn any_cloneable_iterator_is_a_schedule_and_restarts_each_run() {
        let linear = (1..=3u32).map(|k| ms(20) * k);
        let (p, clock) = manual(RetryPolicy::etxtbsy().attempts(100).backoff(linear));
        let (_, rep) = p.run_with_report(|| Err::<(), _>(busy()));
        assert_eq!(rep.stop, Stop::BackoffExhausted);
        let _ = p.run(|| Err::<(), _>(busy()));
        assert_eq!(clock.sleeps(), [20, 40, 60, 20, 40, 60].map(ms));
    }

    /// A waker that plays a script: whether arming works, then whether each
    /// wait ends in an event; it records what the engine asked.
    struct ScriptedWaker {
        arms: bool,
        events: std::vec::IntoIter<bool>,
        armed: u32,
        waits: Vec<Duration>,
    }

    impl ScriptedWaker {
        fn new(arms: bool, events: Vec<bool>) -> Self {
            ScriptedWaker {
                arms,
                events: events.into_iter(),
                armed: 0,
                waits: Vec::new(),
            }
        }
    }

    impl Wake for ScriptedWaker {
        fn arm(&mut self, _err: &io::Error) -> bool {
            self.armed += 1;
            self.arms
        }
        fn wait(&mut self, max: Duration) -> bool {
            self.waits.push(max);
            self.events.next().unwrap_or(false)
        }
    }

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    #[test]
    fn an_armed_waker_retries_at_once_then_waits_at_most_the_schedule() {
        // Busy 4 times: arm + immediate retry, then two timeouts (1, 2 ms at
        // most), then an event, then success.
        let mut w = ScriptedWaker::new(true, vec![false, false, true]);
        let hooks = Arc::new(Mutex::new(Vec::new()));
        let h = hooks.clone();
        let p = RetryPolicy::etxtbsy().on_retry(move |ev| h.lock().unwrap().push(ev.next_delay));
        let (r, rep) = p.drive_waking(
            script(vec![busy(), busy(), busy(), busy()]),
            None,
            true,
            Some(&mut w),
        );
        assert_eq!(r.unwrap(), 5);
        assert_eq!((rep.attempts, rep.woken), (5, 1));
        assert_eq!(w.armed, 1, "armed once, at the first failure");
        assert_eq!(w.waits, [ms(1), ms(2), ms(4)]);
        assert_eq!(*hooks.lock().unwrap(), [ms(0), ms(1), ms(2), ms(4)]);
    }

    #[test]
    fn a_retry_refused_right_after_a_wake_up_waits_50us_doubling_then_the_schedule() {
        // Event, then the write count had not dropped yet: 50, 100 ... 800 µs,
        // then back to the schedule where it stood.
        let mut w = ScriptedWaker::new(true, vec![true]);
        let p = RetryPolicy::etxtbsy().attempts(100);
        let errs = (0..9).map(|_| busy()).collect();
        let (r, rep) = p.drive_waking(script(errs), None, false, Some(&mut w));
        assert!(r.is_ok());
        assert_eq!(rep.woken, 1);
        assert_eq!(
            w.waits,
            [
                ms(1),
                us(50),
                us(100),
                us(200),
                us(400),
                us(800),
                ms(2),
                ms(4)
            ]
        );
    }

    #[test]
    fn a_waker_that_cannot_arm_leaves_the_schedule_exactly_as_it_was() {
        let mut w = ScriptedWaker::new(false, vec![]);
        let (p, clock) = manual(RetryPolicy::etxtbsy());
        // A manual clock: the waker is never even asked.
        let (_, rep) = p.drive_waking(|| Err::<(), _>(busy()), None, true, Some(&mut w));
        assert_eq!((w.armed, rep.woken), (0, 0));
        assert_eq!(clock.sleeps().iter().sum::<Duration>(), ms(327));
        // The system clock, a waker that can't arm: slept (for real) as
        // before, and the waker is never waited on.
        let mut w = ScriptedWaker::new(false, vec![]);
        let p = RetryPolicy::etxtbsy().attempts(3);
        let (_, rep) = p.drive_waking(|| Err::<(), _>(busy()), None, true, Some(&mut w));
        assert_eq!((w.armed, rep.attempts, rep.slept), (1, 3, ms(3)));
        assert!(w.waits.is_empty());
    }

    #[test]
    fn event_driven_false_and_permanent_errors_never_arm() {
        let mut w = ScriptedWaker::new(true, vec![]);
        let p = RetryPolicy::etxtbsy().attempts(2).event_driven(false);
        let _ = p.drive_waking(|| Err::<(), _>(busy()), None, false, Some(&mut w));
        let p = RetryPolicy::etxtbsy();
        let enoent = || Err::<(), _>(io::Error::from_raw_os_error(2));
        let (_, rep) = p.drive_waking(enoent, None, false, Some(&mut w));
        assert_eq!(rep.stop, Stop::Permanent);
        assert_eq!(w.armed, 0);
    }

    #[test]
    fn the_budget_bounds_an_event_driven_run_like_a_sleeping_one() {
        // Every wait times out (after sleeping its whole length, for real);
        // the budget, not the unlimited attempts, stops it, and no wait was
        // allowed to end past it, however the sleeps ran late.
        struct Sleepy(u32);
        impl Wake for Sleepy {
            fn arm(&mut self, _: &io::Error) -> bool {
                true
            }
            fn wait(&mut self, max: Duration) -> bool {
                self.0 += 1;
                std::thread::sleep(max);
                false
            }
        }
        let mut w = Sleepy(0);
        // for_spawn's shape, with a classifier that retries ETXTBSY on
        // every OS (Windows' spawns retry sharing violations instead).
        let p = RetryPolicy::for_spawn()
            .classifier(Classifier::etxtbsy())
            .budget(ms(20));
        let (_, rep) = p.drive_waking(|| Err::<(), _>(busy()), None, true, Some(&mut w));
        assert_eq!(rep.stop, Stop::BudgetExhausted);
        assert!(rep.slept <= rep.elapsed && rep.attempts == w.0 + 2);
        assert!(w.0 <= 4, "1+2+4+8+16 ms is past the budget: {} waits", w.0);
    }
}
