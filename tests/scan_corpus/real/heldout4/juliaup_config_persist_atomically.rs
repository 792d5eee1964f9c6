// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `juliaup` 1.23.0
// (https://static.crates.io/crates/juliaup/juliaup-1.23.0.crate), file `src/config_file.rs`.
// Licence: MIT (see ../licences/juliaup-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Atomically replaces `dest` with `temp_file`.
///
/// Do not use `tempfile`'s `persist()` for the config file: on Windows it
/// renames via `MoveFileExW`, which fails while any process has `dest` open —
/// including a lock-free reader that is merely reading the config at that
/// moment. `std::fs::rename` instead renames with
/// `FILE_RENAME_FLAG_POSIX_SEMANTICS` (falling back to `MoveFileExW` only on
/// filesystems that don't support it), so the replacement succeeds while
/// readers still hold the old file open. On Unix both are plain `rename(2)`.
fn persist_atomically(temp_file: NamedTempFile, dest: &std::path::Path) -> Result<()> {
    let temp_path = temp_file.into_temp_path().keep()?;

    if let Err(e) = std::fs::rename(&temp_path, dest) {
        // Clean up the now-orphaned temp file before reporting the error.
        let _ = std::fs::remove_file(&temp_path);
        return Err(e.into());
    }

    Ok(())
}
