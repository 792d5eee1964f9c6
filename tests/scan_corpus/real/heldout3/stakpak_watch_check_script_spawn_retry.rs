// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `stakpak` 0.3.88
// (https://static.crates.io/crates/stakpak/stakpak-0.3.88.crate), file `src/commands/watch/executor.rs`.
// Licence: Apache-2.0 (see ../licences/stakpak-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
const ETXTBSY_ERRNO: i32 = 26;
const SPAWN_RETRY_ATTEMPTS: usize = 20;
const SPAWN_RETRY_DELAY: Duration = Duration::from_millis(50);

fn is_text_file_busy(error: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(ETXTBSY_ERRNO)
    }

    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

async fn spawn_check_script(path: &Path) -> Result<tokio::process::Child, ExecutorError> {
    let mut attempt = 1;

    loop {
        match Command::new(path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
        {
            Ok(child) => return Ok(child),
            Err(error) if is_text_file_busy(&error) && attempt < SPAWN_RETRY_ATTEMPTS => {
                debug!(
                    script = %path.display(),
                    attempt,
                    retry_delay_ms = SPAWN_RETRY_DELAY.as_millis(),
                    "Script spawn hit ETXTBSY; retrying"
                );
                attempt += 1;
                tokio::time::sleep(SPAWN_RETRY_DELAY).await;
            }
            Err(error) => return Err(ExecutorError::SpawnError(error.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::fs::{self, File};
    #[cfg(unix)]
    use std::io::Write;
    #[cfg(unix)]
    use tempfile::tempdir;

    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;

    #[cfg(unix)]
    #[tokio::test]
    async fn test_non_executable() {
        let dir = tempdir().expect("Failed to create temp dir");
        let script_path = dir.path().join("check6.sh");

        // Create file without execute permission
        {
            let mut file = File::create(&script_path).expect("Failed to create script");
            file.write_all(b"#!/bin/sh\nexit 0\n")
                .expect("Failed to write script");
            file.sync_all().expect("Failed to sync script");
            // file is dropped (closed) here before metadata/permission operations
        }

        let mut perms = fs::metadata(&script_path)
            .expect("Failed to get metadata")
            .permissions();
        perms.set_mode(0o644); // No execute permission
        fs::set_permissions(&script_path, perms).expect("Failed to set permissions");

        let result = run_check_script(&script_path, Duration::from_secs(5)).await;

        assert!(result.is_err());
        assert!(matches!(
            result.unwrap_err(),
            ExecutorError::NotExecutable(_)
        ));
    }
}
