// Source: https://github.com/astral-sh/uv/blob/206b136f133e21d20d8439dd1efd7a89c0b9102e/crates/uv-fs/src/lib.rs
// Commit: 206b136f133e21d20d8439dd1efd7a89c0b9102e
// Licence of the source: MIT OR Apache-2.0
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
use std::path::Path;
use tracing::warn;

#[cfg(windows)]
fn move_backoff() -> backon::ExponentialBackoff {
    use backon::BackoffBuilder;
    backon::ExponentialBuilder::default()
        .with_min_delay(std::time::Duration::from_millis(10))
        .with_max_times(10)
        .build()
}

pub async fn rename_with_retry(src: impl AsRef<Path>, dst: impl AsRef<Path>) -> Result<(), std::io::Error> {
    #[cfg(windows)]
    {
        use backon::Retryable;
        let src = src.as_ref();
        let dst = dst.as_ref();
        let rename = async || fs_err::rename(src, dst);
        rename
            .retry(move_backoff())
            .sleep(tokio::time::sleep)
            .when(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
            .notify(|err, _dur| {
                warn!("Retrying rename src {} dst {}: {}", src.display(), dst.display(), err);
            })
            .await
    }
    #[cfg(not(windows))]
    {
        fs_err::tokio::rename(src, dst).await
    }
}
