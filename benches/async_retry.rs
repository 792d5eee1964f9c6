//! What an async retry costs when its first try succeeds (issue 22's
//! target: at most 5 % over awaiting the future directly), for a future
//! that does real work: `tokio::fs::metadata` of a file, which tokio runs
//! on its blocking pool. Both cases on one current-thread runtime, in
//! interleaved rounds; the figures are medians.
//!
//! Then how soon an async retrying spawn goes through after the program's
//! writer closes it (target: within 2 ms, median, as the blocking one):
//! each round a writer holds a fresh program open, closes it 20 ms after
//! the spawn's first ETXTBSY, and the spawn's return is timed from that
//! close.
//!
//!     cargo bench --bench async_retry --features tokio [-- --rounds 9]

#[allow(dead_code)] // the ratio harness: this bench interleaves its own rounds
mod common;

use std::time::Instant;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::{flag, verdict};
use flakeproof::{AsyncSpawnRetryExt, RetryPolicy};

const CALLS: u32 = 5_000;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds = flag("--rounds", 9) as usize;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, "x").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let policy = RetryPolicy::for_op(flakeproof::Op::Metadata);
    let (mut direct, mut retried) = (Vec::new(), Vec::new());
    rt.block_on(async {
        for _ in 0..rounds {
            let t0 = Instant::now();
            for _ in 0..CALLS {
                tokio::fs::metadata(&file).await.unwrap();
            }
            direct.push(t0.elapsed().as_nanos() as f64 / f64::from(CALLS));
            let t0 = Instant::now();
            for _ in 0..CALLS {
                policy
                    .run_async(|| tokio::fs::metadata(&file))
                    .await
                    .unwrap();
            }
            retried.push(t0.elapsed().as_nanos() as f64 / f64::from(CALLS));
        }
    });
    let (d, r) = (median(direct), median(retried));
    println!(
        "async retry, first try succeeds: {CALLS} tokio::fs::metadata per round, median of {rounds} interleaved rounds"
    );
    println!("  awaited directly          {:>8.2} us/call", d / 1e3);
    println!(
        "  through run_async         {:>8.2} us/call {:>6.3}x (target <= 1.05x: {})",
        r / 1e3,
        r / d,
        verdict(r / d <= 1.05)
    );

    // The wake-up after the writer's close.
    let mut lags = Vec::new();
    for round in 0..rounds {
        let stub = dir.path().join(format!("stub{round}"));
        let mut writer = std::fs::File::create(&stub).unwrap();
        writer.write_all(b"#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
        let (failed, told) = std::sync::mpsc::channel();
        let closer = std::thread::spawn(move || {
            told.recv().unwrap();
            std::thread::sleep(Duration::from_millis(20));
            let closed = Instant::now();
            drop(writer);
            closed
        });
        let failed = std::sync::Mutex::new(failed);
        let policy = RetryPolicy::for_spawn().on_retry(move |_| {
            let _ = failed.lock().unwrap().send(());
        });
        let (child, report) = rt.block_on(async {
            tokio::process::Command::new(&stub)
                .spawn_with(&policy)
                .await
        });
        let done = Instant::now();
        let closed = closer.join().unwrap();
        rt.block_on(async { child.unwrap().wait().await.unwrap() });
        assert!(
            report.woken >= 1,
            "the spawn was not woken by the close: {report:?}"
        );
        lags.push(done.saturating_duration_since(closed).as_nanos() as f64);
    }
    let lag = median(lags) / 1e6;
    println!(
        "  async spawn, done after the writer's close {:>6.2} ms median (target <= 2 ms: {})",
        lag,
        verdict(lag <= 2.0)
    );
}
