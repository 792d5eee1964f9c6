//! What a fault point costs, in one run. Each figure is the median ns per
//! call over its own bare loop, and each target is checked against it:
//!
//! - no plan active: under 2 ns;
//! - an active plan, no rule matching, the same path on every call (the
//!   record adds to one run): at most 36 ns;
//! - an active plan, no rule matching, a new path on every call: at most
//!   60 ns. "New" means each call's path differs from the previous call's,
//!   so every call starts a run in the record: the case "1000 paths in
//!   turn", where the record has seen each path before (a retry loop over a
//!   set of files, a build's steps).
//!
//! One more case has no target of its own and is printed beside the 60 ns
//! line for comparison: "a never-seen path every call", where no call's
//! path was ever given to the plan before (a temp name per call): the
//! record's path table takes the first 100,000 of a round, and each path
//! after that costs an allocation of its own. Its paths are made by
//! counting up the digits in a buffer, and its figure is over a bare loop
//! that makes them the same way.
//!
//!     cargo bench --bench fault [-- --rounds 15 --per-round 2000000]

mod common;

use std::hint::black_box;
use std::path::Path;

use common::{Case, flag, measure, verdict};
use flakeproof::Op;
use flakeproof::fault::{self, FaultPlan};

/// A path not made before in this process: `/tmp/some/dir/artifact-N.o`
/// with N counting up in place, so making one costs a few ns and no
/// allocation.
struct FreshPaths([u8; 35]);

impl FreshPaths {
    const DIGITS: std::ops::Range<usize> = 23..33;

    fn new() -> Self {
        FreshPaths(*b"/tmp/some/dir/artifact-0000000000.o")
    }

    fn next(&mut self) -> &Path {
        for i in Self::DIGITS.rev() {
            if self.0[i] == b'9' {
                self.0[i] = b'0';
            } else {
                self.0[i] += 1;
                break;
            }
        }
        Path::new(std::str::from_utf8(&self.0).unwrap())
    }
}

fn main() {
    if std::env::var_os("FLAKEPROOF_FAULTS").is_some() {
        eprintln!("unset FLAKEPROOF_FAULTS: this bench measures the cost with no plan active");
        std::process::exit(2);
    }
    let rounds = flag("--rounds", 15) as usize;
    let per_round = flag("--per-round", 2_000_000);
    let path = Path::new("/tmp/some/dir/artifact.o");
    let plan = FaultPlan::parse("rename(*/never-*)=EIO; spawn=ETXTBSY@1").unwrap();
    let paths: Vec<_> = (0..1000)
        .map(|i| format!("/tmp/some/dir/artifact-{i}.o"))
        .collect();
    let (mut bare_fresh, mut fresh) = (FreshPaths::new(), FreshPaths::new());
    let mut cases = vec![
        Case {
            name: "bare loop (black_box only)",
            run: Box::new(|n| {
                for _ in 0..n {
                    black_box(black_box(path));
                }
            }),
        },
        Case {
            name: "fault::point, no plan active",
            run: Box::new(|n| {
                for _ in 0..n {
                    black_box(fault::point(Op::Write, black_box(path))).unwrap();
                }
            }),
        },
        Case {
            name: "fault::point, active plan, no rule matches, same path every call",
            run: Box::new(|n| {
                // A fresh plan per round: the record does not grow without bound.
                let _guard = plan.clone().activate();
                for _ in 0..n {
                    black_box(fault::point(Op::Write, black_box(path))).unwrap();
                }
            }),
        },
        Case {
            name: "fault::point, active plan, no rule matches, 1000 paths in turn (new path every call)",
            run: Box::new(|n| {
                let _guard = plan.clone().activate();
                for i in 0..n as usize {
                    black_box(fault::point(Op::Write, black_box(&paths[i % 1000]))).unwrap();
                }
            }),
        },
        Case {
            name: "bare loop making a never-seen path every call",
            run: Box::new(|n| {
                for _ in 0..n {
                    black_box(bare_fresh.next());
                }
            }),
        },
        Case {
            name: "fault::point, active plan, no rule matches, a never-seen path every call",
            run: Box::new(|n| {
                let _guard = plan.clone().activate();
                for _ in 0..n {
                    black_box(fault::point(Op::Write, black_box(fresh.next()))).unwrap();
                }
            }),
        },
    ];
    let t = measure(&mut cases, rounds, per_round);
    // The bare loop each case is measured over: the never-seen case's own.
    let base = [0, 0, 0, 0, 0, 4];
    println!("fault point cost, median of {rounds} rounds x {per_round} calls\n");
    println!("| case | ns per call | over its bare loop |");
    println!("|---|---:|---:|");
    for (i, c) in cases.iter().enumerate() {
        println!(
            "| {} | {:.1} | {:+.1} ns |",
            c.name,
            t[i],
            t[i] - t[base[i]]
        );
    }
    let over = |i: usize| t[i] - t[base[i]];
    let (idle, same, new, never) = (over(1), over(2), over(3), over(5));
    println!();
    println!(
        "target: no plan active < 2 ns: {idle:.1} ns, {}",
        verdict(idle < 2.0)
    );
    println!(
        "target: active plan, no match, same path every call <= 36 ns: {same:.1} ns, {}",
        verdict(same <= 36.0)
    );
    println!(
        "target: new path every call (1000 paths in turn) <= 60 ns: {new:.1} ns, {}",
        verdict(new <= 60.0)
    );
    println!(
        "no target, beside the 60 ns line: a never-seen path every call: {never:.1} ns, {}",
        verdict(never <= 60.0)
    );
}
