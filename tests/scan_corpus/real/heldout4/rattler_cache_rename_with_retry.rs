// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `rattler_cache` 0.12.1
// (https://static.crates.io/crates/rattler_cache/rattler_cache-0.12.1.crate), file `src/package_cache/mod.rs`.
// Licence: BSD-3-Clause (see ../licences/rattler_cache-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Renames `from` to `to`. Plain `rename` on non-Windows; retries transient
/// file-locking errors on Windows. See the Windows-only definition.
#[cfg(not(windows))]
async fn rename_with_retry(from: &Path, to: &Path) -> std::io::Result<()> {
    tokio_fs::rename(from, to).await
}

/// Renames `from` to `to`, retrying transient Windows file-locking errors
/// (`ERROR_ACCESS_DENIED`, `ERROR_SHARING_VIOLATION`) with exponential backoff.
/// Antivirus scanners and the search indexer hold short-lived handles to
/// freshly-extracted files, breaking `MoveFileEx`.
/// See <https://github.com/prefix-dev/pixi/issues/5660>.
///
/// This deliberately uses `tokio::fs::rename` instead of the `fs_err` wrapper:
/// `fs_err` wraps the OS error in a custom `io::Error` whose `raw_os_error()`
/// returns `None` (and which exposes no `source()`), so the transient-error
/// check below would never match and the rename would fail on the first
/// attempt. The caller adds both paths to the error message, so no context is
/// lost. See <https://github.com/prefix-dev/rattler-build/issues/2474>.
#[cfg(windows)]
async fn rename_with_retry(from: &Path, to: &Path) -> std::io::Result<()> {
    use rattler_networking::retry_policies::ExponentialBackoff;

    // Roughly 25s of total wait: AV scans of large freshly-extracted packages
    // (e.g. python, openssl) can hold handles for well over the ~5s the
    // previous 5x100ms..2s policy allowed.
    let retry_policy = ExponentialBackoff::builder()
        .retry_bounds(Duration::from_millis(100), Duration::from_secs(5))
        .build_with_max_retries(10);
    retry_io_on_transient(
        || tokio::fs::rename(from, to),
        is_transient_rename_error,
        retry_policy,
    )
    .await
}
