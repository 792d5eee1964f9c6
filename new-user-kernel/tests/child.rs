//! A real `mv` started from a thread under a kernel plan: with the plan
//! attached (`faults(&guard)`) it meets the plan, and its call lands in
//! the same record as the thread's own `std::fs` call; without it, it
//! passes uncounted. (An installer that moves a new config into place
//! with `mv`, say.)
#![cfg(target_os = "linux")]

mod common;

use std::process::{Command, Stdio};

use flakeproof::fault::FaultPlan;
use flakeproof::process::ChildFaultsExt;
use flakeproof::Op;

/// EBUSY's number on Linux.
const EBUSY: i32 = 16;

#[test]
fn mv_with_the_plan_attached_fails_into_the_same_record_and_plain_mv_passes() {
    let dir = tempfile::tempdir().unwrap();
    // The record holds paths as the kernel resolved them.
    let d = dir.path().canonicalize().unwrap();
    for name in ["mine.toml", "theirs.toml", "plain.toml"] {
        std::fs::write(d.join(name), "name = demo\n").unwrap();
    }
    let me = common::gettid();
    let plan = FaultPlan::parse("rename(*/config.toml)=EBUSY").unwrap();
    let guard = match plan.activate_in_kernel() {
        Ok(g) => g,
        Err(e) => return common::skip(&e.to_string()),
    };

    // This thread's own std::fs call meets the plan.
    let e = std::fs::rename(d.join("mine.toml"), d.join("config.toml")).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(EBUSY));

    // A child with the plan attached meets it too, inside mv.
    let mut mv = Command::new("mv");
    mv.args(["theirs.toml", "config.toml"]).current_dir(&d);
    mv.stderr(Stdio::piped());
    mv.faults(&guard).unwrap();
    let child = mv.spawn().unwrap();
    let mv_pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("busy"), "mv said: {said}");
    assert!(d.join("theirs.toml").exists() && !d.join("config.toml").exists());

    // A child without it carries the thread's filter but passes, uncounted.
    let plain = Command::new("mv")
        .args(["plain.toml", "config.toml"])
        .current_dir(&d)
        .spawn()
        .unwrap();
    let plain_pid = plain.id();
    assert!(plain.wait_with_output().unwrap().status.success());
    assert!(d.join("config.toml").exists());

    // One record: the thread's call, then mv's, each saying who made it.
    let calls = guard.calls();
    let renames: Vec<_> = calls.iter().filter(|c| c.op == Op::Rename).collect();
    assert!(renames.len() >= 2, "{calls:?}");
    assert!(renames.iter().all(|c| c.injected()), "{calls:?}");
    let (own, theirs) = (renames[0], &renames[1..]);
    assert_eq!((own.pid, own.tid), (std::process::id(), Some(me)));
    assert_eq!(own.exe, None, "this process's own call");
    for c in theirs {
        assert_eq!(c.pid, mv_pid, "{calls:?}");
        assert!(c.exe.as_ref().unwrap().ends_with("mv"), "{calls:?}");
        assert_eq!(c.path, d.join("config.toml"));
    }
    assert!(calls.iter().all(|c| c.pid != plain_pid), "{calls:?}");
}
