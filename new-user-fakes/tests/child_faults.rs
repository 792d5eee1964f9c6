//! A fault inside a real program, as a new user would write the test: a
//! plan attached to a `mv`, the one rename it makes failed with EBUSY, and
//! the record saying which process got it.

use flakeproof::fault::FaultPlan;
use flakeproof::process::Command;
use flakeproof::Op;

#[test]
fn mv_into_target_fails_once_with_ebusy() {
    let dir = tempfile_dir();
    std::fs::create_dir(dir.join("target")).unwrap();
    std::fs::write(dir.join("app"), "binary").unwrap();

    let guard = FaultPlan::parse("rename(*/target/*)=EBUSY@1")
        .unwrap()
        .activate();
    let mut mv = Command::new("mv");
    mv.args(["app", "target/app"]).current_dir(&dir);
    if let Err(e) = mv.faults(&guard) {
        // Not Linux, or seccomp refused here: the error says which.
        eprintln!("SKIPPED: {e}");
        return;
    }
    let child = mv.spawn().unwrap();
    let pid = child.id();
    assert!(!child.wait_with_output().unwrap().status.success());

    let injected: Vec<_> = guard.calls().into_iter().filter(|c| c.injected()).collect();
    assert_eq!(injected.len(), 1);
    assert_eq!(injected[0].op, Op::Rename);
    assert_eq!(injected[0].pid, pid);
    assert_eq!(injected[0].path, dir.join("target/app"));

    // Run it again: the plan said @1, so this one moves the file.
    assert!(mv.status().unwrap().success());
    assert!(dir.join("target/app").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A fresh directory under the temp dir (no tempfile dependency here).
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("new-user-child-faults-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).unwrap();
    // The record holds paths as the child's kernel resolved them: a temp
    // dir behind a symlink, resolved.
    dir.canonicalize().unwrap()
}
