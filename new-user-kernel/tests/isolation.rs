//! Kernel plans on two threads at once: each thread's plan fails the same
//! kind of call with its own errno, and neither thread ever sees the
//! other's, nor does either plan count the other thread's calls.

mod common;

use std::io;
use std::path::Path;
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::time::Duration;

use flakeproof::fault::{FaultGuard, FaultPlan};
use flakeproof::Op;
use new_user_kernel::{save_atomic, Config};

/// How many saves each thread makes under its plan.
const SAVES: usize = 200;

/// A kernel plan on this thread failing the atomic save's rename with
/// `errno`.
fn rename_fails_with(errno: &str) -> io::Result<FaultGuard> {
    let plan = FaultPlan::parse(&format!("rename(*/config.toml)={errno}")).unwrap();
    plan.activate_in_kernel()
}

/// The guard, or `None` where this machine has no kernel plans (skipped,
/// or failed where they are required). Called only once the other thread
/// can't be left waiting for this one.
fn or_skip(activated: io::Result<FaultGuard>) -> Option<FaultGuard> {
    activated.map_err(|e| common::skip(&e.to_string())).ok()
}

/// `SAVES` atomic saves into `dir` under `guard`'s plan: every one must
/// fail with `errno` (the raw number), and the plan must have counted
/// exactly these renames, all made on this thread.
fn saves_see_only(guard: &FaultGuard, dir: &Path, errno: i32) {
    let path = dir.join("config.toml");
    let config = Config::from_pairs([("name", "demo")]);
    for i in 0..SAVES {
        let e = save_atomic(&path, &config).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(errno), "save {i}: {e}");
    }
    let me = common::gettid();
    let mut tids: Vec<_> = guard.calls().iter().map(|c| c.tid).collect();
    tids.dedup();
    assert_eq!(tids, [Some(me)], "the threads counted (this one is {me})");
    assert_eq!(guard.attempts(Op::Rename, "*"), SAVES);
}

#[test]
fn two_threads_of_one_test_each_with_its_own_plan() {
    let both = Arc::new(Barrier::new(2));
    let run = |errno_name: &'static str, errno: i32| {
        let both = both.clone();
        std::thread::spawn(move || {
            let dir = tempfile::tempdir().unwrap();
            let activated = rename_fails_with(errno_name);
            both.wait(); // both plans are active from here on
            if let Some(guard) = or_skip(activated) {
                saves_see_only(&guard, dir.path(), errno);
            }
        })
    };
    let (a, b) = (run("EBUSY", 16), run("EXDEV", 18));
    a.join().unwrap();
    b.join().unwrap();
}

/// Where the two tests below meet, so that their plans are active at
/// once: how many have arrived.
static ARRIVED: Mutex<u32> = Mutex::new(0);
static MET: Condvar = Condvar::new();

/// Wait for the other test, but not forever: under `--test-threads=1`, or
/// a filter naming one test, it never comes, and the test still runs.
fn meet_the_other_test() {
    let mut arrived = ARRIVED.lock().unwrap();
    *arrived += 1;
    MET.notify_all();
    let (arrived, wait) = MET
        .wait_timeout_while(arrived, Duration::from_secs(10), |n| *n < 2)
        .unwrap();
    if wait.timed_out() {
        eprintln!("the other test never came ({arrived} arrived): this one ran alone");
    }
}

/// Two tests at once, each on the thread libtest gives it, each with its
/// own plan: the case a suite run in parallel meets.
fn a_test_with_its_own_plan(errno_name: &str, errno: i32) {
    let dir = tempfile::tempdir().unwrap(); // before the plan: out of its reach
    let activated = rename_fails_with(errno_name);
    meet_the_other_test();
    let Some(guard) = or_skip(activated) else {
        return;
    };
    saves_see_only(&guard, dir.path(), errno);
}

#[test]
fn a_test_whose_plan_fails_renames_with_enospc() {
    a_test_with_its_own_plan("ENOSPC", 28);
}

#[test]
fn a_test_whose_plan_fails_renames_with_eacces() {
    a_test_with_its_own_plan("EACCES", 13);
}
