// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/openai/codex/pull/9919
#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use tokio::process::Command;

    #[tokio::test]
    async fn script_output_is_captured() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("print.sh");
        tokio::fs::write(&path, "#!/bin/sh\necho captured\n").await?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        let out = Command::new(&path).output().await?;
        assert_eq!(String::from_utf8(out.stdout)?.trim(), "captured");
        Ok(())
    }
}
