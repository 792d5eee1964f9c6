//! Exec right after install, from several threads, while other threads fork.
//!
//! The second test runs the naive recipe through the same harness and must
//! see ETXTBSY: proof that the first test's zero is a measurement, not a
//! harness that can't fail.
// Linux only: the real fork race.
#![cfg(target_os = "linux")]

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use flakeproof::lab::{ForkStorm, Recipe};
use flakeproof::{Classifier, StubInstaller, install::Strategy};

const BODY: &[u8] = b"#!/bin/sh\nexit 0\n";

struct Outcome {
    execs: u64,
    etxtbsy: u64,
}

/// `writers` threads each install-then-exec `iterations` times under a
/// 2-thread fork storm; with `stop_at_first_busy`, all stop once one exec
/// has failed with ETXTBSY.
fn install_and_exec_under_fork_storm(
    install: &(dyn Fn(&Path, &str) -> io::Result<PathBuf> + Sync),
    writers: usize,
    iterations: usize,
    stop_at_first_busy: bool,
) -> Option<Outcome> {
    let dir = crate::common::exec_tempdir()?;
    let execs = AtomicU64::new(0);
    let etxtbsy = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let storm = ForkStorm::start(2);
    std::thread::scope(|s| {
        for w in 0..writers {
            let (dir, execs, etxtbsy, stop) = (dir.path(), &execs, &etxtbsy, &stop);
            s.spawn(move || {
                let name = format!("stub-{w}");
                for _ in 0..iterations {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let path = install(dir, &name).unwrap();
                    execs.fetch_add(1, Ordering::Relaxed);
                    match Command::new(&path).stdin(Stdio::null()).status() {
                        Ok(st) => assert!(st.success()),
                        Err(e) if Classifier::etxtbsy().is_transient(&e) => {
                            etxtbsy.fetch_add(1, Ordering::Relaxed);
                            if stop_at_first_busy {
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                        Err(e) => panic!("exec failed: {e}"),
                    }
                }
            });
        }
    });
    assert!(
        storm.stop() > 0,
        "the storm never spawned: the test would prove nothing"
    );
    Some(Outcome {
        execs: execs.into_inner(),
        etxtbsy: etxtbsy.into_inner(),
    })
}

#[test]
fn exec_after_install_never_fails_while_other_threads_fork() {
    for strategy in [Strategy::DrainBarrier, Strategy::ChildWriter] {
        for durable in [true, false] {
            let installer = StubInstaller::new().strategy(strategy).durable(durable);
            let install = |dir: &Path, name: &str| Ok(installer.install(dir, name, BODY)?);
            let Some(o) = install_and_exec_under_fork_storm(&install, 4, 60, false) else {
                return;
            };
            assert_eq!(o.execs, 240);
            assert_eq!(o.etxtbsy, 0, "{strategy:?} durable={durable}");
        }
    }
}

/// The usual "atomic install": temp, write, fsync with the fd open, rename.
fn naive_fsync_rename(dir: &Path, name: &str) -> io::Result<PathBuf> {
    Recipe::TempFsyncRename.install(dir, name, BODY)
}

#[test]
fn the_same_storm_makes_the_naive_fsync_rename_install_fail() {
    if !crate::common::real_etxtbsy_possible() {
        return;
    }
    // Measured ~10 % of execs fail (examples/race_lab.rs); up to 4000 tries.
    let Some(o) = install_and_exec_under_fork_storm(&naive_fsync_rename, 4, 1000, true) else {
        return;
    };
    assert!(o.etxtbsy >= 1, "no ETXTBSY in {} naive execs", o.execs);
}
