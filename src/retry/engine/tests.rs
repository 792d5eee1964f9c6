//! Unit tests of the retry loop (`engine.rs`) through the policy's builders,
//! on a manual clock and a scripted waker: no real sleep, no OS.

use super::*;
use crate::classify::Classifier;
use crate::retry::backoff::Backoff;
use crate::retry::clock::ManualClock;
use std::sync::{Arc, Mutex};

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
