//! What an async retry costs when its first try succeeds (issue 22's
//! target: at most 5 % over awaiting the future directly), for a future
//! that does real work: `tokio::fs::metadata` of a file, which tokio runs
//! on its blocking pool. Both cases on one current-thread runtime, in
//! interleaved rounds; the figures are medians.
//!
//!     cargo bench --bench async_retry --features tokio [-- --rounds 9]

#[allow(dead_code)] // the ratio harness: this bench interleaves its own rounds
mod common;

use std::time::Instant;

use common::{flag, verdict};
use flakeproof::RetryPolicy;

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
}
