//! `RetryPolicy::run_async` (feature `tokio`): the retry loop as a future.
//! It never blocks the worker it runs on (a heartbeat task on the same
//! one-thread runtime keeps ticking through its waits), it is `Send` (it
//! runs under `tokio::spawn` on a multi-thread runtime), and it sleeps on a
//! policy's own clock when it has one. (Dropping it mid-wait counts the
//! process's descriptors: `tests/process_wide/async_retry_drop.rs`.)
#![cfg(all(unix, feature = "tokio"))]

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use flakeproof::retry::{Backoff, ManualClock, Stop};
use flakeproof::{Classifier, RetryPolicy};

fn busy() -> io::Error {
    io::Error::from_raw_os_error(26) // ETXTBSY
}

/// Fails `n` times with ETXTBSY, then returns the attempt number.
fn busy_then_ok(n: u32) -> impl FnMut() -> std::future::Ready<io::Result<u32>> {
    let mut calls = 0;
    move || {
        calls += 1;
        std::future::ready(if calls <= n { Err(busy()) } else { Ok(calls) })
    }
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn its_waits_leave_the_worker_to_other_tasks() {
    // One worker thread: a retry that blocked it would stop the heartbeat
    // for its whole run.
    let ticks = Arc::new(AtomicU32::new(0));
    let t = ticks.clone();
    let heartbeat = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            t.fetch_add(1, SeqCst);
        }
    });
    let policy = RetryPolicy::new(Classifier::etxtbsy())
        .attempts(5)
        .backoff(Backoff::constant(Duration::from_millis(50)));
    let (r, report) = policy.run_async_with_report(busy_then_ok(4)).await;
    let ticked = ticks.load(SeqCst);
    heartbeat.abort();
    assert_eq!(r.unwrap(), 5);
    assert_eq!((report.attempts, report.stop), (5, Stop::Succeeded));
    assert_eq!(report.slept, Duration::from_millis(200));
    // The clock is tokio's, paused: 200 ms of waits are 40 ticks of 5 ms.
    assert!(
        ticked >= 39,
        "the heartbeat ticked {ticked} times in 200 ms of retry waits"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_runs_as_a_spawned_task_and_gives_back_the_last_error() {
    let policy = RetryPolicy::etxtbsy().attempts(3);
    let task = tokio::spawn(async move { policy.run_async_with_report(busy_then_ok(10)).await });
    let (r, report) = task.await.unwrap();
    let e = r.unwrap_err();
    assert_eq!(e.raw_os_error(), Some(26));
    assert_eq!((report.attempts, report.stop), (3, Stop::AttemptsExhausted));
    // A permanent error: no retry at all.
    let once = RetryPolicy::etxtbsy()
        .run_async(|| async { Err::<(), _>(io::Error::from_raw_os_error(2)) })
        .await;
    assert_eq!(once.unwrap_err().raw_os_error(), Some(2));
}

#[tokio::test(flavor = "current_thread")]
async fn a_policys_own_clock_is_slept_on_not_tokios() {
    let clock = Arc::new(ManualClock::new());
    let policy = RetryPolicy::new(Classifier::etxtbsy())
        .backoff(Backoff::constant(Duration::from_secs(3600)))
        .clock(clock.clone());
    // An hour between attempts on the manual clock: no real time passes.
    let done = policy.run_async(busy_then_ok(2)).await;
    assert_eq!(done.unwrap(), 3);
    assert_eq!(clock.sleeps(), [Duration::from_secs(3600); 2]);
}

/// tokio spawns ride out an injected ETXTBSY (the plan in force on the
/// thread that polls them) and a real one: a writer holding the program
/// open for 200 ms, the retry woken by its close, not by the schedule.
mod spawns {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    use std::time::Duration;

    use flakeproof::fault::FaultPlan;
    use flakeproof::retry::Stop;
    use flakeproof::{AsyncSpawnRetryExt, Op, RetryPolicy};

    #[tokio::test(flavor = "current_thread")]
    async fn an_injected_etxtbsy_is_ridden_out() {
        let guard = FaultPlan::parse("spawn(*/true)=ETXTBSY@1..2")
            .unwrap()
            .activate();
        let status = tokio::process::Command::new("/bin/true")
            .status_retrying()
            .await;
        assert!(status.unwrap().success());
        assert_eq!(guard.injected(Op::Spawn, "*"), 2);
        assert_eq!(guard.attempts(Op::Spawn, "*"), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_real_etxtbsy_is_ridden_out_when_the_writer_closes() {
        if !crate::common::real_etxtbsy_possible() {
            return;
        }
        let Some(dir) = crate::common::exec_tempdir() else {
            return;
        };
        // The program, still open for writing: its exec is refused with
        // ETXTBSY until the writer closes it, 200 ms from now.
        let (stub, writer) = held_program(dir.path(), "stub");
        let policy = closing_before_a_wait(writer, Duration::from_millis(200));
        let (child, report) = tokio::process::Command::new(&stub)
            .spawn_with(&policy)
            .await;
        let status = child.unwrap().wait().await.unwrap();
        assert!(status.success());
        assert_eq!(report.stop, Stop::Succeeded);
        assert!(report.attempts >= 2, "{report:?}");
        // Woken by the close: the wait before the last attempt ended on
        // the inotify event, not when the schedule ran out.
        assert!(report.woken >= 1, "{report:?}");
    }

    /// `run_on_async`: any future that execs the file (here tokio's own
    /// `status`, not a retrying spawn) waits on the file's writer too.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn run_on_async_waits_for_the_files_writer_to_close_it() {
        if !crate::common::real_etxtbsy_possible() {
            return;
        }
        let Some(dir) = crate::common::exec_tempdir() else {
            return;
        };
        let (stub, writer) = held_program(dir.path(), "stub");
        let policy = closing_before_a_wait(writer, Duration::from_millis(50));
        let (status, report) = policy
            .run_on_async(&stub, || tokio::process::Command::new(&stub).status())
            .await;
        assert!(status.unwrap().success());
        assert!(report.attempts >= 2, "{report:?}");
        assert_eq!(report.woken, 1, "{report:?}");
    }

    /// A program in `dir`, executable and still open for writing: its exec
    /// fails with ETXTBSY until the returned writer is closed.
    fn held_program(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, std::fs::File) {
        let path = dir.join(name);
        let mut writer = std::fs::File::create(&path).unwrap();
        // flakeproof: allow(shell-script-stub) a program held open for writing on purpose: the exec must meet a real ETXTBSY
        writer.write_all(b"#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        (path, writer)
    }

    /// A spawn policy whose retry hook closes `writer` once `hold` has
    /// passed, just before a wait (the hook runs after a failed attempt,
    /// before the wait it announces): the close's event is then queued when
    /// the wait starts, so an event-driven wait ends on it, whatever the
    /// schedule's timers do. A closer on another thread could instead close
    /// as a timed wait ran out, and the next attempt would succeed unwoken.
    fn closing_before_a_wait(writer: std::fs::File, hold: Duration) -> RetryPolicy {
        let opened = std::time::Instant::now();
        let writer = std::sync::Mutex::new(Some(writer));
        RetryPolicy::for_spawn().on_retry(move |event| {
            if event.next_delay > Duration::ZERO && opened.elapsed() >= hold {
                drop(writer.lock().unwrap().take());
            }
        })
    }
}
