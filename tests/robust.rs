//! flakeproof::robust rides out transient errors within its budget, never
//! retries permanent ones, and shows every retry.

use std::io;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use flakeproof::fault::FaultPlan;
use flakeproof::robust::{Budget, Robust};
use flakeproof::{ManualClock, Op};

/// An error this OS calls transient for `op`, by name.
fn transient(op: Op) -> &'static str {
    match (cfg!(windows), op) {
        (true, _) => "ERROR_SHARING_VIOLATION",
        (false, Op::Copy) => "ETXTBSY", // a copy over a running program
        (false, _) => unreachable!("nothing else is transient on Unix but ETXTBSY"),
    }
}

#[test]
fn a_transient_error_is_ridden_out_and_every_retry_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a"), "xy").unwrap();
    let g = FaultPlan::parse(&format!("copy(*/b)={}@1..3", transient(Op::Copy)))
        .unwrap()
        .activate();
    let seen = Arc::new(AtomicU32::new(0));
    let s = seen.clone();
    let clock = Arc::new(ManualClock::new());
    let (bytes, report) = Robust::new()
        .clock(clock.clone())
        .on_retry(move |_| {
            s.fetch_add(1, Ordering::SeqCst);
        })
        .copy(dir.path().join("a"), dir.path().join("b"))
        .unwrap();
    assert_eq!(std::fs::read(dir.path().join("b")).unwrap(), b"xy");
    if cfg!(unix) {
        // Under Wine, CopyFileExW never calls std's progress routine, so
        // std::fs::copy itself reports 0 bytes there.
        assert_eq!(bytes, 2);
    }
    assert_eq!(report.attempts, 4);
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    assert_eq!(g.injected(Op::Copy, "*"), 3);
    assert_eq!(clock.sleeps(), [10, 20, 40].map(Duration::from_millis));
}

#[test]
fn a_permanent_error_returns_at_once_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let seen = Arc::new(AtomicU32::new(0));
    let s = seen.clone();
    let e = Robust::new()
        .on_retry(move |_| {
            s.fetch_add(1, Ordering::SeqCst);
        })
        .rename(dir.path().join("missing"), dir.path().join("b"))
        .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
    assert!(e.raw_os_error().is_some(), "the OS's error, unwrapped");
    assert_eq!(seen.load(Ordering::SeqCst), 0);
}

#[test]
fn each_budget_gives_up_when_its_time_is_spent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a"), "x").unwrap();
    let _g = FaultPlan::parse(&format!("copy={}", transient(Op::Copy)))
        .unwrap()
        .activate();
    for (budget, limit) in [
        (Budget::ProcessExit, Duration::from_secs(2)),
        (Budget::Antivirus, Duration::from_secs(60)),
    ] {
        let clock = Arc::new(ManualClock::new());
        let e = Robust::new()
            .budget(budget)
            .clock(clock.clone())
            .copy(dir.path().join("a"), dir.path().join("b"))
            .unwrap_err();
        assert!(flakeproof::is_transient_error(
            flakeproof::Os::CURRENT,
            Op::Copy,
            &e
        ));
        let slept: Duration = clock.sleeps().iter().sum();
        assert!(
            slept <= limit && slept > limit * 9 / 10,
            "{budget:?}: slept {slept:?}"
        );
    }
}

#[test]
fn cleanup_of_a_missing_dir_is_quiet_and_of_a_real_one_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("scratch");
    assert!(Robust::new().cleanup(&scratch).is_none());
    std::fs::create_dir_all(scratch.join("a/b")).unwrap();
    std::fs::write(scratch.join("a/b/f"), "x").unwrap();
    assert!(Robust::new().cleanup(&scratch).is_none());
    assert!(!scratch.exists());
}

/// The Windows daemon's case: a file held by a handle that only a garbage
/// collector lets go of. A `held(..)` rule stands for it; the application's
/// hook, which empties its handle cache, is what frees the file. Without
/// the hook the budget runs out on the same plan.
#[test]
fn a_handle_only_the_retry_hook_lets_go_of_is_freed_by_the_hook() {
    use std::sync::Mutex;
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::write(&from, "xy").unwrap();
    let rule = format!("copy(*/b)=held({})", transient(Op::Copy));

    let plan = FaultPlan::parse(&rule).unwrap();
    let cache = Arc::new(Mutex::new(vec![plan.held_handle()]));
    let g = plan.activate();
    let clock = Arc::new(ManualClock::new());
    let c = cache.clone();
    let (_, report) = Robust::new()
        .clock(clock.clone())
        .on_retry(move |_| c.lock().unwrap().clear())
        .copy(&from, &to)
        .unwrap();
    assert_eq!(report.attempts, 2);
    assert_eq!(g.injected(Op::Copy, "*"), 1);
    drop(g);

    let plan = FaultPlan::parse(&rule).unwrap();
    let _kept = plan.held_handle(); // nobody lets go of it
    let g = plan.activate();
    let err = Robust::new()
        .clock(clock)
        .on_retry(|_| {}) // a hook that only logs frees nothing
        .copy(&from, &to)
        .unwrap_err();
    assert!(
        flakeproof::is_transient_error(flakeproof::Os::CURRENT, Op::Copy, &err),
        "{err}"
    );
    assert!(g.injected(Op::Copy, "*") > 10);
}
