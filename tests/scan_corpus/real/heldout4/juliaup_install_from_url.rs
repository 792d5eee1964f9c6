// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `juliaup` 1.23.0
// (https://static.crates.io/crates/juliaup/juliaup-1.23.0.crate), file `src/operations.rs`.
// Licence: MIT (see ../licences/juliaup-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Installs Julia from a URL into the specified path.
/// Returns the config channel and a bool indicating whether a DMG installer was used (macOS only).
pub fn install_from_url(
    url: &Url,
    path: &PathBuf,
    #[cfg_attr(not(target_os = "macos"), allow(unused))] is_pr: bool,
    paths: &GlobalPaths,
) -> Result<(crate::config_file::JuliaupConfigChannel, bool)> {
    // Download and extract into a temporary directory
    let temp_dir = Builder::new()
        .prefix("julia-temp-")
        .tempdir_in(&paths.juliauphome)
        .expect("Failed to create temporary directory");

    #[cfg(target_os = "macos")]
    let (server_etag, used_dmg) = try_download_dmg_with_fallback(url, temp_dir.path(), true)?;

    #[cfg(not(target_os = "macos"))]
    let (server_etag, used_dmg) = {
        let download_result = download_extract_archive(url.as_ref(), temp_dir.path(), 1, true);
        match download_result {
            Ok(last_updated) => (last_updated, false),
            Err(e) => {
                std::fs::remove_dir_all(temp_dir.path())?;
                bail!("Failed to download and extract pr or nightly: {:#}", e);
            }
        }
    };

    // On macOS, PR tarball builds are unsigned. Gatekeeper blocks unsigned binaries,
    // which would hang the version query below. Prompt the user to codesign.
    // DMG installs come with proper code signatures, so skip codesigning for those.
    #[cfg(target_os = "macos")]
    let did_codesign = if is_pr && !used_dmg {
        prompt_and_codesign_pr_build(temp_dir.path())?
    } else {
        true // DMG installs and official nightlies are already signed
    };

    // Query the actual version
    let julia_path = crate::utils::resolve_julia_binary_path(temp_dir.path())
        .with_context(|| "Failed to resolve Julia binary path after extraction.")?;

    #[cfg(target_os = "macos")]
    let julia_version = if did_codesign {
        let version = query_julia_version(&julia_path)?;
        if !used_dmg {
            check_stdlib_notarization(&julia_path);
        }
        version
    } else {
        String::new()
    };

    #[cfg(not(target_os = "macos"))]
    let julia_version = query_julia_version(&julia_path)?;

    // Move into the final location
    let target_path = paths.juliauphome.join(path);
    if target_path.exists() {
        std::fs::remove_dir_all(&target_path)?;
    }

    // keep() consumes the TempDir and returns the path without cleanup
    // For macOS DMG installs, this preserves the .app bundle structure
    retry_rename(&temp_dir.keep(), &target_path)?;

    let binary_path = compute_relative_binary_path(&target_path, path, &paths.juliauphome);

    Ok((
        JuliaupConfigChannel::DirectDownloadChannel {
            path: path.to_string_lossy().into_owned(),
            url: url.to_string().to_owned(), // TODO Use proper URL
            local_etag: server_etag.clone(), // TODO Use time stamp of HTTPS response
            server_etag,
            version: julia_version,
            binary_path,
        },
        used_dmg,
    ))
}
