//! A plan activated at the top of a test still applies after awaits that
//! move the task between workers, and a test running at the same time with
//! another plan sees none of it.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Duration;

use flakeproof::fault::FaultPlan;
use flakeproof::Op;
use new_user_async::BuildStore;

/// Both tests wait here (up to 5 s) so that their saves overlap.
fn both_running() -> &'static tokio::sync::Barrier {
    static B: OnceLock<tokio::sync::Barrier> = OnceLock::new();
    B.get_or_init(|| tokio::sync::Barrier::new(2))
}

async fn meet() {
    let met = tokio::time::timeout(Duration::from_secs(5), both_running().wait()).await;
    eprintln!(
        "{}",
        if met.is_ok() {
            "the two plan tests run at the same time"
        } else {
            "the other plan test did not start within 5 s (--test-threads=1?)"
        }
    );
}

/// Saves, with a yield and a sleep between, until the task has run on 2 workers (at least 100
/// saves): the error of each and the threads seen.
async fn saves(store: BuildStore) -> (Vec<Option<i32>>, HashSet<std::thread::ThreadId>) {
    let mut errors = Vec::new();
    let mut threads = HashSet::new();
    let mut i = 0;
    while i < 100 || (threads.len() < 2 && i < 2000) {
        threads.insert(std::thread::current().id());
        let saved = store
            .save(&format!("app-{i}"), b"#!/bin/sh\necho v1\n")
            .await;
        errors.push(saved.err().and_then(|e| e.raw_os_error()));
        tokio::task::yield_now().await;
        // A timer's wake-up is handed to whichever worker drives the
        // timer: yields alone can leave the task on one worker.
        tokio::time::sleep(Duration::from_millis(1)).await;
        i += 1;
    }
    (errors, threads)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_plan_at_the_top_follows_the_task_across_workers() {
    let dir = tempfile::tempdir().unwrap();
    let store = BuildStore::open(dir.path().join("builds")).await.unwrap();
    // The disk is full for every write this test makes.
    let guard = FaultPlan::parse("write=ENOSPC").unwrap().activate();
    meet().await;
    let (errors, threads) = tokio::spawn(guard.scoped(saves(store.clone())))
        .await
        .unwrap();
    eprintln!(
        "the saving task ran on {} worker threads: {threads:?}",
        threads.len()
    );
    assert!(
        threads.len() >= 2,
        "the task never moved between workers: nothing shown"
    );
    let missed = errors.iter().filter(|&&e| e != Some(28)).count();
    assert_eq!(
        missed,
        0,
        "{missed} of {} saves ran outside the plan (no ENOSPC)",
        errors.len()
    );
    assert_eq!(guard.injected(Op::Write, "*"), errors.len());
    // The test's own body, after its awaits, is still under the plan.
    let e = store.save("last", b"x").await.unwrap_err();
    assert_eq!(e.raw_os_error(), Some(28));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_concurrent_test_with_another_plan_sees_none_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = BuildStore::open(dir.path().join("builds")).await.unwrap();
    // Its renames fail (a cross-device move); its writes have no fault.
    let guard = FaultPlan::parse("rename=EXDEV").unwrap().activate();
    meet().await;
    let (errors, threads) = tokio::spawn(guard.scoped(saves(store))).await.unwrap();
    eprintln!(
        "the saving task ran on {} worker threads: {threads:?}",
        threads.len()
    );
    let foreign = errors.iter().filter(|&&e| e != Some(18)).count();
    assert_eq!(
        foreign,
        0,
        "{foreign} of {} saves met another plan's fault or none: {errors:?}",
        errors.len()
    );
    assert_eq!(guard.injected(Op::Write, "*"), 0);
    assert_eq!(guard.injected(Op::Rename, "*"), errors.len());
}
