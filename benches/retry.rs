//! What retry_etxtbsy costs when the first call succeeds (the common case),
//! against calling the closure directly, in one run. Target: under 1 ns: no
//! policy, schedule, clock or waker exists before a call has failed (the
//! event-driven waits of the spawns too are set up only after a failure).
//!
//!     cargo bench --bench retry [-- --rounds 15 --per-round 20000000]

mod common;

use std::hint::black_box;
use std::io;

use common::{Case, flag, measure, verdict};
use flakeproof::{RetryPolicy, retry_etxtbsy};

#[inline(never)]
fn op(x: u64) -> io::Result<u64> {
    Ok(black_box(x).wrapping_mul(3))
}

fn main() {
    let rounds = flag("--rounds", 15) as usize;
    let per_round = flag("--per-round", 20_000_000);
    let policy = RetryPolicy::etxtbsy();
    let mut cases = vec![
        Case {
            name: "direct call",
            run: Box::new(|n| {
                for i in 0..n {
                    black_box(op(black_box(i))).unwrap();
                }
            }),
        },
        Case {
            name: "retry_etxtbsy(10, ..)",
            run: Box::new(|n| {
                for i in 0..n {
                    black_box(retry_etxtbsy(10, || op(black_box(i)))).unwrap();
                }
            }),
        },
        Case {
            name: "prebuilt RetryPolicy::etxtbsy().run(..)",
            run: Box::new(|n| {
                for i in 0..n {
                    black_box(policy.run(|| op(black_box(i)))).unwrap();
                }
            }),
        },
        Case {
            name: "RetryPolicy::run_with_report (reads the clock)",
            run: Box::new(|n| {
                for i in 0..n {
                    black_box(policy.run_with_report(|| op(black_box(i))))
                        .0
                        .unwrap();
                }
            }),
        },
    ];
    let t = measure(&mut cases, rounds, per_round);
    let ns = |i: usize| t[i];
    println!("first-call success, median of {rounds} rounds x {per_round} calls\n");
    println!("| path | ns per call | overhead vs direct |");
    println!("|---|---:|---:|");
    for (i, c) in cases.iter().enumerate() {
        println!("| {} | {:.1} | {:+.1} ns |", c.name, ns(i), ns(i) - ns(0));
    }
    let overhead = ns(1) - ns(0);
    let prebuilt = ns(2) - ns(0);
    println!(
        "\ntarget: retry_etxtbsy overhead on first-call success < 1 ns: {overhead:.2} ns, {}",
        verdict(overhead < 1.0)
    );
    println!(
        "target: prebuilt policy's run() overhead on first-call success < 1 ns: {prebuilt:.2} ns, {}",
        verdict(prebuilt < 1.0)
    );
}
