//! umask is process-wide: this file is its own test binary, with one test,
//! so no other test runs under the changed umask.
// Unix only: umask.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;

use flakeproof::{install::Strategy, install_executable_stub, StubInstaller};

use crate::common;

#[test]
fn mode_is_exact_under_umask_077_for_every_strategy() {
    let _alone = common::process_wide();
    // SAFETY: umask has no failure mode; only this test runs in this process.
    let old = unsafe { libc::umask(0o077) };
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "").unwrap();
    let default = install_executable_stub(dir.path(), "default", "#!/bin/sh\n").unwrap();
    let child = StubInstaller::new()
        .strategy(Strategy::ChildWriter)
        .install(dir.path(), "child", "#!/bin/sh\n")
        .unwrap();
    unsafe { libc::umask(old) };

    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    // The umask is really in force: a plain file gets 0o600.
    assert_eq!(mode(&plain), 0o600);
    assert_eq!(mode(&default), 0o755);
    assert_eq!(mode(&child), 0o755);
}
