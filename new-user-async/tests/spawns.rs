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
    let mut writer = std::fs::File::create(&app).unwrap();
    writer.write_all(b"#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The writer closes only after the retry hook reports the first
    // failure, and no sooner than 200 ms after it was opened.
    let (failed, told) = std::sync::mpsc::channel();
    let opened = Instant::now();
    let closer = std::thread::spawn(move || {
        told.recv().unwrap();
        std::thread::sleep(Duration::from_millis(200).saturating_sub(opened.elapsed()));
        drop(writer);
        Instant::now()
    });
    let failed = std::sync::Mutex::new(failed);
    let policy = RetryPolicy::for_spawn().on_retry(move |_| {
        let _ = failed.lock().unwrap().send(());
    });
    let (child, report) = tokio::process::Command::new(&app).spawn_with(&policy).await;
    let spawned = Instant::now();
    let status = child.unwrap().wait().await.unwrap();
    let closed = closer.join().unwrap();
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
