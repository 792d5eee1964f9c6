// Source: https://github.com/openai/codex/blob/667864023663a994f2596770434caeb6ef2d41ed/codex-rs/core/src/shell_snapshot.rs
// Commit: unknown (index snapshot)
// Licence of the source: Apache-2.0
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;
    use std::time::Duration;
    use tokio::fs;

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn timed_out_snapshot_shell_is_terminated() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let shell_path = dir.path().join("hanging-shell.sh");
        let pid_path = dir.path().join("pid");
        let script = format!("#!/bin/sh\necho $$ > {}\nsleep 30\n", pid_path.display());
        fs::write(&shell_path, script).await?;
        let mut permissions = std::fs::metadata(&shell_path)?.permissions();
        permissions.set_mode(0o755);
        std::fs::set_permissions(&shell_path, permissions)?;

        let shell = Shell { shell_type: ShellType::Sh, shell_path, shell_snapshot: None };
        let err = run_shell_script_with_timeout(&shell, "ignored", Duration::from_millis(500))
            .await
            .expect_err("snapshot shell should time out");
        assert!(err.to_string().contains("timed out"));
        let _ = PathBuf::new();
        Ok(())
    }
}
