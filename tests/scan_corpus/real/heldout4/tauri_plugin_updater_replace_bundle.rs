// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `tauri-plugin-updater` 2.14.1
// (https://static.crates.io/crates/tauri-plugin-updater/tauri-plugin-updater-2.14.1.crate), file `src/updater.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/tauri-plugin-updater-LICENSE_APACHE-2.0, ../licences/tauri-plugin-updater-LICENSE_MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Move `staged` into `target`, keeping what was at `target` in `backup` until the
/// move has succeeded. If the second rename fails, the first is undone so `target`
/// is left exactly as it was. Both renames must be within one file system.
#[cfg(any(target_os = "macos", test))]
fn replace_bundle(target: &Path, staged: &Path, backup: &Path) -> std::io::Result<()> {
    std::fs::rename(target, backup)?;
    if let Err(err) = std::fs::rename(staged, target) {
        // Best effort: the error worth reporting is the one from the failed move.
        let _ = std::fs::rename(backup, target);
        return Err(err);
    }
    Ok(())
}
