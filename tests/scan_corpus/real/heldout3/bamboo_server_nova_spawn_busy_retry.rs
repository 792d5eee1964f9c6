// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `bamboo-server` 2026.11.1
// (https://static.crates.io/crates/bamboo-server/bamboo-server-2026.11.1.crate), file `src/handlers/agent/plugin/official_nova.rs`.
// Licence: MIT (see ../licences/bamboo-server-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
impl VerifiedCli {
    async fn snapshot(bytes: &[u8], temporary: tempfile::TempDir) -> Result<Self, ()> {
        let executable = temporary
            .path()
            .join(if cfg!(windows) { "nova.exe" } else { "nova" });
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o500);
        let mut file = options.open(&executable).await.map_err(|_| ())?;
        file.write_all(bytes).await.map_err(|_| ())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o500))
                .await
                .map_err(|_| ())?;
        }
        file.sync_all().await.map_err(|_| ())?;
        // Close this process's writer before exposing the private snapshot.
        // A concurrent fork can briefly retain a duplicate; Linux spawn handles
        // that exact transient within the original operation budget.
        drop(file.into_std().await);
        Ok(Self {
            _temporary: temporary,
            executable,
        })
    }
}

#[cfg(target_os = "linux")]
async fn spawn_verified_cli(
    process: &mut tokio::process::Command,
    budget: Duration,
) -> Result<(tokio::process::Child, Duration), &'static str> {
    spawn_verified_cli_with(budget, || process.spawn()).await
}

#[cfg(target_os = "linux")]
async fn spawn_verified_cli_with(
    budget: Duration,
    mut spawn: impl FnMut() -> std::io::Result<tokio::process::Child>,
) -> Result<(tokio::process::Child, Duration), &'static str> {
    let started = tokio::time::Instant::now();
    let mut retry_delay = Duration::from_millis(1);
    let error = loop {
        match spawn() {
            Ok(child) => return Ok((child, budget.saturating_sub(started.elapsed()))),
            Err(error) => {
                // ETXTBSY refuses exec before the CLI can run. Retry only this
                // condition, using the same verified private path and args.
                let remaining = budget.saturating_sub(started.elapsed());
                if error.raw_os_error() != Some(libc::ETXTBSY) || remaining.is_zero() {
                    break error;
                }
                // Failed exec can still create a process. Back off a persistent
                // busy writer instead of forking every millisecond for minutes.
                tokio::time::sleep(remaining.min(retry_delay)).await;
                retry_delay = retry_delay.saturating_mul(2).min(Duration::from_secs(1));
                if started.elapsed() >= budget {
                    break error;
                }
            }
        }
    };
    #[cfg(test)]
    eprintln!(
        "Nova verified CLI spawn failed: kind={:?} raw_os_error={:?}",
        error.kind(),
        error.raw_os_error()
    );
    #[cfg(not(test))]
    let _ = error;
    Err("status_failed")
}
