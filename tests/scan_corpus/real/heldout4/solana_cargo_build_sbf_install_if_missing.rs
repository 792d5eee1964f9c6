// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `solana-cargo-build-sbf` 4.0.0
// (https://static.crates.io/crates/solana-cargo-build-sbf/solana-cargo-build-sbf-4.0.0.crate), file `src/toolchain.rs`.
// Licence: Apache-2.0 (see ../licences/solana-cargo-build-sbf-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.

// Check whether a package is installed and install it if missing.
pub(crate) fn install_if_missing(
    config: &Config,
    platform_tools_version: &str,
    target_path: &Path,
    use_rest_api: bool,
) -> Result<(), String> {
    if config.force_tools_install && target_path.is_dir() {
        debug!("Remove directory {target_path:?}");
        fs::remove_dir_all(target_path)
            .map_err(|err| format!("could not remove {target_path:?}: {err}"))?;
    }
    // Check whether the target path is an empty directory. This can
    // happen if package download failed on previous run of
    // cargo-build-sbf.  Remove the target_path directory in this
    // case.
    if target_path.is_dir()
        && target_path
            .read_dir()
            .map_err(|err| err.to_string())?
            .next()
            .is_none()
    {
        debug!("Remove directory {target_path:?}");
        fs::remove_dir(target_path)
            .map_err(|err| format!("could not remove {target_path:?}: {err}"))?;
    }

    // Check whether the package is already in ~/.cache/solana.
    // Download it and place in the proper location if not found.
    if !target_path.is_dir()
        && !target_path
            .symlink_metadata()
            .map(|metadata| metadata.file_type().is_symlink())
            .unwrap_or(false)
    {
        if target_path.exists() {
            debug!("Remove file {target_path:?}");
            fs::remove_file(target_path)
                .map_err(|err| format!("could not remove {target_path:?}: {err}"))?;
        }

        fs::create_dir_all(target_path)
            .map_err(|err| format!("could not create {target_path:?}: {err}"))?;
        let arch = if cfg!(target_arch = "aarch64") {
            "aarch64"
        } else {
            "x86_64"
        };
        let platform_tools_download_file_name = if cfg!(target_os = "windows") {
            format!("platform-tools-windows-{arch}.tar.bz2")
        } else if cfg!(target_os = "macos") {
            format!("platform-tools-osx-{arch}.tar.bz2")
        } else {
            format!("platform-tools-linux-{arch}.tar.bz2")
        };

        let download_file_path = target_path.join(&platform_tools_download_file_name);
        if download_file_path.exists() {
            fs::remove_file(&download_file_path)
                .map_err(|err| format!("could not remove {download_file_path:?}: {err}"))?;
        }

        download_platform_tools(
            &platform_tools_download_file_name,
            platform_tools_version,
            &download_file_path,
            use_rest_api,
        )?;
        let zip = File::open(&download_file_path).map_err(|err| err.to_string())?;
        let tar = BzDecoder::new(BufReader::new(zip));
        let mut archive = Archive::new(tar);
        archive
            .unpack(target_path)
            .map_err(|err| format!("could not unpack downloaded archive: {err}"))?;
        fs::remove_file(download_file_path)
            .map_err(|err| format!("could not remove downloaded archive: {err}"))?;
        if should_nix_patch_bins_and_dylibs(config) {
            if let Err(e) = nix_patch_all_bins_and_dylibs(target_path) {
                error!(
                    "patching for nix failed ({e};) will continue, but tools might not work \
                     out-of-box"
                )
            }
        }
    }
    Ok(())
}
