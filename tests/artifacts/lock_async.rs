//! `ArtifactLock::lock_async` (feature `tokio`): eight tasks on a runtime
//! with one worker thread, and two other processes (util-linux `flock` on
//! the same lock file), take one key in turn. Each holder appends `start`
//! and `end` to a log while it holds the key: the log must alternate (no
//! two holders at once). A heartbeat task on the same worker must keep
//! ticking while the tasks wait: a wait that blocked the worker would stop
//! it, and the task holding the key with it.
#![cfg(all(target_os = "linux", feature = "tokio"))]

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
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

#[tokio::test(flavor = "current_thread")]
async fn tasks_and_processes_take_a_key_in_turn_and_no_worker_waits() {
    let Some(_flock) = which("flock") else {
        return crate::common::skip("flock", "util-linux's flock is not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let locks = ArtifactLock::new(dir.path()).timeout(Duration::from_secs(60));
    let lock_file = locks.lock_file("artifact");
    let log = dir.path().join("log");
    // Make the lock file exist for flock(1).
    drop(locks.try_lock("artifact").unwrap());
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
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (locks, log) = (locks.clone(), log.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..3 {
                let _held = locks.lock_async("artifact").await.unwrap();
                append(&log, "start\n");
                // Held across an await: the other tasks wait meanwhile.
                tokio::time::sleep(Duration::from_millis(5)).await;
                append(&log, "end\n");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let ticked = ticks.load(SeqCst);
    heartbeat.abort();
    for mut p in procs {
        assert!(p.wait().unwrap().success());
    }
    let lines = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2 * (8 * 3 + 2 * 3), "{lines:?}");
    for pair in lines.chunks(2) {
        assert_eq!(pair, ["start", "end"], "two holders at once: {lines:?}");
    }
    // 24 holds of 5 ms by the tasks alone: the heartbeat, every 2 ms, ran
    // through them.
    assert!(
        ticked >= 10,
        "the heartbeat ticked {ticked} times: a wait blocked the worker"
    );
}

fn which(cmd: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(cmd))
            .find(|c| c.is_file())
    })
}
