//! umask is process-wide: the test holds `crate::common::process_wide()`, so no
//! other test runs under the changed umask, and restores it, panic or not.
// Unix only: umask.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;

use flakeproof::{StubInstaller, install::Strategy, install_executable_stub};

#[test]
fn mode_is_exact_under_umask_077_for_every_strategy() {
    let _alone = crate::common::process_wide();
    /// Puts the old umask back, panic or not.
    struct Restore(libc::mode_t);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: umask has no failure mode.
            unsafe { libc::umask(self.0) };
        }
    }
    // SAFETY: umask has no failure mode; no other test runs in this
    // process meanwhile (the lock above).
    let restore = Restore(unsafe { libc::umask(0o077) });
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "").unwrap();
    let default = install_executable_stub(dir.path(), "default", "#!/bin/sh\n").unwrap();
    let child = StubInstaller::new()
        .strategy(Strategy::ChildWriter)
        .install(dir.path(), "child", "#!/bin/sh\n")
        .unwrap();
    drop(restore);

    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    // The umask is really in force: a plain file gets 0o600.
    assert_eq!(mode(&plain), 0o600);
    assert_eq!(mode(&default), 0o755);
    assert_eq!(mode(&child), 0o755);
}
