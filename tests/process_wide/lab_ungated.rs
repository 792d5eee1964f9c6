//! The lab tools make the conditions of a race; a chaos plan must neither
//! fail nor record them. A process-wide plan reaches every thread, the
//! storm's included: it holds `crate::common::process_wide()`, so it runs alone.
// Unix only: the fork storm spawns `true`.
#![cfg(unix)]

use std::time::{Duration, Instant};

use flakeproof::fault::FaultPlan;
use flakeproof::lab::{ForkStorm, Recipe, WriteHold};

#[test]
fn lab_tools_never_consult_a_process_wide_plan() {
    let _alone = crate::common::process_wide();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("held");
    std::fs::write(&target, "").unwrap();
    let g = FaultPlan::parse("spawn=ETXTBSY; any=EIO")
        .unwrap()
        .activate_process_wide()
        .unwrap();
    let hold = WriteHold::open(&target).unwrap();
    let storm = ForkStorm::start(1);
    let deadline = Instant::now() + Duration::from_secs(30);
    while storm.spawns() < 3 && storm.failures() == 0 && Instant::now() < deadline {
        std::thread::yield_now();
    }
    assert_eq!(
        storm.failures(),
        0,
        "the storm's spawns were failed by the plan"
    );
    assert!(storm.stop() >= 3);
    drop(hold);
    for recipe in Recipe::ALL {
        recipe.install(dir.path(), "naive", b"#!/bin/sh\n").unwrap();
    }
    assert!(g.calls().is_empty(), "{:?}", g.calls());
    // The plan is really on: a gated call fails.
    assert!(flakeproof::fs::write(dir.path().join("x"), "").is_err());
}
