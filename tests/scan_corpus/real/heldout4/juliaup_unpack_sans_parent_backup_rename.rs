// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `juliaup` 1.23.0
// (https://static.crates.io/crates/juliaup/juliaup-1.23.0.crate), file `src/operations.rs`.
// Licence: MIT (see ../licences/juliaup-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(not(target_os = "freebsd"))]
fn unpack_sans_parent<R, P>(src: R, dst: P, levels_to_skip: usize) -> Result<()>
where
    R: Read,
    P: AsRef<Path>,
{
    let dst = dst.as_ref();
    let tar = GzDecoder::new(src);
    let mut archive = Archive::new(tar);
    // Extract to a sibling temp dir (same filesystem as dst) so the final rename
    // is atomic and avoids a cross-device copy. Archive::unpack uses unpack_in
    // internally, which rejects path-traversal components (e.g. `..`).
    let temp_dir =
        tempfile::Builder::new().tempdir_in(dst.parent().unwrap_or_else(|| Path::new("..")))?;
    archive.unpack(temp_dir.path())?;
    // Tar can stop before gzip and HTTP EOF. Validate both before installing.
    let mut decoder = archive.into_inner();
    std::io::copy(&mut decoder, &mut std::io::sink())?;
    std::io::copy(&mut decoder.into_inner(), &mut std::io::sink())?;
    // Walk down `levels_to_skip` directory levels to reach the payload.
    let mut source = temp_dir.path().to_path_buf();
    for _ in 0..levels_to_skip {
        source = std::fs::read_dir(&source)?
            .filter_map(|e| e.ok())
            .find(|e| e.file_type().map(|ft| ft.is_dir()).unwrap_or(false))
            .with_context(|| {
                format!(
                    "Archive contained no subdirectory to skip in '{}'",
                    source.display()
                )
            })?
            .path();
    }
    if dst.exists() {
        // Move the existing installation aside so we can restore it on failure.
        let backup = tempfile::Builder::new()
            .prefix(".juliaup-backup-")
            .tempdir_in(dst.parent().unwrap_or_else(|| Path::new("..")))?;
        let backup_path = backup.path().join("old");
        std::fs::rename(dst, &backup_path).with_context(|| {
            format!(
                "Failed to back up existing directory '{}' before update.",
                dst.display()
            )
        })?;

        if let Err(e) = std::fs::rename(&source, dst) {
            // Restore the previous installation.
            if let Err(restore_err) = std::fs::rename(&backup_path, dst) {
                bail!(
                    "Failed to install to '{}': {:#}. \
                     Additionally, restoring the previous installation failed: {:#}. \
                     A backup may remain at '{}'.",
                    dst.display(),
                    e,
                    restore_err,
                    backup_path.display()
                );
            }
            return Err(e).with_context(|| {
                format!(
                    "Failed to move extracted archive to '{}'. Previous installation has been restored.",
                    dst.display()
                )
            });
        }
        // Success — backup is cleaned up automatically when `backup` is dropped.
    } else {
        std::fs::rename(&source, dst)
            .with_context(|| format!("Failed to move extracted archive to '{}'", dst.display()))?;
    }
    Ok(())
}
