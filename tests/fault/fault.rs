//! Fault plans scoped to the test that asked, with kernel-identical errors.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use flakeproof::fault::{FaultPlan, Outcome};
use flakeproof::{
    Op, RetryPolicy, StubInstaller, fs,
    install::{InstallStep, Strategy},
    retry::{ManualClock, Stop},
};
#[cfg(unix)]
use {
    flakeproof::process::Command,
    flakeproof::{SpawnRetryExt, install_executable_stub},
    std::io,
    std::path::{Path, PathBuf},
    std::sync::Barrier,
};

/// An error, as this OS names and numbers it: the Unix name or the Windows one.
fn named(unix: &'static str, windows: &'static str) -> (&'static str, i32) {
    let name = if cfg!(windows) { windows } else { unix };
    (name, flakeproof::errno::by_name(name).unwrap())
}

fn plan(text: &str) -> FaultPlan {
    FaultPlan::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[cfg(unix)]
fn stub(dir: &Path, name: &str) -> PathBuf {
    install_executable_stub(dir, name, "#!/bin/sh\necho ran\n").unwrap()
}

#[cfg(unix)]
/// A user's own retry loop, as code under test would have it.
fn run_with_my_retry(path: &Path) -> (io::Result<Vec<u8>>, u32) {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match Command::new(path).output() {
            // flakeproof: allow(hand-rolled-etxtbsy-retry) a user's own retry loop, the code under test for the injected ETXTBSY
            Err(e) if e.kind() == io::ErrorKind::ExecutableFileBusy && attempts < 5 => {
                std::thread::sleep(Duration::from_millis(1));
            }
            r => return (r.map(|o| o.stdout), attempts),
        }
    }
}

#[cfg(unix)]
#[test]
fn etxtbsy_on_the_first_two_spawns_makes_retry_code_try_three_times_while_a_concurrent_thread_sees_none()
 {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let (a, b) = (stub(dir.path(), "stub-a"), stub(dir.path(), "stub-b"));
    let both_running = Arc::new(Barrier::new(2));
    let both_spawned = Arc::new(Barrier::new(2));

    let with_plan = {
        let (both_running, both_spawned, a) =
            (both_running.clone(), both_spawned.clone(), a.clone());
        std::thread::spawn(move || {
            let guard = plan("spawn(*/stub-*)=ETXTBSY@1..2").activate();
            both_running.wait();
            let (out, attempts) = run_with_my_retry(&a);
            both_spawned.wait();
            assert_eq!(out.unwrap(), b"ran\n");
            assert_eq!(attempts, 3);
            assert_eq!(guard.attempts(Op::Spawn, "*/stub-a"), 3);
            assert_eq!(guard.injected(Op::Spawn, "*"), 2);
            guard.calls()
        })
    };
    let without_plan = std::thread::spawn(move || {
        both_running.wait(); // the other thread's plan is active now
        let (out, attempts) = run_with_my_retry(&b);
        both_spawned.wait();
        assert_eq!(out.unwrap(), b"ran\n");
        attempts
    });
    let calls = with_plan.join().unwrap();
    assert_eq!(
        without_plan.join().unwrap(),
        1,
        "a plan leaked into another thread"
    );
    // Only the planned thread's calls were recorded.
    assert!(calls.iter().all(|c| c.path == a), "{calls:?}");
}

/// Two #[test]s that meet while both are running, when the harness runs them
/// in parallel (the default); each must see only its own plan.
fn rendezvous() {
    static MET: (Mutex<u32>, Condvar) = (Mutex::new(0), Condvar::new());
    let (lock, cv) = &MET;
    let mut n = lock.lock().unwrap();
    *n += 1;
    cv.notify_all();
    // With --test-threads=1 the other never comes: go on alone after 5 s.
    let _ = cv
        .wait_timeout_while(n, Duration::from_secs(5), |n| *n < 2)
        .unwrap();
}

#[test]
fn parallel_test_with_a_plan_sees_its_faults() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let (ro, ro_code) = named("EROFS", "ERROR_WRITE_PROTECT");
    let _g = plan(&format!("create_dir={ro}")).activate();
    rendezvous();
    for i in 0..50 {
        let e = fs::create_dir(dir.path().join(format!("d{i}"))).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(ro_code));
    }
}

#[test]
fn parallel_test_without_a_plan_sees_none() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    rendezvous();
    for i in 0..50 {
        fs::create_dir(dir.path().join(format!("d{i}"))).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn injected_errors_are_identical_to_the_kernels() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let missing = dir.path().join("missing");
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    // Real errors from the kernel...
    let real = [
        std::fs::remove_file(&missing).unwrap_err(), // ENOENT
        std::fs::remove_dir(&file).unwrap_err(),     // ENOTDIR
        std::fs::read(dir.path()).unwrap_err(),      // EISDIR
    ];
    // ...and the same ones injected, for operations that would have succeeded.
    let g = plan("remove_file=ENOENT; create_dir=ENOTDIR; open=EISDIR").activate();
    let injected = [
        fs::remove_file(&file).unwrap_err(),
        fs::create_dir(dir.path().join("new")).unwrap_err(),
        fs::read(&file).unwrap_err(),
    ];
    for (r, i) in real.iter().zip(&injected) {
        assert_eq!(r.raw_os_error(), i.raw_os_error());
        assert_eq!(r.kind(), i.kind());
        assert_eq!(r.to_string(), i.to_string());
    }
    drop(g);
    assert!(file.exists(), "an injected failure must not make the call");
}

/// Every OS call of an install, in order, for each strategy: the rule that
/// fails it (`@2` for the second call of an operation), and the step the
/// error must name. On Linux, on a local filesystem, the read lease alone
/// decides the barrier, so the writer's flock is not taken. In a directory
/// others can write to (0o777), the reopened file is checked to be the one
/// written (Identify); in a temp dir (ours alone, 0o700) nobody else can swap
/// it, and that call is not made (see `steps_in`).
const BARRIER_STEPS: &[(&str, InstallStep)] = &[
    ("metadata@1", InstallStep::Classify),
    ("open_write", InstallStep::Create),
    ("write", InstallStep::Write),
    ("metadata@2", InstallStep::Identify),
    ("close", InstallStep::Close),
    ("open", InstallStep::Reopen),
    ("lock", InstallStep::Barrier),
    ("set_permissions", InstallStep::SetMode),
    ("sync@1", InstallStep::SyncFile),
    ("rename", InstallStep::Rename),
    ("sync@2", InstallStep::SyncDir),
];
/// The first metadata call only asks the filesystem's kind, for the
/// durability report: best effort, it can't fail an install (a test below).
const CHILD_STEPS: &[(&str, InstallStep)] = &[
    ("open_write", InstallStep::Create),
    ("write", InstallStep::Write),
    ("close", InstallStep::Close),
    ("open", InstallStep::Reopen),
    ("set_permissions", InstallStep::SetMode),
    ("sync@1", InstallStep::SyncFile),
    ("rename", InstallStep::Rename),
    ("sync@2", InstallStep::SyncDir),
];

/// Where exec does not refuse a file open for writing (Windows, macOS),
/// nothing is reopened or waited for: mode and fsync use the first handle.
const NO_WAIT_STEPS: &[(&str, InstallStep)] = &[
    ("open_write", InstallStep::Create),
    ("write", InstallStep::Write),
    ("set_permissions", InstallStep::SetMode),
    ("sync@1", InstallStep::SyncFile),
    ("close", InstallStep::Close),
    ("rename", InstallStep::Rename),
    ("sync@2", InstallStep::SyncDir),
];

type Steps = &'static [(&'static str, InstallStep)];

/// Each strategy this OS supports, with the calls it makes, and whether
/// the directory is to be shared (0o777).
fn strategies() -> Vec<(Strategy, bool, Steps)> {
    if cfg!(any(windows, target_vendor = "apple")) {
        let mut v = vec![(Strategy::DrainBarrier, false, NO_WAIT_STEPS)];
        if cfg!(unix) {
            v.push((Strategy::ChildWriter, false, CHILD_STEPS));
        }
        v
    } else {
        vec![
            (Strategy::DrainBarrier, false, BARRIER_STEPS),
            (Strategy::DrainBarrier, true, BARRIER_STEPS),
            (Strategy::ChildWriter, false, CHILD_STEPS),
        ]
    }
}

/// A temp dir to install in; shared: writable by all.
fn install_dir(shared: bool) -> Option<tempfile::TempDir> {
    let dir = crate::common::exec_tempdir()?;
    if shared {
        // Shared directories are a Unix question here (strategies() asks
        // for one only on Linux).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let all = std::fs::Permissions::from_mode(0o777);
            std::fs::set_permissions(dir.path(), all).unwrap();
        }
    }
    Some(dir)
}

/// The steps an install makes in `dir`: on a filesystem in memory (tmpfs,
/// a TMPDIR there), fsync does nothing and isn't called; in a dir that is
/// not shared, the identity isn't checked; on FUSE, where a refused lease
/// is believed only while flock sees the writer too, the barrier takes the
/// writer's flock before writing (`lock@1`) as well as its own (`lock@2`).
fn steps_in(dir: &std::path::Path, shared: bool, steps: Steps) -> Vec<(&'static str, InstallStep)> {
    let report = StubInstaller::new()
        .install_with_report(dir, "probe", "")
        .unwrap();
    std::fs::remove_file(dir.join("probe")).unwrap();
    let in_memory = report.durability == flakeproof::install::Durability::Unsupported;
    let mut steps: Vec<_> = steps
        .iter()
        .copied()
        .filter(|(rule, _)| !(in_memory && rule.starts_with("sync")))
        .filter(|(_, step)| shared || *step != InstallStep::Identify)
        .collect();
    if on_fuse(dir) && steps.iter().any(|(_, s)| *s == InstallStep::Barrier) {
        let create = steps.iter().position(|(r, _)| *r == "open_write").unwrap();
        steps.insert(create + 1, ("lock@1", InstallStep::Lock));
        for (rule, _) in steps.iter_mut().filter(|(_, s)| *s == InstallStep::Barrier) {
            *rule = "lock@2";
        }
    }
    steps
}

/// Is `dir` on a FUSE filesystem (bindfs in CI's matrix)? Asked of the
/// kernel directly, not of flakeproof, whose answer is under test.
fn on_fuse(dir: &std::path::Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        const FUSE_SUPER_MAGIC: libc::c_long = 0x6573_5546;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).unwrap();
        // SAFETY: statfs fills the struct; the path is NUL-terminated.
        let mut st: libc::statfs = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::statfs(c.as_ptr(), &mut st) };
        r == 0 && st.f_type as libc::c_long == FUSE_SUPER_MAGIC
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        false
    }
}

#[test]
fn every_step_of_an_install_can_fail_and_leaves_nothing_behind() {
    // A raw code no filesystem gives: it must surface as is, from the step
    // that was failed, wherever that step runs (the child writer's too).
    const ERRNO: i32 = 1234;
    for (strategy, shared, steps) in strategies() {
        let Some(probe_dir) = install_dir(shared) else {
            return;
        };
        for (rule, step) in steps_in(probe_dir.path(), shared, steps) {
            let Some(dir) = install_dir(shared) else {
                return;
            };
            let (op, at) = rule.split_once('@').unwrap_or((rule, "1"));
            let g = plan(&format!("{op}={ERRNO}@{at}")).activate();
            let e = StubInstaller::new()
                .strategy(strategy)
                .install(dir.path(), "tool", "#!/bin/sh\n")
                .unwrap_err();
            let what = format!("{strategy:?} shared={shared} {rule}");
            assert_eq!(e.raw_os_error(), Some(ERRNO), "{what}: {e}");
            assert_eq!(e.step(), step, "{what}: {e}");
            let injected: Vec<_> = g.calls().into_iter().filter(|c| c.injected()).collect();
            assert_eq!(injected.len(), 1, "{what}: {injected:?}");
            let left = crate::common::entries(dir.path());
            if step == InstallStep::SyncDir {
                // After the rename: the stub is in place, and the error says so.
                assert!(e.is_installed(), "{what}");
                assert_eq!(left, ["tool"], "{what}");
            } else {
                assert!(!e.is_installed(), "{what}");
                assert!(left.is_empty(), "{what}: {left:?}");
            }
        }
    }
}

#[test]
fn the_steps_listed_above_are_every_call_an_install_makes() {
    // If an install gained a call, the table above would miss a step.
    for (strategy, shared, steps) in strategies() {
        let Some(dir) = install_dir(shared) else {
            return;
        };
        let steps = steps_in(dir.path(), shared, steps);
        let g = plan("").activate();
        StubInstaller::new()
            .strategy(strategy)
            .install(dir.path(), "tool", "#!/bin/sh\n")
            .unwrap();
        let made: Vec<String> = g.calls().iter().map(|c| c.op.name().to_owned()).collect();
        let mut listed: Vec<String> = steps
            .iter()
            .map(|(rule, _)| rule.split('@').next().unwrap().to_owned())
            .collect();
        // Two calls that can't fail an install (a test below fails them):
        // on Windows the sweep for asides lists the directory before the
        // rename; where the barrier does not classify the filesystem, the
        // durability report asks for its kind first.
        if cfg!(windows) {
            let rename = listed.iter().position(|op| op == "rename").unwrap();
            listed.insert(rename, "metadata".to_owned());
        }
        if strategy == Strategy::ChildWriter || !cfg!(target_os = "linux") {
            listed.insert(0, "metadata".to_owned());
        }
        assert_eq!(made, listed, "{strategy:?} shared={shared}");
    }
}

#[test]
fn the_calls_an_install_makes_on_a_best_effort_basis_cannot_fail_it() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    // Every metadata call failed: with the child writer (and on Windows)
    // those are the sweep's listing and the durability report's question.
    let g = plan("metadata=1234").activate();
    let r = StubInstaller::new()
        .strategy(Strategy::ChildWriter)
        .install_with_report(dir.path(), "tool", "#!/bin/sh\n");
    let r = match r {
        Ok(r) => r,
        // The child writer doesn't exist on Windows: the default there.
        Err(e) if e.step() == InstallStep::StartWriter => StubInstaller::new()
            .install_with_report(dir.path(), "tool", "#!/bin/sh\n")
            .unwrap(),
        Err(e) => panic!("{e}"),
    };
    assert!(g.injected(Op::Metadata, "*") >= 1);
    assert_eq!(r.durability, flakeproof::install::Durability::Uncertain);
}

#[test]
fn a_scope_carries_the_plan_and_its_counters_into_spawned_threads() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let g = plan(&format!(
        "create_dir(*/w*)={}@2..3",
        named("EEXIST", "ERROR_ALREADY_EXISTS").0
    ))
    .activate();
    let scope = g.scope();
    let d = dir.path().to_owned();
    let results: Vec<bool> = std::thread::spawn(move || {
        let _in = scope.enter();
        (0..4)
            .map(|i| fs::create_dir(d.join(format!("w{i}"))).is_ok())
            .collect()
    })
    .join()
    .unwrap();
    assert_eq!(results, [true, false, false, true]);
    // A thread that did not enter sees nothing.
    let d = dir.path().to_owned();
    std::thread::spawn(move || fs::create_dir(d.join("w9")).unwrap())
        .join()
        .unwrap();
    assert_eq!(g.attempts(Op::CreateDir, "*"), 4);
}

#[test]
fn the_inner_plan_wins_and_the_outer_resumes() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let (ro, ro_code) = named("EROFS", "ERROR_WRITE_PROTECT");
    let (full, full_code) = named("ENOSPC", "ERROR_DISK_FULL");
    let outer = plan(&format!("create_dir={ro}")).activate();
    {
        let _inner = plan(&format!("create_dir={full}")).activate();
        let e = fs::create_dir(dir.path().join("a")).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(full_code));
    }
    let e = fs::create_dir(dir.path().join("a")).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(ro_code));
    drop(outer);
    fs::create_dir(dir.path().join("a")).unwrap();
}

#[test]
fn delay_slows_the_call_and_records_it() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let clock = Arc::new(ManualClock::new());
    let g = plan("write=delay(30ms)").clock(clock.clone()).activate();
    fs::write(dir.path().join("f"), "x").unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_millis(30)]);
    let delayed: Vec<_> = g
        .calls()
        .into_iter()
        .filter(|c| c.op == Op::Write)
        .collect();
    assert_eq!(
        delayed[0].outcome,
        Outcome::Delayed(Duration::from_millis(30))
    );
}

#[test]
fn busy_window_is_ridden_out_by_a_retry_policy() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let (from, to) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::write(&from, "x").unwrap();
    // One clock for the plan's busy window and the policy's sleeps: the
    // retries run instantly and always take the same attempts.
    let clock = Arc::new(ManualClock::new());
    let (busy, busy_code) = named("EBUSY", "ERROR_BUSY");
    let g = plan(&format!("rename=busy({busy},40ms)"))
        .clock(clock.clone())
        .activate();
    let policy = RetryPolicy::new(flakeproof::Classifier::new(move |e| {
        e.raw_os_error() == Some(busy_code)
    }))
    .attempts(100)
    .budget(Duration::from_secs(5))
    .clock(clock.clone());
    let (r, report) = policy.run_with_report(|| fs::rename(&from, &to));
    r.unwrap();
    assert_eq!(report.stop, Stop::Succeeded);
    // Fails at t = 0, 1, 3, 7, 15, 31 ms; passes at 63 ms, past the 40 ms window.
    assert_eq!(report.attempts, 7);
    assert_eq!(report.elapsed, Duration::from_millis(63));
    assert_eq!(g.injected(Op::Rename, "*") as u32, report.attempts - 1);
    assert!(to.exists());
}

#[test]
fn same_seed_same_faults() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let run = || {
        let _g = plan(&format!(
            "create_dir={}@p0.3/seed=1234",
            named("EAGAIN", "ERROR_BUSY").0
        ))
        .activate();
        (0..200)
            .map(|i| {
                let p = dir.path().join(format!("x{i}"));
                let ok = fs::create_dir(&p).is_ok();
                let _ = std::fs::remove_dir(&p);
                ok
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let failed = a.iter().filter(|ok| !**ok).count();
    assert!((30..90).contains(&failed), "{failed} of 200 at p=0.3");
}

#[cfg(unix)]
#[test]
fn flakeproofs_own_spawn_retry_rides_out_an_injected_sequence() {
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let s = stub(dir.path(), "tool");
    let g = plan("spawn(*/tool)=ETXTBSY@1..4").activate();
    let out = std::process::Command::new(&s).output_retrying().unwrap();
    assert_eq!(out.stdout, b"ran\n");
    assert_eq!(g.attempts(Op::Spawn, "*/tool"), 5);
    // ENOENT is not transient: one attempt, the injected error returned as is.
    let g2 = plan("spawn=ENOENT").activate();
    let e = std::process::Command::new(&s)
        .status_retrying()
        .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::NotFound);
    assert_eq!(g2.attempts(Op::Spawn, "*"), 1);
}

#[test]
fn the_record_lists_every_call_in_order_even_identical_repeats() {
    let g = plan(&format!(
        "remove_file(*/b)={}@3",
        named("EBUSY", "ERROR_BUSY").0
    ))
    .activate();
    for p in [
        "/nx/a", "/nx/a", "/nx/a", "/nx/b", "/nx/b", "/nx/b", "/nx/a",
    ] {
        let _ = fs::remove_file(p);
    }
    let seen: Vec<(String, bool)> = g
        .calls()
        .iter()
        .map(|c| (c.path.display().to_string(), c.injected()))
        .collect();
    let want = [
        ("/nx/a", false),
        ("/nx/a", false),
        ("/nx/a", false),
        ("/nx/b", false),
        ("/nx/b", false),
        ("/nx/b", true),
        ("/nx/a", false),
    ];
    assert_eq!(seen, want.map(|(p, i)| (p.to_string(), i)));
    assert_eq!(g.attempts(Op::RemoveFile, "*/a"), 4);
    assert_eq!(g.injected(Op::RemoveFile, "*"), 1);
}
