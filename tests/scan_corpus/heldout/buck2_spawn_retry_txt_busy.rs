// Source: https://github.com/facebook/buck2
// Commit: unknown (index snapshot)
// Licence of the source: MIT OR Apache-2.0
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
use std::future::Future;
use std::io;
use tokio::process::{Child, Command};

async fn spawn_retry_txt_busy<F, D>(mut cmd: Command, mut delay: F) -> io::Result<Child>
where
    F: FnMut() -> D,
    D: Future<Output = ()>,
{
    let mut left = 10;
    loop {
        let spawned = cmd.spawn();
        let errno = spawned.as_ref().map_err(|e| e.raw_os_error());
        let busy = matches!(errno, Err(Some(libc::ETXTBSY)));
        if left == 0 || !busy {
            return spawned;
        }
        delay().await;
        left -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[tokio::test]
    async fn spawn_retry_when_file_still_open() -> anyhow::Result<()> {
        use tokio::fs::OpenOptions;
        use tokio::io::AsyncWriteExt;

        let tempdir = tempfile::tempdir()?;
        let bin = tempdir.path().join("bin");
        let mut file = OpenOptions::new()
            .mode(0o755)
            .write(true)
            .create(true)
            .open(&bin)
            .await?;
        file.write_all(b"#!/bin/bash\ntrue\n").await?;

        let cmd = Command::new(&bin);
        let mut child = spawn_retry_txt_busy(cmd, {
            let mut file = Some(file);
            move || {
                file.take();
                futures::future::ready(())
            }
        })
        .await?;
        assert_eq!(child.wait().await?.code(), Some(0));
        Ok(())
    }
}
