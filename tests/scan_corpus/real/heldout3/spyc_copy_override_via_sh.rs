// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `spyc` 2.3.0
// (https://static.crates.io/crates/spyc/spyc-2.3.0.crate), file `src/clipboard.rs`.
// Licence: BSD-3-Clause (see ../licences/spyc-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Write `text` to the system clipboard.
pub fn copy(text: &str) -> io::Result<()> {
    #[cfg(test)]
    {
        let stub = CLIPBOARD_OVERRIDE
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if let Some(p) = stub {
            // Route the override through `/bin/sh <script>` rather
            // than execve'ing the script directly. Direct exec of a
            // just-written file intermittently trips
            // `Text file busy (os error 26)` on Linux even after
            // `fs::write` has returned — the kernel can still hold a
            // writer reference long enough to race the next exec.
            // sh opens the file for reading, so the busy-text race
            // goes away.
            let path = p.to_string_lossy().into_owned();
            return spawn_and_pipe("/bin/sh", &[path.as_str()], text);
        }
    }
    if let Some(cmd) = resolve_override(None) {
        return copy_via_user_command(&cmd, text);
    }
    copy_impl(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A `[clipboard] command` that runs `stub` through `/bin/sh` rather than
    /// executing it. macOS scans a file the first time it is executed, and in a
    /// loaded parallel run that scan can outlast even [`TEST_REAP_BUDGET`]: the
    /// copy then returns once its text is in the pipe, before the stub has run,
    /// and a test reading what the stub wrote finds nothing. `/bin/sh` is
    /// scanned already and reads the stub as data, which also rules out the
    /// `Text file busy` race [`retry_text_busy`] exists for.
    #[cfg(unix)]
    fn user_command_via_sh(stub: &std::path::Path) -> String {
        format!("/bin/sh {}", stub.display())
    }

    #[cfg(unix)]
    #[test]
    fn copy_via_user_command_splits_on_whitespace_and_args_reach_the_child() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let stub = tmp.path().join("stub-args.sh");
        let sidecar = tmp.path().join("captured.txt");
        // Echo argv (not stdin) so the test can see the split actually
        // happened, then drain stdin so the caller's write doesn't EPIPE.
        fs::write(
            &stub,
            format!("echo \"$1|$2\" > {}\ncat > /dev/null\n", sidecar.display()),
        )
        .expect("write stub");

        // The command names `/bin/sh` and the stub is its first argument: see
        // `user_command_via_sh`.
        let cmd = format!("{} first second", user_command_via_sh(&stub));
        with_reap_budget(TEST_REAP_BUDGET, || {
            copy_via_user_command(&cmd, "hello").expect("stub should succeed");
        });

        let captured = fs::read_to_string(&sidecar).expect("read sidecar");
        assert_eq!(captured.trim(), "first|second");
    }

    #[cfg(unix)]
    #[test]
    fn copy_via_user_command_pipes_text_to_stdin() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let stub = tmp.path().join("stub-stdin.sh");
        let sidecar = tmp.path().join("captured.txt");
        fs::write(&stub, format!("cat > {}\n", sidecar.display())).expect("write stub");

        with_reap_budget(TEST_REAP_BUDGET, || {
            copy_via_user_command(&user_command_via_sh(&stub), "hello world\n")
                .expect("stub should succeed");
        });

        let captured = fs::read_to_string(&sidecar).expect("read sidecar");
        assert_eq!(captured, "hello world\n");
    }

    #[cfg(unix)]
    #[test]
    fn copy_via_user_command_propagates_non_zero_exit() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let stub = tmp.path().join("stub-user-fail.sh");
        fs::write(&stub, "cat > /dev/null\nexit 1\n").expect("write stub");

        let err = with_reap_budget(TEST_REAP_BUDGET, || {
            copy_via_user_command(&user_command_via_sh(&stub), "ignored")
                .expect_err("non-zero exit should surface as error")
        });
        assert!(
            err.to_string().contains("exited unsuccessfully"),
            "got: {err}"
        );
    }

}
