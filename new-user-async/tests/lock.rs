//! An async `ArtifactLock` taken by 8 tasks and 2 processes (util-linux
//! `flock` on the same lock file) never has two holders, and blocks no
//! worker: a heartbeat task keeps ticking while the tasks wait.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use flakeproof::ArtifactLock;

fn append(log: &Path, line: &str) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(log)
        .unwrap();
    f.write_all(line.as_bytes()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tasks_and_processes_take_the_key_in_turn_and_no_worker_waits() {
    if std::process::Command::new("flock")
        .arg("-V")
        .output()
        .is_err()
    {
        println!(
            "SKIPPED tasks_and_processes_take_the_key_in_turn: util-linux's flock is not installed"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let locks = ArtifactLock::new(dir.path()).timeout(Duration::from_secs(60));
    let lock_file = locks.lock_file("app");
    let log = dir.path().join("log");
    drop(locks.try_lock("app").unwrap()); // the lock file exists for flock(1)
    let script = format!(
        "for i in 1 2 3; do flock {l} sh -c 'echo start >> {g}; sleep 0.02; echo end >> {g}'; done",
        l = lock_file.display(),
        g = log.display()
    );
    let procs: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new("sh")
                .args(["-c", &script])
                .spawn()
                .unwrap()
        })
        .collect();
    let ticks = Arc::new(AtomicU32::new(0));
    let t = ticks.clone();
    let heartbeat = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(2)).await;
            t.fetch_add(1, SeqCst);
        }
    });
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (locks, log) = (locks.clone(), log.clone());
            tokio::spawn(async move {
                for _ in 0..3 {
                    let _held = locks.lock_async("app").await.unwrap();
                    append(&log, "start\n");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    append(&log, "end\n");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let (ticked, took) = (ticks.load(SeqCst), started.elapsed());
    heartbeat.abort();
    for mut p in procs {
        assert!(p.wait().unwrap().success());
    }
    let lines = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    println!(
        "{} holds in {took:?}; the heartbeat ticked {ticked} times",
        lines.len() / 2
    );
    assert_eq!(lines.len(), 2 * (8 * 3 + 2 * 3), "{lines:?}");
    for pair in lines.chunks(2) {
        assert_eq!(pair, ["start", "end"], "two holders at once: {lines:?}");
    }
    // The tasks' 24 holds of 5 ms alone take 120 ms: a 2 ms heartbeat runs
    // through them unless waiting tasks hold the workers.
    assert!(
        ticked >= 20,
        "the heartbeat ticked {ticked} times in {took:?}: waits blocked the workers"
    );
}
