// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `juliaup` 1.23.0
// (https://static.crates.io/crates/juliaup/juliaup-1.23.0.crate), file `src/operations.rs`.
// Licence: MIT (see ../licences/juliaup-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Commits a version previously downloaded by [`download_version_to_temp`] into
/// its final location and registers it in the configuration.
///
/// This must be called while holding the exclusive configuration lock (i.e. with
/// a mutable config db). If another process installed the same version while the
/// download was in progress, the temporary directory is discarded and the
/// existing installation is reused.
pub fn commit_version_install(
    downloaded: TempDir,
    fullversion: &str,
    config_data: &mut JuliaupConfig,
    paths: &GlobalPaths,
) -> Result<()> {
    let child_target_foldername = format!("julia-{}", fullversion);
    let target_path = paths.juliauphome.join(&child_target_foldername);

    // Another process may have installed this exact version while we were
    // downloading. In that case discard our download and reuse the existing one.
    if config_data.installed_versions.contains_key(fullversion) {
        return Ok(());
    }

    let target_parent = target_path.parent().ok_or_else(|| {
        anyhow!(
            "Target installation path `{}` has no parent directory.",
            target_path.display()
        )
    })?;
    std::fs::create_dir_all(target_parent).with_context(|| {
        format!(
            "Failed to create parent directory `{}` for installation path `{}`.",
            target_parent.display(),
            target_path.display()
        )
    })?;

    if target_path.exists() {
        std::fs::remove_dir_all(&target_path).with_context(|| {
            format!(
                "Failed to remove stale installation directory `{}`.",
                target_path.display()
            )
        })?;
    }

    // keep() consumes the TempDir and returns the path without cleanup
    retry_rename(&downloaded.keep(), &target_path)?;

    let mut rel_path = PathBuf::new();
    rel_path.push(".");
    rel_path.push(&child_target_foldername);

    let binary_path = compute_relative_binary_path(&target_path, &rel_path, &paths.juliauphome);

    config_data.installed_versions.insert(
        fullversion.to_string(),
        JuliaupConfigVersion {
            path: rel_path.to_string_lossy().into_owned(),
            binary_path,
        },
    );

    Ok(())
}
