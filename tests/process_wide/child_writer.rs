//! The child writer, caught mid-write: an injected delay parks it between
//! creating the temp file and writing it, so the test can look at its
//! descriptor table and then kill it. It reads every child of this process
//! as the writer's, so it runs alone: in the process-wide binary, holding
//! its lock.
// Linux only: reads the writer child's descriptors from /proc.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flakeproof::fault::FaultPlan;
use flakeproof::{
    StubInstaller,
    install::{InstallStep, Strategy},
};

/// Pids of this process's children (every thread's).
fn children() -> Vec<i32> {
    let mut pids = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let list =
            std::fs::read_to_string(task.unwrap().path().join("children")).unwrap_or_default();
        pids.extend(list.split_whitespace().map(|p| p.parse::<i32>().unwrap()));
    }
    pids
}

fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn fd_targets(pid: i32) -> Vec<(u32, PathBuf)> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let fd = e.file_name().to_string_lossy().parse().unwrap();
            (fd, std::fs::read_link(e.path()).unwrap_or_default())
        })
        .collect()
}

#[test]
fn the_writer_child_holds_no_inherited_descriptor_and_a_killed_one_leaves_nothing() {
    let _alone = crate::common::process_wide();
    let dir = tempfile::tempdir().unwrap();
    // Another thread's writable descriptor, as a test that writes a stub
    // beside ours would hold: the writer child must not keep a copy of it.
    let other = dir.path().join("other-tests-stub");
    let held = std::fs::File::create(&other).unwrap();
    let install_dir = dir.path().join("bin");
    std::fs::create_dir(&install_dir).unwrap();

    let target = install_dir.clone();
    let installer = std::thread::spawn(move || {
        let _parked = FaultPlan::parse("write(*.flakeproof-tmp)=delay(120s)")
            .unwrap()
            .activate();
        StubInstaller::new()
            .strategy(Strategy::ChildWriter)
            .install(&target, "tool", "#!/bin/sh\n")
    });

    // The child has created the temp file and is parked before its write.
    let tmp: PathBuf = wait_for("the temp file", || {
        std::fs::read_dir(&install_dir)
            .unwrap()
            .next()
            .map(|e| e.unwrap().path())
    });
    let pid = wait_for("the writer child", || children().first().copied());
    // Parked: in its write's delay (a nanosleep), not still between the
    // create, which makes the name appear, and the step's report. Killed
    // in that gap it would die at Create (seen under a loaded shield).
    wait_for("the writer child in its delay", || {
        let call = std::fs::read_to_string(format!("/proc/{pid}/syscall")).ok()?;
        let nr: libc::c_long = call.split_whitespace().next()?.parse().ok()?;
        [libc::SYS_nanosleep, libc::SYS_clock_nanosleep]
            .contains(&nr)
            .then_some(())
    });
    let fds = fd_targets(pid);
    assert!(
        fds.iter().all(|(_, t)| t != &other),
        "the writer child holds another thread's writable descriptor: {fds:?}"
    );
    assert!(fds.iter().any(|(_, t)| t == &tmp), "{fds:?}");
    assert!(fds.iter().all(|(fd, t)| *fd <= 2 || t == &tmp), "{fds:?}");

    // SAFETY: kill our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let e = installer.join().unwrap().unwrap_err();
    assert_eq!(e.step(), InstallStep::Write, "{e}");
    assert!(e.to_string().contains("died"), "{e}");
    assert!(
        crate::common::entries(&install_dir).is_empty(),
        "{:?}",
        crate::common::entries(&install_dir)
    );
    assert!(!Path::new(&tmp).exists());
    drop(held);
}
