//! `tokio::process::Command` spawns ride out an injected ETXTBSY and a real
//! one (a writer holding the program open, released by its close).

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use flakeproof::fault::FaultPlan;
use flakeproof::retry::Stop;
use flakeproof::{AsyncSpawnRetryExt, Op, RetryPolicy};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_injected_etxtbsy_is_ridden_out() {
    let dir = tempfile::tempdir().unwrap();
    let app =
        flakeproof::install_executable_stub(dir.path(), "app", "#!/bin/sh\nexit 0\n").unwrap();
    // The first two spawns fail "Text file busy".
    let guard = FaultPlan::parse("spawn=ETXTBSY@1..2").unwrap().activate();
    let run = guard.scoped(async move {
        tokio::task::yield_now().await;
        tokio::process::Command::new(&app).status_retrying().await
    });
    let status = tokio::spawn(run).await.unwrap().unwrap();
    assert!(status.success());
    assert_eq!(guard.injected(Op::Spawn, "*"), 2);
    assert_eq!(guard.attempts(Op::Spawn, "*"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_real_etxtbsy_is_ridden_out_when_the_writer_closes() {
    if std::env::var("FLAKEPROOF_SECCOMP_OWNER").is_ok_and(|o| o.contains("shield")) {
        println!(
            "SKIPPED a_real_etxtbsy_is_ridden_out_when_the_writer_closes: FLAKEPROOF_SECCOMP_OWNER \
             names a shield, which holds such execs until the writer closes: no real ETXTBSY"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    // The program, still open for writing: its exec fails ETXTBSY until
    // the writer closes it.
    // flakeproof: allow(write-then-exec) a writer held open on purpose, to make a real ETXTBSY
    let mut writer = std::fs::File::create(&app).unwrap();
    // flakeproof: allow(shell-script-stub) the held program itself, not a fake command
    writer.write_all(b"#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The writer is closed by the retry hook once 200 ms have passed, just
    // before a wait: its close event is queued when that wait starts, so the
    // retry is woken by it whatever the schedule's timers do. (A closer on
    // another thread could close as a timed wait ran out, and the next
    // attempt would succeed unwoken.)
    let opened = Instant::now();
    let writer = std::sync::Mutex::new(Some(writer));
    let closed = std::sync::Arc::new(std::sync::Mutex::new(None));
    let closed_at = closed.clone();
    let policy = RetryPolicy::for_spawn().on_retry(move |event| {
        if event.next_delay > Duration::ZERO && opened.elapsed() >= Duration::from_millis(200) {
            if let Some(w) = writer.lock().unwrap().take() {
                drop(w);
                *closed_at.lock().unwrap() = Some(Instant::now());
            }
        }
    });
    let (child, report) = tokio::process::Command::new(&app).spawn_with(&policy).await;
    let spawned = Instant::now();
    let status = child.unwrap().wait().await.unwrap();
    let closed = closed.lock().unwrap().expect("the writer was never closed");
    println!(
        "{report:?}; spawned {:?} after the writer's close",
        spawned.saturating_duration_since(closed)
    );
    assert!(status.success());
    assert_eq!(report.stop, Stop::Succeeded);
    assert!(report.attempts >= 2, "no ETXTBSY was met: {report:?}");
    assert!(opened.elapsed() >= Duration::from_millis(200));
    // Woken by the close, not when a scheduled wait ran out.
    assert!(report.woken >= 1, "{report:?}");
}
