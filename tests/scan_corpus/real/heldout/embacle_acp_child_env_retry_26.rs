// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `embacle` 0.44.0
// (https://static.crates.io/crates/embacle/embacle-0.44.0.crate), file `src/copilot_headless.rs`.
// Licence: Apache-2.0 (see ../licences/embacle-LICENSE-APACHE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ChatMessage, ErrorKind};
    use serde_json::json;

    /// The `copilot --acp` child gets the allowlisted host variables, its
    /// token and nothing else of the host's environment: a prompt-steered
    /// model that reads its environment finds no host secret there.
    #[cfg(unix)]
    #[tokio::test]
    async fn the_acp_child_inherits_only_the_allowlisted_environment() {
        use std::os::unix::fs::PermissionsExt;

        const HOST_SECRET: &str = "EMBACLE_TEST_ACP_HOST_SECRET";
        env::set_var(HOST_SECRET, "leak");
        let dir = tempfile::tempdir().unwrap(); // Safe: test setup
        let script = dir.path().join("copilot");
        fs::write(&script, "#!/bin/sh\nenv > env.dump\n").unwrap(); // Safe: test setup
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap(); // Safe: test setup

        // A sibling test's fork can hold the just-written script's write
        // descriptor open, and exec then fails with ETXTBSY (os error 26).
        let mut attempts = 0;
        let status = loop {
            attempts += 1;
            let mut cmd = acp_command(&script, Some("tok-acp-1"), "", dir.path());
            match cmd.status().await {
                Err(e) if e.raw_os_error() == Some(26) && attempts < 10 => {
                    time::sleep(Duration::from_millis(50)).await;
                }
                outcome => break outcome.unwrap(), // Safe: test assertion
            }
        };
        env::remove_var(HOST_SECRET);

        assert!(status.success(), "the stand-in exits 0: {status:?}");
        let dump = fs::read_to_string(dir.path().join("env.dump")).unwrap(); // Safe: the stand-in wrote it in its cwd
        let names: Vec<&str> = dump
            .lines()
            .filter_map(|line| line.split_once('=').map(|(name, _)| name))
            .collect();
        assert!(
            dump.lines()
                .any(|line| line == "COPILOT_GITHUB_TOKEN=tok-acp-1"),
            "the configured token reaches the child: {names:?}"
        );
        assert!(names.contains(&"PATH"), "{names:?}");
        assert!(
            !dump.contains(HOST_SECRET),
            "a host variable outside the allowlist leaked: {names:?}"
        );
        let allowed = runtime_env_keys();
        let unexpected: Vec<&&str> = names
            .iter()
            .filter(|name| !allowed.iter().any(|key| key == *name))
            .filter(|name| !matches!(**name, "PWD" | "SHLVL" | "_" | "OLDPWD"))
            .collect();
        assert!(
            unexpected.is_empty(),
            "only allowlisted variables reach the child, and the shell's own: {unexpected:?}"
        );
    }

}
