// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `spyc` 2.3.0
// (https://static.crates.io/crates/spyc/spyc-2.3.0.crate), file `src/clipboard.rs`.
// Licence: BSD-3-Clause (see ../licences/spyc-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Run `f`, retrying only while the OS reports `ETXTBSY` ("Text file busy").
    ///
    /// These tests write a stub script and execute it microseconds later. If another
    /// test thread forks in that window — the suite runs in parallel and plenty of
    /// tests spawn processes — the child inherits the still-open writable fd and
    /// holds a dup across its own exec, so ours is refused
    /// (rust-lang/rust#74253). Nothing under test is racy: the *fixture* is, and the
    /// window is microseconds, so a bounded retry beats serializing the suite.
    /// Every other outcome, success or failure, is returned untouched — the tests
    /// that assert a specific error still see it on the first attempt.
    #[cfg(unix)]
    fn retry_text_busy<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
        let busy = rustix::io::Errno::TXTBSY.raw_os_error();
        for _ in 0..50 {
            match f() {
                Err(e) if e.raw_os_error() == Some(busy) => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                other => return other,
            }
        }
        f()
    }

    #[cfg(unix)]
    #[test]
    fn copy_via_override_writes_to_stub() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let stub = tmp.path().join("stub-clip.sh");
        let sidecar = tmp.path().join("captured.txt");
        fs::write(&stub, format!("#!/bin/sh\ncat > {}\n", sidecar.display())).expect("write stub");
        let mut perms = fs::metadata(&stub).unwrap().permissions();
        perms.set_mode(0o755);
        fs::set_permissions(&stub, perms).unwrap();

        // Long budget: this test reads the file the stub writes, so it needs
        // spawn_and_pipe to have actually waited for the child.
        with_reap_budget(TEST_REAP_BUDGET, || {
            retry_text_busy(|| with_clipboard_override(&stub, || copy("hello world\n")))
                .expect("copy via stub should succeed");
        });

        let captured = fs::read_to_string(&sidecar).expect("read sidecar");
        assert_eq!(captured, "hello world\n");
    }

    #[test]
    fn spawn_and_pipe_returns_not_found_for_missing_binary() {
        let err = spawn_and_pipe("this-binary-does-not-exist-spyc-test", &[], "ignored")
            .expect_err("missing binary should error");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn copy_via_override_propagates_non_zero_exit() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("tempdir");
        let stub = tmp.path().join("stub-fail.sh");
        // Drain stdin so spyc's `write_all` doesn't fail with EPIPE
        // before the helper exits — we want to exercise the
        // *exit-status* path, not the stdin-broken-pipe path.
        fs::write(&stub, "#!/bin/sh\ncat > /dev/null\nexit 1\n").expect("write stub");
        let mut perms = fs::metadata(&stub).unwrap().permissions();
        perms.set_mode(0o755);
        fs::set_permissions(&stub, perms).unwrap();

        let err = with_reap_budget(TEST_REAP_BUDGET, || {
            retry_text_busy(|| with_clipboard_override(&stub, || copy("ignored")))
                .expect_err("non-zero exit should surface as error")
        });
        // Crucially NOT NotFound — the Linux cascade falls through
        // only on NotFound, so a present-but-failing helper must
        // produce a different ErrorKind to halt the cascade.
        assert_ne!(err.kind(), io::ErrorKind::NotFound);
        assert!(
            err.to_string().contains("exited unsuccessfully"),
            "error message should mention non-zero exit, got: {err}"
        );
    }

}
