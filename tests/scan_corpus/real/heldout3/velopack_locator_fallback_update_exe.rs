// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `velopack` 1.2.161
// (https://static.crates.io/crates/velopack/velopack-1.2.161.crate), file `src/locator.rs`.
// Licence: MIT (see ../licences/velopack-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl VelopackLocator {

    /// Creates a new VelopackLocator from the given paths and manifest.
    #[cfg(windows)]
    pub fn new_with_manifest(mut paths: VelopackLocatorConfig, manifest: Manifest) -> Self {
        let root = paths.RootAppDir.clone();
        let default_packages_dir = root.join("packages");
        let has_custom_packages_dir = paths.PackagesDir != default_packages_dir;

        if has_custom_packages_dir {
            // A custom PackagesDir was provided (e.g. via --packageDir)
            if misc::is_directory_writable(&paths.PackagesDir) {
                info!("Using custom packages directory (writable): {}", paths.PackagesDir.display());
            } else {
                warn!(
                    "Custom packages directory is not writable, falling through to standard logic: {}",
                    paths.PackagesDir.display()
                );
                // Fall through to standard logic below
                paths.PackagesDir = default_packages_dir.clone();
            }
        }

        // Standard logic: only run if we don't have a valid custom dir
        if paths.PackagesDir == default_packages_dir {
            let is_writable = misc::is_directory_writable(&root);
            info!("Root directory '{}' writable: {}", root.display(), is_writable);

            if is_writable {
                paths.PackagesDir = root.join("packages");
                info!("Using root packages directory: {}", paths.PackagesDir.display());
            } else if let Ok(app_data) = get_local_app_data() {
                let fallback_base = app_data.join(&manifest.id);
                paths.PackagesDir = fallback_base.join("packages");
                paths.UpdateExePath = fallback_base.join("Update.exe");
                info!("Using fallback directory: {}", fallback_base.display());

                if let Err(e) = std::fs::create_dir_all(&paths.PackagesDir) {
                    error!("Unable to create fallback packages directory: {}", e);
                }

                // If the fallback Update.exe doesn't exist yet (e.g. first launch after MSI install),
                // copy it from the root directory so UpdateExePath always points to an existing file.
                let root_update_exe = root.join("Update.exe");
                if !paths.UpdateExePath.exists() && root_update_exe.exists() {
                    match std::fs::copy(&root_update_exe, &paths.UpdateExePath) {
                        Ok(_) => info!("Copied Update.exe from root to fallback: {}", paths.UpdateExePath.display()),
                        Err(e) => error!("Failed to copy Update.exe to fallback path: {}", e),
                    }
                }
            } else {
                error!("Root directory is not writable and LocalAppData is unavailable. Updates may not work correctly.");
            }
        }

        Self { paths, manifest }
    }

    /// Creates a new VelopackLocator from the given paths and manifest.
    #[cfg(not(windows))]
    pub fn new_with_manifest(paths: VelopackLocatorConfig, manifest: Manifest) -> Self {
        Self { paths, manifest }
    }

}
