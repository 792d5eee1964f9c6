//! Retry policies: how many attempts, how long between them, for how long in
//! all, and which errors are worth another try.
//!
//! The engine makes no OS call: time and sleep come from a [`Clock`] (the
//! real one by default, a [`ManualClock`] in tests), so a retry loop is
//! tested in microseconds and deterministically.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use super::backoff::Backoff;
use super::clock::Clock;
#[cfg(doc)]
use super::clock::ManualClock;
use super::report::{RetryEvent, RetryReport};
use crate::classify::Classifier;
use crate::rng::entropy;

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

pub(super) type Hook = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// A schedule the policy can restart for each run.
pub(super) trait Schedule: Send + Sync {
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
    pub(super) attempts: u32,
    pub(super) backoff: Arc<dyn Schedule>,
    pub(super) backoff_name: &'static str,
    pub(super) jitter: Jitter,
    /// Runs started, shared by clones: each run's jitter stream.
    pub(super) runs: Arc<AtomicU64>,
    /// For `Jitter::Random`: this policy's random base.
    pub(super) entropy: u64,
    pub(super) budget: Option<Duration>,
    pub(super) classifier: Classifier,
    pub(super) on_retry: Option<Hook>,
    pub(super) clock: Option<Arc<dyn Clock>>,
    pub(super) event_driven: bool,
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

    /// Where time comes from and how to sleep; [`SystemClock`](crate::retry::SystemClock) by default.
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
