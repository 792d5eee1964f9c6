//! What retry_etxtbsy costs when the first call succeeds (the common case),
//! against calling the closure directly, in one run. Target: < 20 ns.
//!
//!     cargo bench --bench retry [-- --rounds 15 --per-round 20000000]

mod common;

use std::hint::black_box;
use std::io;

use common::{flag, measure, verdict, Case};
use flakeproof::{retry_etxtbsy, RetryPolicy};

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
    println!(
        "\ntarget: retry_etxtbsy overhead on first-call success < 20 ns: {overhead:.1} ns, {}",
        verdict(overhead < 20.0)
    );
}
