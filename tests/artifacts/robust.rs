//! flakeproof::robust rides out transient errors within its budget, never
//! retries permanent ones, and shows every retry.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use flakeproof::fault::FaultPlan;
use flakeproof::robust::{Budget, Robust};
use flakeproof::{Op, retry::ManualClock};

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
        assert!(
            flakeproof::Classifier::for_op(Op::Copy)
                .on(flakeproof::classify::Os::CURRENT)
                .is_transient(&e)
        );
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
        flakeproof::Classifier::for_op(Op::Copy)
            .on(flakeproof::classify::Os::CURRENT)
            .is_transient(&err),
        "{err}"
    );
    assert!(g.injected(Op::Copy, "*") > 10);
}

#[cfg(unix)]
#[test]
fn write_atomic_keeps_the_permissions_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, "v1").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    Robust::new().write_atomic(&path, "v2").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "v2");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    assert_eq!(crate::common::entries(dir.path()), ["config"]);
}

/// Each step failed in turn: the error is the OS's, untouched, and nothing
/// but the old file is left.
#[cfg(target_os = "linux")]
#[rstest::rstest]
#[case::create("open_write(*flakeproof-tmp)=EACCES", 13)]
#[case::write("write=ENOSPC", 28)]
#[case::fsync("sync(*flakeproof-tmp)=EIO", 5)]
#[case::close("close=EDQUOT", 122)]
#[case::rename("rename=EXDEV", 18)]
fn a_failed_step_of_write_atomic_leaves_the_old_file_alone(#[case] rule: &str, #[case] code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, "v1").unwrap();
    let err = {
        let _g = FaultPlan::parse(rule).unwrap().activate();
        Robust::new().write_atomic(&path, "v2").unwrap_err()
    };
    assert_eq!(err.raw_os_error(), Some(code), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "v1");
    assert_eq!(crate::common::entries(dir.path()), ["config"]);
}

#[test]
fn write_atomic_refuses_a_path_without_a_file_name() {
    let err = Robust::new().write_atomic("/", "x").unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn replace_with_backup_keeps_each_old_file_under_its_own_dated_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let ops = Robust::new();
    let (none, _) = {
        std::fs::write(dir.path().join("v1"), "v1").unwrap();
        ops.replace_with_backup(dir.path().join("v1"), &db).unwrap()
    };
    assert_eq!(none, None, "nothing to back up");
    let mut backups = Vec::new();
    for v in ["v2", "v3", "v4"] {
        std::fs::write(dir.path().join(v), v).unwrap();
        let (b, _) = ops.replace_with_backup(dir.path().join(v), &db).unwrap();
        backups.push(b.unwrap());
    }
    assert_eq!(std::fs::read_to_string(&db).unwrap(), "v4");
    let kept: Vec<String> = backups
        .iter()
        .map(|b| std::fs::read_to_string(b).unwrap())
        .collect();
    assert_eq!(kept, ["v1", "v2", "v3"]);
    for b in &backups {
        let n = b.file_name().unwrap().to_str().unwrap();
        assert!(
            n.starts_with("app.db.") && n.ends_with(".bak") && n.contains('T'),
            "{n}"
        );
    }
    assert_eq!(
        crate::common::entries(dir.path()).len(),
        4,
        "{:?}",
        crate::common::entries(dir.path())
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_replace_with_backup_leaves_the_old_file_and_no_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (new, db) = (dir.path().join("new"), dir.path().join("app.db"));
    std::fs::write(&new, "v2").unwrap();
    std::fs::write(&db, "v1").unwrap();
    // The backup link is gated under the backup's name, so the rule hits
    // only the rename of `new` over app.db.
    let err = {
        let _g = FaultPlan::parse("rename(*/app.db)=EXDEV")
            .unwrap()
            .activate();
        Robust::new().replace_with_backup(&new, &db).unwrap_err()
    };
    assert_eq!(err.raw_os_error(), Some(18));
    assert_eq!(std::fs::read_to_string(&db).unwrap(), "v1");
    assert_eq!(crate::common::entries(dir.path()), ["app.db", "new"]);
}

#[test]
fn sync_opens_what_it_needs_and_best_effort_hands_the_error_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data");
    std::fs::write(&path, "x").unwrap();
    // Read-only: fsync through a read-only handle fails on Windows; the
    // writable handle flakeproof opens there needs the attribute off,
    // which is the caller's business, so only Unix checks this case.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    Robust::new().sync(&path).unwrap();
    let missing = Robust::new()
        .sync_best_effort(dir.path().join("missing"))
        .expect("an error, handed back");
    assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    #[cfg(target_os = "linux")]
    {
        let _g = FaultPlan::parse("sync=EIO").unwrap().activate();
        let e = Robust::new().sync_best_effort(&path).unwrap();
        assert_eq!(e.raw_os_error(), Some(5));
    }
}
