//! A process-wide plan reaches threads the code under test starts itself.
//! It holds `crate::common::process_wide()`: nothing else runs under the plan.
// Unix only: its plan uses POSIX error names.
#![cfg(unix)]

use std::io;

use flakeproof::fault::{self, FaultPlan};
use flakeproof::{Op, fs};

/// Code under test that does its work on a thread of its own.
fn make_dir_in_background(path: std::path::PathBuf) -> io::Result<()> {
    std::thread::spawn(move || fs::create_dir(path))
        .join()
        .unwrap()
}

#[test]
fn process_wide_plan_reaches_every_thread_and_ends_with_its_guard() {
    let _alone = crate::common::process_wide();
    if std::env::var_os("FLAKEPROOF_FAULTS").is_some() {
        // Chaos mode owns the process-wide slot; this test checks the slot itself.
        eprintln!("skipped: FLAKEPROOF_FAULTS is set");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let guard = FaultPlan::parse("create_dir(*/bg*)=EDQUOT@1")
        .unwrap()
        .activate_process_wide()
        .unwrap();
    assert_eq!(
        fault::process_wide().unwrap().plan(),
        "create_dir(*/bg*)=EDQUOT@1"
    );

    let e = make_dir_in_background(dir.path().join("bg1")).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::QuotaExceeded);
    make_dir_in_background(dir.path().join("bg2")).unwrap();
    assert_eq!(guard.attempts(Op::CreateDir, "*/bg*"), 2);

    // Only one process-wide plan at a time.
    let again = FaultPlan::parse("")
        .unwrap()
        .activate_process_wide()
        .unwrap_err();
    assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);

    // A thread's own plan takes precedence.
    {
        let _mine = FaultPlan::parse("create_dir=EROFS").unwrap().activate();
        let e = fs::create_dir(dir.path().join("bg3")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ReadOnlyFilesystem);
    }

    drop(guard);
    assert!(fault::process_wide().is_none());
    make_dir_in_background(dir.path().join("bg3")).unwrap();
}
