//! Dropping a retrying future mid-wait leaves no descriptor: counted in
//! `/proc/self/fd`. Alone in its test binary, so nothing else opens or
//! closes descriptors in this process meanwhile.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use flakeproof::fault::FaultPlan;
use flakeproof::retry::Backoff;
use flakeproof::{AsyncSpawnRetryExt, Classifier, RetryPolicy};

fn fds() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let to = std::fs::read_link(e.path()).unwrap_or_default();
            format!("{} -> {}", e.file_name().to_string_lossy(), to.display())
        })
        .collect();
    v.sort();
    v
}

/// The descriptors in `now` not in `then`, ignoring the one read_dir used.
fn extra(then: &[String], now: &[String]) -> Vec<String> {
    now.iter()
        .filter(|f| !then.contains(f) && !f.contains("/fd"))
        .cloned()
        .collect()
}

/// The descriptors open beyond `then`, once they are gone or 10 s have
/// passed. flakeproof closes a dropped wait's inotify instance on a thread of
/// its own (the kernel makes that close wait some milliseconds), so "none
/// left" means none once that thread has run: this waits for it, and only a
/// descriptor that is never closed fails.
async fn left_after(then: &[String]) -> Vec<String> {
    let start = std::time::Instant::now();
    loop {
        let left = extra(then, &fds());
        if left.is_empty() || start.elapsed() > Duration::from_secs(10) {
            return left;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dropping_retrying_futures_mid_wait_leaves_no_descriptor() {
    let dir = tempfile::tempdir().unwrap();
    // The runtime's own descriptors (the child reaper's among them) are
    // opened by a first spawn, before counting.
    tokio::process::Command::new("true").status().await.unwrap();
    let before = fds();

    // 1. A retry of an always-busy call, dropped in its minute-long sleep.
    let policy = RetryPolicy::new(Classifier::etxtbsy())
        .attempts(100)
        .backoff(Backoff::constant(Duration::from_secs(60)));
    let waiting =
        policy.run_async(|| async { Err::<(), _>(std::io::Error::from_raw_os_error(26)) });
    assert!(tokio::time::timeout(Duration::from_millis(50), waiting)
        .await
        .is_err());
    assert_eq!(
        left_after(&before).await,
        Vec::<String>::new(),
        "run_async dropped mid-wait left a descriptor"
    );

    // 2. Spawns failing an injected ETXTBSY every time, each dropped while
    //    it waits for the program's close: its inotify watch closes with it.
    let app =
        flakeproof::install_executable_stub(dir.path(), "app", "#!/bin/sh\nexit 0\n").unwrap();
    for round in 0..10 {
        let guard = FaultPlan::parse("spawn=ETXTBSY").unwrap().activate();
        let mut cmd = tokio::process::Command::new(&app);
        let spawn = tokio::spawn(guard.scoped(async move {
            let _ = tokio::time::timeout(Duration::from_millis(60), cmd.spawn_retrying()).await;
        }));
        spawn.await.unwrap();
        assert!(guard.injected(flakeproof::Op::Spawn, "*") >= 1);
        drop(guard);
        let extra = left_after(&before).await;
        assert!(
            extra.is_empty(),
            "spawn retry {round}, dropped mid-wait (injected ETXTBSY), left descriptors: {extra:?}"
        );
    }

    // 3. A spawn meeting a real ETXTBSY (its program held open for
    //    writing), dropped while it waits for the writer's close.
    if std::env::var("FLAKEPROOF_SECCOMP_OWNER").is_ok_and(|o| o.contains("shield")) {
        println!("SKIPPED the real-ETXTBSY part: FLAKEPROOF_SECCOMP_OWNER names a shield");
        return;
    }
    let held = dir.path().join("held");
    // flakeproof: allow(write-then-exec) a writer held open on purpose, to make a real ETXTBSY
    let mut writer = std::fs::File::create(&held).unwrap();
    // flakeproof: allow(shell-script-stub) the held program itself, not a fake command
    writer.write_all(b"#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&held, std::fs::Permissions::from_mode(0o755)).unwrap();
    let with_writer = fds();
    let mut cmd = tokio::process::Command::new(&held);
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let policy = RetryPolicy::for_spawn().on_retry(move |_| {
        let _ = tx.lock().unwrap().send(());
    });
    let spawn = cmd.spawn_with(&policy);
    assert!(tokio::time::timeout(Duration::from_millis(200), spawn)
        .await
        .is_err());
    assert!(rx.try_recv().is_ok(), "the spawn never met ETXTBSY");
    let left = left_after(&with_writer).await;
    assert!(
        left.is_empty(),
        "a spawn retry dropped while waiting for a real writer's close left descriptors: {left:?}"
    );
    drop(writer);
}
