// Source: https://github.com/openai/codex/pull/9919
// Commit: unknown (index snapshot)
// Licence of the source: Apache-2.0
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn timed_out_snapshot_shell_is_terminated() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let pid_path = dir.path().join("pid");
        let script = format!("echo $$ > \"{}\"; sleep 30", pid_path.display());
        let shell = Shell { shell_type: ShellType::Sh, shell_path: PathBuf::from("/bin/sh"), shell_snapshot: None };
        let err = run_script_with_timeout(&shell, &script, Duration::from_secs(1), true)
            .await
            .expect_err("snapshot shell should time out");
        assert!(err.to_string().contains("timed out"));
        Ok(())
    }
}
