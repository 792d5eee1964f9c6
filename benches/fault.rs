//! What a fault point costs, in one run. Targets: with no plan
//! active, under 2 ns over the bare call; with an active plan and no matching
//! rule, under 100 ns.
//!
//!     cargo bench --bench fault [-- --rounds 15 --per-round 2000000]

mod common;

use std::hint::black_box;
use std::path::Path;

use common::{flag, measure, verdict, Case};
use flakeproof::fault::{self, FaultPlan};
use flakeproof::Op;

fn main() {
    if std::env::var_os("FLAKEPROOF_FAULTS").is_some() {
        eprintln!("unset FLAKEPROOF_FAULTS: this bench measures the cost with no plan active");
        std::process::exit(2);
    }
    let rounds = flag("--rounds", 15) as usize;
    let per_round = flag("--per-round", 2_000_000);
    let path = Path::new("/tmp/some/dir/artifact.o");
    let plan = FaultPlan::parse("rename(*/never-*)=EIO; spawn=ETXTBSY@1").unwrap();
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
            name: "fault::point, active plan, no rule matches",
            run: Box::new(|n| {
                // A fresh plan per round: the record does not grow without bound.
                let _guard = plan.clone().activate();
                for _ in 0..n {
                    black_box(fault::point(Op::Write, black_box(path))).unwrap();
                }
            }),
        },
        Case {
            name: "fault::point, active plan, no rule matches, 1000 paths in turn",
            run: Box::new(|n| {
                let paths: Vec<_> = (0..1000)
                    .map(|i| format!("/tmp/some/dir/artifact-{i}.o"))
                    .collect();
                let _guard = plan.clone().activate();
                for i in 0..n as usize {
                    black_box(fault::point(Op::Write, black_box(&paths[i % 1000]))).unwrap();
                }
            }),
        },
    ];
    let t = measure(&mut cases, rounds, per_round);
    println!("fault point cost, median of {rounds} rounds x {per_round} calls\n");
    println!("| case | ns per call | over the bare loop |");
    println!("|---|---:|---:|");
    for (i, c) in cases.iter().enumerate() {
        println!("| {} | {:.1} | {:+.1} ns |", c.name, t[i], t[i] - t[0]);
    }
    let idle = t[1] - t[0];
    let active = t[2] - t[0];
    println!(
        "\ntarget: no plan active < 2 ns: {idle:.1} ns, {}",
        verdict(idle < 2.0)
    );
    println!(
        "target: active plan, no match < 100 ns: {active:.1} ns, {}",
        verdict(active < 100.0)
    );
}
